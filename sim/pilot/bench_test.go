package pilot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"pilotsim/scenarios"
	"pilotsim/sim"
)

func benchLoad(b *testing.B, name string) *scenarios.Scenario {
	b.Helper()
	sc, err := scenarios.Load("../../scenarios/examples/"+name+".yaml", nil)
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// BenchmarkEngineSeaport runs the seaport scenario over 6 weeks without a
// sink: the engine's own speed on the pilots' scenario, for comparison with
// BenchmarkPilotRun.
func BenchmarkEngineSeaport(b *testing.B) {
	sc := benchLoad(b, "seaport")
	sc.Horizon = sc.Warmup + scenarios.Duration(6*week)
	m, err := sim.Compile(sc)
	if err != nil {
		b.Fatal(err)
	}
	var progress atomic.Int64
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if _, err := sim.Run(context.Background(), m, sim.Options{Workers: 1, Reps: []int{i}, Progress: &progress}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(progress.Load()), "ns/consignment")
}

// BenchmarkPilotRun simulates pilots of seaport → nii-pilot at one site over
// 6 weeks (baseline and measure runs); it reports ns per consignment.
func BenchmarkPilotRun(b *testing.B) {
	r, err := NewRunner(Config{Baseline: benchLoad(b, "seaport"), Measure: benchLoad(b, "nii-pilot"), Weeks: 6, Sites: 1})
	if err != nil {
		b.Fatal(err)
	}
	d := r.NewData()
	var n int64
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if err := r.Run(context.Background(), i, d); err != nil {
			b.Fatal(err)
		}
		n += d.Consignments
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n), "ns/consignment")
}
