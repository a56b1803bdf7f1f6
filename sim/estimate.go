package sim

import (
	"math"
	"runtime"
	"time"
	"unsafe"

	"pilotsim/scenarios"
)

// Estimate is what a run of a model will need at most: memory and, roughly,
// time. The memory is an upper bound that holds for any outcome of the run:
// it assumes every consignment of a replication could be in control at once
// (a border whose queues grow without bound), which a stable scenario never
// reaches. Time is a guide (a single measured cost per consignment on a
// reference machine), not a promise.
type Estimate struct {
	Consignments float64       // expected per replication (rates × horizon)
	Bytes        float64       // peak memory of the run, upper bound
	Time         time.Duration // rough time on Workers cores
	Workers      int
}

// Memory model, in bytes. The sizes are the engine's own (unsafe.Sizeof), so
// the bound follows the code.
const (
	// estimateBase is the Go runtime, the binary's data, compiled rule and
	// profile tables and the result writers: measured at about 12 MB on a
	// tiny run; 40 MB leaves room.
	estimateBase = 40 << 20
	// estimateGrowth is peak memory over the bytes of the consignments in
	// control: slices that grow by a quarter while the old backing array is
	// still live, and the garbage of every earlier array until the collector
	// returns it. Measured at 2.7 (0.84 million consignments all held in
	// control) and 3.25 (1.7 million); 4 leaves room (docs/robustness.md).
	estimateGrowth = 4.0
	// estimateTraderBytes is the trader tables per trader: the Zipf pick
	// table (probability and alias), the id string and its header, and each
	// worker's flag byte (counted per worker below).
	estimateTraderBytes = 8 + 8 + 16 + 8
	// estimateNsPerConsignment is the time to generate, assess and simulate
	// one consignment on one core, with the run's set-up and writing:
	// measured on seaport.yaml at about 2.3 µs on a loaded machine.
	estimateNsPerConsignment = 2500
	// estimateNsPerReplication is a replication's own cost (resetting the
	// border, computing and keeping its metrics): measured at about 0.5 ms
	// with 100,000 replications of ten consignments.
	estimateNsPerReplication = 500_000
)

// slotBytes is the border's memory per consignment in control: its slot,
// one pending event, its place in a queue ring and in the free list.
var slotBytes = float64(unsafe.Sizeof(borderSlot{}) + unsafe.Sizeof(borderEvent{}) + 4 + 4)

// EstimateRun returns the estimate for running reps replications of m
// (reps <= 0: the scenario's) on workers goroutines (<= 0: every CPU).
func EstimateRun(m *Model, reps, workers int) Estimate {
	sc := m.Scenario
	if reps <= 0 {
		reps = sc.Replications
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = max(1, min(workers, reps))
	n := scenarios.ExpectedConsignments(sc)
	// A Poisson count rarely exceeds its mean by six standard deviations;
	// the border reuses slots, so this bounds the slots in use at once.
	nMax := n + 6*math.Sqrt(n) + 4096
	perWorker := nMax*slotBytes*estimateGrowth + float64(m.traderCount)
	traders := float64(m.traderCount) * estimateTraderBytes * estimateGrowth
	values := float64(reps) * float64(len(m.Metrics())) * 8 * 4 // values, report, aggregates, JSON
	// A run's pool profiles by hour of the week (Options.PoolHours): queue,
	// wait and starts per pool and hour, per replication.
	values += float64(reps) * float64(len(sc.Resources.Pools)) * HoursPerWeek * 3 * 8
	bytes := estimateBase + traders + float64(workers)*perWorker + values
	passes := 1.0
	if sc.WarmupAuto {
		passes = 2 // MSER's pass from time 0, then the measured one
	}
	ns := (passes*n*estimateNsPerConsignment + estimateNsPerReplication) * float64(reps) / float64(workers)
	t := time.Duration(math.MaxInt64)
	if ns < float64(math.MaxInt64) {
		t = time.Duration(ns)
	}
	return Estimate{Consignments: n, Bytes: bytes, Time: t, Workers: workers}
}
