package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	out := filepath.Join(t.TempDir(), "trs") // not inside the run's folder: another study
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
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "arrival,release\n2025-01-01T00:00:00Z,2025-01-01T02:00:00Z\n2025-01-01T00:00:00Z,soon\n")
	good := write("good.csv", "arrival,release\n2025-01-01T00:00:00Z,2025-01-01T02:00:00Z\n")
	badMap := write("map.yaml", "columns:\n  arival: ATA\n")
	headerOnly := write("header.csv", "id,arrival,release\n")
	repeated := write("repeated.csv", "id,arrival\nD1,2025-01-01T00:00:00Z\nD1,2025-01-01T00:00:00Z\n")
	shifted := write("shifted.csv", "id,office,arrival\nD1,Port, North,2025-01-01T00:00:00Z\n")
	// A gzip bomb: 300 bytes that unpack to a 64 MB line.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("id,arrival\n"))
	zw.Write(bytes.Repeat([]byte("A"), 64<<20))
	zw.Close()
	bomb := write("bomb.csv.gz", gz.String())
	notGzip := write("plain.csv.gz", "id,arrival\n")
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.csv")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	codeMap := write("codes.yaml", "codes:\n  channel: {R: rouge}\n")
	many := write("many.csv", "id,arrival,channel\nA,2025-01-01T00:00:00Z,green\nB,soon,green\nC,2025-01-01T00:00:00Z,purple\nA,2025-01-01T00:00:00Z,red\nD,2025-01-01T00:00:00Z\n"+
		strings.Repeat("E,later,red\n", 30))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad time", []string{"trs", bad, "--out", dir}, "bad.csv: line 3, col 2: column release: \"soon\" is not a time"},
		{"missing file", []string{"trs", filepath.Join(dir, "none.csv")}, "no such file"},
		{"bad mapping field", []string{"trs", bad, "--mapping", badMap}, "line 2: columns: unknown field \"arival\""},
		{"bad mapping code", []string{"trs", good, "--mapping", codeMap}, "line 2: codes.channel: \"R\" translates to \"rouge\""},
		{"bad max-interval", []string{"trs", bad, "--max-interval", "-1h"}, "--max-interval"},
		{"no records", []string{"trs", headerOnly, "--out", filepath.Join(dir, "o1")}, "header.csv: no records after the header line"},
		{"repeated id", []string{"trs", repeated, "--out", filepath.Join(dir, "o2")}, "repeated.csv: line 3, col 1: column id: \"D1\" repeats the id on line 2"},
		{"unquoted delimiter", []string{"trs", shifted, "--out", filepath.Join(dir, "o3")}, "shifted.csv: line 2: has 4 fields (want 3 fields"},
		{"gzip bomb", []string{"trs", bomb, "--out", filepath.Join(dir, "o4")}, "bomb.csv.gz: line 2: a row longer than 1048576 bytes"},
		{"not gzip", []string{"trs", notGzip, "--out", filepath.Join(dir, "o5")}, "plain.csv.gz"},
		{"named pipe", []string{"trs", fifo, "--out", filepath.Join(dir, "o6")}, "named pipe"},
		{"symlink to /dev/zero", []string{"trs", zero, "--out", filepath.Join(dir, "o7")}, "character device"},
		{"a folder", []string{"trs", dir, "--out", filepath.Join(dir, "o8")}, "folder"},
		{"calibrate: repeated id", []string{"calibrate", repeated, "--base", "testdata/small.yaml", "--out", filepath.Join(dir, "fit.yaml")}, "repeated.csv: line 3, col 1: column id"},
		{"every bad row", []string{"trs", many, "--out", filepath.Join(dir, "o9")}, "many.csv: 34 bad rows:\n" +
			"  line 3, col 2: column arrival: \"soon\" is not a time (want an RFC 3339 time such as 2025-03-14T09:30:00Z (or 2025-03-14 09:30:00))\n" +
			"  line 4, col 3: column channel: \"purple\" is not a channel (want green, blue, yellow or red (a mapping's codes translate national codes))\n" +
			"  line 5, col 1: column id: \"A\" repeats the id on line 2"},
		{"every bad row, counted past 20", []string{"trs", many, "--out", filepath.Join(dir, "o9")}, "  line 6: has 2 fields (want 3 fields"},
		{"every bad row, the rest", []string{"trs", many, "--out", filepath.Join(dir, "o9")}, "  line 22, col 2: column arrival: \"later\" is not a time (want an RFC 3339 time such as 2025-03-14T09:30:00Z (or 2025-03-14 09:30:00))\n  … and 14 more"},
		{"calibrate: negative workers", []string{"calibrate", good, "--base", "testdata/small.yaml", "--workers", "-5", "--out", filepath.Join(dir, "fit.yaml")}, "--workers -5: want 0 (all CPUs) or more"},
		{"calibrate: no records", []string{"calibrate", headerOnly, "--base", "testdata/small.yaml", "--out", filepath.Join(dir, "fit.yaml")}, "no records after the header line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(context.Background(), tc.args...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stderr, "line 2: line 2") {
				t.Errorf("position given twice: %q", stderr)
			}
		})
	}
	for _, o := range []string{"o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "fit.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, o)); err == nil {
			t.Errorf("%s written for refused input", o)
		}
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

// TestTRSManifestHash: trs hashes the records file as it reads it; the
// manifest's hash is the whole file's (results.HashFile), for a plain file
// and a gzipped one.
func TestTRSManifestHash(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,arrival,release,channel\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "C%d,2025-01-06T%02d:%02d:00Z,2025-01-06T%02d:%02d:30Z,green\n", i, i/60%24, i%60, i/60%24, i%60)
	}
	plain := filepath.Join(dir, "ev.csv")
	if err := os.WriteFile(plain, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(b.String()))
	zw.Close()
	packed := filepath.Join(dir, "ev.csv.gz")
	if err := os.WriteFile(packed, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{plain, packed} {
		out := filepath.Join(dir, "out-"+filepath.Base(name))
		if code, _, stderr := runCmd(context.Background(), "trs", name, "--out", out, "--bootstrap", "20"); code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		man, err := results.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := results.HashFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(man.Inputs) != 1 || man.Inputs[0].SHA256 != want {
			t.Errorf("%s: manifest inputs %+v, want sha256 %s", name, man.Inputs, want)
		}
	}
}
