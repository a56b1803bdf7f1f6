package results

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/metric"
)

// Confidence is the level of every confidence interval results reports.
const Confidence = 0.95

// Units of metrics, as the engine names them.
const (
	UnitCount    = metric.Count
	UnitFraction = metric.Fraction
	UnitHours    = metric.Hours
	UnitCurrency = metric.Currency
)

// Metric is the definition of one figure measured in every replication: the
// engine's typed definition (package metric), shared, not copied.
type Metric = metric.Def

// Replication is what one replication measured (package metric): Values[i]
// is the value of metric i, NaN when undefined in that replication (for
// example a hit rate when nothing was controlled); Den[i] the denominator of a
// counted ratio.
type Replication = metric.Rep

// Interval is a mean across replications with its confidence interval.
// N counts the replications in which the figure was defined; with N = 0 every
// field is NaN, with N = 1 the bounds are NaN (one value gives no interval).
type Interval struct {
	Mean, Low, High float64
	N               int
}

// HalfWidth returns half the width of the interval (NaN when there is none).
func (iv Interval) HalfWidth() float64 { return (iv.High - iv.Low) / 2 }

// MeanCI returns the mean of values and its two-sided confidence interval at
// level (0.95 for 95 %) from the Student t distribution with n-1 degrees of
// freedom. NaN values (undefined in a replication) are left out and N counts
// the rest.
func MeanCI(values []float64, level float64) Interval {
	defined := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) {
			defined = append(defined, v)
		}
	}
	return meanCI(defined, level)
}

// meanCI is MeanCI on values without NaN.
func meanCI(x []float64, level float64) Interval {
	n := len(x)
	switch n {
	case 0:
		return Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
	case 1:
		return Interval{Mean: x[0], Low: math.NaN(), High: math.NaN(), N: 1}
	}
	mean, sd := stat.MeanStdDev(x, nil)
	// Quantile draws nothing, so the distribution needs no random source.
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-level)/2)
	hw := t * sd / math.Sqrt(float64(n))
	return Interval{Mean: mean, Low: mean - hw, High: mean + hw, N: n}
}

// Estimate is one metric aggregated across replications.
type Estimate struct {
	Metric
	Interval
}

// Asymmetric reports whether the interval is not centred on the mean (a
// fraction's interval near 0 or 1, a count's cut at 0).
func (iv Interval) Asymmetric() bool {
	lo, hi := iv.Mean-iv.Low, iv.High-iv.Mean
	return iv.N >= 2 && math.Abs(hi-lo) > 1e-9*math.Max(1, math.Abs(iv.Mean)) && !math.IsNaN(lo+hi)
}

// Aggregate returns, for every metric in order, its mean and confidence
// interval at level Confidence across reps. Each replication must hold one
// value per metric (and, when it carries denominators, one per metric).
//
// The mean is the mean of the replications' values. The interval depends on
// the unit (docs/statistics.md gives the reasons):
//   - fractions (rates, shares, probabilities): Jeffreys' interval with an
//     effective sample size taken from the variance between replications
//     and reduced for its degrees of freedom (FractionCI); it stays in
//     [0, 1];
//   - counts, currency and loads (ratios that can exceed 1, such as a
//     pool's offered load): Student's t, cut at 0;
//   - other units: Student's t.
func Aggregate(metrics []Metric, reps []Replication) ([]Estimate, error) {
	for _, r := range reps {
		if len(r.Values) != len(metrics) {
			return nil, fmt.Errorf("replication %d has %d values for %d metrics", r.Rep, len(r.Values), len(metrics))
		}
		if r.Den != nil && len(r.Den) != len(metrics) {
			return nil, fmt.Errorf("replication %d has %d denominators for %d metrics", r.Rep, len(r.Den), len(metrics))
		}
	}
	out := make([]Estimate, len(metrics))
	x := make([]float64, 0, len(reps))
	den := make([]float64, 0, len(reps))
	for i, m := range metrics {
		x, den = x[:0], den[:0]
		for _, r := range reps {
			if v := r.Values[i]; !math.IsNaN(v) {
				x = append(x, v)
				if m.Counted && r.Den != nil {
					den = append(den, r.Den[i])
				}
			}
		}
		if len(den) != len(x) {
			den = den[:0]
		}
		out[i] = Estimate{Metric: m, Interval: estimateCI(m.Unit, x, den, Confidence)}
	}
	idx := metric.Index(metrics)
	if i, ok := idx[metric.Key{Family: metric.Lift, Stat: metric.Estimate}]; ok {
		sel, okS := idx[metric.Key{Family: metric.Hit, Subject: "reason", Part: "selected"}]
		rnd, okR := idx[metric.Key{Family: metric.Hit, Subject: "reason", Part: "random"}]
		if okS && okR {
			out[i].Interval = LiftCI(reps, sel, rnd, Confidence)
		}
	}
	return out, nil
}

