package sim

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"pilotsim/metric"
	"pilotsim/scenarios"
)

// borderTestWorker returns a worker factory that feeds Poisson arrivals (lambda
// per minute) with lanes and threats drawn as mark says, the way Run feeds
// the generator's consignments.
func borderTestWorker(cfg *borderConfig, lambda float64, mark func(c *Consignment, r *rand.Rand)) func() borderRepFunc {
	return func() borderRepFunc {
		b := newBorder(cfg)
		var c Consignment
		return func(ctx context.Context, rep int, sink TraceSink, progress *atomic.Int64) (metric.Rep, error) {
			b.reset(rep, sink)
			r := Stream(cfg.seed, rep, PurposeArrivals)
			var n int64
			for t := r.ExpFloat64() / lambda; t <= cfg.horizon; t += r.ExpFloat64() / lambda {
				c = Consignment{Seq: uint64(n), Arrival: t, Lodgement: t, LaneAt: t, Threat: NoThreat}
				mark(&c, r)
				b.add(&c)
				if n++; n%borderProgressBatch == 0 {
					if err := b.tick(ctx, rep, progress, borderProgressBatch); err != nil {
						return metric.Rep{}, err
					}
				}
			}
			return b.end(rep, progress, n%borderProgressBatch)
		}
	}
}

func borderTestRunConfig(t testing.TB, horizon float64) *borderConfig {
	sc := borderTestScenario(horizon, 600, borderTestPool("document", 2, 20), borderTestPool("nii", 1, 6), borderTestPool("physical", 4, 120))
	sc.Resources.Red = []string{"nii", "physical"}
	sc.Resources.Pools[1].FalseAlarm = 0.1
	sc.Threats = []scenarios.Threat{{Name: "x", Detection: scenarios.Detection{Document: 0.5, NII: 0.7, Physical: 0.9}}}
	return borderTestCompile(t, sc)
}

func borderTestMark(c *Consignment, r *rand.Rand) {
	switch u := r.Float64(); {
	case u < 0.08:
		c.Lane = Yellow
	case u < 0.11:
		c.Lane = Red
	}
	if r.Float64() < 0.02 {
		c.Threat = 0
	}
}

func borderSameResults(a, b []metric.Rep) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Rep != b[i].Rep || len(a[i].Values) != len(b[i].Values) {
			return false
		}
		for j := range a[i].Values {
			if math.Float64bits(a[i].Values[j]) != math.Float64bits(b[i].Values[j]) {
				return false
			}
		}
	}
	return true
}

// TestBorderRunWorkers checks that results are the same for 1 and 8 workers
// and in the order of Options.Reps, and that progress counts every
// consignment.
func TestBorderRunWorkers(t *testing.T) {
	cfg := borderTestRunConfig(t, 3*borderMinutesPerDay)
	reps := []int{5, 0, 3, 1, 2, 4, 7, 6, 9, 8}
	var runs [][]metric.Rep
	for _, w := range []int{1, 8, 3} {
		var progress atomic.Int64
		res, err := borderRunReps(context.Background(), Options{Workers: w, Reps: reps, Progress: &progress},
			reps, borderTestWorker(cfg, 1, borderTestMark))
		if err != nil {
			t.Fatal(err)
		}
		var total float64
		for i, r := range res {
			if r.Rep != reps[i] || len(r.Values) != len(cfg.defs) {
				t.Fatalf("workers %d: result %d is rep %d with %d values", w, i, r.Rep, len(r.Values))
			}
			total += r.Values[0] // consignments after warm-up
		}
		// Consignments before the warm-up are simulated too: about 600 a rep.
		if got := float64(progress.Load()); got < total || got > total+float64(len(reps))*800 {
			t.Errorf("workers %d: progress %v for %v consignments after warm-up", w, got, total)
		}
		runs = append(runs, res)
	}
	if !borderSameResults(runs[0], runs[1]) || !borderSameResults(runs[0], runs[2]) {
		t.Error("results differ between 1, 8 and 3 workers")
	}
	if borderSameResults(runs[0][:1], runs[0][1:2]) {
		t.Error("replications 5 and 0 gave the same results")
	}
}

// TestBorderRunCancel cancels a run after some progress: it returns the
// finished replications, in order, and ctx.Err().
func TestBorderRunCancel(t *testing.T) {
	cfg := borderTestRunConfig(t, 30*borderMinutesPerDay)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var progress atomic.Int64
	worker := borderTestWorker(cfg, 1, func(c *Consignment, r *rand.Rand) {
		borderTestMark(c, r)
		if progress.Load() > 3*43200 {
			cancel()
		}
	})
	reps := make([]int, 50)
	for i := range reps {
		reps[i] = i
	}
	res, err := borderRunReps(ctx, Options{Workers: 2, Progress: &progress}, reps, worker)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(res) == 0 || len(res) >= len(reps) {
		t.Fatalf("%d replications returned, want some but not all", len(res))
	}
	for i := 1; i < len(res); i++ {
		if res[i].Rep <= res[i-1].Rep {
			t.Errorf("results out of order: %d after %d", res[i].Rep, res[i-1].Rep)
		}
	}
	// It stopped within a batch per worker of the cancel.
	if p := progress.Load(); p > 3*43200+2*2*borderProgressBatch+2*45000 {
		t.Errorf("progress %d: did not stop promptly", p)
	}
}

// borderFailingSink fails after n consignments.
type borderFailingSink struct{ n int }

func (f *borderFailingSink) Consignment(*Consignment, *Milestones) error {
	if f.n--; f.n < 0 {
		return errors.New("disk full")
	}
	return nil
}
func (f *borderFailingSink) Close() error { return nil }

func TestBorderRunTraceError(t *testing.T) {
	cfg := borderTestRunConfig(t, 3*borderMinutesPerDay)
	closed := 0
	opt := Options{Workers: 1, Trace: func(rep int) TraceSink {
		if rep == 2 {
			return &borderFailingSink{n: 10}
		}
		return &borderCountingSink{closed: &closed}
	}}
	res, err := borderRunReps(context.Background(), opt, []int{0, 1, 2, 3}, borderTestWorker(cfg, 1, borderTestMark))
	if err == nil || err.Error() != "replication 2: trace: disk full" {
		t.Fatalf("err = %v", err)
	}
	if len(res) != 2 || closed != 2 {
		t.Errorf("%d results, %d sinks closed; want 2 and 2", len(res), closed)
	}
}

type borderCountingSink struct {
	n      int
	closed *int
}

func (s *borderCountingSink) Consignment(*Consignment, *Milestones) error { s.n++; return nil }
func (s *borderCountingSink) Close() error                                { *s.closed++; return nil }
