package pilotstat

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// zMDE is the closed-form multiplier of a two-sided 5% test at 80% power:
// z_{0.975} + z_{0.80}.
var zMDE = distuv.UnitNormal.Quantile(0.975) + distuv.UnitNormal.Quantile(0.8)

func TestMDEAndPowerFormulas(t *testing.T) {
	if got := MDE(1, math.Inf(1), 0.05, 0.8); math.Abs(got-2.8016) > 1e-3 {
		t.Errorf("MDE(se 1, normal) = %.4f, want 2.8016", got)
	}
	for _, df := range []float64{5, 20, math.Inf(1)} {
		m := MDE(0.7, df, 0.05, 0.8)
		// At the MDE the power is 80% (up to the far tail, below 1e-3).
		if p := Power(m, 0.7, df, 0.05); math.Abs(p-0.8) > 2e-3 {
			t.Errorf("df %v: power at the MDE = %.4f, want 0.80", df, p)
		}
		if p := Power(0, 0.7, df, 0.05); math.Abs(p-0.05) > 1e-9 {
			t.Errorf("df %v: power at no effect = %.4f, want 0.05", df, p)
		}
	}
}

// TestMDETwoSample: on independent normal outcomes the random-stratum
// design's MDE (from the spread of its estimates over simulated pilots, as
// plan computes it) agrees with the closed-form two-sample formula
// (z_{.975}+z_{.8})·σ·sqrt(2/n) within 5%.
func TestMDETwoSample(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 1))
	const (
		pilots = 2000
		weeks  = 52
		m      = 20 // consignments per stratum and week
		sigma  = 3.0
	)
	est := make([]Estimate, pilots)
	for p := range est {
		tr, co := make([]float64, weeks), make([]float64, weeks)
		for w := range weeks {
			for range m {
				tr[w] += sigma * r.NormFloat64() / m
				co[w] += sigma * r.NormFloat64() / m
			}
		}
		e, err := Stratum(tr, co)
		if err != nil {
			t.Fatal(err)
		}
		est[p] = e
	}
	se, df := SpreadSE(est)
	got := MDE(se, df, 0.05, 0.8)
	want := zMDE * sigma * math.Sqrt(2/float64(weeks*m))
	if rel := got/want - 1; math.Abs(rel) > 0.05 {
		t.Errorf("MDE = %.4f, closed form %.4f (%+.1f%%), want within 5%%", got, want, 100*rel)
	}
}

// TestMDEDesignEffect: for a cluster-randomised design the MDE agrees with
// the two-sample formula inflated by the design effect 1 + (m−1)·ICC.
func TestMDEDesignEffect(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	const (
		pilots = 2000
		sites  = 60
		m      = 40
		icc    = 0.05
	)
	sb, sw := math.Sqrt(icc), math.Sqrt(1-icc) // total variance 1
	treated := make([]bool, sites)
	for s := range treated {
		treated[s] = s%2 == 0
	}
	est := make([]Estimate, pilots)
	y := make([][]float64, sites)
	for p := range est {
		for s := range y {
			v := sb * r.NormFloat64()
			for range m {
				v += sw * r.NormFloat64() / m
			}
			y[s] = []float64{v}
		}
		e, err := Cluster(y, treated, nil)
		if err != nil {
			t.Fatal(err)
		}
		est[p] = e
	}
	se, df := SpreadSE(est)
	got := MDE(se, df, 0.05, 0.8)
	deff := 1 + (m-1)*icc
	want := zMDE * math.Sqrt(2/float64(sites/2*m)*deff)
	if rel := got/want - 1; math.Abs(rel) > 0.05 {
		t.Errorf("MDE = %.4f, design-effect formula %.4f (%+.1f%%), want within 5%%", got, want, 100*rel)
	}
}

// aaDesigns simulates toy A/A pilots (no effect) of every design and
// returns, per design, the estimates at each weekly look (looks[d][k][p]).
type aaDesign struct {
	name  string
	looks []int // weeks of pilot data at each look
	// run returns the estimate after `weeks` weeks of pilot of one toy pilot
	// drawn from r; one pilot's data must be reused across looks, so it
	// draws the pilot once and returns a closure per look.
	draw func(r *rand.Rand) func(weeks int) (Estimate, error)
}

