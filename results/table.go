package results

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"pilotsim/datamodel"
	"pilotsim/metric"
	"pilotsim/sim"
)

// This file is the readable summary table. It is driven by the metrics' typed
// definitions: figures are grouped by family (lane, release, trs, pool …) and
// their subject (lane, group, threat, pool) becomes a row, so a new threat,
// pool or lane appears without code changes. A metric no group claims is
// listed under "Other", never dropped.

// WriteTable writes the report as aligned text tables: a security block
// (consignments, inspection, hit and detection rates, also by AEO status,
// duty, lane mix and why), a facilitation block (release time per lane in
// hours, share within target; the same by group: AEO or not, lodged before
// or after arrival, transport mode),
// the Time Release Study intervals and resource use per pool. Each figure is
// the mean across replications ± the half-width of its 95% confidence interval;
// fractions are shown as percentages.
func (r *Report) WriteTable(w io.Writer) error {
	tw := &tableWriter{w: w, reps: len(r.Reps)}
	tw.header(r)
	g := newGrouper(r.Estimates)

	// Security.
	sec := &table{title: "Security", cols: []string{""}}
	sec.addMetric(g, key(metric.Consignments, "", metric.Value), "consignments")
	sec.addMetric(g, key(metric.Share, sim.GroupAEO, metric.Value), "  share declared by AEOs")
	sec.addMetric(g, key(metric.Share, sim.GroupPreArrival, metric.Value), "  share lodged at or before arrival")
	sec.addMetric(g, key(metric.Irregular, "", metric.N), "irregular consignments")
	sec.addMetric(g, key(metric.Inspection, "", metric.Value), "inspection rate")
	for _, k := range aeoGroups {
		sec.addMetric(g, key(metric.Inspection, k, metric.Value), "  "+groupLabels[k])
	}
	sec.addMetric(g, key(metric.Hit, "", metric.Value), "hit rate")
	for _, k := range aeoGroups {
		sec.addMetric(g, key(metric.Hit, k, metric.Value), "  "+groupLabels[k])
	}
	for _, e := range g.select_(func(d *Metric) bool { return d.Family == metric.Hit && d.Of == metric.OfLane }) {
		sec.addEstimate("  in "+e.Subject, e)
	}
	sec.addMetric(g, key(metric.Detection, "", metric.Value), "detection rate")
	for _, e := range g.select_(func(d *Metric) bool { return d.Family == metric.Detection && d.Of == metric.OfThreat }) {
		sec.addEstimate("  "+e.Subject, e)
	}
	sec.addMetric(g, key(metric.Duty, "", metric.AtStake), "duty at stake")
	sec.addMetric(g, key(metric.Duty, "", metric.Recovered), "duty recovered")
	tw.write(sec)

	// By reason of selection, and the lift of risk selection.
	reasons := &table{title: "Controls by reason of selection (detection: share of all irregular found)"}
	reasons.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Of != metric.OfReason || d.Subject != "reason" {
			return "", "", false
		}
		row = d.Part
		if row == "selected" {
			row = "risk-selected"
		}
		switch d.Family {
		case metric.Hit:
			return row, "hit rate", true
		case metric.Detection:
			return row, "detection", true
		}
		return "", "", false
	})
	tw.write(reasons)
	lift := &table{cols: []string{""}}
	lift.addMetric(g, metric.Key{Family: metric.Lift, Stat: metric.Estimate}, "lift over random selection (risk-selected / random hit rate)")
	lift.addMetric(g, metric.Key{Family: metric.Lift, Stat: metric.True}, "  true lift (irregular share of risk-selected / of all; simulation only)")
	tw.write(lift)

	// By route, when rules route what they select (scenario rules' route).
	routes := &table{title: "Controls by route (share of consignments; detection: share of all irregular found)"}
	routes.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Of != metric.OfRoute {
			return "", "", false
		}
		switch d.Family {
		case metric.Inspection:
			return d.Part, "share", true
		case metric.Hit:
			return d.Part, "hit rate", true
		case metric.Detection:
			return d.Part, "detection", true
		}
		return "", "", false
	})
	tw.write(routes)

	lanes := &table{title: "Lanes (share, and consignments by reason)"}
	lanes.matrix(g, func(d *Metric) (row, col string, ok bool) {
		switch {
		case d.Family != metric.Lane:
			return "", "", false
		case d.Stat == metric.Of:
			return d.Subject, "share", true
		case d.Stat == metric.N && d.Part != "":
			return d.Subject, d.Part, true
		}
		return "", "", false
	})
	tw.write(lanes)

	// Facilitation. The shares within the ladder of times are taken first
	// (a few of them shown, the rest left to the result files), so that the
	// release-time matrix gets only its own columns.
	within := &table{title: "Share released within (one not released by the end of the drain counts as late)"}
	within.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Family != metric.Release || d.Stat != metric.Within || !tableWithin[d.Within] {
			return "", "", false
		}
		return d.Subject, durationLabel(float64(d.Within) / 60), true
	})
	g.select_(func(d *Metric) bool { return d.Family == metric.Release && d.Stat == metric.Within })
	groups := &table{title: "Release time by group (hours) and share within the overall target"}
	groups.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Family != metric.Release || d.Of != metric.OfGroup {
			return "", "", false
		}
		return groupLabel(d.Subject), label(string(d.Stat)), true
	})
	rel := &table{title: "Facilitation: release time (hours) of the window's arrivals, followed to release, and share within target"}
	rel.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Family != metric.Release || d.Part != "" {
			return "", "", false
		}
		return d.Subject, label(string(d.Stat)), true
	})
	tw.write(rel)
	tw.write(groups)
	tw.write(within)
	left := &table{cols: []string{""}}
	left.addMetric(g, key(metric.Unreleased, "", metric.N), "not released by the end of the drain")
	left.addMetric(g, key(metric.Unreleased, "", metric.Of), "  share of the window's consignments")
	left.addMetric(g, key(metric.Drain, "", metric.Length), "  drain: hours after the horizon to the last release")
	left.addMetric(g, key(metric.InSystem, "", metric.N), "in the system at the horizon (backlog)")
	left.addMetric(g, key(metric.InSystem, "", metric.MeanAge), "  their mean age (h)")
	tw.write(left)

	// Time Release Study: intervals, then waits and services per pool.
	trs := &table{title: "Time Release Study (mean hours)", cols: []string{""}}
	for _, e := range g.select_(func(d *Metric) bool { return d.Family == metric.TRS && d.Of == metric.OfSpan && d.Stat == metric.Mean }) {
		trs.addEstimate(label(e.Subject), e)
	}
	tw.write(trs)
	stages := &table{title: "Time Release Study per pool (mean hours)"}
	stages.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Family != metric.TRS || d.Of != metric.OfPool || d.Stat != metric.Mean {
			return "", "", false
		}
		return d.Subject, label(d.Part), true
	})
	tw.write(stages)

	// Resource use.
	pools := &table{title: "Resources"}
	pools.matrix(g, func(d *Metric) (row, col string, ok bool) {
		if d.Family != metric.Pool {
			return "", "", false
		}
		return d.Subject, label(string(d.Stat)), true
	})
	tw.write(pools)

	// What the controls cost, when the scenario prices them.
	costs := &table{title: "Cost of controls (per day)", cols: []string{""}}
	costs.addMetric(g, metric.Key{Family: metric.Cost, Subject: "officer_hours", Stat: metric.PerDay}, "officer-hours")
	costs.addMetric(g, metric.Key{Family: metric.Cost, Subject: "scans", Stat: metric.PerDay}, "NII scans")
	costs.addMetric(g, metric.Key{Family: metric.Cost, Stat: metric.PerDay}, "cost")
	tw.write(costs)

	// Stability and warm-up (the evidence behind the unstable verdict).
	stab := &table{title: "Stability and warm-up", cols: []string{""}}
	stab.addMetric(g, metric.Key{Family: metric.Unstable}, "replications found unstable (share)")
	stab.addMetric(g, metric.Key{Family: metric.Backlog, Stat: metric.Growth}, "backlog growth over the window (consignments)")
	stab.addMetric(g, metric.Key{Family: metric.Backlog, Stat: metric.TrendT}, "  t statistic of the backlog's trend")
	stab.addMetric(g, metric.Key{Family: metric.Warmup, Stat: metric.Length}, "warm-up used (h)")
	stab.addMetric(g, metric.Key{Family: metric.Warmup, Stat: metric.MSER}, "  MSER-5's truncation point (h)")
	tw.write(stab)

	other := &table{title: "Other", cols: []string{""}}
	for _, e := range g.rest() {
		other.addEstimate(e.Name(), e)
	}
	tw.write(other)
	tw.footnote(r)
	return tw.err
}

