package results

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"pilotsim/metric"
	"pilotsim/sim"
)

// The run report: release time per lane, detection per threat, the lane mix,
// resource use and the Time Release Study intervals, each a section with one
// chart and its table.

// reportLanes are the lanes in the order reports show them ("all" first where
// it applies).
var reportLanes = []string{"all", "green", "blue", "yellow", "red"}

// estimates indexes a report's estimates by metric key.
type estimates map[metric.Key]Estimate

func indexEstimates(est []Estimate) estimates {
	m := make(estimates, len(est))
	for _, e := range est {
		m[e.Key] = e
	}
	return m
}

// get returns the estimate of key k; ok is false when the metric is absent
// or was never defined.
func (m estimates) get(k metric.Key) (Estimate, bool) {
	e, ok := m[k]
	return e, ok && e.N > 0
}

// key is the key of family f's statistic st of subject (no part).
func key(f metric.Family, subject string, st metric.Stat) metric.Key {
	return metric.Key{Family: f, Subject: subject, Stat: st}
}

// withinKey is the key of release.<subject>.within.<minutes>.
func withinKey(subject string, minutes int) metric.Key {
	return metric.Key{Family: metric.Release, Subject: subject, Stat: metric.Within, Within: minutes}
}

// subjects returns, in the order of est, the subjects of kind of whose
// metrics have family f, statistic st and no part (e.g. the threats of
// detection_rate.<threat>), each once.
func subjects(est []Estimate, f metric.Family, of metric.Kind, st metric.Stat) []string {
	var out []string
	for _, e := range est {
		if e.Family == f && e.Of == of && e.Stat == st && e.Part == "" && e.Subject != "" {
			out = append(out, e.Subject)
		}
	}
	return out
}

// cell formats an estimate for a report table: "15.1% ± 0.8%", or "0.7%
// [0.3%, 1.4%]" when the interval is not centred, "n/a" when undefined, the
// mean alone when there is no interval.
func cell(e Estimate, ok bool) string {
	if !ok || e.N == 0 {
		return "n/a"
	}
	if e.Mean == 0 && (e.N == 1 || e.Low == 0 && e.High == 0) && e.Unit != UnitFraction {
		return "0" // never happened in any replication: no decimals to show
	}
	dec, pct, sep := decimals(e.Unit, math.Abs(e.Mean))
	s := formatNumber(e.Mean, dec, pct, sep)
	if hw := e.HalfWidth(); !math.IsNaN(hw) {
		if showBounds(e.Interval, dec, pct, sep) {
			// Not centred at the precision shown: the bounds.
			return s + " [" + formatNumber(e.Low, dec, pct, sep) + ", " + formatNumber(e.High, dec, pct, sep) + "]"
		}
		s += " ± " + formatNumber(hw, dec, pct, sep)
	}
	return s
}

// value formats a single number of a unit as the report tables do.
func value(v float64, unit metric.Unit) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	dec, pct, sep := decimals(unit, math.Abs(v))
	return formatNumber(v, dec, pct, sep)
}

// WriteRunReport writes the report of one run — report.html (self-contained,
// charts inline as SVG) and report.md with its charts in ReportChartsDir —
// into dir, which must exist. Its sections: release time per lane (the
// share released within each time of the engine's ladder, per lane, with
// confidence bands), detection per threat, the lane mix,
// resource utilization and the Time Release Study intervals, each with one
// chart and a table of means with 95% confidence intervals.
func (r *Report) WriteRunReport(dir string) error {
	doc, err := r.runDoc()
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}

