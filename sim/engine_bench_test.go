package sim

import (
	"testing"
	"time"

	"pilotsim/scenarios"
)

// engReference loads and compiles scenarios/examples/reference.yaml.
func engReference(tb testing.TB) *Model {
	tb.Helper()
	sc, err := scenarios.Load("../scenarios/examples/reference.yaml", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return engCompile(tb, sc)
}

// BenchmarkGenerateAndScore is the engine's per-consignment cost on the
// reference scenario: Generator.Next and Selector.Assess, b.N consignments
// (replications restart when one ends). Target: <= 400 ns and 0 allocations
// per consignment on one core.
func BenchmarkGenerateAndScore(b *testing.B) {
	m := engReference(b)
	g, s := m.NewGenerator(), m.NewSelector()
	rep := 0
	var c Consignment
	b.ReportAllocs()
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		if !g.Next(&c) {
			rep++
			g.Reset(rep)
			s.Reset(rep)
			g.Next(&c)
		}
		s.Assess(&c)
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/consignment")
}

// TestReferenceNoAllocations checks the benchmark's claim of 0 allocations
// in the ordinary test run.
func TestReferenceNoAllocations(t *testing.T) {
	m := engReference(t)
	g, s := m.NewGenerator(), m.NewSelector()
	var c Consignment
	if a := testing.AllocsPerRun(20000, func() {
		if !g.Next(&c) {
			g.Reset(1)
		}
		s.Assess(&c)
	}); a != 0 {
		t.Errorf("%v allocations per consignment, want 0", a)
	}
}
