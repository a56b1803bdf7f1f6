package pilotstat

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// BeforeAfter estimates the effect of a measure switched on at one site in
// week switchWeek from its weekly values y (week 0 first; NaN for a week
// without data): an interrupted time series y_w = a + b·w + τ·[w ≥ switch] +
// e_w (without b when trend is false), least squares with the weeks as
// independent units and a t reference with n−k degrees of freedom. The
// weekday pattern is already removed by analysing whole weeks; WeekAutocorr
// checks that weeks are nearly independent.
func BeforeAfter(y []float64, switchWeek int, trend bool) (Estimate, error) {
	var rows [][]float64
	var ys []float64
	pre, post := 0, 0
	for w, v := range y {
		if !finite(v) {
			continue
		}
		d := 0.0
		if w >= switchWeek {
			d = 1
			post++
		} else {
			pre++
		}
		r := []float64{1, d}
		if trend {
			r = append(r, float64(w-switchWeek))
		}
		rows = append(rows, r)
		ys = append(ys, v)
	}
	k := 2
	if trend {
		k = 3
	}
	if pre < k || post < 1 || len(ys) < k+2 {
		return Estimate{}, fmt.Errorf("before/after: %d weeks before and %d after with data: %w", pre, post, ErrTooFew)
	}
	f, err := ols(rowsMatrix(rows), ys)
	if err != nil {
		return Estimate{}, fmt.Errorf("before/after: %w", err)
	}
	v := f.classicalVar(1)
	return Estimate{Effect: f.beta[1], SE: math.Sqrt(v), DF: float64(f.n - f.k), N: f.n}, nil
}

// WeekAutocorr returns the lag-one autocorrelation of the residuals of the
// before/after fit of y (switch at switchWeek, with trend), and the number
// of weeks it rests on. Values well above 2/sqrt(n) mean the weeks are not
// independent and the intervals are too narrow.
func WeekAutocorr(y []float64, switchWeek int) (rho float64, n int) {
	var rows [][]float64
	var ys []float64
	for w, v := range y {
		if finite(v) {
			d := 0.0
			if w >= switchWeek {
				d = 1
			}
			rows = append(rows, []float64{1, d, float64(w - switchWeek)})
			ys = append(ys, v)
		}
	}
	if len(ys) < 5 {
		return math.NaN(), len(ys)
	}
	f, err := ols(rowsMatrix(rows), ys)
	if err != nil {
		return math.NaN(), len(ys)
	}
	num, den := 0.0, 0.0
	for t, r := range f.resid {
		den += r * r
		if t > 0 {
			num += r * f.resid[t-1]
		}
	}
	return num / den, len(ys)
}

// PreTrend tests the slope of the weekly values before the switch (a
// before/after design assumes none, or one that would have continued): the
// estimate is the slope per week, with errors as BeforeAfter.
func PreTrend(y []float64, switchWeek int) (Estimate, error) {
	var rows [][]float64
	var ys []float64
	for w := 0; w < switchWeek && w < len(y); w++ {
		if finite(y[w]) {
			rows = append(rows, []float64{1, float64(w)})
			ys = append(ys, y[w])
		}
	}
	if len(ys) < 4 {
		return Estimate{}, fmt.Errorf("pre-period trend: %d weeks with data before the switch: %w", len(ys), ErrTooFew)
	}
	f, err := ols(rowsMatrix(rows), ys)
	if err != nil {
		return Estimate{}, fmt.Errorf("pre-period trend: %w", err)
	}
	return Estimate{Effect: f.beta[1], SE: math.Sqrt(f.classicalVar(1)), DF: float64(f.n - f.k), N: f.n}, nil
}