func (r *Report) runDoc() (*reportDoc, error) {
	m := indexEstimates(r.Estimates)
	doc := &reportDoc{
		Title:    "pilotsim run: " + r.Scenario,
		Subtitle: runSubtitle(r),
	}
	var intro []string
	if e, ok := m.get(key(metric.Consignments, "", metric.Value)); ok {
		intro = append(intro, fmt.Sprintf("%s consignments per replication after warm-up.", value(e.Mean, e.Unit)))
	}
	var parts []string
	for _, k := range []struct {
		f    metric.Family
		text string
	}{
		{metric.Inspection, "inspection rate"}, {metric.Hit, "hit rate"}, {metric.Detection, "detection rate"},
	} {
		if e, ok := m.get(key(k.f, "", metric.Value)); ok {
			parts = append(parts, k.text+" "+cell(e, true))
		}
	}
	if len(parts) > 0 {
		intro = append(intro, "Security: "+strings.Join(parts, ", ")+".")
	}
	if e, ok := m.get(key(metric.Release, "all", metric.Mean)); ok {
		s := "Facilitation: mean release time " + cell(e, true) + " h"
		if p, ok := m.get(key(metric.Release, "all", metric.P90)); ok {
			s += ", 90th percentile " + cell(p, true) + " h"
		}
		intro = append(intro, s+".")
	}
	intro = append(intro, "Every figure is the mean across replications ± the half-width of its 95% confidence interval (Student t); whiskers on the charts, and the shaded bands on the release-time chart, show the same interval.")
	doc.Intro = intro
	doc.Alerts = r.Stability().alerts("")

	for _, build := range []func(*Report, estimates) (reportSection, error){
		releaseSection, groupSection, detectionSection, laneSection, resourceSection, poolHoursSection, trsSection,
	} {
		s, err := build(r, m)
		if err != nil {
			return nil, err
		}
		if s.ID == "" {
			continue // nothing to show (results without such metrics)
		}
		doc.Sections = append(doc.Sections, s)
	}
	if r.Partial {
		doc.Notes = append(doc.Notes, fmt.Sprintf("The run was interrupted: %d of %d replications finished and are reported.", len(r.Reps), r.Replications))
	}
	return doc, nil
}

func runSubtitle(r *Report) string {
	s := fmt.Sprintf("Scenario %s, seed %d, %d replications", r.Scenario, r.Seed, len(r.Reps))
	if r.Partial {
		s += fmt.Sprintf(" of %d asked for (interrupted)", r.Replications)
	}
	return s + "."
}

// withinTimes returns the times of the metrics release.<lane>.within.<T>
// in est, shortest first, each once: in minutes and in hours.
func withinTimes(est []Estimate) (minutes []int, hours []float64) {
	seen := map[int]bool{}
	for _, e := range est {
		if e.Family == metric.Release && e.Stat == metric.Within && !seen[e.Within] {
			seen[e.Within] = true
			minutes = append(minutes, e.Within)
		}
	}
	slices.Sort(minutes)
	for _, t := range minutes {
		hours = append(hours, float64(t)/60)
	}
	return minutes, hours
}

// withinTicks labels a log-scaled hours axis at exactly the times of the
// ladder.
type withinTicks []float64

func (w withinTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, h := range w {
		if h >= min && h <= max {
			ticks = append(ticks, plot.Tick{Value: h, Label: durationLabel(h)})
		}
	}
	return ticks
}

