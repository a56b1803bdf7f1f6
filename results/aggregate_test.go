package results

import (
	"gonum.org/v1/gonum/stat/distuv"
	"math"
	"math/rand/v2"
	"testing"

	"pilotsim/metric"
)

// t975 are Student t quantiles t(0.975, ν) from printed tables.
// z975 is the normal quantile Φ⁻¹(0.975).
const z975 = 1.959963984540054

var t975 = map[int]float64{1: 12.706204736, 2: 4.302652730, 4: 2.776445105}

func TestMeanCI(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		why    string
		values []float64
		want   Interval
	}{
		{"hand-computed: 1..5 has mean 3, sd sqrt(2.5), t(0.975,4)",
			[]float64{1, 2, 3, 4, 5},
			Interval{3, 3 - t975[4]*math.Sqrt(2.5)/math.Sqrt(5), 3 + t975[4]*math.Sqrt(2.5)/math.Sqrt(5), 5}},
		{"NaN (undefined) values are left out, n counts the rest",
			[]float64{nan, 1, 2, nan, 3, 4, 5, nan},
			Interval{3, 3 - t975[4]*math.Sqrt(2.5)/math.Sqrt(5), 3 + t975[4]*math.Sqrt(2.5)/math.Sqrt(5), 5}},
		{"two values: one degree of freedom, sd sqrt(2)",
			[]float64{1, 3},
			Interval{2, 2 - t975[1], 2 + t975[1], 2}},
		{"three values: sd 1, t(0.975,2)",
			[]float64{10, 11, 12},
			Interval{11, 11 - t975[2]/math.Sqrt(3), 11 + t975[2]/math.Sqrt(3), 3}},
		{"equal values give a zero-width interval, not NaN",
			[]float64{4, 4, 4},
			Interval{4, 4, 4, 3}},
		{"one value gives no interval",
			[]float64{7}, Interval{7, nan, nan, 1}},
		{"one defined value among NaN gives no interval",
			[]float64{nan, 7, nan}, Interval{7, nan, nan, 1}},
		{"nothing defined: all NaN, n 0",
			[]float64{nan, nan}, Interval{nan, nan, nan, 0}},
		{"no replications at all", nil, Interval{nan, nan, nan, 0}},
	} {
		got := MeanCI(tc.values, 0.95)
		if got.N != tc.want.N || !close(got.Mean, tc.want.Mean) || !close(got.Low, tc.want.Low) || !close(got.High, tc.want.High) {
			t.Errorf("%s: MeanCI(%v) = %+v, want %+v", tc.why, tc.values, got, tc.want)
		}
	}
}

// TestMeanCIRoundedTable checks the hand computation of the issue with the
// rounded table value t(0.975,4) = 2.776.
func TestMeanCIRoundedTable(t *testing.T) {
	got := MeanCI([]float64{1, 2, 3, 4, 5}, 0.95).HalfWidth()
	want := 2.776 * math.Sqrt(2.5) / math.Sqrt(5) // 1.9630
	if math.Abs(got-want) > 0.001 {
		t.Errorf("half-width %v, want %v ± 0.001", got, want)
	}
}

// TestMeanCICoverage checks that 95% intervals from 5 normal values cover the
// true mean 95% of the time. With 4000 trials the coverage has standard error
// sqrt(.95·.05/4000) = 0.0034; we allow 4 of them. A normal quantile (1.96)
// instead of Student's t would cover only about 88%.
func TestMeanCICoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const trials, n, mu = 4000, 5, 10.0
	x := make([]float64, n)
	covered := 0
	for range trials {
		for i := range x {
			x[i] = mu + 3*rng.NormFloat64()
		}
		if iv := MeanCI(x, 0.95); iv.Low <= mu && mu <= iv.High {
			covered++
		}
	}
	got := float64(covered) / trials
	if tol := 4 * math.Sqrt(0.95*0.05/trials); math.Abs(got-0.95) > tol {
		t.Errorf("coverage %.4f, want 0.95 ± %.4f", got, tol)
	}
}

