package risk

import (
	"math/bits"

	"pilotsim/datamodel"
)

// Lane is the selectivity channel a consignment is assigned to.
type Lane uint8

// Lanes, in increasing order of control.
const (
	Green  Lane = iota // release without checks
	Blue               // release now, post-clearance audit later
	Yellow             // documentary check
	Red                // physical examination (with or without an NII scan first)
	NumLanes
)

var laneNames = [NumLanes]string{"green", "blue", "yellow", "red"}

// String returns the lane's name: green, blue, yellow or red.
func (l Lane) String() string {
	if l >= NumLanes {
		return "?"
	}
	return laneNames[l]
}

// ParseLane reads a lane name.
func ParseLane(s string) (Lane, bool) {
	for i, n := range laneNames {
		if n == s {
			return Lane(i), true
		}
	}
	return 0, false
}

// Reason says why a consignment got its lane.
type Reason uint8

// Reasons, in ASYCUDA's precedence.
const (
	ReasonScore    Reason = iota // the total score reached the lane's threshold (or green: it reached none)
	ReasonForced                 // a rule forces the lane, or the consignment hit selectivity.max_hits rules
	ReasonRandom                 // drawn by the lane's minimum random rate
	ReasonExpected               // pulled in from would-be-green to fill the lane's expected rate
	NumReasons
)

var reasonNames = [NumReasons]string{"score", "forced", "random", "expected"}

// String returns the reason's name.
func (r Reason) String() string {
	if r >= NumReasons {
		return "?"
	}
	return reasonNames[r]
}

// MaxRules is the largest number of rules a rule set may hold (rule hits are
// recorded as a bit set).
const MaxRules = 128

// RuleSet is a bit set of rule indices (rule i is bit i%64 of word i/64).
type RuleSet [MaxRules / 64]uint64

// Has reports whether rule i is in the set.
func (s *RuleSet) Has(i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }

// Add puts rule i in the set.
func (s *RuleSet) Add(i int) { s[i>>6] |= 1 << (uint(i) & 63) }

// Count returns the number of rules in the set.
func (s *RuleSet) Count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// NoThreat is the Threat value of a regular consignment.
const NoThreat int8 = -1

// Consignment flags.
const (
	FlagAEO    uint8 = 1 << iota // the declaring trader is an Authorized Economic Operator
	FlagNew                      // the trader is new (no history)
	FlagClean                    // irregular but without the threat's signature
	FlagRouted                   // routed through a hub (Hub is set)
)

// Consignment is the compact form of a consignment inside the engine: codes,
// floats and flags, no strings, maps or pointers. Times are simulated minutes
// since the start of the replication. It is defined here, with the risk
// engine that scores it, so that every stage shares one value (sim aliases
// it as sim.Consignment): the generator fills it, Selector.Assess reads its
// declared data (trader, countries, mode, HS code, flags, weight, value,
// lodgement and arrival) and writes Score, Hits, Lane and Reason, and the
// border carries it through the controls. The ground truth (Threat, Duty)
// travels with it, but scoring never reads it.
type Consignment struct {
	Seq       uint64  // 0-based index within the replication, in arrival order
	Arrival   float64 // arrival of the goods
	Lodgement float64 // lodgement of the declaration (before or after arrival)
	LaneAt    float64 // risk assessment done, lane assigned (>= Lodgement)

	Trader   int32             // index into the trader population
	Origin   datamodel.Country // country of origin
	Dispatch datamodel.Country // country of dispatch (exportation)
	Hub      datamodel.Country // routing hub, NoCountry when not routed
	Mode     datamodel.Mode
	HS       uint32 // 6-digit HS code as an integer, e.g. 080300
	Flags    uint8

	GrossWeight float64 // kg
	Value       float64 // customs value
	ValuePerKg  float64 // Value / GrossWeight

	Threat int8    // index of the threat carried, NoThreat if regular
	Duty   float64 // duty at stake (revenue threats), else 0

	// Phase is the scenario phase the consignment is handled under (0: the
	// scenario itself; k: its k-th phase), set from its arrival and, during
	// a ramp, a draw of its own.
	Phase uint8

	Score  float64 // total risk score after AEO discount
	Hits   RuleSet // rules that matched
	Lane   Lane
	Reason Reason
}

// Chapter returns the HS chapter (1-97).
func (c *Consignment) Chapter() int { return int(c.HS / 10000) }

// AEO reports whether the declaring trader is an AEO.
func (c *Consignment) AEO() bool { return c.Flags&FlagAEO != 0 }

// Irregular reports whether the consignment carries a threat.
func (c *Consignment) Irregular() bool { return c.Threat != NoThreat }
