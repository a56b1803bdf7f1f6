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
	for i := range out {
		if out[i].Propensity < 1 {
			d.ModelRest += out[i].Prob
		}
	}
}

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
