package sim

import (
	"math"
	"testing"
	"time"

	"pilotsim/scenarios"
)

// TestEstimateRun: the memory bound grows with what the run holds at once —
// consignments per replication, workers, traders, replications — and the
// time with the work; the figures follow from the documented model.
func TestEstimateRun(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/examples/seaport.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	one := EstimateRun(m, 10, 1)
	two := EstimateRun(m, 10, 2)
	n := scenarios.ExpectedConsignments(sc)
	// The seaport has one mode; its rate times the horizon (hours), whatever
	// the example's window.
	rateTimesHorizon := sc.Traffic["sea"].Rate * float64(sc.Horizon) / 60
	if len(sc.Traffic) != 1 || one.Consignments != n || n != rateTimesHorizon {
		t.Errorf("consignments %g, want the rate times the horizon, %g", one.Consignments, rateTimesHorizon)
	}
	perWorker := two.Bytes - one.Bytes
	want := (n+6*sqrt(n)+4096)*slotBytes*estimateGrowth + float64(m.traderCount)
	if d := perWorker - want; d > 1 || d < -1 {
		t.Errorf("a second worker adds %g bytes, want %g", perWorker, want)
	}
	if two.Time*2 != one.Time && two.Time*2-one.Time > 1 {
		t.Errorf("time on 2 workers %v, want half of %v", two.Time, one.Time)
	}
	if w := EstimateRun(m, 1, 8); w.Workers != 1 {
		t.Errorf("one replication on 8 workers uses %d workers, want 1", w.Workers)
	}
	if more := EstimateRun(m, 1000, 1); !(more.Bytes > one.Bytes) || !(more.Time > one.Time) {
		t.Error("more replications estimated as no more memory or time")
	}
	// warmup: auto runs every replication twice (MSER's pass, then the
	// measured one): the consignments' time once more, the same memory.
	sc.WarmupAuto = true
	ma, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	extra := time.Duration(n * estimateNsPerConsignment * 10)
	if auto := EstimateRun(ma, 10, 1); auto.Bytes != one.Bytes || (auto.Time-one.Time-extra).Abs() > time.Microsecond {
		t.Errorf("warmup: auto: %v bytes, %v; want %v bytes and %v + %v", auto.Bytes, auto.Time, one.Bytes, one.Time, extra)
	}
}

func sqrt(x float64) float64 { return math.Sqrt(x) }

// TestCompileKeepsItsOwnScenario: Compile keeps a deep copy, so changing the
// caller's scenario afterwards (seed, rules, pools) changes nothing in the
// model or its runs.
func TestCompileKeepsItsOwnScenario(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/examples/seaport.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	seed, servers := sc.Seed, sc.Resources.Pools[0].Servers
	sc.Seed++
	sc.Resources.Pools[0].Servers = 1
	sc.Rules[0].ID = "changed"
	sc.Traffic["sea"] = scenarios.ModeTraffic{}
	if m.Scenario == sc || m.Scenario.Seed != seed || m.Scenario.Resources.Pools[0].Servers != servers ||
		m.Scenario.Rules[0].ID == "changed" || m.Scenario.Traffic["sea"].Rate == 0 || m.RuleIDs()[0] == "changed" {
		t.Error("a change to the scenario after Compile reached the model")
	}
}