func TestAggregate(t *testing.T) {
	metrics := []Metric{{Key: metric.Key{Family: "a"}}, {Key: metric.Key{Family: "b"}, Unit: UnitFraction}}
	nan := math.NaN()
	reps := []Replication{{Rep: 0, Values: []float64{1, nan}}, {Rep: 1, Values: []float64{2, 0.5}}, {Rep: 2, Values: []float64{3, nan}}}
	got, err := Aggregate(metrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name() != "a" || got[1].Name() != "b" {
		t.Fatalf("Aggregate gave %+v, want metrics a, b in order", got)
	}
	if got[0].N != 3 || !close(got[0].Mean, 2) || !close(got[0].HalfWidth(), t975[2]/math.Sqrt(3)) {
		t.Errorf("a: %+v, want mean 2, n 3, half-width t(.975,2)/sqrt(3)", got[0])
	}
	// A time is never negative: the same values in hours keep the t
	// interval's upper bound and cut the lower one at 0.
	hours, err := Aggregate([]Metric{{Key: metric.Key{Family: "a"}, Unit: UnitHours}}, []Replication{{Values: []float64{1}}, {Values: []float64{2}}, {Values: []float64{3}}})
	if err != nil {
		t.Fatal(err)
	}
	if h := hours[0]; h.Low != 0 || !close(h.High, got[0].High) || !close(h.Mean, 2) {
		t.Errorf("hours: %+v, want [0, %v]", h, got[0].High)
	}
	if got[1].N != 1 || got[1].Mean != 0.5 || !math.IsNaN(got[1].Low) || !math.IsNaN(got[1].High) {
		t.Errorf("b: %+v, want mean 0.5, n 1, no bounds", got[1])
	}

	if _, err := Aggregate(metrics, []Replication{{Rep: 4, Values: []float64{1}}}); err == nil {
		t.Error("Aggregate accepted a replication with one value for two metrics")
	}
}

// close reports whether a and b agree to 1e-9 relative, NaN matching NaN.
func close(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

// TestAggregateBounds checks that intervals respect their quantity: a count
// is cut at 0, a fraction stays in [0, 1] (also when every replication found
// nothing, where the binomial size of the denominators gives the width), a
// load (which can exceed 1) is not held to [0, 1], and a fraction's interval
// is Jeffreys' with the effective sample size.
func TestAggregateBounds(t *testing.T) {
	count := Metric{Key: metric.Key{Family: "c"}, Unit: UnitCount}
	frac := Metric{Key: metric.Key{Family: "f"}, Unit: UnitFraction, Counted: true}
	load := Metric{Key: metric.Key{Family: "l"}, Unit: metric.Load}
	// Nothing found in 3 × 100: no variance to estimate, so Jeffreys for the
	// binomial n = 300: [0, the 97.5% quantile of Beta(½, 300½)]. For small
	// p, Beta(½, b) ≈ χ²(1)/(2b): 5.0239/601 = 0.008359 (to 0.5%).
	const zeroHigh = 5.023886 / 601
	for _, tc := range []struct {
		name      string
		m         Metric
		vals, den []float64
		low, high float64
		tol       float64
	}{
		// t(.975,2) = 4.303: 1 ± 4.303·1/√3 = [−1.48, 3.48], cut at 0.
		{"count cut at 0", count, []float64{0, 1, 2}, nil, 0, 1 + t975[2]/math.Sqrt(3), 1e-8},
		{"fraction of zeros", frac, []float64{0, 0, 0}, []float64{100, 100, 100}, 0, zeroHigh, 0.005 * zeroHigh},
		// All found: the mirror image.
		{"fraction of ones", frac, []float64{1, 1, 1}, []float64{100, 100, 100}, 1 - zeroHigh, 1, 0.005 * zeroHigh},
		// The same without denominators: nothing to go by but the value.
		{"fraction of zeros, no denominators", frac, []float64{0, 0, 0}, nil, 0, 0, 1e-8},
		// Far from 0 and 1 with a large effective size Jeffreys is the t
		// interval: 0.5 ± 4.303 · 0.01/√3 (to 0.2% of the half-width: the Beta
		// of n trials has the variance of n+1 or so).
		{"fraction near one half is t", frac, []float64{0.49, 0.5, 0.51}, []float64{1e6, 1e6, 1e6}, 0.5 - t975[2]*0.01/math.Sqrt(3), 0.5 + t975[2]*0.01/math.Sqrt(3), 2e-3 * t975[2] * 0.01 / math.Sqrt(3)},
		// A load can exceed 1 (an overloaded pool): Student's t, not held
		// to [0, 1]: 1.5 ± 4.303·0.1/√3.
		{"load above 1", load, []float64{1.4, 1.5, 1.6}, nil, 1.5 - t975[2]*0.1/math.Sqrt(3), 1.5 + t975[2]*0.1/math.Sqrt(3), 1e-8},
		// … and is cut at 0 like a count: 0.1 ± 4.303·0.1/√3.
		{"load cut at 0", load, []float64{0, 0.1, 0.2}, nil, 0, 0.1 + t975[2]*0.1/math.Sqrt(3), 1e-8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reps := make([]Replication, len(tc.vals))
			for i, v := range tc.vals {
				reps[i] = Replication{Rep: i, Values: []float64{v}}
				if tc.den != nil {
					reps[i].Den = []float64{tc.den[i]}
				}
			}
			got, err := Aggregate([]Metric{tc.m}, reps)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got[0].Low-tc.low) > tc.tol || math.Abs(got[0].High-tc.high) > tc.tol {
				t.Errorf("interval [%v, %v], want [%v, %v] (± %g)", got[0].Low, got[0].High, tc.low, tc.high, tc.tol)
			}
		})
	}
	// Jeffreys with the effective size: p̄ = 0.2, s²/R = 0.01/3, n* =
	// p̄(1−p̄)/(s²/R) = 48, reduced to n = 48·(z/t)² for 2 degrees of
	// freedom; the bounds are where the Beta(x+½, n−x+½) CDF, x = 0.2n, is
	// 2.5% and 97.5%.
	p := []float64{0.1, 0.2, 0.3}
	iv := FractionCI(p, []float64{1000, 1000, 1000}, 0.95)
	n := 48 * (z975 / t975[2]) * (z975 / t975[2])
	b := distuv.Beta{Alpha: 0.2*n + 0.5, Beta: 0.8*n + 0.5}
	if math.Abs(b.CDF(iv.Low)-0.025) > 1e-9 || math.Abs(b.CDF(iv.High)-0.975) > 1e-9 || math.Abs(iv.Mean-0.2) > 1e-12 {
		t.Errorf("FractionCI = %+v: CDF %v and %v at the bounds, want 0.025 and 0.975", iv, b.CDF(iv.Low), b.CDF(iv.High))
	}
	if iv.Low < 0 || iv.High > 1 || !iv.Asymmetric() {
		t.Errorf("FractionCI = %+v: want an asymmetric interval inside [0, 1]", iv)
	}
	// One case in all (x = p̄·n ≤ 1): the lower bound is 0 (Brown, Cai and
	// DasGupta's modification).
	if iv := FractionCI([]float64{0, 0.01}, []float64{100, 100}, 0.95); iv.Low != 0 || !(iv.High > 0.01) {
		t.Errorf("one case found: %+v, want [0, above 1%%]", iv)
	}
}

