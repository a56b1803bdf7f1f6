package results

import (
	"pilotsim/metric"

	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Difference is one metric's difference B − A between two scenarios, with its
// confidence interval at level Confidence. For a paired difference the
// interval is over the per-replication differences B_r − A_r (both scenarios
// run with the same seeds, so replication r of each saw the same consignments);
// for an unpaired one it is Welch's interval for a difference of two
// independent means.
type Difference struct {
	Metric
	Interval
	// ExcludesZero reports that the interval lies entirely above or below
	// zero: the difference is significant at level Confidence. It is false
	// when there is no interval (fewer than two replications).
	ExcludesZero bool
}

// excludesZero reports whether iv has bounds and lies strictly on one side of 0.
func excludesZero(iv Interval) bool {
	return iv.N >= 2 && (iv.Low > 0 || iv.High < 0)
}

// PairedDifferences returns, for every metric of a that b also has (matched by
// name, in a's order), the paired difference B − A across replications:
// replication r of b is paired with replication r of a, and a pair counts only
// when the metric is defined in both. Each replication number must appear in
// both a and b.
//
// With common random numbers the two members of a pair share most of their
// noise, so the interval is much narrower than the unpaired one for the same
// number of replications. Identical inputs give exactly zero with a
// zero-width interval.
func PairedDifferences(ma []Metric, a []Replication, mb []Metric, b []Replication) ([]Difference, error) {
	if err := sameReps(a, b); err != nil {
		return nil, err
	}
	byRep := make(map[int]Replication, len(b))
	for _, r := range b {
		byRep[r.Rep] = r
	}
	bIndex := metricIndex(mb)
	out := make([]Difference, 0, len(ma))
	d := make([]float64, 0, len(a))
	for i, m := range ma {
		j, ok := bIndex[m.Key]
		if !ok {
			continue
		}
		d = d[:0]
		for _, ra := range a {
			rb := byRep[ra.Rep]
			if i >= len(ra.Values) || j >= len(rb.Values) {
				return nil, fmt.Errorf("replication %d: fewer values than metrics", ra.Rep)
			}
			va, vb := ra.Values[i], rb.Values[j]
			if math.IsNaN(va) || math.IsNaN(vb) {
				continue
			}
			d = append(d, vb-va)
		}
		iv := clipDifference(m.Unit, MeanCI(d, Confidence))
		out = append(out, Difference{Metric: m, Interval: iv, ExcludesZero: excludesZero(iv)})
	}
	return out, nil
}

// UnpairedDifferences returns, for every metric of a that b also has, the
// difference of means B − A treating the two sets of replications as
// independent samples (Welch's t interval, Welch–Satterthwaite degrees of
// freedom). It is what a comparison without common random numbers can claim,
// and the yardstick against which pairing is measured.
func UnpairedDifferences(ma []Metric, a []Replication, mb []Metric, b []Replication) []Difference {
	bIndex := metricIndex(mb)
	out := make([]Difference, 0, len(ma))
	for i, m := range ma {
		j, ok := bIndex[m.Key]
		if !ok {
			continue
		}
		iv := clipDifference(m.Unit, welch(column(a, i), column(b, j), Confidence))
		out = append(out, Difference{Metric: m, Interval: iv, ExcludesZero: excludesZero(iv)})
	}
	return out
}

// clipDifference cuts the interval of a difference of two fractions to
// [−1, 1], where every such difference lies: the part outside can contain no
// true value, so cutting it changes no coverage (docs/statistics.md). Other
// units are left as they are.
func clipDifference(u metric.Unit, iv Interval) Interval {
	if u == metric.Fraction && iv.N >= 2 {
		iv.Low, iv.High = math.Max(iv.Low, -1), math.Min(iv.High, 1)
	}
	return iv
}

// welch is the Welch interval for mean(y) − mean(x); N is the smaller sample
// size (the interval needs at least two values on each side).
func welch(x, y []float64, level float64) Interval {
	nx, ny := len(x), len(y)
	if nx == 0 || ny == 0 {
		return Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
	}
	mx, vx := stat.MeanVariance(x, nil)
	my, vy := stat.MeanVariance(y, nil)
	iv := Interval{Mean: my - mx, N: min(nx, ny)}
	if nx < 2 || ny < 2 {
		iv.Low, iv.High = math.NaN(), math.NaN()
		return iv
	}
	sx, sy := vx/float64(nx), vy/float64(ny)
	se := math.Sqrt(sx + sy)
	if se == 0 {
		iv.Low, iv.High = iv.Mean, iv.Mean
		return iv
	}
	df := (sx + sy) * (sx + sy) / (sx*sx/float64(nx-1) + sy*sy/float64(ny-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - (1-level)/2)
	iv.Low, iv.High = iv.Mean-t*se, iv.Mean+t*se
	return iv
}

// column returns metric i's defined values across reps.
func column(reps []Replication, i int) []float64 {
	x := make([]float64, 0, len(reps))
	for _, r := range reps {
		if i < len(r.Values) && !math.IsNaN(r.Values[i]) {
			x = append(x, r.Values[i])
		}
	}
	return x
}

func metricIndex(ms []Metric) map[metric.Key]int { return metric.Index(ms) }

// sameReps checks that a and b hold the same replication numbers, each once.
func sameReps(a, b []Replication) error {
	seen := make(map[int]int, len(a))
	for _, r := range a {
		seen[r.Rep]++
		if seen[r.Rep] > 1 {
			return fmt.Errorf("replication %d appears twice in the first scenario", r.Rep)
		}
	}
	for _, r := range b {
		switch seen[r.Rep] {
		case 0:
			return fmt.Errorf("replication %d ran for the second scenario only: pairs need the same replications", r.Rep)
		case 2:
			return fmt.Errorf("replication %d appears twice in the second scenario", r.Rep)
		}
		seen[r.Rep] = 2
	}
	for _, r := range a {
		if seen[r.Rep] == 1 {
			return fmt.Errorf("replication %d ran for the first scenario only: pairs need the same replications", r.Rep)
		}
	}
	return nil
}
