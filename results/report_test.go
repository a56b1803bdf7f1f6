package results

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"pilotsim/internal/filetest"
	"pilotsim/metric"
)

func fixtureReport(t *testing.T) *Report {
	t.Helper()
	run, metrics, reps := fixture()
	r, err := NewReport(run, metrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGolden(t *testing.T) {
	r := fixtureReport(t)
	partial := *r
	partial.Run.Partial = true
	partial.Run.Replications = 8
	one, err := NewReport(Run{Scenario: "one", Seed: 7, Replications: 1}, r.Metrics, r.Reps[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"summary.csv", func(b *bytes.Buffer) error { return r.WriteSummaryCSV(b) }},
		{"aggregate.csv", func(b *bytes.Buffer) error { return r.WriteAggregateCSV(b) }},
		{"aggregate.json", func(b *bytes.Buffer) error { return r.WriteAggregateJSON(b) }},
		// The table: every block, NaN marks and footnote, the Other block.
		{"table.txt", func(b *bytes.Buffer) error { return r.WriteTable(b) }},
		// Interrupted: the header says partial, the JSON carries the flag.
		{"partial.json", func(b *bytes.Buffer) error { return partial.WriteAggregateJSON(b) }},
		{"partial-table.txt", func(b *bytes.Buffer) error { return partial.WriteTable(b) }},
		// One replication: no intervals, empty bounds.
		{"one.csv", func(b *bytes.Buffer) error { return one.WriteAggregateCSV(b) }},
		{"one-table.txt", func(b *bytes.Buffer) error { return one.WriteTable(b) }},
	} {
		var b bytes.Buffer
		if err := tc.write(&b); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		filetest.Golden(t, tc.file, b.Bytes())
	}
}

// TestWriteFiles checks the three files land in the directory with the same
// bytes as the writers give, and twice the same.
func TestWriteFiles(t *testing.T) {
	r := fixtureReport(t)
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	if names := filetest.Names(t, dir); len(names) != 3 {
		t.Errorf("directory holds %v, want the three files only", names)
	}
	var want bytes.Buffer
	r.WriteAggregateJSON(&want)
	got, _ := os.ReadFile(filepath.Join(dir, AggregateJSONFile))
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("aggregate.json differs from WriteAggregateJSON")
	}
}

// TestJSONRoundTrip checks that the JSON reads back, NaN (null) included.
func TestJSONRoundTrip(t *testing.T) {
	r := fixtureReport(t)
	var b bytes.Buffer
	if err := r.WriteAggregateJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc JSONReport
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != SchemaVersion || doc.Scenario != "fixture" || doc.Seed != 42 || doc.Completed != 5 || doc.Partial {
		t.Errorf("header read back as %+v", doc)
	}
	if len(doc.Metrics) != len(r.Estimates) {
		t.Fatalf("%d metrics read back, want %d", len(doc.Metrics), len(r.Estimates))
	}
	for i, e := range r.Estimates {
		m := doc.Metrics[i]
		for _, p := range []struct{ got, want float64 }{{float64(m.Mean), e.Mean}, {float64(m.Low), e.Low}, {float64(m.High), e.High}} {
			if math.IsNaN(p.want) != math.IsNaN(p.got) || (!math.IsNaN(p.want) && math.Abs(p.got-p.want) > 1e-9*math.Abs(p.want)) {
				t.Errorf("%s: read back %v, want %v", e.Name(), p.got, p.want)
			}
		}
		if m.Metric != e.Name() || m.N != e.N || m.Unit != e.Unit {
			t.Errorf("metric %d read back as %+v, want %s n=%d", i, m, e.Name(), e.N)
		}
	}
}

func TestJSONRejectsInf(t *testing.T) {
	r, _ := NewReport(Run{Scenario: "inf"}, []Metric{{Key: metric.Key{Family: "x"}}}, []Replication{{Rep: 0, Values: []float64{math.Inf(1)}}})
	if err := r.WriteAggregateJSON(new(bytes.Buffer)); err == nil {
		t.Error("an infinite mean was written as JSON")
	}
}

func TestFormatFloat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{math.NaN(), ""},
		{0.1 + 0.2, "0.3"}, // fixed precision hides the last-bit noise
		{12345, "12345"},
		{-5.5, "-5.5"},
		{1.0 / 3, "0.3333333333"},
		{2.5e-7, "2.5e-07"},
	} {
		if got := FormatFloat(tc.v); got != tc.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		dec      int
		pct, sep bool
		want     string
	}{
		{0.1234, 1, true, false, "12.3%"},
		{1234567.4, 0, false, true, "1,234,567"},
		{-1234.5, 1, false, true, "-1,234.5"},
		{999, 0, false, true, "999"},
		{100, 0, false, true, "100"},
		{3.14159, 2, false, false, "3.14"},
	} {
		if got := formatNumber(tc.v, tc.dec, tc.pct, tc.sep); got != tc.want {
			t.Errorf("formatNumber(%v, %d, %v, %v) = %q, want %q", tc.v, tc.dec, tc.pct, tc.sep, got, tc.want)
		}
	}
}
