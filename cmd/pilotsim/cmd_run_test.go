package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"pilotsim/internal/filetest"
	"pilotsim/results"
)

// runCmd runs pilotsim with args and returns the exit code, stdout and stderr.
func runCmd(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunGolden runs the small scenario end to end and compares the aggregate
// files and the printed table with golden files: a change in the engine's
// figures or in the writers shows here.
func TestRunGolden(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", out, "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr not empty with --quiet:\n%s", stderr)
	}
	filetest.Golden(t, "small.aggregate.csv", readFile(t, filepath.Join(out, results.AggregateFile)))
	filetest.Golden(t, "small.aggregate.json", readFile(t, filepath.Join(out, results.AggregateJSONFile)))
	filetest.Golden(t, "small.table.txt", []byte(stdout))
	// The pools by hour of the week: the figures, and the file reads back.
	byHour := readFile(t, filepath.Join(out, results.PoolsByHourFile))
	filetest.Golden(t, "small.pools_by_hour.csv", byHour)
	if ps, err := results.ReadPoolHoursCSV(bytes.NewReader(byHour)); err != nil || len(ps) == 0 {
		t.Errorf("%s does not read back: %d pools, %v", results.PoolsByHourFile, len(ps), err)
	}
	want := []string{results.AggregateFile, results.AggregateJSONFile, results.LongFile, results.ManifestFile, results.PoolsByHourFile, results.PoolsByHourJSONFile,
		results.ReportChartsDir, results.ReportHTMLFile, results.ReportMDFile, results.XLSXFile, results.SummaryFile}
	if got := filetest.Names(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("output directory holds %v, want %v", got, want)
	}
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(out, results.SummaryFile)))).ReadAll()
	if err != nil || len(rows) != 1+4 {
		t.Errorf("summary.csv: %d rows (%v), want a header and 4 replications", len(rows), err)
	}
}

// TestRunJSON: --json prints the aggregate document on stdout, the same as
// aggregate.json.
func TestRunJSON(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCmd(context.Background(), "run", "--json", "--quiet", "--reps", "2", "--out", out, "testdata/small.yaml")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var doc results.JSONReport
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if doc.SchemaVersion != results.SchemaVersion || doc.Scenario != "small" || doc.Replications != 2 || doc.Completed != 2 || doc.Partial {
		t.Errorf("JSON header %+v, want schema %d, small, 2 of 2, not partial", doc, results.SchemaVersion)
	}
	if file := readFile(t, filepath.Join(out, results.AggregateJSONFile)); stdout != string(file) {
		t.Error("--json output differs from aggregate.json")
	}
}

// TestRunWorkersIdentical: every file, the trace included, is byte-identical
// with one worker and with eight.
func TestRunWorkersIdentical(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for i, w := range []string{"1", "8"} {
		code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", dirs[i], "--workers", w, "--trace", "--quiet")
		if code != exitOK {
			t.Fatalf("--workers %s: exit %d, stderr:\n%s", w, code, stderr)
		}
	}
	names := filetest.Names(t, dirs[0])
	if len(names) != 12 {
		t.Errorf("output directory holds %v, want 4 files (with the trace), pools_by_hour.csv and .json, long.csv, results.xlsx, the report (3) and the manifest", names)
	}
	for _, n := range names {
		if n == results.ReportChartsDir {
			continue // the same charts are inline in report.html, compared here
		}
		a, b := readFile(t, filepath.Join(dirs[0], n)), readFile(t, filepath.Join(dirs[1], n))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between --workers 1 and --workers 8", n)
		}
	}
	trace := readFile(t, filepath.Join(dirs[0], traceFile))
	if n := bytes.Count(trace, []byte("\n")); n < 4*1000 {
		t.Errorf("trace has %d lines, want one per consignment (thousands)", n)
	}
	checkTraceColumns(t, filepath.Join(dirs[0], traceFile), 6)
}

// checkTraceColumns checks a trace's cross-column promises on every row: the
// trader column is the id rules use, the same number as the record's
// importer_id (BE + T001406); warm_up is yes exactly for arrivals before the
// warm-up; yes/no columns say yes or no.
func checkTraceColumns(t *testing.T, path string, warmupH float64) {
	t.Helper()
	trader, importer := csvColumn(t, path, "trader"), csvColumn(t, path, "importer_id")
	warm, arrival := csvColumn(t, path, "warm_up"), csvColumn(t, path, "arrival_h")
	clean, aeo := csvColumn(t, path, "clean_signature"), csvColumn(t, path, "aeo")
	sawWarm, sawAfter := false, false
	for i := range trader {
		if !strings.HasPrefix(trader[i], "T") || !strings.HasSuffix(importer[i], trader[i]) {
			t.Fatalf("row %d: trader %q, importer_id %q: want the same trader number", i+2, trader[i], importer[i])
		}
		a, err := strconv.ParseFloat(arrival[i], 64)
		if err != nil {
			t.Fatalf("row %d: arrival_h %q", i+2, arrival[i])
		}
		if want := results.YesNo(a < warmupH); warm[i] != want {
			t.Fatalf("row %d: arrival %v h, warm_up %q; want %q (warm-up %v h)", i+2, a, warm[i], want, warmupH)
		}
		sawWarm = sawWarm || warm[i] == "yes"
		sawAfter = sawAfter || warm[i] == "no"
		for _, v := range []string{clean[i], aeo[i]} {
			if v != "yes" && v != "no" {
				t.Fatalf("row %d: yes/no column holds %q", i+2, v)
			}
		}
	}
	if !sawWarm || !sawAfter {
		t.Errorf("warm_up: saw yes %v, no %v; want both in a run with a warm-up", sawWarm, sawAfter)
	}
}

