package learn

import (
	"fmt"
	"math"
	"os"
	"testing"
)

// TestRateKnownStrata: Rate on two hand-made days is the stratified IPW
// rate, and its variance the without-replacement formula with the pooled
// random-stratum hit rate.
func TestRateKnownStrata(t *testing.T) {
	// Day 1: 100 declarations, 10 targeted (6 irregular), 2 of the 90 others
	// drawn at random (1 irregular, weight 45). Day 2: 50, 5 targeted (4
	// irregular), 1 of 45 at random (regular).
	days := []DayTally{
		{N: 100, Rest: 90, Random: 2, RandomHits: 1, IPW: 6 + 45},
		{N: 50, Rest: 45, Random: 1, RandomHits: 0, IPW: 4},
	}
	p, v := Rate(days)
	if want := 55.0 / 150; math.Abs(p-want) > 1e-12 {
		t.Errorf("rate %v, want %v", p, want)
	}
	pr := (1 + 0.5) / (3 + 1.0)
	want := (90*90/2.0*(1-2/90.0) + 45*45/1.0*(1-1/45.0)) * pr * (1 - pr) / (150 * 150)
	if math.Abs(v-want) > 1e-12 {
		t.Errorf("variance %v, want %v", v, want)
	}
	if p, _ := Rate([]DayTally{{N: 10, Rest: 9, IPW: 1}}); !math.IsNaN(p) {
		t.Errorf("no random stratum: rate %v, want NaN", p)
	}
	// Pooled with a history of known rate and no drift: the weights are the
	// inverse variances.
	hist := []DayTally{{N: 1000, Rest: 950, Random: 100, RandomHits: 20, IPW: 50 + 20*9.5}}
	ph, vh := Rate(hist)
	pl := Pooled{History: hist, Drift: 0}
	got, w := pl.Combine(days)
	if ww := vh / (v + vh); math.Abs(w-ww) > 1e-12 || math.Abs(got-(ww*p+(1-ww)*ph)) > 1e-12 {
		t.Errorf("pooled %v with weight %v, want %v with %v", got, w, ww*p+(1-ww)*ph, ww)
	}
	pl.Drift = math.Inf(1)
	if got, w := pl.Combine(days); got != p || w != 1 {
		t.Errorf("infinite drift: pooled %v weight %v, want the stretch's own %v, 1", got, w, p)
	}
}

// TestDriftVariance: a stationary history measures a drift near 0; one whose
// rate steps between stretches measures the step's variance; too few
// stretches give +Inf.
func TestDriftVariance(t *testing.T) {
	mk := func(rates []float64) []DayTally {
		var days []DayTally
		for _, r := range rates {
			for range 10 {
				// Every declaration's outcome known: no sampling error
				// beyond the pooled formula's floor.
				days = append(days, DayTally{N: 1000, Rest: 1000, Random: 1000, RandomHits: 1000 * r, IPW: 1000 * r})
			}
		}
		return days
	}
	if d := DriftVariance(mk([]float64{0.2, 0.2, 0.2, 0.2}), 10); d != 0 {
		t.Errorf("stationary: drift %v, want 0", d)
	}
	steps := []float64{0.1, 0.3, 0.1, 0.3}
	if d, want := DriftVariance(mk(steps), 10), 0.01*4/3; math.Abs(d-want) > 1e-9 {
		t.Errorf("stepping rate: drift %v, want %v (the sample variance of the stretches' rates)", d, want)
	}
	if d := DriftVariance(mk([]float64{0.1, 0.3}), 10); !math.IsInf(d, 1) {
		t.Errorf("two stretches: drift %v, want +Inf", d)
	}
}

// TestPooledUnbiasedAndCovers: in the toy world, whose irregular rate does
// not move, a history left by rules + 20% random and a quarter run by
// learned + 10% random: over many seeds the pooled estimate of the
// quarter's irregular total errs by zero on average (within 3 standard
// errors), its spread is below the quarter's own IPW's, and its 95%
// interval holds the true detection rate in at least 90% of seeds. The
// default suite runs 200 seeds (half a second); POOLED_SEEDS=2000 a longer check.
func TestPooledUnbiasedAndCovers(t *testing.T) {
	seeds := 200
	if s := os.Getenv("POOLED_SEEDS"); s != "" {
		if _, err := fmt.Sscan(s, &seeds); err != nil {
			t.Fatal(err)
		}
	}
	hpol, _ := ParsePolicy("rules+random:0.2")
	pol, _ := ParsePolicy("learned+random")
	const days, perDay = 30, 100
	var errs, ipwErrs []float64
	covered := 0
	for s := range seeds {
		hist, _ := runToy(t, hpol, uint64(1000+s), 5*days, perDay, 1, nil)
		est, total := runToy(t, pol, uint64(s+1), days, perDay, 1, nil)
		pl := &Pooled{History: hist.Days(), Drift: DriftVariance(hist.Days(), days)}
		all := est.Total(0, days)
		p, _ := pl.Combine(est.Days())
		errs = append(errs, p*all.N-total)
		ipwErrs = append(ipwErrs, all.IPW-total)
		iv := est.BootstrapDetectionPooled(0, days, 200, 7, s, pl)
		if truth := all.Found / total; iv.Lo <= truth && truth <= iv.Hi {
			covered++
		}
		if !(iv.Lo <= iv.Est && iv.Est <= iv.Hi) {
			t.Fatalf("seed %d: interval %+v does not hold its estimate", s, iv)
		}
	}
	m, se := meanSE(errs)
	if math.Abs(m) > 3*se {
		t.Errorf("pooled total: mean error %.2f, standard error %.2f: biased", m, se)
	}
	_, seIPW := meanSE(ipwErrs)
	if se >= seIPW {
		t.Errorf("pooled total's spread %.2f not below the quarter's IPW's %.2f", se, seIPW)
	}
	if c := float64(covered) / float64(seeds); c < 0.9 {
		t.Errorf("pooled interval covers the truth in %.0f%% of %d seeds, want ≥ 90%%", 100*c, seeds)
	}
}
