package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"pilotsim/datamodel"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Files a Time Release Study writes into its output directory (with
// report.html and report.md).
const (
	TRSStatsFile    = "trs.csv"          // every statistic of every (segment, interval)
	TRSSegmentsFile = "trs-segments.csv" // counts per segment
	TRSWeeksFile    = "trs-weekly.csv"   // the weekly trend
	TRSQueuesFile   = "trs-queues.csv"   // waiting and queue by hour and weekday
	TRSJSONFile     = "trs.json"         // all of it
)

// TRSSchemaVersion is the version of trs.json.
const TRSSchemaVersion = 1

func trsTime(sec float64) string {
	if math.IsInf(sec, 0) || math.IsNaN(sec) {
		return ""
	}
	return time.Unix(int64(math.Floor(sec)), 0).UTC().Format("2006-01-02 15:04")
}

// OutlierRule says in words how outliers and incomplete records were
// handled.
func (r *TRSResult) OutlierRule() string {
	return fmt.Sprintf("An interval is measured only where both its ends are recorded. Intervals longer than %s are outliers and intervals that end before they start are inconsistent records: both are counted (columns outliers and negative) and left out of every figure. A consignment with no release time is left out of release times and counted as not released; in the within-time shares it counts as late.",
		durationLabel(r.MaxInterval/3600))
}

// BootstrapRule says how the intervals were made.
func (r *TRSResult) BootstrapRule() string {
	return fmt.Sprintf("95%% intervals are Poisson-bootstrap percentile intervals over blocks: blocks of 64 consecutive records go in turn to %d groups (records close in time, which share queues, stay together), and each of %d replicates weighs every group by a Poisson(1) draw from the seed (quantiles: %d replicates, arrival → release overall and per channel); a figure whose values fill fewer than %d of the groups (a study of a few thousand records or less) is resampled record by record instead. Quantiles are linear between order statistics (as R, numpy and Excel's PERCENTILE.INC) for figures of up to %d values, and read from histograms with 64 bins per doubling (within 1.6%%) above. Hours and weekdays are local: in the mapping's time zone, else at the offset written with the arrival time, else UTC.",
		trsGroups, r.Bootstrap, min(r.Bootstrap, max(100, r.Bootstrap/5)), trsGroups/2, trsExact)
}

func (r *TRSResult) stat(kind, seg string, iv TRSInterval) (TRSStat, bool) {
	for _, s := range r.Stats {
		if s.Kind == kind && s.Segment == seg && s.Interval == iv {
			return s, true
		}
	}
	return TRSStat{}, false
}

func hf(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

func ci(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return ""
	}
	return "[" + hf(lo) + ", " + hf(hi) + "]"
}

// WriteText writes the study as plain-text tables (hours).
func (r *TRSResult) WriteText(w io.Writer, source string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Time Release Study of %s: %d records, %s to %s", source, r.Records, trsTime(r.First), trsTime(r.Last))
	if r.Samples > 1 {
		fmt.Fprintf(&b, " (%d samples)", r.Samples)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Not released (no release time): %d.\n", r.NotReleased)
	b.WriteString(wrap(r.OutlierRule(), 100) + "\n")
	b.WriteString(wrap(r.BootstrapRule(), 100) + "\n\n")

	b.WriteString("Intervals, all consignments (hours)\n")
	tb := &textTable{header: []string{"interval", "n", "mean", "95% CI", "median", "p90", "sd", "IQR", "outliers", "negative"}}
	for iv := range TRSInterval(NumTRSIntervals) {
		if s, ok := r.stat("all", "all", iv); ok {
			tb.add(iv.Label(), itoa(s.N), hf(s.Mean), ci(s.MeanLow, s.MeanHigh), hf(s.Median), hf(s.P90), hf(s.SD), hf(s.IQR), itoa(s.Outliers), itoa(s.Negative))
		}
	}
	tb.write(&b)

	b.WriteString("\nArrival → release by segment (hours; within: share of the segment's records released within the time)\n")
	tb = &textTable{header: []string{"by", "segment", "records", "released", "mean", "95% CI", "median", "95% CI", "p90", "95% CI", "sd", "within 1h", "4h", "24h", "48h", "controlled", "hit rate"}}
	for _, sc := range r.Segments {
		s, ok := r.stat(sc.Kind, sc.Segment, IvTotal)
		if !ok {
			s = TRSStat{Mean: math.NaN(), MeanLow: math.NaN(), MeanHigh: math.NaN(), Median: math.NaN(), P90: math.NaN(),
				MedianLow: math.NaN(), MedianHigh: math.NaN(), P90Low: math.NaN(), P90High: math.NaN(), SD: math.NaN()}
		}
		hit := math.NaN()
		if sc.Known > 0 {
			hit = float64(sc.Irregular) / float64(sc.Known)
		}
		within := func(k string) string {
			if v, ok := sc.Within[k]; ok {
				return pct(v)
			}
			return "-"
		}
		tb.add(sc.Kind, sc.Segment, itoa(sc.Records), itoa(sc.Released), hf(s.Mean), ci(s.MeanLow, s.MeanHigh),
			hf(s.Median), ci(s.MedianLow, s.MedianHigh), hf(s.P90), ci(s.P90Low, s.P90High), hf(s.SD),
			within("1h"), within("4h"), within("24h"), within("48h"), itoa(sc.Controlled), pct(hit))
	}
	tb.write(&b)

	b.WriteString("\nControl steps by channel (hours: mean waiting / mean control)\n")
	tb = &textTable{header: []string{"channel"}}
	for _, st := range r.StepsSeen {
		tb.header = append(tb.header, st+" n", "wait", "control")
	}
	for _, sc := range r.Segments {
		if sc.Kind != "channel" {
			continue
		}
		row := []string{sc.Segment}
		for _, st := range r.StepsSeen {
			step := stepByName(st)
			wst, ok1 := r.stat("channel", sc.Segment, StepWait(step))
			cst, ok2 := r.stat("channel", sc.Segment, StepControl(step))
			if !ok1 && !ok2 {
				row = append(row, "0", "-", "-")
				continue
			}
			if !ok1 {
				wst.Mean = math.NaN()
			}
			if !ok2 {
				cst.Mean = math.NaN()
			}
			row = append(row, itoa(max(wst.N, cst.N)), hf(wst.Mean), hf(cst.Mean))
		}
		tb.add(row...)
	}
	tb.write(&b)

	if len(r.Weeks) > 0 {
		b.WriteString("\nWeekly trend of arrival → release (weeks by arrival, Monday first)\n")
		tb = &textTable{header: []string{"week of", "arrivals", "released", "mean", "median", "p90"}}
		for _, wk := range r.Weeks {
			tb.add(wk.Start, itoa(wk.Arrivals), itoa(wk.N), hf(wk.Mean), hf(wk.Median), hf(wk.P90))
		}
		tb.write(&b)
	}
	if len(r.Queues) > 0 {
		b.WriteString("\nWaiting for controls by hour of arrival in the queue (mean wait h / mean number waiting)\n")
		tb = &textTable{header: []string{"hour"}}
		for _, st := range r.StepsSeen {
			tb.header = append(tb.header, st+" wait", "queue")
		}
		for _, by := range []string{"hour", "weekday"} {
			var ats []string
			for _, q := range r.Queues {
				if q.By == by && q.Step == r.StepsSeen[0] {
					ats = append(ats, q.At)
				}
			}
			for _, at := range ats {
				row := []string{at}
				for _, st := range r.StepsSeen {
					for _, q := range r.Queues {
						if q.By == by && q.At == at && q.Step == st {
							row = append(row, hf(q.MeanWait), f1(q.MeanQueue))
						}
					}
				}
				tb.add(row...)
			}
		}
		tb.write(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func stepByName(name string) (s datamodel.Step) {
	for s = 0; s < datamodel.NumSteps; s++ {
		if s.String() == name {
			return s
		}
	}
	return 0
}

func f1(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(word) > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

// textTable is a plain-text table: first column left-aligned, others right.
type textTable struct {
	header []string
	rows   [][]string
}

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(b *strings.Builder) {
	w := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			if i < len(w) {
				w[i] = max(w[i], len([]rune(c)))
			}
		}
	}
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			if i >= len(w) {
				break
			}
			pad := strings.Repeat(" ", w[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i <= 1 && t.header[0] != "" && (i == 0 || t.header[1] == "segment") {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
}

func csvNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return FormatFloat(x)
}

// WriteStatsCSV writes trs.csv: one row per (segment, interval).
func (r *TRSResult) WriteStatsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"by", "segment", "interval", "n", "outliers", "negative", "mean_h", "mean_ci_low", "mean_ci_high",
		"median_h", "median_ci_low", "median_ci_high", "p90_h", "p90_ci_low", "p90_ci_high", "p10_h", "p25_h", "p75_h", "sd_h", "iqr_h"})
	for _, s := range r.Stats {
		cw.Write([]string{s.Kind, s.Segment, s.Interval.Name(), itoa(s.N), itoa(s.Outliers), itoa(s.Negative),
			csvNum(s.Mean), csvNum(s.MeanLow), csvNum(s.MeanHigh), csvNum(s.Median), csvNum(s.MedianLow), csvNum(s.MedianHigh),
			csvNum(s.P90), csvNum(s.P90Low), csvNum(s.P90High), csvNum(s.P10), csvNum(s.P25), csvNum(s.P75), csvNum(s.SD), csvNum(s.IQR)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteSegmentsCSV writes trs-segments.csv.
func (r *TRSResult) WriteSegmentsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	h := []string{"by", "segment", "records", "released", "controlled", "outcome_known", "irregular"}
	for _, wt := range TRSWithin {
		h = append(h, "within_"+wt.Name)
	}
	cw.Write(h)
	for _, s := range r.Segments {
		row := []string{s.Kind, s.Segment, itoa(s.Records), itoa(s.Released), itoa(s.Controlled), itoa(s.Known), itoa(s.Irregular)}
		for _, wt := range TRSWithin {
			v, ok := s.Within[wt.Name]
			if !ok {
				v = math.NaN()
			}
			row = append(row, csvNum(v))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// WriteWeeksCSV writes trs-weekly.csv.
func (r *TRSResult) WriteWeeksCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"week_start", "arrivals", "released", "mean_h", "median_h", "p90_h"})
	for _, wk := range r.Weeks {
		cw.Write([]string{wk.Start, itoa(wk.Arrivals), itoa(wk.N), csvNum(wk.Mean), csvNum(wk.Median), csvNum(wk.P90)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteQueuesCSV writes trs-queues.csv.
func (r *TRSResult) WriteQueuesCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"step", "by", "at", "waits", "mean_wait_h", "mean_queue"})
	for _, q := range r.Queues {
		cw.Write([]string{q.Step, q.By, q.At, itoa(q.Waits), csvNum(q.MeanWait), csvNum(q.MeanQueue)})
	}
	cw.Flush()
	return cw.Error()
}

// trsJSON is trs.json.
type trsJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Source        string         `json:"source"`
	Records       int64          `json:"records"`
	NotReleased   int64          `json:"not_released"`
	Samples       int            `json:"samples"`
	First         string         `json:"first"`
	Last          string         `json:"last"`
	Outliers      string         `json:"outlier_rule"`
	Bootstrap     string         `json:"bootstrap_rule"`
	Stats         []trsStatJSON  `json:"stats"`
	Segments      []trsSegJSON   `json:"segments"`
	Weeks         []trsWeekJSON  `json:"weeks"`
	Queues        []trsQueueJSON `json:"queues"`
}

type trsStatJSON struct {
	By       string    `json:"by"`
	Segment  string    `json:"segment"`
	Interval string    `json:"interval"`
	N        int64     `json:"n"`
	Outliers int64     `json:"outliers"`
	Negative int64     `json:"negative"`
	Mean     JSONFloat `json:"mean_h"`
	MeanLow  JSONFloat `json:"mean_ci_low"`
	MeanHigh JSONFloat `json:"mean_ci_high"`
	Median   JSONFloat `json:"median_h"`
	MedLow   JSONFloat `json:"median_ci_low"`
	MedHigh  JSONFloat `json:"median_ci_high"`
	P90      JSONFloat `json:"p90_h"`
	P90Low   JSONFloat `json:"p90_ci_low"`
	P90High  JSONFloat `json:"p90_ci_high"`
	SD       JSONFloat `json:"sd_h"`
	IQR      JSONFloat `json:"iqr_h"`
}

type trsSegJSON struct {
	By         string               `json:"by"`
	Segment    string               `json:"segment"`
	Records    int64                `json:"records"`
	Released   int64                `json:"released"`
	Controlled int64                `json:"controlled"`
	Known      int64                `json:"outcome_known"`
	Irregular  int64                `json:"irregular"`
	Within     map[string]JSONFloat `json:"within"`
}

type trsWeekJSON struct {
	Start    string    `json:"week_start"`
	Arrivals int64     `json:"arrivals"`
	N        int64     `json:"released"`
	Mean     JSONFloat `json:"mean_h"`
	Median   JSONFloat `json:"median_h"`
	P90      JSONFloat `json:"p90_h"`
}

type trsQueueJSON struct {
	Step      string    `json:"step"`
	By        string    `json:"by"`
	At        string    `json:"at"`
	Waits     int64     `json:"waits"`
	MeanWait  JSONFloat `json:"mean_wait_h"`
	MeanQueue JSONFloat `json:"mean_queue"`
}

// WriteJSON writes trs.json.
func (r *TRSResult) WriteJSON(w io.Writer, source string) error {
	j := trsJSON{SchemaVersion: TRSSchemaVersion, Source: source, Records: r.Records, NotReleased: r.NotReleased,
		Samples: r.Samples, First: trsTime(r.First), Last: trsTime(r.Last), Outliers: r.OutlierRule(), Bootstrap: r.BootstrapRule(),
		Stats: []trsStatJSON{}, Segments: []trsSegJSON{}, Weeks: []trsWeekJSON{}, Queues: []trsQueueJSON{}}
	for _, s := range r.Stats {
		j.Stats = append(j.Stats, trsStatJSON{s.Kind, s.Segment, s.Interval.Name(), s.N, s.Outliers, s.Negative,
			JSONFloat(s.Mean), JSONFloat(s.MeanLow), JSONFloat(s.MeanHigh), JSONFloat(s.Median), JSONFloat(s.MedianLow),
			JSONFloat(s.MedianHigh), JSONFloat(s.P90), JSONFloat(s.P90Low), JSONFloat(s.P90High), JSONFloat(s.SD), JSONFloat(s.IQR)})
	}
	for _, s := range r.Segments {
		within := map[string]JSONFloat{}
		for k, v := range s.Within {
			within[k] = JSONFloat(v)
		}
		j.Segments = append(j.Segments, trsSegJSON{s.Kind, s.Segment, s.Records, s.Released, s.Controlled, s.Known, s.Irregular, within})
	}
	for _, wk := range r.Weeks {
		j.Weeks = append(j.Weeks, trsWeekJSON{wk.Start, wk.Arrivals, wk.N, JSONFloat(wk.Mean), JSONFloat(wk.Median), JSONFloat(wk.P90)})
	}
	for _, q := range r.Queues {
		j.Queues = append(j.Queues, trsQueueJSON{q.Step, q.By, q.At, q.Waits, JSONFloat(q.MeanWait), JSONFloat(q.MeanQueue)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

// WriteFiles writes every file of the study into dir: the CSV files,
// trs.json, trs.txt (the text tables) and the report (report.html,
// report.md with report-charts/).
func (r *TRSResult) WriteFiles(dir, source string) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{TRSStatsFile, r.WriteStatsCSV},
		{TRSSegmentsFile, r.WriteSegmentsCSV},
		{TRSWeeksFile, r.WriteWeeksCSV},
		{TRSQueuesFile, r.WriteQueuesCSV},
		{TRSJSONFile, func(w io.Writer) error { return r.WriteJSON(w, source) }},
		{"trs.txt", func(w io.Writer) error { return r.WriteText(w, source) }},
	} {
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	doc, err := r.reportDoc(source)
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}

// reportDoc is the study's report.
func (r *TRSResult) reportDoc(source string) (*reportDoc, error) {
	doc := &reportDoc{Title: "Time Release Study", Subtitle: fmt.Sprintf("%s: %d records, %s to %s", source, r.Records, trsTime(r.First), trsTime(r.Last))}
	doc.Intro = []string{
		"The time from the arrival of the goods to their release, split into the intervals a Time Release Study measures (WCO Guide to Measure the Time Required for the Release of Goods, version 4, 2025), with its mean, median, 90th percentile and spread, per channel, transport mode, AEO status, lodgement before or after arrival, office, weekday and hour of arrival, and per week.",
		r.OutlierRule(), r.BootstrapRule(),
	}
	for _, f := range []func() (reportSection, error){r.intervalSection, r.channelSection, r.segmentSection, r.queueSection, r.weekSection} {
		s, err := f()
		if err != nil {
			return nil, err
		}
		if s.ID != "" {
			doc.Sections = append(doc.Sections, s)
		}
	}
	return doc, nil
}

func (r *TRSResult) intervalSection() (reportSection, error) {
	s := reportSection{ID: "intervals", Title: "Intervals"}
	s.Text = []string{"Each bar is the mean of one interval over the consignments where both its ends are recorded (so the bars do not add up to the total: most consignments have no control); whiskers are the 95% bootstrap interval of the mean; the table adds median, 90th percentile and spread."}
	t := reportTable{Header: []string{"interval", "n", "mean h", "95% CI", "median h", "p90 h", "sd h", "IQR h", "outliers", "negative"},
		Numeric: []bool{false, true, true, true, true, true, true, true, true, true}}
	var labels []string
	var bars []chartBar
	for iv := range TRSInterval(NumTRSIntervals) {
		st, ok := r.stat("all", "all", iv)
		if !ok {
			continue
		}
		t.Rows = append(t.Rows, []string{iv.Label(), itoa(st.N), hf(st.Mean), ci(st.MeanLow, st.MeanHigh), hf(st.Median), hf(st.P90), hf(st.SD), hf(st.IQR), itoa(st.Outliers), itoa(st.Negative)})
		if st.N > 0 {
			bars = append(bars, chartBar{X: float64(len(labels)), Width: 0.6, Top: st.Mean, Low: st.MeanLow, High: st.MeanHigh, Color: paletteColor(len(labels))})
			labels = append(labels, iv.Label())
		}
	}
	s.Tables = append(s.Tables, t)
	if len(bars) == 0 {
		return s, nil
	}
	// Reverse so the first interval is on top.
	for i := range bars {
		bars[i].X = float64(len(bars) - 1 - i)
	}
	rev := make([]string, len(labels))
	for i, l := range labels {
		rev[len(labels)-1-i] = l
	}
	p := newChartGrid("Mean of each interval, with 95% bootstrap intervals", "hours", "", true, false)
	p.NominalY(rev...)
	p.Add(&barsPlotter{bars: bars, horizontal: true})
	p.X.Min = 0
	padCategories(p, len(rev), true)
	svg, err := renderSVG(p, chartW, vg.Length(math.Max(3, 0.35*float64(len(bars))+1))*vg.Inch)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Mean hours per interval (all consignments where the interval is recorded)."}
	return s, nil
}

func (r *TRSResult) channelSection() (reportSection, error) {
	s := reportSection{ID: "release-channel", Title: "Release time per channel"}
	s.Text = []string{"The share of each channel's consignments released within a time after arrival, read from the records' histograms (a consignment not released counts as not released within any time)."}
	p := newChart("Share released within a time after arrival, per channel", "hours after arrival (log scale)", "released within the time (%)")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	any := false
	for _, sc := range r.Segments {
		if sc.Kind != "channel" && sc.Kind != "all" {
			continue
		}
		st, ok := r.stat(sc.Kind, sc.Segment, IvTotal)
		if !ok || st.N == 0 {
			continue
		}
		var xys plotter.XYs
		for _, h := range trsCurveHours {
			xys = append(xys, plotter.XY{X: h, Y: 100 * r.withinOf(sc.Kind, sc.Segment, h)})
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return s, err
		}
		col, ok := laneColors[sc.Segment]
		if !ok {
			col = chartMuted
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: 2}
		if sc.Kind == "all" {
			line.LineStyle.Dashes = []vg.Length{5, 3}
			line.LineStyle.Width = 1.5
		}
		p.Add(line)
		p.Legend.Add(sc.Segment, line)
		any = true
	}
	if !any {
		return s, nil
	}
	p.Y.Min, p.Y.Max = 0, 100.5
	p.X.Min, p.X.Max = trsCurveHours[0], trsCurveHours[len(trsCurveHours)-1]
	p.Legend.Top, p.Legend.Left = false, false
	svg, err := renderSVG(p, chartW, chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Cumulative share released by hours after arrival, per channel (dashed: all)."}
	return s, nil
}

// trsCurveHours are the points of the release curves: 1 minute to 30 days.
var trsCurveHours = func() []float64 {
	var hs []float64
	for h := 1.0 / 60; h <= 720; h *= 1.25 {
		hs = append(hs, h)
	}
	return hs
}()

// withinOf is the share of a segment's records released within h hours,
// from the stored quantiles (linear between p10, p25, p50, p75, p90).
func (r *TRSResult) withinOf(kind, seg string, h float64) float64 {
	st, _ := r.stat(kind, seg, IvTotal)
	var rec int64
	for _, sc := range r.Segments {
		if sc.Kind == kind && sc.Segment == seg {
			rec = sc.Records
		}
	}
	if rec == 0 || st.N == 0 {
		return math.NaN()
	}
	for _, c := range r.curves {
		if c.kind == kind && c.seg == seg {
			return cdfOf(c.hist, float64(st.N), h*3600) * float64(st.N) / float64(rec)
		}
	}
	return math.NaN()
}

func (r *TRSResult) segmentSection() (reportSection, error) {
	s := reportSection{ID: "segments", Title: "Arrival → release by segment"}
	s.Text = []string{"Each kind of segment splits all consignments; hit rate is irregular outcomes over recorded control outcomes."}
	t := reportTable{Header: []string{"by", "segment", "records", "mean h", "95% CI", "median h", "p90 h", "sd h", "within 4h", "within 24h", "controlled", "hit rate"},
		Numeric: []bool{false, false, true, true, true, true, true, true, true, true, true, true}}
	var labels []string
	var bars []chartBar
	for _, sc := range r.Segments {
		st, ok := r.stat(sc.Kind, sc.Segment, IvTotal)
		if !ok {
			continue
		}
		hit := math.NaN()
		if sc.Known > 0 {
			hit = float64(sc.Irregular) / float64(sc.Known)
		}
		t.Rows = append(t.Rows, []string{sc.Kind, sc.Segment, itoa(sc.Records), hf(st.Mean), ci(st.MeanLow, st.MeanHigh), hf(st.Median), hf(st.P90), hf(st.SD),
			pct(sc.Within["4h"]), pct(sc.Within["24h"]), itoa(sc.Controlled), pct(hit)})
		if sc.Kind != "hour" && sc.Kind != "weekday" && sc.Kind != "office" && st.N > 0 {
			bars = append(bars, chartBar{X: float64(len(labels)), Width: 0.6, Top: st.Mean, Low: st.MeanLow, High: st.MeanHigh, Color: paletteColor(int(segKindIndex(sc.Kind)))})
			labels = append(labels, sc.Segment)
		}
	}
	s.Tables = append(s.Tables, t)
	if len(bars) == 0 {
		return s, nil
	}
	p := newCategoryChart("Mean arrival → release by channel, mode, AEO status and lodgement", "hours", labels)
	p.Add(&barsPlotter{bars: bars})
	p.Y.Min = 0
	padCategories(p, len(labels), false)
	svg, err := renderSVG(p, chartW, chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Mean arrival → release per segment, with 95% bootstrap intervals; one colour per kind of segment."}
	return s, nil
}

func segKindIndex(name string) TRSSegmentKind {
	for k, n := range segKindNames {
		if n == name {
			return TRSSegmentKind(k)
		}
	}
	return 0
}

func (r *TRSResult) queueSection() (reportSection, error) {
	if len(r.Queues) == 0 {
		return reportSection{}, nil
	}
	s := reportSection{ID: "queues", Title: "Queue and waiting by hour of day and weekday"}
	s.Text = []string{"For each control step: the mean wait of the consignments that joined its queue in each hour of the day (left) and on each weekday (right), and the mean number waiting then (table). Peaks show when capacity falls short of arrivals."}
	var plots []*plot.Plot
	for _, by := range []string{"hour", "weekday"} {
		title := "Mean wait by hour of the day (hours)"
		if by == "weekday" {
			title = "Mean wait by weekday (hours)"
		}
		p := newChart(title, by, "hours")
		for i, st := range r.StepsSeen {
			var xys plotter.XYs
			k := 0
			for _, q := range r.Queues {
				if q.By == by && q.Step == st {
					if !math.IsNaN(q.MeanWait) {
						xys = append(xys, plotter.XY{X: float64(k), Y: q.MeanWait})
					}
					k++
				}
			}
			if len(xys) == 0 {
				continue
			}
			if err := addPaletteLine(p, st, i, xys, 2); err != nil {
				return s, err
			}
		}
		p.Y.Min = 0
		if by == "weekday" {
			p.NominalX(weekdayNames[:]...)
		}
		plots = append(plots, p)
	}
	svg, err := renderTiles("", plots, 2, tileRowH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Mean wait for each control step by the hour (left) and weekday (right) the consignment joined the queue."}
	t := reportTable{Header: []string{"step", "by", "at", "waits", "mean wait h", "mean queue"}, Numeric: []bool{false, false, false, true, true, true}}
	for _, q := range r.Queues {
		t.Rows = append(t.Rows, []string{q.Step, q.By, q.At, itoa(q.Waits), hf(q.MeanWait), f1(q.MeanQueue)})
	}
	s.Tables = append(s.Tables, t)
	return s, nil
}

// addPaletteLine adds xys to p as a line in the i-th palette colour (width
// 1.8) with round points of the given radius, named in the legend.
func addPaletteLine(p *plot.Plot, name string, i int, xys plotter.XYs, radius vg.Length) error {
	line, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.LineStyle = draw.LineStyle{Color: paletteColor(i), Width: 1.8}
	pts.GlyphStyle = draw.GlyphStyle{Color: paletteColor(i), Radius: radius, Shape: draw.CircleGlyph{}}
	p.Add(line, pts)
	p.Legend.Add(name, line)
	return nil
}

func (r *TRSResult) weekSection() (reportSection, error) {
	if len(r.Weeks) == 0 {
		return reportSection{}, nil
	}
	s := reportSection{ID: "weekly", Title: "Weekly trend"}
	s.Text = []string{"Mean, median and 90th percentile of arrival → release per week of arrival (a week from Monday). A first or last week with few arrivals is partial."}
	p := newChart("Arrival → release per week", "week of arrival (number)", "hours")
	for i, f := range []struct {
		name string
		get  func(TRSWeek) float64
	}{{"mean", func(w TRSWeek) float64 { return w.Mean }}, {"median", func(w TRSWeek) float64 { return w.Median }}, {"p90", func(w TRSWeek) float64 { return w.P90 }}} {
		var xys plotter.XYs
		for k, wk := range r.Weeks {
			if v := f.get(wk); !math.IsNaN(v) {
				xys = append(xys, plotter.XY{X: float64(k + 1), Y: v})
			}
		}
		if len(xys) == 0 {
			continue
		}
		if err := addPaletteLine(p, f.name, i, xys, 2.5); err != nil {
			return s, err
		}
	}
	p.Y.Min = 0
	svg, err := renderSVG(p, chartW, chartH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Arrival → release per week of arrival."}
	t := reportTable{Header: []string{"week of", "arrivals", "released", "mean h", "median h", "p90 h"}, Numeric: []bool{false, true, true, true, true, true}}
	for _, wk := range r.Weeks {
		t.Rows = append(t.Rows, []string{wk.Start, itoa(wk.Arrivals), itoa(wk.N), hf(wk.Mean), hf(wk.Median), hf(wk.P90)})
	}
	s.Tables = append(s.Tables, t)
	return s, nil
}
