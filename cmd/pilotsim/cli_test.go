package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelp: every way of asking for help prints to stdout, nothing to
// stderr, and exits 0; the overview lists the commands in the order a user
// meets them, each with an example; a command's help shows its flags.
func TestHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // on stdout
	}{
		{[]string{"-h"}, "commands, in the order you will meet them"},
		{[]string{"--help"}, "commands, in the order you will meet them"},
		{[]string{"help"}, "commands, in the order you will meet them"},
		{[]string{"help", "run"}, "usage: pilotsim run [flags] SCENARIO.yaml"},
		{[]string{"run", "-h"}, "usage: pilotsim run [flags] SCENARIO.yaml"},
		{[]string{"run", "--help"}, "-reps"},
		{[]string{"backtest", "-help"}, "-mapping"},
		{[]string{"help", "validate"}, "e.g.   pilotsim validate scenarios/examples/seaport.yaml"},
		{[]string{"sweep", "scenarios/examples/seaport.yaml", "-h"}, "usage: pilotsim sweep"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errs := runArgs(context.Background(), c.args...)
			if code != exitOK || errs != "" || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant exit 0, no stderr, stdout with %q", code, errs, out, c.want)
			}
		})
	}
	_, out, _ := runArgs(context.Background(), "help")
	last := -1
	for _, name := range []string{"validate", "generate", "run", "compare", "sweep", "batch", "merge", "backtest", "version"} {
		i := strings.Index(out, "\n  "+name+" ")
		if i < 0 || i < last {
			t.Errorf("%q at %d, after the previous command at %d: want the user's order\n%s", name, i, last, out)
		}
		last = i
		if !strings.Contains(out, "e.g. pilotsim "+name) {
			t.Errorf("no example of %s in the overview", name)
		}
	}
	for name := range commands {
		if commandExamples[name] == "" {
			t.Errorf("command %s has no example in commandExamples", name)
		}
	}
	// Asking for help on a command that does not exist is bad input.
	if code, out, errs := runArgs(context.Background(), "help", "nosuch"); code != exitBadInput || out != "" || !strings.Contains(errs, `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// No arguments at all is a usage error: the overview goes to stderr.
	if code, out, errs := runArgs(context.Background()); code != exitBadInput || out != "" || !strings.Contains(errs, "usage: pilotsim") {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestUnknownFlagReportedOnce: an unknown flag is named once on stderr, with
// where to find the flags, not followed by the whole flag list; exit 2.
func TestUnknownFlagReportedOnce(t *testing.T) {
	code, out, errs := runArgs(context.Background(), "run", "--bogus", "x.yaml")
	if code != exitBadInput || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	want := "pilotsim run: flag provided but not defined: -bogus (see 'pilotsim help run')\n"
	if errs != want {
		t.Errorf("stderr:\n%s\nwant exactly:\n%s", errs, want)
	}
}

// TestDoubleDashEndsFlags: after "--" an argument that looks like a flag is
// a file name (here a scenario file called -odd.yaml); before it, flags are
// flags wherever they stand.
func TestDoubleDashEndsFlags(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/examples/seaport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "-odd.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, out, errs := runArgs(context.Background(), "validate", "--set", "selectivity.red=50", "--", "-odd.yaml")
	if code != exitOK || out != "ok: seaport (13 rules, 5 threats)\n" {
		t.Errorf("validate -- -odd.yaml: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// Without "--" the name is read as a flag.
	if code, _, errs := runArgs(context.Background(), "validate", "-odd.yaml"); code != exitBadInput || !strings.Contains(errs, "flag provided but not defined: -odd.yaml") {
		t.Errorf("validate -odd.yaml: exit %d, stderr %q; want the unknown flag", code, errs)
	}
	// A flag after "--" is an argument too: two files, the second missing.
	if code, _, errs := runArgs(context.Background(), "validate", "--", "-odd.yaml", "--max=3"); code != exitBadInput || !strings.Contains(errs, "--max=3") {
		t.Errorf("validate -- -odd.yaml --max=3: exit %d, stderr %q; want --max=3 taken as a file", code, errs)
	}
}

// TestEmptySetRefused: an empty --set value is refused on every command that
// reads a scenario, naming the path; exit 2.
func TestEmptySetRefused(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "--set", "selectivity.red=", "../../scenarios/examples/seaport.yaml"},
		{"run", "--set", "selectivity.red=", "--out", t.TempDir(), "../../scenarios/examples/seaport.yaml"},
	} {
		code, _, errs := runArgs(context.Background(), args...)
		if code != exitBadInput || !strings.Contains(errs, "--set selectivity.red: the value is empty") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestVersionFlag: --version and the version command print the same line,
// never "dev".
func TestVersionFlag(t *testing.T) {
	_, a, _ := runArgs(context.Background(), "--version")
	_, b, _ := runArgs(context.Background(), "version")
	if a != b || !strings.HasPrefix(a, "pilotsim ") || strings.Contains(a, " dev\n") {
		t.Errorf("--version %q, version %q", a, b)
	}
	old := version
	version = "v1.2.3"
	defer func() { version = old }()
	if _, out, _ := runArgs(context.Background(), "--version"); out != "pilotsim v1.2.3\n" {
		t.Errorf("with -X main.version=v1.2.3: %q", out)
	}
}

// TestSchemaCommand: pilotsim schema prints the schema shipped as
// docs/scenario.schema.json, byte for byte, and --out writes the same.
func TestSchemaCommand(t *testing.T) {
	want, err := os.ReadFile("../../docs/scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runArgs(context.Background(), "schema")
	if code != exitOK || out != string(want) {
		t.Errorf("schema: exit %d, stderr %q, output differs from docs/scenario.schema.json (%d vs %d bytes)", code, errs, len(out), len(want))
	}
	p := filepath.Join(t.TempDir(), "s.json")
	if code, _, errs := runArgs(context.Background(), "schema", "--out", p); code != exitOK {
		t.Fatalf("schema --out: exit %d: %s", code, errs)
	}
	if got, _ := os.ReadFile(p); string(got) != string(want) {
		t.Error("schema --out wrote something else")
	}
}

// TestJSONOnEveryCommand: every command that produces results takes --json
// and prints one JSON object on stdout with a schema_version; nothing else
// goes to stdout. (schema prints a JSON Schema document, which is JSON by
// itself.)
func TestJSONOnEveryCommand(t *testing.T) {
	tmp := t.TempDir()
	shards := filepath.Join(tmp, "shards")
	list := batchList(t)
	mustRun(t, "batch", list, "--shard", "0/1", "--reps", "2", "--out", shards, "--quiet")
	traced := filepath.Join(tmp, "traced")
	mustRun(t, "run", "testdata/small.yaml", "--reps", "2", "--trace", "--quiet", "--out", traced)
	trace := filepath.Join(traced, traceFile)
	long := filepath.Join(tmp, "long")
	mustRun(t, "run", "testdata/small.yaml", "--reps", "1", "--set", "horizon=22d", "--trace", "--quiet", "--out", long)
	pilotTrace := filepath.Join(long, traceFile)
	cases := [][]string{
		{"version", "--json"},
		{"validate", "--json", smallScenario},
		{"generate", "--json", smallScenario, "--count", "50", "--out", filepath.Join(tmp, "g.csv")},
		{"run", "--json", smallScenario, "--reps", "2", "--quiet", "--out", filepath.Join(tmp, "run")},
		{"compare", "--json", smallScenario, smallVariant, "--reps", "2", "--quiet", "--out", filepath.Join(tmp, "cmp")},
		{"sweep", "--json", smallScenario, "--param", "selectivity.red", "--values", "50,70", "--reps", "2", "--quiet", "--out", filepath.Join(tmp, "sw")},
		{"batch", "--json", list, "--reps", "2", "--quiet", "--out", filepath.Join(tmp, "batch")},
		{"batch", "--json", list, "--shard", "0/1", "--reps", "2", "--quiet", "--out", shards},
		{"merge", "--json", shards, "--out", filepath.Join(tmp, "merged")},
		{"backtest", "--json", "--rules", kcsRules, "--mapping", kcsMapping, "../../testdata/kcs-synthetic/df_syn_valid_eng.csv.gz"},
		{"learn", "--json", "--replay", "../../testdata/kcs-synthetic/df_syn_valid_eng.csv.gz", "--rules", kcsRules, "--mapping", kcsMapping,
			"--history", "../../testdata/kcs-synthetic/df_syn_train_eng.csv.gz", "--policy", "learned+random", "--seeds", "2", "--quiet"},
		{"trs", "--json", trace, "--out", filepath.Join(tmp, "trs"), "--bootstrap", "20"},
		{"calibrate", "--json", trace, "--base", "testdata/small.yaml", "--out", filepath.Join(tmp, "fit.yaml"), "--no-check"},
		{"plan", "--json", smallScenario, smallScenario, "--pilots", "2", "--max-weeks", "2", "--weeks", "2", "--pre-weeks", "4", "--sites", "4", "--quiet", "--out", filepath.Join(tmp, "plan")},
		{"evaluate", "--json", pilotTrace, "--design", "before-after", "--switch", "2025-01-13"},
		{"learn", "--json", "../../scenarios/examples/narcotics-drift.yaml", "--seeds", "2", "--set", "horizon=14d", "--set", "traffic.sea.rate=30",
			"--policies", "rules,learned", "--quiet", "--out", filepath.Join(tmp, "learn")},
	}
	seen := map[string]bool{}
	for _, args := range cases {
		seen[args[0]] = true
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			code, out, errs := runArgs(context.Background(), args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%.300s", err, out)
			}
			if sv, ok := v["schema_version"].(float64); !ok || sv < 1 {
				t.Errorf("schema_version %v", v["schema_version"])
			}
		})
	}
	for name := range commands {
		if !seen[name] && name != "schema" {
			t.Errorf("command %s has no --json case here", name)
		}
	}
}
