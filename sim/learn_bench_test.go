package sim

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"pilotsim/scenarios"
)

// BenchmarkLearnRun runs one replication of narcotics-drift (24 weeks, about
// 240,000 consignments) per op on one worker, with each policy's targeter
// in the border: generator, rules, targeting, label queue and border. It
// reports ns per consignment (one core), consignments per second and
// allocations and bytes per consignment in steady state (the loop is made
// and run once before the timer starts).
func BenchmarkLearnRun(b *testing.B) {
	m := learnModel(b, nil)
	cfg, err := m.borderConfig()
	if err != nil {
		b.Fatal(err)
	}
	// The same scenario without targeting: the rules' lanes, for the cost
	// of targeting itself.
	plain := learnModel(b, func(sc *scenarios.Scenario) { sc.Targeting, sc.Drift, sc.Displacement = nil, nil, nil })
	b.Run("none", func(b *testing.B) {
		var progress atomic.Int64
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := Run(context.Background(), plain, Options{Workers: 1, Reps: []int{i}, Progress: &progress}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(progress.Load()), "ns/consignment")
	})
	for _, name := range m.TargetingPolicies() {
		b.Run(name, func(b *testing.B) {
			g, sel, br := m.NewGenerator(), m.NewSelector(), newBorder(cfg)
			tg, err := m.newTargeter(name, g, cfg)
			if err != nil {
				b.Fatal(err)
			}
			lp := newLearnLoop(m, cfg, g, br, tg)
			if _, err := learnOne(context.Background(), g, sel, br, lp, 0, nil); err != nil {
				b.Fatal(err)
			}
			var n int64
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := learnOne(context.Background(), g, sel, br, lp, i+1, nil)
				if err != nil {
					b.Fatal(err)
				}
				n += r.Total.Arrivals
			}
			b.StopTimer()
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n), "ns/consignment")
			b.ReportMetric(float64(n)/elapsed.Seconds(), "consignments/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/consignment")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n), "B/consignment")
		})
	}
}
