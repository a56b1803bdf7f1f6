package results

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"pilotsim/metric"
)

// The sweep report: the trade-off charts (detection against mean release time
// and against inspection rate, with the Pareto frontier drawn and every point
// labelled by its parameter values) and each key metric against the swept
// parameter.

// WriteSweepReport writes the sweep's report.html and report.md (with its
// charts) into dir, which must exist.
func (s *Sweep) WriteSweepReport(dir string) error {
	doc, err := s.reportDoc()
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}

func (s *Sweep) reportDoc() (*reportDoc, error) {
	first := s.Points[0].Report
	var paths []string
	for _, p := range s.Params {
		paths = append(paths, p.Path)
	}
	doc := &reportDoc{
		Title:    "pilotsim sweep: " + s.Scenario + " over " + strings.Join(paths, " × "),
		Subtitle: fmt.Sprintf("%d points, seed %d, %d replications per point; every point uses the same seeds.", len(s.Points), first.Seed, len(first.Reps)),
		Intro: []string{
			"Each point is a full run of the scenario with the swept parameters set to the point's values. A point is on the Pareto frontier when no other point detects at least as many irregular consignments while releasing trade at least as fast (or, in the second panel, while inspecting at most as many consignments), and one of them strictly. Dominated points are never the best choice for both security and facilitation; the frontier is the menu from which a Member chooses.",
			"Figures are means across replications with 95% confidence intervals (Student t); the frontier is computed from the means.",
		},
	}
	for _, p := range s.Points {
		if st := p.Report.Stability(); st.Unstable {
			doc.Alerts = append(doc.Alerts, st.alerts(p.Label())...)
		}
	}
	sec, err := s.tradeoffSection()
	if err != nil {
		return nil, err
	}
	doc.Sections = append(doc.Sections, sec)
	sec, err = s.metricsSection()
	if err != nil {
		return nil, err
	}
	doc.Sections = append(doc.Sections, sec)
	return doc, nil
}

// sweepTable is the sweep table for the reports.
func (s *Sweep) sweepTable() reportTable {
	cols := s.columns()
	t := reportTable{Compact: true}
	for _, p := range s.Params {
		t.Header = append(t.Header, p.Path)
		t.Numeric = append(t.Numeric, true)
	}
	for _, c := range cols {
		t.Header = append(t.Header, c.title)
		t.Numeric = append(t.Numeric, true)
	}
	t.Header = append(t.Header, "frontier")
	t.Numeric = append(t.Numeric, false)
	sizes := s.columnSizes(cols)
	for i, p := range s.Points {
		m := indexEstimates(p.Report.Estimates)
		row := append([]string(nil), p.Values...)
		for k, c := range cols {
			e, _ := m.get(c.metric) // absent: N = 0, shown as n/a
			row = append(row, cellSized(e, sizes[k]))
		}
		t.Rows = append(t.Rows, append(row, s.frontierMark(i)))
	}
	return t
}

func (s *Sweep) tradeoffSection() (reportSection, error) {
	sec := reportSection{ID: "trade-off", Title: "Trade-off: detection against release time and inspection rate"}
	sec.Text = []string{"Left: detection rate against mean release time; right: against inspection rate. Filled dots joined by the line are the Pareto frontier; open grey dots are dominated. Each point is labelled with its parameter values (" + s.paramNames() + "); thin lines show the 95% confidence intervals in both directions."}
	left, err := s.tradeoffPanel("Detection vs mean release time", metricRelease, 1, "mean release time (hours)", s.OnFrontier)
	if err != nil {
		return sec, err
	}
	right, err := s.tradeoffPanel("Detection vs inspection rate", metricInspection, 100, "inspection rate (% of consignments)", s.OnInspectionFrontier)
	if err != nil {
		return sec, err
	}
	svg, err := renderTiles("Security against facilitation: the Pareto frontier", []*plot.Plot{left, right}, 2, 4*vg.Inch)
	if err != nil {
		return sec, err
	}
	sec.Chart = &reportChart{SVG: svg, Caption: "Up is more detection (better security); left is faster release (left panel) or fewer inspections (right panel). Frontier points: filled and joined; dominated points: open grey circles. Labels: " + s.paramNames() + "; UNSTABLE marks a point whose queues grow without bound (see the banners)."}
	sec.Tables = append(sec.Tables, s.sweepTable())
	return sec, nil
}

