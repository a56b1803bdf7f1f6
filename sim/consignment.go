package sim

import "pilotsim/sim/risk"

// The compact consignment and the risk engine's verdict are defined in
// package risk, with the engine that reads and writes them; sim names them
// too, so that the generator, the border and their callers speak of
// sim.Consignment, sim.Red and so on.

// Consignment is the compact form of a consignment inside the engine (see
// risk.Consignment).
type Consignment = risk.Consignment

// Lane is the selectivity channel a consignment is assigned to (see
// risk.Lane).
type Lane = risk.Lane

// Lanes, in increasing order of control.
const (
	Green    = risk.Green  // release without checks
	Blue     = risk.Blue   // release now, post-clearance audit later
	Yellow   = risk.Yellow // documentary check
	Red      = risk.Red    // physical examination (with or without an NII scan first)
	NumLanes = risk.NumLanes
)

// ParseLane reads a lane name.
func ParseLane(s string) (Lane, bool) { return risk.ParseLane(s) }

// Reason says why a consignment got its lane (see risk.Reason).
type Reason = risk.Reason

// Reasons, in ASYCUDA's precedence.
const (
	ReasonScore    = risk.ReasonScore    // the total score reached the lane's threshold (or green: it reached none)
	ReasonForced   = risk.ReasonForced   // a rule forces the lane, or the consignment hit selectivity.max_hits rules
	ReasonRandom   = risk.ReasonRandom   // drawn by the lane's minimum random rate
	ReasonExpected = risk.ReasonExpected // pulled in from would-be-green to fill the lane's expected rate
	NumReasons     = risk.NumReasons
)

// MaxRules is the largest number of rules a rule set may hold (rule hits are
// recorded as a bit set).
const MaxRules = risk.MaxRules

// RuleSet is a bit set of rule indices (see risk.RuleSet).
type RuleSet = risk.RuleSet

// NoThreat is the Threat value of a regular consignment.
const NoThreat = risk.NoThreat

// Consignment flags.
const (
	FlagAEO    = risk.FlagAEO    // the declaring trader is an Authorized Economic Operator
	FlagNew    = risk.FlagNew    // the trader is new (no history)
	FlagClean  = risk.FlagClean  // irregular but without the threat's signature
	FlagRouted = risk.FlagRouted // routed through a hub (Hub is set)
)

// RuleError is an expression rule that failed while running on a
// consignment (see risk.RuleError).
type RuleError = risk.RuleError
