package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestValidateScenario(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	src, err := os.ReadFile("../../scenarios/examples/seaport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Two mistakes in the file: a probability out of range and a bad country.
	s := strings.Replace(string(src), "aeo_share: 0.40", "aeo_share: 1.40", 1)
	s = strings.Replace(s, "ZA: 1,", "XX: 1,", 1)
	// The lines of the two mistakes, wherever the example file has them.
	lineOf := func(text string) string {
		i := strings.Index(s, text)
		return strconv.Itoa(strings.Count(s[:i], "\n") + 1)
	}
	aeoLine, xxLine := lineOf("aeo_share: 1.40"), lineOf("XX: 1,")
	if err := os.WriteFile(bad, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		why      string
		path     string
		sets     []string
		stdout   string
		stderr   []string // lines, in order
		wantErr  string
		wantExit int
	}{
		{"a valid scenario", "../../scenarios/examples/seaport.yaml", nil,
			"ok: seaport (13 rules, 5 threats)\n", nil, "", exitOK},
		{"overrides are applied", "../../scenarios/examples/reference.yaml", []string{"name=ref2"},
			"ok: ref2 (20 rules, 4 threats)\n", nil, "", exitOK},
		{"every problem, with its line", bad, []string{"selectivity.red=high"},
			"", []string{
				bad + ":" + aeoLine + ":14: traders.aeo_share: want a probability in [0,1], got 1.4",
				bad + ":" + xxLine + `:69: trade.origins.XX: "XX" is not an ISO 3166-1 alpha-2 country code`,
				bad + `: --set selectivity.red: want a number, got "high"`,
			}, bad + ": 3 problems", exitBadInput},
		{"a missing file", "nope.yaml", nil, "", nil, "nope.yaml", exitBadInput},
		// Weekly traffic and a pool closed on Sunday: a window of 25 days
		// after a warm-up of 3 is warned about, and still ok.
		{"a window of not whole weeks: warnings, exit 0", "../../scenarios/examples/seaport.yaml", []string{"warmup=3d", "horizon=28d"},
			"ok: seaport (13 rules, 5 threats)\n", []string{
				"../../scenarios/examples/seaport.yaml: warning: warmup: 3d is not a whole number of weeks, and traffic.sea.weekly has weekly traffic weights: the statistics window starts on another day than Monday 00:00, so some weekdays weigh more than others; use e.g. warmup: 7d",
				"../../scenarios/examples/seaport.yaml: warning: horizon: the statistics window (horizon − warmup = 25d) is not a whole number of weeks, and traffic.sea.weekly has weekly traffic weights: some weekdays weigh more than others; make it 31d",
			}, "", exitOK},
	} {
		t.Run(c.why, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := validateScenario(&vctx{e: &env{stdout: &out, stderr: &errb}}, c.path, c.sets)
			if got := exitCode(context.Background(), err); err != nil && got != c.wantExit || err == nil && c.wantExit != exitOK {
				t.Errorf("exit code %d (err %v), want %d", got, err, c.wantExit)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Errorf("error %v, want %q", err, c.wantErr)
			}
			if out.String() != c.stdout {
				t.Errorf("stdout %q, want %q", out.String(), c.stdout)
			}
			if c.stderr == nil && c.wantExit == exitOK && errb.Len() > 0 {
				t.Errorf("stderr %q, want nothing (no warning)", errb.String())
			}
			if c.stderr != nil {
				if errb.String() != strings.Join(c.stderr, "\n")+"\n" {
					t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), strings.Join(c.stderr, "\n"))
				}
			}
		})
	}
}
