package results

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"pilotsim/metric"
)

// The batch report: the study table (every scenario's key figures with
// their intervals and whether it is on the security/facilitation frontier),
// the trade-off chart, and each key figure per scenario as a forest of
// intervals. Unsharded and merged batches write the same report.

// batchReportDoc is the report of batch b whose scenarios gave reports.
func batchReportDoc(b *Batch, reports []*Report) (*reportDoc, error) {
	doc := &reportDoc{
		Title: fmt.Sprintf("pilotsim batch %s: %d scenarios", b.ID, len(b.Scenarios)),
		Subtitle: fmt.Sprintf("%d scenarios, %d (scenario, replication) pairs, %s.",
			len(b.Scenarios), b.Pairs(), seedText(b.SeedOverride)),
		Intro: []string{
			"Every scenario of the batch is a full run with its replications. A scenario is on the frontier when no other detects at least as many irregular consignments while releasing trade at least as fast (time) or while inspecting at most as many consignments (inspection), and one of them strictly; a dominated scenario is never the best choice for both security and facilitation. A scenario whose queues grow without bound is marked UNSTABLE and kept off the frontiers.",
			"Figures are means across replications with 95% confidence intervals (Student t; fractions with intervals that stay in [0, 1]). Scenarios that share a seed and traffic see the same consignments, but the batch does not pair them: compare two of them with pilotsim compare for the paired difference.",
		},
		Notes: []string{"Each scenario's files (summary.csv, aggregate.csv, aggregate.json) are in its folder (the scenarios table); the whole study is in long.csv and results.xlsx, the list of scenarios with their files' SHA-256 and overrides in batch.json."},
	}
	for k, s := range b.Scenarios {
		doc.Alerts = append(doc.Alerts, reports[k].Stability().alerts(s.Dir)...)
	}
	sec, err := batchStudySection(b, reports)
	if err != nil {
		return nil, err
	}
	doc.Sections = append(doc.Sections, sec)
	sec, err = batchIntervalsSection(b, reports)
	if err != nil {
		return nil, err
	}
	doc.Sections = append(doc.Sections, sec)
	return doc, nil
}

// batchFrontiers are the scenarios on the frontier of detection against
// mean release time and against inspection rate (unstable ones on neither).
func batchFrontiers(reports []*Report) (time, inspection []bool) {
	release := make([][]float64, len(reports))
	insp := make([][]float64, len(reports))
	for i, r := range reports {
		m := indexEstimates(r.Estimates)
		det := meanOf(m, metricDetection)
		if r.Stability().Unstable {
			det = math.NaN()
		}
		release[i] = []float64{det, meanOf(m, metricRelease)}
		insp[i] = []float64{det, meanOf(m, metricInspection)}
	}
	return Pareto(release, []Sense{Maximize, Minimize}), Pareto(insp, []Sense{Maximize, Minimize})
}

// batchColumns are the study table's figures: the trade-off's, and the cost
// per day where every scenario prices its controls.
func batchColumns(reports []*Report) []sweepColumn {
	cols := []sweepColumn{
		{metricInspection, "inspection rate"}, {metricHit, "hit rate"}, {metricDetection, "detection"},
		{metricRelease, "mean release h"}, {metricReleaseP90, "p90 release h"},
	}
	cost := metric.Key{Family: metric.Cost, Stat: metric.PerDay}
	for _, r := range reports {
		if _, ok := indexEstimates(r.Estimates).get(cost); !ok {
			return cols
		}
	}
	return append(cols, sweepColumn{cost, "cost per day"})
}

