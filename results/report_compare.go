package results

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"pilotsim/metric"
)

// The compare report: the key metrics side by side with their intervals, the
// paired differences from the baseline, and — when independent runs were
// measured — how much narrower pairing made the intervals.

// keyMetric is a metric the comparison and sweep charts show, with the title
// of its panel.
type keyMetric struct {
	key   metric.Key
	title string
}

// keyMetrics are the figures a pilot is judged by: security, then
// facilitation.
var keyMetrics = []keyMetric{
	{key(metric.Inspection, "", metric.Value), "Inspection rate"},
	{key(metric.Hit, "", metric.Value), "Hit rate"},
	{key(metric.Detection, "", metric.Value), "Detection rate"},
	{key(metric.Release, "all", metric.Mean), "Mean release time"},
	{key(metric.Release, "all", metric.P90), "90th percentile release time"},
	{key(metric.Release, "all", metric.WithinTarget), "Released within target"},
	// Only when the scenarios price their controls (costs:).
	{metric.Key{Family: metric.Cost, Stat: metric.PerDay}, "Cost of controls per day"},
	{metric.Key{Family: metric.Cost, Subject: "officer_hours", Stat: metric.PerDay}, "Officer-hours per day"},
}

// axisLabel returns the value-axis label of a metric of unit: what it is
// measured in.
func axisLabel(unit metric.Unit) string {
	_, u := scaleOf(unit)
	if u == "" {
		return "value"
	}
	return u
}

// hoursSuffix is " (h)" for a metric in hours: tables then say the unit.
func hoursSuffix(unit metric.Unit) string {
	if unit == UnitHours {
		return " (h)"
	}
	return ""
}

// WriteCompareReport writes the comparison's report.html and report.md (with
// its charts) into dir, which must exist.
func (c *Comparison) WriteCompareReport(dir string) error {
	doc, err := c.reportDoc()
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}

// presentKeys returns the key metrics every compared scenario has.
func (c *Comparison) presentKeys() []keyMetric {
	var out []keyMetric
	for _, km := range keyMetrics {
		all := true
		for k := range c.Reports {
			if e, ok := c.estimate(k, km.key); !ok || e.N == 0 {
				all = false
			}
		}
		if all {
			out = append(out, km)
		}
	}
	return out
}

func (c *Comparison) metricIndex(mk metric.Key) int {
	for i, m := range c.Metrics {
		if m.Key == mk {
			return i
		}
	}
	return -1
}

