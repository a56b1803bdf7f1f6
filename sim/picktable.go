package sim

import (
	"errors"
	"math"
	"math/bits"
)

// pickTable draws an index with probability proportional to a weight, in
// constant time from one 64-bit random number (Walker's alias method, Vose's
// construction). It is built once and read-only afterwards.
type pickTable struct {
	keep  []uint64 // probability of keeping column i, scaled to 2^64
	alias []int32  // the other index of column i
	prob  []float64
}

// newPickTable builds the table for weights w (non-negative, not all zero).
func newPickTable(w []float64) (pickTable, error) {
	n := len(w)
	if n == 0 {
		return pickTable{}, errors.New("no weights")
	}
	total := 0.0
	for _, x := range w {
		if !(x >= 0) || math.IsInf(x, 0) {
			return pickTable{}, errors.New("weights must be non-negative numbers")
		}
		total += x
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return pickTable{}, errors.New("weights must not all be zero, and their sum must be finite")
	}
	t := pickTable{keep: make([]uint64, n), alias: make([]int32, n), prob: make([]float64, n)}
	scaled := make([]float64, n)
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	for i, x := range w {
		t.prob[i] = x / total
		scaled[i] = x / total * float64(n)
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		t.keep[s] = pickScale(scaled[s])
		t.alias[s] = l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// Leftovers are 1 up to rounding: always keep.
	for _, i := range append(small, large...) {
		t.keep[i] = math.MaxUint64
		t.alias[i] = i
	}
	return t, nil
}

// pickScale turns a probability in [0,1] into a threshold on a uniform uint64.
func pickScale(p float64) uint64 {
	if p <= 0 {
		return 0
	}
	if p >= 1 {
		return math.MaxUint64
	}
	return uint64(p * (1 << 64))
}

// pick returns an index for the uniform random number u. The high part of
// u·n chooses the column, the low part (uniform given the column) decides
// between the column and its alias.
func (t *pickTable) pick(u uint64) int {
	hi, lo := bits.Mul64(u, uint64(len(t.keep)))
	if lo < t.keep[hi] {
		return int(hi)
	}
	return int(t.alias[hi])
}

// p returns the probability of index i.
func (t *pickTable) p(i int) float64 { return t.prob[i] }