func batchStudySection(b *Batch, reports []*Report) (reportSection, error) {
	sec := reportSection{ID: "study", Title: "The study: every scenario, and the trade-off"}
	sec.Text = []string{"Left: detection rate against mean release time; right: against inspection rate. Filled dots joined by the line are the frontier; open grey dots are dominated. Each dot is labelled with its scenario's folder, or its number (the folder's first digits) when folder names are long; thin lines show the 95% confidence intervals in both directions."}
	onTime, onInsp := batchFrontiers(reports)
	cols := batchColumns(reports)
	// Two tables: the scenarios (folder, file, overrides), then their
	// figures by number and name, so that neither is too wide for the page.
	list := reportTable{Caption: "The scenarios: folder (with its results) and overrides (batch.json has the files and their SHA-256)", Compact: true, Wrap: true,
		Header: []string{"#", "folder", "overrides"}, Numeric: []bool{false, false, false}}
	t := reportTable{Compact: true, Header: []string{"#", "name", "reps"}, Numeric: []bool{false, false, true}}
	for _, c := range cols {
		t.Header = append(t.Header, c.title)
		t.Numeric = append(t.Numeric, true)
	}
	t.Header = append(t.Header, "frontier")
	t.Numeric = append(t.Numeric, false)
	sizes := make([]float64, len(cols))
	for _, r := range reports {
		m := indexEstimates(r.Estimates)
		for k, c := range cols {
			if e, ok := m.get(c.metric); ok {
				sizes[k] = math.Max(sizes[k], math.Abs(e.Mean))
			}
		}
	}
	labels := batchLabels(b)
	timePts := make([]tradeoffPoint, len(reports))
	inspPts := make([]tradeoffPoint, len(reports))
	for k, s := range b.Scenarios {
		r := reports[k]
		m := indexEstimates(r.Estimates)
		num, _, _ := strings.Cut(s.Dir, "_")
		list.Rows = append(list.Rows, []string{num, s.Dir, strings.Join(s.Sets, " ")})
		row := []string{num, s.Name, strconv.Itoa(len(r.Reps))}
		for i, c := range cols {
			e, _ := m.get(c.metric)
			row = append(row, cellSized(e, sizes[i]))
		}
		var marks []string
		switch {
		case r.Stability().Unstable:
			marks = []string{"UNSTABLE"}
		default:
			if onTime[k] {
				marks = append(marks, "time")
			}
			if onInsp[k] {
				marks = append(marks, "inspection")
			}
			if len(marks) == 0 {
				marks = []string{"dominated"}
			}
		}
		t.Rows = append(t.Rows, append(row, strings.Join(marks, ", ")))
		timePts[k] = tradeoffPoint{Label: labels[k], Report: r, On: onTime[k]}
		inspPts[k] = tradeoffPoint{Label: labels[k], Report: r, On: onInsp[k]}
	}
	t.Caption = "Each scenario's key figures (mean ± half-width of the 95% interval) and the frontiers it is on"
	left, err := tradeoffPanel("Detection vs mean release time", metricRelease, 1, "mean release time (hours)", timePts)
	if err != nil {
		return sec, err
	}
	right, err := tradeoffPanel("Detection vs inspection rate", metricInspection, 100, "inspection rate (% of consignments)", inspPts)
	if err != nil {
		return sec, err
	}
	svg, err := renderTiles("Security against facilitation, scenario by scenario", []*plot.Plot{left, right}, 2, 4*vg.Inch)
	if err != nil {
		return sec, err
	}
	sec.Chart = &reportChart{SVG: svg, Caption: "Up is more detection (better security); left is faster release (left panel) or fewer inspections (right panel). Frontier scenarios: filled and joined; dominated ones: open grey circles; UNSTABLE marks a scenario whose queues grow without bound (see the banners)."}
	sec.Tables = append(sec.Tables, list, t)
	return sec, nil
}

// batchLabels are the scenarios' labels on the charts: their folders when
// all are short, else every one its number (the folder's NNN_ prefix; the
// study table gives the folder): long folder names, such as a grid's
// 000_seaport_expected.red=0.02_physical.servers=24, differ at their ends
// and would cover each other.
func batchLabels(b *Batch) []string {
	out := make([]string, len(b.Scenarios))
	short := true
	for k, s := range b.Scenarios {
		out[k] = s.Dir
		short = short && len(s.Dir) <= 20
	}
	if !short {
		for k, s := range b.Scenarios {
			num, _, _ := strings.Cut(s.Dir, "_")
			out[k] = num
		}
	}
	return out
}

