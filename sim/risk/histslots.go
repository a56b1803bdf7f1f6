package risk

import (
	"cmp"
	"math"
	"slices"
)

// histSlot holds the rules that are one history test alone (Engine.hist)
// on one history slot as three threshold tables, so that a declaration's
// hits on the slot are a few comparisons and three masks, however many
// rules test it (a rule set tests a key for several tiers of its past rate).
//
// Each table splits the line of one quantity (the count n, the irregular
// count k, the rate k/n) at the distinct bounds its rules use; a rule's
// bound is one of the split points, so within one interval each rule's test
// on the quantity holds or fails as a whole, and the interval's mask is the
// set of the rules whose test holds there.
type histSlot struct {
	slot  uint8
	n, k  thresholds[uint64]
	rate  thresholds[float64]
	rated RuleSet // the rules with rate bounds: they fail when n is 0
}

// thresholds is one quantity's split points t (ascending, distinct) and,
// per interval i (the values v with i of the points at or below v), the set
// of rules whose test on the quantity holds in it: len(t)+1 masks.
type thresholds[T cmp.Ordered] struct {
	t []T
	m []RuleSet
}

// mask returns the rules whose test on the quantity holds for v (counting
// the points at or below v without a branch: a few at most), by pointer:
// the caller reads its two words one by one (a RuleSet copied whole goes
// through the stack and stalls).
func (th *thresholds[T]) mask(v T) *RuleSet {
	i := 0
	for _, t := range th.t {
		i += int(bit(v >= t))
	}
	return &th.m[i]
}

// interval is a rule's test on one quantity: it holds for lo <= v < hi
// (hi nil: no upper bound).
type interval[T cmp.Ordered] struct {
	rule   int
	lo, hi T
	upper  bool
	always bool // the rule does not test this quantity
}

func newThresholds[T cmp.Ordered](tests []interval[T]) thresholds[T] {
	var th thresholds[T]
	for _, it := range tests {
		if it.always {
			continue
		}
		th.t = append(th.t, it.lo)
		if it.upper {
			th.t = append(th.t, it.hi)
		}
	}
	slices.Sort(th.t)
	th.t = slices.Compact(th.t)
	th.m = make([]RuleSet, len(th.t)+1)
	for i := range th.m {
		for _, it := range tests {
			holds := it.always
			if !holds {
				// Interval i is [t[i-1], t[i]): lo <= v there when lo is
				// one of the first i points; v < hi when hi is not.
				lo, _ := slices.BinarySearch(th.t, it.lo)
				holds = lo < i
				if it.upper {
					hi, _ := slices.BinarySearch(th.t, it.hi)
					holds = holds && i <= hi
				}
			}
			if holds {
				th.m[i].Add(it.rule)
			}
		}
	}
	return th
}

// histSlots groups the history rules by slot (in the order of their first
// rule); ok is false when a rate bound is NaN (the rules then keep the
// rule-by-rule loop).
func histSlots(hist []histRule) (slots []histSlot, ok bool) {
	var order []uint8
	by := map[uint8][]histRule{}
	for _, h := range hist {
		if math.IsNaN(h.lo) || math.IsNaN(h.hi) {
			return nil, false
		}
		if _, seen := by[h.slot]; !seen {
			order = append(order, h.slot)
		}
		by[h.slot] = append(by[h.slot], h)
	}
	for _, s := range order {
		hs := histSlot{slot: s}
		var n, k []interval[uint64]
		var rate []interval[float64]
		for _, h := range by[s] {
			i := int(h.w)<<6 | int(h.b)
			// minCount <= n <= maxCount, as n < maxCount+1 (no overflow in 64 bits).
			n = append(n, interval[uint64]{rule: i, lo: uint64(h.minCount), hi: uint64(h.maxCount) + 1, upper: true})
			k = append(k, interval[uint64]{rule: i, lo: uint64(h.minIrr)})
			if h.rate {
				rate = append(rate, interval[float64]{rule: i, lo: h.lo, hi: h.hi, upper: true})
				hs.rated.Add(i)
			} else {
				rate = append(rate, interval[float64]{rule: i, always: true})
			}
		}
		hs.n, hs.k, hs.rate = newThresholds(n), newThresholds(k), newThresholds(rate)
		slots = append(slots, hs)
	}
	return slots, true
}

// hits returns the rules of the slot that hold for x (x.rate set), as the
// two words of a RuleSet: returned in registers (an array result goes
// through memory, and reading it back as one stalls).
func (hs *histSlot) hits(x *Extra) (uint64, uint64) {
	n, k := x.Count[hs.slot&(MaxHistories-1)], x.Irregular[hs.slot&(MaxHistories-1)]
	mn, mk := hs.n.mask(uint64(n)), hs.k.mask(uint64(k))
	mr := hs.rate.mask(x.rate[hs.slot&(MaxHistories-1)]) // stale when n is 0: the rated rules are then dropped
	nz := -uint64(bit(n > 0))
	return mn[0] & mk[0] & mr[0] &^ (hs.rated[0] &^ nz),
		mn[1] & mk[1] & mr[1] &^ (hs.rated[1] &^ nz)
}

// histHits returns the rules of hist that hold for x (x.rate set), as the
// two words of a RuleSet, rule by rule, each setting its hit bit without a branch on the data, which make
// it unpredictable; the hit bits gather in registers (or-ing each into a
// RuleSet in memory would chain every rule through a load and a store of
// the same word).
func histHits(hist []histRule, x *Extra) (uint64, uint64) {
	var h0, h1 uint64
	for j := range hist {
		h := &hist[j]
		n, k := x.Count[h.slot], x.Irregular[h.slot]
		ok := bit(n >= h.minCount) & bit(n <= h.maxCount) & bit(k >= h.minIrr)
		if h.rate { // a property of the rule: predictable
			r := x.rate[h.slot] // stale when n is 0, and then not used
			ok &= bit(n > 0) & bit(r >= h.lo) & bit(r < h.hi)
		}
		m := ok << h.b
		w1 := -uint64(h.w) // all ones for word 1
		h0 |= m &^ w1
		h1 |= m & w1
	}
	return h0, h1
}
