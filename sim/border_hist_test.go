package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBorderHistQuantiles compares histogram percentiles with exact order
// statistics of the same rank (ceil(p·n), as stat.Quantile's Empirical kind)
// on distributions release times take: a point mass at zero (green lanes with
// advance lodgement), log-normal spreads over decades, and small samples.
func TestBorderHistQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name string
		n    int
		draw func() float64
	}{
		{"lognormal sigma 2", 100000, func() float64 { return math.Exp(3 + 2*r.NormFloat64()) }},
		{"exponential", 50000, func() float64 { return 30 * r.ExpFloat64() }},
		{"80% zeros then hours", 20000, func() float64 {
			if r.Float64() < 0.8 {
				return 0
			}
			return 60 + 600*r.Float64()
		}},
		{"tiny values", 1000, func() float64 { return 1e-3 * r.Float64() }},
		{"three values", 3, func() float64 { return float64(1 + r.IntN(1000)) }},
		{"one value", 1, func() float64 { return 42 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d borderDist
			d.reset()
			xs := make([]float64, tc.n)
			sum := 0.0
			for i := range xs {
				xs[i] = tc.draw()
				sum += xs[i]
				d.add(xs[i])
			}
			slices.Sort(xs)
			for _, p := range []float64{0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1} {
				k := int(math.Ceil(p * float64(tc.n)))
				exact := xs[max(k, 1)-1]
				got := d.quantile(p)
				if math.Abs(got-exact) > BorderHistRelError*exact {
					t.Errorf("p=%v: %v, exact %v (relative error %.5f > %.5f)", p, got, exact, math.Abs(got-exact)/exact, BorderHistRelError)
				}
			}
			if d.maximum() != xs[len(xs)-1] {
				t.Errorf("max %v, want %v", d.maximum(), xs[len(xs)-1])
			}
			if math.Abs(d.mean()-sum/float64(tc.n)) > 1e-12*math.Abs(sum) {
				t.Errorf("mean %v, want %v", d.mean(), sum/float64(tc.n))
			}
		})
	}
}

// TestBorderHistBins checks that every regular bin is at most 2^-7 of its
// lower edge wide, so its midpoint is within 2^-8 of every value in it.
func TestBorderHistBins(t *testing.T) {
	for i := borderHistFirst; i < borderHistOver; i++ {
		key := uint64(i-borderHistFirst) + borderHistBaseKey
		lo := math.Float64frombits(key << borderHistShift)
		hi := math.Float64frombits((key + 1) << borderHistShift)
		if borderHistBin(lo) != i || borderHistBin(math.Nextafter(hi, 0)) != i || borderHistBin(hi) != i+1 {
			t.Fatalf("bin %d = [%v, %v) not where values fall", i, lo, hi)
		}
		if mid := borderHistValue(i); (mid-lo)/lo > BorderHistRelError || (hi-mid)/lo > BorderHistRelError {
			t.Fatalf("bin %d [%v, %v): midpoint %v more than %v from an edge", i, lo, hi, mid, BorderHistRelError)
		}
	}
	for _, tc := range []struct {
		x   float64
		bin int
	}{{0, borderHistZero}, {-1, borderHistZero}, {1e-9, borderHistUnder}, {1e12, borderHistOver}, {math.Inf(1), borderHistOver}} {
		if got := borderHistBin(tc.x); got != tc.bin {
			t.Errorf("bin(%v) = %d, want %d", tc.x, got, tc.bin)
		}
	}
	var d borderDist
	d.reset()
	if !math.IsNaN(d.quantile(0.5)) || !math.IsNaN(d.mean()) || !math.IsNaN(d.maximum()) {
		t.Error("empty distribution: want NaN")
	}
}
