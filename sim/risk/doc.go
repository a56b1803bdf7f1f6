// Package risk is pilotsim's risk engine: selectivity criteria compiled into
// a fast form, expression rules, scores, and the ASYCUDA selectivity that
// turns them into a lane (red, yellow, blue, green) with its reason.
//
// Compile turns the rules and selectivity of a validated scenario into an
// Engine, read-only and safe to share. A Selector holds the per-stream state
// (its random stream for the minimum random rates, the running lane counts of
// the expected rates, the expression VM): Selector.Assess scores one
// Consignment with an Engine and assigns its lane; Selector.Score only scores
// it. Every user of the risk engine goes through these two calls: the
// simulator (package sim, which picks the Engine of a consignment's phase),
// backtest (real declarations read from a file), and learning or targeting
// policies that start from the rules' score.
//
// Real declarations carry more than the simulator's compact Consignment:
// criteria on any column of a mapped file ("field") and on a key's past
// irregularity ("history") read an Extra, filled by the caller in the slots
// an ExtraSchema assigned while the rules compiled. In simulation the Extra
// is nil and such criteria are refused at compile time.
//
// risk does no file I/O and draws no random number of its own making: the
// caller gives the Selector its stream (sim.Stream with
// sim.PurposeSelection), so results stay reproducible. It does not import
// sim: sim's Consignment, Lane, Reason and RuleSet are aliases of this
// package's types. Scoring never reads the ground truth a Consignment
// carries (Threat, Duty) and allocates nothing per consignment.
package risk