// groupLabels are the consignment groups of the metrics release.<group>.*
// (AEO status, lodgement before or after arrival, transport mode), with the
// labels the tables show them by; aeoGroups those of inspection_rate.<group>
// and hit_rate.<group>.
var (
	groupLabels = func() map[string]string {
		m := map[string]string{sim.GroupAEO: "AEO", sim.GroupNonAEO: "non-AEO",
			sim.GroupPreArrival: "pre-arrival", sim.GroupPostArrival: "post-arrival"}
		for md := datamodel.Mode(0); md < datamodel.NumModes; md++ {
			m[md.String()] = md.String()
		}
		return m
	}()
	aeoGroups = []string{sim.GroupAEO, sim.GroupNonAEO}
)

// groupLabel is the label tables show group g by.
func groupLabel(g string) string {
	if l, ok := groupLabels[g]; ok {
		return l
	}
	return label(g)
}

// tableWithin are the times (minutes) of release.<lane>.within.<T> the
// summary table shows; the others are in the result files.
var tableWithin = map[int]bool{60: true, 4 * 60: true, 24 * 60: true, 48 * 60: true, 72 * 60: true}

// shownInTables reports whether a metric belongs in the text tables: all but
// the release.<lane>.within.<T> ladder times outside tableWithin, which stay in
// the files and charts.
func shownInTables(m Metric) bool {
	return m.Family != metric.Release || m.Stat != metric.Within || tableWithin[m.Within]
}

