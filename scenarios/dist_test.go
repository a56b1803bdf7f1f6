package scenarios

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func f(x float64) *float64 { return &x }

// distCases cover every distribution family and every way of giving its
// parameters, including shapes that take a different code path (gamma with
// shape below 1, empirical with a zero weight).
var distCases = []struct {
	name string
	d    Dist
}{
	{"const", Dist{Kind: "const", Value: f(30)}},
	{"exp", Dist{Kind: "exp", Mean: f(20)}},
	{"lognormal median sigma", Dist{Kind: "lognormal", Median: f(5), Sigma: f(1)}},
	{"lognormal mean cv", Dist{Kind: "lognormal", Mean: f(60), CV: f(0.5)}},
	{"gamma shape 4", Dist{Kind: "gamma", Mean: f(120), CV: f(0.5)}},
	{"gamma shape 1", Dist{Kind: "gamma", Mean: f(10), CV: f(1)}},
	{"gamma shape 0.25", Dist{Kind: "gamma", Mean: f(10), CV: f(2)}},
	{"normal sd", Dist{Kind: "normal", Mean: f(1440), SD: f(360)}},
	{"normal cv", Dist{Kind: "normal", Mean: f(-60), CV: f(0.5)}},
	{"uniform", Dist{Kind: "uniform", Min: f(60), Max: f(180)}},
	{"triangular", Dist{Kind: "triangular", Min: f(0), Mode: f(60), Max: f(240)}},
	{"triangular mode at min", Dist{Kind: "triangular", Min: f(0), Mode: f(0), Max: f(10)}},
	{"empirical", Dist{Kind: "empirical", Values: []float64{60, 120, 360}, Weights: []float64{5, 3, 1}}},
	{"empirical zero weight", Dist{Kind: "empirical", Values: []float64{1, 2, 3, 4}, Weights: []float64{1, 0, 2, 0}}},
	{"empirical equal weights", Dist{Kind: "empirical", Values: []float64{-5, 5}}},
}

func draw(s *Sampler, n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	for i := range x {
		x[i] = s.Sample(r)
	}
	return x
}

// TestSampleMoments checks that the sample mean and variance of Sample agree
// with Mean and Variance within the CLT tolerance: 5 standard errors, where
// the standard error of the variance is estimated from the sample's fourth
// moment. A wrong parameterisation (rate for mean, sd for variance, sigma
// for median) fails by far more.
func TestSampleMoments(t *testing.T) {
	const n = 200_000
	for _, c := range distCases {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.d.Sampler()
			if err != nil {
				t.Fatal(err)
			}
			x := draw(&s, n, 1)
			m, v := stat.MeanVariance(x, nil)
			mu, sigma2 := s.Mean(), s.Variance()
			if sigma2 == 0 {
				if m != mu || v != 0 {
					t.Errorf("degenerate: mean %v var %v, want %v and 0", m, v, mu)
				}
				return
			}
			if tol := 5 * math.Sqrt(sigma2/n); math.Abs(m-mu) > tol {
				t.Errorf("mean %v, want %v ± %v", m, mu, tol)
			}
			sq := make([]float64, n)
			for i, xi := range x {
				sq[i] = (xi - m) * (xi - m)
			}
			_, v4 := stat.MeanVariance(sq, nil)
			if tol := 5 * math.Sqrt(v4/n); math.Abs(v-sigma2) > tol {
				t.Errorf("variance %v, want %v ± %v", v, sigma2, tol)
			}
		})
	}
}

