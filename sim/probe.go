package sim

import "context"

// ProbeRules runs the risk engine over the first n consignments of
// replication 0 (fewer when the horizon ends first) and returns the first
// expression rule that failed on one (a *RuleError), or nil. The type check
// at compile time rules out unknown variables and mismatched types; what
// only data can show (int("CN"), an integer division by zero, an index out
// of range) this finds before a run, so validate reports it. A model
// without expression rules returns nil at once.
func (m *Model) ProbeRules(ctx context.Context, n int) error {
	if !m.risk.HasExpr() {
		return nil
	}
	g, s := m.NewGenerator(), m.NewSelector()
	var c Consignment
	for i := 0; i < n && g.Next(&c); i++ {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		s.Assess(&c)
		if err := s.Err(); err != nil {
			return err
		}
	}
	return nil
}
