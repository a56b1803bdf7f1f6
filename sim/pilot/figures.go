// Package pilot simulates possible pilots of a measure: for each simulated
// pilot and each site, the baseline and the measure are run over the same
// weeks from the same random streams (common random numbers), and each run
// is reduced to weekly key figures, split into two random strata of
// consignments. Every design a pilot could follow (before/after, random
// stratum, cluster-randomised sites, stepped wedge) is then assembled from
// these weekly figures without simulating again: a treated week of a site is
// its measure run's week, a control week its baseline run's week.
//
// pilot is engine-side and pure like sim: it takes compiled scenarios and
// returns numbers; the statistics are in results/pilotstat.
package pilot

import (
	"math"

	"pilotsim/sim"
)

// Figure is a key figure of a pilot, computed per week.
type Figure uint8

// Key figures. Release times are in hours.
const (
	MedianGreen Figure = iota
	MedianBlue
	MedianYellow
	MedianRed
	P90Green
	P90Blue
	P90Yellow
	P90Red
	WithinTarget   // share of consignments released within the overall target
	InspectionRate // controlled (yellow + red) / all
	HitRate        // found irregular / controlled
	Detection      // found irregular / irregular
	DutyRecovered  // duty of revenue threats found, per week
	NumFigures
)

var figureNames = [NumFigures]string{
	"release.green.median", "release.blue.median", "release.yellow.median", "release.red.median",
	"release.green.p90", "release.blue.p90", "release.yellow.p90", "release.red.p90",
	"release.within_target", "inspection_rate", "hit_rate", "detection", "duty_recovered",
}

var figureUnits = [NumFigures]string{"h", "h", "h", "h", "h", "h", "h", "h", "share", "share", "share", "share", "per week"}

// String returns the figure's dotted name, as in the run's metrics.
func (f Figure) String() string {
	if f >= NumFigures {
		return "?"
	}
	return figureNames[f]
}

// Unit returns the figure's unit: h, share or per week.
func (f Figure) Unit() string {
	if f >= NumFigures {
		return ""
	}
	return figureUnits[f]
}

// Release-time histogram: bin i holds release times t (minutes) with
// floor(ln(1+t)·histPerE) = i, a relative resolution of 2% (1/histPerE); the
// last bin holds everything beyond about 60 days.
const (
	histPerE = 50
	histBins = 575 // ln(1+86400)·50 ≈ 568
)

func histBin(minutes float64) int {
	b := int(math.Log1p(math.Max(minutes, 0)) * histPerE)
	return min(b, histBins-1)
}

// histQuantile returns the q-quantile, in hours, of the counts h (NaN when
// empty), interpolating within the bin on the log scale.
func histQuantile(h []int32, q float64) float64 {
	var n int64
	for _, c := range h {
		n += int64(c)
	}
	if n == 0 {
		return math.NaN()
	}
	target := q * float64(n)
	cum := 0.0
	for i, c := range h {
		if c == 0 {
			continue
		}
		if cum+float64(c) >= target {
			frac := (target - cum) / float64(c)
			x := (float64(i) + frac) / histPerE
			return math.Expm1(x) / 60
		}
		cum += float64(c)
	}
	return math.Expm1(float64(histBins)/histPerE) / 60
}

// weekAcc accumulates one week of one stratum.
type weekAcc struct {
	n, controlled, hits, irregular, found, within int64
	duty                                          float64
	hist                                          [sim.NumLanes][histBins]int32
}

// addCounts adds b's counts and duty to a (not the histograms: Value pools
// one lane's, Merge all of them).
func (a *weekAcc) addCounts(b *weekAcc) {
	a.n += b.n
	a.controlled += b.controlled
	a.hits += b.hits
	a.irregular += b.irregular
	a.found += b.found
	a.within += b.within
	a.duty += b.duty
}

// Weeks are a run's weekly accumulators, per stratum (0 and 1).
type Weeks struct {
	acc [][2]weekAcc
}

// NewWeeks returns empty accumulators for n weeks.
func NewWeeks(n int) *Weeks { return &Weeks{acc: make([][2]weekAcc, n)} }

// Obs is one consignment as the weekly figures see it.
type Obs struct {
	Lane       sim.Lane
	Controlled bool    // yellow or red: a control was ordered
	Irregular  bool    // it carried a threat (known in simulation; in real data: found or audited irregular)
	Found      bool    // a control found the irregularity
	Duty       float64 // duty recovered (when found)
	// Release is the release time in minutes since arrival; NaN when not
	// released (still in the system).
	Release float64
	// WithinTarget: released within the overall release-time target.
	WithinTarget bool
}

// Add counts consignment o in week wk of stratum s (0 or 1). Weeks outside
// 0 … Len()−1 are ignored.
func (w *Weeks) Add(wk, s int, o *Obs) {
	if wk < 0 || wk >= len(w.acc) {
		return
	}
	a := &w.acc[wk][s&1]
	a.n++
	if o.Controlled {
		a.controlled++
		if o.Found {
			a.hits++
		}
	}
	if o.Irregular {
		a.irregular++
		if o.Found {
			a.found++
			a.duty += o.Duty
		}
	}
	if !math.IsNaN(o.Release) {
		if o.Lane < sim.NumLanes {
			a.hist[o.Lane][histBin(o.Release)]++
		}
		if o.WithinTarget {
			a.within++
		}
	}
}

func (w *Weeks) reset() {
	for i := range w.acc {
		w.acc[i] = [2]weekAcc{}
	}
}

// Len returns the number of weeks.
func (w *Weeks) Len() int { return len(w.acc) }

// Strata selects consignments: one stratum (StratumA or StratumB) or both.
type Strata uint8

// Strata.
const (
	StratumA  Strata = 1
	StratumB  Strata = 2
	AllStrata        = StratumA | StratumB
)

// Value returns figure f in week wk over the strata s (NaN when the week has
// no consignment the figure is defined on).
func (w *Weeks) Value(f Figure, wk int, s Strata) float64 {
	var a weekAcc
	var hist [histBins]int32
	lane := -1
	if f <= P90Red {
		lane = int(f) % 4
	}
	for k := range 2 {
		if s&(1<<k) == 0 {
			continue
		}
		b := &w.acc[wk][k]
		a.addCounts(b)
		if lane >= 0 {
			for i, c := range b.hist[lane] {
				hist[i] += c
			}
		}
	}
	ratio := func(x, y int64) float64 {
		if y == 0 {
			return math.NaN()
		}
		return float64(x) / float64(y)
	}
	switch {
	case f <= MedianRed:
		return histQuantile(hist[:], 0.5)
	case f <= P90Red:
		return histQuantile(hist[:], 0.9)
	case f == WithinTarget:
		return ratio(a.within, a.n)
	case f == InspectionRate:
		return ratio(a.controlled, a.n)
	case f == HitRate:
		return ratio(a.hits, a.controlled)
	case f == Detection:
		return ratio(a.found, a.irregular)
	case f == DutyRecovered:
		if a.n == 0 {
			return math.NaN()
		}
		return a.duty
	}
	return math.NaN()
}

// Merge adds o's counts to w, week by week (both must have the same length).
func (w *Weeks) Merge(o *Weeks) {
	for i := range min(len(w.acc), len(o.acc)) {
		for k := range 2 {
			a, b := &w.acc[i][k], &o.acc[i][k]
			a.addCounts(b)
			for l := range a.hist {
				for j, c := range b.hist[l] {
					a.hist[l][j] += c
				}
			}
		}
	}
}