func (c *Comparison) reportDoc() (*reportDoc, error) {
	base := c.Reports[0]
	var names []string
	for k, r := range c.Reports {
		names = append(names, c.Labels[k]+" ("+r.Scenario+")")
	}
	doc := &reportDoc{
		Title:    "pilotsim compare: " + strings.Join(c.Labels, " vs "),
		Subtitle: fmt.Sprintf("%s; seed %d, %d replications each, the same seeds for all.", strings.Join(names, ", "), base.Seed, len(base.Reps)),
		Intro: []string{
			"Every scenario ran with the same seeds, so replication r of each saw the same arriving consignments wherever the scenarios agree on traffic, traders and threats (common random numbers). Their difference is therefore measured replication by replication — a paired difference — and its confidence interval is narrower than comparing two separate runs would give.",
			"Figures are means across replications with 95% confidence intervals (Student t). A difference whose interval excludes zero is marked with * in the tables and drawn as a filled dot in the charts.",
		},
	}
	for k, r := range c.Reports {
		doc.Alerts = append(doc.Alerts, r.Stability().alerts(c.Labels[k])...)
	}
	keys := c.presentKeys()

	// Key metrics side by side.
	s := reportSection{ID: "key-metrics", Title: "Key metrics side by side"}
	s.Text = []string{"Each panel is one figure; each bar one scenario, with its 95% confidence interval."}
	var panels []*plot.Plot
	kt := reportTable{Header: append([]string{"metric"}, c.Labels...), Numeric: []bool{false}}
	for range c.Labels {
		kt.Numeric = append(kt.Numeric, true)
	}
	for _, km := range keys {
		f, _ := scaleOf(c.Metrics[c.metricIndex(km.key)].Unit)
		unit := c.Metrics[c.metricIndex(km.key)].Unit
		p := newCategoryChart(km.title, axisLabel(unit), c.Labels)
		var bars []chartBar
		row := []string{km.title + hoursSuffix(unit)}
		size := c.metricSize(km.key)
		for k := range c.Reports {
			e, _ := c.estimate(k, km.key)
			mean, lo, hi := scaled(e.Interval, f)
			bars = append(bars, chartBar{X: float64(k), Width: 0.6, Top: mean, Low: lo, High: hi, Color: paletteColor(k)})
			row = append(row, cellSized(e, size))
		}
		p.Add(&barsPlotter{bars: bars})
		padCategories(p, len(c.Labels), false)
		// Room above the highest whisker: a cap on the frame's edge (a
		// share whose interval reaches 100%) is cut in half by the clip.
		p.Y.Min = 0
		p.Y.Max *= 1.1
		panels = append(panels, p)
		kt.Rows = append(kt.Rows, row)
	}
	if len(panels) > 0 {
		svg, err := renderTiles("Key metrics per scenario (95% confidence intervals)", panels, 3, tileRowH)
		if err != nil {
			return nil, err
		}
		s.Chart = &reportChart{SVG: svg, Caption: "Bars: mean across replications; whiskers: 95% confidence interval. Rates in percent of consignments (inspection), of controlled consignments (hit rate) or of irregular consignments (detection); release times in hours from arrival."}
	}
	s.Tables = append(s.Tables, kt)
	doc.Sections = append(doc.Sections, s)

	// Paired differences.
	d := reportSection{ID: "differences", Title: "Paired differences from " + c.Labels[0]}
	d.Text = []string{fmt.Sprintf("For each scenario X, the difference X − %s computed replication by replication, with its 95%% confidence interval. An interval that does not cross the dashed zero line is a difference the replications can vouch for; fractions are in percentage points (pp).", c.Labels[0])}
	panels = nil
	for _, km := range keys {
		i := c.metricIndex(km.key)
		unit := c.Metrics[i].Unit
		f, u := scaleOf(unit)
		if unit == UnitFraction || unit == metric.Load {
			u = "percentage points"
		}
		var items []chartInterval
		var cats []string
		for k := len(c.Paired) - 1; k >= 0; k-- { // the first comparison on top
			x := c.Paired[k][i]
			mean, lo, hi := scaled(x.Interval, f)
			items = append(items, chartInterval{At: float64(len(cats)), Mean: mean, Low: lo, High: hi, Color: paletteColor(k + 1), Hollow: !x.ExcludesZero})
			cats = append(cats, c.Labels[k+1]+" − "+c.Labels[0])
		}
		p := newChartGrid(km.title, "difference ("+u+")", "", true, false)
		p.NominalY(cats...)
		p.Add(refLine{v: 0, vertical: true}, &intervalsPlotter{items: items, horizontal: true})
		padCategories(p, len(cats), true)
		symmetricAroundZero(p)
		panels = append(panels, p)
	}
	if len(panels) > 0 {
		rowH := max(1.7*vg.Inch, 1.1*vg.Inch+vg.Length(len(c.Paired))*0.35*vg.Inch)
		svg, err := renderTiles("Paired differences with 95% confidence intervals (filled: excludes zero)", panels, 2, rowH)
		if err != nil {
			return nil, err
		}
		d.Chart = &reportChart{SVG: svg, Caption: "Dot: mean paired difference; bar: its 95% confidence interval. Filled dot: the interval excludes zero; open dot: it does not. The dashed line is no difference."}
	}
	dt := reportTable{Caption: "Every metric", Header: []string{"metric"}, Numeric: []bool{false}}
	for _, l := range c.Labels {
		dt.Header = append(dt.Header, l)
		dt.Numeric = append(dt.Numeric, true)
	}
	for k := 1; k < len(c.Labels); k++ {
		dt.Header = append(dt.Header, c.Labels[k]+" − "+c.Labels[0], "95% CI")
		dt.Numeric = append(dt.Numeric, true, true)
	}
	for i, m := range c.Metrics {
		dt.Rows = append(dt.Rows, c.tableRow(i, m, false))
	}
	d.Tables = append(d.Tables, dt)
	doc.Sections = append(doc.Sections, d)

	if c.Unpaired != nil {
		sec, err := c.pairingSection(keys)
		if err != nil {
			return nil, err
		}
		doc.Sections = append(doc.Sections, sec)
	}
	return doc, nil
}