// durationLabel writes h hours as a Time Release Study states its times:
// "15 min", "1 h", "48 h".
func durationLabel(h float64) string {
	if h < 1 {
		return strconv.FormatFloat(h*60, 'g', 4, 64) + " min"
	}
	return strconv.FormatFloat(h, 'g', 4, 64) + " h"
}

// labels are the readable forms of name parts; others show with "_" as space
// and acronyms in capitals (labelText).
var labels = map[string]string{
	"arrival_lodgement": "arrival → lodgement",
	"lodgement_lane":    "lodgement → lane",
	"lane_release":      "lane → release",
	"within_target":     "within target",
	"mean_wait":         "mean wait h",
	"mean_queue":        "mean queue",
	"max_queue":         "max queue",
	"wait":              "wait",
	"service":           "service",
}

func label(s string) string {
	if l, ok := labels[s]; ok {
		return l
	}
	return labelText(s)
}

// grouper hands out estimates by key and remembers which were shown.
type grouper struct {
	est   []Estimate
	byKey map[metric.Key]int
	taken []bool
}

func newGrouper(est []Estimate) *grouper {
	g := &grouper{est: est, byKey: make(map[metric.Key]int, len(est)), taken: make([]bool, len(est))}
	for i, e := range est {
		g.byKey[e.Key] = i
	}
	return g
}

