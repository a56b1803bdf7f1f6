package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPlanWritesOneRowPerDesignAndFigure runs a tiny plan (3 pilots of the
// small test scenario against itself with more servers) and checks plan.csv:
// one row per design × key figure with a design column, and an identical
// measure predicting no effect on the inspection rate.
func TestPlanWritesOneRowPerDesignAndFigure(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"plan", "testdata/small.yaml", "testdata/small.yaml",
		"--pilots", "3", "--max-weeks", "3", "--weeks", "2", "--pre-weeks", "4", "--sites", "4", "--quiet", "--out", dir},
		nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(filepath.Join(dir, "plan.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 1+4*13; got != want {
		t.Fatalf("plan.csv has %d lines, want %d", got, want)
	}
	if recs[0][0] != "design" {
		t.Errorf("first column %q, want design", recs[0][0])
	}
	for _, r := range recs[1:] {
		if r[1] == "inspection_rate" && r[4] != "0" {
			t.Errorf("%s: A/A plan predicts inspection-rate effect %s, want 0", r[0], r[4])
		}
	}
	if !strings.Contains(stdout.String(), "stepped-wedge") {
		t.Errorf("table lacks the stepped wedge:\n%s", stdout.String())
	}
	for _, f := range []string{"plan.json", "report.html", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestPlanBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"plan", "testdata/small.yaml"},
		{"plan", "testdata/small.yaml", "testdata/small.yaml", "--weeks", "30", "--max-weeks", "26"},
		{"plan", "testdata/small.yaml", "testdata/bad.yaml"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, nil, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
}

// TestPlanSameForAnyWorkers: plan.csv and plan.json are byte-identical on 1
// and 3 workers (pilots finish in another order; sums run in pilot order).
func TestPlanSameForAnyWorkers(t *testing.T) {
	var got [2][2][]byte
	for i, w := range []string{"1", "3"} {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"plan", "testdata/small.yaml", "testdata/small.yaml", "--set", "resources.pools[physical].servers=2",
			"--pilots", "5", "--max-weeks", "2", "--weeks", "2", "--pre-weeks", "4", "--sites", "4", "--workers", w, "--quiet", "--out", dir},
			nil, &stdout, &stderr)
		if code != 0 {
			t.Fatalf("workers %s: exit %d: %s", w, code, stderr.String())
		}
		for k, f := range []string{"plan.csv", "plan.json"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			got[i][k] = b
		}
	}
	for k, f := range []string{"plan.csv", "plan.json"} {
		if !bytes.Equal(got[0][k], got[1][k]) {
			t.Errorf("%s differs between 1 and 3 workers", f)
		}
	}
}

// TestPlanShards: a plan run as 3 shards and merged writes the same
// plan.csv and plan.json, byte for byte, as one unsharded run; a merge
// refuses shards of another plan and a missing shard.
func TestPlanShards(t *testing.T) {
	args := []string{"plan", "testdata/small.yaml", "testdata/small.yaml", "--set", "resources.pools[physical].servers=2",
		"--pilots", "5", "--max-weeks", "2", "--weeks", "2", "--pre-weeks", "4", "--sites", "4", "--quiet"}
	exec := func(extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(slices.Clone(args), extra...), nil, &stdout, &stderr)
		return code, stderr.String()
	}
	whole, shards, merged := t.TempDir(), t.TempDir(), t.TempDir()
	if code, msg := exec("--out", whole); code != 0 {
		t.Fatalf("unsharded: exit %d: %s", code, msg)
	}
	for i := range 3 {
		if code, msg := exec("--shard", fmt.Sprintf("%d/3", i), "--out", shards); code != 0 {
			t.Fatalf("shard %d/3: exit %d: %s", i, code, msg)
		}
	}
	if code, msg := exec("--merge", shards, "--out", merged); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, msg)
	}
	for _, f := range []string{"plan.csv", "plan.json"} {
		a, _ := os.ReadFile(filepath.Join(whole, f))
		b, _ := os.ReadFile(filepath.Join(merged, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged shards differ from the unsharded plan", f)
		}
	}
	// Another plan (another --weeks) refuses these shards.
	var stdout, stderr bytes.Buffer
	other := append(slices.Clone(args), "--merge", shards, "--out", t.TempDir())
	other[slices.Index(other, "--weeks")+1] = "1"
	if code := run(context.Background(), other, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "another plan") {
		t.Errorf("merge with other flags: exit %d, %q; want 2 and 'another plan'", code, stderr.String())
	}
	os.Remove(filepath.Join(shards, "plan-shard-0001-of-0003.bin"))
	if code, msg := exec("--merge", shards, "--out", t.TempDir()); code != 2 || !strings.Contains(msg, "shard 1/3 is missing") {
		t.Errorf("merge without shard 1: exit %d, %q; want 2 and 'shard 1/3 is missing'", code, msg)
	}
}
