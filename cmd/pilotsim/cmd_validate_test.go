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
	"testing"
)

const (
	exampleCSV = "../../scenarios/examples/declarations.csv"
	faultyCSV  = "../../datamodel/testdata/faulty.csv" // 20 rows, 10 bad (11 problems)
)

func runArgs(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateCleanFile(t *testing.T) {
	code, out, errs := runArgs(context.Background(), "validate", exampleCSV)
	if code != exitOK || out != "ok: "+exampleCSV+" (48 rows)\n" || errs != "" {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
}

// The faulty file has one fault in each of 10 rows (two in one): every one is
// printed with file, line and byte column, then the summary.
func TestValidateFaultyFile(t *testing.T) {
	code, out, errs := runArgs(context.Background(), "validate", faultyCSV)
	if code != exitBadInput || out != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing on stdout", code, out)
	}
	want := []string{
		faultyCSV + `:3:413: container_numbers: item 3 "NVLU8174130" has check digit 0 (ISO 6346 gives 9)`,
		faultyCSV + `:5:291: hs_code: "771100" is in chapter 77, which is not in use`,
		faultyCSV + `:7:332: gross_weight_kg: "-5" is negative`,
		faultyCSV + `:7:348: country_of_origin: "XX" is not an ISO 3166-1 alpha-2 country code`,
		faultyCSV + `:9:348: place_of_loading: "CNSH" has 4 characters, not 5`,
		faultyCSV + `:10:470: lodgement_time: "2025-03-05 10:00" is not an RFC 3339 time`,
		faultyCSV + `:12:1: ucr: "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" has 40 characters, more than 35`,
		faultyCSV + `:13:384: currency: "EURO" is not an ISO 4217 currency code`,
		faultyCSV + `:15:392: transport_mode: "ship" is not a transport mode`,
		faultyCSV + `:17:354: countries_of_routing: item 2 "" is empty`,
		faultyCSV + `:19:513: control: "none" says no control was performed, yet irregular is yes`,
		"pilotsim validate: " + faultyCSV + ": 10 of 20 rows bad, 11 problems",
	}
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), errs)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d:\n got %s\nwant %s…", i+1, lines[i], want[i])
		}
		if i < len(want)-1 && !strings.Contains(lines[i], " (want ") {
			t.Errorf("line %d does not say what was expected: %s", i+1, lines[i])
		}
	}
}

