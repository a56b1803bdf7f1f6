package results

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pilotsim/metric"
)

// File names written by Comparison.WriteFiles.
const (
	CompareCSVFile  = "compare.csv"
	CompareJSONFile = "compare.json"
)

// Comparison is two or more scenarios run with the same seeds and the same
// replications (common random numbers), the first one the baseline A: for
// every metric each scenario's mean and interval and, for every other
// scenario, its paired difference from A.
type Comparison struct {
	Labels  []string  // short unique names of the scenarios, as tables show them
	Reports []*Report // Reports[0] is the baseline
	Metrics []Metric  // the baseline's metrics, then those only others have
	// Paired[k-1][i] is the paired difference Reports[k] − Reports[0] of
	// Metrics[i] (N = 0 where one of them lacks the metric).
	Paired [][]Difference
	// Unpaired, when measured (SetIndependent), holds the same differences
	// from runs of scenario k with seeds independent of the baseline's: what
	// the comparison could claim without common random numbers.
	Unpaired [][]Difference
	// Precision, when --precision chose the replications (targets on the
	// paired differences), says how.
	Precision *Precision
}

// NewComparison pairs reports[k] with reports[0] replication by replication.
// Every report must hold the same replications (the same seeds are the
// caller's business: the scenarios must have been run with one seed).
func NewComparison(labels []string, reports []*Report) (*Comparison, error) {
	if len(reports) < 2 {
		return nil, errors.New("a comparison needs at least two scenarios")
	}
	if len(labels) != len(reports) {
		return nil, fmt.Errorf("%d labels for %d scenarios", len(labels), len(reports))
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if l == "" || seen[l] {
			return nil, fmt.Errorf("scenario labels must be unique and not empty: %q", labels)
		}
		seen[l] = true
	}
	c := &Comparison{Labels: labels, Reports: reports, Metrics: unionMetrics(reports)}
	base := reports[0]
	for k, r := range reports[1:] {
		d, err := PairedDifferences(base.Metrics, base.Reps, r.Metrics, r.Reps)
		if err != nil {
			return nil, fmt.Errorf("%s against %s: %w", labels[k+1], labels[0], err)
		}
		c.Paired = append(c.Paired, c.align(d))
	}
	return c, nil
}

// SetIndependent records runs of scenarios 1… (independent[k-1] for scenario
// k) made with seeds independent of the baseline's, and computes Unpaired
// from them: the yardstick that shows how much pairing narrows the intervals.
func (c *Comparison) SetIndependent(independent []*Report) error {
	if len(independent) != len(c.Reports)-1 {
		return fmt.Errorf("%d independent runs for %d compared scenarios", len(independent), len(c.Reports)-1)
	}
	base := c.Reports[0]
	c.Unpaired = nil
	for _, r := range independent {
		c.Unpaired = append(c.Unpaired, c.align(UnpairedDifferences(base.Metrics, base.Reps, r.Metrics, r.Reps)))
	}
	return nil
}

// align returns d laid out along c.Metrics, with empty differences where a
// metric has none.
func (c *Comparison) align(d []Difference) []Difference {
	byKey := make(map[metric.Key]Difference, len(d))
	for _, x := range d {
		byKey[x.Key] = x
	}
	out := make([]Difference, len(c.Metrics))
	for i, m := range c.Metrics {
		if x, ok := byKey[m.Key]; ok {
			out[i] = x
		} else {
			out[i] = Difference{Metric: m, Interval: Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}}
		}
	}
	return out
}

