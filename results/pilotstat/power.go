package pilotstat

import (
	"math"
	"slices"
)

// RejectRate returns the share of estimates whose two-sided test at level
// alpha rejects no effect, over the estimates that exist (SE > 0).
func RejectRate(est []Estimate, alpha float64) float64 {
	n, k := 0, 0
	for _, e := range est {
		if !(e.SE > 0) {
			continue
		}
		n++
		if e.Reject(alpha) {
			k++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return float64(k) / float64(n)
}

// SpreadSE returns the standard deviation of the effects across simulated
// pilots (the estimator's true standard error, whatever the error method
// claims) and the median degrees of freedom of their t references.
func SpreadSE(est []Estimate) (se, df float64) {
	var eff, dfs []float64
	for _, e := range est {
		if finite(e.Effect) && e.SE > 0 {
			eff = append(eff, e.Effect)
			dfs = append(dfs, e.DF)
		}
	}
	if len(eff) < 2 {
		return math.NaN(), math.NaN()
	}
	_, v := meanVar(eff)
	slices.Sort(dfs)
	return math.Sqrt(v), dfs[len(dfs)/2]
}

// WeeksNeeded returns the shortest duration on the grid weeks (increasing)
// whose minimum detectable effect mde[i] is at most |effect|. When even the
// longest falls short it extrapolates with the error shrinking as
// 1/sqrt(weeks), the rate of independent weeks: weeks_last·(mde_last/|effect|)²,
// and reports extrapolated = true. It returns +Inf for a zero effect.
func WeeksNeeded(weeks []int, mde []float64, effect float64) (w float64, extrapolated bool) {
	a := math.Abs(effect)
	if !(a > 0) {
		return math.Inf(1), true
	}
	last := -1
	for i := range weeks {
		if !finite(mde[i]) {
			continue
		}
		last = i
		if mde[i] <= a {
			return float64(weeks[i]), false
		}
	}
	if last < 0 {
		return math.NaN(), true
	}
	r := mde[last] / a
	return math.Ceil(float64(weeks[last]) * r * r), true
}
