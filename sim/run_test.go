package sim

import (
	"context"
	"math"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"pilotsim/metric"
	"pilotsim/scenarios"
)

// runLoad loads a shipped example with --set overrides.
func runLoad(t testing.TB, name string, sets ...string) *Model {
	t.Helper()
	sc, err := scenarios.Load("../scenarios/examples/"+name+".yaml", sets)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runValue returns the named metric of a result.
func runValue(t testing.TB, m *Model, r metric.Rep, name string) float64 {
	t.Helper()
	for i, d := range m.Metrics() {
		if d.Name() == name {
			return r.Values[i]
		}
	}
	t.Fatalf("no metric %q", name)
	return 0
}

// TestRunWorkersReference runs the reference scenario (shortened) on 1 and 8
// workers: the results are bit for bit the same, the trace sees every
// consignment the progress counter saw, and the figures hang together.
func TestRunWorkersReference(t *testing.T) {
	m := runLoad(t, "reference", "horizon=4d", "warmup=1d", "replications=4")
	var runs [2][]metric.Rep
	for i, w := range []int{1, 8} {
		var progress atomic.Int64
		var traced atomic.Int64
		opt := Options{Workers: w, Progress: &progress, Trace: func(int) TraceSink { return &runCountSink{n: &traced} }}
		res, err := Run(context.Background(), m, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 4 {
			t.Fatalf("%d results", len(res))
		}
		if progress.Load() != traced.Load() || progress.Load() < 4*4*24*120*0.9 {
			t.Errorf("workers %d: progress %d, traced %d", w, progress.Load(), traced.Load())
		}
		runs[i] = res
	}
	if !borderSameResults(runs[0], runs[1]) {
		t.Fatal("results differ between 1 and 8 workers")
	}
	for _, r := range runs[0] {
		v := func(name string) float64 { return runValue(t, m, r, name) }
		shares := v("lane.green.share") + v("lane.blue.share") + v("lane.yellow.share") + v("lane.red.share")
		if math.Abs(shares-1) > 1e-12 {
			t.Errorf("rep %d: lane shares add up to %v", r.Rep, shares)
		}
		// Lodged 24 h before arrival, assessed at once: green goods are
		// released on arrival.
		if v("release.green.mean") != 0 || v("release.green.within_target") != 1 {
			t.Errorf("rep %d: green release mean %v, within target %v", r.Rep, v("release.green.mean"), v("release.green.within_target"))
		}
		// The TRS intervals add up to the release time.
		trs := v("trs.arrival_lodgement.mean") + v("trs.lodgement_lane.mean") + v("trs.lane_release.mean")
		if math.Abs(trs-v("release.all.mean")) > 1e-9 {
			t.Errorf("rep %d: TRS intervals add to %v h, release mean %v h", r.Rep, trs, v("release.all.mean"))
		}
		if !(v("duty.recovered") <= v("duty.at_stake")) || !(v("hit_rate") > 0 && v("hit_rate") < 1) {
			t.Errorf("rep %d: duty %v of %v, hit rate %v", r.Rep, v("duty.recovered"), v("duty.at_stake"), v("hit_rate"))
		}
		t.Logf("rep %d: %v consignments, inspection %.4f, hit %.4f, detection %.4f, red mean %.2f h p95 %.2f h, in system %v",
			r.Rep, v("consignments"), v("inspection_rate"), v("hit_rate"), v("detection_rate"), v("release.red.mean"), v("release.red.p95"), v("in_system.count"))
	}
}

type runCountSink struct{ n *atomic.Int64 }

func (s *runCountSink) Consignment(*Consignment, *Milestones) error { s.n.Add(1); return nil }
func (s *runCountSink) Close() error                                { return nil }

// runRandomOnly is a scenario without rules: lanes come from random
// selection only (red 5%, yellow 10%), and every control finds the threat.
const runRandomOnly = `
name: random-only
seed: 11
replications: 2
horizon: 60d
warmup: 1d
traffic:
  sea: {rate: 100, lodgement_lead: {dist: const, value: 2h}}
traders: {count: 1000, zipf: 1, aeo_share: 0.3, new_share: 0.1}
trade:
  origins: {CN: 1, US: 1, CO: 1}
  hs_chapters: {all: 1}
  value_per_kg: {dist: lognormal, median: 5, sigma: 1}
threats:
  - {name: x, prevalence: 0.02, detection: {document: 1, nii: 1, physical: 1},
     signature: {origin: {CO: 10}}}
selectivity:
  random:
    red: {rate: 0.05}
    yellow: {rate: 0.10}
resources:
  pools:
    - {name: document, servers: 20, service: {dist: exp, mean: 20m}}
    - {name: nii, servers: 5, service: {dist: exp, mean: 6m}}
    - {name: physical, servers: 20, service: {dist: exp, mean: 60m}}
`

// TestRunRandomSelection: with random selection only and perfect detection,
// the detection rate is the selection rate (15%) and the hit rate the
// prevalence (2%), within binomial bounds (4 sigma).
func TestRunRandomSelection(t *testing.T) {
	sets := []string{}
	if testing.Short() {
		sets = append(sets, "horizon=20d")
	}
	sc, err := scenarios.Parse("random-only.yaml", []byte(runRandomOnly), sets)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		v := func(name string) float64 { return runValue(t, m, r, name) }
		n, irr := v("consignments"), v("irregular.count")
		controlled := v("lane.yellow.share")*n + v("lane.red.share")*n
		if !borderBinomialOK(controlled, n, 0.15) {
			t.Errorf("rep %d: %v controlled of %v, want 15%%", r.Rep, controlled, n)
		}
		if !borderBinomialOK(irr, n, 0.02) {
			t.Errorf("rep %d: %v irregular of %v, want 2%%", r.Rep, irr, n)
		}
		if !borderBinomialOK(v("detection_rate")*irr, irr, 0.15) {
			t.Errorf("rep %d: detection rate %v over %v irregular, want 0.15", r.Rep, v("detection_rate"), irr)
		}
		if !borderBinomialOK(v("hit_rate")*controlled, controlled, 0.02) {
			t.Errorf("rep %d: hit rate %v over %v controlled, want 0.02", r.Rep, v("hit_rate"), controlled)
		}
		t.Logf("rep %d: n %v, inspection %.4f, detection %.4f, hit %.4f, in system %v", r.Rep, n, v("inspection_rate"), v("detection_rate"), v("hit_rate"), v("in_system.count"))
	}
}

// TestRunMemoryBounded runs the reference scenario for 1 M and for 10 M
// consignments: the bytes allocated do not grow with the number of
// consignments (so neither can peak memory).
func TestRunMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 11 M consignments")
	}
	var alloc, sys [2]uint64
	for i, days := range []string{"348d", "3473d"} { // 120 an hour: 1 M and 10 M
		m := runLoad(t, "reference", "horizon="+days, "replications=1")
		var progress atomic.Int64
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := Run(context.Background(), m, Options{Workers: 1, Progress: &progress}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		alloc[i], sys[i] = after.TotalAlloc-before.TotalAlloc, after.Sys
		t.Logf("%d consignments: %d bytes allocated in %d allocations; heap in use %d KB; memory from the OS %d MB",
			progress.Load(), alloc[i], after.Mallocs-before.Mallocs, after.HeapInuse>>10, after.Sys>>20)
	}
	// Memory obtained from the OS only grows: if the 10 M run needed more at
	// its peak than the 1 M run, Sys would show it.
	if sys[1] > sys[0]+4<<20 {
		t.Errorf("memory from the OS grew from %d to %d bytes", sys[0], sys[1])
	}
	if alloc[1] > alloc[0]+alloc[0]/4 {
		t.Errorf("10 M consignments allocated %d bytes, 1 M %d: memory grows with consignments", alloc[1], alloc[0])
	}
}