// unionMetrics returns the first report's metrics, then the metrics only
// later ones have, in the order they first appear.
func unionMetrics(reports []*Report) []Metric {
	seen := map[metric.Key]bool{}
	var out []Metric
	for _, r := range reports {
		for _, m := range r.Metrics {
			if !seen[m.Key] {
				seen[m.Key] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// estimate returns scenario k's estimate of the metric of key mk (ok false
// when it has no such metric).
func (c *Comparison) estimate(k int, mk metric.Key) (Estimate, bool) {
	for _, e := range c.Reports[k].Estimates {
		if e.Key == mk {
			return e, true
		}
	}
	return Estimate{}, false
}

// diffText formats a difference of a unit: signed, fractions in percentage
// points, with its interval; a trailing * marks an interval that excludes
// zero. Decimals follow the metric's magnitude size, and more when the
// interval is too narrow to show with them (two significant digits of its
// half-width).
func diffText(d Difference, size float64) (mean, interval string) {
	if d.N == 0 || math.IsNaN(d.Mean) {
		return "n/a", ""
	}
	scale, unit := 1.0, ""
	var dec int
	var sep bool
	if d.Unit == UnitFraction || d.Unit == metric.Load {
		scale, unit, dec = 100, " pp", 1
		if size < 0.01 {
			dec = 2
		}
	} else {
		dec, _, sep = decimals(d.Unit, size)
	}
	if d.Mean == 0 && d.Low == 0 && d.High == 0 && d.Unit != UnitFraction {
		return "0", "[0, 0]"
	}
	if hw := d.HalfWidth() * scale; hw > 0 && !math.IsNaN(hw) {
		need := int(math.Ceil(-math.Log10(hw))) + 1
		dec = min(max(dec, need), 6)
	}
	f := func(v float64) string {
		if math.IsNaN(v) {
			return "n/a"
		}
		s := formatNumber(v*scale, dec, false, sep)
		switch {
		case strings.Trim(s, "-0.,") == "":
			s = strings.TrimPrefix(s, "-")
		case !strings.HasPrefix(s, "-"):
			s = "+" + s
		}
		return s
	}
	mean = f(d.Mean) + unit
	if !math.IsNaN(d.Low) {
		interval = "[" + f(d.Low) + ", " + f(d.High) + "]" + unit
		if d.ExcludesZero {
			interval += " *"
		}
	}
	return mean, interval
}

// metricSize is the magnitude that sets the decimals of metric i's figures.
func (c *Comparison) metricSize(mk metric.Key) float64 {
	size := 0.0
	for k := range c.Reports {
		if e, ok := c.estimate(k, mk); ok && e.N > 0 {
			size = math.Max(size, math.Abs(e.Mean))
		}
	}
	return size
}

// WriteTable writes the comparison as an aligned text table: one row per
// metric, each scenario's mean ± half-width, then each paired difference
// from the baseline with its interval (* when it excludes zero).
func (c *Comparison) WriteTable(w io.Writer) error {
	var b strings.Builder
	base := c.Reports[0]
	fmt.Fprintf(&b, "Comparison of %d scenarios, seed %d, %d replications each, the same seeds for all (common random numbers).\n",
		len(c.Reports), base.Seed, len(base.Reps))
	for k, r := range c.Reports {
		fmt.Fprintf(&b, "  %-*s = %s\n", labelWidth(c.Labels), c.Labels[k], r.Scenario)
	}
	for k, r := range c.Reports {
		if st := r.Stability(); st.Unstable {
			fmt.Fprintf(&b, "*** %s is %s:\n", c.Labels[k], UnstableBanner)
			for _, why := range st.Reasons {
				fmt.Fprintf(&b, "***   %s\n", why)
			}
		}
	}
	if c.Precision != nil {
		b.WriteString(strings.Join(c.Precision.Summary(), "\n") + "\n")
	}
	b.WriteString("Each figure: mean across replications ± half-width of the 95% confidence interval.\n")
	fmt.Fprintf(&b, "X − %s: paired difference over replications (fractions in percentage points, pp) and its 95%% interval; * = the interval excludes zero.\n", c.Labels[0])
	if c.Unpaired != nil {
		b.WriteString("×narrower: half-width of the interval from independent seeds divided by the paired half-width.\n")
	}
	b.WriteString("\n")

	header := []string{"metric"}
	header = append(header, c.Labels...)
	for k := 1; k < len(c.Labels); k++ {
		header = append(header, c.Labels[k]+" − "+c.Labels[0], "95% CI")
		if c.Unpaired != nil {
			header = append(header, "×narrower")
		}
	}
	rows := [][]string{header}
	for i, m := range c.Metrics {
		if !shownInTables(m) {
			continue
		}
		rows = append(rows, c.tableRow(i, m, c.Unpaired != nil))
	}
	writeAligned(&b, rows, func(col int) bool { return col > 0 })
	_, err := io.WriteString(w, b.String())
	return err
}

// tableRow is the row of metric i (m) in the comparison tables:
// each scenario's estimate, then each paired difference from the first and
// its interval, with how much pairing narrows it when withNarrowing.
func (c *Comparison) tableRow(i int, m Metric, withNarrowing bool) []string {
	size := c.metricSize(m.Key)
	row := []string{m.Name()}
	for k := range c.Reports {
		e, ok := c.estimate(k, m.Key)
		if !ok {
			row = append(row, "")
			continue
		}
		row = append(row, cellSized(e, size))
	}
	for k := range c.Paired {
		mean, iv := diffText(c.Paired[k][i], size)
		row = append(row, mean, iv)
		if withNarrowing {
			row = append(row, narrowing(c.Paired[k][i], c.Unpaired[k][i]))
		}
	}
	return row
}

// narrowing is how many times narrower the paired interval is than the
// unpaired one, as text.
func narrowing(p, u Difference) string {
	r := u.HalfWidth() / p.HalfWidth()
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		if p.HalfWidth() == 0 && u.HalfWidth() > 0 {
			return "exact"
		}
		return ""
	default:
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	}
}

// cellSized is an estimate as text, mean ± half-width or, where the interval
// is not centred, mean [low, high], with the decimals chosen for a column of
// magnitude size.
func cellSized(e Estimate, size float64) string {
	if e.N == 0 {
		return "n/a"
	}
	if e.Mean == 0 && (e.N == 1 || e.Low == 0 && e.High == 0) && e.Unit != UnitFraction {
		return "0"
	}
	dec, pct, sep := decimals(e.Unit, size)
	s := formatNumber(e.Mean, dec, pct, sep)
	if hw := e.HalfWidth(); !math.IsNaN(hw) {
		// As in the run table: an interval not centred on the mean at the
		// precision shown (a fraction near 0 or 1, a count cut at 0) shows
		// its bounds.
		if showBounds(e.Interval, dec, pct, sep) {
			return s + " [" + formatNumber(e.Low, dec, pct, sep) + ", " + formatNumber(e.High, dec, pct, sep) + "]"
		}
		s += " ± " + formatNumber(hw, dec, pct, sep)
	}
	return s
}

func labelWidth(labels []string) int {
	w := 0
	for _, l := range labels {
		w = max(w, width(l))
	}
	return w
}

// writeAligned writes rows as columns separated by three spaces; right(col)
// right-aligns a column. The first row is the header, underlined.
func writeAligned(b *strings.Builder, rows [][]string, right func(col int) bool) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(c))
		}
	}
	line := func(r []string) {
		var parts []string
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-width(c))
			if right(i) {
				parts = append(parts, pad+c)
			} else {
				parts = append(parts, c+pad)
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "   "), " "))
		b.WriteString("\n")
	}
	for i, r := range rows {
		line(r)
		if i == 0 {
			var under []string
			for _, w := range widths {
				under = append(under, strings.Repeat("-", w))
			}
			b.WriteString(strings.Join(under, "   ") + "\n")
		}
	}
}