// LiftCI estimates the lift of risk selection over random selection from
// replications whose metrics sel and rnd are the counted hit rates of the
// risk-selected and of the random controls: the ratio of the two strata's
// pooled hit rates, L = (Σa/Σb) / (Σc/Σd) (a found of b risk-selected
// controls, c found of d random ones, summed over replications), with a
// confidence interval at level on the log scale from the between-replication
// variance of its linearisation (the delta method with replications as
// clusters): Var(log L) = R/(R−1) Σ_r u_r², u_r = a_r/Σa − b_r/Σb − c_r/Σc +
// d_r/Σd, and Student's t on R−1 degrees of freedom. N counts the
// replications with both strata controlled; L is NaN when the random
// controls found nothing.
func LiftCI(reps []Replication, sel, rnd int, level float64) Interval {
	nan := math.NaN()
	type counts struct{ a, b, c, d float64 }
	var cs []counts
	var sum counts
	for _, r := range reps {
		if r.Den == nil || math.IsNaN(r.Values[sel]) || math.IsNaN(r.Values[rnd]) {
			continue
		}
		c := counts{math.Round(r.Values[sel] * r.Den[sel]), r.Den[sel], math.Round(r.Values[rnd] * r.Den[rnd]), r.Den[rnd]}
		cs = append(cs, c)
		sum.a, sum.b, sum.c, sum.d = sum.a+c.a, sum.b+c.b, sum.c+c.c, sum.d+c.d
	}
	iv := Interval{Mean: nan, Low: nan, High: nan, N: len(cs)}
	if len(cs) == 0 || sum.c == 0 || sum.a == 0 {
		if len(cs) > 0 && sum.c > 0 {
			iv.Mean = 0 // risk selection found nothing
		}
		return iv
	}
	iv.Mean = (sum.a / sum.b) / (sum.c / sum.d)
	r := len(cs)
	if r < 2 {
		return iv
	}
	var ss float64
	for _, c := range cs {
		u := c.a/sum.a - c.b/sum.b - c.c/sum.c + c.d/sum.d
		ss += u * u
	}
	se := math.Sqrt(float64(r) / float64(r-1) * ss)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(r - 1)}.Quantile(1 - (1-level)/2)
	iv.Low, iv.High = iv.Mean*math.Exp(-t*se), iv.Mean*math.Exp(t*se)
	return iv
}

// estimateCI is the interval of a metric of unit u from its defined values x
// (and, for a counted ratio, their denominators den, else empty).
func estimateCI(u metric.Unit, x, den []float64, level float64) Interval {
	switch u {
	case metric.Fraction:
		return FractionCI(x, den, level)
	case metric.Count, metric.Currency, metric.Load, metric.Hours:
		iv := meanCI(x, level)
		if iv.N >= 2 && iv.Low < 0 && iv.Mean >= 0 {
			// A count, an amount, a load or a time (every metric in hours
			// is a duration) is never negative: the part below 0 covers
			// nothing.
			iv.Low = 0
		}
		return iv
	}
	return meanCI(x, level)
}

// FractionCI returns the mean of per-replication fractions p (each in [0, 1])
// and a confidence interval at level that stays in [0, 1]: Jeffreys'
// interval (the equal-tailed interval of the Beta(x+½, n−x+½) distribution,
// as modified by Brown, Cai and DasGupta 2001) for the mean p̄ with an
// effective sample size
//
//	n* = p̄(1−p̄) / (s²/R),
//
// the number of independent Bernoulli trials whose proportion would vary as
// much as p̄ does between replications (s² is the sample variance of the R =
// len(p) values), reduced for the degrees of freedom of s² as Korn and
// Graubard (1998) do, n = n*·(z/t)² with t Student's quantile on R−1 degrees
// of freedom and z the normal one, and x = p̄·n. The lower bound is 0 when
// x ≤ 1 and the upper bound 1 when x ≥ n−1 (Brown, Cai and DasGupta's
// modification, which keeps coverage near 0 and 1). The between-replication
// variance carries all the overdispersion (trader population, traffic) a
// pooled binomial count would miss.
//
// When the replications do not vary (s² = 0: every replication found
// nothing, or found the same share) the variance cannot be estimated; where
// the denominators den are known (counted ratios) the interval is then
// Jeffreys' for the binomial size R² / Σ 1/n_r, the size whose binomial
// variance equals that of a mean of R ratios, with no reduction (the
// variance is the known binomial one). Without denominators it is the single
// value.
func FractionCI(p, den []float64, level float64) Interval {
	iv := meanCI(p, level)
	r := len(p)
	if r < 2 || !(iv.Mean >= 0 && iv.Mean <= 1) {
		return iv // (values outside [0, 1] are no fractions: the t interval)
	}
	mean := iv.Mean
	nBinom := math.Inf(1)
	if len(den) == r {
		var inv float64
		for _, n := range den {
			inv += 1 / n
		}
		if inv > 0 {
			nBinom = float64(r) * float64(r) / inv
		}
	}
	v := stat.Variance(p, nil) / float64(r)
	q := mean * (1 - mean)
	var n float64
	switch {
	case v > 0 && q > 0:
		z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(r - 1)}.Quantile(1 - (1-level)/2)
		n = q / v * (z / t) * (z / t)
	case nBinom > 0 && !math.IsInf(nBinom, 1):
		n = nBinom
	default:
		iv.Low, iv.High = mean, mean
		return iv
	}
	iv.Low, iv.High = jeffreys(mean, n, level)
	return iv
}

// jeffreys is Jeffreys' interval at level for a proportion p of n trials
// (n need not be whole), with Brown, Cai and DasGupta's modification at the
// ends; it always holds p.
func jeffreys(p, n, level float64) (low, high float64) {
	if n > 1e12 {
		// The Beta is then the normal to far more digits than any figure
		// shows (and its quantile function would lose them).
		h := distuv.UnitNormal.Quantile(1-(1-level)/2) * math.Sqrt(p*(1-p)/n)
		return math.Max(0, p-h), math.Min(1, p+h)
	}
	x := p * n
	b := distuv.Beta{Alpha: x + 0.5, Beta: n - x + 0.5}
	low, high = 0, 1
	if x > 1 {
		low = b.Quantile((1 - level) / 2)
	}
	if x < n-1 {
		high = b.Quantile(1 - (1-level)/2)
	}
	return math.Max(0, math.Min(p, low)), math.Min(1, math.Max(p, high))
}
