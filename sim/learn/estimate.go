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

	// For the self-normalized and pooled estimates: the day's
	// declarations and, of those, the ones not targeted (propensity below 1:
	// the population the random stratum samples); RandomW is Σ 1/propensity
	// over the random-stratum inspections revealed, the number of
	// declarations not targeted that they stand for (0 on a day whose
	// stratum drew nobody).
	N, Rest, RandomW float64
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
		if !out[i].Inspect || out[i].Random { // not in the targeted stratum
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
		d.RandomW += 1 / l.Decision.Propensity
		d.Residual += (y - l.Decision.Prob) / l.Decision.Propensity
	}
	if !l.Irregular {
		return
	}
	if !l.Decision.Random {
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
	t.RandomW += d.RandomW
}

// DR returns the doubly robust estimate of the irregular total: targeted
// found + the model's expectation over the rest + the random stratum's
// weighted residuals. It is unbiased whatever the model (the residuals
// correct it), and varies less than IPW when the model is good.
func (t DayTally) DR() float64 { return t.TargetedFound + t.ModelRest + t.Residual }

// Hajek returns the self-normalized (Hájek) estimate of the irregular
// total: targeted found + the declarations not targeted × the random
// stratum's weighted hit rate, Σ (outcome / q) ÷ Σ (1 / q). IPW divides by
// the number of declarations not targeted instead of Σ 1/q, its
// expectation: the ratio form trades IPW's unbiasedness for less variance
// (the days' random draws that happen to be many or few no longer scale
// the total) and gives days whose stratum drew nobody the stratum's rate.
// NaN when no random-stratum outcome has been revealed.
func (t DayTally) Hajek() float64 {
	if t.RandomW == 0 {
		return math.NaN()
	}
	return t.TargetedFound + t.Rest*(t.IPW-t.TargetedFound)/t.RandomW
}

// DetectionHajek returns the detection estimate Found / Hajek, at most 1.
func (t DayTally) DetectionHajek() float64 {
	h := t.Hajek()
	if !(h > 0) {
		return math.NaN()
	}
	return math.Min(1, t.Found/h)
}

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

