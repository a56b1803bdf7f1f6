package results

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot/plotter"
)

// WriteReport writes report.html and report.md: the summary per policy,
// then weekly curves of detection, the drifted threat's detection, the
// honest estimate against the truth, and release time.
func (s *LearnStudy) WriteReport(dir string) error {
	seeds := 0
	if len(s.Reps) > 0 {
		seeds = len(s.Reps[0])
	}
	doc := &reportDoc{
		Title:    "pilotsim learn: " + s.Scenario,
		Subtitle: fmt.Sprintf("seed %d, %d seeds per policy (the same consignments for every policy), %d policies.", s.Seed, seeds, len(s.Policies)),
		Intro: []string{
			"Each policy decides, after the rules have scored a consignment, whether it is inspected, within the inspection capacity of the targeting lane. " +
				"A learning policy learns only from the outcomes of its own inspections, each known when the exam ends (plus an audit delay for threats found later).",
			"Figures are means over seeds with 95% intervals. Detection is found ÷ irregular (the truth, which only a simulation knows); " +
				"the estimate is what a customs service can compute: found ÷ the inverse-propensity estimate of what inspecting everything would find. " +
				"oracle is the Bayes-optimal score from the scenario's true signatures, a reference no administration has.",
		},
	}
	sum := s.Summary()
	byKey := map[[2]string]Interval{}
	for _, r := range sum {
		byKey[[2]string{r.Policy, r.Metric}] = r.Interval
	}
	cols := []struct{ metric, head string }{
		{"inspection_rate", "inspected"}, {"precision", "precision"}, {"recall", "recall"}, {"detection", "detection"},
		{"oracle_share", "share of oracle"}, {"oracle_share_week", fmt.Sprintf("share of oracle, weeks %d–%d", s.CeilingWeek-1, s.CeilingWeek)},
		{"detection_estimate_error", "estimate − truth"}, {"exploration_share", "random share"}, {"release_p90_h", "release p90 h"},
	}
	if s.DriftWeek > 0 {
		cols = append(cols, struct{ metric, head string }{"drift_after", "drift: detection, 4 weeks after"},
			struct{ metric, head string }{"drift_retained", "drift: detection kept"},
			struct{ metric, head string }{"weeks_to_recover", "weeks to recover"})
	}
	t := reportTable{Caption: "Per policy, over the statistics window (95% intervals over seeds)", Header: []string{"policy"}, Numeric: []bool{false}}
	for _, c := range cols {
		t.Header = append(t.Header, c.head)
		t.Numeric = append(t.Numeric, true)
	}
	for _, p := range s.Policies {
		row := []string{p}
		for _, c := range cols {
			iv, ok := byKey[[2]string{p, c.metric}]
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, learnFmt(iv))
		}
		t.Rows = append(t.Rows, row)
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "policies", Title: "Policies", Tables: []reportTable{t}})

	weekly := s.Weekly()
	curve := func(id, title, metric, ylabel, caption string, text []string) error {
		p := newChart(title, "week of arrival (number)", ylabel)
		for i, pol := range s.Policies {
			var xys plotter.XYs
			for _, r := range weekly {
				if r.Policy == pol && r.Metric == metric && !math.IsNaN(r.Mean) {
					xys = append(xys, plotter.XY{X: float64(r.Week), Y: r.Mean})
				}
			}
			if len(xys) == 0 {
				continue
			}
			if err := addPaletteLine(p, pol, i, xys, 1.5); err != nil {
				return err
			}
		}
		p.Y.Min = 0
		p.Legend.Top = true
		svg, err := renderSVG(p, chartW, chartH)
		if err != nil {
			return err
		}
		doc.Sections = append(doc.Sections, reportSection{ID: id, Title: title, Text: text, Chart: &reportChart{SVG: svg, Caption: caption}})
		return nil
	}
	if err := curve("detection", "Detection per week", "detection", "share of irregular found", "Found ÷ irregular, per week of arrival, mean over seeds.", nil); err != nil {
		return err
	}
	if s.DriftWeek > 0 && s.DriftThreat < len(s.Threats) {
		th := s.Threats[s.DriftThreat]
		if err := curve("drift", "Detection of "+th+" per week", "detection."+th, "share of "+th+" found",
			fmt.Sprintf("The threat's signature changes in week %d.", s.DriftWeek+1),
			[]string{"What a policy never inspects it never learns: after the drift, a policy that only exploits keeps inspecting where the threat was."}); err != nil {
			return err
		}
	}
	if err := curve("estimate-error", "Estimated minus true detection", "detection_estimate_error", "points (share)",
		"Inverse-propensity estimate minus the truth it estimates (found ÷ what inspecting everything would find), per week.",
		[]string{"Without a random stratum a policy cannot see what it never inspects: its estimate is biased upwards."}); err != nil {
		return err
	}
	if err := curve("release", "Release time, 90th percentile", "release_p90_h", "hours", "90th percentile of arrival → release per week of arrival, all consignments.", nil); err != nil {
		return err
	}
	doc.Notes = []string{"Files: " + LearnCSVFile + " (weekly curves), " + PoliciesCSVFile + " (this summary). docs/learning.md explains every figure."}
	return writeReport(dir, doc)
}

// learnFmt formats an interval for the report: mean [low, high].
func learnFmt(iv Interval) string {
	if math.IsNaN(iv.Mean) {
		return "–"
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
	if math.IsNaN(iv.Low) {
		return f(iv.Mean)
	}
	return f(iv.Mean) + " [" + f(iv.Low) + ", " + f(iv.High) + "]"
}
