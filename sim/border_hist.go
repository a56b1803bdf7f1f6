package sim

import "math"

// The release-time distribution is kept in a histogram of fixed size, so
// memory does not grow with the number of consignments. Bins are log-spaced
// in the way of HDR histograms: the bin of x > 0 is its float64 exponent and
// the top borderHistSubBits bits of its mantissa, so each power of two is cut
// into 128 equal bins. A quantile is reported as the midpoint of its bin
// (clamped to the exact minimum and maximum), which is within
// BorderHistRelError = 2^-8 ≈ 0.39% of the exact order statistic. Mean and
// maximum are exact.
const (
	borderHistSubBits = 7
	borderHistMinExp  = -20 // values below 2^-20 minutes (0.06 ms) share one underflow bin
	borderHistMaxExp  = 24  // values from 2^24 minutes (32 years) on share one overflow bin
	borderHistZero    = 0   // bin of x <= 0
	borderHistUnder   = 1   // bin of 0 < x < 2^borderHistMinExp
	borderHistFirst   = 2   // first regular bin
	borderHistBins    = borderHistFirst + (borderHistMaxExp-borderHistMinExp)<<borderHistSubBits + 1
	borderHistOver    = borderHistBins - 1
	borderHistBaseKey = uint64(borderHistMinExp+1023) << borderHistSubBits
	borderHistShift   = 52 - borderHistSubBits
)

// BorderHistRelError is the largest relative error of a release-time
// percentile (median, p90, p95) against the exact order statistic of the same
// rank, for values between 2^-20 and 2^24 minutes.
const BorderHistRelError = 1.0 / (1 << (borderHistSubBits + 1))

// borderDist accumulates a distribution of non-negative values: exact count,
// sum, minimum and maximum, and a histogram for quantiles.
type borderDist struct {
	n        int64
	sum      float64
	min, max float64
	counts   [borderHistBins]uint64
}

func (d *borderDist) reset() {
	*d = borderDist{min: math.Inf(1), max: math.Inf(-1)}
}

// borderHistBin returns the bin of x.
func borderHistBin(x float64) int {
	if !(x > 0) {
		return borderHistZero
	}
	key := math.Float64bits(x) >> borderHistShift
	if key < borderHistBaseKey {
		return borderHistUnder
	}
	i := int(key-borderHistBaseKey) + borderHistFirst
	if i > borderHistOver {
		return borderHistOver
	}
	return i
}

// borderHistValue returns the value reported for bin i: the bin's midpoint.
func borderHistValue(i int) float64 {
	switch i {
	case borderHistZero:
		return 0
	case borderHistUnder:
		return math.Ldexp(1, borderHistMinExp-1)
	case borderHistOver:
		return math.Ldexp(1, borderHistMaxExp)
	}
	key := uint64(i-borderHistFirst) + borderHistBaseKey
	lo := math.Float64frombits(key << borderHistShift)
	hi := math.Float64frombits((key + 1) << borderHistShift)
	return (lo + hi) / 2
}

func (d *borderDist) add(x float64) {
	d.n++
	d.sum += x
	if x < d.min {
		d.min = x
	}
	if x > d.max {
		d.max = x
	}
	d.counts[borderHistBin(x)]++
}

// merge adds o's values to d.
func (d *borderDist) merge(o *borderDist) {
	d.n += o.n
	d.sum += o.sum
	d.min = math.Min(d.min, o.min)
	d.max = math.Max(d.max, o.max)
	for i, c := range o.counts {
		d.counts[i] += c
	}
}

func (d *borderDist) mean() float64 {
	if d.n == 0 {
		return math.NaN()
	}
	return d.sum / float64(d.n)
}

func (d *borderDist) maximum() float64 {
	if d.n == 0 {
		return math.NaN()
	}
	return d.max
}

// quantile returns the p-quantile in the sense of the empirical distribution
// (the order statistic of rank ceil(p·n), 1-based), within
// BorderHistRelError; NaN when empty.
func (d *borderDist) quantile(p float64) float64 {
	if d.n == 0 {
		return math.NaN()
	}
	k := int64(math.Ceil(p * float64(d.n)))
	k = max(1, min(k, d.n))
	var cum int64
	for i, c := range d.counts {
		cum += int64(c)
		if cum >= k {
			return math.Max(d.min, math.Min(d.max, borderHistValue(i)))
		}
	}
	return d.max
}
