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

// TestRecoveryWeeksInterval: the interval of weeks_to_recover is a bootstrap
// over seeds: with seeds that recover in 2 and 6 weeks it holds the pooled
// figure and reaches below it as far as resamples rich in fast seeds go;
// with identical seeds it is a point; and it is the same on every call (its
// stream is the study's).
func TestRecoveryWeeksInterval(t *testing.T) {
	for _, c := range []struct {
		name         string
		rec          []int
		lo, mean, hi float64
	}{
		{"identical", []int{3, 3, 3, 3}, 3, 3, 3},
		// Pooled, half the seeds back at week 2 is 50% < 90%: 6 weeks. A
		// resample with 7 or 8 of its 8 seeds recovering at 2 (a chance of
		// 9/256 = 3.5%) reaches 90% when the two-week window of weeks 5
		// and 6 takes the slow seeds' return: the low end is 5.
		{"mixed", []int{2, 6, 2, 6, 2, 6, 2, 6}, 5, 6, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewLearnStudy("toy", 7, []string{"learned"}, []string{"narcotics"}, recoveryReps(c.rec), len(c.rec))
			if err != nil {
				t.Fatal(err)
			}
			s.DriftWeek, s.DriftThreat = 4, 0
			iv := s.RecoveryWeeks(0)
			if iv.Mean != c.mean || iv.Low != c.lo || iv.High != c.hi {
				t.Errorf("weeks to recover %v [%v, %v], want %v [%v, %v]", iv.Mean, iv.Low, iv.High, c.mean, c.lo, c.hi)
			}
			if again := s.RecoveryWeeks(0); again != iv {
				t.Errorf("second call %+v, first %+v: want the same", again, iv)
			}
		})
	}
}

// TestRecoveryWeeksOwnStream: a policy's interval of weeks_to_recover does
// not depend on the other policies of the study or their order.
func TestRecoveryWeeksOwnStream(t *testing.T) {
	a, b := []int{1, 3, 5, 2, 7, 3, 4, 2}, []int{2, 2, 6, 6, 3, 3, 9, 1}
	one, _ := NewLearnStudy("toy", 7, []string{"x", "y"}, []string{"narcotics"}, append(recoveryReps(a), recoveryReps(b)...), 8)
	two, _ := NewLearnStudy("toy", 7, []string{"y", "x"}, []string{"narcotics"}, append(recoveryReps(b), recoveryReps(a)...), 8)
	one.DriftWeek, two.DriftWeek = 4, 4
	if p, q := one.RecoveryWeeks(0), two.RecoveryWeeks(1); p != q {
		t.Errorf("policy x first %+v, second %+v: want the same", p, q)
	}
}

// recoveryReps are 14 weeks of one policy per seed: seed s finds 4 of 10
// irregular a week before a drift at week 4 (0-based), none from it until
// week 4+rec[s], then 4 again.
func recoveryReps(rec []int) []sim.LearnRep {
	var reps []sim.LearnRep
	for seed, r := range rec {
		rep := sim.LearnRep{Seed: seed, Total: learnWeek(0, 0, 0, 0)}
		for w := range 14 {
			f := int64(4)
			if w >= 4 && w < 4+r {
				f = 0
			}
			rep.Weeks = append(rep.Weeks, learnWeek(1000, 10, 50, f))
		}
		reps = append(reps, rep)
	}
	return reps
}