// Stratum estimates the effect of a measure applied to a random stratum of
// consignments at one site: treated[w] and control[w] are the two strata's
// values in week w. The estimate is the mean weekly difference; the weeks'
// differences are the independent units (a week's queue shocks hit both
// strata and cancel), with a t reference with n−1 degrees of freedom.
func Stratum(treated, control []float64) (Estimate, error) {
	var d []float64
	for w := range min(len(treated), len(control)) {
		if finite(treated[w]) && finite(control[w]) {
			d = append(d, treated[w]-control[w])
		}
	}
	if len(d) < 3 {
		return Estimate{}, fmt.Errorf("random stratum: %d weeks with data in both strata: %w", len(d), ErrTooFew)
	}
	rows := make([][]float64, len(d))
	for i := range rows {
		rows[i] = []float64{1}
	}
	f, err := ols(rowsMatrix(rows), d)
	if err != nil {
		return Estimate{}, fmt.Errorf("random stratum: %w", err)
	}
	return Estimate{Effect: f.beta[0], SE: math.Sqrt(f.classicalVar(0)), DF: float64(f.n - 1), N: f.n}, nil
}

// Cluster estimates the effect of a measure switched on at the treated sites
// (cluster-randomised): y[s] holds site s's weekly values during the pilot
// and pre[s] (optional, nil for none) its weekly values before it. Each site
// is summarised by its mean over weeks with data, minus its pre-period mean
// when pre is given (a difference in differences, which removes the
// between-site spread); the effect is the difference of the treated and
// control sites' means, with the pooled two-sample t error and G−2 degrees of
// freedom: the site is the independent unit.
func Cluster(y [][]float64, treated []bool, pre [][]float64) (Estimate, error) {
	var t, c []float64
	for s := range y {
		m, ok := meanFinite(y[s])
		if !ok {
			continue
		}
		if pre != nil {
			p, ok := meanFinite(pre[s])
			if !ok {
				continue
			}
			m -= p
		}
		if treated[s] {
			t = append(t, m)
		} else {
			c = append(c, m)
		}
	}
	if len(t) < 1 || len(c) < 1 || len(t)+len(c) < 3 {
		return Estimate{}, fmt.Errorf("cluster-randomised: %d treated and %d control sites with data: %w", len(t), len(c), ErrTooFew)
	}
	mt, vt := meanVar(t)
	mc, vc := meanVar(c)
	df := float64(len(t) + len(c) - 2)
	sp := (vt*float64(len(t)-1) + vc*float64(len(c)-1)) / df
	se := math.Sqrt(sp * (1/float64(len(t)) + 1/float64(len(c))))
	return Estimate{Effect: mt - mc, SE: se, DF: df, N: len(t) + len(c)}, nil
}

// SteppedWedge estimates the effect of a measure switched on at site s from
// week start[s] on (start[s] >= len(y[s]): never): y[s][w] = α_s + β_w +
// τ·[w ≥ start_s] + e, least squares with site and week fixed effects,
// errors clustered by site (CR1) and G−1 degrees of freedom.
func SteppedWedge(y [][]float64, start []int) (Estimate, error) {
	g := len(y)
	weeks := 0
	for _, ys := range y {
		weeks = max(weeks, len(ys))
	}
	if e, ok := wedgeBalanced(y, start, weeks); ok {
		return e, nil
	}
	// Keep sites and weeks that have data.
	hasW := make([]bool, weeks)
	siteIdx := make([]int, g)
	ng := 0
	for s := range y {
		siteIdx[s] = -1
		for w, v := range y[s] {
			if finite(v) {
				hasW[w] = true
				if siteIdx[s] < 0 {
					siteIdx[s] = ng
					ng++
				}
			}
		}
	}
	weekIdx := make([]int, weeks)
	nw := 0
	for w := range weeks {
		weekIdx[w] = -1
		if hasW[w] {
			weekIdx[w] = nw
			nw++
		}
	}
	if ng < 3 || nw < 2 {
		return Estimate{}, fmt.Errorf("stepped wedge: %d sites and %d weeks with data: %w", ng, nw, ErrTooFew)
	}
	k := ng + nw - 1 + 1 // site effects, weeks but the first, treatment
	var data []float64
	var ys []float64
	var cl []int
	treatedRows := 0
	for s := range y {
		for w, v := range y[s] {
			if !finite(v) {
				continue
			}
			r := make([]float64, k)
			r[siteIdx[s]] = 1
			if wi := weekIdx[w]; wi > 0 {
				r[ng+wi-1] = 1
			}
			if w >= start[s] {
				r[k-1] = 1
				treatedRows++
			}
			data = append(data, r...)
			ys = append(ys, v)
			cl = append(cl, siteIdx[s])
		}
	}
	if treatedRows == 0 || treatedRows == len(ys) {
		return Estimate{}, fmt.Errorf("stepped wedge: no contrast between treated and control site-weeks: %w", ErrTooFew)
	}
	f, err := ols(mat.NewDense(len(ys), k, data), ys)
	if err != nil {
		return Estimate{}, fmt.Errorf("stepped wedge: %w", err)
	}
	v := f.clusterVar(k-1, cl, ng)
	return Estimate{Effect: f.beta[k-1], SE: math.Sqrt(v), DF: float64(ng - 1), N: ng}, nil
}