func releaseSection(r *Report, m estimates) (reportSection, error) {
	s := reportSection{ID: "release", Title: "Release time per lane"}
	s.Text = []string{"How long consignments took from arrival to release, per lane. The chart plots, for each lane, the share of consignments released within each of a fixed set of times, as a Time Release Study reports it: counted exactly in each replication, over the consignments that arrived in the statistics window, followed after the horizon (the drain, without new arrivals) until they are released; one still not released when the drain's cap is reached counts as not released within any time. The further up and to the left a curve, the faster the lane; a curve that reaches 100% only far to the right has a long tail, which is what traders complain about."}

	names, hours := withinTimes(r.Estimates)
	p := newChart("Share of consignments released within a time, per lane", "time after arrival (log scale)", "consignments released within the time (%)")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = withinTicks(hours)
	type laneCurve struct {
		line   *plotter.Line
		points *plotter.Scatter
	}
	drawn := map[string]laneCurve{}
	yMin := 100.0
	// "all" is drawn last, on top of the lane that carries most of the
	// traffic (and often has the same curve), and listed first.
	for _, lane := range append(append([]string(nil), reportLanes[1:]...), reportLanes[0]) {
		var xys, lows, highs plotter.XYs
		for k, t := range names {
			e, ok := m.get(withinKey(lane, t))
			if !ok {
				continue
			}
			mean, lo, hi := scaled(e.Interval, 100)
			xys = append(xys, plotter.XY{X: hours[k], Y: mean})
			yMin = math.Min(yMin, mean)
			if !math.IsNaN(lo) && !math.IsNaN(hi) {
				// A Student t interval of a share can pass 0% or 100%.
				lo, hi = math.Max(lo, 0), math.Min(hi, 100)
				lows = append(lows, plotter.XY{X: hours[k], Y: lo})
				highs = append(highs, plotter.XY{X: hours[k], Y: hi})
				yMin = math.Min(yMin, lo)
			}
		}
		if len(xys) == 0 {
			continue
		}
		col := laneColors[lane]
		var c laneCurve
		// Bands for the lanes only: theirs already cover the "all" curve.
		if lane != "all" && len(lows) == len(xys) && len(xys) > 1 {
			ring := append(plotter.XYs(nil), lows...)
			for i := len(highs) - 1; i >= 0; i-- {
				ring = append(ring, highs[i])
			}
			band, err := plotter.NewPolygon(ring)
			if err != nil {
				return s, err
			}
			cr, cg, cb, _ := col.RGBA()
			band.Color = color.NRGBA{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), 0x38}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return s, err
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: 2}
		points.GlyphStyle = draw.GlyphStyle{Color: col, Radius: 3, Shape: draw.CircleGlyph{}}
		if lane == "all" {
			line.LineStyle.Dashes = []vg.Length{5, 3}
			line.LineStyle.Width = 1.5
			points.GlyphStyle.Radius = 2.2
		}
		c.line, c.points = line, points
		drawn[lane] = c
	}
	// Lines over every band.
	for _, lane := range append(append([]string(nil), reportLanes[1:]...), reportLanes[0]) {
		if c, ok := drawn[lane]; ok {
			p.Add(c.line, c.points)
		}
	}
	for _, lane := range reportLanes {
		if c, ok := drawn[lane]; ok {
			p.Legend.Add(lane, c.line, c.points)
		}
	}
	switch {
	case len(names) == 0:
		s.Text = append(s.Text, "These results hold no shares released within given times (metrics release.LANE.within.TIME): there is no chart.")
	case len(drawn) == 0:
		s.Text = append(s.Text, "No consignment was counted: there is no share released within any time to show.")
	default:
		p.X.Min, p.X.Max = hours[0]/1.3, hours[len(hours)-1]*1.3
		// Shares are often all high: start the axis at the tens below the
		// lowest point or interval, so the curves are apart.
		p.Y.Min, p.Y.Max = math.Max(0, 10*math.Floor((yMin-1)/10)), 100.5
		p.Legend.Left = false
		p.Legend.Top = false
		p.Legend.XOffs, p.Legend.YOffs = -8, 8
		svg, err := renderSVG(p, chartW, chartH)
		if err != nil {
			return s, err
		}
		caption := fmt.Sprintf("Share of consignments released within each time from %s to %s (log scale), per lane: the mean across replications, the shaded band its 95%% confidence interval; the dashed line is all lanes together. Lines between the points only join them: the times in between were not measured. Mean, median, 90th and 95th percentiles and maximum are in the first table below.", durationLabel(hours[0]), durationLabel(hours[len(hours)-1]))
		if p.Y.Min > 0 {
			caption += fmt.Sprintf(" The vertical axis starts at %g%%.", p.Y.Min)
		}
		s.Chart = &reportChart{SVG: svg, Caption: caption}
	}

	t := reportTable{Header: []string{"lane", "mean h", "median h", "p90 h", "p95 h", "max h", "within target"}, Numeric: []bool{false, true, true, true, true, true, true}}
	for _, lane := range reportLanes {
		row := []string{lane}
		any := false
		for _, st := range []metric.Stat{metric.Mean, metric.Median, metric.P90, metric.P95, metric.Max, metric.WithinTarget} {
			e, ok := m.get(key(metric.Release, lane, st))
			any = any || ok
			if st == metric.WithinTarget && !ok {
				row = append(row, "")
				continue
			}
			row = append(row, cell(e, ok))
		}
		if any {
			t.Rows = append(t.Rows, row)
		}
	}
	t.Caption = "Release time (hours) of the consignments that arrived in the window, followed to release through the drain, and share within the scenario's targets"
	s.Tables = append(s.Tables, t)
	if wt, ok := withinTable(m, names, hours); ok {
		s.Tables = append(s.Tables, wt)
	}
	if e, ok := m.get(key(metric.InSystem, "", metric.N)); ok && e.Mean > 0 {
		age, _ := m.get(key(metric.InSystem, "", metric.MeanAge))
		s.Text = append(s.Text, fmt.Sprintf("At the horizon %s consignments were still in the system (mean age %s h); those of the window were followed through the drain to their release.", cell(e, true), cell(age, age.N > 0)))
	}
	if e, ok := m.get(key(metric.Unreleased, "", metric.N)); ok && e.Mean > 0 {
		share, _ := m.get(key(metric.Unreleased, "", metric.Of))
		s.Text = append(s.Text, fmt.Sprintf("%s consignments of the window (%s) were still not released when the drain's cap was reached: they are not in the release times and count as late for every target.", cell(e, true), cell(share, share.N > 0)))
	}
	return s, nil
}

