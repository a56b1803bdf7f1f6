package pilotstat

import (
	"math"
	"math/rand/v2"
)

// Toy pilots: cheap generators of weekly values with the structure of a
// queue's figures (a weekday pattern, autocorrelated daily shocks, a
// between-site spread), so the statistical properties can be checked over
// thousands of pilots in well under a second each.

// toyWeekday is a weekday pattern (Monday first) of a daily figure.
var toyWeekday = [7]float64{1.5, 0.8, 0.2, 0, -0.3, -0.9, -1.3}

// toySeries returns `weeks` weekly means of daily values: weekday pattern
// plus AR(1) daily noise with lag-one correlation rho and unit marginal sd
// that starts afresh each week (the queue clears over the weekend), plus
// shift from week `from` on, and a site level.
func toySeries(r *rand.Rand, weeks int, rho, level, shift float64, from int) []float64 {
	y := make([]float64, weeks)
	s := math.Sqrt(1 - rho*rho)
	for w := range y {
		e := r.NormFloat64()
		sum := 0.0
		for d := range 7 {
			if d > 0 {
				e = rho*e + s*r.NormFloat64()
			}
			sum += toyWeekday[d] + e
		}
		y[w] = level + sum/7
		if w >= from {
			y[w] += shift
		}
	}
	return y
}

// toyStratum returns the weekly values of a treated and a control stratum
// that share each day's queue shock (common, AR(1)) and have their own noise.
func toyStratum(r *rand.Rand, weeks int, effect float64) (t, c []float64) {
	common := toySeries(r, weeks, 0.6, 0, 0, weeks)
	a := toySeries(r, weeks, 0.3, 0, effect, 0)
	b := toySeries(r, weeks, 0.3, 0, 0, weeks)
	t, c = make([]float64, weeks), make([]float64, weeks)
	for w := range weeks {
		t[w] = common[w] + a[w]
		c[w] = common[w] + b[w]
	}
	return t, c
}

// toySites returns g sites' weekly values with a site level drawn with sd
// siteSD; site s has the effect from week start[s] on.
func toySites(r *rand.Rand, g, weeks int, siteSD, effect float64, start []int) [][]float64 {
	y := make([][]float64, g)
	for s := range y {
		y[s] = toySeries(r, weeks, 0.5, siteSD*r.NormFloat64(), effect, start[s])
	}
	return y
}
