package main

import (
	"context"
	"encoding/json"
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

// TestResultFoldersOfStudies: every command that writes a result set
// refuses a folder holding another study, a folder inside one, and paths
// that are not folders (or files, for calibrate and generate), with exit 2;
// --force writes anyway; the same study again overwrites its own folder.
func TestResultFoldersOfStudies(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--reps", "1", "--quiet", "--out", study); code != exitOK {
		t.Fatal(stderr)
	}
	recs := filepath.Join(dir, "r.csv")
	os.WriteFile(recs, []byte("arrival,release,channel\n2025-01-06T00:00:00Z,2025-01-06T01:00:00Z,green\n2025-01-06T02:00:00Z,2025-01-06T05:00:00Z,red\n"), 0o644)
	file := filepath.Join(dir, "afile")
	os.WriteFile(file, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link.yaml")
	os.Symlink(file, link)
	trsOut := filepath.Join(dir, "trs")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"trs into a run's folder", []string{"trs", recs, "--out", study}, exitBadInput, "holds the results of another run"},
		{"trs inside a run's folder", []string{"trs", recs, "--out", filepath.Join(study, "trs")}, exitBadInput, "is inside " + study + ", which holds the results of a run"},
		{"run inside a run's folder", []string{"run", "testdata/small.yaml", "--reps", "1", "--quiet", "--out", filepath.Join(study, "again")}, exitBadInput, "is inside"},
		{"calibrate inside a run's folder", []string{"calibrate", recs, "--base", "testdata/small.yaml", "--no-check", "--out", filepath.Join(study, "fit.yaml")}, exitBadInput, "is inside"},
		{"generate inside a run's folder", []string{"generate", "testdata/small.yaml", "--count", "5", "--out", filepath.Join(study, "d.csv")}, exitBadInput, "is inside"},
		{"trs --out a file", []string{"trs", recs, "--out", file}, exitBadInput, "is a regular file; want a folder"},
		{"trs --out a device", []string{"trs", recs, "--out", "/dev/null"}, exitBadInput, "is a character device"},
		{"calibrate --out a symlink", []string{"calibrate", recs, "--base", "testdata/small.yaml", "--no-check", "--out", link}, exitBadInput, "symbolic link"},
		{"calibrate --out a folder", []string{"calibrate", recs, "--base", "testdata/small.yaml", "--no-check", "--out", dir}, exitBadInput, "is a folder"},
		{"trs once", []string{"trs", recs, "--out", trsOut}, exitOK, ""},
		{"the same trs again", []string{"trs", recs, "--out", trsOut}, exitOK, ""},
		{"another trs", []string{"trs", recs, "--out", trsOut, "--seed", "2"}, exitBadInput, "holds the results of another trs"},
		{"another trs, forced", []string{"trs", recs, "--out", trsOut, "--seed", "2", "--force"}, exitOK, ""},
		{"calibrate inside, forced", []string{"calibrate", recs, "--base", "testdata/small.yaml", "--no-check", "--force", "--out", filepath.Join(dir, "fit.yaml")}, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(context.Background(), tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
	if got := string(readFile(t, file)); got != "keep" {
		t.Errorf("a refused --out was written: %q", got)
	}
	for _, p := range []string{filepath.Join(study, "trs"), filepath.Join(study, "again"), filepath.Join(study, "fit.yaml"), filepath.Join(study, "d.csv"), filepath.Join(study, "trs.csv")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s written inside another study", p)
		}
	}
	// calibrate's scenario has its manifest beside it, complete.
	var man struct {
		Command  string `json:"command"`
		Complete bool   `json:"complete"`
		Files    []struct {
			Path string `json:"path"`
		} `json:"files"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "fit.yaml.manifest.json")), &man); err != nil || man.Command != "calibrate" || !man.Complete || len(man.Files) != 1 || man.Files[0].Path != "fit.yaml" {
		t.Errorf("calibrate's manifest: %v %+v", err, man)
	}
}