// get returns the estimate of key k and marks it shown.
func (g *grouper) get(k metric.Key) (Estimate, bool) {
	i, ok := g.byKey[k]
	if !ok {
		return Estimate{}, false
	}
	g.taken[i] = true
	return g.est[i], true
}

// select_ returns, in metric order, the estimates not yet shown whose
// definition is, and marks them shown.
func (g *grouper) select_(is func(d *Metric) bool) []Estimate {
	var out []Estimate
	for i := range g.est {
		if !g.taken[i] && is(&g.est[i].Metric) {
			g.taken[i] = true
			out = append(out, g.est[i])
		}
	}
	return out
}

// rest returns the estimates not shown yet.
func (g *grouper) rest() []Estimate {
	var out []Estimate
	for i, e := range g.est {
		if !g.taken[i] {
			out = append(out, e)
		}
	}
	return out
}

// table is one block of the summary: a title, value column headings and rows
// of a label and one cell per column.
type table struct {
	title string
	cols  []string // headings of the value columns
	rows  []tableRow
}

type tableRow struct {
	label string
	cells []*Estimate // nil where the row has no such figure
}

// addMetric adds a one-column row for the metric of key k, if present.
func (t *table) addMetric(g *grouper, k metric.Key, lbl string) {
	if e, ok := g.get(k); ok {
		t.addEstimate(lbl, e)
	}
}

func (t *table) addEstimate(lbl string, e Estimate) {
	t.rows = append(t.rows, tableRow{label: lbl, cells: []*Estimate{&e}})
}

// matrix fills t with the estimates not yet shown whose definition split
// places in a row and a column (by their labels); rows and columns come in
// the order they first appear.
func (t *table) matrix(g *grouper, split func(d *Metric) (row, col string, ok bool)) {
	rowIdx := map[string]int{}
	colIdx := map[string]int{}
	var rowKeys []string
	type cell struct {
		r, c int
		e    Estimate
	}
	var cells []cell
	for i := range g.est {
		if g.taken[i] {
			continue
		}
		e := g.est[i]
		row, col, ok := split(&e.Metric)
		if !ok {
			continue
		}
		g.taken[i] = true
		r, ok := rowIdx[row]
		if !ok {
			r = len(rowKeys)
			rowIdx[row] = r
			rowKeys = append(rowKeys, row)
		}
		c, ok := colIdx[col]
		if !ok {
			c = len(t.cols)
			colIdx[col] = c
			t.cols = append(t.cols, col)
		}
		cells = append(cells, cell{r, c, e})
	}
	for _, key := range rowKeys {
		t.rows = append(t.rows, tableRow{label: key, cells: make([]*Estimate, len(t.cols))})
	}
	for _, c := range cells {
		t.rows[c.r].cells[c.c] = &c.e
	}
}

// tableWriter renders tables, remembering the first write error.
type tableWriter struct {
	w      io.Writer
	reps   int             // replications aggregated
	marks  bool            // some figure shown is defined in fewer than all replications
	marked map[string]bool // those figures, by metric name
	err    error
}

func (tw *tableWriter) printf(format string, a ...any) {
	if tw.err == nil {
		_, tw.err = fmt.Fprintf(tw.w, format, a...)
	}
}

func (tw *tableWriter) header(r *Report) {
	done := fmt.Sprintf("%d replications", len(r.Reps))
	if len(r.Reps) == 1 {
		done = "1 replication"
	}
	if r.Partial || len(r.Reps) != r.Replications {
		done = fmt.Sprintf("%d of %d replications (partial)", len(r.Reps), r.Replications)
	}
	tw.printf("Scenario %s, seed %d: %s\n", r.Scenario, r.Seed, done)
	if r.Precision != nil {
		for _, l := range r.Precision.Summary() {
			tw.printf("%s\n", l)
		}
	}
	switch {
	case len(r.Reps) >= 2:
		tw.printf("Each figure: mean across replications ± half-width of the %g%% confidence interval,\n", Confidence*100)
		tw.printf("or [low, high] where the interval is not centred (fractions stay in [0, 1], counts at 0 or more).\n")
	default:
		tw.printf("One replication gives no confidence interval: figures are that replication's values.\n")
	}
	st := r.Stability()
	if st.Unstable {
		tw.printf("\n*** %s (%d of %d replications):\n", UnstableBanner, st.UnstableReps, len(r.Reps))
		for _, why := range st.Reasons {
			tw.printf("***   %s\n", why)
		}
	}
	for _, w := range st.Warnings {
		tw.printf("warning: %s\n", w)
	}
}

