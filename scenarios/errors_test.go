package scenarios

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// setsOf returns the --set overrides a test file asks for in comment lines
// "# set: path=value".
func setsOf(data []byte) []string {
	var sets []string
	for _, line := range strings.Split(string(data), "\n") {
		if s, ok := strings.CutPrefix(line, "# set: "); ok {
			sets = append(sets, s)
		}
	}
	return sets
}

// TestErrorsGolden loads each file of testdata/errors (its header comment
// says which mistakes it holds and why) and compares the full error list with
// testdata/errors/NAME.golden. A file with a comment line "# load: rules"
// is loaded as a rules file (ParseRules), as backtest loads one. Run with -update to rewrite the golden files
// after checking the new output by eye.
func TestErrorsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parse := Parse
			if strings.Contains(string(data), "\n# load: rules\n") {
				parse = ParseRules // field and history criteria: backtest's rules files
			}
			_, err = parse(filepath.Base(f), data, setsOf(data))
			if err == nil {
				t.Fatal("loaded without error; every file in testdata/errors holds mistakes")
			}
			var list *ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want *ErrorList: %v", err, err)
			}
			for _, e := range *list {
				if e.File != filepath.Base(f) {
					t.Errorf("error names file %q, want %q", e.File, filepath.Base(f))
				}
				if e.Line == 0 && e.Set == "" && name != "syntax" {
					t.Errorf("error without position: %v", e)
				}
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./scenarios/ -run TestErrorsGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s\n--- got:\n%s--- want:\n%s", golden, got, want)
			}
		})
	}
}