// TestLiftCI checks the lift estimate from pooled strata by hand: two
// replications, risk-selected 10/100 and 30/200 found, random 2/100 and
// 4/100.
func TestLiftCI(t *testing.T) {
	reps := []Replication{
		{Rep: 0, Values: []float64{0.10, 0.02}, Den: []float64{100, 100}},
		{Rep: 1, Values: []float64{0.15, 0.04}, Den: []float64{200, 100}},
	}
	iv := LiftCI(reps, 0, 1, 0.95)
	l := (40.0 / 300) / (6.0 / 200)
	u0 := 10.0/40 - 100.0/300 - 2.0/6 + 100.0/200
	u1 := 30.0/40 - 200.0/300 - 4.0/6 + 100.0/200
	se := math.Sqrt(2 * (u0*u0 + u1*u1))
	if iv.N != 2 || math.Abs(iv.Mean-l) > 1e-12 || math.Abs(iv.Low-l*math.Exp(-t975[1]*se)) > 1e-6 || math.Abs(iv.High-l*math.Exp(t975[1]*se)) > 1e-6 {
		t.Errorf("LiftCI = %+v, want %v [%v, %v]", iv, l, l*math.Exp(-t975[1]*se), l*math.Exp(t975[1]*se))
	}
	if iv := LiftCI([]Replication{{Rep: 0, Values: []float64{0.1, 0}, Den: []float64{10, 10}}}, 0, 1, 0.95); !math.IsNaN(iv.Mean) {
		t.Errorf("random stratum found nothing: lift %v, want NaN", iv.Mean)
	}
}

// TestFractionCIEdges: values that are no fractions get the t interval (no
// panic in the Beta quantile), and a spread so small that the effective size
// passes 10^12 gives the normal interval, inside [0, 1].
func TestFractionCIEdges(t *testing.T) {
	if iv := FractionCI([]float64{4242, 4242}, []float64{10, 10}, 0.95); iv.Mean != 4242 || iv.Low != 4242 || iv.High != 4242 {
		t.Errorf("values above 1: %+v, want the t interval 4242 [4242, 4242]", iv)
	}
	p := []float64{0.3, 0.3 + 1e-9, 0.3 - 1e-9}
	iv := FractionCI(p, nil, 0.95)
	want := MeanCI(p, 0.95)
	if math.Abs(iv.Low-want.Low) > 1e-9 || math.Abs(iv.High-want.High) > 1e-9 || !(iv.Low > 0.29 && iv.High < 0.31) {
		t.Errorf("effective size above 10^12: %+v, want about the t interval %+v", iv, want)
	}
}