// TestSampleMatchesDistuv checks that the allocation-free Sample draws from the
// same distribution as gonum's distuv: Mean and Variance agree with distuv's
// formulas, a one-sample Kolmogorov-Smirnov test against distuv's CDF and a
// two-sample test against distuv's own sampler both pass at level 1e-4
// (critical value sqrt(-ln(α/2)/2) ≈ 2.23 times sqrt(1/n) resp. sqrt(2/n)).
func TestSampleMatchesDistuv(t *testing.T) {
	const n = 20_000
	crit := math.Sqrt(-math.Log(1e-4/2) / 2)
	type moments interface {
		Mean() float64
		Variance() float64
		CDF(float64) float64
	}
	for _, c := range distCases {
		s, err := c.d.Sampler()
		if err != nil {
			t.Fatal(err)
		}
		dv := s.Distuv(rand.NewPCG(2, 9))
		if dv == nil {
			continue // const and empirical: TestEmpiricalFrequencies
		}
		t.Run(c.name, func(t *testing.T) {
			m := dv.(moments)
			if !close(m.Mean(), s.Mean()) || !close(m.Variance(), s.Variance()) {
				t.Errorf("distuv mean %v var %v, Sampler mean %v var %v", m.Mean(), m.Variance(), s.Mean(), s.Variance())
			}
			x := draw(&s, n, 3)
			slices.Sort(x)
			d1 := 0.0
			for i, xi := range x {
				F := m.CDF(xi)
				d1 = math.Max(d1, math.Max(float64(i+1)/n-F, F-float64(i)/n))
			}
			if lim := crit / math.Sqrt(n); d1 > lim {
				t.Errorf("one-sample KS distance %v > %v", d1, lim)
			}
			y := make([]float64, n)
			for i := range y {
				y[i] = dv.Rand()
			}
			slices.Sort(y)
			if d2, lim := stat.KolmogorovSmirnov(x, nil, y, nil), crit*math.Sqrt(2.0/n); d2 > lim {
				t.Errorf("two-sample KS distance %v > %v", d2, lim)
			}
		})
	}
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestEmpiricalFrequencies checks each value's share against its weight
// within 5 binomial standard errors, and that zero-weight values never come.
func TestEmpiricalFrequencies(t *testing.T) {
	const n = 100_000
	d := Dist{Kind: "empirical", Values: []float64{1, 2, 3, 4, 5}, Weights: []float64{0, 5, 0, 3, 2}}
	s, err := d.Sampler()
	if err != nil {
		t.Fatal(err)
	}
	count := map[float64]int{}
	for _, x := range draw(&s, n, 4) {
		count[x]++
	}
	for i, v := range d.Values {
		p := d.Weights[i] / 10
		got := float64(count[v]) / n
		if tol := 5 * math.Sqrt(p*(1-p)/n); math.Abs(got-p) > tol || (p == 0 && count[v] > 0) {
			t.Errorf("value %v: share %v, want %v ± %v", v, got, p, tol)
		}
	}
}

// TestTruncation checks that min and max clamp draws: an exponential of mean
// 10 capped at 5 gives 5 with probability exp(-0.5).
func TestTruncation(t *testing.T) {
	const n = 100_000
	s, err := Dist{Kind: "exp", Mean: f(10), Min: f(1), Max: f(5)}.Sampler()
	if err != nil {
		t.Fatal(err)
	}
	top := 0
	for _, x := range draw(&s, n, 5) {
		if x < 1 || x > 5 {
			t.Fatalf("draw %v outside [1,5]", x)
		}
		if x == 5 {
			top++
		}
	}
	p := math.Exp(-0.5)
	if got, tol := float64(top)/n, 5*math.Sqrt(p*(1-p)/n); math.Abs(got-p) > tol {
		t.Errorf("share at max %v, want %v ± %v", got, p, tol)
	}
	if s.lower() != 1 {
		t.Errorf("lower() = %v, want 1", s.lower())
	}
}

// TestSampleNoAlloc: the hot path draws without allocating, for every family.
func TestSampleNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range distCases {
		s, err := c.d.Sampler()
		if err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(1000, func() { s.Sample(r) }); a != 0 {
			t.Errorf("%s: %v allocations per Sample", c.name, a)
		}
	}
}

