package replay

import (
	"math"
	"slices"
)

// Reference is a fixed ranking of the whole replayed file, scored at one
// inspection share as backtest scores a rule set: precision among the top
// share of all rows, and among the top share of the new rows ranked alone.
// References use labels no learning policy sees (every history row's
// outcome); they say what the data allow, not what a policy learned.
type Reference struct {
	Name                string
	Share               float64
	Precision, Recall   float64
	PrecisionNew        float64
	RecallNew           float64
	Inspected, Selected int
}

// References returns, at each share, the rules (scored with every history
// row's outcome, frozen), the rules as pilotsim backtest runs them by default
// (every history outcome and, each day, every earlier replayed day's outcome,
// inspected or not), the exact look-up of the novelty key (the past
// irregular rate of the same goods tuple among all history rows; unseen
// tuples last), and random selection (the base rate).
func References(d *Data, shares []float64) []Reference {
	rate := map[uint64][2]float64{}
	for _, r := range d.History {
		c := rate[r.Tuple]
		c[0]++
		if r.Irregular {
			c[1]++
		}
		rate[r.Tuple] = c
	}
	lookup := make([]float64, len(d.Test))
	rules := make([]float64, len(d.Test))
	live := make([]float64, len(d.Test))
	for i, r := range d.Test {
		rules[i] = r.RuleScore
		live[i] = r.RuleScoreLive
		lookup[i] = -1
		if c, ok := rate[r.Tuple]; ok {
			lookup[i] = c[1] / c[0]
		}
	}
	irr, nNew, irrNew := d.TestCounts()
	var refs []Reference
	for _, sh := range shares {
		for _, c := range []struct {
			name  string
			score []float64
		}{{"rules (full history)", rules}, {"rules (every outcome, daily)", live}, {"exact-tuple look-up", lookup}} {
			ref := Reference{Name: c.name, Share: sh}
			ref.Precision, ref.Recall, ref.Inspected = topShare(d, c.score, sh, false, irr)
			ref.PrecisionNew, ref.RecallNew, ref.Selected = topShare(d, c.score, sh, true, irrNew)
			refs = append(refs, ref)
		}
		refs = append(refs, Reference{Name: "random", Share: sh, Precision: irr / float64(len(d.Test)), Recall: sh,
			PrecisionNew: irrNew / nNew, RecallNew: sh})
	}
	return refs
}

// topShare ranks the rows (only the new ones when onlyNew) by score, highest
// first, ties in file order, and returns the precision and recall of the top
// share and how many rows that is.
func topShare(d *Data, score []float64, share float64, onlyNew bool, irregular float64) (prec, rec float64, n int) {
	var idx []int
	for i, r := range d.Test {
		if !onlyNew || r.New {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	n = int(math.Round(share * float64(len(idx))))
	if n == 0 {
		return math.NaN(), 0, 0
	}
	found := 0.0
	for _, i := range idx[:n] {
		if d.Test[i].Irregular {
			found++
		}
	}
	return found / float64(n), found / irregular, n
}
