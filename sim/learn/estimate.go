package learn

import (
	"math"
	"slices"
)

// Estimator estimates, from revealed outcomes only, what a customs service
// can know of the fraud it does not see: the total number of irregular
// declarations and their duty, by inverse-propensity weighting (IPW) of the
// inspected ones, hence the detection rate (found / estimated total) and the
// undetected duty. With the selectors of this package the estimate is the
// stratified one: targeted declarations count once (propensity 1), each
// random-stratum declaration stands for 1/q declarations not targeted that
// day. Intervals come from a bootstrap over days.
type Estimator struct {
	days []DayTally
}

// DayTally is what one day's revealed outcomes add to the estimates.
type DayTally struct {
	Inspected  float64 // inspections whose outcome is revealed
	Found      float64 // of those, irregular
	FoundValue float64 // duty found
	IPW        float64 // Σ irregular / propensity: the day's estimated irregular total
	IPWValue   float64 // Σ duty of irregular / propensity
	Random     float64 // random-stratum inspections revealed
	RandomHits float64 // of those, irregular

	// The doubly robust estimate: targeted irregular found, plus the model's
	// expected irregular count over the declarations not targeted, plus the
	// random stratum's inverse-propensity-weighted residuals (outcome −
	// model probability), which remove the model's bias whatever it is.
	TargetedFound float64
	ModelRest     float64
	Residual      float64

	// For the pooled estimate: the day's declarations and, of those, the
	// ones not targeted (propensity below 1: the population the random
	// stratum samples).
	N, Rest float64
}

func (e *Estimator) day(i int) *DayTally {
	for len(e.days) <= i {
		e.days = append(e.days, DayTally{})
	}
	return &e.days[i]
}

// AddDecisions records a day's decisions for the doubly robust estimate:
// the model's probabilities (Decision.Prob) summed over the declarations not
// targeted. Call it once per day, when the decisions are made.
func (e *Estimator) AddDecisions(day int, out []Decision) {
	d := e.day(day)
	d.N += float64(len(out))
	for i := range out {
		if out[i].Propensity < 1 {
			d.ModelRest += out[i].Prob
			d.Rest++
		}
	}
}

// AddDay adds a tally to day i's, for a caller that counts the outcomes of
// an earlier policy itself (the history of a replay, whose decisions were
// not made by a Selector).
func (e *Estimator) AddDay(i int, t DayTally) { e.day(i).add(&t) }

// Add counts one revealed label on its decision day.
func (e *Estimator) Add(l *Label) {
	d := e.day(l.Day)
	d.Inspected++
	y := 0.0
	if l.Irregular {
		y = 1
	}
	if l.Decision.Random {
		d.Random++
		d.Residual += (y - l.Decision.Prob) / l.Decision.Propensity
	}
	if !l.Irregular {
		return
	}
	if l.Decision.Propensity == 1 {
		d.TargetedFound++
	}
	w := 1 / l.Decision.Propensity
	d.Found++
	d.FoundValue += l.Value
	d.IPW += w
	d.IPWValue += w * l.Value
	if l.Decision.Random {
		d.RandomHits++
	}
}

// Days returns the per-day tallies (index: decision day).
func (e *Estimator) Days() []DayTally { return e.days }

// Total adds the tallies of days [from, to).
func (e *Estimator) Total(from, to int) DayTally {
	var t DayTally
	for _, d := range e.days[min(from, len(e.days)):min(to, len(e.days))] {
		t.add(&d)
	}
	return t
}

func (t *DayTally) add(d *DayTally) {
	t.Inspected += d.Inspected
	t.Found += d.Found
	t.FoundValue += d.FoundValue
	t.IPW += d.IPW
	t.IPWValue += d.IPWValue
	t.Random += d.Random
	t.RandomHits += d.RandomHits
	t.TargetedFound += d.TargetedFound
	t.ModelRest += d.ModelRest
	t.Residual += d.Residual
	t.N += d.N
	t.Rest += d.Rest
}

// DR returns the doubly robust estimate of the irregular total: targeted
// found + the model's expectation over the rest + the random stratum's
// weighted residuals. It is unbiased whatever the model (the residuals
// correct it), and varies less than IPW when the model is good.
func (t DayTally) DR() float64 { return t.TargetedFound + t.ModelRest + t.Residual }

