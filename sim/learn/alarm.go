package learn

import "math"

// The adaptive policy's drift alarm: two change detectors on observed
// outcomes only (Drift on the random stratum, Shortfall on the targeted
// inspections against the model's predictions) and the level held between
// them (Alarm), shared by the Selector and the simulator's targeting.

// Drift is a change detector on the hit rate of the random stratum: a fast
// and a slow exponentially weighted mean of its outcomes. When fraud appears
// where the targeting does not look, random inspections find it first, and the
// fast mean rises above the slow one. The signal uses only revealed outcomes of
// randomly chosen declarations, which no targeting choice biases.
type Drift struct {
	fast, slow float64
	n          int
}

// Drift smoothing: the fast mean weighs the last ~200 random-stratum outcomes,
// the slow one the last ~2,000.
const (
	driftFast = 0.005
	driftSlow = 0.0005
	// driftFrom and driftFull are the standardized rises at which the
	// random share starts to open and is fully open.
	driftFrom = 2.5
	driftFull = 4
)

// Shortfall is a change detector on the targeted inspections' outcomes
// against the model's own predictions: a fast and a slow exponentially
// weighted mean of the residual y − p̂ (the outcome minus the probability
// the model gave the declaration just before learning its outcome). A
// threat that leaves the cells the model targets makes the targeted
// inspections find less than predicted: the fast mean falls below the slow
// one within days, long before a small random stratum has found the
// threat's new route. Residuals, not hits, so that the policy's own
// exploration (inspecting where the model predicts less) raises no alarm.
// It reads only revealed outcomes of the policy's own inspections and its
// own predictions, and starts after shortfallWarm outcomes, once the slow
// mean has a baseline (a model still learning its first cells moves its
// residuals too).
type Shortfall struct {
	fast, slow, hit float64
	n               int
	level           float64 // Level, set by Add
}

// Shortfall smoothing: the fast mean weighs the last ~500 targeted outcomes
// (about four days at narcotics-drift's port), the slow one the last ~5,000.
const (
	shortfallFast = 0.002
	shortfallSlow = 0.0002
	shortfallWarm = 5000
	// shortfallFrom and shortfallFull are the standardized falls at which
	// the level starts to open and is fully open.
	shortfallFrom = 2.5
	shortfallFull = 4
)

// outcome is 1 for an irregular outcome, 0 otherwise.
func outcome(irregular bool) float64 {
	if irregular {
		return 1
	}
	return 0
}

// ewmaStep is the weight of the n-th value (from 1) in an exponentially
// weighted mean of weight a: 1/n until n reaches 1/a, so that the mean is
// the plain mean of the first values rather than leaning on the first one
// (which would make a slow mean lag for its whole memory, a false alarm).
func ewmaStep(a float64, n int) float64 { return math.Max(a, 1/float64(n)) }

// ewmaSE is the standard error of an exponentially weighted mean of weight a
// of outcomes with rate p (kept in [0.01, 0.99]): √(p(1−p)·a/(2−a)).
func ewmaSE(p, a float64) float64 {
	p = math.Min(0.99, math.Max(0.01, p))
	return math.Sqrt(p * (1 - p) * a / (2 - a))
}

// ramp maps a standardized change z to [0, 1]: 0 up to from, 1 from full.
func ramp(z, from, full float64) float64 {
	return math.Min(1, math.Max(0, (z-from)/(full-from)))
}

// Add adds one targeted outcome and the probability the model gave it.
func (s *Shortfall) Add(irregular bool, p float64) {
	y := outcome(irregular)
	r := y - p
	s.n++
	s.fast += ewmaStep(shortfallFast, s.n) * (r - s.fast)
	s.slow += ewmaStep(shortfallSlow, s.n) * (r - s.slow)
	s.hit += ewmaStep(shortfallSlow, s.n) * (y - s.hit)
	s.level = ramp(s.Z(), shortfallFrom, shortfallFull)
}

// Z returns the fast mean's fall below the slow one in standard errors of
// the fast mean (from the slow hit rate's binomial variance); 0 until
// shortfallWarm outcomes have been added.
func (s *Shortfall) Z() float64 {
	if s.n < shortfallWarm {
		return 0
	}
	return (s.slow - s.fast) / ewmaSE(s.hit, shortfallFast)
}

// Level maps Z to [0, 1]: 0 up to shortfallFrom standard errors, 1 from
// shortfallFull. It is computed by Add (a policy reads it per declaration).
func (s *Shortfall) Level() float64 { return s.level }

// Add adds one random-stratum outcome.
func (d *Drift) Add(irregular bool) {
	y := outcome(irregular)
	d.n++
	d.fast += ewmaStep(driftFast, d.n) * (y - d.fast)
	d.slow += ewmaStep(driftSlow, d.n) * (y - d.slow)
}

// Z returns the fast mean's rise above the slow one in standard errors of the
// fast mean (an EWMA with weight a has variance p(1−p)·a/(2−a)).
func (d *Drift) Z() float64 {
	if d.n < 200 {
		return 0
	}
	return (d.fast - d.slow) / ewmaSE(d.slow, driftFast)
}

// Level maps Z to [0, 1]: 0 up to driftFrom standard errors, 1 at
// driftFull or more.
func (d *Drift) Level() float64 { return ramp(d.Z(), driftFrom, driftFull) }

// AlarmHold is the factor by which the adaptive policy's held shortfall
// alarm decays each day without a new shortfall: a half-life of about two
// weeks, so that exploration stays open while the model relearns.
const AlarmHold = 0.95

// Alarm is the adaptive policy's drift alarm: the shortfall of its targeted
// inspections, the drift of its random stratum, and the shortfall level held
// since (it fades as soon as the targeting has moved away from a lost route,
// so the alarm keeps it for a while). A ranking reads Held, which changes
// only at Hold (a caller holds it where it re-scores: each day, each model
// update); the random share reads Level.
type Alarm struct {
	short Shortfall
	drift Drift
	held  float64
}

// Targeted adds a targeted inspection's outcome and the probability the
// model gave it before learning it.
func (a *Alarm) Targeted(irregular bool, p float64) { a.short.Add(irregular, p) }

// Random adds a random-stratum inspection's outcome.
func (a *Alarm) Random(irregular bool) { a.drift.Add(irregular) }

// Hold takes the shortfall level into the held alarm after days days: the
// larger of the shortfall level now and the held level decayed by
// AlarmHold a day.
func (a *Alarm) Hold(days float64) {
	a.held = math.Max(a.short.Level(), a.held*math.Pow(AlarmHold, days))
}

// Held returns the held alarm, in [0, 1].
func (a *Alarm) Held() float64 { return a.held }

// Shortfall returns the targeted outcomes' shortfall level now, in [0, 1].
func (a *Alarm) Shortfall() float64 { return a.short.Level() }

// Level returns the alarm in [0, 1]: the largest of the random stratum's
// drift level, the held alarm and the shortfall level now.
func (a *Alarm) Level() float64 {
	return math.Max(a.drift.Level(), math.Max(a.held, a.short.Level()))
}
