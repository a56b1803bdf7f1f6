package results

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// planFigures are the key figures plan's report draws, where the measure has
// an effect: release times of the red lane (where a scanner or an
// examination team acts), the share within target, and the security figures.
var planFigures = []string{"release.red.median", "release.red.p90", "release.yellow.median", "release.within_target", "detection", "hit_rate"}

// WriteReport writes plan's report.html and report.md (with its charts in
// report-charts/) into dir: power against weeks per design, MDE against
// duration, weeks needed, the A/A false-positive rates of the fixed and the
// weekly-look rule, and the random stratum's interference.
func (p *Plan) WriteReport(dir string) error {
	doc, err := p.reportDoc()
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}

// planRow returns the row of design d and figure f.
func (p *Plan) planRow(d PlanDesign, f string) (PlanRow, bool) {
	for _, r := range p.Rows {
		if r.Design == d.String() && r.Figure == f {
			return r, true
		}
	}
	return PlanRow{}, false
}

// planShown returns the report's figures that plan has rows for and the
// measure changes.
func (p *Plan) planShown() []string {
	var out []string
	for _, f := range planFigures {
		if r, ok := p.planRow(DesignBeforeAfter, f); ok && !math.IsNaN(r.Effect) && r.Effect != 0 {
			out = append(out, f)
		}
	}
	return out
}

