// Package sim is pilotsim's engine. It takes a validated scenario and turns it
// into consignments (the generator), assigns each a lane (the risk engine of
// package sim/risk, which also scores real declarations), moves them through
// control resources in simulated time (the border, a discrete-event
// simulation), and runs replications concurrently and reproducibly.
//
// sim is pure: no file I/O, no flags, no printing. Every random draw comes from
// a stream derived from (seed, replication, purpose) by Stream, so results do not
// depend on the number of workers or the order of execution, and two scenarios
// that differ only in rules, selectivity or resources see the same consignments
// (common random numbers).
//
// Inside the engine a consignment is the compact value Consignment: small
// integer codes, floats and bit flags. The full WCO Data Model record is made
// from it only when consignments are written out.
//
// With a scenario's targeting block, a Targeter decides after the rules which
// consignments are inspected, within the capacity of the targeting lane, and
// learns only from the outcomes the border reveals to it when they are known
// (the end of the exam plus an audit delay); Learn runs every policy over
// many seeds and reports weekly figures (LearnRep). Drift and displacement
// change threats' features during a run, never which consignments are
// irregular.
package sim
