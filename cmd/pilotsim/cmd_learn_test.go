package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// learnKCSArgs is a small Korean replay: two policies, two seeds.
func learnKCSArgs(out string, workers string) []string {
	return []string{"learn", "--replay", "../../testdata/kcs-synthetic/df_syn_test_eng.csv.gz", "--mapping", kcsMapping, "--rules", kcsRules,
		"--history", "../../testdata/kcs-synthetic/df_syn_train_eng.csv.gz", "--history", "../../testdata/kcs-synthetic/df_syn_valid_eng.csv.gz",
		"--policy", "rules", "--policy", "learned+random", "--seeds", "2", "--workers", workers, "--quiet", "--out", out}
}

// TestLearnReplayKCS runs the Korean replay from the command line: the
// summary names the new goods tuples, the files are written, and they are
// byte-identical for 1 and 2 workers.
func TestLearnReplayKCS(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the Korean quarter")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	code, stdout, stderr := backtestRun(t, learnKCSArgs(a, "1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1288 with a new goods tuple, 21.2% fraud") || !strings.Contains(stdout, "learned+random") {
		t.Errorf("summary:\n%s", stdout)
	}
	if code, _, stderr := backtestRun(t, learnKCSArgs(b, "2")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"policies.csv", "learn.csv", "report.html", "manifest.json"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "manifest.json" {
			continue
		}
		y, _ := os.ReadFile(filepath.Join(b, f))
		if string(x) != string(y) {
			t.Errorf("%s differs between 1 and 2 workers", f)
		}
		if f == "policies.csv" && !strings.HasPrefix(string(x), "policy,metric,mean,ci_low,ci_high\n") {
			t.Errorf("policies.csv header: %q", strings.SplitN(string(x), "\n", 2)[0])
		}
	}
}

// TestLearnBadInput: usage errors exit 2 with a message naming the problem.
func TestLearnBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"learn"}, "want one scenario file"}, // the simulator arena, without its SCENARIO.yaml
		{"no rules", []string{"learn", "--replay", "x.csv", "--history", "h.csv"}, "--rules"},
		{"no history", []string{"learn", "--replay", "x.csv", "--rules", kcsRules}, "--history"},
		{"bad policy", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--policy", "oracle"}, "want one of"},
		{"bad budget", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--budget", "0"}, "--budget"},
		{"missing file", []string{"learn", "--replay", "nope.csv", "--mapping", kcsMapping, "--rules", kcsRules, "--history", "nope.csv"}, "nope.csv"},
		{"class delay without days", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--delay-class", "critical"}, "want CLASS=DAYS"},
		{"class delay below 0", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--delay-class", "critical=-1"}, "want days >= 0"},
		{"class delay twice", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--delay-class", "critical=1", "--delay-class", "critical=2"}, "given twice"},
		{"rules key twice", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--keys", "hs:2,rules+rules"}, `field "rules" twice`},
		{"rules key cut", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--keys", "hs:2,rules:3"}, "rules takes no :n"},
		{"field twice", []string{"learn", "--replay", "x.csv", "--rules", kcsRules, "--history", "h.csv", "--keys", "hs+hs:4"}, `field "hs" twice`},
		{"rules in the novelty key", []string{"learn", "--replay", "../../testdata/kcs-synthetic/df_syn_valid_eng.csv.gz", "--mapping", kcsMapping, "--rules", kcsRules,
			"--history", "../../testdata/kcs-synthetic/df_syn_train_eng.csv.gz", "--novelty", "rules", "--quiet"}, "novelty key"},
		{"unknown class", []string{"learn", "--replay", "../../testdata/kcs-synthetic/df_syn_valid_eng.csv.gz", "--mapping", kcsMapping, "--rules", kcsRules,
			"--history", "../../testdata/kcs-synthetic/df_syn_train_eng.csv.gz", "--delay-class", "revenue=90", "--quiet"}, "want one of the mapping's outcome classes critical"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := backtestRun(t, c.args...)
			if code != exitBadInput || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, c.want)
			}
		})
	}
}
