package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
	"pilotsim/results"
)

// The scenarios of the study tests: small enough to run in a moment.
const (
	smallScenario = "testdata/studies/small.yaml"
	smallVariant  = "testdata/studies/small-variant.yaml"
)

// pilotsim runs the command line and returns the exit code, stdout and stderr.
func pilotsim(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs pilotsim and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := pilotsim(args...)
	if code != 0 {
		t.Fatalf("pilotsim %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// batchList writes a list of the two small scenarios plus a sweep point of
// the first, and returns its path.
func batchList(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	list := "# a test batch\n" + abs(smallScenario) + "\n" + abs(smallVariant) + "   # one more scanner\n\n" +
		abs(smallScenario) + " selectivity.red=80 selectivity.random.red.rate=0.05\n"
	path := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(path, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBatchMergeOfThreeShardsEqualsUnshardedByteForByte(t *testing.T) {
	list := batchList(t)
	tmp := t.TempDir()
	whole, shards, merged := filepath.Join(tmp, "whole"), filepath.Join(tmp, "shards"), filepath.Join(tmp, "merged")
	mustRun(t, "batch", list, "--out", whole, "--quiet")
	for i := range 3 {
		out := mustRun(t, "batch", list, "--shard", []string{"0/3", "1/3", "2/3"}[i], "--out", shards, "--quiet", "--workers", "1")
		if !strings.Contains(out, "pairs written to") {
			t.Errorf("shard %d: %q", i, out)
		}
	}
	mustRun(t, "merge", shards, "--out", merged)

	checkSections(t, whole, []string{"study", "intervals"}) // the batch report
	a, b := filetest.Tree(t, whole), filetest.Tree(t, merged)
	if len(a) != 3*3+4+4 {
		t.Errorf("the unsharded batch wrote %d files, want 3 scenarios × 3 files + long.csv, results.xlsx, batch.json, manifest.json and the report (report.html, report.md, 2 charts): %v", len(a), keys(a))
	}
	for name, da := range a {
		if !bytes.Equal(da, b[name]) {
			t.Errorf("%s: merged shards differ from the unsharded batch", name)
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			t.Errorf("%s: written by merge only", name)
		}
	}
	// The three scenarios really differ (the list's overrides took effect).
	var aggs []string
	for name, data := range a {
		if strings.HasSuffix(name, results.AggregateFile) {
			aggs = append(aggs, string(data))
		}
	}
	if len(aggs) != 3 || aggs[0] == aggs[1] || aggs[1] == aggs[2] || aggs[0] == aggs[2] {
		t.Errorf("the batch's scenarios do not differ")
	}

	// Resume: a shard whose complete file exists is skipped.
	if out := mustRun(t, "batch", list, "--shard", "1/3", "--out", shards, "--quiet"); !strings.Contains(out, "skipped") {
		t.Errorf("a complete shard ran again: %q", out)
	}
	if out := mustRun(t, "batch", list, "--out", whole, "--quiet"); !strings.Contains(out, "nothing to run") {
		t.Errorf("a complete batch ran again: %q", out)
	}
}

func keys(m map[string][]byte) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

func TestMergeNamesMissingShard(t *testing.T) {
	list := batchList(t)
	shards := t.TempDir()
	for _, s := range []string{"0/4", "2/4"} {
		mustRun(t, "batch", list, "--shard", s, "--out", shards, "--quiet", "--reps", "2")
	}
	code, _, errOut := pilotsim("merge", shards, "--out", t.TempDir())
	if code != exitBadInput {
		t.Errorf("merge with shards missing: exit %d, want %d", code, exitBadInput)
	}
	for _, want := range []string{"2 of 4 shards missing", "shard-0001-of-0004.json", "shard-0003-of-0004.json"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("merge error %q does not say %q", errOut, want)
		}
	}
	// A shard of another seed is refused, by name.
	other := t.TempDir()
	mustRun(t, "batch", list, "--shard", "1/4", "--out", other, "--quiet", "--reps", "2", "--seed", "99")
	code, _, errOut = pilotsim("merge", shards, other)
	if code != exitBadInput || !strings.Contains(errOut, "different seeds") {
		t.Errorf("merge of shards with different seeds: exit %d, %q", code, errOut)
	}
}

func TestBatchResumesFinishedScenarios(t *testing.T) {
	list := batchList(t)
	out := t.TempDir()
	mustRun(t, "batch", list, "--shard", "0/1", "--out", out, "--quiet", "--reps", "2")
	s, err := results.ReadShardFile(filepath.Join(out, results.ShardFileName(0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// What an interrupted unsharded batch leaves: scenario 1 finished, with
	// marked values, so that the resumed batch shows it did not run it again.
	ck := results.NewShard(&s.Batch, 0, 1, nil)
	ck.Metrics = s.Metrics
	for _, r := range s.Results {
		if r.Scenario == 1 {
			for j := range r.Values {
				r.Values[j] = 4242
			}
			ck.Results = append(ck.Results, r)
		}
	}
	if err := os.MkdirAll(filepath.Join(out, partialDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteShardFile(filepath.Join(out, partialDir, "scenario-0001.json"), ck); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := pilotsim("batch", list, "--out", out, "--quiet", "--reps", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "finished before, not run again") {
		t.Errorf("stderr %q does not report the resumed scenario", errOut)
	}
	b, err := results.ReadBatchManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	agg, err := os.ReadFile(filepath.Join(out, b.Scenarios[1].Dir, "aggregate.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(agg), ",4242,") {
		t.Errorf("scenario 1 ran again instead of resuming:\n%.300s", agg)
	}
	if _, err := os.Stat(filepath.Join(out, partialDir)); !os.IsNotExist(err) {
		t.Errorf("%s left behind after the batch completed", partialDir)
	}
}

func TestCompareOfIdenticalScenariosIsExactlyZero(t *testing.T) {
	out := t.TempDir()
	js := mustRun(t, "compare", smallScenario, smallScenario, "--out", out, "--json", "--quiet")
	var c results.JSONComparison
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Scenarios) != 2 || c.Scenarios[0].Label == c.Scenarios[1].Label {
		t.Fatalf("labels %+v: want two distinct labels", c.Scenarios)
	}
	checked := 0
	for _, m := range c.Metrics {
		d := m.Differences[0]
		if d.N == 0 {
			continue
		}
		checked++
		if d.N == 1 { // one replication defines it: no interval, but no difference either
			if d.Mean != 0 || d.ExcludesZero {
				t.Errorf("%s: %v, want exactly 0", m.Metric, d.Mean)
			}
			continue
		}
		if d.Mean != 0 || d.Low != 0 || d.High != 0 || d.ExcludesZero {
			t.Errorf("%s: %v [%v, %v], want exactly 0 [0, 0]", m.Metric, d.Mean, d.Low, d.High)
		}
	}
	if checked < 10 {
		t.Errorf("only %d metrics compared", checked)
	}
}

func TestCompareReport(t *testing.T) {
	out := t.TempDir()
	tab := mustRun(t, "compare", smallScenario, smallVariant, "--out", out, "--quiet", "--independent")
	for _, want := range []string{"small-variant − small", "×narrower", "detection_rate"} {
		if !strings.Contains(tab, want) {
			t.Errorf("compare table lacks %q", want)
		}
	}
	checkSections(t, out, []string{"key-metrics", "differences", "pairing"})
	for _, f := range []string{results.CompareCSVFile, results.CompareJSONFile, "small/summary.csv", "small-variant/aggregate.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestSweep(t *testing.T) {
	out := t.TempDir()
	tab := mustRun(t, "sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--param", "resources.pools[nii].servers", "--range", "2:3:1", "--reps", "2", "--out", out, "--quiet")
	rows := regexp.MustCompile(`(?m)^\s+(50|70)\s+[23]\s`).FindAllString(tab, -1)
	if len(rows) != 4 {
		t.Errorf("want 4 grid rows in the table:\n%s", tab)
	}
	checkSections(t, out, []string{"trade-off", "metrics"})
	csv, err := os.ReadFile(filepath.Join(out, results.SweepCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(csv), "selectivity.red,resources.pools[nii].servers,on_frontier_time,on_frontier_inspection,") {
		t.Errorf("sweep.csv header: %.120s", csv)
	}
	// Bad sweeps are bad input, and nothing runs.
	for _, args := range [][]string{
		{"sweep", smallScenario, "--param", "selectivity.red"},
		{"sweep", smallScenario, "--values", "1,2"},
		{"sweep", smallScenario, "--param", "selectivity.red", "--range", "1:2"},
		{"sweep", smallScenario, "--param", "selectivity.red", "--values", "50,abc"},
	} {
		if code, _, _ := pilotsim(args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, exitBadInput)
		}
	}
}

// TestSweepMarksUnstable: the seaport expected-rate sweep at 0.08 overloads
// the physical examination (it is offered more than its capacity); that point
// is marked UNSTABLE in the table, the JSON and the report, and is on no
// frontier, while 0.01 is a normal result.
func TestSweepMarksUnstable(t *testing.T) {
	out := t.TempDir()
	tab := mustRun(t, "sweep", "../../scenarios/examples/seaport.yaml", "--param", "selectivity.expected.red", "--values", "0.01,0.08",
		"--reps", "3", "--out", out, "--quiet")
	row := func(v string) string {
		m := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(v) + `\s.*$`).FindString(tab)
		if m == "" {
			t.Fatalf("no row for %s:\n%s", v, tab)
		}
		return m
	}
	if !strings.HasSuffix(row("0.08"), "UNSTABLE") || strings.Contains(row("0.01"), "UNSTABLE") {
		t.Errorf("rows:\n%s\n%s", row("0.01"), row("0.08"))
	}
	if !strings.Contains(tab, "*** UNSTABLE at 0.08:") {
		t.Errorf("table lacks the banner:\n%s", tab)
	}
	var doc results.JSONSweep
	if err := json.Unmarshal(readFile(t, filepath.Join(out, results.SweepJSONFile)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Points[0].Run.Unstable || !doc.Points[1].Run.Unstable || doc.Points[1].OnFrontierTime || doc.Points[1].OnFrontierInspection {
		t.Errorf("sweep.json: 0.01 unstable %v; 0.08 unstable %v, on frontiers %v %v", doc.Points[0].Run.Unstable,
			doc.Points[1].Run.Unstable, doc.Points[1].OnFrontierTime, doc.Points[1].OnFrontierInspection)
	}
	if !strings.Contains(string(readFile(t, filepath.Join(out, "report.html"))), "UNSTABLE") {
		t.Error("report.html does not mark the unstable point")
	}
}

// A sweep written as a batch list runs as a batch.
func TestSweepAsBatch(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "lists", "sweep.list") // a directory not yet made
	mustRun(t, "sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--batch-list", list)
	out := mustRun(t, "batch", list, "--out", filepath.Join(dir, "out"), "--quiet", "--reps", "2")
	for _, want := range []string{"000_small_selectivity.red=50", "001_small_selectivity.red=70", "2 scenarios"} {
		if !strings.Contains(out, want) {
			t.Errorf("batch of the sweep list lacks %s:\n%s", want, out)
		}
	}
}

// A batch list splits lines at spaces and drops what follows #: an override
// holding either, in any --param or value, is refused before the list is
// written (it would run another scenario than the sweep's, or none).
func TestSweepAsBatchRefusesSpaceOrHash(t *testing.T) {
	for _, args := range [][]string{
		{"--param", "selectivity.red", "--values", "50,70#x"},
		{"--param", "selectivity.red", "--values", "50", "--param", "threats[narcotics].prevalence", "--values", "0.001,0.002#x"},
		{"--param", "selectivity.red", "--values", "50", "--param", "threats[narcotics ].prevalence", "--values", "0.001"},
		{"--param", "selectivity.red", "--values", "50,7 0"},
	} {
		list := filepath.Join(t.TempDir(), "sweep.list")
		code, _, errOut := pilotsim(append([]string{"sweep", smallScenario, "--batch-list", list}, args...)...)
		if code != exitBadInput || !strings.Contains(errOut, "cannot hold spaces or #") {
			t.Errorf("%v: exit %d, want %d and the reason\n%s", args, code, exitBadInput, errOut)
		}
		if _, err := os.Stat(list); err == nil {
			t.Errorf("%v: the list was written", args)
		}
	}
	// The scenario file's name too.
	dir := filepath.Join(t.TempDir(), "my scenarios")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sc := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(sc, readFile(t, smallScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(t.TempDir(), "sweep.list")
	code, _, errOut := pilotsim("sweep", sc, "--batch-list", list, "--param", "selectivity.red", "--values", "50")
	if code != exitBadInput || !strings.Contains(errOut, "cannot hold spaces or # in a scenario file name") {
		t.Errorf("scenario in %q: exit %d, want %d and the reason\n%s", dir, code, exitBadInput, errOut)
	}
	if _, err := os.Stat(list); err == nil {
		t.Errorf("scenario in %q: the list was written", dir)
	}
}

func TestRunReportSections(t *testing.T) {
	out := t.TempDir()
	mustRun(t, "run", smallScenario, "--out", out, "--quiet")
	checkSections(t, out, []string{"release", "groups", "detection", "lanes", "resources", "pool-hours", "trs"})
}

// checkSections checks that report.html holds the sections, each with one
// inline chart, and that report.md has one chart file per section.
func checkSections(t *testing.T, dir string, want []string) {
	t.Helper()
	html, err := os.ReadFile(filepath.Join(dir, results.ReportHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	secs := regexp.MustCompile(`(?s)<section id="([^"]+)">(.*?)</section>`).FindAllStringSubmatch(string(html), -1)
	var ids []string
	for _, s := range secs {
		ids = append(ids, s[1])
		if n := strings.Count(s[2], "<svg"); n != 1 {
			t.Errorf("section %s has %d charts, want 1", s[1], n)
		}
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("report.html sections %v, want %v", ids, want)
	}
	md, err := os.ReadFile(filepath.Join(dir, results.ReportMDFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(md), "]("+results.ReportChartsDir+"/"); n != len(want) {
		t.Errorf("report.md has %d charts, want %d", n, len(want))
	}
}
