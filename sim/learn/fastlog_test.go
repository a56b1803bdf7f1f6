package learn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFastLog checks fastLog against math.Log over the range the model uses
// (ratios of clamped probabilities, 1e-12 to 1e12) and at table points.
func TestFastLog(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(x float64) {
		if got, want := fastLog(x), math.Log(x); math.Abs(got-want) > 1e-7 {
			t.Fatalf("fastLog(%v) = %v, want %v", x, got, want)
		}
	}
	for range 200000 {
		check(math.Exp(r.Float64()*55 - 27.5))
	}
	for _, x := range []float64{1, 2, 0.5, 1 + 1.0/256, 2 - 1e-15, 1e-6, 1 - 1e-6, 0.3, 0.7} {
		check(x)
	}
}
