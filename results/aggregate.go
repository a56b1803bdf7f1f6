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

// Aggregate returns, for every metric in order, its mean and confidence
// interval at level Confidence across reps. Each replication must hold one
// value per metric.
func Aggregate(metrics []Metric, reps []Replication) ([]Estimate, error) {
	for _, r := range reps {
		if len(r.Values) != len(metrics) {
			return nil, fmt.Errorf("replication %d has %d values for %d metrics", r.Rep, len(r.Values), len(metrics))
		}
	}
	out := make([]Estimate, len(metrics))
	x := make([]float64, 0, len(reps))
	for i, m := range metrics {
		x = x[:0]
		for _, r := range reps {
			if v := r.Values[i]; !math.IsNaN(v) {
				x = append(x, v)
			}
		}
		out[i] = Estimate{Metric: m, Interval: meanCI(x, Confidence)}
	}
	return out, nil
}