// BootstrapDetectionHajek is BootstrapDetection for the self-normalized
// estimate.
func (e *Estimator) BootstrapDetectionHajek(from, to, b int, seed uint64, rep int) Interval {
	return e.bootstrap(from, to, b, seed, rep, DayTally.DetectionHajek)
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

// Rate returns the self-normalized (Hájek) estimate of the irregular rate,
// Hajek / N, and its sampling variance: the random stratum is the only
// source of error (the targeted declarations' outcomes are all known), a
// sample of Random of the Rest declarations not targeted each day, so the
// variance is (Rest / RandomW)² · Σ_days Rest²/Random · (1 −
// Random/Rest) · p_r(1 − p_r) / N², with p_r the random stratum's hit rate
// pooled over the days (pooled because a day's stratum holds one or two
// inspections; (hits + ½)/(n + 1) keeps it off 0 and 1). NaN when the days
// have no declarations or no random stratum.
func Rate(days []DayTally) (p, v float64) {
	var t DayTally
	for i := range days {
		t.add(&days[i])
	}
	h := t.Hajek()
	if t.N == 0 || t.Random == 0 || math.IsNaN(h) {
		return math.NaN(), math.NaN()
	}
	pr := (t.RandomHits + 0.5) / (t.Random + 1)
	return h / t.N, rateVariance(days, pr)
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

// Combine returns the pooled rate of days, the weight the stretch's own
// estimate gets (1 − weight goes to the history), and the pooled rate's
// variance, w²·v_stretch + (1 − w)²·(v_history + Drift); NaN without a random
// stratum in the stretch.
//
// The stretch's variance needs the hit rate of its random stratum. Its own
// hits would make the weight depend on the estimate (fewer hits, a lower
// rate, a smaller variance, more weight: a bias towards low totals, hence
// high detection), so with a history the hit rate is the one the history's
// rate implies for the declarations the stretch did not target: (history
// rate × declarations − targeted found) / declarations not targeted.
func (pl *Pooled) Combine(days []DayTally) (p, w, v float64) {
	pt, vt := Rate(days)
	if math.IsNaN(pt) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	ph, vh := Rate(pl.History)
	if math.IsNaN(ph) || math.IsInf(pl.Drift, 1) || math.IsNaN(pl.Drift) {
		return pt, 1, vt
	}
	var n, tf, rest float64
	for i := range days {
		n += days[i].N
		tf += days[i].TargetedFound
		rest += days[i].Rest
	}
	if rest > 0 {
		pr := math.Min(0.99, math.Max(0.01, (ph*n-tf)/rest))
		// pr is a rate of the declarations not targeted.
		vt = rateVariance(days, pr)
	}
	vh += pl.Drift
	if vt+vh == 0 {
		return pt, 1, vt
	}
	w = vh / (vt + vh)
	return w*pt + (1-w)*ph, w, w*w*vt + (1-w)*(1-w)*vh
}

// rateVariance is Rate's variance with the random stratum's hit rate pr.
func rateVariance(days []DayTally, pr float64) float64 {
	var n, s, rest, sampled float64
	for i := range days {
		d := &days[i]
		n += d.N
		rest += d.Rest
		sampled += d.RandomW
		if d.Random > 0 && d.Rest > 0 {
			s += d.Rest * d.Rest / d.Random * math.Max(0, 1-d.Random/d.Rest)
		}
	}
	if n == 0 || sampled == 0 {
		return math.NaN()
	}
	return (rest / sampled) * (rest / sampled) * s * pr * (1 - pr) / (n * n)
}

// DriftVariance estimates from the history's days how much the true
// irregular rate moves between stretches of span days: the history cut into
// consecutive stretches of span days, the variance of their rates minus
// their mean sampling variance (the method of moments). Cutting at one
// offset gives a few stretches and a noisy figure; the estimate is the mean
// of the figures of every weekly offset (0, 7, 14 … days: the cuts of the
// same days, shifted), then at least 0. With fewer than 3 stretches it
// cannot tell and returns +Inf (the history then gets no weight).
func DriftVariance(history []DayTally, span int) float64 {
	span = max(span, 1)
	step := min(7, span)
	var sum float64
	n := 0
	for off := 0; off < span; off += step {
		if d, ok := driftAt(history, span, off); ok {
			sum += d
			n++
		}
	}
	if n == 0 {
		return math.Inf(1)
	}
	return math.Max(0, sum/float64(n))
}

// driftAt is DriftVariance's figure for the stretches starting at day off
// (days before it are left out), before clamping at 0; false with fewer than
// 3 stretches.
func driftAt(history []DayTally, span, off int) (float64, bool) {
	var ps, vs []float64
	for from := off; from+span <= len(history); from += span {
		p, v := Rate(history[from : from+span])
		if !math.IsNaN(p) {
			ps, vs = append(ps, p), append(vs, v)
		}
	}
	if len(ps) < 3 {
		return 0, false
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
	return ss/float64(len(ps)-1) - mv, true
}

// DetectionPooled returns the pooled detection estimate over days
// [from, to): found / (pooled rate × declarations), capped at 1, with a 95%
// interval from the pooled rate's variance (Combine: the stretch's sampling
// error, the history's, and the drift the history may carry into the
// stretch, which includes the stretch's own departure from the long-run
// rate) on the log scale: estimate × exp(±1.96 · sd / rate). NaN without a
// random stratum.
func (e *Estimator) DetectionPooled(from, to int, pl *Pooled) Interval {
	from, to = min(from, len(e.days)), min(to, len(e.days))
	days := e.days[from:to]
	p, _, v := pl.Combine(days)
	t := e.Total(from, to)
	if math.IsNaN(p) || p <= 0 || t.N == 0 {
		return Interval{Est: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	iv := Interval{Est: math.Min(1, t.Found/(p*t.N))}
	sd := math.Sqrt(v) / p
	iv.Lo, iv.Hi = iv.Est*math.Exp(-1.96*sd), math.Min(1, iv.Est*math.Exp(1.96*sd))
	return iv
}
