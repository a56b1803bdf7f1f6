package pilotstat

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is an estimated effect (treated minus control, in the figure's
// own unit) with its standard error and the Student t reference of its test.
type Estimate struct {
	Effect float64 // estimated effect
	SE     float64 // standard error
	DF     float64 // degrees of freedom of the t reference (+Inf: normal)
	N      int     // independent units used (weeks or sites)
}

// ErrTooFew is returned when a design has too few usable units (weeks or
// sites with data) to estimate an effect and its error.
var ErrTooFew = errors.New("too few weeks or sites with data to estimate an effect and its error")

// tDist returns the Student t distribution with df degrees of freedom (the
// normal for df = +Inf or very large).
func tQuantile(p, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return distuv.UnitNormal.Quantile(p)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

func tCDF(x, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return distuv.UnitNormal.CDF(x)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(x)
}

// T returns the t statistic Effect/SE.
func (e Estimate) T() float64 { return e.Effect / e.SE }

// P returns the two-sided p-value of no effect.
func (e Estimate) P() float64 {
	t := math.Abs(e.T())
	if math.IsNaN(t) {
		return math.NaN()
	}
	return 2 * tCDF(-t, e.DF)
}

// Z returns the t statistic mapped to the normal scale with the same
// one-sided tail probability (for sequential boundaries set on the z scale).
func (e Estimate) Z() float64 {
	t := e.T()
	if math.IsNaN(t) {
		return math.NaN()
	}
	p := tCDF(t, e.DF)
	// Keep far tails finite: Φ⁻¹(0) is −Inf.
	p = math.Min(math.Max(p, 1e-300), 1-1e-16)
	return distuv.UnitNormal.Quantile(p)
}

// CI returns the two-sided interval at level (0.95 for 95%).
func (e Estimate) CI(level float64) (lo, hi float64) {
	q := tQuantile(1-(1-level)/2, e.DF)
	return e.Effect - q*e.SE, e.Effect + q*e.SE
}

// Reject reports whether the two-sided test at level alpha rejects no effect.
func (e Estimate) Reject(alpha float64) bool {
	return math.Abs(e.T()) > tQuantile(1-alpha/2, e.DF)
}

// MDE returns the minimum detectable effect of a two-sided test at level
// alpha with the given power, for an estimator with standard error se and a
// t reference with df degrees of freedom: (t_{1−α/2} + t_{power})·se.
func MDE(se, df, alpha, power float64) float64 {
	return (tQuantile(1-alpha/2, df) + tQuantile(power, df)) * se
}

// Power returns the power of a two-sided test at level alpha to detect an
// effect of size effect with an estimator of standard error se (normal
// approximation on the t scale: the chance the statistic falls beyond either
// critical value, shifted by effect/se).
func Power(effect, se, df, alpha float64) float64 {
	if !(se > 0) {
		return math.NaN()
	}
	q := tQuantile(1-alpha/2, df)
	d := math.Abs(effect) / se
	return tCDF(d-q, df) + tCDF(-d-q, df)
}