func rowsMatrix(rows [][]float64) *mat.Dense {
	k := len(rows[0])
	data := make([]float64, 0, len(rows)*k)
	for _, r := range rows {
		data = append(data, r...)
	}
	return mat.NewDense(len(rows), k, data)
}

// meanFinite returns the mean of the finite values of x.
func meanFinite(x []float64) (float64, bool) {
	s, n := 0.0, 0
	for _, v := range x {
		if finite(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.NaN(), false
	}
	return s / float64(n), true
}

// meanVar returns the mean and the sample variance (0 for one value).
func meanVar(x []float64) (m, v float64) {
	for _, a := range x {
		m += a
	}
	m /= float64(len(x))
	if len(x) < 2 {
		return m, 0
	}
	for _, a := range x {
		v += (a - m) * (a - m)
	}
	return m, v / float64(len(x)-1)
}

// wedgeBalanced is SteppedWedge for a balanced panel (every site has every
// week, all finite): by Frisch–Waugh–Lovell the treatment coefficient and its
// cluster-robust variance come from the double-demeaned treatment and
// outcome alone, in O(sites·weeks) instead of a least-squares fit with a
// column per site and week.
func wedgeBalanced(y [][]float64, start []int, weeks int) (Estimate, bool) {
	g := len(y)
	if g < 3 || weeks < 2 {
		return Estimate{}, false
	}
	for _, ys := range y {
		if len(ys) != weeks {
			return Estimate{}, false
		}
		for _, v := range ys {
			if !finite(v) {
				return Estimate{}, false
			}
		}
	}
	x := func(s, w int) float64 {
		if w >= start[s] {
			return 1
		}
		return 0
	}
	demean := func(val func(s, w int) float64) []float64 {
		rowM, colM := make([]float64, g), make([]float64, weeks)
		all := 0.0
		for s := range g {
			for w := range weeks {
				v := val(s, w)
				rowM[s] += v / float64(weeks)
				colM[w] += v / float64(g)
				all += v / float64(g*weeks)
			}
		}
		out := make([]float64, g*weeks)
		for s := range g {
			for w := range weeks {
				out[s*weeks+w] = val(s, w) - rowM[s] - colM[w] + all
			}
		}
		return out
	}
	xd := demean(x)
	yd := demean(func(s, w int) float64 { return y[s][w] })
	sxx, sxy := 0.0, 0.0
	for i := range xd {
		sxx += xd[i] * xd[i]
		sxy += xd[i] * yd[i]
	}
	if sxx < 1e-12 {
		return Estimate{}, false // no contrast: let the general path report it
	}
	tau := sxy / sxx
	meat := 0.0
	for s := range g {
		sc := 0.0
		for w := range weeks {
			i := s*weeks + w
			sc += xd[i] * (yd[i] - tau*xd[i])
		}
		meat += sc * sc
	}
	n, k := g*weeks, g+weeks
	adj := float64(g) / float64(g-1) * float64(n-1) / float64(n-k)
	return Estimate{Effect: tau, SE: math.Sqrt(meat / (sxx * sxx) * adj), DF: float64(g - 1), N: g}, true
}