func (p *Plan) reportDoc() (*reportDoc, error) {
	c := p.Config
	doc := &reportDoc{
		Title: "pilotsim plan: " + p.Baseline + " → " + p.Measure,
		Subtitle: fmt.Sprintf("%d simulated pilots, %d sites, %d weeks of baseline before each, durations 1–%d weeks; judged at %d weeks (α %.2g two-sided, power %.0f%%).",
			p.Pilots, c.Sites, c.PreWeeks, c.MaxWeeks, c.Weeks, c.Alpha, 100*c.Power),
		Intro: []string{
			"Each simulated pilot runs the baseline and the measure over the same weeks from the same random streams at every site, and is judged under four designs at every duration: before/after at one site (interrupted time series of weekly values), a random control stratum of one site's consignments, cluster-randomised sites (difference in differences of site means), and a stepped wedge across sites (site and week effects, errors clustered by site).",
			"Power is the share of simulated pilots whose 5% test detects the effect the simulation predicts; the minimum detectable effect (MDE) is the effect a design detects with 80% power, from the spread of its estimates over simulated pilots without the measure (A/A pilots). An A/A pilot should come out significant in 5% of cases; the weekly-look rule (O'Brien–Fleming boundaries) lets a pilot be looked at every week and stopped early with the same 5%.",
		},
	}
	shown := p.planShown()
	if len(shown) == 0 {
		doc.Notes = append(doc.Notes, "The measure changes none of the figures drawn here (red-lane release times, share within target, detection, hit rate): no power or MDE curves to show.")
	}
	weeks := make([]float64, c.MaxWeeks)
	for i := range weeks {
		weeks[i] = float64(i + 1)
	}
	for _, sec := range []struct {
		id, title, text, y string
		curve              func(PlanRow) []float64
		ref                func(PlanRow) float64
	}{
		{"power", "Power against weeks, per design",
			"Each panel is one key figure; each line a design. The dashed line is the 80% power a pilot is usually planned for: where a design's line crosses it is the duration it needs.",
			"power (%)", func(r PlanRow) []float64 { return scaleAll(r.PowerCurve, 100) }, func(PlanRow) float64 { return 100 * c.Power }},
		{"mde", "Minimum detectable effect against duration",
			"The smallest effect each design detects with 80% power at each duration; the dashed line is the size of the effect the simulation predicts. A design detects it from the week its line falls below the dashed line.",
			"MDE", func(r PlanRow) []float64 { return r.MDECurve }, func(r PlanRow) float64 { return math.Abs(r.Effect) }},
	} {
		if len(shown) == 0 {
			break
		}
		var panels []*plot.Plot
		for _, f := range shown {
			base, _ := p.planRow(DesignBeforeAfter, f)
			y := sec.y
			if sec.id == "mde" {
				y = "MDE (" + base.Unit + ")"
			}
			pl := newChart(f, "weeks of pilot", y)
			for d := range NumDesigns {
				r, ok := p.planRow(d, f)
				if !ok {
					continue
				}
				var xy plotter.XYs
				for i, v := range sec.curve(r) {
					if !math.IsNaN(v) && !math.IsInf(v, 0) {
						xy = append(xy, plotter.XY{X: weeks[i], Y: v})
					}
				}
				if len(xy) == 0 {
					continue
				}
				line, err := plotter.NewLine(xy)
				if err != nil {
					return nil, err
				}
				line.Color = paletteColor(int(d))
				line.Width = 1.6
				if d == DesignStratum && c.SharedPool {
					line.Dashes = []vg.Length{5, 2}
				}
				pl.Add(line)
				pl.Legend.Add(d.String(), line)
			}
			ref := sec.ref(base)
			pl.Add(refLine{v: ref})
			if sec.id == "power" {
				pl.Y.Min, pl.Y.Max = 0, 100
			} else {
				pl.Y.Min = 0
				if !math.IsNaN(ref) && ref*1.08 > pl.Y.Max {
					pl.Y.Max = ref * 1.08 // keep the effect's line in view
				}
			}
			// Power rises and MDE falls with weeks: the legend goes where the lines are not.
			pl.Legend.Top, pl.Legend.Left = true, sec.id == "power"
			panels = append(panels, pl)
		}
		svg, err := renderTiles("", panels, 2, tileRowH)
		if err != nil {
			return nil, err
		}
		s := reportSection{ID: sec.id, Title: sec.title, Text: []string{sec.text},
			Chart: &reportChart{SVG: svg, Caption: sec.title + " (" + strconv.Itoa(p.Pilots) + " simulated pilots per point)."}}
		if c.SharedPool {
			s.Text = append(s.Text, "The random stratum's line is dashed: its treated and control consignments share queues, and its curves assume no interference (see below).")
		}
		doc.Sections = append(doc.Sections, s)
	}

	// Weeks needed and the fixed-duration verdict.
	wt := reportTable{Caption: fmt.Sprintf("Weeks needed to detect the predicted effect with 80%% power (~: extrapolated beyond %d weeks)", c.MaxWeeks),
		Header: []string{"figure", "effect"}, Numeric: []bool{false, true}}
	for d := range NumDesigns {
		wt.Header = append(wt.Header, d.String())
		wt.Numeric = append(wt.Numeric, true)
	}
	aa := reportTable{Caption: fmt.Sprintf("A/A false-positive rate at %d weeks: fixed test / weekly looks (should be near 5%%, ± %.1f points by chance)", c.Weeks, 100*1.96*math.Sqrt(0.05*0.95/float64(max(p.Pilots, 1)))),
		Header: []string{"figure"}, Numeric: []bool{false}}
	for d := range NumDesigns {
		aa.Header = append(aa.Header, d.String())
		aa.Numeric = append(aa.Numeric, true)
	}
	var figs []string
	for _, r := range p.Rows {
		if r.Design == DesignBeforeAfter.String() {
			figs = append(figs, r.Figure)
		}
	}
	for _, f := range figs {
		base, _ := p.planRow(DesignBeforeAfter, f)
		if math.IsNaN(base.Effect) {
			continue
		}
		row := []string{f, planNum(base.Effect, 3)}
		arow := []string{f}
		for d := range NumDesigns {
			r, _ := p.planRow(d, f)
			wn := planNum(r.WeeksNeeded, 0)
			if r.Extrapolated && !math.IsInf(r.WeeksNeeded, 1) && !math.IsNaN(r.WeeksNeeded) {
				wn = "~" + wn
			}
			row = append(row, wn)
			arow = append(arow, planPct(r.FalsePos)+" / "+planPct(r.SeqFalsePos))
		}
		wt.Rows = append(wt.Rows, row)
		aa.Rows = append(aa.Rows, arow)
	}
	doc.Sections = append(doc.Sections,
		reportSection{ID: "weeks-needed", Title: "Weeks needed", Tables: []reportTable{wt},
			Text: []string{"The shortest pilot whose MDE reaches the effect the simulation predicts. \"never\": the measure does not change the figure. Detection is measured on irregular consignments only — about 1% of traffic — so its weekly value is a ratio of a few dozen cases and its MDE shrinks only as 1/√weeks: it needs far longer than release times."}},
		reportSection{ID: "false-positives", Title: "False positives without an effect (A/A pilots)", Tables: []reportTable{aa},
			Text: []string{"The share of simulated pilots without the measure whose test comes out significant: with the fixed duration, and with the weekly-look rule over 1–" + strconv.Itoa(c.MaxWeeks) + " weeks. Both should lie near 5%; a rate well above says the weeks of a queue are not independent enough for the design's standard errors."}})

	// Interference of the random stratum.
	if c.SharedPool {
		s := reportSection{ID: "interference", Title: "Random stratum: interference"}
		if c.MixedErr != "" {
			s.Text = []string{"The measure changes resources, routes, rules or selectivity: a random stratum's treated and control consignments share queues, so the stratum design is biased by interference. It could not be measured: " + c.MixedErr + "."}
		} else {
			s.Text = []string{"The measure changes resources, routes, rules or selectivity, so a random stratum's treated and control consignments share queues: the control half waits less (or more) because the treated half uses the pools differently. The bias was measured with one more run per pilot in which a random half of the consignments gets the measure: the stratum's estimate there against the effect without interference."}
			t := reportTable{Header: []string{"figure", "effect without interference", "stratum estimates", "bias", "± (95%)"}, Numeric: []bool{false, true, true, true, true}}
			for _, f := range figs {
				r, _ := p.planRow(DesignStratum, f)
				if math.IsNaN(r.InterferenceBias) {
					continue
				}
				t.Rows = append(t.Rows, []string{f, planNum(r.Effect, 3), planNum(r.SharedEffect, 3), planNum(r.InterferenceBias, 3), planNum(1.96*r.InterferenceBiasSE, 3)})
			}
			s.Tables = []reportTable{t}
		}
		doc.Sections = append(doc.Sections, s)
	}
	doc.Notes = append(doc.Notes,
		"Standard errors: one site — weekly values as independent units (least squares, Student t); several sites — the site as the unit (two-sample t on site means with G−2 degrees of freedom, or errors clustered by site with G−1). Analysing whole weeks removes the weekday pattern and keeps a queue's correlation, which lasts hours to days, inside the week.",
		"plan.csv and plan.json hold every figure of every design, with the curves drawn here (power_curve, mde_curve).")
	return doc, nil
}

func scaleAll(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * f
	}
	return out
}
