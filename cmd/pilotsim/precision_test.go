package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
	"pilotsim/results"
)

// withoutPrecision returns a JSON document with its top-level "precision"
// member removed, re-encoded as the writers indent it.
func withoutPrecision(t *testing.T, doc []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "precision")
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// reencode puts a JSON document through the same map round trip as
// withoutPrecision (which orders members by name), for comparison.
func reencode(t *testing.T, doc []byte) []byte { return withoutPrecision(t, doc) }

// precisionLines splits a table into its precision block (the line starting
// "Precision on demand" and the indented lines after it) and the rest.
func precisionLines(table string) (block, rest string) {
	var b, r []string
	in := false
	for _, l := range strings.SplitAfter(table, "\n") {
		switch {
		case strings.HasPrefix(l, "Precision on demand"):
			in = true
			b = append(b, l)
		case in && strings.HasPrefix(l, "  ") && strings.Contains(l, "wanted ±"):
			b = append(b, l)
		default:
			in = false
			r = append(r, l)
		}
	}
	return strings.Join(b, ""), strings.Join(r, "")
}

// TestRunPrecisionIsAFixedRun: a run that --precision stops after several
// batches writes exactly the files of a fixed run of its final count (the
// trace and the report included); only aggregate.json's "precision" member
// and the table's precision lines are added, and they say how many
// replications were used.
func TestRunPrecisionIsAFixedRun(t *testing.T) {
	seq, fixed := t.TempDir(), t.TempDir()
	tab := mustRun(t, "run", "testdata/small.yaml", "--out", seq, "--quiet", "--trace", "--reps", "3", "--precision", "detection=3pp", "--precision", "hit=25%")
	var doc results.JSONReport
	if err := json.Unmarshal(readFile(t, filepath.Join(seq, results.AggregateJSONFile)), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Precision
	if p == nil {
		t.Fatal("aggregate.json has no precision member")
	}
	if len(p.Batches) < 3 || p.Batches[0] != 3 || !p.Reached || p.Replications != doc.Completed || p.Replications != p.Batches[len(p.Batches)-1] ||
		!slices.Equal(p.Targets, []string{"detection=3pp", "hit=25%"}) || len(p.Checks) != 2 {
		t.Fatalf("precision %+v: want at least 3 batches from 3, every target reached, the final count = completed", p)
	}
	for _, c := range p.Checks {
		if !c.Reached || float64(c.HalfWidth) > float64(c.Want) {
			t.Errorf("check %+v: not reached", c)
		}
	}
	n := strconv.Itoa(p.Replications)
	fixedTab := mustRun(t, "run", "testdata/small.yaml", "--out", fixed, "--quiet", "--trace", "--reps", n)

	for _, name := range filetest.Names(t, fixed) {
		if name == results.ReportChartsDir || name == results.ManifestFile {
			continue // inline in report.html; the manifest records the options, --precision among them
		}
		a, b := readFile(t, filepath.Join(seq, name)), readFile(t, filepath.Join(fixed, name))
		if name == results.AggregateJSONFile {
			a, b = withoutPrecision(t, a), reencode(t, b)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from a fixed run of %s replications", name, n)
		}
	}
	if man := string(readFile(t, filepath.Join(seq, results.ManifestFile))); !strings.Contains(man, "precision=detection=3pp") || !strings.Contains(man, "max-reps=200") {
		t.Errorf("manifest.json does not record the precision options:\n%s", man)
	}
	block, rest := precisionLines(tab)
	if rest != fixedTab {
		t.Errorf("the table, without its precision lines, differs from a fixed run's:\n%s\nwant:\n%s", rest, fixedTab)
	}
	if !strings.Contains(block, "Precision on demand: "+n+" replications") || !strings.Contains(block, "detection_rate: ±") ||
		!strings.Contains(block, "hit_rate: ±") || !strings.Contains(block, "of the mean") {
		t.Errorf("precision lines:\n%s", block)
	}
}

// TestRunPrecisionCapped: a target out of reach stops at --max-reps, says so
// on stdout and stderr, and still writes the results (exit 0).
func TestRunPrecisionCapped(t *testing.T) {
	out := t.TempDir()
	code, tab, stderr := pilotsim("run", "testdata/small.yaml", "--out", out, "--quiet", "--reps", "2", "--max-reps", "6", "--precision", "release.all.mean=0.0001h")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(tab, "6 replications (run in batches to 2, 6, at most 6), NOT every target reached") || !strings.Contains(stderr, "warning: --max-reps 6 reached") {
		t.Errorf("stdout:\n%.400s\nstderr:\n%s", tab, stderr)
	}
}

// TestPrecisionBadInput: bad --precision and --max-reps values are bad input
// (exit 2) that name the value and what was expected, before anything runs.
func TestPrecisionBadInput(t *testing.T) {
	for _, tc := range []struct {
		why  string
		args []string
		want []string
	}{
		{"unknown metric", []string{"run", "testdata/small.yaml", "--precision", "foo=1h"}, []string{`--precision foo=1h: no metric "foo"`, "release.all.mean", "short form"}},
		{"negative", []string{"run", "testdata/small.yaml", "--precision", "detection=-1pp"}, []string{`"detection=-1pp"`, "want a number above 0"}},
		{"unit of another quantity", []string{"run", "testdata/small.yaml", "--precision", "release.red.mean=1pp"}, []string{"--precision release.red.mean=1pp", "a time in hours", "0.1h"}},
		{"unknown unit", []string{"run", "testdata/small.yaml", "--precision", "detection=1x"}, []string{`"detection=1x"`, "not a number with a unit"}},
		{"no =", []string{"run", "testdata/small.yaml", "--precision", "detection"}, []string{"want METRIC=HALFWIDTH"}},
		{"--max-reps alone", []string{"run", "testdata/small.yaml", "--max-reps", "50"}, []string{"--max-reps 50: only with --precision"}},
		{"--max-reps below the first batch", []string{"run", "testdata/small.yaml", "--max-reps", "5", "--precision", "detection=1pp"}, []string{"--max-reps 5: want at least the first batch, 10"}},
		{"compare: unknown metric", []string{"compare", smallScenario, smallVariant, "--precision", "detection.nope=1pp"}, []string{"--precision detection.nope=1pp", "close ones: detection_rate"}},
		{"sweep: bad unit", []string{"sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--precision", "detection=1h"}, []string{"--precision detection=1h", "a fraction"}},
		{"sweep: with --batch-list", []string{"sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--batch-list", "x.list", "--precision", "detection=1pp"}, []string{"not with --batch-list"}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := pilotsim(append(tc.args, "--out", out, "--quiet")...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitBadInput, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout not empty:\n%s", stdout)
			}
		})
	}
}