func TestValidateLimit(t *testing.T) {
	code, _, errs := runArgs(context.Background(), "validate", "-max", "3", faultyCSV)
	if code != exitBadInput {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(errs, faultyCSV+":"); n != 5 { // 3 problems, the "not shown" line, the summary
		t.Errorf("%d lines name the file, want 5:\n%s", n, errs)
	}
	if !strings.Contains(errs, "8 more problems not shown") || !strings.Contains(errs, "10 of 20 rows bad, 11 problems") {
		t.Errorf("the limit hides the count:\n%s", errs)
	}
}

// A file with more bad rows than the limit: all are counted, 100 printed.
func TestValidateCountsBeyondLimit(t *testing.T) {
	data, err := os.ReadFile(exampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	head, rows, _ := strings.Cut(string(data), "\n")
	var b strings.Builder
	b.WriteString(head + "\n")
	for range 5 {
		b.WriteString(strings.ReplaceAll(rows, ",EUR,", ",EURO,")) // every EUR row bad
		b.WriteString(rows)
	}
	bad := strings.Count(rows, ",EUR,") * 5
	path := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runArgs(context.Background(), "validate", path)
	if code != exitBadInput || bad <= 100 {
		t.Fatalf("exit %d, %d bad rows", code, bad)
	}
	if n := strings.Count(errs, "is not an ISO 4217"); n != 100 {
		t.Errorf("%d problems printed, want 100", n)
	}
	summary := fmt.Sprintf("%d of 480 rows bad, %d problems", bad, bad)
	if !strings.Contains(errs, summary) || !strings.Contains(errs, fmt.Sprintf("%d more problems not shown", bad-100)) {
		t.Errorf("want %q in:\n%s", summary, errs[max(0, len(errs)-300):])
	}
}

func TestValidateBadInput(t *testing.T) {
	dir := t.TempDir()
	noHeader := filepath.Join(dir, "noheader.csv")
	if err := os.WriteFile(noHeader, []byte("ucr,hs_code\nA,080390\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		why    string
		args   []string
		stderr string
	}{
		{"no file", []string{"validate"}, "want a file to check"},
		{"neither csv nor yaml", []string{"validate", "notes.txt"}, "notes.txt: validate expects a .csv (or .csv.gz) declarations file or a .yaml scenario"},
		{"missing scenario", []string{"validate", "scenario.yaml"}, "no such file"},
		{"missing file", []string{"validate", filepath.Join(dir, "nope.csv")}, "no such file"},
		{"header lacks columns", []string{"validate", noHeader}, noHeader + ":1: header: missing required column(s) consignor_name"},
		{"unknown flag", []string{"validate", "-strict", exampleCSV}, "flag provided but not defined"},
		{"one good, one bad file", []string{"validate", exampleCSV, faultyCSV}, "1 of 2 files have problems: " + faultyCSV},
	} {
		code, _, errs := runArgs(context.Background(), tc.args...)
		if code != exitBadInput || !strings.Contains(errs, tc.stderr) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant 2 and %q", tc.why, code, errs, tc.stderr)
		}
	}
}

func TestValidateInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code, _, _ := runArgs(ctx, "validate", exampleCSV); code != exitInterrupted {
		t.Errorf("exit %d after cancel, want %d", code, exitInterrupted)
	}
}

// validate --mapping reads a national layout as backtest does, gzipped or
// not: the Korean test file is clean; a bad date, a tax rate that is not a
// number (a column no rule tests) and a Fraud value the mapping does not
// accept as an outcome are each reported with line, column and value, every
// bad row counted; a gzipped datamodel file is checked like a plain one.
func TestValidateThroughMapping(t *testing.T) {
	const kcsTest = "../../testdata/kcs-synthetic/df_syn_test_eng.csv.gz"
	code, out, errs := runArgs(context.Background(), "validate", "--mapping", kcsMapping, kcsTest)
	if code != exitOK || out != "ok: "+kcsTest+" (8481 rows, mapping kcs-synthetic)\n" || errs != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	bad := writeFile(t, "bad.csv", kcsHead+
		kcsRow("1", "2021-01-01", "420231", "IT", "IT", "1")+
		kcsRow("2", "2021/01/02", "420231", "IT", "IT", "1")+
		strings.Replace(kcsRow("3", "2021-01-02", "610910", "CN", "CN", "0"), ",8.0,", ",8%,", 1)+
		kcsRow("4", "2021-01-02", "610910", "CN", "CN", "0"))
	code, out, errs = runArgs(context.Background(), "validate", "--mapping", kcsMapping, bad)
	if code != exitBadInput || out != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing on stdout", code, out)
	}
	for _, want := range []string{
		bad + `:3: column "Date": "2021/01/02": expected a date like 2006-01-02`,
		bad + `:4: column "Tax Rate": "8%": expected a number`,
		"pilotsim validate: " + bad + ": 2 of 4 rows bad (mapping kcs-synthetic)",
	} {
		if !strings.Contains(errs, want+"\n") {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	src, err := os.ReadFile(exampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(src)
	zw.Close()
	p := writeFile(t, "decl.csv.gz", gz.String())
	code, out, errs = runArgs(context.Background(), "validate", p)
	if code != exitOK || out != "ok: "+p+" (48 rows)\n" || errs != "" {
		t.Errorf("gzipped datamodel file: exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	trunc := writeFile(t, "cut.csv.gz", gz.String()[:gz.Len()/2])
	if code, _, errs = runArgs(context.Background(), "validate", trunc); code != exitBadInput || !strings.Contains(errs, "truncated or corrupt gzip") {
		t.Errorf("truncated gzip: exit %d, stderr %q; want 2 and 'truncated or corrupt gzip'", code, errs)
	}
}

// validate --json prints one JSON document on stdout with every file, ok or
// not, and each problem with its line, column and field; the exit code is
// still 2 when a file has problems.
func TestValidateJSON(t *testing.T) {
	code, out, _ := runArgs(context.Background(), "validate", "--json", "--max", "2", "../../scenarios/examples/seaport.yaml", faultyCSV)
	if code != exitBadInput {
		t.Errorf("exit %d, want 2", code)
	}
	var got validateJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if got.SchemaVersion != validateSchemaVersion || got.OK || len(got.Files) != 2 {
		t.Fatalf("got %+v", got)
	}
	sc, csvf := got.Files[0], got.Files[1]
	if !sc.OK || sc.Kind != "scenario" || sc.Name != "seaport" || sc.Rules != 13 {
		t.Errorf("scenario: %+v", sc)
	}
	if csvf.OK || csvf.Kind != "declarations" || csvf.Rows != 20 || csvf.BadRows != 10 || csvf.ProblemCount != 11 || len(csvf.Problems) != 2 {
		t.Errorf("faulty.csv: %+v", csvf)
	}
	if p := csvf.Problems[0]; p.Line != 3 || p.Column != 413 || p.Field != "container_numbers" || p.Value != "NVLU8174130" {
		t.Errorf("first problem %+v, want line 3, column 413, container_numbers, NVLU8174130", p)
	}
	code, out, _ = runArgs(context.Background(), "validate", "--json", "--set", "selectivity.red=abc", "../../scenarios/examples/seaport.yaml")
	if code != exitBadInput || !strings.Contains(out, `"set": "selectivity.red"`) || !strings.Contains(out, `"message": "want a number, got \"abc\""`) {
		t.Errorf("bad --set: exit %d\n%s", code, out)
	}
}
