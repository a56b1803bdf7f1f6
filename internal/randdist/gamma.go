// Package randdist holds random variate generators that several packages
// draw from with their own streams (scenarios' service-time distributions,
// sim/learn's Beta posterior draws), so each algorithm has one home.
package randdist

import (
	"math"
	"math/rand/v2"
)

// Gamma draws from the gamma distribution with shape a and rate 1
// (Marsaglia and Tsang 2000, "A simple method for generating gamma
// variables"); for a < 1 it draws shape a+1 and multiplies by U^(1/a).
func Gamma(r *rand.Rand, a float64) float64 {
	boost := 1.0
	if a < 1 {
		boost = math.Pow(r.Float64(), 1/a)
		a++
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return boost * d * v
		}
	}
}