// formatted is one cell as text: the mean, the half-width, and whether it is
// marked as defined in fewer replications than were run.
type formatted struct {
	mean, hw string
	bounds   bool // hw is "[low, high]", not a half-width
	mark     bool
}

// format turns e into text; size is the largest magnitude of the figures of
// e's unit in its column, so that a column shows one number of decimals.
func (tw *tableWriter) format(e *Estimate, size float64) formatted {
	if e == nil {
		return formatted{}
	}
	if e.N == 0 {
		return formatted{mean: "n/a"}
	}
	dec, pct, sep := decimals(e.Unit, size)
	f := formatted{mean: formatNumber(e.Mean, dec, pct, sep)}
	if hw := e.HalfWidth(); !math.IsNaN(hw) {
		f.hw = formatNumber(hw, dec, pct, sep)
		// An interval not centred on the mean at the precision shown (a
		// fraction near 0 or 1, a count cut at 0) shows its bounds.
		if showBounds(e.Interval, dec, pct, sep) {
			f.hw = "[" + formatNumber(e.Low, dec, pct, sep) + ", " + formatNumber(e.High, dec, pct, sep) + "]"
			f.bounds = true
		}
	}
	if e.N < tw.reps {
		tw.marks = true
		f.mark = true
		if tw.marked == nil {
			tw.marked = map[string]bool{}
		}
		tw.marked[e.Name()] = true
	}
	return f
}

// showBounds reports whether iv is shown as [low, high] rather than ± a
// half-width: when its two sides differ by more than a tenth of the
// half-width and that shows at the precision dec (pct, sep as formatNumber).
func showBounds(iv Interval, dec int, pct, sep bool) bool {
	below, above := iv.Mean-iv.Low, iv.High-iv.Mean
	return math.Abs(above-below) > 0.2*iv.HalfWidth() &&
		formatNumber(below, dec, pct, sep) != formatNumber(above, dec, pct, sep)
}

// decimals picks how figures of a unit are shown, given the largest magnitude
// among them: fractions as percentages (two decimals when all are below 1%),
// hours with two decimals, counts and currency with fewer decimals the larger
// they are (none when all are zero).
func decimals(unit metric.Unit, size float64) (dec int, pct, sep bool) {
	switch unit {
	case UnitFraction, metric.Load:
		if size < 0.01 && size != 0 {
			return 2, true, false
		}
		return 1, true, false
	case UnitHours:
		return 2, false, false
	case UnitCount, UnitCurrency:
		switch {
		case size >= 100:
			return 0, false, true
		case size >= 10:
			return 1, false, false
		case size == 0:
			return 0, false, false
		}
		return 2, false, false
	}
	switch {
	case size >= 1000:
		return 0, false, true
	case size >= 1:
		return 2, false, false
	}
	return 4, false, false
}

