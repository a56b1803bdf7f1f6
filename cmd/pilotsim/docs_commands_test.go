package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pilotsim/results"
	"pilotsim/scenarios"
)

// docCommands returns the pilotsim command lines of a Markdown file's indented
// or fenced code blocks, with backslash continuations joined, split at spaces.
func docCommands(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimPrefix(strings.TrimSpace(lines[i]), "$ ")
		if !strings.HasPrefix(l, "pilotsim ") {
			continue
		}
		for strings.HasSuffix(l, `\`) && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(l, `\`) + " " + strings.TrimSpace(lines[i])
		}
		cmds = append(cmds, strings.Fields(l))
	}
	return cmds
}

// TestBacktestKoreaDocRunsAsWritten runs every pilotsim command of
// docs/backtest-korea.md from the repository's root, as a reader would, and
// checks the test-file run prints what docs/backtest-korea/test-score.txt
// holds: the doc's paths are inside the repository and its figures are the
// program's.
func TestBacktestKoreaDocRunsAsWritten(t *testing.T) {
	t.Chdir("../..")
	cmds := docCommands(t, "docs/backtest-korea.md")
	if len(cmds) < 2 {
		t.Fatalf("found %d pilotsim commands in docs/backtest-korea.md, want the validation and the test run", len(cmds))
	}
	want, err := os.ReadFile(filepath.Join("docs", "backtest-korea", "test-score.txt"))
	if err != nil {
		t.Fatal(err)
	}
	matched := false
	for _, c := range cmds {
		t.Run(strings.Join(c[1:], " "), func(t *testing.T) {
			code, stdout, stderr := backtestRun(t, c[1:]...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.Contains(strings.Join(c, " "), "df_syn_test_eng") && !strings.Contains(strings.Join(c, " "), "--frozen-history") {
				matched = true
				if stdout != string(want) {
					t.Errorf("output differs from docs/backtest-korea/test-score.txt:\n%s", stdout)
				}
			}
		})
	}
	if !matched {
		t.Error("no command scores the test file")
	}
}

// fencedBlocks returns the contents of a Markdown file's ``` blocks of one
// language, in order.
func fencedBlocks(t *testing.T, path, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	rest := string(b)
	for {
		i := strings.Index(rest, "```"+lang+"\n")
		if i < 0 {
			return blocks
		}
		rest = rest[i+len("```"+lang+"\n"):]
		j := strings.Index(rest, "```")
		if j < 0 {
			t.Fatalf("%s: unclosed ``` block", path)
		}
		blocks = append(blocks, rest[:j])
		rest = rest[j:]
	}
}

// TestMappingDocWorkedExample reads docs/mapping.md's worked national layout
// (its CSV, its mapping and its rules) as a user would copy them, checks the
// file validates with the line the page prints, and backtests it: the page's
// example cannot rot.
func TestMappingDocWorkedExample(t *testing.T) {
	const doc = "../../docs/mapping.md"
	csvs, yamls := fencedBlocks(t, doc, "csv"), fencedBlocks(t, doc, "yaml")
	if len(csvs) != 1 || len(yamls) != 2 {
		t.Fatalf("%s: %d csv and %d yaml blocks, want 1 and 2 (the file, the mapping, the rules)", doc, len(csvs), len(yamls))
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for name, content := range map[string]string{"national.csv": csvs[0], "national.yaml": yamls[0], "rules.yaml": yamls[1]} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := runArgs(t.Context(), "validate", "--mapping", "national.yaml", "national.csv")
	if want := "ok: national.csv (5 rows, mapping national-2023)\n"; code != exitOK || out != want {
		t.Fatalf("validate: exit %d, stdout %q, stderr %q; want %q as the page prints", code, out, errs, want)
	}
	code, out, errs = runArgs(t.Context(), "backtest", "--rules", "rules.yaml", "--mapping", "national.yaml", "--json", "national.csv")
	if code != exitOK {
		t.Fatalf("backtest: exit %d: %s", code, errs)
	}
	// Two irregular declarations (D-0001, D-0004), 1,350 recovered, two never
	// controlled (empty RESULT: unknown: regular).
	for _, want := range []string{`"irregular": 2,`, `"revenue": 1350,`, `"unknown_outcome": 2,`} {
		if !strings.Contains(out, want) {
			t.Errorf("backtest --json lacks %s:\n%s", want, out)
		}
	}
}

// TestOutputsDocNamesEveryColumn: docs/outputs.md names every column of the
// trace (stage columns as stageK_…), of generate's file and of the long
// table, and every file a run writes, so a new column cannot go
// undocumented.
func TestOutputsDocNamesEveryColumn(t *testing.T) {
	b, err := os.ReadFile("../../docs/outputs.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	sc, err := scenarios.Load("../../scenarios/examples/nii-pilot.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	stage := regexp.MustCompile(`^stage[0-9]+_`)
	var cols []string
	cols = append(cols, results.TraceHeader(traceNames(sc))...)
	cols = append(cols, generateExtra...)
	cols = append(cols, (&results.LongTable{}).LongHeader()...)
	cols = append(cols, results.SummaryFile, results.AggregateFile, results.AggregateJSONFile, results.LongFile, results.XLSXFile,
		results.ReportHTMLFile, results.ReportMDFile, results.LongParquetFile, traceFile, traceFileNames["csv.gz"], traceFileNames["parquet"], results.CompareCSVFile, results.CompareJSONFile,
		results.SweepCSVFile, results.SweepJSONFile, results.BatchManifestFile, results.ManifestFile, results.SheetSummary, results.SheetLong)
	for _, c := range cols {
		c = stage.ReplaceAllString(c, "stageK_")
		if !strings.Contains(doc, "`"+c+"`") {
			t.Errorf("docs/outputs.md does not name `%s`", c)
		}
	}
}