func aaDesigns() []aaDesign {
	const pre = 8
	wedgeStart := []int{pre + 1, pre + 2, pre + 3, pre + 4, pre + 5, pre + 6, pre + 7, pre + 8}
	never := []int{99, 99, 99, 99, 99, 99, 99, 99}
	return []aaDesign{
		{"before/after", []int{2, 4, 6, 8, 10, 12}, func(r *rand.Rand) func(int) (Estimate, error) {
			y := toySeries(r, pre+12, 0.5, 0, 0, 99)
			return func(w int) (Estimate, error) { return BeforeAfter(y[:pre+w], pre, true) }
		}},
		{"random stratum", []int{5, 6, 7, 8, 9, 10, 11, 12}, func(r *rand.Rand) func(int) (Estimate, error) {
			tr, co := toyStratum(r, 12, 0)
			return func(w int) (Estimate, error) { return Stratum(tr[:w], co[:w]) }
		}},
		{"cluster", []int{2, 4, 6, 8, 10, 12}, func(r *rand.Rand) func(int) (Estimate, error) {
			y := toySites(r, 8, pre+12, 2, 0, never)
			tr := []bool{true, false, true, false, true, false, true, false}
			return func(w int) (Estimate, error) {
				post, prev := make([][]float64, 8), make([][]float64, 8)
				for s := range y {
					prev[s], post[s] = y[s][:pre], y[s][pre:pre+w]
				}
				return Cluster(post, tr, prev)
			}
		}},
		{"stepped wedge", []int{12}, func(r *rand.Rand) func(int) (Estimate, error) {
			y := toySites(r, 8, pre+12, 2, 0, never)
			return func(w int) (Estimate, error) {
				ys := make([][]float64, 8)
				for s := range y {
					ys[s] = y[s][:pre+w]
				}
				return SteppedWedge(ys, wedgeStart)
			}
		}},
	}
}

// TestAAFalsePositiveRate: with no effect, each design's fixed 5% test at
// the last look, and the group-sequential rule looked at every look, reject
// in 4–6% of 2,000 toy pilots (the binomial standard error is 0.5 points).
func TestAAFalsePositiveRate(t *testing.T) {
	const pilots = 4000
	for i, d := range aaDesigns() {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(21, uint64(i)))
			est := make([][]Estimate, len(d.looks))
			for k := range est {
				est[k] = make([]Estimate, pilots)
			}
			for p := range pilots {
				at := d.draw(r)
				for k, w := range d.looks {
					e, err := at(w)
					if err != nil {
						t.Fatal(err)
					}
					est[k][p] = e
				}
			}
			fixed := RejectRate(est[len(est)-1], 0.05)
			if fixed < 0.04 || fixed > 0.06 {
				t.Errorf("fixed test: false-positive rate %.4f, want in [0.04, 0.06]", fixed)
			}
			info, df := make([]float64, len(d.looks)), make([]float64, len(d.looks))
			for k := range info {
				se, dfk := SpreadSE(est[k])
				info[k], df[k] = 1/(se*se), dfk
			}
			gs, err := NewGroupSequential(info, df, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			stopped := 0
			z := make([]float64, len(d.looks))
			for p := range pilots {
				for k := range z {
					z[k] = est[k][p].Z()
				}
				if _, ok := gs.Stop(z); ok {
					stopped++
				}
			}
			seq := float64(stopped) / pilots
			if seq < 0.04 || seq > 0.06 {
				t.Errorf("sequential rule, %d looks: false-positive rate %.4f, want in [0.04, 0.06]", len(d.looks), seq)
			}
			t.Logf("fixed %.4f sequential %.4f", fixed, seq)
		})
	}
}

// TestGroupSequentialBounds checks the boundaries against published
// O'Brien–Fleming values (Jennison & Turnbull 2000, Table 2.3: five equally
// spaced looks, two-sided 5%: 4.562, 3.226, 2.634, 2.281, 2.040) and one
// look against the fixed test's 1.960.
func TestGroupSequentialBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		info []float64
		want []float64
	}{
		{"one look is the fixed test", []float64{3}, []float64{1.960}},
		{"five equal looks", []float64{1, 2, 3, 4, 5}, []float64{4.562, 3.226, 2.634, 2.281, 2.040}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewGroupSequential(tc.info, nil, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range tc.want {
				// Monte Carlo error of c: about 0.01 at the final look.
				if math.Abs(g.Bounds[k]-w) > 0.015*w/tc.want[len(tc.want)-1] {
					t.Errorf("look %d: bound %.3f, want %.3f", k+1, g.Bounds[k], w)
				}
			}
		})
	}
	if _, err := NewGroupSequential([]float64{2, 1}, nil, 0.05); err == nil {
		t.Error("decreasing information: want an error")
	}
}