// DetectionDR returns the detection estimate Found / DR.
func (t DayTally) DetectionDR() float64 {
	dr := t.DR()
	if dr <= 0 || t.Random == 0 {
		return math.NaN()
	}
	return math.Min(1, t.Found/dr)
}

// Detection returns the estimated detection rate Found / IPW; NaN when
// nothing irregular was found.
func (t DayTally) Detection() float64 {
	if t.IPW == 0 {
		return math.NaN()
	}
	return t.Found / t.IPW
}

// Undetected returns the estimated duty of irregular declarations not
// inspected: IPW duty − duty found.
func (t DayTally) Undetected() float64 { return t.IPWValue - t.FoundValue }

// Interval is an estimate with a 95% interval.
type Interval struct {
	Est, Lo, Hi float64
}

// BootstrapDetection returns the detection estimate over days [from, to) with
// a 95% percentile interval from b bootstrap resamples of those days (with
// replacement), drawn from the stream of (seed, rep, PurposeBootstrap).
func (e *Estimator) BootstrapDetection(from, to, b int, seed uint64, rep int) Interval {
	return e.bootstrap(from, to, b, seed, rep, DayTally.Detection)
}

// BootstrapDetectionDR is BootstrapDetection for the doubly robust estimate.
func (e *Estimator) BootstrapDetectionDR(from, to, b int, seed uint64, rep int) Interval {
	return e.bootstrap(from, to, b, seed, rep, DayTally.DetectionDR)
}

// BootstrapUndetected is BootstrapDetection for the undetected duty.
func (e *Estimator) BootstrapUndetected(from, to, b int, seed uint64, rep int) Interval {
	return e.bootstrap(from, to, b, seed, rep, DayTally.Undetected)
}

func (e *Estimator) bootstrap(from, to, b int, seed uint64, rep int, stat func(DayTally) float64) Interval {
	from, to = min(from, len(e.days)), min(to, len(e.days))
	iv := Interval{Est: stat(e.Total(from, to)), Lo: math.NaN(), Hi: math.NaN()}
	n := to - from
	if n < 2 || b < 2 {
		return iv
	}
	r := Stream(seed, rep, PurposeBootstrap)
	vals := make([]float64, 0, b)
	for range b {
		var t DayTally
		for range n {
			t.add(&e.days[from+r.IntN(n)])
		}
		if v := stat(t); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) < 2 {
		return iv
	}
	slices.Sort(vals)
	iv.Lo = vals[int(0.025*float64(len(vals)-1)+0.5)]
	iv.Hi = vals[int(0.975*float64(len(vals)-1)+0.5)]
	return iv
}

// Rate returns the stratified inverse-propensity estimate of the irregular
// rate, IPW / N, and its sampling variance: the random stratum is the only
// source of error (the targeted declarations' outcomes are all known), a
// sample of Random of the Rest declarations not targeted each day, so the
// variance is Σ_days Rest²/Random · (1 − Random/Rest) · p_r(1 − p_r) / N²
// with p_r the random stratum's hit rate pooled over the days (pooled
// because a day's stratum holds one or two inspections; (hits + ½)/(n + 1)
// keeps it off 0 and 1). NaN when the days have no declarations or no
// random stratum.
func Rate(days []DayTally) (p, v float64) {
	var n, ipw, rnd, hits, s float64
	for i := range days {
		d := &days[i]
		n += d.N
		ipw += d.IPW
		rnd += d.Random
		hits += d.RandomHits
		if d.Random > 0 && d.Rest > 0 {
			s += d.Rest * d.Rest / d.Random * math.Max(0, 1-d.Random/d.Rest)
		}
	}
	if n == 0 || rnd == 0 {
		return math.NaN(), math.NaN()
	}
	pr := (hits + 0.5) / (rnd + 1)
	return ipw / n, s * pr * (1 - pr) / (n * n)
}

// Pooled is the pooled estimate of a stretch's irregular rate: the
// stretch's own stratified IPW rate, combined with the rate an earlier
// policy's random stratum measured in the history (the days of History),
// each weighted by the inverse of its error variance. The history's error
// includes Drift, the variance of the true rate between stretches of the
// same length, which the history measures on its own stretches (see
// DriftVariance): the more the rate moves between quarters, the less the
// history counts. With the Korean replay's 10% random stratum (one
// inspection a day), the quarter's own estimate rests on some 13 irregular
// outcomes; the history's random stratum holds some 900 outcomes.
type Pooled struct {
	History []DayTally
	// Drift is the variance of the rate between stretches (DriftVariance);
	// +Inf gives the history no weight.
	Drift float64
}