// TestSamplerErrors: each malformed distribution is refused with a message
// that names what is wrong.
func TestSamplerErrors(t *testing.T) {
	for _, c := range []struct {
		d    Dist
		want string
	}{
		{Dist{}, "missing dist"},
		{Dist{Kind: "weibull"}, `unknown dist "weibull"`},
		{Dist{Kind: "const"}, "const distribution needs value"},
		{Dist{Kind: "const", Value: f(1), Min: f(0)}, "const distribution does not take min"},
		{Dist{Kind: "exp"}, "exp distribution needs mean"},
		{Dist{Kind: "exp", Mean: f(0)}, "mean must be > 0"},
		{Dist{Kind: "exp", Mean: f(1), SD: f(1)}, "does not take sd"},
		{Dist{Kind: "exp", Mean: f(math.NaN())}, "mean must be a finite number"},
		{Dist{Kind: "exp", Mean: f(1), Min: f(3), Max: f(2)}, "min (3) must not exceed max (2)"},
		{Dist{Kind: "lognormal", Median: f(1)}, "needs median and sigma, or mean and cv"},
		{Dist{Kind: "lognormal", Median: f(1), Sigma: f(1), Mean: f(1)}, "needs median and sigma, or mean and cv"},
		{Dist{Kind: "lognormal", Median: f(1), Sigma: f(-1)}, "sigma must be >= 0"},
		{Dist{Kind: "lognormal", Mean: f(1), CV: f(0)}, "cv must be > 0"},
		{Dist{Kind: "gamma", Mean: f(1)}, "gamma distribution needs cv"},
		{Dist{Kind: "gamma", Mean: f(1), CV: f(1e-200)}, "out of range"},
		{Dist{Kind: "normal", SD: f(1)}, "normal distribution needs mean"},
		{Dist{Kind: "normal", Mean: f(1)}, "needs sd or cv"},
		{Dist{Kind: "normal", Mean: f(1), SD: f(1), CV: f(1)}, "not both"},
		{Dist{Kind: "normal", Mean: f(1), SD: f(-1)}, "sd must be >= 0"},
		{Dist{Kind: "uniform", Min: f(1)}, "needs min and max"},
		{Dist{Kind: "uniform", Min: f(1), Max: f(1)}, "needs min < max"},
		{Dist{Kind: "triangular", Min: f(0), Max: f(1)}, "needs min, mode and max"},
		{Dist{Kind: "triangular", Min: f(0), Mode: f(2), Max: f(1)}, "min <= mode <= max"},
		{Dist{Kind: "empirical"}, "needs values"},
		{Dist{Kind: "empirical", Values: []float64{1, 2}, Weights: []float64{1}}, "2 values but 1 weights"},
		{Dist{Kind: "empirical", Values: []float64{1}, Weights: []float64{-1}}, "weights[0] must be a finite number >= 0"},
		{Dist{Kind: "empirical", Values: []float64{1, 2}, Weights: []float64{0, 0}}, "must not all be zero"},
		{Dist{Kind: "empirical", Values: []float64{math.Inf(1)}}, "values[0] must be a finite number"},
	} {
		_, err := c.d.Sampler()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.d, err, c.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"90s", 1.5, true}, {"20m", 20, true}, {"3h", 180, true}, {"2d", 2880, true},
		{"1h30m", 90, true}, {"-2h", -120, true}, {"+1d", 1440, true}, {"45", 45, true},
		{"2.5", 2.5, true}, {"1.5h", 90, true}, {"0", 0, true},
		{"", 0, false}, {"h", 0, false}, {"10x", 0, false}, {"2 days", 0, false},
		{"20min", 0, false}, {"1e3", 0, false}, {"inf", 0, false}, {"-", 0, false},
		{"3h-1m", 0, false}, {".", 0, false}, {"1..2h", 0, false},
	} {
		got, err := ParseDuration(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, c := range []struct {
		min  float64
		want string
	}{
		{0, "0m"}, {1.5, "1m30s"}, {20, "20m"}, {90, "1h30m"}, {2880, "2d"}, {-120, "-2h"}, {0.01, "0.01m"},
	} {
		got := FormatDuration(c.min)
		if got != c.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", c.min, got, c.want)
		}
		if back, err := ParseDuration(got); err != nil || math.Abs(back-c.min) > 1e-12 {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", got, back, err, c.min)
		}
	}
}

func BenchmarkSample(b *testing.B) {
	for _, c := range distCases {
		s, err := c.d.Sampler()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			x := 0.0
			for b.Loop() {
				x += s.Sample(r)
			}
			_ = x
		})
	}
}