// symmetricAroundZero widens the X range of p so zero sits in the middle:
// the eye then reads left and right of "no difference" fairly.
func symmetricAroundZero(p *plot.Plot) {
	m := math.Max(math.Abs(p.X.Min), math.Abs(p.X.Max))
	if m == 0 || math.IsInf(m, 0) || math.IsNaN(m) {
		m = 1
	}
	// 25% beyond the farthest end: the dot and the whisker cap at the end
	// are drawn whole, not cut by the frame.
	p.X.Min, p.X.Max = -m*1.25, m*1.25
}

// pairingSection shows how much narrower the paired intervals are than those
// from independent seeds.
func (c *Comparison) pairingSection(keys []keyMetric) (reportSection, error) {
	s := reportSection{ID: "pairing", Title: "What pairing buys"}
	s.Text = []string{fmt.Sprintf("Each scenario after %s was also run with seeds of its own, independent of %s's, and the difference computed as between two separate studies (Welch's interval). The chart shows how many times wider that interval is than the paired one: the number of replications common random numbers save is roughly the square of it.", c.Labels[0], c.Labels[0])}
	t := reportTable{Header: []string{"metric", "comparison", "paired 95% CI", "independent seeds 95% CI", "× narrower"}, Numeric: []bool{false, false, true, true, true}}
	var bars []chartBar
	var cats []string
	for _, km := range keys {
		i := c.metricIndex(km.key)
		for k := range c.Paired {
			p, u := c.Paired[k][i], c.Unpaired[k][i]
			size := c.metricSize(km.key)
			_, piv := diffText(p, size)
			_, uiv := diffText(u, size)
			cmp := c.Labels[k+1] + " − " + c.Labels[0]
			t.Rows = append(t.Rows, []string{km.title + hoursSuffix(c.Metrics[i].Unit), cmp, strings.TrimSuffix(piv, " *"), strings.TrimSuffix(uiv, " *"), narrowing(p, u)})
			r := u.HalfWidth() / p.HalfWidth()
			if math.IsNaN(r) || math.IsInf(r, 0) {
				continue
			}
			cat := km.title
			if len(c.Paired) > 1 {
				cat += " (" + c.Labels[k+1] + ")"
			}
			bars = append(bars, chartBar{X: float64(len(cats)), Width: 0.6, Top: r, Low: math.NaN(), High: math.NaN(), Color: paletteColor(k + 1)})
			cats = append(cats, cat)
		}
	}
	s.Tables = append(s.Tables, t)
	if len(bars) == 0 {
		s.Text = append(s.Text, "No key metric has both intervals.")
		return s, nil
	}
	// Lying bars, first metric on top.
	for i := range bars {
		bars[i].X = float64(len(bars) - 1 - i)
	}
	rev := make([]string, len(cats))
	for i, cname := range cats {
		rev[len(cats)-1-i] = cname
	}
	p := newChartGrid("Interval width: independent seeds ÷ paired (common random numbers)", "times wider without pairing (1 = no gain)", "", true, false)
	p.NominalY(rev...)
	p.Add(&barsPlotter{bars: bars, horizontal: true}, refLine{v: 1, vertical: true})
	padCategories(p, len(bars), true)
	p.X.Min = 0
	svg, err := renderSVG(p, chartW, 1.2*vg.Inch+vg.Length(len(bars))*0.35*vg.Inch)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "How many times wider the 95% interval of the difference is with independent seeds than with the same seeds. Dashed line: 1, no gain."}
	return s, nil
}