// TestRunInterrupted cancels the run at the first progress poll after a
// replication finished: the finished replications are written, marked
// partial, the trace holds exactly them, the exit code is 130 and no
// temporary file is left. 100,000 replications take far longer than that.
func TestRunInterrupted(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	testHookProgress = func(done int64) {
		if done > 0 {
			cancel()
		}
	}
	saved := progressEvery
	progressEvery = time.Millisecond
	defer func() { testHookProgress, progressEvery = nil, saved }()
	code, stdout, stderr := runCmd(ctx, "run", "testdata/small.yaml", "--out", out, "--quiet", "--trace", "--workers", "2", "--reps", "100000")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if !strings.Contains(stderr, "interrupted") || !strings.Contains(stderr, "partial") {
		t.Errorf("stderr does not say the run was interrupted and partial:\n%s", stderr)
	}
	if !strings.Contains(stdout, "(partial)") {
		t.Errorf("the table does not say partial:\n%s", stdout)
	}
	var doc results.JSONReport
	if err := json.Unmarshal(readFile(t, filepath.Join(out, results.AggregateJSONFile)), &doc); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d replications finished", doc.Completed, doc.Replications)
	if !doc.Partial || doc.Completed == 0 || doc.Completed >= 100000 || doc.Replications != 100000 {
		t.Errorf("aggregate.json: partial %v, %d of %d completed; want partial, some but not all", doc.Partial, doc.Completed, doc.Replications)
	}

	// The replications of summary.csv, and the trace's, in the same order.
	summary := csvColumn(t, filepath.Join(out, results.SummaryFile), "rep")
	if len(summary) != doc.Completed {
		t.Errorf("summary.csv has %d replications, want %d", len(summary), doc.Completed)
	}
	var traced []string
	for _, r := range csvColumn(t, filepath.Join(out, traceFile), "rep") {
		if len(traced) == 0 || traced[len(traced)-1] != r {
			traced = append(traced, r)
		}
	}
	if strings.Join(traced, " ") != strings.Join(summary, " ") {
		t.Errorf("the trace holds replications %v, summary.csv %v", traced, summary)
	}
	if names := filetest.Names(t, out); len(names) != 12 {
		t.Errorf("output directory holds %v, want the four result files, pools_by_hour.csv and .json, long.csv, results.xlsx, the report (3) and the manifest only", names)
	}
}

// TestRunInterruptedAtOnce: interrupted before any replication finished,
// the run writes nothing and says so.
func TestRunInterruptedAtOnce(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, stdout, stderr := runCmd(ctx, "run", "testdata/small.yaml", "--out", out, "--quiet", "--trace")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if !strings.Contains(stderr, "nothing written") || stdout != "" {
		t.Errorf("stdout %q, stderr %q: want nothing printed and a note that nothing was written", stdout, stderr)
	}
	if names := filetest.Names(t, out); len(names) != 0 {
		t.Errorf("output directory holds %v, want nothing", names)
	}
	// An --out directory the run made itself is removed again.
	fresh := filepath.Join(t.TempDir(), "new")
	if code, _, stderr := runCmd(ctx, "run", "testdata/small.yaml", "--out", fresh, "--quiet", "--trace"); code != exitInterrupted {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("interrupted run left the --out directory it made: %v", err)
	}
}

// csvColumn returns the values of column name of a CSV file.
func csvColumn(t *testing.T, path, name string) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, path))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	col := slices.Index(rows[0], name)
	if col < 0 {
		t.Fatalf("%s has no column %s", path, name)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[col])
	}
	return out
}

// TestRunBadInput: a bad scenario or bad flags exit with 2, report every
// problem with its line, and write nothing.
func TestRunBadInput(t *testing.T) {
	for _, tc := range []struct {
		why  string
		args []string
		want []string // in stderr
	}{
		{"every problem of a bad scenario, with its line",
			[]string{"testdata/bad.yaml"},
			[]string{"bad.yaml:5:", "traffic.sea.rate", "bad.yaml:6:", "aeo_share", "bad.yaml:11:", "colour"}},
		{"a bad --set value", []string{"testdata/small.yaml", "--set", "replications=many"}, []string{"--set replications"}},
		{"a missing file", []string{"testdata/nonexistent.yaml"}, []string{"nonexistent.yaml"}},
		{"no scenario", nil, []string{"want one scenario file"}},
		{"two scenarios", []string{"testdata/small.yaml", "testdata/small.yaml"}, []string{"want one scenario file"}},
		{"negative workers", []string{"testdata/small.yaml", "--workers", "-1"}, []string{"--workers"}},
		{"unknown flag", []string{"testdata/small.yaml", "--frobnicate"}, []string{"frobnicate"}},
	} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCmd(context.Background(), append([]string{"run", "--out", out, "--quiet"}, tc.args...)...)
		if code != exitBadInput {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", tc.why, code, exitBadInput, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.why, w, stderr)
			}
		}
		if stdout != "" {
			t.Errorf("%s: stdout not empty:\n%s", tc.why, stdout)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: output directory was created", tc.why)
		}
	}
}