// formatNumber writes v with dec decimals, as a percentage when pct, with
// thousands separators when sep.
func formatNumber(v float64, dec int, pct, sep bool) string {
	if pct {
		return strconv.FormatFloat(v*100, 'f', dec, 64) + "%"
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if !sep || math.IsInf(v, 0) {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

func width(s string) int { return utf8.RuneCountInString(s) }

func pad(s string, w int, right bool) string {
	n := w - width(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// write renders t: labels left-aligned, each value column as right-aligned
// means and half-widths joined by "±". A table without rows is skipped.
func (tw *tableWriter) write(t *table) {
	if len(t.rows) == 0 {
		return
	}
	cells := make([][]formatted, len(t.rows))
	labelW := 0
	// In a one-column list every row is its own figure; in a matrix a
	// column's figures of one unit share their number of decimals.
	type colUnit struct {
		col  int
		unit metric.Unit
	}
	size := map[colUnit]float64{}
	list := len(t.cols) == 1
	for _, row := range t.rows {
		for j, e := range row.cells {
			if e != nil && e.N > 0 && !list {
				k := colUnit{j, e.Unit}
				size[k] = max(size[k], math.Abs(e.Mean))
			}
		}
	}
	meanW := make([]int, len(t.cols))
	hwW := make([]int, len(t.cols)) // half-widths, shown " ± h"
	bW := make([]int, len(t.cols))  // bounds, shown " [a, b]"
	markW := make([]int, len(t.cols))
	for i, row := range t.rows {
		labelW = max(labelW, width(row.label))
		cells[i] = make([]formatted, len(t.cols))
		for j, e := range row.cells {
			var f formatted
			switch {
			case e == nil:
			case list:
				f = tw.format(e, math.Abs(e.Mean))
			default:
				f = tw.format(e, size[colUnit{j, e.Unit}])
			}
			cells[i][j] = f
			meanW[j] = max(meanW[j], width(f.mean))
			if f.bounds {
				bW[j] = max(bW[j], width(f.hw))
			} else {
				hwW[j] = max(hwW[j], width(f.hw))
			}
			if f.mark {
				markW[j] = 1
			}
		}
	}
	colW := make([]int, len(t.cols))
	ivW := make([]int, len(t.cols))
	for j, h := range t.cols {
		colW[j] = meanW[j]
		if hwW[j] > 0 || bW[j] > 0 {
			// The interval part: " ± h" with h right-aligned, or " [a, b]";
			// both left-aligned in the wider of the two.
			ivW[j] = max(3+hwW[j], 1+bW[j])
			colW[j] += ivW[j]
		}
		colW[j] += markW[j]
		if w := width(h); w > colW[j] {
			meanW[j] += w - colW[j] // widen the mean part so the heading fits
			colW[j] = w
		}
	}
	tw.printf("\n")
	if t.title != "" {
		tw.printf("%s\n", t.title)
	}
	var b strings.Builder
	hasHead := false
	for _, h := range t.cols {
		hasHead = hasHead || h != ""
	}
	if hasHead {
		b.WriteString("  " + pad("", labelW, false))
		for j, h := range t.cols {
			b.WriteString("   " + pad(h, colW[j], true))
		}
		tw.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
	for i, row := range t.rows {
		b.Reset()
		b.WriteString("  " + pad(row.label, labelW, false))
		for j, f := range cells[i] {
			b.WriteString("   " + pad(f.mean, meanW[j], true))
			if ivW[j] > 0 {
				iv := ""
				switch {
				case f.bounds:
					iv = " " + f.hw
				case f.hw != "":
					iv = " ± " + pad(f.hw, hwW[j], true)
				}
				b.WriteString(pad(iv, ivW[j], false))
			}
			switch {
			case f.mark:
				b.WriteString("*")
			case markW[j] > 0:
				b.WriteString(" ")
			}
		}
		tw.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
}

// footnote explains the marks of figures defined in fewer replications: it
// names those the tables show (not the figures left to the result files).
func (tw *tableWriter) footnote(r *Report) {
	if !tw.marks {
		return
	}
	line := "\n* defined in fewer replications than were run:"
	for _, e := range r.Estimates {
		if tw.marked[e.Name()] {
			item := fmt.Sprintf(" %s (n=%d)", e.Name(), e.N)
			if width(line)+width(item) > 88 {
				tw.printf("%s\n", line)
				line = " "
			}
			line += item
		}
	}
	tw.printf("%s\n", line)
}
