package sim

import (
	"context"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"pilotsim/scenarios"
)

// BenchmarkLearnRun runs one replication of narcotics-drift (24 weeks, about
// 605,000 consignments) per op on one worker, with each policy's targeter
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
		start, cpu0 := time.Now(), cpuTime()
		for i := 0; i < b.N; i++ {
			if _, err := Run(context.Background(), plain, Options{Workers: 1, Reps: []int{i}, Progress: &progress}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(progress.Load()), "ns/consignment")
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(progress.Load()), "cpu-ns/consignment")
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
			start, cpu0 := time.Now(), cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := learnOne(context.Background(), g, sel, br, lp, i+1, nil)
				if err != nil {
					b.Fatal(err)
				}
				n += r.Total.Arrivals
			}
			b.StopTimer()
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n), "ns/consignment")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/consignment")
			b.ReportMetric(float64(n)/elapsed.Seconds(), "consignments/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/consignment")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n), "B/consignment")
		})
	}
}

// BenchmarkTargeterScoreLearn measures a policy's own cost per consignment:
// scoring and deciding (Target) for every consignment, learning (Reveal) for
// every inspected one and the nightly refits, on 100,000 assessed
// consignments of narcotics-drift made beforehand (so the generator, rules
// and border are not counted). Outcomes are revealed at once, as found when
// the consignment is irregular. One op is one pass over the consignments
// (the model keeps learning across passes: steady state).
func BenchmarkTargeterScoreLearn(b *testing.B) {
	// No border here to steer the budget: fixed at 4%, about what the
	// scenario's scanner takes.
	m := learnModel(b, nil, "targeting.budget=0.04")
	cfg, err := m.borderConfig()
	if err != nil {
		b.Fatal(err)
	}
	g, sel := m.NewGenerator(), m.NewSelector()
	g.Reset(0)
	sel.Reset(0)
	cs := make([]Consignment, 0, 100000)
	var c Consignment
	for len(cs) < cap(cs) && g.Next(&c) {
		sel.Assess(&c)
		cs = append(cs, c)
	}
	for _, name := range m.TargetingPolicies() {
		b.Run(name, func(b *testing.B) {
			tg, err := m.newTargeter(name, g, cfg)
			if err != nil {
				b.Fatal(err)
			}
			tg.Reset(0)
			var st TargetState
			var view Consignment
			pass := func(offset float64) {
				for i := range cs {
					view = cs[i]
					view.Threat, view.Duty = NoThreat, 0
					st.Now = cs[i].Arrival + offset
					ins, exp, p := tg.Target(&view, &st)
					if ins {
						if exp {
							view.Reason = ReasonRandom
						}
						tg.Reveal(&view, cs[i].Threat != NoThreat, p, st.Now)
					}
				}
			}
			span := cs[len(cs)-1].Arrival + 1
			pass(0)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				pass(float64(i+1) * span)
			}
			b.StopTimer()
			cpu := cpuTime() - cpu0
			runtime.ReadMemStats(&after)
			n := float64(b.N) * float64(len(cs))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/consignment")
			b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/consignment")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/consignment")
		})
	}
}

// cpuTime returns the process's user and system CPU time: on a machine
// shared with other work it measures this benchmark's cost per core, which
// the wall clock does not (the benchmarks run on one goroutine; the
// garbage collector's share is included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