// paramNames lists the swept parameters, as point labels order them.
func (s *Sweep) paramNames() string {
	var paths []string
	for _, p := range s.Params {
		paths = append(paths, p.Path)
	}
	return strings.Join(paths, ", ")
}

// xyErrs are points with error bars in both directions.
type xyErrs struct {
	plotter.XYs
	plotter.XErrors
	plotter.YErrors
}

// tradeoffPanel plots detection (%) against metric x (multiplied by xScale)
// for the sweep's points.
func (s *Sweep) tradeoffPanel(title string, x metric.Key, xScale float64, xLabel string, on []bool) (*plot.Plot, error) {
	pts := make([]tradeoffPoint, len(s.Points))
	for i, pt := range s.Points {
		pts[i] = tradeoffPoint{Label: pt.Label(), Report: pt.Report, On: on[i]}
	}
	return tradeoffPanel(title, x, xScale, xLabel, pts)
}

// tradeoffPoint is one point of a trade-off chart: its label, its results
// and whether it is on the frontier.
type tradeoffPoint struct {
	Label  string
	Report *Report
	On     bool
}

// tradeoffPanel plots detection (%) against metric x (multiplied by xScale):
// every point with its intervals in both directions and its label, the
// frontier points filled and joined, the others open and grey.
func tradeoffPanel(title string, x metric.Key, xScale float64, xLabel string, points []tradeoffPoint) (*plot.Plot, error) {
	p := newChart(title, xLabel, "detection rate (% of irregular consignments)")
	var pts xyErrs
	var labels []string
	var onIdx, offIdx []int
	for _, pt := range points {
		m := indexEstimates(pt.Report.Estimates)
		ex, okx := m.get(x)
		ey, oky := m.get(metricDetection)
		if !okx || !oky {
			continue
		}
		k := len(pts.XYs)
		pts.XYs = append(pts.XYs, plotter.XY{X: ex.Mean * xScale, Y: ey.Mean * 100})
		pts.XErrors = append(pts.XErrors, errOf(ex.Interval, xScale))
		pts.YErrors = append(pts.YErrors, errOf(ey.Interval, 100))
		lab := pt.Label
		if pt.Report.Stability().Unstable {
			lab += " UNSTABLE" // its figures depend on the horizon (banner above)
		}
		labels = append(labels, lab)
		if pt.On {
			onIdx = append(onIdx, k)
		} else {
			offIdx = append(offIdx, k)
		}
	}
	if len(pts.XYs) == 0 {
		p.Title.Text += " (undefined)"
		return p, nil
	}
	thin := draw.LineStyle{Color: color.RGBA{0xb0, 0xb0, 0xb0, 0xff}, Width: 0.8}
	xe, err := plotter.NewXErrorBars(pts)
	if err != nil {
		return nil, err
	}
	ye, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return nil, err
	}
	xe.LineStyle, ye.LineStyle = thin, thin
	xe.CapWidth, ye.CapWidth = 4, 4
	p.Add(xe, ye)

	// The frontier, left to right.
	sort.SliceStable(onIdx, func(a, b int) bool { return pts.XYs[onIdx[a]].X < pts.XYs[onIdx[b]].X })
	front := make(plotter.XYs, len(onIdx))
	for i, k := range onIdx {
		front[i] = pts.XYs[k]
	}
	frontCol := paletteColor(0)
	if len(front) > 1 {
		line, err := plotter.NewLine(front)
		if err != nil {
			return nil, err
		}
		line.LineStyle = draw.LineStyle{Color: frontCol, Width: 1.8}
		p.Add(line)
	}
	onGlyph := draw.GlyphStyle{Color: frontCol, Radius: 4, Shape: draw.CircleGlyph{}}
	offGlyph := draw.GlyphStyle{Color: chartMuted, Radius: 4, Shape: draw.RingGlyph{}}
	if len(front) > 0 {
		sc, err := plotter.NewScatter(front)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = onGlyph
		p.Add(sc)
	}
	if len(offIdx) > 0 {
		off := make(plotter.XYs, len(offIdx))
		for i, k := range offIdx {
			off[i] = pts.XYs[k]
		}
		sc, err := plotter.NewScatter(off)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = offGlyph
		p.Add(sc)
	}
	if err := addPointLabels(p, pts.XYs, labels); err != nil {
		return nil, err
	}
	frontLine := draw.LineStyle{Color: frontCol, Width: 1.8}
	p.Legend.Add("frontier", swatch{line: &frontLine, glyph: &onGlyph})
	if len(offIdx) > 0 {
		p.Legend.Add("dominated", swatch{glyph: &offGlyph})
	}
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs, p.Legend.YOffs = -4, 4
	// Room for the labels right of the last point and for the legend below.
	p.X.Max += (p.X.Max - p.X.Min) * 0.12
	p.Y.Min -= (p.Y.Max - p.Y.Min) * 0.25
	if p.X.Max == p.X.Min {
		p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
	}
	return p, nil
}

