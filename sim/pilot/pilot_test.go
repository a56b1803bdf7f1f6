package pilot

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pilotsim/scenarios"
	"pilotsim/sim"
)

func load(t testing.TB, name string, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load("testdata/"+name+".yaml", sets)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func runner(t testing.TB, cfg Config) *Runner {
	t.Helper()
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// weekValues returns every figure of every week and stratum of w.
func weekValues(w *Weeks) []float64 {
	var out []float64
	for f := range NumFigures {
		for wk := range w.Len() {
			for _, s := range []Strata{StratumA, StratumB, AllStrata} {
				out = append(out, w.Value(f, wk, s))
			}
		}
	}
	return out
}

func sameValues(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })
}

// TestRunDeterministic: a pilot depends only on the configuration and its
// number: the same pilot into another Data (another goroutine's) gives the
// same weeks, another pilot other weeks.
func TestRunDeterministic(t *testing.T) {
	r := runner(t, Config{Baseline: load(t, "base"), Measure: load(t, "measure"), Weeks: 3, Sites: 2})
	d1, d2 := r.NewData(), r.NewData()
	for _, c := range []struct {
		d *Data
		p int
	}{{d1, 5}, {d2, 6}, {d2, 5}} {
		if err := r.Run(context.Background(), c.p, c.d); err != nil {
			t.Fatal(err)
		}
	}
	for s := range 2 {
		if !sameValues(weekValues(d1.Base[s]), weekValues(d2.Base[s])) || !sameValues(weekValues(d1.Measure[s]), weekValues(d2.Measure[s])) {
			t.Errorf("site %d: pilot 5 differs between runs", s)
		}
	}
	r.Run(context.Background(), 6, d2)
	if sameValues(weekValues(d1.Base[0]), weekValues(d2.Base[0])) {
		t.Error("pilots 5 and 6 have the same weeks")
	}
	if sameValues(weekValues(d1.Base[0]), weekValues(d1.Base[1])) {
		t.Error("sites 1 and 2 of a pilot have the same weeks: they must have streams of their own")
	}
}

// TestCommonRandomNumbers: a measure identical to the baseline gives
// identical weeks (the same consignments, the same draws), and a measure
// that only adds examination capacity leaves the lanes, and so the
// inspection rate, exactly as they were in every week.
func TestCommonRandomNumbers(t *testing.T) {
	for _, c := range []struct {
		name    string
		measure string
		same    []Figure // figures equal week by week; nil: all
	}{
		{"identical", "base", nil},
		{"more capacity", "measure", []Figure{InspectionRate, HitRate, Detection}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runner(t, Config{Baseline: load(t, "base"), Measure: load(t, c.measure), Weeks: 3})
			d := r.NewData()
			if err := r.Run(context.Background(), 2, d); err != nil {
				t.Fatal(err)
			}
			if c.same == nil {
				if !sameValues(weekValues(d.Base[0]), weekValues(d.Measure[0])) {
					t.Error("baseline and an identical measure differ")
				}
				return
			}
			for _, f := range c.same {
				for wk := range 3 {
					if a, b := d.Base[0].Value(f, wk, AllStrata), d.Measure[0].Value(f, wk, AllStrata); a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
						t.Errorf("%s week %d: %v without, %v with the measure", f, wk, a, b)
					}
				}
			}
			if a, b := d.Base[0].Value(MedianRed, 1, AllStrata), d.Measure[0].Value(MedianRed, 1, AllStrata); !(b < a) {
				t.Errorf("red median %v h without, %v h with more and faster examination teams: want less", a, b)
			}
		})
	}
}

// TestStrata: the two strata split the consignments in random halves
// (binomial bounds) and together give the whole.
func TestStrata(t *testing.T) {
	r := runner(t, Config{Baseline: load(t, "base"), Measure: load(t, "base"), Weeks: 2})
	d := r.NewData()
	if err := r.Run(context.Background(), 0, d); err != nil {
		t.Fatal(err)
	}
	w := d.Base[0]
	for wk := range 2 {
		a, b := w.acc[wk][0], w.acc[wk][1]
		n := float64(a.n + b.n)
		if se := math.Sqrt(n / 4); math.Abs(float64(a.n)-n/2) > 4*se {
			t.Errorf("week %d: %d and %d consignments in the strata, want halves of %.0f ± %.0f", wk, a.n, b.n, n, 4*se)
		}
		all := w.Value(InspectionRate, wk, AllStrata)
		want := float64(a.controlled+b.controlled) / n
		if all != want {
			t.Errorf("week %d: inspection rate %v over both strata, want %v", wk, all, want)
		}
	}
}

