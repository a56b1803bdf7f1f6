package risk

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestHistSlotsMatchRules checks the threshold tables against each rule's
// own test (histHits) on random rule sets and random counts, the counts
// drawn near the rules' bounds so that every edge is crossed.
func TestHistSlotsMatchRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rates := []float64{0, 0.05, 0.15, 0.3, 1.0 / 3, 0.45, 0.5, 0.6, 0.75, 0.9, 1, math.Inf(1), math.Inf(-1)}
	for trial := range 300 {
		var hist []histRule
		nrules := 1 + rng.IntN(MaxRules)
		for i := range nrules {
			h := histRule{w: uint8(i >> 6), b: uint8(i & 63)}
			h.kind = extraHistory
			h.slot = uint8(rng.IntN(4))
			h.maxCount = math.MaxUint32
			if rng.IntN(3) == 0 {
				h.minCount = uint32(rng.IntN(6))
			}
			if rng.IntN(4) == 0 {
				h.maxCount = uint32(rng.IntN(8))
			}
			if rng.IntN(4) == 0 {
				h.minIrr = uint32(rng.IntN(4))
			}
			if rng.IntN(4) != 0 {
				h.rate = true
				h.lo, h.hi = rates[rng.IntN(len(rates))], math.Inf(1)
				if rng.IntN(3) == 0 {
					h.hi = rates[rng.IntN(len(rates))]
				}
			}
			hist = append(hist, h)
		}
		slots, ok := histSlots(hist)
		if !ok {
			t.Fatalf("trial %d: no tables", trial)
		}
		for range 200 {
			var x Extra
			for s := range 4 {
				n := uint32(rng.IntN(12))
				if rng.IntN(10) == 0 {
					n = math.MaxUint32 - uint32(rng.IntN(2))
				}
				x.Count[s] = n
				if n > 0 {
					x.Irregular[s] = uint32(rng.IntN(int(min(n, 12)) + 1))
				}
			}
			x.rate[3] = 0.7 // stale: slot 3's count may be 0
			for s := range 4 {
				if x.Count[s] > 0 {
					x.rate[s] = float64(x.Irregular[s]) / float64(x.Count[s])
				}
			}
			var got RuleSet
			for i := range slots {
				w0, w1 := slots[i].hits(&x)
				got[0] |= w0
				got[1] |= w1
			}
			w0, w1 := histHits(hist, &x)
			if want := (RuleSet{w0, w1}); got != want {
				t.Fatalf("trial %d: counts %v irregular %v: tables give %x, the rules %x", trial, x.Count[:4], x.Irregular[:4], got, want)
			}
		}
	}
}

// TestHistSlotsNaN: a NaN bound keeps the rule-by-rule loop.
func TestHistSlotsNaN(t *testing.T) {
	hist := []histRule{{extraTest: extraTest{kind: extraHistory, rate: true, lo: math.NaN(), hi: 1, maxCount: math.MaxUint32}}}
	if _, ok := histSlots(hist); ok {
		t.Fatal("tables built with a NaN bound")
	}
}
