package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/gocarina/gocsv"

	"pilotsim/metric"
)

// SchemaVersion is the version of the JSON written by WriteAggregateJSON (and
// printed by `pilotsim run --json`). It changes when a field changes meaning or
// disappears; adding a field does not change it.
const SchemaVersion = 1

// File names written by WriteFiles into the output directory.
const (
	SummaryFile       = "summary.csv"
	AggregateFile     = "aggregate.csv"
	AggregateJSONFile = "aggregate.json"
)

// FloatPrecision is the number of significant digits of every number written
// to a file: fixed, so that the same results give byte-identical files.
const FloatPrecision = 10

// FormatFloat formats v as files carry it: strconv 'g' with FloatPrecision
// significant digits, and "" for NaN (undefined).
func FormatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', FloatPrecision, 64)
}

// Run identifies what was run: the scenario, its seed, how many replications
// were asked for, and whether the run stopped before all of them finished.
type Run struct {
	Scenario     string // scenario name
	Seed         uint64 // master seed
	Replications int    // replications asked for
	Partial      bool   // interrupted: fewer replications finished than asked for
}

// Report is a run's results: the per-replication values and their aggregate.
type Report struct {
	Run
	Metrics   []Metric
	Reps      []Replication // finished replications, in replication order
	Estimates []Estimate    // one per metric, in metric order
	// Precision, when the number of replications was chosen by precision
	// targets (run --precision), says how; nil for a fixed number.
	Precision *Precision
	// PoolHours are the pools' profiles by hour of the week, when the
	// replications carry them (sim.Options.PoolHours; a run does); nil
	// otherwise.
	PoolHours []PoolHourProfile
}

// NewReport aggregates reps (one value per metric each, and the pools'
// hour-of-week profiles where they carry them) into a Report.
func NewReport(run Run, metrics []Metric, reps []Replication) (*Report, error) {
	est, err := Aggregate(metrics, reps)
	if err != nil {
		return nil, err
	}
	hours, err := AggregatePoolHours(reps)
	if err != nil {
		return nil, err
	}
	return &Report{Run: run, Metrics: metrics, Reps: reps, Estimates: est, PoolHours: hours}, nil
}