// TestWeeksValue: the figures of a week from known consignments; medians
// from the histogram within its 2% resolution; NaN where a figure has no
// consignment to be computed on.
func TestWeeksValue(t *testing.T) {
	w := NewWeeks(2)
	rng := rand.New(rand.NewPCG(1, 2))
	var red []float64
	for i := range 1000 {
		rt := 60 * (1 + 10*rng.Float64()) // 1 to 11 hours
		o := Obs{Lane: sim.Red, Controlled: true, Release: rt, WithinTarget: rt <= 8*60, Irregular: i%10 == 0, Found: i%20 == 0}
		if o.Found {
			o.Duty = 100
		}
		red = append(red, rt/60)
		w.Add(0, i%2, &o)
	}
	for range 3000 {
		w.Add(0, 0, &Obs{Lane: sim.Green, Release: 0, WithinTarget: true})
	}
	w.Add(0, 0, &Obs{Lane: sim.Yellow, Controlled: true, Release: math.NaN()}) // still in control: counted, no release time
	w.Add(5, 0, &Obs{Lane: sim.Green})                                         // outside the weeks: ignored
	slices.Sort(red)
	exact := func(q float64) float64 { return red[int(q*float64(len(red)))-1] }
	for _, c := range []struct {
		f    Figure
		want float64
		tol  float64
	}{
		{MedianRed, exact(0.5), 0.02 * exact(0.5)},
		{P90Red, exact(0.9), 0.02 * exact(0.9)},
		{MedianGreen, 0, 0.001}, // the first bin spans [0, 1.2 s)
		{InspectionRate, 1001.0 / 4001, 1e-12},
		{HitRate, 50.0 / 1001, 1e-12},
		{Detection, 50.0 / 100, 1e-12},
		{DutyRecovered, 5000, 1e-9},
		{WithinTarget, float64(3000+countBelow(red, 8)) / 4001, 1e-12},
	} {
		if got := w.Value(c.f, 0, AllStrata); !(math.Abs(got-c.want) <= c.tol) {
			t.Errorf("%s = %v, want %v ± %v", c.f, got, c.want, c.tol)
		}
	}
	for _, f := range []Figure{MedianBlue, InspectionRate, HitRate} {
		if got := w.Value(f, 1, AllStrata); !math.IsNaN(got) {
			t.Errorf("%s of an empty week = %v, want NaN", f, got)
		}
	}
	if got := w.Value(MedianYellow, 0, AllStrata); !math.IsNaN(got) {
		t.Errorf("yellow median with no yellow consignment released = %v, want NaN", got)
	}
	// Merge adds counts.
	m := NewWeeks(2)
	m.Merge(w)
	m.Merge(w)
	if a, b := m.Value(InspectionRate, 0, AllStrata), w.Value(InspectionRate, 0, AllStrata); a != b || m.acc[0][0].n != 2*w.acc[0][0].n {
		t.Errorf("merged twice: inspection rate %v (want %v), %d consignments (want %d)", a, b, m.acc[0][0].n, 2*w.acc[0][0].n)
	}
}

func countBelow(x []float64, v float64) int {
	n := 0
	for _, y := range x {
		if y <= v {
			n++
		}
	}
	return n
}

// TestSites: declared offices scale the traffic, and a between-site spread
// gives each office its own factors in each pilot.
func TestSites(t *testing.T) {
	base := load(t, "base")
	base.Sites = &scenarios.Sites{Offices: []scenarios.Site{{Name: "big", Scale: 2}, {Name: "small", Scale: 0.5}}, ServiceCV: 0.3}
	r := runner(t, Config{Baseline: base, Measure: load(t, "measure"), Weeks: 2})
	if got := r.Sites(); len(got) != 2 || got[0].Name != "big" || got[1].Scale != 0.5 {
		t.Fatalf("sites %+v", got)
	}
	d := r.NewData()
	if err := r.Run(context.Background(), 0, d); err != nil {
		t.Fatal(err)
	}
	n := func(w *Weeks) float64 { return float64(w.acc[0][0].n + w.acc[0][1].n) }
	if ratio := n(d.Base[0]) / n(d.Base[1]); math.Abs(ratio-4) > 0.4 {
		t.Errorf("consignments at the big office / the small one = %.2f, want 4 (scales 2 and 0.5)", ratio)
	}
	// Service-time factors differ between pilots: the red median of the big
	// office moves from pilot to pilot by more than the week's own noise.
	var med []float64
	for p := range 6 {
		r.Run(context.Background(), p, d)
		med = append(med, d.Base[0].Value(MedianYellow, 0, AllStrata))
	}
	if slices.Min(med) == slices.Max(med) {
		t.Errorf("yellow medians %v: identical in every pilot", med)
	}
}