// Combine returns the pooled rate of days and the weight the stretch's own
// estimate gets (1 − weight goes to the history); NaN without a random
// stratum in the stretch.
func (pl *Pooled) Combine(days []DayTally) (p, w float64) {
	pt, vt := Rate(days)
	if math.IsNaN(pt) {
		return math.NaN(), math.NaN()
	}
	ph, vh := Rate(pl.History)
	if math.IsNaN(ph) || math.IsInf(pl.Drift, 1) || math.IsNaN(pl.Drift) {
		return pt, 1
	}
	vh += pl.Drift
	if vt+vh == 0 {
		return pt, 1
	}
	w = vh / (vt + vh)
	return w*pt + (1-w)*ph, w
}

// DriftVariance estimates from the history's days how much the true
// irregular rate moves between stretches of span days: the history cut into
// consecutive stretches of span days (a last one shorter than span/2 is
// dropped), the variance of their rates minus their mean sampling variance
// (the method of moments), at least 0. With fewer than 3 stretches it
// cannot tell and returns +Inf (the history then gets no weight).
func DriftVariance(history []DayTally, span int) float64 {
	var ps, vs []float64
	for from := 0; from < len(history); from += max(span, 1) {
		to := min(from+span, len(history))
		if 2*(to-from) < span {
			break
		}
		p, v := Rate(history[from:to])
		if !math.IsNaN(p) {
			ps, vs = append(ps, p), append(vs, v)
		}
	}
	if len(ps) < 3 {
		return math.Inf(1)
	}
	var mp, mv float64
	for i := range ps {
		mp += ps[i]
		mv += vs[i]
	}
	mp /= float64(len(ps))
	mv /= float64(len(ps))
	var ss float64
	for _, p := range ps {
		ss += (p - mp) * (p - mp)
	}
	return math.Max(0, ss/float64(len(ps)-1)-mv)
}

// BootstrapDetectionPooled returns the pooled detection estimate over days
// [from, to): found / (pooled rate × declarations), capped at 1, with a 95%
// interval. b bootstrap resamples redraw the stretch's days and the
// history's days (with replacement) and give the variance of the log of the
// estimated irregular total; the drift the history may carry into the
// stretch, (1 − w)² · Drift / rate², is added to it (no resample of the
// history can show it), and the interval is the estimate × exp(±1.96 sd).
// NaN without a random stratum.
func (e *Estimator) BootstrapDetectionPooled(from, to, b int, seed uint64, rep int, pl *Pooled) Interval {
	from, to = min(from, len(e.days)), min(to, len(e.days))
	nan := Interval{Est: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	days := e.days[from:to]
	p, w := pl.Combine(days)
	t := e.Total(from, to)
	if math.IsNaN(p) || p <= 0 || t.N == 0 {
		return nan
	}
	iv := Interval{Est: math.Min(1, t.Found/(p*t.N)), Lo: math.NaN(), Hi: math.NaN()}
	n, nh := len(days), len(pl.History)
	if n < 2 || b < 2 {
		return iv
	}
	r := Stream(seed, rep, PurposeBootstrap)
	rs := make([]DayTally, n)
	hs := make([]DayTally, nh)
	bp := Pooled{History: hs, Drift: pl.Drift}
	var sum, sum2, k float64
	for range b {
		var tn float64
		for i := range rs {
			rs[i] = days[r.IntN(n)]
			tn += rs[i].N
		}
		for i := range hs {
			hs[i] = pl.History[r.IntN(nh)]
		}
		if nh == 0 {
			bp.History = nil
		}
		pb, _ := bp.Combine(rs)
		if pb > 0 && tn > 0 {
			x := math.Log(pb * tn)
			sum += x
			sum2 += x * x
			k++
		}
	}
	if k < 2 {
		return iv
	}
	v := math.Max(0, (sum2-sum*sum/k)/(k-1))
	if !math.IsInf(pl.Drift, 1) && !math.IsNaN(pl.Drift) {
		v += (1 - w) * (1 - w) * pl.Drift / (p * p)
	}
	sd := math.Sqrt(v)
	iv.Lo, iv.Hi = iv.Est*math.Exp(-1.96*sd), math.Min(1, iv.Est*math.Exp(1.96*sd))
	return iv
}
