package results

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// longFixture is a two-point sweep over a code-like parameter: an HS prefix
// "0901" (text: its zero matters) and "8471", with a numeric second
// parameter, each point the fixture's five replications.
func longFixture(t *testing.T) *LongTable {
	t.Helper()
	run, metrics, reps := fixture()
	r, err := NewReport(run, metrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	return &LongTable{Kind: "sweep", Params: []string{"rules[R1].when.hs", "selectivity.red"}, Scenarios: []LongScenario{
		{Label: "p0", Params: []string{"0901", "0.02"}, Report: r},
		{Label: "p1", Params: []string{"8471", "60"}, Report: r},
	}}
}

// TestLongCSVRoundTrip writes the long table and reads it back: every row
// (scenario, parameters, replication, seed, metric, unit, value, undefined
// values included) comes back as the reports hold it, in order.
func TestLongCSVRoundTrip(t *testing.T) {
	lt := longFixture(t)
	var b bytes.Buffer
	if err := lt.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	params, rows, err := ReadLongCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(params, lt.Params) {
		t.Errorf("parameters %q, want %q", params, lt.Params)
	}
	r := lt.Scenarios[0].Report
	if want := 2 * len(r.Reps) * len(r.Metrics); len(rows) != want {
		t.Fatalf("%d rows, want %d (2 scenarios × %d replications × %d metrics)", len(rows), want, len(r.Reps), len(r.Metrics))
	}
	i, nan := 0, 0
	for _, s := range lt.Scenarios {
		for _, rep := range s.Report.Reps {
			for k, m := range s.Report.Metrics {
				got, want := rows[i], rep.Values[k]
				same := got.Value == want || math.IsNaN(got.Value) && math.IsNaN(want)
				if got.Scenario != s.Label || !slices.Equal(got.Params, s.Params) || got.Rep != rep.Rep || got.Seed != s.Report.Seed ||
					got.Metric != m.Name() || got.Unit != string(m.Unit) || got.Family != string(m.Family) || got.Subject != m.Subject || got.Stat != string(m.Stat) || !same && math.Abs(got.Value-want) > 1e-9*math.Abs(want) {
					t.Fatalf("row %d: %+v, want %s %v rep %d %s = %v", i, got, s.Label, s.Params, rep.Rep, m.Name(), want)
				}
				if math.IsNaN(want) {
					nan++
				}
				i++
			}
		}
	}
	if nan == 0 {
		t.Error("the fixture has no undefined value: the empty-cell case is not tested")
	}
	if _, _, err := ReadLongCSV(bytes.NewBufferString("scenario,rep,seed,metric,family,of,subject,part,stat,unit,value\np0,x,1,m,m,,,,,count,1\n")); err == nil {
		t.Error("a bad rep was read without error")
	}
}

// TestXLSX opens results.xlsx with excelize: the summary, long and lane
// sheets are there; an HS code stays text with its zero while a numeric
// parameter is a number; summary means and the long table's values are the
// report's; the same study gives the same bytes.
func TestXLSX(t *testing.T) {
	lt := longFixture(t)
	var b bytes.Buffer
	if err := lt.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{SheetSummary, SheetLong, "green", "blue", "yellow", "red"}; !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	// Long sheet: B2 is the HS code of p0, text "0901"; C2 the numeric 0.02.
	for _, c := range []struct {
		cell, value string
		typ         excelize.CellType
	}{
		{"A1", "scenario", excelize.CellTypeSharedString},
		{"B2", "0901", excelize.CellTypeInlineString},
		{"C2", "0.02", excelize.CellTypeUnset},
	} {
		v, err := f.GetCellValue(SheetLong, c.cell)
		if err != nil || v != c.value {
			t.Errorf("long!%s = %q (%v), want %q", c.cell, v, err, c.value)
		}
		typ, err := f.GetCellType(SheetLong, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if c.cell == "B2" && typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("long!B2 has type %v, want text", typ)
		}
		if c.cell == "C2" && typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("long!C2 has type %v, want a number", typ)
		}
	}
	longRows, err := f.GetRows(SheetLong)
	if err != nil {
		t.Fatal(err)
	}
	r := lt.Scenarios[0].Report
	if want := 1 + 2*len(r.Reps)*len(r.Metrics); len(longRows) != want {
		t.Errorf("long sheet has %d rows, want %d", len(longRows), want)
	}
	// Summary: one row per scenario and metric, the mean as the report has it.
	sum, err := f.GetRows(SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2*len(r.Estimates); len(sum) != want {
		t.Fatalf("summary has %d rows, want %d", len(sum), want)
	}
	mi := slices.Index(sum[0], "mean")
	for j, e := range r.Estimates {
		row := sum[1+j]
		if row[0] != "p0" || row[3] != e.Name() {
			t.Fatalf("summary row %d: %q, want p0 and %s", j+2, row, e.Name())
		}
		if math.IsNaN(e.Mean) {
			if mi < len(row) && row[mi] != "" {
				t.Errorf("%s: undefined mean written as %q", e.Name(), row[mi])
			}
			continue
		}
		if got, err := strconv.ParseFloat(row[mi], 64); err != nil || math.Abs(got-e.Mean) > 1e-12*math.Abs(e.Mean) {
			t.Errorf("%s: mean %q, want %v", e.Name(), row[mi], e.Mean)
		}
	}
	red, err := f.GetRows("red")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range red[1:] {
		if row[5] != "lane" || row[6] != "red" {
			t.Errorf("red sheet holds %s (of %q, subject %q)", row[3], row[5], row[6])
		}
	}
	if len(red) < 2 {
		t.Error("red sheet is empty")
	}
	var again bytes.Buffer
	if err := lt.WriteXLSX(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("the same study gave a different results.xlsx")
	}
}