// addPointLabels labels every point beside it. Labels of points that lie
// close together (within a few percent of both axes) are stacked downwards
// instead of printed over each other.
func addPointLabels(p *plot.Plot, xys plotter.XYs, labels []string) error {
	// The axes' ranges so far (points and their intervals) give the scale.
	dx, dy := p.X.Max-p.X.Min, p.Y.Max-p.Y.Min
	if !(dx > 0) || math.IsInf(dx, 0) {
		dx = 1
	}
	if !(dy > 0) || math.IsInf(dy, 0) {
		dy = 1
	}
	level := make([]int, len(xys)) // 0: beside the point, k: k lines lower
	// Highest points first, so that a stack of labels reads top down in the
	// order of the points it stands for.
	order := make([]int, len(xys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return xys[order[a]].Y > xys[order[b]].Y })
	// A label line is about 6% of the plot's height; a label is placed at
	// the first line at or below its point that no earlier label near it in
	// X occupies.
	line := 0.06 * dy
	labelY := func(i int) float64 { return xys[i].Y - float64(level[i])*line }
	for k, i := range order {
		for {
			clash := false
			for _, j := range order[:k] {
				if math.Abs(xys[i].X-xys[j].X) < 0.12*dx && math.Abs(labelY(i)-labelY(j)) < line {
					clash = true
					break
				}
			}
			if !clash {
				break
			}
			level[i]++
		}
	}
	maxLevel := 0
	for _, l := range level {
		maxLevel = max(maxLevel, l)
	}
	for l := 0; l <= maxLevel; l++ {
		var at plotter.XYs
		var text []string
		for i, li := range level {
			if li == l {
				at = append(at, plotter.XY{X: xys[i].X, Y: labelY(i)})
				text = append(text, labels[i])
			}
		}
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: text})
		if err != nil {
			return err
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].Font = font.From(chartSans, 8.5)
			lab.TextStyle[i].Color = chartInk
		}
		lab.Offset = vg.Point{X: 5, Y: 2}
		p.Add(lab)
	}
	return nil
}

// errOf is an interval as distances below and above its mean, scaled; no
// interval gives zero-length bars.
func errOf(iv Interval, f float64) struct{ Low, High float64 } {
	if math.IsNaN(iv.Low) {
		return struct{ Low, High float64 }{}
	}
	return struct{ Low, High float64 }{(iv.Mean - iv.Low) * f, (iv.High - iv.Mean) * f}
}