// TestRunWithoutTraceRemovesOldTrace: a run without --trace into a directory
// holding an earlier run's consignments.csv removes it, so no file there
// looks like this run's trace when it is not.
func TestRunWithoutTraceRemovesOldTrace(t *testing.T) {
	out := t.TempDir()
	for _, args := range [][]string{
		{"run", "testdata/small.yaml", "--out", out, "--quiet", "--reps", "2", "--trace"},
		{"run", "testdata/small.yaml", "--out", out, "--quiet", "--reps", "2"},
	} {
		if code, _, stderr := runCmd(context.Background(), args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		_, err := os.Stat(filepath.Join(out, traceFile))
		if traced := slices.Contains(args, "--trace"); traced != (err == nil) {
			t.Errorf("%v: %s exists = %v", args, traceFile, err == nil)
		}
	}
}

// TestRunTraceGzip: --trace-format csv.gz writes consignments.csv.gz whose
// content is the plain trace byte for byte (and the same for any worker
// count); a later run in another format removes the other file, so a stale
// trace never sits beside new results; an unknown format is bad input.
func TestRunTraceGzip(t *testing.T) {
	plain, gz := t.TempDir(), t.TempDir()
	if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", plain, "--trace", "--quiet", "--reps", "2"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", gz, "--trace", "--trace-format", "csv.gz", "--quiet", "--reps", "2", "--workers", "1"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	zr, err := gzip.NewReader(bytes.NewReader(readFile(t, filepath.Join(gz, traceFile+".gz"))))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, readFile(t, filepath.Join(plain, traceFile))) {
		t.Error("consignments.csv.gz does not hold the plain trace")
	}
	if _, err := os.Stat(filepath.Join(gz, traceFile)); !os.IsNotExist(err) {
		t.Errorf("a csv.gz run wrote %s too (%v)", traceFile, err)
	}
	// The plain format again, into the gzipped run's folder: the .gz goes.
	if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", gz, "--trace", "--quiet", "--reps", "2"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(gz, traceFile+".gz")); !os.IsNotExist(err) {
		t.Errorf("the earlier run's %s.gz is still there (%v)", traceFile, err)
	}
	if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", t.TempDir(), "--trace-format", "xml"); code != exitBadInput || !strings.Contains(stderr, "want csv, csv.gz or parquet") {
		t.Errorf("--trace-format xml: exit %d, stderr %q", code, stderr)
	}
}

// TestRunTraceParquet: --trace-format parquet holds the plain trace's rows,
// typed: the same count, and per row the same rep and seq (integers),
// warm_up (boolean from yes/no), arrival_h (double), trader and hs_code
// (text, zeros kept), release_h null where the CSV cell is empty.
func TestRunTraceParquet(t *testing.T) {
	plain, pq := t.TempDir(), t.TempDir()
	for _, c := range []struct{ dir, format string }{{plain, "csv"}, {pq, "parquet"}} {
		if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", c.dir, "--trace", "--trace-format", c.format, "--quiet", "--reps", "2"); code != exitOK {
			t.Fatalf("%s: exit %d: %s", c.format, code, stderr)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(plain, traceFile)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	col := func(name string) int { return slices.Index(head, name) }
	data := readFile(t, filepath.Join(pq, "consignments.parquet"))
	r := parquet.NewReader(bytes.NewReader(data))
	defer r.Close()
	if r.NumRows() != int64(len(rows)-1) {
		t.Fatalf("parquet has %d rows, the CSV trace %d", r.NumRows(), len(rows)-1)
	}
	idx := func(name string) int {
		leaf, ok := r.Schema().Lookup(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		return leaf.ColumnIndex
	}
	names := []string{"rep", "seq", "warm_up", "arrival_h", "trader", "hs_code", "release_h"}
	buf := make([]parquet.Row, 128)
	i := 1
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			got := map[int]parquet.Value{}
			for _, v := range row {
				got[v.Column()] = v
			}
			want := rows[i]
			for _, name := range names {
				v, w := got[idx(name)], want[col(name)]
				var s string
				switch {
				case v.IsNull():
					s = ""
				case name == "rep" || name == "seq":
					s = strconv.FormatInt(v.Int64(), 10)
				case name == "warm_up":
					s = results.YesNo(v.Boolean())
				case name == "arrival_h" || name == "release_h":
					s = results.FormatFloat(v.Double())
				default:
					s = string(v.ByteArray())
				}
				if s != w {
					t.Fatalf("row %d, %s: parquet %q, CSV %q", i, name, s, w)
				}
			}
			i++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
