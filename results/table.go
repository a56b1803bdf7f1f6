package results

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"pilotsim/datamodel"
	"pilotsim/sim"
)

// This file is the readable summary table. It is driven by metric names alone:
// figures are grouped by their dotted prefix (lane., release., trs., pool. …)
// and the middle of the name (lane, threat, pool) becomes a row, so a new
// threat, pool or lane appears without code changes. A metric no group claims
// is listed under "Other", never dropped.

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
	sec.addMetric(g, "consignments", "consignments")
	sec.addMetric(g, "share."+sim.GroupAEO, "  share declared by AEOs")
	sec.addMetric(g, "share."+sim.GroupPreArrival, "  share lodged at or before arrival")
	sec.addMetric(g, "irregular.count", "irregular consignments")
	sec.addMetric(g, "inspection_rate", "inspection rate")
	for _, k := range aeoGroups {
		sec.addMetric(g, "inspection_rate."+k, "  "+groupLabels[k])
	}
	sec.addMetric(g, "hit_rate", "hit rate")
	for _, k := range aeoGroups {
		sec.addMetric(g, "hit_rate."+k, "  "+groupLabels[k])
	}
	for _, e := range g.suffixes("hit_rate.") {
		g.take(e.est.Name)
		sec.addEstimate("  in "+e.key, e.est)
	}
	sec.addMetric(g, "detection_rate", "detection rate")
	for _, e := range g.suffixes("detection_rate.") {
		g.take(e.est.Name)
		sec.addEstimate("  "+e.key, e.est)
	}
	sec.addMetric(g, "duty.at_stake", "duty at stake")
	sec.addMetric(g, "duty.recovered", "duty recovered")
	tw.write(sec)

	lanes := &table{title: "Lanes (share, and consignments by reason)"}
	lanes.matrix(g, "lane.", func(rest string) (row, col string, ok bool) {
		if row, ok := strings.CutSuffix(rest, ".share"); ok {
			return row, "share", true
		}
		if rest, ok := strings.CutSuffix(rest, ".count"); ok {
			if i := strings.LastIndexByte(rest, '.'); i > 0 {
				return rest[:i], rest[i+1:], true
			}
		}
		return "", "", false
	})
	tw.write(lanes)

	// Facilitation. The shares within the ladder of times are taken first
	// (a few of them shown, the rest left to the result files), so that the
	// release-time matrix gets only its own columns.
	within := &table{title: "Share released within (one not released by the end of the drain counts as late)"}
	within.matrix(g, "release.", func(rest string) (row, col string, ok bool) {
		row, col, ok = splitWithin(rest)
		return row, col, ok && tableWithin[col]
	})
	for i, c := range within.cols {
		if h, ok := withinHours(c); ok {
			within.cols[i] = durationLabel(h)
		}
	}
	for _, e := range g.suffixes("release.") {
		if _, _, ok := splitWithin(e.key); ok {
			g.take(e.est.Name)
		}
	}
	groups := &table{title: "Release time by group (hours) and share within the overall target"}
	groups.matrix(g, "release.", func(rest string) (row, col string, ok bool) {
		row, col, ok = lastDot(rest)
		_, group := groupLabels[row]
		return row, col, ok && group
	})
	for i := range groups.rows {
		groups.rows[i].label = groupLabels[groups.rows[i].label]
	}
	rel := &table{title: "Facilitation: release time (hours) of the window's arrivals, followed to release, and share within target"}
	rel.matrix(g, "release.", lastDot)
	tw.write(rel)
	tw.write(groups)
	tw.write(within)
	left := &table{cols: []string{""}}
	left.addMetric(g, "unreleased.count", "not released by the end of the drain")
	left.addMetric(g, "unreleased.share", "  share of the window's consignments")
	left.addMetric(g, "drain.hours", "  drain: hours after the horizon to the last release")
	left.addMetric(g, "in_system.count", "in the system at the horizon (backlog)")
	left.addMetric(g, "in_system.mean_age", "  their mean age (h)")
	tw.write(left)

	// Time Release Study: intervals, then waits and services per pool.
	trs := &table{title: "Time Release Study (mean hours)", cols: []string{""}}
	for _, e := range g.suffixes("trs.") {
		if iv, ok := strings.CutSuffix(e.key, ".mean"); ok && !strings.Contains(iv, ".") {
			g.take(e.est.Name)
			trs.addEstimate(label(iv), e.est)
		}
	}
	tw.write(trs)
	stages := &table{title: "Time Release Study per pool (mean hours)"}
	stages.matrix(g, "trs.", func(rest string) (row, col string, ok bool) {
		rest, ok = strings.CutSuffix(rest, ".mean")
		if !ok {
			return "", "", false
		}
		return lastDot(rest)
	})
	tw.write(stages)

	// Resource use.
	pools := &table{title: "Resources"}
	pools.matrix(g, "pool.", lastDot)
	tw.write(pools)

	other := &table{title: "Other", cols: []string{""}}
	for _, e := range g.rest() {
		other.addEstimate(e.Name, e)
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

// tableWithin are the times of release.<lane>.within.<T> the summary table
// shows; the others are in the result files.
var tableWithin = map[string]bool{"1h": true, "4h": true, "24h": true, "48h": true, "72h": true}

// shownInTables reports whether a metric belongs in the text tables: all but
// the release.<lane>.within.<T> ladder times outside tableWithin, which stay in
// the files and charts.
func shownInTables(name string) bool {
	rest, ok := strings.CutPrefix(name, "release.")
	if !ok {
		return true
	}
	_, t, ok := splitWithin(rest)
	return !ok || tableWithin[t]
}

// splitWithin splits "<lane>.within.<T>" into the lane and T.
func splitWithin(rest string) (lane, t string, ok bool) {
	lane, t, ok = strings.Cut(rest, ".within.")
	if !ok || lane == "" || strings.Contains(lane, ".") || t == "" {
		return "", "", false
	}
	if _, ok := withinHours(t); !ok {
		return "", "", false
	}
	return lane, t, true
}

// withinHours reads the time T of a release.<lane>.within.<T> name — a
// number followed by m (minutes) or h (hours) — in hours.
func withinHours(t string) (float64, bool) {
	if len(t) < 2 {
		return 0, false
	}
	v, err := strconv.ParseFloat(t[:len(t)-1], 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, false
	}
	switch t[len(t)-1] {
	case 'm':
		return v / 60, true
	case 'h':
		return v, true
	}
	return 0, false
}

// durationLabel writes h hours as a Time Release Study states its times:
// "15 min", "1 h", "48 h".
func durationLabel(h float64) string {
	if h < 1 {
		return strconv.FormatFloat(h*60, 'g', 4, 64) + " min"
	}
	return strconv.FormatFloat(h, 'g', 4, 64) + " h"
}

// lastDot splits "row.col" at its last dot.
func lastDot(rest string) (row, col string, ok bool) {
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 || i == len(rest)-1 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// labels are the readable forms of name parts; others show with "_" as space.
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
	return strings.ReplaceAll(s, "_", " ")
}

// grouper hands out estimates by name and remembers which were shown.
type grouper struct {
	est    []Estimate
	byName map[string]int
	taken  []bool
}

func newGrouper(est []Estimate) *grouper {
	g := &grouper{est: est, byName: make(map[string]int, len(est)), taken: make([]bool, len(est))}
	for i, e := range est {
		g.byName[e.Name] = i
	}
	return g
}

// get returns the estimate named name and marks it shown.
func (g *grouper) get(name string) (Estimate, bool) {
	i, ok := g.byName[name]
	if !ok {
		return Estimate{}, false
	}
	g.taken[i] = true
	return g.est[i], true
}

func (g *grouper) take(name string) { g.get(name) }

type keyed struct {
	key string
	est Estimate
}

// suffixes returns, in metric order, the estimates not yet shown whose name
// starts with prefix, with the rest of the name as key. It marks nothing.
func (g *grouper) suffixes(prefix string) []keyed {
	var out []keyed
	for i, e := range g.est {
		if rest, ok := strings.CutPrefix(e.Name, prefix); ok && !g.taken[i] && rest != "" {
			out = append(out, keyed{rest, e})
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

// addMetric adds a one-column row for the metric named name, if present.
func (t *table) addMetric(g *grouper, name, lbl string) {
	if e, ok := g.get(name); ok {
		t.addEstimate(lbl, e)
	}
}

func (t *table) addEstimate(lbl string, e Estimate) {
	t.rows = append(t.rows, tableRow{label: lbl, cells: []*Estimate{&e}})
}

// matrix fills t with the estimates under prefix that split (on the rest of
// the name) into a row and a column key; rows and columns come in the order
// they first appear.
func (t *table) matrix(g *grouper, prefix string, split func(rest string) (row, col string, ok bool)) {
	rowIdx := map[string]int{}
	colIdx := map[string]int{}
	var rowKeys []string
	type cell struct {
		r, c int
		e    Estimate
	}
	var cells []cell
	for _, k := range g.suffixes(prefix) {
		row, col, ok := split(k.key)
		if !ok {
			continue
		}
		g.take(k.est.Name)
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
			t.cols = append(t.cols, label(col))
		}
		cells = append(cells, cell{r, c, k.est})
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
	switch {
	case len(r.Reps) >= 2:
		tw.printf("Each figure: mean across replications ± half-width of the %g%% confidence interval.\n", Confidence*100)
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
	}
	if e.N < tw.reps {
		tw.marks = true
		f.mark = true
		if tw.marked == nil {
			tw.marked = map[string]bool{}
		}
		tw.marked[e.Name] = true
	}
	return f
}

// decimals picks how figures of a unit are shown, given the largest magnitude
// among them: fractions as percentages (two decimals when all are below 1%),
// hours with two decimals, counts and currency with fewer decimals the larger
// they are (none when all are zero).
func decimals(unit string, size float64) (dec int, pct, sep bool) {
	switch unit {
	case UnitFraction:
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
		unit string
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
	hwW := make([]int, len(t.cols))
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
			hwW[j] = max(hwW[j], width(f.hw))
			if f.mark {
				markW[j] = 1
			}
		}
	}
	colW := make([]int, len(t.cols))
	for j, h := range t.cols {
		colW[j] = meanW[j]
		if hwW[j] > 0 {
			colW[j] += 3 + hwW[j]
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
			if hwW[j] > 0 {
				if f.hw != "" {
					b.WriteString(" ± " + pad(f.hw, hwW[j], true))
				} else {
					b.WriteString(pad("", 3+hwW[j], false))
				}
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
		if tw.marked[e.Name] {
			item := fmt.Sprintf(" %s (n=%d)", e.Name, e.N)
			if width(line)+width(item) > 88 {
				tw.printf("%s\n", line)
				line = " "
			}
			line += item
		}
	}
	tw.printf("%s\n", line)
}
