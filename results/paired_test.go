package results

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/metric"
)

var pairedMetrics = []Metric{
	{Key: metric.Key{Family: metric.Detection}, Unit: UnitFraction},
	{Key: metric.Key{Family: metric.Release, Subject: "all", Stat: metric.Mean}, Unit: UnitHours},
	{Key: metric.Key{Family: metric.Hit}, Unit: UnitFraction},
}

func TestPairedDifferencesIdenticalIsExactlyZero(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	reps := make([]Replication, 12)
	for i := range reps {
		reps[i] = Replication{Rep: i, Values: []float64{r.Float64(), 10 * r.ExpFloat64(), r.Float64()}}
	}
	reps[3].Values[2] = math.NaN() // undefined in one replication: left out of the pair
	got, err := PairedDifferences(pairedMetrics, reps, pairedMetrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pairedMetrics) {
		t.Fatalf("got %d differences, want %d", len(got), len(pairedMetrics))
	}
	for i, d := range got {
		wantN := 12
		if i == 2 {
			wantN = 11
		}
		if d.Mean != 0 || d.Low != 0 || d.High != 0 || d.N != wantN || d.ExcludesZero {
			t.Errorf("%s: identical scenarios give %+v, want exactly 0 [0, 0] over %d replications, not significant",
				d.Name(), d, wantN)
		}
	}
}

func TestPairedDifferencesByHand(t *testing.T) {
	ma := []Metric{{Key: metric.Key{Family: "x"}}, {Key: metric.Key{Family: "only_a"}}, {Key: metric.Key{Family: "y"}}}
	mb := []Metric{{Key: metric.Key{Family: "y"}}, {Key: metric.Key{Family: "x"}}, {Key: metric.Key{Family: "only_b"}}} // other order: matched by name
	a := []Replication{
		{Rep: 0, Values: []float64{1, 0, 10}},
		{Rep: 1, Values: []float64{2, 0, 10}},
		{Rep: 2, Values: []float64{3, 0, 10}},
		{Rep: 3, Values: []float64{4, 0, math.NaN()}},
	}
	b := []Replication{ // replications in another order: paired by number
		{Rep: 3, Values: []float64{20, 6, 0}},
		{Rep: 0, Values: []float64{11, 2, 0}},
		{Rep: 2, Values: []float64{12, 3, 0}},
		{Rep: 1, Values: []float64{13, 4, 0}},
	}
	got, err := PairedDifferences(ma, a, mb, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name() != "x" || got[1].Name() != "y" {
		t.Fatalf("got metrics %v, want x then y (only those both scenarios have, in A's order)", got)
	}
	// x: d = 1, 2, 0, 2; mean 1.25, sd = sqrt(2.75/3); t(0.975, 3) = 3.182446305.
	hw := 3.182446305284263 * math.Sqrt(2.75/3) / 2
	checkDiff(t, got[0], 1.25, 1.25-hw, 1.25+hw, 4, false)
	// y: d = 1, 3, 2 (rep 3 undefined in A); mean 2, sd 1; t(0.975, 2) = 4.30265273.
	hw = 4.302652729749464 / math.Sqrt(3)
	checkDiff(t, got[1], 2, 2-hw, 2+hw, 3, false)

	// A shift far larger than the spread is significant.
	c := []Replication{{Rep: 0, Values: []float64{101}}, {Rep: 1, Values: []float64{102.1}}, {Rep: 2, Values: []float64{103}}, {Rep: 3, Values: []float64{103.9}}}
	got, _ = PairedDifferences(ma[:1], a, ma[:1], c)
	if !got[0].ExcludesZero || got[0].Low <= 0 {
		t.Errorf("a shift of 100 with spread 0.1: %+v, want an interval above zero", got[0])
	}
}

func checkDiff(t *testing.T, d Difference, mean, low, high float64, n int, excl bool) {
	t.Helper()
	const tol = 1e-9
	if math.Abs(d.Mean-mean) > tol || math.Abs(d.Low-low) > tol || math.Abs(d.High-high) > tol || d.N != n || d.ExcludesZero != excl {
		t.Errorf("%s = %.10g [%.10g, %.10g] n=%d excludes0=%v, want %.10g [%.10g, %.10g] n=%d excludes0=%v",
			d.Name(), d.Mean, d.Low, d.High, d.N, d.ExcludesZero, mean, low, high, n, excl)
	}
}

func TestPairedDifferencesNeedSameReplications(t *testing.T) {
	m := []Metric{{Key: metric.Key{Family: "x"}}}
	a := []Replication{{Rep: 0, Values: []float64{1}}, {Rep: 1, Values: []float64{2}}}
	for _, tc := range []struct {
		why string
		b   []Replication
	}{
		{"b lacks replication 1", []Replication{{Rep: 0, Values: []float64{1}}}},
		{"b has a replication a lacks", []Replication{{Rep: 0, Values: []float64{1}}, {Rep: 1, Values: []float64{1}}, {Rep: 2, Values: []float64{1}}}},
		{"b repeats a replication", []Replication{{Rep: 0, Values: []float64{1}}, {Rep: 0, Values: []float64{1}}}},
	} {
		if _, err := PairedDifferences(m, a, m, tc.b); err == nil {
			t.Errorf("%s: no error", tc.why)
		}
	}
}

func TestUnpairedDifferencesWelch(t *testing.T) {
	m := []Metric{{Key: metric.Key{Family: "x"}}}
	var a, b []Replication
	for i, v := range []float64{1, 2, 3, 4, 5} {
		a = append(a, Replication{Rep: i, Values: []float64{v}})
		b = append(b, Replication{Rep: i, Values: []float64{2 * v}})
	}
	d := UnpairedDifferences(m, a, m, b)[0]
	// var(a) = 2.5, var(b) = 10: se² = 0.5 + 2 = 2.5; Welch df = 2.5² / (0.5²/4 + 2²/4) = 100/17.
	se := math.Sqrt(2.5)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 100.0 / 17}.Quantile(0.975)
	if q <= 2.4469 || q >= 2.5706 { // between t(0.975, 6) and t(0.975, 5)
		t.Fatalf("t quantile %v for df 5.88 out of range", q)
	}
	checkDiff(t, d, 3, 3-q*se, 3+q*se, 5, false)
}

