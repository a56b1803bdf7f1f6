package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvaluateTrace evaluates the trace that run --trace writes as a
// before/after pilot (no measure: an A/A pilot) and checks the outputs.
func TestEvaluateTrace(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"run", "testdata/small.yaml", "--reps", "1", "--set", "horizon=29d",
		"--trace", "--quiet", "--out", dir}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr.String())
	}
	trace := filepath.Join(dir, "consignments.csv")
	stdout.Reset()
	out := filepath.Join(dir, "eval")
	code := run(context.Background(), []string{"evaluate", trace, "--design", "before-after", "--switch", "2025-01-20", "--out", out, "--json"},
		nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("evaluate: exit %d: %s", code, stderr.String())
	}
	var res struct {
		Weeks   int `json:"weeks"`
		Figures []struct {
			Figure string   `json:"figure"`
			Effect *float64 `json:"effect"`
		} `json:"figures"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if len(res.Figures) != 13 {
		t.Errorf("%d figures, want 13 (a simulation's trace has detection)", len(res.Figures))
	}
	for _, f := range []string{"evaluate.csv", "evaluate.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestEvaluateBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("arrival_time,lane,release_time_h\n2025-01-06T08:00:00Z,purple,1\n"), 0o644)
	// A row past the 1 MiB bound every CSV reader has: refused at its line,
	// not read whole into memory.
	long := filepath.Join(dir, "long.csv")
	os.WriteFile(long, []byte("arrival_time,lane,release_time_h\n"+strings.Repeat("x", 2<<20)+"\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"evaluate"}, "want one RECORDS.csv"},
		{[]string{"evaluate", bad, "--design", "crossover"}, "want one of before-after"},
		{[]string{"evaluate", bad, "--design", "before-after"}, "want --switch"},
		{[]string{"evaluate", bad, "--design", "random-stratum"}, "want --stratum-column"},
		{[]string{"evaluate", bad, "--design", "cluster", "--switch", "2025-01-20"}, "want --site-column and --treated-sites"},
		{[]string{"evaluate", bad, "--design", "stepped-wedge", "--site-column", "s", "--switch", "2025-01-20"}, "want SITE=DATE"},
		{[]string{"evaluate", bad, "--design", "before-after", "--switch", "20/1/2025"}, "want a date"},
		{[]string{"evaluate", bad, "--design", "before-after", "--switch", "2025-01-20"}, "line 2, column lane"},
		{[]string{"evaluate", filepath.Join(dir, "missing.csv"), "--design", "before-after", "--switch", "2025-01-20"}, "no such file"},
		{[]string{"evaluate", long, "--design", "before-after", "--switch", "2025-01-20"}, "line 2: a row longer than 1048576 bytes"},
		{[]string{"evaluate", dir, "--design", "before-after", "--switch", "2025-01-20"}, "is a folder; want a regular file"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args[1:], code, stderr.String(), tc.want)
		}
	}
}
