package calibrate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"pilotsim/sim"
)

// LaneCheck compares one lane's release times (hours) in the records and in
// the simulation of the fitted scenario.
type LaneCheck struct {
	Lane               string
	Records, Simulated int
	Quantiles          []float64 // the levels of RecQ and SimQ
	RecQ, SimQ         []float64
	RecMean, SimMean   float64
	KS                 float64 // two-sample Kolmogorov-Smirnov distance
	Fits               bool
	Why                string // why not, when it does not fit
}

// CheckLevels are the quantiles compared.
var CheckLevels = []float64{0.10, 0.25, 0.50, 0.75, 0.90, 0.95}

// laneSink collects release times (hours) per lane of the consignments
// that arrived after the warm-up.
type laneSink struct {
	warmup float64
	rel    *[4][]float64
}

func (s laneSink) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	if ms.Arrival < s.warmup || math.IsNaN(ms.Release) {
		return nil
	}
	l := laneIndex(c.Lane.String())
	if l >= 0 {
		s.rel[l] = append(s.rel[l], (ms.Release-ms.Arrival)/60)
	}
	return nil
}

func (laneSink) Close() error { return nil }

// Check simulates the fitted scenario (its replications, on workers
// goroutines) and compares each lane's release times with the records'.
// A lane fits when the KS distance is at most 0.1 and the mean and the
// median and p90 are within 10% (or 0.25 h) of the records'.
func (f *Fitter) Check(ctx context.Context, fit *Fit, workers int) ([]LaneCheck, error) {
	m, err := sim.Compile(fit.Scenario)
	if err != nil {
		return nil, fmt.Errorf("fitted scenario: %w", err)
	}
	reps := fit.Scenario.Replications
	per := make([][4][]float64, reps)
	_, err = sim.Run(ctx, m, sim.Options{Workers: workers, Trace: func(rep int) sim.TraceSink {
		return laneSink{warmup: float64(fit.Scenario.Warmup), rel: &per[rep]}
	}})
	if err != nil {
		return nil, err
	}
	var out []LaneCheck
	for l := range 4 {
		var simd []float64
		for r := range per {
			simd = append(simd, per[r][l]...)
		}
		rec := f.release[l].xs
		if len(rec) == 0 && len(simd) == 0 {
			continue
		}
		lc := LaneCheck{Lane: laneNames[l], Records: int(f.release[l].seen), Simulated: len(simd), Quantiles: CheckLevels,
			RecQ: quantiles(rec), SimQ: quantiles(simd), RecMean: mean(rec), SimMean: mean(simd), KS: KS2(rec, simd)}
		var why []string
		if len(rec) == 0 || len(simd) == 0 {
			why = append(why, "the lane is empty on one side")
		} else {
			if lc.KS > 0.1 {
				why = append(why, fmt.Sprintf("KS distance %.3f > 0.1", lc.KS))
			}
			off := func(name string, a, b float64) {
				if math.Abs(b-a) > math.Max(0.1*math.Abs(a), 0.25) {
					why = append(why, fmt.Sprintf("%s %.2f h simulated against %.2f h recorded", name, b, a))
				}
			}
			off("mean", lc.RecMean, lc.SimMean)
			off("median", lc.RecQ[2], lc.SimQ[2])
			off("p90", lc.RecQ[4], lc.SimQ[4])
		}
		lc.Fits = len(why) == 0
		lc.Why = strings.Join(why, "; ")
		out = append(out, lc)
	}
	return out, nil
}

func quantiles(xs []float64) []float64 {
	q := make([]float64, len(CheckLevels))
	if len(xs) == 0 {
		for i := range q {
			q[i] = math.NaN()
		}
		return q
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	for i, p := range CheckLevels {
		pos := p * float64(len(s)-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, len(s)-1)
		q[i] = s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
	}
	return q
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// CheckText writes the comparison as a table and says plainly where the
// fitted scenario does not reproduce the records.
func CheckText(checks []LaneCheck) string {
	var b strings.Builder
	b.WriteString("Release time (hours) per lane: records against the fitted scenario simulated\n")
	fmt.Fprintf(&b, "%-7s %-9s %9s %8s", "lane", "", "n", "mean")
	for _, p := range CheckLevels {
		fmt.Fprintf(&b, " %7s", fmt.Sprintf("p%d", int(math.Round(p*100))))
	}
	fmt.Fprintf(&b, " %6s  %s\n", "KS", "fit")
	for _, c := range checks {
		row := func(label string, n int, m float64, q []float64) {
			fmt.Fprintf(&b, "%-7s %-9s %9d %8.2f", c.Lane, label, n, m)
			for _, v := range q {
				fmt.Fprintf(&b, " %7.2f", v)
			}
		}
		row("records", c.Records, c.RecMean, c.RecQ)
		b.WriteString("\n")
		row("simulated", c.Simulated, c.SimMean, c.SimQ)
		verdict := "fits"
		if !c.Fits {
			verdict = "DOES NOT FIT: " + c.Why
		}
		fmt.Fprintf(&b, " %6.3f  %s\n", c.KS, verdict)
	}
	return b.String()
}
