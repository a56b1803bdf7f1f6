package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// LongFile is the long-format table of a whole study (run, compare, sweep,
// batch): one row per scenario, replication and metric, with the study's
// parameter values as columns.
const LongFile = "long.csv"

// LongScenario is one scenario of a study as the long table holds it: its
// label, its parameter values (aligned with LongTable.Params; "" where the
// scenario does not set a parameter), and its report.
type LongScenario struct {
	Label  string
	Params []string
	Report *Report
}

// LongTable is a whole study in long format, the shape pandas, R, DuckDB
// and spreadsheets pivot from: every replication's value of every metric of
// every scenario, one per row.
type LongTable struct {
	Kind      string   // run, compare, sweep or batch
	Params    []string // the names of the parameter columns, in order
	Scenarios []LongScenario
}

// longFixed are the long table's columns before and after the parameters.
var (
	longHead = []string{"scenario"}
	longTail = []string{"rep", "seed", "metric", "family", "of", "subject", "part", "stat", "unit", "value"}
)

// LongHeader returns the columns of the long table: scenario, one column per
// parameter, rep, seed, the metric's name and its typed parts (family, what
// its subject is, subject, part, statistic; see package metric), unit, value.
func (t *LongTable) LongHeader() []string {
	h := slices.Clone(longHead)
	h = append(h, t.Params...)
	return append(h, longTail...)
}

// LongRow is one row of the long table.
type LongRow struct {
	Scenario string
	Params   []string // aligned with the table's parameter columns
	Rep      int
	Seed     uint64
	Metric   string // the flat dotted name, Def.Name()
	// The metric's typed parts: family, what the subject is (lane, group,
	// threat, pool, interval, reason; "" for the whole), the subject, the
	// part and the statistic.
	Family, Of, Subject, Part, Stat string
	Unit                            string
	Value                           float64 // NaN where the metric is undefined in the replication
}

// Rows calls fn with every row: scenarios in order, then replications in
// order, then metrics in the report's order. fn may stop the walk by
// returning an error.
func (t *LongTable) Rows(fn func(r *LongRow) error) error {
	var row LongRow
	for _, s := range t.Scenarios {
		row.Scenario, row.Params, row.Seed = s.Label, s.Params, s.Report.Seed
		for _, rep := range s.Report.Reps {
			row.Rep = rep.Rep
			for i, m := range s.Report.Metrics {
				row.Metric, row.Unit = m.Name(), string(m.Unit)
				row.Family, row.Of, row.Subject, row.Part, row.Stat = string(m.Family), string(m.Of), m.Subject, m.Part, string(m.Stat)
				row.Value = math.NaN()
				if i < len(rep.Values) {
					row.Value = rep.Values[i]
				}
				if err := fn(&row); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// WriteCSV writes the long table: a header, then one row per scenario,
// replication and metric; an undefined value is an empty cell.
func (t *LongTable) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.LongHeader()); err != nil {
		return err
	}
	rec := make([]string, 0, len(t.Params)+len(longHead)+len(longTail))
	err := t.Rows(func(r *LongRow) error {
		rec = append(rec[:0], r.Scenario)
		rec = append(rec, r.Params...)
		rec = append(rec, strconv.Itoa(r.Rep), strconv.FormatUint(r.Seed, 10), r.Metric, r.Family, r.Of, r.Subject, r.Part, r.Stat, r.Unit, FormatFloat(r.Value))
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteFiles writes long.csv and results.xlsx into dir, atomically.
func (t *LongTable) WriteFiles(dir string) error {
	if err := WriteFileAtomic(filepath.Join(dir, LongFile), t.WriteCSV); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, XLSXFile), t.WriteXLSX)
}

// ReadLongCSV reads a long table written by WriteCSV back: its parameter
// columns and its rows (an empty value is NaN). It checks the header's fixed
// columns and every number, naming the line of a bad one.
func ReadLongCSV(r io.Reader) (params []string, rows []LongRow, err error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("long table: header: %w", err)
	}
	np := len(header) - len(longHead) - len(longTail)
	if np < 0 || header[0] != longHead[0] || !slices.Equal(header[len(header)-len(longTail):], longTail) {
		return nil, nil, fmt.Errorf("long table: header %q, want scenario, the parameters, %s", header, strings.Join(longTail, ", "))
	}
	params = slices.Clone(header[1 : 1+np])
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return params, rows, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("long table: %w", err)
		}
		line, _ := cr.FieldPos(0)
		tail := rec[1+np:]
		row := LongRow{Scenario: rec[0], Params: slices.Clone(rec[1 : 1+np]), Metric: tail[2], Family: tail[3], Of: tail[4],
			Subject: tail[5], Part: tail[6], Stat: tail[7], Unit: tail[8], Value: math.NaN()}
		if row.Rep, err = strconv.Atoi(tail[0]); err != nil {
			return nil, nil, fmt.Errorf("long table: line %d: rep %q: want an integer", line, tail[0])
		}
		if row.Seed, err = strconv.ParseUint(tail[1], 10, 64); err != nil {
			return nil, nil, fmt.Errorf("long table: line %d: seed %q: want an integer", line, tail[1])
		}
		if v := tail[9]; v != "" {
			if row.Value, err = strconv.ParseFloat(v, 64); err != nil {
				return nil, nil, fmt.Errorf("long table: line %d: value %q: want a number", line, v)
			}
		}
		rows = append(rows, row)
	}
}

// RunLong is the long table of one run.
func RunLong(r *Report) *LongTable {
	return &LongTable{Kind: "run", Scenarios: []LongScenario{{Label: r.Scenario, Report: r}}}
}

// Long is the long table of a comparison: one scenario per label.
func (c *Comparison) Long() *LongTable {
	t := &LongTable{Kind: "compare"}
	for k, r := range c.Reports {
		t.Scenarios = append(t.Scenarios, LongScenario{Label: c.Labels[k], Report: r})
	}
	return t
}

// Long is the long table of a sweep: the parameters are the swept paths,
// each point a scenario labelled by its folder under points/.
func (s *Sweep) Long() *LongTable {
	t := &LongTable{Kind: "sweep"}
	for _, p := range s.Params {
		t.Params = append(t.Params, p.Path)
	}
	for _, p := range s.Points {
		t.Scenarios = append(t.Scenarios, LongScenario{Label: PointDir(p.GridPoint), Params: p.Values, Report: p.Report})
	}
	return t
}

// LongBatch is the long table of a batch: each scenario labelled by its
// folder, and one parameter column per --set path any scenario of the
// batch overrides (in the order first met), holding its value.
func LongBatch(b *Batch, reports []*Report) *LongTable {
	t := &LongTable{Kind: "batch"}
	col := map[string]int{}
	for _, s := range b.Scenarios {
		for _, set := range s.Sets {
			path, _, _ := strings.Cut(set, "=")
			if _, ok := col[path]; !ok {
				col[path] = len(t.Params)
				t.Params = append(t.Params, path)
			}
		}
	}
	for k, s := range b.Scenarios {
		vals := make([]string, len(t.Params))
		for _, set := range s.Sets {
			path, v, _ := strings.Cut(set, "=")
			vals[col[path]] = v
		}
		t.Scenarios = append(t.Scenarios, LongScenario{Label: s.Dir, Params: vals, Report: reports[k]})
	}
	return t
}