// TestComparePrecisionIsAFixedCompare: compare --precision holds every paired
// difference to the target and gives the files of a fixed comparison of the
// final count.
func TestComparePrecisionIsAFixedCompare(t *testing.T) {
	seq, fixed := t.TempDir(), t.TempDir()
	mustRun(t, "compare", smallScenario, smallVariant, "--out", seq, "--quiet", "--reps", "3", "--precision", "release.all.mean=3%")
	var doc results.JSONComparison
	if err := json.Unmarshal(readFile(t, filepath.Join(seq, results.CompareJSONFile)), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Precision
	if p == nil || len(p.Batches) < 2 || !p.Reached || len(p.Checks) != 1 || p.Checks[0].Of != "small-variant − small" || p.Replications != doc.Scenarios[1].Replications {
		t.Fatalf("precision %+v: want batches, reached, one check of the paired difference", p)
	}
	mustRun(t, "compare", smallScenario, smallVariant, "--out", fixed, "--quiet", "--reps", strconv.Itoa(p.Replications))
	for _, name := range []string{results.CompareCSVFile, "small/summary.csv", "small-variant/aggregate.csv"} {
		if !bytes.Equal(readFile(t, filepath.Join(seq, name)), readFile(t, filepath.Join(fixed, name))) {
			t.Errorf("%s differs from a fixed comparison of %d replications", name, p.Replications)
		}
	}
	if a, b := withoutPrecision(t, readFile(t, filepath.Join(seq, results.CompareJSONFile))), reencode(t, readFile(t, filepath.Join(fixed, results.CompareJSONFile))); !bytes.Equal(a, b) {
		t.Errorf("compare.json differs beyond its precision member")
	}
}

// TestSweepPrecisionIsAFixedSweep: sweep --precision holds every point's
// interval to the target, runs every point to the same count and gives the
// files of a fixed sweep of it.
func TestSweepPrecisionIsAFixedSweep(t *testing.T) {
	seq, fixed := t.TempDir(), t.TempDir()
	args := []string{"sweep", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--quiet"}
	mustRun(t, append(args, "--out", seq, "--reps", "3", "--precision", "detection=4pp")...)
	var doc results.JSONSweep
	if err := json.Unmarshal(readFile(t, filepath.Join(seq, results.SweepJSONFile)), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Precision
	if p == nil || len(p.Batches) < 2 || !p.Reached || len(p.Checks) != 2 {
		t.Fatalf("precision %+v: want batches, reached, a check per point", p)
	}
	for _, pt := range doc.Points {
		if pt.Run.Completed != p.Replications {
			t.Errorf("point %v: %d replications, want %d", pt.Values, pt.Run.Completed, p.Replications)
		}
	}
	mustRun(t, append(args, "--out", fixed, "--reps", strconv.Itoa(p.Replications))...)
	if !bytes.Equal(readFile(t, filepath.Join(seq, results.SweepCSVFile)), readFile(t, filepath.Join(fixed, results.SweepCSVFile))) {
		t.Errorf("sweep.csv differs from a fixed sweep of %d replications", p.Replications)
	}
}

// TestComparePrecisionResumes: a compare --precision stopped after the
// second batch of its first scenario keeps its finished batches; run again
// into the same --out it takes them and runs only the rest, and the folder
// is byte for byte what an uninterrupted run writes.
func TestComparePrecisionResumes(t *testing.T) {
	args := []string{"compare", smallScenario, smallVariant, "--quiet", "--reps", "3", "--precision", "release.all.mean=3%"}
	whole, resumed := t.TempDir(), t.TempDir()
	mustRun(t, append(args, "--out", whole)...)
	ctx, cancel := context.WithCancel(context.Background())
	testHookUnitSaved = func(k int) {
		if k == 2*precisionUnits { // unit 0, batch 1
			cancel()
		}
	}
	code, _, _ := runCmd(ctx, append(args, "--out", resumed)...)
	testHookUnitSaved = nil
	if code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d, want %d", code, exitInterrupted)
	}
	code, _, stderr := runCmd(context.Background(), append(args, "--out", resumed)...)
	if code != 0 || strings.Count(stderr, "not run again") != 3 { // both scenarios' batch 0, the first's batch 1
		t.Fatalf("resumed run: exit %d, want 0 and three batches taken from the first run\n%s", code, stderr)
	}
	a, b := filetest.Tree(t, whole), filetest.Tree(t, resumed)
	if len(a) != len(b) {
		t.Errorf("%d files after a resume, %d without", len(b), len(a))
	}
	for name, da := range a {
		if !bytes.Equal(da, b[name]) {
			t.Errorf("%s differs after a resume", name)
		}
	}
}