// WriteSummaryCSV writes one row per replication: rep, then every metric as a
// column in metric order. Undefined values are empty cells.
//
// The columns depend on the scenario (threats, pools, lanes), so this uses
// encoding/csv directly: gocsv maps fixed struct fields to columns.
func (r *Report) WriteSummaryCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := make([]string, 1+len(r.Metrics))
	row[0] = "rep"
	for i, m := range r.Metrics {
		row[1+i] = m.Name()
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for _, rep := range r.Reps {
		if len(rep.Values) != len(r.Metrics) {
			return fmt.Errorf("replication %d has %d values for %d metrics", rep.Rep, len(rep.Values), len(r.Metrics))
		}
		row[0] = strconv.Itoa(rep.Rep)
		for i, v := range rep.Values {
			row[1+i] = FormatFloat(v)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvFloat is a float that gocsv writes with FormatFloat.
type csvFloat float64

// MarshalCSV implements gocsv.TypeMarshaller.
func (f csvFloat) MarshalCSV() (string, error) { return FormatFloat(float64(f)), nil }

// aggregateRow is one row of aggregate.csv.
type aggregateRow struct {
	Metric string      `csv:"metric"`
	Mean   csvFloat    `csv:"mean"`
	Low    csvFloat    `csv:"ci_low"`
	High   csvFloat    `csv:"ci_high"`
	Unit   metric.Unit `csv:"unit"`
	N      int         `csv:"n"`
}

// WriteAggregateCSV writes one row per metric: metric, mean, ci_low, ci_high,
// unit, n (replications in which the metric was defined). Bounds are empty when
// there is no interval (n < 2), the mean when n = 0.
//
// The columns are fixed, so gocsv maps them from a struct; it is given its own
// csv.Writer so that gocsv's package-global writer setting plays no part.
func (r *Report) WriteAggregateCSV(w io.Writer) error {
	rows := make([]aggregateRow, len(r.Estimates))
	for i, e := range r.Estimates {
		rows[i] = aggregateRow{e.Name(), csvFloat(e.Mean), csvFloat(e.Low), csvFloat(e.High), e.Unit, e.N}
	}
	cw := gocsv.NewSafeCSVWriter(csv.NewWriter(w))
	if err := gocsv.MarshalCSV(rows, cw); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// JSONFloat is a float that JSON carries with FormatFloat's precision, null
// when NaN (undefined); null reads back as NaN.
type JSONFloat float64

// MarshalJSON implements json.Marshaler.
func (f JSONFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) {
		return []byte("null"), nil
	}
	if math.IsInf(v, 0) {
		return nil, fmt.Errorf("cannot write %v as JSON", v)
	}
	return strconv.AppendFloat(nil, v, 'g', FloatPrecision, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *JSONFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = JSONFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = JSONFloat(v)
	return nil
}

// JSONReport is the document WriteAggregateJSON writes (schema version
// SchemaVersion). Numbers are null where undefined.
type JSONReport struct {
	SchemaVersion int     `json:"schema_version"`
	Scenario      string  `json:"scenario"`
	Seed          uint64  `json:"seed"`
	Replications  int     `json:"replications"` // asked for
	Completed     int     `json:"completed"`    // finished and aggregated
	Partial       bool    `json:"partial"`
	Confidence    float64 `json:"confidence"`
	// Unstable: some replication's queues grow without bound (see
	// Stability); the figures depend on the horizon.
	Unstable     bool           `json:"unstable"`
	UnstableReps int            `json:"unstable_replications"`
	Reasons      []string       `json:"unstable_reasons,omitempty"`
	Warnings     []string       `json:"warnings,omitempty"`
	Metrics      []JSONEstimate `json:"metrics"`
	// Precision is present when --precision chose the replications.
	Precision *Precision `json:"precision,omitempty"`
}

// JSONEstimate is one metric in a JSONReport.
type JSONEstimate struct {
	Metric string      `json:"metric"`
	Unit   metric.Unit `json:"unit"`
	Mean   JSONFloat   `json:"mean"`
	Low    JSONFloat   `json:"ci_low"`
	High   JSONFloat   `json:"ci_high"`
	N      int         `json:"n"`
	Help   string      `json:"help,omitempty"`
}

// JSON returns the report as the JSON document's value.
func (r *Report) JSON() JSONReport {
	out := JSONReport{
		SchemaVersion: SchemaVersion,
		Scenario:      r.Scenario,
		Seed:          r.Seed,
		Replications:  r.Replications,
		Completed:     len(r.Reps),
		Partial:       r.Partial,
		Confidence:    Confidence,
		Metrics:       make([]JSONEstimate, len(r.Estimates)),
		Precision:     r.Precision,
	}
	st := r.Stability()
	out.Unstable, out.UnstableReps, out.Reasons, out.Warnings = st.Unstable, st.UnstableReps, st.Reasons, st.Warnings
	for i, e := range r.Estimates {
		out.Metrics[i] = JSONEstimate{e.Name(), e.Unit, JSONFloat(e.Mean), JSONFloat(e.Low), JSONFloat(e.High), e.N, e.Help}
	}
	return out
}

// WriteAggregateJSON writes the aggregate as an indented JSON document with
// schema_version, the scenario's name and seed, replications asked for and
// completed, the partial flag and one entry per metric.
func (r *Report) WriteAggregateJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.JSON())
}

// WriteFiles writes summary.csv, aggregate.csv and aggregate.json into dir,
// and pools_by_hour.csv and pools_by_hour.json when the report has the
// pools' hour-of-week profiles, each atomically (see WriteFileAtomic). dir must exist.
func (r *Report) WriteFiles(dir string) error {
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{SummaryFile, r.WriteSummaryCSV},
		{AggregateFile, r.WriteAggregateCSV},
		{AggregateJSONFile, r.WriteAggregateJSON},
	}
	if r.PoolHours != nil {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{PoolsByHourFile, r.WritePoolHoursCSV}, struct {
			name  string
			write func(io.Writer) error
		}{PoolsByHourJSONFile, r.WritePoolHoursJSON})
	}
	for _, f := range files {
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}
