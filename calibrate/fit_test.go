package calibrate

import (
	"math"
	"math/rand/v2"
	"testing"

	"pilotsim/scenarios"
)

// TestFitPositive draws 20,000 values from each family and checks that the
// AIC picks that family and recovers its parameters within 3% (the standard
// error of a mean or median of 20,000 draws is well under 1%).
func TestFitPositive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name   string
		draw   func() float64
		family string
		check  func(d scenarios.Dist) (got, want float64)
	}{
		{"exponential mean 30", func() float64 { return 30 * rng.ExpFloat64() }, "exp",
			func(d scenarios.Dist) (float64, float64) { return *d.Mean, 30 }},
		{"lognormal median 60 sigma 0.6", func() float64 { return 60 * math.Exp(0.6*rng.NormFloat64()) }, "lognormal",
			func(d scenarios.Dist) (float64, float64) { return *d.Median, 60 }},
		{"gamma mean 120 shape 6 (Erlang: a sum of 6 exponentials)", func() float64 {
			x := 0.0
			for range 6 {
				x += rng.ExpFloat64()
			}
			return 20 * x
		}, "gamma", func(d scenarios.Dist) (float64, float64) { return *d.Mean, 120 }},
		{"normal mean 500 sd 20", func() float64 { return 500 + 20*rng.NormFloat64() }, "normal",
			func(d scenarios.Dist) (float64, float64) { return *d.Mean, 500 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := newDurAcc(1, 1)
			for range 20000 {
				acc.add(tc.draw())
			}
			fit := fitPositive(acc)
			if fit.Family != tc.family {
				t.Errorf("chose %s (AIC %v), want %s", fit.Family, fit.AIC, tc.family)
			}
			if got, want := tc.check(fit.Dist); math.Abs(got/want-1) > 0.03 {
				t.Errorf("parameter %v, want %v", got, want)
			}
			if fit.KS > 0.02 {
				t.Errorf("KS distance of the chosen fit %v, want < 0.02 for 20,000 draws of the family", fit.KS)
			}
		})
	}
}

func TestOpeningHours(t *testing.T) {
	var day [168]int64
	for d := range 6 { // Monday to Saturday, 07:00-19:00
		for h := 7; h < 19; h++ {
			day[d*24+h] = 50
		}
	}
	h, _ := openingHours(day)
	if h == nil || h.Open != 7*60 || h.Close != 19*60 || len(h.Days) != 6 || h.Days[5] != "sat" {
		t.Errorf("day shifts: got %+v", h)
	}
	var night [168]int64
	for d := range 7 { // 22:00-06:00 every day
		for _, hr := range []int{22, 23, 0, 1, 2, 3, 4, 5} {
			night[d*24+hr] = 10
		}
	}
	if h, _ := openingHours(night); h == nil || h.Open != 22*60 || h.Close != 6*60 || h.Days != nil {
		t.Errorf("night shift: got %+v", h)
	}
	var all [168]int64
	for i := range all {
		all[i] = 3
	}
	if h, _ := openingHours(all); h != nil {
		t.Errorf("around the clock: got %+v, want nil", h)
	}
}

func TestMaxConcurrent(t *testing.T) {
	ev := []edge{{0, 1}, {10, -1}, {10, 1}, {20, -1}, {5, 1}, {15, -1}}
	if got := maxConcurrent(ev); got != 2 {
		t.Errorf("got %d, want 2 (an end and a start at 10 do not overlap)", got)
	}
}

func TestKS2(t *testing.T) {
	if d := KS2([]float64{1, 2, 3}, []float64{1, 2, 3}); d != 0 {
		t.Errorf("same samples: %v", d)
	}
	if d := KS2([]float64{1, 2}, []float64{3, 4}); d != 1 {
		t.Errorf("disjoint samples: %v", d)
	}
}