func TestWeeksNeeded(t *testing.T) {
	weeks := []int{2, 4, 8}
	mde := []float64{4, 2, 1}
	for _, tc := range []struct {
		name   string
		effect float64
		want   float64
		extra  bool
	}{
		{"met at the first duration", 5, 2, false},
		{"met later, sign ignored", -1.5, 8, false},
		{"beyond the grid: 1/sqrt(weeks) scaling", 0.5, 32, true},
		{"no effect needs forever", 0, math.Inf(1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ex := WeeksNeeded(weeks, mde, tc.effect)
			if got != tc.want || ex != tc.extra {
				t.Errorf("WeeksNeeded(%v) = %v, %v; want %v, %v", tc.effect, got, ex, tc.want, tc.extra)
			}
		})
	}
}

// TestEstimatorsFindTheEffect: each design recovers a known effect (mean
// over toy pilots within 4 standard errors of the mean).
func TestEstimatorsFindTheEffect(t *testing.T) {
	const effect, pilots, pre = 1.5, 400, 8
	r := rand.New(rand.NewPCG(31, 1))
	start := []int{pre + 1, pre + 2, pre + 3, pre + 4, pre + 5, pre + 6, pre + 7, pre + 8}
	allPre := []int{pre, pre, pre, pre, 99, 99, 99, 99}
	tr := []bool{true, true, true, true, false, false, false, false}
	designs := map[string]func() (Estimate, error){
		"before/after": func() (Estimate, error) {
			return BeforeAfter(toySeries(r, 2*pre, 0.5, 0, effect, pre), pre, true)
		},
		"random stratum": func() (Estimate, error) { a, b := toyStratum(r, 8, effect); return Stratum(a, b) },
		"cluster": func() (Estimate, error) {
			y := toySites(r, 8, 2*pre, 2, effect, allPre)
			post, prev := make([][]float64, 8), make([][]float64, 8)
			for s := range y {
				prev[s], post[s] = y[s][:pre], y[s][pre:]
			}
			return Cluster(post, tr, prev)
		},
		"stepped wedge": func() (Estimate, error) { return SteppedWedge(toySites(r, 8, 2*pre+2, 2, effect, start), start) },
	}
	for name, f := range designs {
		sum, sum2 := 0.0, 0.0
		for range pilots {
			e, err := f()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sum += e.Effect
			sum2 += e.Effect * e.Effect
		}
		mean := sum / pilots
		sem := math.Sqrt((sum2/pilots - mean*mean) / pilots)
		if math.Abs(mean-effect) > 4*sem {
			t.Errorf("%s: mean estimate %.3f ± %.3f, want %.1f", name, mean, sem, effect)
		}
	}
}

func TestTooFewUnits(t *testing.T) {
	nan := math.NaN()
	if _, err := BeforeAfter([]float64{1, 2, nan, 3}, 2, true); err == nil {
		t.Error("before/after with 2 weeks before: want an error")
	}
	if _, err := Stratum([]float64{1, 2}, []float64{1, nan}); err == nil {
		t.Error("stratum with 1 week in both: want an error")
	}
	if _, err := Cluster([][]float64{{1}, {2}}, []bool{true, false}, nil); err == nil {
		t.Error("cluster with 2 sites: want an error")
	}
}

// TestWedgeBalancedMatchesOLS: the fast path for balanced panels gives the
// same estimate and cluster-robust error as the full least-squares fit.
func TestWedgeBalancedMatchesOLS(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 1))
	start := []int{3, 4, 5, 6, 7, 8}
	y := toySites(r, 6, 10, 2, 1, start)
	fast, ok := wedgeBalanced(y, start, 10)
	if !ok {
		t.Fatal("balanced panel not taken by the fast path")
	}
	y[0] = append(y[0][:9:9], math.NaN()) // unbalanced: general path, same data but one week
	slow, err := SteppedWedge(y, start)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fast.Effect-slow.Effect) > 0.5*fast.SE {
		t.Errorf("fast %.4f vs general %.4f: differ by more than the error", fast.Effect, slow.Effect)
	}
	// Exact agreement on the same balanced data: drop one week everywhere.
	for s := range y {
		y[s] = y[s][:9]
	}
	fast, _ = wedgeBalanced(y, start, 9)
	for s := range y {
		y[s] = append(y[s], math.NaN())
	}
	slow, err = SteppedWedge(y, start)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fast.Effect-slow.Effect) > 1e-9 || math.Abs(fast.SE-slow.SE)/slow.SE > 1e-9 {
		t.Errorf("fast (%.6f, se %.6f) != least squares (%.6f, se %.6f)", fast.Effect, fast.SE, slow.Effect, slow.SE)
	}
}
