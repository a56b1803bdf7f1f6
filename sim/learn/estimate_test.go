package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestRateKnownStrata: Rate on hand-made days is the self-normalized
// (Hájek) rate — a day too small to draw a random stratum gets the
// stratum's hit rate, where IPW counts no fraud — and its variance the
// without-replacement formula with the pooled random-stratum hit rate; the
// pooled weights are the inverse variances.
func TestRateKnownStrata(t *testing.T) {
	// Day 1: 100 declarations, 10 targeted (6 irregular), 2 of the 90 others
	// drawn at random (1 irregular, weight 45). Day 2: 50, 5 targeted (4
	// irregular), 1 of 45 at random (regular). Day 3: 20, 1 targeted
	// (irregular), no random stratum among the 19 others.
	days := []DayTally{
		{N: 100, Rest: 90, RandomW: 90, Random: 2, RandomHits: 1, TargetedFound: 6, IPW: 6 + 45},
		{N: 50, Rest: 45, RandomW: 45, Random: 1, RandomHits: 0, TargetedFound: 4, IPW: 4},
		{N: 20, Rest: 19, TargetedFound: 1, IPW: 1},
	}
	p, v := Rate(days)
	// Targeted 11; the random stratum's weighted hits 45 over the 135
	// declarations of the days it sampled: a third, for all 154 not targeted.
	if want := (11 + 154.0/3) / 170; math.Abs(p-want) > 1e-12 {
		t.Errorf("rate %v, want %v", p, want)
	}
	var tot DayTally
	for i := range days {
		tot.add(&days[i])
	}
	if tot.IPW != 56 || math.Abs(tot.Hajek()-(11+154.0/3)) > 1e-12 {
		t.Errorf("IPW total %v (want 56: day 3's 19 count no fraud), Hájek %v", tot.IPW, tot.Hajek())
	}
	pr := (1 + 0.5) / (3 + 1.0)
	want := (154.0 / 135) * (154.0 / 135) * (90*90/2.0*(1-2/90.0) + 45*45/1.0*(1-1/45.0)) * pr * (1 - pr) / (170 * 170)
	if math.Abs(v-want) > 1e-12 {
		t.Errorf("variance %v, want %v", v, want)
	}
	if p, _ := Rate([]DayTally{{N: 10, Rest: 9, IPW: 1}}); !math.IsNaN(p) {
		t.Errorf("no random stratum: rate %v, want NaN", p)
	}
	// Pooled with a history and no drift: the weights are the inverse
	// variances, the stretch's variance taken at the hit rate the history
	// implies for its declarations not targeted.
	hist := []DayTally{{N: 1000, Rest: 950, RandomW: 950, Random: 100, RandomHits: 20, TargetedFound: 50, IPW: 50 + 20*9.5}}
	ph, vh := Rate(hist)
	pl := Pooled{History: hist, Drift: 0}
	got, w, gv := pl.Combine(days)
	prh := (ph*170 - 11) / 154
	vt := rateVariance(days, prh)
	if ww := vh / (vt + vh); math.Abs(w-ww) > 1e-12 || math.Abs(got-(ww*p+(1-ww)*ph)) > 1e-12 || math.Abs(gv-(ww*ww*vt+(1-ww)*(1-ww)*vh)) > 1e-15 {
		t.Errorf("pooled %v with weight %v, variance %v; want %v with %v", got, w, gv, ww*p+(1-ww)*ph, ww)
	}
	pl.Drift = math.Inf(1)
	if got, w, _ := pl.Combine(days); got != p || w != 1 {
		t.Errorf("infinite drift: pooled %v weight %v, want the stretch's own %v, 1", got, w, p)
	}
}

// TestSmallDays: on days too small for round(ε × budget) to reach 1 (every
// other day here: a budget of 4 at 10%), SelectDay's randomized rounding
// still draws a random inspection with probability 0.4, and every
// declaration not targeted gets the propensity 0.4 / 36 > 0; so IPW stays
// unbiased (with round(ε × budget) it counted no fraud among those days'
// declarations not targeted: a large downward bias), and so does the Hájek
// form, within 3 standard errors over 300 seeds, in a world with a known
// rate.
func TestSmallDays(t *testing.T) {
	pol, _ := ParsePolicy("rules+random:0.1")
	var hErr, iErr []float64
	for s := range 300 {
		sel := NewSelector(pol, nil, uint64(s+1), 0)
		r := rand.New(rand.NewPCG(uint64(s), 11))
		var est Estimator
		total := 0.0
		for day := range 40 {
			n := 200
			if day%2 == 1 {
				n = 40 // budget 4: no random inspection
			}
			items := make([]Item, n)
			truth := make([]bool, n)
			for i := range items {
				x := r.NormFloat64()
				items[i].RuleScore = x
				truth[i] = r.Float64() < 1/(1+math.Exp(-(x-1.5)))
				if truth[i] {
					total++
				}
			}
			out := make([]Decision, n)
			sel.SelectDay(items, n/10, out)
			for i := range out {
				if !out[i].Inspect && !(out[i].Propensity > 0) {
					t.Fatalf("day of %d: a declaration not inspected has propensity %v, want > 0", n, out[i].Propensity)
				}
			}
			est.AddDecisions(day, out)
			for i := range out {
				if out[i].Inspect {
					est.Add(&Label{Day: day, Irregular: truth[i], Decision: out[i]})
				}
			}
		}
		tot := est.Total(0, 40)
		hErr = append(hErr, tot.Hajek()-total)
		iErr = append(iErr, tot.IPW-total)
	}
	if m, se := meanSE(hErr); math.Abs(m) > 3*se {
		t.Errorf("Hájek total: mean error %.2f, standard error %.2f: biased", m, se)
	}
	if m, se := meanSE(iErr); math.Abs(m) > 3*se {
		t.Errorf("IPW total: mean error %.2f, standard error %.2f: biased", m, se)
	}
}

// TestDriftVariance: a stationary history measures a drift of 0; one whose
// rate steps between stretches measures the stretches' variance, averaged
// over the weekly offsets of the cut; too few stretches give +Inf.
func TestDriftVariance(t *testing.T) {
	mk := func(rates []float64) []DayTally {
		var days []DayTally
		for _, r := range rates {
			for range 10 {
				// Every declaration drawn: no sampling error.
				days = append(days, DayTally{N: 1000, Rest: 1000, RandomW: 1000, Random: 1000, RandomHits: 1000 * r, IPW: 1000 * r})
			}
		}
		return days
	}
	if d := DriftVariance(mk([]float64{0.2, 0.2, 0.2, 0.2}), 10); d > 1e-15 {
		t.Errorf("stationary: drift %v, want 0", d)
	}
	// Stretches of 10 days over blocks of 10 days at 0.1, 0.3, 0.1, 0.3.
	// Offset 0: rates 0.1, 0.3, 0.1, 0.3, sample variance 0.04/3. Offset 7:
	// days 7–16, 17–26, 27–36: 0.24, 0.16, 0.24, sample variance 0.0064/3.
	want := (0.04/3 + 0.0064/3) / 2
	if d := DriftVariance(mk([]float64{0.1, 0.3, 0.1, 0.3}), 10); math.Abs(d-want) > 1e-12 {
		t.Errorf("stepping rate: drift %v, want %v", d, want)
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
		p, _, _ := pl.Combine(est.Days())
		errs = append(errs, p*all.N-total)
		ipwErrs = append(ipwErrs, all.IPW-total)
		iv := est.DetectionPooled(0, days, pl)
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
