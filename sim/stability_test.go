package sim

import (
	"context"
	"math"
	"testing"

	"pilotsim/metric"
	"pilotsim/scenarios"
)

// stabilityMM1 is an M/M/1 queue in a scenario: sea arrivals at 4 an hour,
// every consignment in the yellow lane, one document officer with exponential
// service of mean rho × 15 min (load rho), five weeks after a warm-up of one.
func stabilityMM1(rho float64, seed uint64) *scenarios.Scenario {
	sc := engScenario(4, 42)
	sc.Seed = seed
	sc.Warmup = 7 * 24 * 60
	sc.Replications = 10
	sc.Selectivity.Random = map[string]scenarios.RandomRate{"yellow": {Rate: 1}}
	sc.Resources.Pools = []scenarios.Pool{{Name: "document", Servers: 1,
		Service: scenarios.Dist{Kind: "exp", Mean: engF(rho * 15)}}}
	sc.Resources.Yellow, sc.Resources.Red = []string{"document"}, []string{"document"}
	sc.Targets.Overall = 48 * 60
	return sc
}

// TestStabilityMM1: an M/M/1 queue at load 1.1 is unstable in every
// replication (offered load above 1, a growing backlog); at load 0.7 no
// replication of several seeds raises a false alarm.
func TestStabilityMM1(t *testing.T) {
	run := func(rho float64, seed uint64) (*Model, []metric.Rep) {
		m := engCompile(t, stabilityMM1(rho, seed))
		res, err := Run(context.Background(), m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m, res
	}
	m, res := run(1.1, 1)
	for _, r := range res {
		load := runValue(t, m, r, "pool.document.offered_load")
		growth, tstat := runValue(t, m, r, "backlog.growth"), runValue(t, m, r, "backlog.trend_t")
		if runValue(t, m, r, "unstable") != 1 || math.Abs(load-1.1) > 0.05 || tstat < stabilityT || growth < 100 {
			t.Errorf("load 1.1, rep %d: unstable %v, offered load %.3f, backlog growth %.0f (t %.1f)",
				r.Rep, runValue(t, m, r, "unstable"), load, growth, tstat)
		}
	}
	for seed := uint64(1); seed <= 5; seed++ {
		m, res := run(0.7, seed)
		for _, r := range res {
			if runValue(t, m, r, "unstable") != 0 {
				t.Errorf("load 0.7, seed %d rep %d: false alarm (offered load %.3f, backlog growth %.1f, t %.1f, unreleased %v)",
					seed, r.Rep, runValue(t, m, r, "pool.document.offered_load"), runValue(t, m, r, "backlog.growth"),
					runValue(t, m, r, "backlog.trend_t"), runValue(t, m, r, "unreleased.count"))
			}
			if load := runValue(t, m, r, "pool.document.offered_load"); math.Abs(load-0.7) > 0.06 {
				t.Errorf("load 0.7, seed %d rep %d: offered load %.3f", seed, r.Rep, load)
			}
		}
	}
}

// TestBacklogTrend checks the trend fit on exact data: a weekly pattern with
// no growth has slope 0; the same plus 3 a day grows by 3 × (n − 1).
func TestBacklogTrend(t *testing.T) {
	week := []float64{10, 12, 11, 13, 12, 30, 5}
	var flat, growing []float64
	for i := range 28 {
		flat = append(flat, week[i%7])
		growing = append(growing, week[i%7]+3*float64(i))
	}
	if g, tt, mean := backlogTrend(flat); math.Abs(g) > 1e-9 || !(math.Abs(tt) < 1e-6 || math.IsNaN(tt)) || math.Abs(mean-93.0/7) > 1e-9 {
		t.Errorf("weekly pattern, no growth: growth %v t %v mean %v", g, tt, mean)
	}
	if g, tt, _ := backlogTrend(growing); math.Abs(g-81) > 1e-9 || tt != stabilityExactT {
		t.Errorf("3 a day: growth %v (want 81), t %v", g, tt)
	}
	if g, tt, _ := backlogTrend([]float64{1, 2}); !math.IsNaN(g) || !math.IsNaN(tt) {
		t.Errorf("two points: growth %v t %v, want NaN", g, tt)
	}
}

// TestMSERDays checks the truncation point on daily means with a known
// transient: 6 days rising towards a level, then noise around it.
func TestMSERDays(t *testing.T) {
	var sum []float64
	var n []int64
	noise := []float64{0.3, -0.2, 0.1, -0.4, 0.2, 0, -0.1, 0.3, -0.3, 0.1}
	for d := range 40 {
		y := 10 + noise[d%len(noise)]
		if d < 6 {
			y = 2 + float64(d)
		}
		sum = append(sum, 100*y)
		n = append(n, 100)
	}
	if got := mserDays(sum, n, 1); got != 6 {
		t.Errorf("daily candidates: truncation %v days, want 6", got)
	}
	if got := mserDays(sum, n, 7); got != 7 {
		t.Errorf("whole weeks: truncation %v days, want 7", got)
	}
	if got := mserDays(sum[:3], n[:3], 1); !math.IsNaN(got) {
		t.Errorf("3 days: %v, want NaN", got)
	}
}

// TestWarmupAuto: with warmup: auto each replication's warm-up is the MSER
// point of its own run from time 0 (what a run with no warm-up reports as
// warmup.mser_hours), in whole weeks for a weekly scenario, and the results
// are the same for any number of workers.
func TestWarmupAuto(t *testing.T) {
	runBoth := func(t *testing.T, fixed, auto *Model) (rf, ra []metric.Rep) {
		t.Helper()
		rf, err := Run(context.Background(), fixed, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		ra, err = Run(context.Background(), auto, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		ra3, err := Run(context.Background(), auto, Options{Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !borderSameResults(ra, ra3) {
			t.Fatal("warmup: auto gives different results on 1 and 3 workers")
		}
		for i := range rf {
			want := runValue(t, fixed, rf[i], "warmup.mser_hours")
			if got := runValue(t, auto, ra[i], "warmup.hours"); got != want {
				t.Errorf("rep %d: warm-up %v h, want MSER's %v h", i, got, want)
			}
		}
		return rf, ra
	}
	t.Run("M/M/1 at load 0.9, daily", func(t *testing.T) {
		sc := stabilityMM1(0.9, 1)
		sc.Warmup = 0
		fixed := engCompile(t, sc)
		sc = stabilityMM1(0.9, 1)
		sc.Warmup, sc.WarmupAuto = 0, true
		auto := engCompile(t, sc)
		_, ra := runBoth(t, fixed, auto)
		positive := 0
		for _, r := range ra {
			if runValue(t, auto, r, "warmup.hours") > 0 {
				positive++
			}
		}
		if positive == 0 {
			t.Error("MSER chose no warm-up in any replication: the test proves little")
		}
	})
	t.Run("seaport, whole weeks", func(t *testing.T) {
		fixed := runLoad(t, "seaport", "warmup=0", "replications=4", "resources.pools[physical].servers=19")
		auto := runLoad(t, "seaport", "warmup=auto", "replications=4", "resources.pools[physical].servers=19")
		if !auto.Scenario.WarmupAuto || auto.Scenario.Warmup != 0 {
			t.Fatalf("warmup: auto loaded as %v, auto %v", auto.Scenario.Warmup, auto.Scenario.WarmupAuto)
		}
		_, ra := runBoth(t, fixed, auto)
		for _, r := range ra {
			if w := runValue(t, auto, r, "warmup.hours"); math.Mod(w, 7*24) != 0 {
				t.Errorf("rep %d: warm-up %v h is not whole weeks", r.Rep, w)
			}
		}
	})
}