// With common random numbers the pair shares the large common noise, so the
// paired interval is much narrower than Welch's interval from independent
// runs; both cover the true difference 95% of the time. Coverage tolerance: 4
// binomial standard deviations of a proportion 0.95 over the trials.
func TestPairingNarrowsAndBothCover(t *testing.T) {
	const trials, n, delta = 2000, 10, 0.3
	r := rand.New(rand.NewPCG(5, 7))
	m := []Metric{{Key: metric.Key{Family: "x"}}}
	a := make([]Replication, n)
	b := make([]Replication, n)
	indep := make([]Replication, n)
	var coverP, coverU int
	var widthP, widthU float64
	for range trials {
		for i := range n {
			common := 5 * r.NormFloat64() // what both scenarios share (the same consignments)
			a[i] = Replication{Rep: i, Values: []float64{common + r.NormFloat64()}}
			b[i] = Replication{Rep: i, Values: []float64{common + delta + r.NormFloat64()}}
			// B with seeds of its own: its common part is drawn afresh.
			indep[i] = Replication{Rep: i, Values: []float64{5*r.NormFloat64() + delta + r.NormFloat64()}}
		}
		p, err := PairedDifferences(m, a, m, b)
		if err != nil {
			t.Fatal(err)
		}
		u := UnpairedDifferences(m, a, m, indep)
		if p[0].Low <= delta && delta <= p[0].High {
			coverP++
		}
		if u[0].Low <= delta && delta <= u[0].High {
			coverU++
		}
		widthP += p[0].HalfWidth()
		widthU += u[0].HalfWidth()
	}
	tol := 4 * math.Sqrt(0.95*0.05/trials)
	for _, c := range []struct {
		name  string
		cover int
	}{{"paired", coverP}, {"unpaired", coverU}} {
		if f := float64(c.cover) / trials; math.Abs(f-0.95) > tol {
			t.Errorf("%s interval covers the true difference in %.3f of trials, want 0.95 ± %.3f", c.name, f, tol)
		}
	}
	// Var of a difference: paired 2, unpaired 2·(25+1) = 52: widths in ratio ≈ √26 ≈ 5.1.
	if ratio := widthU / widthP; ratio < 4 || ratio > 6.5 {
		t.Errorf("unpaired/paired width ratio %.2f, want ≈ 5.1", ratio)
	}
}

// TestPairedDifferenceOfFractionsStaysInMinusOneOne: a difference of two
// fractions lies in [−1, 1], so its t interval is cut there; a difference of
// hours with the same numbers is not.
func TestPairedDifferenceOfFractionsStaysInMinusOneOne(t *testing.T) {
	ms := []Metric{
		{Key: metric.Key{Family: metric.Detection}, Unit: UnitFraction},
		{Key: metric.Key{Family: metric.Release, Subject: "all", Stat: metric.Mean}, Unit: UnitHours},
	}
	a := []Replication{{Rep: 0, Values: []float64{0, 0}}, {Rep: 1, Values: []float64{0, 0}}, {Rep: 2, Values: []float64{0, 0}}}
	b := []Replication{{Rep: 0, Values: []float64{1, 1}}, {Rep: 1, Values: []float64{0, 0}}, {Rep: 2, Values: []float64{1, 1}}}
	// d = (1, 0, 1): mean 2/3, s = 1/√3, t(0.975, 2) = 4.303: 2/3 ± 1.434.
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 2}.Quantile(0.975)
	hw := tq / math.Sqrt(3) / math.Sqrt(3)
	for _, diff := range []func() []Difference{
		func() []Difference { d, _ := PairedDifferences(ms, a, ms, b); return d },
		func() []Difference { return UnpairedDifferences(ms, a, ms, b) },
	} {
		d := diff()
		frac, hours := d[0], d[1]
		if frac.High != 1 || math.Abs(frac.Low-(2.0/3-hw)) > 1e-12 {
			t.Errorf("fraction: [%v, %v], want [%v, 1] (cut at 1)", frac.Low, frac.High, 2.0/3-hw)
		}
		if !(hours.High > 1) || hours.Low != frac.Low {
			t.Errorf("hours: [%v, %v], want the uncut interval", hours.Low, hours.High)
		}
	}
}
