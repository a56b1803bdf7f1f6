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

// TestTRSOfTrace: the trace that run --trace writes is read as event
// records with no mapping; the study counts every consignment and its
// channels agree with the trace's lanes.
func TestTRSOfTrace(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--out", dir, "--quiet", "--trace", "--reps", "2")
	if code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	trace := filepath.Join(dir, "consignments.csv")
	lines := strings.Count(string(readFile(t, trace)), "\n") - 1
	lanes := map[string]int{}
	for _, row := range strings.Split(string(readFile(t, trace)), "\n")[1:] {
		for _, lane := range []string{",green,", ",yellow,", ",red,", ",blue,"} {
			if strings.Contains(row, lane) {
				lanes[strings.Trim(lane, ",")]++
				break
			}
		}
	}
	out := filepath.Join(dir, "trs")
	code, stdout, stderr := runCmd(context.Background(), "trs", trace, "--out", out, "--json", "--bootstrap", "50")
	if code != exitOK {
		t.Fatalf("trs: exit %d: %s", code, stderr)
	}
	var doc struct {
		Records  int64 `json:"records"`
		Samples  int   `json:"samples"`
		Segments []struct {
			By      string `json:"by"`
			Segment string `json:"segment"`
			Records int    `json:"records"`
		} `json:"segments"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Records != int64(lines) || doc.Samples != 2 {
		t.Errorf("records %d samples %d, want %d and 2", doc.Records, doc.Samples, lines)
	}
	for _, s := range doc.Segments {
		if s.By == "channel" && lanes[s.Segment] != s.Records {
			t.Errorf("channel %s: %d records, the trace has %d", s.Segment, s.Records, lanes[s.Segment])
		}
	}
	for _, f := range []string{results.ReportHTMLFile, results.TRSStatsFile, results.TRSJSONFile, results.ManifestFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestTRSBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("arrival,release\n2025-01-01T00:00:00Z,2025-01-01T02:00:00Z\n2025-01-01T00:00:00Z,soon\n"), 0o644)
	badMap := filepath.Join(dir, "map.yaml")
	os.WriteFile(badMap, []byte("columns:\n  arival: ATA\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad time", []string{"trs", bad, "--out", dir}, "bad.csv: line 3: column release: \"soon\" is not a time"},
		{"missing file", []string{"trs", filepath.Join(dir, "none.csv")}, "no such file"},
		{"bad mapping field", []string{"trs", bad, "--mapping", badMap}, "line 2: columns: unknown field \"arival\""},
		{"bad max-interval", []string{"trs", bad, "--max-interval", "-1h"}, "--max-interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(context.Background(), tc.args...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// TestRunRoutesTable: a scenario whose rule routes what it selects prints
// the controls by route, the rule's route among them.
func TestRunRoutesTable(t *testing.T) {
	src, err := os.ReadFile("testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), `score: 60, when: {origin: [CO], hs: ["08"]}}`,
		`score: 60, when: {origin: [CO], hs: ["08"]}, route: [document]}`, 1)
	if s == string(src) {
		t.Fatal("testdata/small.yaml no longer has rule R1 as this test expects")
	}
	path := filepath.Join(t.TempDir(), "routed.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(context.Background(), "run", path, "--out", t.TempDir(), "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	i := strings.Index(stdout, "Controls by route")
	if i < 0 {
		t.Fatalf("no controls by route in:\n%s", stdout)
	}
	block := stdout[i:]
	block = block[:strings.Index(block, "\n\n")]
	for _, want := range []string{"document", "nii+physical", "share", "hit rate", "detection"} {
		if !strings.Contains(block, want) {
			t.Errorf("controls by route lack %q:\n%s", want, block)
		}
	}
}
