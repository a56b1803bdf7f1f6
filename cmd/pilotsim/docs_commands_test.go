package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