// groupSection is the release time by group (AEO or not, lodged before or
// after arrival, transport mode): mean with its interval as bars, the
// percentiles and the share within the overall target in a table, and the
// controls by AEO status. Results without group metrics have no such
// section (zero section).
func groupSection(r *Report, m estimates) (reportSection, error) {
	groups := subjects(r.Estimates, metric.Release, metric.OfGroup, metric.Mean)
	if len(groups) == 0 {
		return reportSection{}, nil
	}
	s := reportSection{ID: "groups", Title: "Release time by group"}
	s.Text = []string{"A Time Release Study also splits release time by AEO status, by whether the declaration was lodged before the goods arrived, and by transport mode. Each consignment is in one group of each kind, so the groups of a kind together make up all consignments. A mode that is the only one with traffic is every consignment."}
	var shares []string
	for _, k := range []struct{ group, text string }{
		{sim.GroupAEO, "declared by AEOs"}, {sim.GroupPreArrival, "lodged at or before arrival"},
	} {
		if e, ok := m.get(key(metric.Share, k.group, metric.Value)); ok {
			shares = append(shares, cell(e, true)+" "+k.text)
		}
	}
	if len(shares) > 0 {
		s.Text = append(s.Text, "Of the consignments, "+strings.Join(shares, "; ")+".")
	}
	t := reportTable{Header: []string{"group", "mean h", "median h", "p90 h", "p95 h", "within target"}, Numeric: []bool{false, true, true, true, true, true}}
	labels := make([]string, len(groups))
	var bars []chartBar
	for i, g := range groups {
		labels[i] = groupLabel(g)
		row := []string{labels[i]}
		for _, st := range []metric.Stat{metric.Mean, metric.Median, metric.P90, metric.P95, metric.WithinTarget} {
			e, ok := m.get(key(metric.Release, g, st))
			row = append(row, cell(e, ok))
		}
		t.Rows = append(t.Rows, row)
		if e, ok := m.get(key(metric.Release, g, metric.Mean)); ok {
			bars = append(bars, chartBar{X: float64(i), Width: 0.6, Top: e.Mean, Low: e.Low, High: e.High, Color: paletteColor(groupKind(g))})
		}
	}
	t.Caption = "Release time (hours) by group, over the window's arrivals followed to release, and share within the overall target"
	s.Tables = append(s.Tables, t)
	at := reportTable{Caption: "Controls by AEO status", Header: []string{"", "inspection rate", "hit rate"}, Numeric: []bool{false, true, true}}
	for _, g := range aeoGroups {
		row := []string{groupLabel(g)}
		for _, f := range []metric.Family{metric.Inspection, metric.Hit} {
			e, ok := m.get(key(f, g, metric.Value))
			row = append(row, cell(e, ok))
		}
		at.Rows = append(at.Rows, row)
	}
	s.Tables = append(s.Tables, at)
	if len(bars) == 0 {
		s.Text = append(s.Text, "No consignment was released: there is no release time to show.")
		return s, nil
	}
	p := newCategoryChart("Mean release time by group, with 95% confidence intervals", "mean release time (hours)", labels)
	bp := &barsPlotter{bars: bars}
	p.Add(bp)
	p.Y.Min = 0
	padCategories(p, len(labels), false)
	svg, err := renderSVG(p, chartW, chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Mean release time (arrival to release) of the consignments of each group (the window's arrivals, followed to release); bars of one colour are groups of one kind. Whiskers: 95% confidence interval across replications."}
	return s, nil
}

// groupKind is 0 for the AEO groups, 1 for the lodgement groups and 2 for
// the modes: one colour per kind on the chart.
func groupKind(g string) int {
	switch g {
	case sim.GroupAEO, sim.GroupNonAEO:
		return 0
	case sim.GroupPreArrival, sim.GroupPostArrival:
		return 1
	}
	return 2
}

// withinTable is the share released within each time of the ladder: a row
// per time, a column per lane that has any such figure.
func withinTable(m estimates, names []int, hours []float64) (reportTable, bool) {
	t := reportTable{Caption: "Share released within each time (a consignment not released by the end of the drain counts as not released within it)", Header: []string{"released within"}, Numeric: []bool{false}}
	var lanes []string
	for _, lane := range reportLanes {
		for _, n := range names {
			if _, ok := m.get(withinKey(lane, n)); ok {
				lanes = append(lanes, lane)
				break
			}
		}
	}
	if len(lanes) == 0 {
		return t, false
	}
	for _, lane := range lanes {
		t.Header = append(t.Header, lane)
		t.Numeric = append(t.Numeric, true)
	}
	for k, n := range names {
		row := []string{durationLabel(hours[k])}
		for _, lane := range lanes {
			e, ok := m.get(withinKey(lane, n))
			row = append(row, cell(e, ok))
		}
		t.Rows = append(t.Rows, row)
	}
	return t, true
}

func detectionSection(r *Report, m estimates) (reportSection, error) {
	s := reportSection{ID: "detection", Title: "Detection per threat"}
	s.Text = []string{"Of all irregular consignments of each threat, the share that controls found (detection rate). The overall bar counts every irregular consignment; a threat that is rare or hard to see in the data has a wide interval."}
	threats := subjects(r.Estimates, metric.Detection, metric.OfThreat, metric.Value)
	names := append([]string{"all threats"}, threats...)
	var bars []chartBar
	t := reportTable{Header: []string{"threat", "detection rate", "replications"}, Numeric: []bool{false, true, true}}
	for i, name := range names {
		k := key(metric.Detection, "", metric.Value)
		if i > 0 {
			k.Subject = name
		}
		e, ok := m.get(k)
		t.Rows = append(t.Rows, []string{name, cell(e, ok), fmt.Sprint(e.N)})
		if !ok {
			continue
		}
		mean, lo, hi := scaled(e.Interval, 100)
		col := paletteColor(0)
		if i == 0 {
			col = chartInk
		}
		bars = append(bars, chartBar{X: float64(i), Width: 0.6, Top: mean, Low: lo, High: hi, Color: col, Label: value(e.Mean, e.Unit)})
	}
	for _, k := range []struct {
		key  metric.Key
		text string
	}{{key(metric.Hit, "", metric.Value), "hit rate (all controls)"}, {key(metric.Hit, "yellow", metric.Value), "hit rate in yellow"},
		{key(metric.Hit, "red", metric.Value), "hit rate in red"}, {key(metric.Inspection, "", metric.Value), "inspection rate"}} {
		if e, ok := m.get(k.key); ok {
			t.Rows = append(t.Rows, []string{k.text, cell(e, true), fmt.Sprint(e.N)})
		}
	}
	s.Tables = append(s.Tables, t)
	if rt, ok := reasonTable(m); ok {
		s.Tables = append(s.Tables, rt)
	}
	if e, ok := m.get(metric.Key{Family: metric.Lift, Stat: metric.Estimate}); ok {
		text := "Lift of risk selection over random selection, as an administration can estimate it from its random stratum (the hit rate of the risk-selected controls divided by that of the random controls, the random ones standing for blind selection): " + cell(e, true) + "."
		if tr, ok := m.get(metric.Key{Family: metric.Lift, Stat: metric.True}); ok {
			text += " The true lift, which only a simulation knows (the irregular share of the risk-selected controls divided by the irregular share of all consignments): " + cell(tr, true) + "."
		}
		s.Text = append(s.Text, text)
	}
	if len(bars) == 0 {
		s.Text = append(s.Text, "No irregular consignment arrived: detection is undefined.")
		return s, nil
	}
	p := newCategoryChart("Detection rate per threat, with 95% confidence intervals", "irregular consignments found (%)", names)
	p.Add(&barsPlotter{bars: bars})
	p.Y.Min, p.Y.Max = 0, 100
	padCategories(p, len(names), false)
	svg, err := renderSVG(p, chartW, chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Detection rate: irregular consignments found by a control, as a share of all irregular consignments of the threat, written above each bar (a rate of a few tenths of a percent is a sliver of a bar). Whiskers: 95% confidence interval across replications."}
	return s, nil
}

// laneReasons are why a consignment got its lane, in the engine's order.
var laneReasons = []string{"score", "forced", "random", "expected"}

func laneSection(r *Report, m estimates) (reportSection, error) {
	s := reportSection{ID: "lanes", Title: "Lane mix"}
	s.Text = []string{"The share of consignments in each lane, split by why they got it: by their risk score, forced by a rule, drawn at random, or filled in to reach an expected rate. Whiskers: 95% confidence interval of the lane's share."}
	total, okTotal := m.get(key(metric.Consignments, "", metric.Value))
	var lanes []string
	for _, lane := range reportLanes[1:] {
		if _, ok := m.get(key(metric.Lane, lane, metric.Of)); ok {
			lanes = append(lanes, lane)
		}
	}
	t := reportTable{Header: []string{"lane", "share"}, Numeric: []bool{false, true}}
	for _, reason := range laneReasons {
		t.Header = append(t.Header, reason)
		t.Numeric = append(t.Numeric, true)
	}
	reasonColor := map[string]int{"score": 0, "forced": 3, "random": 1, "expected": 4}
	// One panel per lane, each on its own scale: on one axis green's 85%
	// leaves yellow and red as slivers no one can read.
	var panels []*plot.Plot
	for _, lane := range lanes {
		share, _ := m.get(key(metric.Lane, lane, metric.Of))
		row := []string{lane, cell(share, true)}
		var bars []chartBar
		bottom := 0.0
		for _, reason := range laneReasons {
			e, ok := m.get(metric.Key{Family: metric.Lane, Subject: lane, Part: reason, Stat: metric.N})
			row = append(row, cell(e, ok))
			if !ok || !okTotal || total.Mean <= 0 {
				continue
			}
			h := 100 * e.Mean / total.Mean
			bars = append(bars, chartBar{X: 0, Width: 0.6, Bottom: bottom, Top: bottom + h, Low: math.NaN(), High: math.NaN(), Color: paletteColor(reasonColor[reason])})
			bottom += h
		}
		t.Rows = append(t.Rows, row)
		mean, lo, hi := scaled(share.Interval, 100)
		if bottom == 0 { // no counts by reason: one bar for the share
			bars = append(bars, chartBar{X: 0, Width: 0.6, Top: mean, Low: lo, High: hi, Color: laneColors[lane]})
		} else {
			// The whisker goes on the stacked total, the lane's share.
			bars = append(bars, chartBar{X: 0, Width: 0.6, Top: mean, Bottom: mean, Low: lo, High: hi, Color: laneColors[lane]})
		}
		p := newCategoryChart(fmt.Sprintf("%s: %s", lane, value(share.Mean, share.Unit)), "consignments (%)", []string{lane})
		bp := &barsPlotter{bars: bars}
		p.Add(bp)
		_, _, _, top := bp.DataRange()
		p.Y.Min, p.Y.Max = 0, math.Min(100, math.Max(top*1.15, 0.1))
		padCategories(p, 1, false)
		panels = append(panels, p)
	}
	t.Caption = "Share of consignments per lane, and consignments per replication by reason"
	s.Tables = append(s.Tables, t)
	if len(lanes) == 0 {
		return s, nil
	}
	// The legend of the reasons goes on the first panel.
	for _, reason := range laneReasons {
		panels[0].Legend.Add(reason, swatch{fill: paletteColor(reasonColor[reason])})
	}
	svg, err := renderTiles("Lane mix: share of consignments per lane, by reason (each lane on its own scale)", panels, len(panels), chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Each panel is one lane's share of all consignments, stacked by the reason for the lane, on the lane's own scale (read the axis: green's panel goes to 100%, red's to a few percent). Whiskers: 95% confidence interval of the lane's share."}
	return s, nil
}

func resourceSection(r *Report, m estimates) (reportSection, error) {
	s := reportSection{ID: "resources", Title: "Resource utilization"}
	s.Text = []string{"How busy each pool of officers or scanners was: the share of its capacity in use (over its opening hours). Above about 85% queues grow quickly and release times with them."}
	pools := subjects(r.Estimates, metric.Pool, metric.OfPool, metric.Utilization)
	t := reportTable{Header: []string{"pool", "utilization", "mean wait h", "mean queue", "max queue"}, Numeric: []bool{false, true, true, true, true}}
	var bars []chartBar
	for i, pool := range pools {
		row := []string{pool}
		for _, st := range []metric.Stat{metric.Utilization, metric.MeanWait, metric.MeanQueue, metric.MaxQueue} {
			e, ok := m.get(key(metric.Pool, pool, st))
			row = append(row, cell(e, ok))
		}
		t.Rows = append(t.Rows, row)
		if e, ok := m.get(key(metric.Pool, pool, metric.Utilization)); ok {
			mean, lo, hi := scaled(e.Interval, 100)
			bars = append(bars, chartBar{X: float64(i), Width: 0.55, Top: mean, Low: lo, High: hi, Color: paletteColor(i), Label: value(e.Mean, e.Unit)})
		}
	}
	s.Tables = append(s.Tables, t)
	// What the controls cost, when the scenario prices them (costs:).
	ct := reportTable{Caption: "Cost of controls per day (the scenario's prices)", Header: []string{"", "per day"}, Numeric: []bool{false, true}}
	for _, c := range []struct {
		k     metric.Key
		label string
	}{
		{metric.Key{Family: metric.Cost, Subject: "officer_hours", Stat: metric.PerDay}, "officer-hours of document and physical pools"},
		{metric.Key{Family: metric.Cost, Subject: "scans", Stat: metric.PerDay}, "NII scans"},
		{metric.Key{Family: metric.Cost, Stat: metric.PerDay}, "cost"},
	} {
		if e, ok := m.get(c.k); ok {
			ct.Rows = append(ct.Rows, []string{c.label, cell(e, true)})
		}
	}
	if len(ct.Rows) > 0 {
		s.Tables = append(s.Tables, ct)
	}
	if len(bars) == 0 {
		s.Text = append(s.Text, "The scenario has no control resources.")
		return s, nil
	}
	p := newCategoryChart("Utilization per resource pool, with 95% confidence intervals", "capacity in use (%)", pools)
	p.Add(&barsPlotter{bars: bars}, refLine{v: 85})
	p.Y.Min, p.Y.Max = 0, 100
	padCategories(p, len(pools), false)
	svg, err := renderSVG(p, chartW, chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Utilization: busy server time over available server time, per pool, written above each bar. Dashed line: 85%, above which waiting grows steeply. Whiskers: 95% confidence interval."}
	return s, nil
}

// trsIntervals are the Time Release Study intervals, in the order of the
// consignment's journey.
var trsIntervals = []struct{ key, text string }{
	{"arrival_lodgement", "arrival → lodgement"},
	{"lodgement_lane", "lodgement → lane assigned"},
	{"lane_release", "lane assigned → release"},
}

func trsSection(r *Report, m estimates) (reportSection, error) {
	s := reportSection{ID: "trs", Title: "Time Release Study intervals"}
	s.Text = []string{"The Time Release Study splits the time from arrival to release into intervals to find the bottleneck (WCO Guide to Measure the Time Required for the Release of Goods). The three intervals are counted from the goods' arrival and add up to the mean release time: a declaration lodged before arrival adds nothing to arrival → lodgement, and its risk assessment done before arrival adds nothing to lodgement → lane. Per pool, the time the consignments it controlled spent waiting in its queue and in the control itself."}
	t := reportTable{Caption: "Intervals (mean hours)", Header: []string{"interval", "mean h"}, Numeric: []bool{false, true}}
	type row struct {
		name string
		e    Estimate
		col  int // palette index; -1: ink
	}
	var rows []row
	for _, iv := range trsIntervals {
		e, ok := m.get(key(metric.TRS, iv.key, metric.Mean))
		if !ok {
			continue
		}
		t.Rows = append(t.Rows, []string{iv.text, cell(e, true)})
		rows = append(rows, row{iv.text, e, -1})
	}
	var pools []string
	for _, e := range r.Estimates {
		if e.Family == metric.TRS && e.Of == metric.OfPool && e.Part == "wait" {
			pools = append(pools, e.Subject)
		}
	}
	pt := reportTable{Caption: "Per pool (mean hours per controlled consignment)", Header: []string{"pool", "queue wait h", "control h"}, Numeric: []bool{false, true, true}}
	for _, pool := range pools {
		tr := []string{pool}
		for k, st := range []struct{ key, text string }{{"wait", "queue wait"}, {"service", "control"}} {
			e, ok := m.get(metric.Key{Family: metric.TRS, Subject: pool, Part: st.key, Stat: metric.Mean})
			tr = append(tr, cell(e, ok))
			if ok {
				rows = append(rows, row{pool + ": " + st.text, e, 1 + 4*k})
			}
		}
		pt.Rows = append(pt.Rows, tr)
	}
	s.Tables = append(s.Tables, t)
	if len(pt.Rows) > 0 {
		s.Tables = append(s.Tables, pt)
	}
	if len(rows) == 0 {
		return s, nil
	}
	// Two panels, one denominator each: the intervals are means over all
	// consignments, the pool times means over the consignments each pool
	// controlled; on one axis they would read as parts of one whole.
	var intervals, perPool []row
	for _, rw := range rows {
		if rw.col < 0 {
			intervals = append(intervals, rw)
		} else {
			perPool = append(perPool, rw)
		}
	}
	panel := func(title string, rows []row) *plot.Plot {
		// Lying bars, the journey read from the top down.
		names := make([]string, len(rows))
		var bars []chartBar
		for i, rw := range rows {
			at := len(rows) - 1 - i
			names[at] = rw.name
			col := color.Color(chartInk)
			if rw.col >= 0 {
				col = paletteColor(rw.col)
			}
			bars = append(bars, chartBar{X: float64(at), Width: 0.6, Top: rw.e.Mean, Low: rw.e.Low, High: rw.e.High, Color: col})
		}
		p := newChartGrid(title, "mean time (hours)", "", true, false)
		p.NominalY(names...)
		p.Add(refLine{v: 0, vertical: true}, &barsPlotter{bars: bars, horizontal: true})
		padCategories(p, len(rows), true)
		span := p.X.Max - p.X.Min
		p.X.Max += 0.04 * span // whisker caps off the frame
		if p.X.Min < 0 {
			p.X.Min -= 0.04 * span
		}
		return p
	}
	var panels []*plot.Plot
	n := 0
	if len(intervals) > 0 {
		panels = append(panels, panel("Intervals: mean hours per consignment (all consignments)", intervals))
		n = len(intervals)
	}
	if len(perPool) > 0 {
		panels = append(panels, panel("Per pool: mean hours per consignment the pool controlled", perPool))
		n = max(n, len(perPool))
	}
	rowH := vg.Length(1.2)*vg.Inch + vg.Length(n)*0.32*vg.Inch
	svg, err := renderTiles("Time Release Study", panels, 1, rowH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Top: the Time Release Study intervals, mean hours over all consignments, counted from arrival (they add up to the mean release time). Below, on its own axis because its denominator differs: per pool, the mean queue wait and control time of the consignments that pool controlled. Whiskers: 95% confidence interval."}
	return s, nil
}

// reasonTable is hit rate and detection by reason of selection, and for the
// risk-selected controls together; ok is false without such metrics.
func reasonTable(m estimates) (reportTable, bool) {
	t := reportTable{Caption: "Controls by reason of selection: hit rate, and the share of all irregular consignments they found (the reasons add up to the detection rate)",
		Header: []string{"reason", "hit rate", "detection"}, Numeric: []bool{false, true, true}}
	any := false
	for _, r := range []string{"score", "forced", "random", "expected", "selected"} {
		h, okH := m.get(metric.Key{Family: metric.Hit, Subject: "reason", Part: r})
		d, okD := m.get(metric.Key{Family: metric.Detection, Subject: "reason", Part: r})
		any = any || okH || okD
		name := r
		if r == "selected" {
			name = "risk-selected (all but random)"
		}
		t.Rows = append(t.Rows, []string{name, cell(h, okH), cell(d, okD)})
	}
	return t, any
}