// TestRunExamples runs every shipped example briefly: no failure, one value
// per metric, and every window arrival traced, either released or unreleased
// at the end of the drain as unreleased.count says.
func TestRunExamples(t *testing.T) {
	paths, err := filepath.Glob("../scenarios/examples/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, p := range paths {
		sc, err := scenarios.Load(p, []string{"horizon=3d", "warmup=12h", "replications=2"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compile(sc)
		if err != nil {
			t.Fatal(err)
		}
		var released, inSystem, warm atomic.Int64
		opt := Options{Trace: func(int) TraceSink {
			return runOutcomeSink{released: &released, inSystem: &inSystem, warm: &warm, warmup: float64(sc.Warmup)}
		}}
		res, err := Run(context.Background(), m, opt)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var n, in float64
		for _, r := range res {
			if len(r.Values) != len(m.Metrics()) {
				t.Fatalf("%s: %d values for %d metrics", p, len(r.Values), len(m.Metrics()))
			}
			n += runValue(t, m, r, "consignments")
			in += runValue(t, m, r, "unreleased.count")
		}
		if float64(warm.Load()) != n || float64(inSystem.Load()) != in {
			t.Errorf("%s: traced %d after warm-up (%d unreleased), metrics say %v (%v)", p, warm.Load(), inSystem.Load(), n, in)
		}
		t.Logf("%s: %v consignments after warm-up, %v unreleased at the end of the drain", filepath.Base(p), n, in)
	}
}

type runOutcomeSink struct {
	released, inSystem, warm *atomic.Int64
	warmup                   float64
}

func (s runOutcomeSink) Consignment(c *Consignment, ms *Milestones) error {
	if c.Arrival < s.warmup {
		return nil
	}
	s.warm.Add(1)
	if math.IsNaN(ms.Release) {
		s.inSystem.Add(1)
	} else {
		s.released.Add(1)
	}
	return nil
}
func (s runOutcomeSink) Close() error { return nil }

// TestRunDoneCounts checks that Options.Done counts finished replications, the
// figure a progress bar shows.
func TestRunDoneCounts(t *testing.T) {
	m := runLoad(t, "reference", "horizon=1d", "warmup=0")
	var done atomic.Int64
	reps, err := Run(context.Background(), m, Options{Workers: 2, Reps: []int{0, 1, 2}, Done: &done})
	if err != nil {
		t.Fatal(err)
	}
	if done.Load() != 3 || len(reps) != 3 {
		t.Errorf("Done = %d for %d results, want 3", done.Load(), len(reps))
	}
}
