package results

import (
	"pilotsim/metric"

	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// File names written by Sweep.WriteFiles.
const (
	SweepCSVFile  = "sweep.csv"
	SweepJSONFile = "sweep.json"
	SweepPointDir = "points" // one directory per point, with its run's files
)

// SweepPoint is one point of a sweep: its parameter values and its run.
type SweepPoint struct {
	GridPoint
	Report *Report
}

// Sweep is a scenario run at every point of a grid of parameter values, with
// the Pareto frontiers of the security/facilitation trade-off.
type Sweep struct {
	Scenario string
	Params   []SweepParam
	Points   []SweepPoint
	// OnFrontier[i] reports that point i is on the Pareto frontier of
	// detection rate (more is better) against mean release time (less is
	// better): no other point detects at least as much and releases at least
	// as fast, and one of them strictly.
	OnFrontier []bool
	// OnInspectionFrontier[i] is the same against the inspection rate (the
	// burden of controls on trade and on the administration).
	OnInspectionFrontier []bool
	// Precision, when --precision chose the replications (every point runs
	// the same number, so the points stay paired), says how.
	Precision *Precision
}

// The figures the sweep table and frontiers use.
var (
	metricInspection = key(metric.Inspection, "", metric.Value)
	metricHit        = key(metric.Hit, "", metric.Value)
	metricDetection  = key(metric.Detection, "", metric.Value)
	metricRelease    = key(metric.Release, "all", metric.Mean)
	metricReleaseP90 = key(metric.Release, "all", metric.P90)
)

// NewSweep assembles the points (one per grid point, in grid order) and
// computes the frontiers from the means of the detection rate, mean release
// time and inspection rate. A point where one of them is undefined is on no
// frontier.
func NewSweep(scenario string, params []SweepParam, points []SweepPoint) (*Sweep, error) {
	if len(points) == 0 {
		return nil, errors.New("a sweep needs at least one point")
	}
	for i, p := range points {
		if p.Report == nil {
			return nil, fmt.Errorf("sweep point %d (%s) has no results", i, p.Name())
		}
		if len(p.Values) != len(params) {
			return nil, fmt.Errorf("sweep point %d has %d values for %d parameters", i, len(p.Values), len(params))
		}
	}
	s := &Sweep{Scenario: scenario, Params: params, Points: points}
	release := make([][]float64, len(points))
	inspection := make([][]float64, len(points))
	for i, p := range points {
		m := indexEstimates(p.Report.Estimates)
		det := meanOf(m, metricDetection)
		if p.Report.Stability().Unstable {
			det = math.NaN() // figures that depend on the horizon: on no frontier
		}
		release[i] = []float64{det, meanOf(m, metricRelease)}
		inspection[i] = []float64{det, meanOf(m, metricInspection)}
	}
	s.OnFrontier = Pareto(release, []Sense{Maximize, Minimize})
	s.OnInspectionFrontier = Pareto(inspection, []Sense{Maximize, Minimize})
	return s, nil
}

// meanOf returns the mean of the metric, NaN when absent or undefined.
func meanOf(m estimates, k metric.Key) float64 {
	if e, ok := m.get(k); ok {
		return e.Mean
	}
	return math.NaN()
}

// sweepColumn is a column of the sweep table.
type sweepColumn struct {
	metric metric.Key
	title  string
}

// columns returns the table's metric columns: the trade-off figures,
// then the utilization of every pool the first point has.
func (s *Sweep) columns() []sweepColumn {
	cols := []sweepColumn{
		{metricInspection, "inspection rate"},
		{metricHit, "hit rate"},
		{metricDetection, "detection"},
		{metricRelease, "mean release h"},
		{metricReleaseP90, "p90 release h"},
	}
	for _, pool := range subjects(s.Points[0].Report.Estimates, metric.Pool, metric.OfPool, metric.Utilization) {
		cols = append(cols, sweepColumn{key(metric.Pool, pool, metric.Utilization), labelText(pool) + " util."})
	}
	// What the controls cost, beside what they buy, when the scenario prices
	// them (costs:).
	cost := metric.Key{Family: metric.Cost, Stat: metric.PerDay}
	if _, ok := indexEstimates(s.Points[0].Report.Estimates).get(cost); ok {
		cols = append(cols, sweepColumn{cost, "cost per day"})
	}
	return cols
}

// frontierMark is the frontier column's text for point i.
func (s *Sweep) frontierMark(i int) string {
	if s.Points[i].Report.Stability().Unstable {
		return "UNSTABLE"
	}
	var marks []string
	if s.OnFrontier[i] {
		marks = append(marks, "time")
	}
	if s.OnInspectionFrontier[i] {
		marks = append(marks, "inspection")
	}
	if len(marks) == 0 {
		return "dominated"
	}
	return strings.Join(marks, ", ")
}

// WriteTable writes one row per point: the parameter values, inspection
// rate, hit rate, detection rate, mean and p90 release time and each pool's
// utilization (mean ± half-width of the 95% interval), and which frontiers
// the point is on.
func (s *Sweep) WriteTable(w io.Writer) error {
	var b strings.Builder
	first := s.Points[0].Report
	var paths []string
	for _, p := range s.Params {
		paths = append(paths, p.Path)
	}
	fmt.Fprintf(&b, "Sweep of %s over %s: %d points, seed %d, %d replications per point.\n",
		s.Scenario, strings.Join(paths, " × "), len(s.Points), first.Seed, len(first.Reps))
	if s.Precision != nil {
		b.WriteString(strings.Join(s.Precision.Summary(), "\n") + "\n")
	}
	b.WriteString("Each figure: mean across replications ± half-width of the 95% confidence interval.\n")
	b.WriteString("Frontier: time = no other point detects more and releases faster (mean release time);\n")
	b.WriteString("inspection = no other point detects more with fewer inspections; dominated = on neither.\n")
	var unstable []string
	for _, p := range s.Points {
		if p.Report.Stability().Unstable {
			unstable = append(unstable, p.Label())
		}
	}
	if len(unstable) > 0 {
		fmt.Fprintf(&b, "*** UNSTABLE at %s: queues grow without bound; those figures depend on the horizon and are not a result (on no frontier).\n",
			strings.Join(unstable, "; "))
	}
	b.WriteString("\n")
	cols := s.columns()
	header := append([]string(nil), paths...)
	for _, c := range cols {
		header = append(header, c.title)
	}
	header = append(header, "frontier")
	rows := [][]string{header}
	sizes := s.columnSizes(cols)
	for i, p := range s.Points {
		m := indexEstimates(p.Report.Estimates)
		row := append([]string(nil), p.Values...)
		for k, c := range cols {
			e, ok := m.get(c.metric)
			if !ok {
				row = append(row, "n/a")
				continue
			}
			row = append(row, cellSized(e, sizes[k]))
		}
		rows = append(rows, append(row, s.frontierMark(i)))
	}
	np := len(paths)
	writeAligned(&b, rows, func(col int) bool { return col < np+len(cols) })
	_, err := io.WriteString(w, b.String())
	return err
}

// columnSizes returns the largest magnitude of each column, which sets its
// decimals.
func (s *Sweep) columnSizes(cols []sweepColumn) []float64 {
	sizes := make([]float64, len(cols))
	for _, p := range s.Points {
		m := indexEstimates(p.Report.Estimates)
		for k, c := range cols {
			if e, ok := m.get(c.metric); ok {
				sizes[k] = math.Max(sizes[k], math.Abs(e.Mean))
			}
		}
	}
	return sizes
}

// WriteCSV writes one row per point: the parameter values (one column per
// parameter path), on_frontier_time, on_frontier_inspection, then for every
// metric of the first point METRIC.mean, METRIC.ci_low, METRIC.ci_high.
func (s *Sweep) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	var header []string
	for _, p := range s.Params {
		header = append(header, p.Path)
	}
	header = append(header, "on_frontier_time", "on_frontier_inspection")
	metrics := s.Points[0].Report.Metrics
	for _, m := range metrics {
		header = append(header, m.Name()+".mean", m.Name()+".ci_low", m.Name()+".ci_high")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i, p := range s.Points {
		est := indexEstimates(p.Report.Estimates)
		row := append([]string(nil), p.Values...)
		row = append(row, YesNo(s.OnFrontier[i]), YesNo(s.OnInspectionFrontier[i]))
		for _, m := range metrics {
			e, ok := est[m.Key]
			if !ok {
				row = append(row, "", "", "")
				continue
			}
			row = append(row, FormatFloat(e.Mean), FormatFloat(e.Low), FormatFloat(e.High))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// JSONSweep is the document Sweep.WriteJSON writes.
type JSONSweep struct {
	SchemaVersion int              `json:"schema_version"`
	Kind          string           `json:"kind"` // "sweep"
	Scenario      string           `json:"scenario"`
	Confidence    float64          `json:"confidence"`
	Params        []JSONSweepParam `json:"params"`
	Points        []JSONSweepPoint `json:"points"`
	Precision     *Precision       `json:"precision,omitempty"`
}

// JSONSweepParam is a swept parameter and its values.
type JSONSweepParam struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// JSONSweepPoint is one point: its values, frontier membership and its run.
type JSONSweepPoint struct {
	Index                int        `json:"index"`
	Values               []string   `json:"values"`
	OnFrontierTime       bool       `json:"on_frontier_time"`
	OnFrontierInspection bool       `json:"on_frontier_inspection"`
	Run                  JSONReport `json:"run"`
}

// JSON returns the sweep as its JSON document's value.
func (s *Sweep) JSON() JSONSweep {
	out := JSONSweep{SchemaVersion: SchemaVersion, Kind: "sweep", Scenario: s.Scenario, Confidence: Confidence, Precision: s.Precision}
	for _, p := range s.Params {
		out.Params = append(out.Params, JSONSweepParam(p))
	}
	for i, p := range s.Points {
		out.Points = append(out.Points, JSONSweepPoint{p.Index, p.Values, s.OnFrontier[i], s.OnInspectionFrontier[i], p.Report.JSON()})
	}
	return out
}

// WriteJSON writes the sweep as an indented JSON document.
func (s *Sweep) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s.JSON())
}

// PointDir returns the directory name of point p under SweepPointDir:
// its index and parameter values, e.g. "003_selectivity.red=60".
func PointDir(p GridPoint) string {
	return fmt.Sprintf("%03d_%s", p.Index, SafeName(strings.Join(p.Sets, "_")))
}

// maxSafeName is the longest name SafeName returns, in bytes: well under the
// 255 bytes a file name may have on common file systems, with room for the
// prefixes and suffixes pilotsim adds.
const maxSafeName = 120

// SafeName turns s into a portable file name, one path element that stays
// inside its folder: letters, digits and . = - _ (anything else becomes -),
// no leading dot (so never "." or ".." and never hidden), not empty, at most
// 120 bytes (a longer name is cut and ends with a short hash of the whole,
// so two long names stay apart). Every name taken from a file or the command
// line goes through it before it becomes part of a path.
func SafeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '=', c == '-', c == '_':
		default:
			b[i] = '-'
		}
	}
	for i := 0; i < len(b) && b[i] == '.'; i++ {
		b[i] = '-'
	}
	if len(b) == 0 {
		return "-"
	}
	if len(b) > maxSafeName {
		sum := HashBytes([]byte(s))[:12]
		b = append(b[:maxSafeName-13], '-')
		b = append(b, sum...)
	}
	return string(b)
}

// IsSafeName reports whether s is a name SafeName returns unchanged: one
// path element that stays inside its folder.
func IsSafeName(s string) bool { return s != "" && SafeName(s) == s }

// WriteFiles writes sweep.csv, sweep.json, the long table of every point
// (long.csv) and results.xlsx into dir, and every point's run files
// (summary.csv, aggregate.csv, aggregate.json) into
// dir/points/PointDir(point)/, each atomically. dir must exist.
func (s *Sweep) WriteFiles(dir string) error {
	for _, p := range s.Points {
		sub := filepath.Join(dir, SweepPointDir, PointDir(p.GridPoint))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := p.Report.WriteFiles(sub); err != nil {
			return err
		}
	}
	if err := s.Long().WriteFiles(dir); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, SweepCSVFile), s.WriteCSV); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, SweepJSONFile), s.WriteJSON)
}
