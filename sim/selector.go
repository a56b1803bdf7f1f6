package sim

import "pilotsim/sim/risk"

// RuleIDs returns the ids of the rules in scenario order; bit i of a
// consignment's Hits is rule RuleIDs()[i].
func (m *Model) RuleIDs() []string { return m.risk.RuleIDs() }

// Risk returns the compiled risk engine of phase p (0: the scenario itself;
// k: its k-th phase), for a policy that scores consignments with the same
// rules as the simulator (see risk.Selector.Score).
func (m *Model) Risk(p uint8) *risk.Engine { return m.phaseModel(p).risk }

// Selector assigns lanes: the risk engine's per-replication state (a
// risk.Selector drawing from the replication's PurposeSelection stream),
// assessing each consignment with the rules of its phase. It is not safe for
// concurrent use: one per goroutine.
type Selector struct {
	m *Model
	s risk.Selector
}

// NewSelector returns a selector for m, reset to replication 0.
func (m *Model) NewSelector() *Selector {
	s := &Selector{m: m}
	s.Reset(0)
	return s
}

// Reset starts replication rep: a new selection stream and no consignment
// assessed.
func (s *Selector) Reset(rep int) {
	s.s.Reset(Stream(s.m.Scenario.Seed, rep, PurposeSelection))
}

// Err returns the first error an expr rule gave while running (such a rule
// counts as not matched), or nil: a *RuleError.
func (s *Selector) Err() error { return s.s.Err() }

// Assess scores c with the rules and selectivity of its phase and assigns
// its lane (risk.Selector.Assess says how, in ASYCUDA's precedence).
func (s *Selector) Assess(c *Consignment) { s.s.Assess(s.m.phaseModel(c.Phase).risk, c, nil) }
