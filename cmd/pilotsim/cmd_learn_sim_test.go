package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
	"pilotsim/results"
)

// learnSimArgs run narcotics-drift briefly: 4 weeks at 60 consignments an
// hour, the drift in week 3.
var learnSimArgs = []string{"learn", "../../scenarios/examples/narcotics-drift.yaml", "--seeds", "2", "--quiet",
	"--set", "horizon=28d", "--set", "traffic.sea.rate=60", "--set", "drift[0].at=14d", "--policies", "learned+random,adaptive,oracle"}

// TestLearnSimWorkers: pilotsim learn SCENARIO.yaml writes the same files,
// byte for byte, on 1 and 2 workers, with the columns and metrics the issue
// names.
func TestLearnSimWorkers(t *testing.T) {
	var files [2]map[string][]byte
	for i, w := range []string{"1", "2"} {
		out := t.TempDir()
		code, stdout, stderr := runCmd(context.Background(), append(learnSimArgs, "--workers", w, "--out", out)...)
		if code != exitOK {
			t.Fatalf("workers %s: exit %d: %s", w, code, stderr)
		}
		if !strings.Contains(stdout, "oracle_share") {
			t.Errorf("table without oracle_share:\n%s", stdout)
		}
		files[i] = map[string][]byte{}
		for _, f := range []string{results.LearnCSVFile, results.PoliciesCSVFile, results.ReportHTMLFile} {
			files[i][f] = readFile(t, filepath.Join(out, f))
		}
		want := []string{results.LearnCSVFile, results.ManifestFile, results.PoliciesCSVFile, results.ReportChartsDir, results.ReportHTMLFile, results.ReportMDFile}
		if got := filetest.Names(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("output directory holds %v, want %v", got, want)
		}
	}
	for f, a := range files[0] {
		if !bytes.Equal(a, files[1][f]) {
			t.Errorf("%s differs between 1 and 2 workers", f)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(files[0][results.PoliciesCSVFile])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "policy,metric,mean,ci_low,ci_high" {
		t.Errorf("policies.csv header %v", rows[0])
	}
	have := map[string]bool{}
	for _, r := range rows[1:] {
		have[r[0]+" "+r[1]] = true
	}
	for _, m := range []string{"precision", "recall", "detection", "oracle_share", "duty_recovered", "detection_estimate_error", "release_p90_h", "drift_retained", "weeks_to_recover"} {
		if !have["adaptive "+m] {
			t.Errorf("policies.csv: no %s for adaptive", m)
		}
	}
	curves, err := csv.NewReader(bytes.NewReader(files[0][results.LearnCSVFile])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(curves[0], ",") != "policy,week,week_start,metric,mean,ci_low,ci_high" {
		t.Errorf("learn.csv header %v", curves[0])
	}
}

// TestLearnSimBadInput: usage errors exit 2 and write nothing.
func TestLearnSimBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no targeting block", []string{"learn", "testdata/small.yaml"}, "no targeting block"},
		{"unknown policy", []string{"learn", "../../scenarios/examples/narcotics-drift.yaml", "--policies", "rules,greedy"}, "greedy"},
		{"one seed", []string{"learn", "../../scenarios/examples/narcotics-drift.yaml", "--seeds", "1"}, "--seeds"},
		{"budget above 1", []string{"learn", "../../scenarios/examples/narcotics-drift.yaml", "--budget", "2"}, "--budget"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := runCmd(context.Background(), append(tc.args, "--out", out, "--quiet")...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 naming %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("output written")
			}
		})
	}
}
