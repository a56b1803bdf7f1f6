package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestValidateDispatch checks that validate picks the checker by extension and
// passes --set to scenarios.
func TestValidateDispatch(t *testing.T) {
	for _, tc := range []struct {
		why  string
		args []string
		code int
		out  string
	}{
		{"a shipped scenario is valid", []string{"validate", "../../scenarios/examples/reference.yaml"}, 0, "ok: reference"},
		{"--set is applied with the same checks", []string{"validate", "--set", "selectivity.red=abc", "../../scenarios/examples/reference.yaml"}, 2, "want a number"},
		{"what only the engine knows is checked too (an unknown expr variable)",
			[]string{"validate", "--set", "rules[0].when=null", "--set", "rules[0].expr=foo > 2", "../../scenarios/examples/reference.yaml"}, 2, "unknown name foo"},
		{"version prints the version", []string{"version"}, 0, "pilotsim devel"},
		{"version refuses flags it does not have", []string{"version", "--jsonx"}, 2, "flag provided but not defined"},
		{"an unknown extension is bad input", []string{"validate", "x.txt"}, 2, "expects a .csv"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, nil, &out, &errb)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.out) {
			t.Errorf("%s: code %d, output %q %q; want code %d containing %q", tc.why, code, out.String(), errb.String(), tc.code, tc.out)
		}
	}
}