// TestMixedScenario: the measure's own pools join the baseline unused; a
// measure changing what a phase cannot is refused with what it changes.
func TestMixedScenario(t *testing.T) {
	b, m := load(t, "base"), load(t, "measure", "resources.pools[nii].servers=2")
	m.Resources.Pools = append(m.Resources.Pools, scenarios.Pool{Name: "xray", Method: "nii", Servers: 1, Service: m.Resources.Pools[1].Service})
	m.Resources.Red = []string{"xray", "physical"}
	sc, err := MixedScenario(b, m, 7*24*60, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sc.Resources.Pools); n != 4 || sc.Resources.Pools[3].Name != "xray" || slices.Contains(sc.Resources.Red, "xray") {
		t.Errorf("mixed baseline pools %d (last %s), red %v: want the measure's xray pool added and unused", n, sc.Resources.Pools[n-1].Name, sc.Resources.Red)
	}
	ph := sc.Phases[0]
	if ph.Share != 0.5 || ph.Scenario.Resources.Pools[1].Servers != 2 || ph.Scenario.Resources.Red[0] != "xray" {
		t.Errorf("phase %+v", ph)
	}
	if _, err := sim.Compile(sc); err != nil {
		t.Errorf("the mixed scenario does not compile: %v", err)
	}
	rate := load(t, "measure", "traffic.sea.rate=20")
	if _, err := MixedScenario(b, rate, 7*24*60, 0.5); err == nil || !strings.Contains(err.Error(), "traffic") {
		t.Errorf("a measure changing the traffic: error %v, want one naming traffic", err)
	}
}

// TestMixedRun: with a measure identical to the baseline the mixed run's
// halves differ only by chance, and the mixed run's consignments before the
// switch are all in the control stratum.
func TestMixedRun(t *testing.T) {
	r := runner(t, Config{Baseline: load(t, "base"), Measure: load(t, "measure"), Weeks: 4, MixFrom: 2})
	if r.MixedErr() != nil {
		t.Fatal(r.MixedErr())
	}
	d := r.NewData()
	if err := r.Run(context.Background(), 1, d); err != nil {
		t.Fatal(err)
	}
	for wk := range 4 {
		a, b := d.Mixed.acc[wk][0].n, d.Mixed.acc[wk][1].n
		if wk < 2 && a != 0 {
			t.Errorf("week %d before the switch: %d consignments with the measure", wk, a)
		}
		if n := float64(a + b); wk >= 2 && math.Abs(float64(a)-n/2) > 4*math.Sqrt(n/4) {
			t.Errorf("week %d: %d of %.0f consignments with the measure, want half", wk, a, n)
		}
	}
	// The measure's faster document checks (12 min instead of 20, in a
	// queue that is rarely long) shorten the treated half's yellow release
	// times in the shared queue.
	for wk := 2; wk < 4; wk++ {
		if a, b := d.Mixed.Value(MedianYellow, wk, StratumA), d.Mixed.Value(MedianYellow, wk, StratumB); !(a < b) {
			t.Errorf("week %d: yellow median %v h with the measure, %v h without in the same queue: want less", wk, a, b)
		}
	}
	if _, err := NewRunner(Config{Baseline: load(t, "base"), Measure: load(t, "measure"), Weeks: 4, MixFrom: 4}); err == nil {
		t.Error("a mixed run starting at the end of the pilot: want an error")
	}
}

// TestSharesQueues: a measure shares its stratum's queues unless it is the
// baseline itself (another name and other comments aside).
func TestSharesQueues(t *testing.T) {
	b := load(t, "base")
	same := load(t, "base")
	same.Name, same.Description = "renamed", "the same model"
	for i := range same.Rules {
		same.Rules[i].Line += 3 // a longer comment at the top
	}
	if SharesQueues(b, same) {
		t.Error("the baseline under another name shares queues with itself")
	}
	for _, set := range []string{"resources.pools[physical].servers=4", "traffic.sea.lodgement_lead.min=0", "selectivity.red=70", "threats[narcotics].detection.physical=0.5"} {
		if !SharesQueues(b, load(t, "base", set)) {
			t.Errorf("%s: want shared queues", set)
		}
	}
}