// WriteCSV writes one row per metric: metric, unit, then for each scenario L
// the columns L.mean, L.ci_low, L.ci_high, L.n, then for each scenario X
// after the baseline A the paired difference X-A.mean, .ci_low, .ci_high, .n,
// .excludes_zero and, when measured, .unpaired_ci_low, .unpaired_ci_high.
func (c *Comparison) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"metric", "unit"}
	for _, l := range c.Labels {
		header = append(header, l+".mean", l+".ci_low", l+".ci_high", l+".n")
	}
	for k := 1; k < len(c.Labels); k++ {
		d := c.Labels[k] + "-" + c.Labels[0]
		header = append(header, d+".mean", d+".ci_low", d+".ci_high", d+".n", d+".excludes_zero")
		if c.Unpaired != nil {
			header = append(header, d+".unpaired_ci_low", d+".unpaired_ci_high")
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i, m := range c.Metrics {
		row := []string{m.Name(), string(m.Unit)}
		for k := range c.Reports {
			e, ok := c.estimate(k, m.Key)
			if !ok {
				row = append(row, "", "", "", "0")
				continue
			}
			row = append(row, FormatFloat(e.Mean), FormatFloat(e.Low), FormatFloat(e.High), strconv.Itoa(e.N))
		}
		for k := range c.Paired {
			d := c.Paired[k][i]
			row = append(row, FormatFloat(d.Mean), FormatFloat(d.Low), FormatFloat(d.High), strconv.Itoa(d.N), YesNo(d.ExcludesZero))
			if c.Unpaired != nil {
				u := c.Unpaired[k][i]
				row = append(row, FormatFloat(u.Low), FormatFloat(u.High))
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// JSONComparison is the document Comparison.WriteJSON writes.
type JSONComparison struct {
	SchemaVersion int                    `json:"schema_version"`
	Kind          string                 `json:"kind"` // "compare"
	Confidence    float64                `json:"confidence"`
	Baseline      string                 `json:"baseline"` // label of the scenario differences are taken from
	Scenarios     []JSONComparedScenario `json:"scenarios"`
	Pairing       *JSONComparisonPairing `json:"pairing,omitempty"`
	Precision     *Precision             `json:"precision,omitempty"`
	Metrics       []JSONComparisonMetric `json:"metrics"`
}

// JSONComparedScenario names one compared scenario.
type JSONComparedScenario struct {
	Label        string `json:"label"`
	Scenario     string `json:"scenario"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	Unstable     bool   `json:"unstable"` // see Report.Stability
}

// JSONComparisonMetric is one metric of a JSONComparison.
type JSONComparisonMetric struct {
	Metric      string                     `json:"metric"`
	Unit        metric.Unit                `json:"unit"`
	Estimates   []JSONComparisonEstimate   `json:"estimates"`   // one per scenario, null where absent
	Differences []JSONComparisonDifference `json:"differences"` // one per scenario after the baseline
}

// JSONComparisonEstimate is one scenario's estimate of a metric.
type JSONComparisonEstimate struct {
	Label string    `json:"label"`
	Mean  JSONFloat `json:"mean"`
	Low   JSONFloat `json:"ci_low"`
	High  JSONFloat `json:"ci_high"`
	N     int       `json:"n"`
}

// JSONComparisonDifference is a paired difference X − baseline.
type JSONComparisonDifference struct {
	Label        string     `json:"label"` // X
	Mean         JSONFloat  `json:"mean"`
	Low          JSONFloat  `json:"ci_low"`
	High         JSONFloat  `json:"ci_high"`
	N            int        `json:"n"`
	ExcludesZero bool       `json:"excludes_zero"`
	UnpairedLow  *JSONFloat `json:"unpaired_ci_low,omitempty"`
	UnpairedHigh *JSONFloat `json:"unpaired_ci_high,omitempty"`
}

// JSONComparisonPairing says whether independent runs were measured.
type JSONComparisonPairing struct {
	IndependentMeasured bool `json:"independent_measured"`
}

// JSON returns the comparison as its JSON document's value.
func (c *Comparison) JSON() JSONComparison {
	out := JSONComparison{SchemaVersion: SchemaVersion, Kind: "compare", Confidence: Confidence, Baseline: c.Labels[0], Precision: c.Precision}
	for k, r := range c.Reports {
		out.Scenarios = append(out.Scenarios, JSONComparedScenario{c.Labels[k], r.Scenario, r.Seed, len(r.Reps), r.Stability().Unstable})
	}
	if c.Unpaired != nil {
		out.Pairing = &JSONComparisonPairing{IndependentMeasured: true}
	}
	for i, m := range c.Metrics {
		jm := JSONComparisonMetric{Metric: m.Name(), Unit: m.Unit}
		for k := range c.Reports {
			e, ok := c.estimate(k, m.Key)
			if !ok {
				e.Interval = Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
			}
			jm.Estimates = append(jm.Estimates, JSONComparisonEstimate{c.Labels[k], JSONFloat(e.Mean), JSONFloat(e.Low), JSONFloat(e.High), e.N})
		}
		for k := range c.Paired {
			d := c.Paired[k][i]
			jd := JSONComparisonDifference{Label: c.Labels[k+1], Mean: JSONFloat(d.Mean), Low: JSONFloat(d.Low), High: JSONFloat(d.High), N: d.N, ExcludesZero: d.ExcludesZero}
			if c.Unpaired != nil {
				lo, hi := JSONFloat(c.Unpaired[k][i].Low), JSONFloat(c.Unpaired[k][i].High)
				jd.UnpairedLow, jd.UnpairedHigh = &lo, &hi
			}
			jm.Differences = append(jm.Differences, jd)
		}
		out.Metrics = append(out.Metrics, jm)
	}
	return out
}

// WriteJSON writes the comparison as an indented JSON document.
func (c *Comparison) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c.JSON())
}

// WriteFiles writes compare.csv, compare.json, the long table of every
// scenario (long.csv) and results.xlsx into dir, and each scenario's own results (summary.csv, aggregate.csv, aggregate.json) into
// dir/LABEL/, every file atomically. dir must exist.
func (c *Comparison) WriteFiles(dir string) error {
	for k, r := range c.Reports {
		sub := filepath.Join(dir, SafeName(c.Labels[k]))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := r.WriteFiles(sub); err != nil {
			return err
		}
	}
	if err := c.Long().WriteFiles(dir); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, CompareCSVFile), c.WriteCSV); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, CompareJSONFile), c.WriteJSON)
}
