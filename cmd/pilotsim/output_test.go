package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pilotsim/results"
)

// TestRunRefusesAnotherStudy: run into a used --out is refused when the
// folder holds another study (other overrides here: another inputs hash),
// unless --force; the same study again overwrites its own folder; the folder
// ends with a complete manifest of the study last written.
func TestRunRefusesAnotherStudy(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	run := func(extra ...string) (int, string) {
		args := append([]string{"run", "testdata/small.yaml", "--reps", "2", "--quiet", "--out", out}, extra...)
		code, _, stderr := runCmd(context.Background(), args...)
		return code, stderr
	}
	if code, stderr := run(); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	first := readFile(t, filepath.Join(out, "aggregate.csv"))
	if code, stderr := run(); code != exitOK {
		t.Fatalf("the same study again: exit %d\n%s", code, stderr)
	}
	code, stderr := run("--set", "selectivity.red=80")
	if code != exitBadInput || !strings.Contains(stderr, "holds the results of another run (testdata/small.yaml)") || !strings.Contains(stderr, "--force") {
		t.Fatalf("another study into a used --out: exit %d, want %d naming the other study and --force\n%s", code, exitBadInput, stderr)
	}
	if got := readFile(t, filepath.Join(out, "aggregate.csv")); string(got) != string(first) {
		t.Error("the refused run changed the folder")
	}
	m, err := results.ReadManifest(out)
	if err != nil || !m.Complete || len(m.Sets) != 0 {
		t.Fatalf("after a refused run the first study's manifest must stay: %+v, %v", m, err)
	}
	if code, stderr := run("--set", "selectivity.red=80", "--force"); code != exitOK {
		t.Fatalf("--force: exit %d\n%s", code, stderr)
	}
	m, err = results.ReadManifest(out)
	if err != nil || !m.Complete || len(m.Sets) != 1 {
		t.Fatalf("after --force the manifest is the new study's: %+v, %v", m, err)
	}
	if err := results.VerifyManifest(out, m); err != nil {
		t.Error(err)
	}
	// --reps is an option that changes the results: another study too.
	if code, stderr := run("--set", "selectivity.red=80", "--reps", "3"); code != exitBadInput {
		t.Errorf("other --reps: exit %d, want %d\n%s", code, exitBadInput, stderr)
	}
}

// TestGenerateAndBacktestManifests: generate --out FILE.csv ends with
// FILE.csv.manifest.json beside it, and backtest --out DIR with
// DIR/manifest.json, each written last, listing what was written with its
// hash, the inputs and the options.
func TestGenerateAndBacktestManifests(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "decl.csv")
	if code, _, stderr := runCmd(context.Background(), "generate", "testdata/small.yaml", "--count", "50", "--out", csv); code != exitOK {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	m, err := results.ReadFileManifest(csv)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := results.HashFile(csv)
	if !m.Complete || m.Command != "generate" || len(m.Files) != 1 || m.Files[0].Path != "decl.csv" || m.Files[0].SHA256 != sum ||
		len(m.Inputs) != 1 || !strings.Contains(strings.Join(m.Options, " "), "count=50") {
		t.Errorf("generate manifest: %+v", m)
	}
	// A failed generate leaves no manifest saying the old file is complete.
	code, _, _ := runCmd(context.Background(), "generate", "testdata/small.yaml", "--set", "rules[R3].when=null", "--set", "rules[R3].expr=int(origin) > 0", "--out", csv)
	if code != exitBadInput {
		t.Fatalf("generate with a failing rule: exit %d", code)
	}
	if _, err := os.Stat(results.FileManifestPath(csv)); !os.IsNotExist(err) {
		t.Errorf("a failed generate left %s: %v", results.FileManifestPath(csv), err)
	}

	hist := writeFile(t, "hist.csv", kcsHead+kcsRow("1", "2021-01-01", "420231", "IT", "IT", "1"))
	in := writeFile(t, "in.csv", kcsHead+kcsRow("4", "2021-01-03", "420231", "IT", "IT", "1")+kcsRow("5", "2021-01-03", "610910", "CN", "CN", "0"))
	out := filepath.Join(dir, "bt")
	if code, _, stderr := runCmd(context.Background(), "backtest", "--rules", kcsRules, "--mapping", kcsMapping, "--history", hist, "--out", out, in); code != exitOK {
		t.Fatalf("backtest: exit %d\n%s", code, stderr)
	}
	bm, err := results.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range bm.Files {
		files = append(files, f.Path)
	}
	if !bm.Complete || bm.Command != "backtest" || strings.Join(files, " ") != "backtest.json curve.csv report-charts/targeting.svg report.html report.md rules.csv" || len(bm.Inputs) != 4 {
		t.Errorf("backtest manifest: complete %v, command %s, files %v, %d inputs; want complete, the six files (the report with its Markdown and chart), rules+history+mapping+file",
			bm.Complete, bm.Command, files, len(bm.Inputs))
	}
	if err := results.VerifyManifest(out, bm); err != nil {
		t.Error(err)
	}
}