// paramAxis says how the first swept parameter lies along the X axis:
// at its numeric values when all are numbers (with one common duration unit
// s, m, h or d), else at 0, 1, 2 … with the values as names.
func (s *Sweep) paramAxis() (xs []float64, numeric bool, unit string) {
	vals := s.Params[0].Values
	xs = make([]float64, len(vals))
	numeric = true
	for i, v := range vals {
		u := ""
		if n := len(v); n > 1 && strings.ContainsRune("smhd", rune(v[n-1])) {
			u, v = v[n-1:], v[:n-1]
		}
		if i == 0 {
			unit = u
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || u != unit {
			numeric = false
			break
		}
		xs[i] = f
	}
	if !numeric {
		for i := range xs {
			xs[i] = float64(i)
		}
		unit = ""
	}
	return xs, numeric, unit
}

func (s *Sweep) metricsSection() (reportSection, error) {
	param := s.Params[0]
	sec := reportSection{ID: "metrics", Title: "Each metric against " + param.Path}
	sec.Text = []string{"Each panel shows one figure at every value of " + param.Path + ", with its 95% confidence interval."}
	if len(s.Params) > 1 {
		sec.Text[0] += " One line per combination of the other swept parameters (" + strings.Join(s.otherParamPaths(), ", ") + "); the last panel is their legend."
	}
	xs, numeric, unit := s.paramAxis()
	xLabel := param.Path
	if unit != "" {
		xLabel += " (" + map[string]string{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit] + ")"
	}
	// Series: the points sharing the values of the other parameters.
	type series struct {
		name   string
		points []int // point index per value of the first parameter
	}
	var all []series
	byKey := map[string]int{}
	valueIndex := map[string]int{}
	for i, v := range param.Values {
		valueIndex[v] = i
	}
	for i, p := range s.Points {
		key := strings.Join(p.Sets[1:], ", ")
		k, ok := byKey[key]
		if !ok {
			k = len(all)
			byKey[key] = k
			pts := make([]int, len(param.Values))
			for j := range pts {
				pts[j] = -1
			}
			all = append(all, series{name: "= " + strings.Join(p.Values[1:], ", "), points: pts})
		}
		all[k].points[valueIndex[p.Values[0]]] = i
	}

	cols := s.columns()
	var panels []*plot.Plot
	// With several lines, their legend gets a panel of its own rather than
	// covering data.
	var key *plot.Plot
	if len(all) > 1 {
		key = newChartGrid(strings.Join(s.otherParamPaths(), ", "), "", "", false, false)
		key.Title.TextStyle.Font = font.From(chartSans, 10)
		key.HideAxes()
		key.X.Min, key.X.Max, key.Y.Min, key.Y.Max = 0, 1, 0, 1
		key.Legend.Top, key.Legend.Left = true, true
		key.Legend.TextStyle.Font = font.From(chartSans, 10)
	}
	for ci, c := range cols {
		var unitOf metric.Unit
		for _, pt := range s.Points {
			if e, ok := indexEstimates(pt.Report.Estimates).get(c.metric); ok {
				unitOf = e.Unit
				break
			}
		}
		f, axis := scaleOf(unitOf)
		title := map[metric.Key]string{
			metricInspection: "Inspection rate", metricHit: "Hit rate", metricDetection: "Detection rate",
			metricRelease: "Mean release time", metricReleaseP90: "90th percentile release time",
		}[c.metric]
		if title == "" {
			title = strings.TrimSuffix(c.title, " util.") + " utilization"
		}
		p := newChart(sentenceLabel(title), xLabel, axis)
		if !numeric {
			p.NominalX(param.Values...)
		}
		for k, se := range all {
			var xy plotter.XYs
			var items []chartInterval
			col := paletteColor(k)
			for j, idx := range se.points {
				if idx < 0 {
					continue
				}
				e, ok := indexEstimates(s.Points[idx].Report.Estimates).get(c.metric)
				if !ok {
					continue
				}
				mean, lo, hi := scaled(e.Interval, f)
				xy = append(xy, plotter.XY{X: xs[j], Y: mean})
				items = append(items, chartInterval{At: xs[j], Mean: mean, Low: lo, High: hi, Color: col})
			}
			if len(xy) == 0 {
				continue
			}
			line, err := plotter.NewLine(xy)
			if err != nil {
				return sec, err
			}
			line.LineStyle = draw.LineStyle{Color: col, Width: 1.5}
			p.Add(line, &intervalsPlotter{items: items})
			if ci == 0 && key != nil {
				g := draw.GlyphStyle{Color: col, Radius: 3, Shape: draw.CircleGlyph{}}
				key.Legend.Add(se.name, swatch{line: &line.LineStyle, glyph: &g})
			}
		}
		if unitOf == UnitFraction {
			p.Y.Min = math.Max(0, p.Y.Min-(p.Y.Max-p.Y.Min)*0.1)
		}
		if p.X.Min == p.X.Max {
			p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
		}
		if !numeric {
			padCategories(p, len(param.Values), false)
		} else {
			pad := (p.X.Max - p.X.Min) * 0.05
			p.X.Min, p.X.Max = p.X.Min-pad, p.X.Max+pad
		}
		panels = append(panels, p)
	}
	if key != nil {
		panels = append(panels, key)
	}
	svg, err := renderTiles("Metrics against "+param.Path+" (95% confidence intervals)", panels, 3, tileRowH)
	if err != nil {
		return sec, err
	}
	sec.Chart = &reportChart{SVG: svg, Caption: "Dots: means across replications; bars: 95% confidence intervals. Rates in percent, release times in hours, utilization in percent of each pool's capacity."}
	return sec, nil
}

func (s *Sweep) otherParamPaths() []string {
	var out []string
	for _, p := range s.Params[1:] {
		out = append(out, p.Path)
	}
	return out
}
