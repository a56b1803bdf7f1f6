package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/xuri/excelize/v2"

	"pilotsim/results"
)

// checkLong reads dir/long.csv back and checks it against each scenario's
// own summary.csv (one row per replication, one column per metric): the
// same values, every one of them, under the given parameter columns; and it
// opens dir/results.xlsx with excelize and checks its long sheet has as
// many rows. sub maps a long-table scenario label to its folder.
func checkLong(t *testing.T, dir string, params []string, sub func(label string) string, wantParams map[string][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, results.LongFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gotParams, rows, err := results.ReadLongCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotParams, params) {
		t.Errorf("long.csv parameters %q, want %q", gotParams, params)
	}
	summaries := map[string][][]string{}
	seen := map[string]int{}
	for _, r := range rows {
		if w, ok := wantParams[r.Scenario]; ok && !slices.Equal(r.Params, w) {
			t.Fatalf("scenario %s: parameters %q, want %q", r.Scenario, r.Params, w)
		}
		sum, ok := summaries[r.Scenario]
		if !ok {
			b, err := os.ReadFile(filepath.Join(dir, sub(r.Scenario), results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if sum, err = csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
				t.Fatal(err)
			}
			summaries[r.Scenario] = sum
		}
		col := slices.Index(sum[0], r.Metric)
		var cell string
		for _, line := range sum[1:] {
			if line[0] == strconv.Itoa(r.Rep) {
				cell = line[col]
			}
		}
		want := math.NaN()
		if cell != "" {
			want, _ = strconv.ParseFloat(cell, 64)
		}
		if col < 0 || !(r.Value == want || math.IsNaN(r.Value) && math.IsNaN(want)) {
			t.Fatalf("%s rep %d %s: long.csv %v, summary.csv %q", r.Scenario, r.Rep, r.Metric, r.Value, cell)
		}
		seen[r.Scenario]++
	}
	for label, sum := range summaries {
		if want := (len(sum) - 1) * (len(sum[0]) - 1); seen[label] != want {
			t.Errorf("%s: %d rows in long.csv, want %d (replications × metrics)", label, seen[label], want)
		}
	}
	x, err := excelize.OpenFile(filepath.Join(dir, results.XLSXFile))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet, err := x.GetRows(results.SheetLong)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet) != len(rows)+1 {
		t.Errorf("results.xlsx long sheet has %d rows, long.csv %d (+ header)", len(sheet), len(rows))
	}
}

// TestLongTables: sweep, compare and batch each write one long table of the
// whole study, and its values are those of the scenarios' own files.
func TestLongTables(t *testing.T) {
	t.Run("sweep", func(t *testing.T) {
		out := t.TempDir()
		mustRun(t, "sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--reps", "2", "--out", out, "--quiet")
		checkLong(t, out, []string{"selectivity.red"}, func(l string) string { return filepath.Join(results.SweepPointDir, l) }, nil)
	})
	t.Run("compare", func(t *testing.T) {
		out := t.TempDir()
		mustRun(t, "compare", smallScenario, smallVariant, "--reps", "2", "--out", out, "--quiet")
		checkLong(t, out, nil, func(l string) string { return l }, nil)
	})
	t.Run("batch", func(t *testing.T) {
		out := t.TempDir()
		mustRun(t, "batch", batchList(t), "--reps", "2", "--out", out, "--quiet")
		checkLong(t, out, []string{"selectivity.red", "selectivity.random.red.rate"}, func(l string) string { return l },
			map[string][]string{"000_small": {"", ""}, "002_small_selectivity.red=80_red.rate=0.05": {"80", "0.05"}})
	})
}

// TestParquetFlag: --parquet writes long.parquet beside long.csv with as
// many rows, on run, sweep, compare, batch and merge; a merged batch's equals
// the unsharded batch's byte for byte.
func TestParquetFlag(t *testing.T) {
	tmp := t.TempDir()
	list := batchList(t)
	shards := filepath.Join(tmp, "shards")
	mustRun(t, "batch", list, "--shard", "0/2", "--reps", "2", "--out", shards, "--quiet")
	mustRun(t, "batch", list, "--shard", "1/2", "--reps", "2", "--out", shards, "--quiet")
	for _, c := range []struct {
		dir  string
		args []string
	}{
		{"run", []string{"run", smallScenario, "--reps", "2"}},
		{"sweep", []string{"sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--reps", "2"}},
		{"compare", []string{"compare", smallScenario, smallVariant, "--reps", "2"}},
		{"batch", []string{"batch", list, "--reps", "2"}},
		{"merged", []string{"merge", shards}},
	} {
		t.Run(c.dir, func(t *testing.T) {
			dir := filepath.Join(tmp, c.dir)
			args := append(c.args, "--parquet", "--out", dir)
			if c.dir != "merged" {
				args = append(args, "--quiet")
			}
			mustRun(t, args...)
			f, err := os.Open(filepath.Join(dir, results.LongFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, rows, err := results.ReadLongCSV(f)
			if err != nil {
				t.Fatal(err)
			}
			pf, err := os.Open(filepath.Join(dir, results.LongParquetFile))
			if err != nil {
				t.Fatal(err)
			}
			defer pf.Close()
			st, _ := pf.Stat()
			file, err := parquet.OpenFile(pf, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			if file.NumRows() != int64(len(rows)) {
				t.Errorf("long.parquet has %d rows, long.csv %d", file.NumRows(), len(rows))
			}
		})
	}
	a, _ := os.ReadFile(filepath.Join(tmp, "batch", results.LongParquetFile))
	b, _ := os.ReadFile(filepath.Join(tmp, "merged", results.LongParquetFile))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the merged batch's long.parquet differs from the unsharded batch's")
	}
}
