package sim

import (
	"context"
	"math"
	"os"
	"slices"
	"testing"

	"pilotsim/scenarios"
)

// phaseLoad loads the reference scenario (30 days) with the given phases
// section appended.
func phaseLoad(t testing.TB, phases string, sets ...string) *Model {
	t.Helper()
	data, err := os.ReadFile("../scenarios/examples/reference.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("reference+phases.yaml", append(data, []byte(phases)...), sets)
	if err != nil {
		t.Fatal(err)
	}
	return engCompile(t, sc)
}

// TestPhaseSwitchesAtItsStart: before a phase starts, a run with the phase
// is the run without it, consignment by consignment; from its start on, the
// lanes and lodgement are those of the scenario in force during the phase
// (the same consignments: common random numbers), and the route, service
// times and detection follow the consignment's phase.
func TestPhaseSwitchesAtItsStart(t *testing.T) {
	const at = 10 * 24 * 60.0
	m := phaseLoad(t, `
phases:
  - at: 10d
    set:
      selectivity.red: 45                 # more consignments red
      traffic.sea.lodgement_lead: {dist: const, value: 2d}
      resources.red: [physical]           # no scan first
`)
	base := runLoad(t, "reference")
	phase := engCompile(t, m.Scenario.Phases[0].Scenario)
	got, before, after := engAll(m, 1), engAll(base, 1), engAll(phase, 1)
	if len(got) != len(before) || len(got) != len(after) {
		t.Fatalf("%d consignments with the phase, %d without, %d under the phase's scenario", len(got), len(before), len(after))
	}
	switched := 0
	for i, c := range got {
		want := before[i]
		if c.Arrival >= at {
			want = after[i]
			want.Phase = 1
			switched++
		}
		if c != want {
			t.Fatalf("consignment %d (arrival %.0f min): %+v, want %+v", i, c.Arrival, c, want)
		}
	}
	if switched == 0 || switched == len(got) {
		t.Fatalf("%d of %d consignments in the phase", switched, len(got))
	}
	// Red consignments of the phase go straight to physical examination.
	rec := &borderTraceRecorder{}
	if _, err := Run(context.Background(), m, Options{Workers: 1, Reps: []int{1}, Trace: func(int) TraceSink { return rec }}); err != nil {
		t.Fatal(err)
	}
	for i, c := range rec.cs {
		if c.Lane != Red || rec.ms[i].Stages == 0 {
			continue
		}
		first := m.Scenario.Resources.Pools[rec.ms[i].Pools[0]].Name
		if want := map[bool]string{false: "nii", true: "physical"}[c.Phase == 1]; first != want {
			t.Fatalf("red consignment %d of phase %d went first to %s, want %s", c.Seq, c.Phase, first, want)
		}
	}
}

// TestPhaseRamp: during a ramp, a consignment is under the new phase with
// probability rising linearly from 0 to 1: over each quarter of the ramp
// the share is 1/8, 3/8, 5/8, 7/8, within binomial bounds (4 standard errors).
func TestPhaseRamp(t *testing.T) {
	const at, ramp = 5 * 24 * 60.0, 20 * 24 * 60.0
	m := phaseLoad(t, `
phases:
  - at: 5d
    ramp: 20d
    set: {selectivity.red: 50}
`)
	var n, in [4]float64
	for rep := range 2 {
		for _, c := range engAll(m, rep) {
			switch {
			case c.Arrival < at && c.Phase != 0, c.Arrival >= at+ramp && c.Phase != 1:
				t.Fatalf("consignment at %.0f min in phase %d", c.Arrival, c.Phase)
			case c.Arrival >= at && c.Arrival < at+ramp:
				q := int((c.Arrival - at) / ramp * 4)
				n[q]++
				in[q] += float64(c.Phase)
			}
		}
	}
	for q := range 4 {
		p := (2*float64(q) + 1) / 8
		got := in[q] / n[q]
		if se := math.Sqrt(p * (1 - p) / n[q]); math.Abs(got-p) > 4*se {
			t.Errorf("quarter %d of the ramp: %.4f of %.0f consignments in the phase, want %.4f ± %.4f", q+1, got, n[q], p, 4*se)
		}
	}
}

// TestPhaseServers: a phase that adds servers takes effect at its start:
// the pool's utilization is its busy time over the server time open, phase
// by phase (2 servers until day 10, then 4).
func TestPhaseServers(t *testing.T) {
	m := phaseLoad(t, `
phases:
  - at: 10d
    set:
      resources.pools[document].servers: 4
`, "resources.pools[document].servers=2")
	cfg, err := m.borderConfig()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.capacity(0, cfg.warmup), 2*(10*24*60-cfg.warmup)+4*(cfg.wend-10*24*60); math.Abs(got-want) > 1e-6 {
		t.Errorf("document capacity %v server-minutes, want %v", got, want)
	}
	// Queue waits at the document check fall once the servers double.
	rec := &borderTraceRecorder{}
	if _, err := Run(context.Background(), m, Options{Workers: 1, Reps: []int{0}, Trace: func(int) TraceSink { return rec }}); err != nil {
		t.Fatal(err)
	}
	var w [2]float64
	var k [2]float64
	for i, c := range rec.cs {
		ms := &rec.ms[i]
		if c.Lane != Yellow || ms.Stages == 0 || c.Arrival < cfg.warmup {
			continue
		}
		w[c.Phase] += ms.Start[0] - ms.Queue[0]
		k[c.Phase]++
	}
	if !(w[1]/k[1] < w[0]/k[0]) {
		t.Errorf("mean wait at the document check %.2f min with 2 servers, %.2f with 4: want less with 4", w[0]/k[0], w[1]/k[1])
	}
}

// TestPhaseRunAllocs: a run with phases allocates nothing per consignment,
// as a run without.
func TestPhaseRunAllocs(t *testing.T) {
	m := phaseLoad(t, `
phases:
  - at: 5d
    ramp: 5d
    set:
      selectivity.red: 50
      resources.pools[nii].servers: 4
      resources.pools[physical].service: {dist: exp, mean: 90m}
`)
	g, s := m.NewGenerator(), m.NewSelector()
	cfg, err := m.borderConfig()
	if err != nil {
		t.Fatal(err)
	}
	b := newBorder(cfg)
	g.Reset(0)
	s.Reset(0)
	b.reset(0, nil)
	var c Consignment
	// Warm the border's slices and heap first.
	for range 20000 {
		g.Next(&c)
		s.Assess(&c)
		b.add(&c)
	}
	if a := testing.AllocsPerRun(20000, func() {
		if g.Next(&c) {
			s.Assess(&c)
			b.add(&c)
		}
	}); a != 0 {
		t.Errorf("%v allocations per consignment with phases, want 0", a)
	}
}

// TestPhaseShare: a phase with a share takes that share of the consignments
// arriving in it, at random (binomial bounds), and the same consignments in
// every run of the replication.
func TestPhaseShare(t *testing.T) {
	m := phaseLoad(t, `
phases:
  - at: 5d
    set: {selectivity.red: 50}
`)
	sc := *m.Scenario
	sc.Phases = slices.Clone(sc.Phases)
	sc.Phases[0].Share = 0.3
	ms := engCompile(t, &sc)
	var n, in float64
	first := engAll(ms, 0)
	for i, c := range first {
		if c.Arrival < 5*24*60 {
			if c.Phase != 0 {
				t.Fatalf("consignment %d before the phase in phase %d", i, c.Phase)
			}
			continue
		}
		n++
		in += float64(c.Phase)
	}
	if se := math.Sqrt(0.3 * 0.7 / n); math.Abs(in/n-0.3) > 4*se {
		t.Errorf("%.4f of %.0f consignments in the phase, want 0.3 ± %.4f", in/n, n, 4*se)
	}
	for i, c := range engAll(ms, 0) {
		if c.Phase != first[i].Phase {
			t.Fatalf("consignment %d: phase %d, then %d in the same replication", i, first[i].Phase, c.Phase)
		}
	}
}
