package results

import (
	"math"
	"testing"

	"pilotsim/sim"
)

// learnWeek is a week with n arrivals, irr irregular (all of threat 0), ins
// inspected and found found.
func learnWeek(n, irr, ins, found int64) sim.LearnWeek {
	return sim.LearnWeek{Arrivals: n, Irregular: irr, Inspected: ins, Found: found, IrregularBy: []int64{irr}, FoundBy: []int64{found}}
}

// TestLearnStudySummary checks the summary against figures worked by hand:
// two policies over two seeds, 12 weeks each, a drift at week 6 (0-based).
func TestLearnStudySummary(t *testing.T) {
	mk := func(found func(w, seed int) int64) []sim.LearnRep {
		var reps []sim.LearnRep
		for seed := range 2 {
			r := sim.LearnRep{Seed: seed, Total: learnWeek(0, 0, 0, 0)}
			for w := range 12 {
				wk := learnWeek(1000, 10, 50, found(w, seed))
				r.Weeks = append(r.Weeks, wk)
				r.Total.Arrivals += wk.Arrivals
				r.Total.Irregular += wk.Irregular
				r.Total.IrregularBy[0] += wk.Irregular
				r.Total.Inspected += wk.Inspected
				r.Total.Found += wk.Found
				r.Total.FoundBy[0] += wk.Found
			}
			reps = append(reps, r)
		}
		return reps
	}
	// The policy finds 4 a week, none in the two weeks after the drift, 2
	// in the third and fourth, 4 again from the fifth; the oracle 8 a week.
	pol := mk(func(w, _ int) int64 {
		switch {
		case w < 6 || w >= 10:
			return 4
		case w < 8:
			return 0
		}
		return 2
	})
	oracle := mk(func(int, int) int64 { return 8 })
	s, err := NewLearnStudy("toy", 1, []string{"learned", "oracle"}, []string{"narcotics"}, append(pol, oracle...), 2)
	if err != nil {
		t.Fatal(err)
	}
	s.CeilingWeek, s.DriftWeek, s.DriftThreat = 4, 6, 0
	got := map[string]float64{}
	for _, r := range s.Summary() {
		if r.Policy == "learned" {
			got[r.Metric] = r.Mean
		}
	}
	found := 4.0*8 + 2*2 // 36 of 120
	for _, c := range []struct {
		metric string
		want   float64
	}{
		{"inspection_rate", 50.0 / 1000},
		{"precision", found / (50 * 12)},
		{"detection", found / 120},
		{"detection.narcotics", found / 120},
		{"oracle_share", (found / 120) / (96.0 / 120)},
		{"oracle_share_week", 0.5}, // weeks 3 and 4: 8 of 20 against 16 of 20
		{"drift_before", 0.4},      // weeks 2-5: 16 of 40
		{"drift_after", 4.0 / 40},  // weeks 6-9: 0, 0, 2, 2
		{"drift_retained", 0.25},   // 0.1 / 0.4
		{"weeks_to_recover", 4},    // weeks 10 and 11 are the first two at 0.4 >= 0.36
	} {
		if math.Abs(got[c.metric]-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.metric, got[c.metric], c.want)
		}
	}
}