func batchIntervalsSection(b *Batch, reports []*Report) (reportSection, error) {
	sec := reportSection{ID: "intervals", Title: "Each figure, scenario by scenario"}
	sec.Text = []string{"Each panel is one figure; each line one scenario (by its folder, or its folder's number when folder names are long): the dot its mean across replications, the bar its 95% confidence interval. Two scenarios whose intervals do not overlap differ; overlapping intervals do not prove they are alike (compare them with pilotsim compare for a paired difference, whose interval is narrower)."}
	n := len(b.Scenarios)
	names := make([]string, n)
	for k, l := range batchLabels(b) {
		names[n-1-k] = l // the first scenario on top
	}
	var panels []*plot.Plot
	for _, km := range keyMetrics {
		var items []chartInterval
		var unit metric.Unit
		for k, r := range reports {
			e, ok := indexEstimates(r.Estimates).get(km.key)
			if !ok {
				continue
			}
			unit = e.Unit
			f, _ := scaleOf(e.Unit)
			mean, lo, hi := scaled(e.Interval, f)
			it := chartInterval{At: float64(n - 1 - k), Mean: mean, Low: lo, High: hi, Color: paletteColor(0)}
			if r.Stability().Unstable {
				it.Color, it.Hollow = chartMuted, true // figures that depend on the horizon
			}
			items = append(items, it)
		}
		if len(items) == 0 {
			continue
		}
		p := newChartGrid(km.title, axisLabel(unit), "", true, false)
		p.NominalY(names...)
		p.Add(&intervalsPlotter{items: items, horizontal: true})
		padCategories(p, n, true)
		span := p.X.Max - p.X.Min
		if !(span > 0) {
			span = math.Max(1, math.Abs(p.X.Max))
		}
		p.X.Min -= 0.06 * span
		p.X.Max += 0.06 * span
		panels = append(panels, p)
	}
	// Utilization of every pool any scenario has, per scenario.
	var pools []string
	seen := map[string]bool{}
	for _, r := range reports {
		for _, p := range subjects(r.Estimates, metric.Pool, metric.OfPool, metric.Utilization) {
			if !seen[p] {
				seen[p] = true
				pools = append(pools, p)
			}
		}
	}
	if len(pools) > 0 {
		t := reportTable{Caption: "Utilization of each pool (busy server time over available server time), per scenario", Header: []string{"#", "name"}, Numeric: []bool{false, false}, Compact: true}
		for _, p := range pools {
			t.Header = append(t.Header, labelText(p))
			t.Numeric = append(t.Numeric, true)
		}
		for k, s := range b.Scenarios {
			m := indexEstimates(reports[k].Estimates)
			num, _, _ := strings.Cut(s.Dir, "_")
			row := []string{num, s.Name}
			for _, p := range pools {
				e, ok := m.get(key(metric.Pool, p, metric.Utilization))
				row = append(row, cell(e, ok))
			}
			t.Rows = append(t.Rows, row)
		}
		sec.Tables = append(sec.Tables, t)
	}
	if len(panels) == 0 {
		sec.Text = append(sec.Text, "No scenario has the key figures (detection, release time, inspection rate): there is no chart.")
		return sec, nil
	}
	rowH := vg.Length(1.1)*vg.Inch + vg.Length(n)*0.28*vg.Inch
	svg, err := renderTiles("Key figures per scenario, with 95% confidence intervals", panels, 2, rowH)
	if err != nil {
		return sec, err
	}
	sec.Chart = &reportChart{SVG: svg, Caption: "Dot: mean across replications; bar: its 95% confidence interval. Rates in percent of consignments (inspection), of controls (hit rate) or of irregular consignments (detection); release times in hours. Open grey dots: UNSTABLE scenarios, whose figures depend on the horizon."}
	return sec, nil
}
