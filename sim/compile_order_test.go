package sim

import (
	"strings"
	"testing"

	"pilotsim/scenarios"
)

// TestCompileErrorsDeterministic: with several bad keys in a map, Compile
// reports (as an internal error: validation refuses these first) the first in
// sorted key order, every time, not whichever map iteration happens to meet
// first.
func TestCompileErrorsDeterministic(t *testing.T) {
	bad := func(keys ...string) map[string]float64 {
		m := map[string]float64{"CN": 1}
		for _, k := range keys {
			m[k] = 1
		}
		return m
	}
	for _, tc := range []struct {
		name string
		edit func(sc *scenarios.Scenario)
		want string
	}{
		{"traffic modes", func(sc *scenarios.Scenario) {
			for _, k := range []string{"boat", "camel", "drone", "zeppelin"} {
				sc.Traffic[k] = sc.Traffic["sea"]
			}
		}, "traffic.boat:"},
		{"origins", func(sc *scenarios.Scenario) { sc.Trade.Origins = bad("X1", "X2", "X3", "X4", "X5") }, "trade.origins: \"X1\""},
		{"hs chapters", func(sc *scenarios.Scenario) {
			sc.Trade.HSChapters = map[string]float64{"all": 1, "77": 1, "98": 1, "99": 1, "x": 1, "y": 1}
		}, "trade.hs_chapters: \"77\""},
		{"hubs", func(sc *scenarios.Scenario) { sc.Trade.Routing.Hubs = bad("X1", "X2", "X3", "X4", "X5") }, "trade.routing.hubs: \"X1\""},
		{"signature origins", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "t", Prevalence: 0.01, Signature: scenarios.Signature{Origin: bad("X1", "X2", "X3", "X4", "X5")}}}
		}, "signature.origin: \"X1\""},
		{"signature chapters", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "t", Prevalence: 0.01, Signature: scenarios.Signature{HSChapter: map[string]float64{"08": 2, "77": 1, "98": 1, "99": 1, "x": 1}}}}
		}, "signature.hs_chapter: \"77\""},
		{"signature hubs", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "t", Prevalence: 0.01, Signature: scenarios.Signature{Hub: bad("X1", "X2", "X3", "X4", "X5")}}}
		}, "signature.hub: \"X1\""},
	} {
		checkStableError(t, tc.name, tc.want, func() error {
			sc := engScenario(10, 1)
			tc.edit(sc)
			_, err := Compile(sc)
			return err
		})
	}
}

// checkStableError compiles 30 times with compile and wants an error every
// time, the same error each time, naming want (the first bad key in sorted
// order): map iteration order must not decide which problem is reported.
func checkStableError(t *testing.T, name, want string, compile func() error) {
	t.Helper()
	first := ""
	for i := range 30 {
		err := compile()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if i == 0 {
			first = err.Error()
			if !strings.Contains(first, want) {
				t.Errorf("%s: error %q does not name %s, the first bad key in order", name, first, want)
			}
		} else if err.Error() != first {
			t.Errorf("%s: error changed between runs:\n%s\n%s", name, first, err)
			return
		}
	}
}
