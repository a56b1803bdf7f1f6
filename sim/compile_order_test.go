package sim

import (
	"strings"
	"testing"

	"pilotsim/scenarios"
)

// TestCompileErrorsDeterministic: with several bad keys in a map, Compile
// (and compileBorder) report the first in sorted key order, every time, not
// whichever map iteration happens to meet first.
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
		{"origins", func(sc *scenarios.Scenario) { sc.Trade.Origins = bad("X1", "X2", "X3", "X4", "X5") }, "trade.origins.\"X1\""},
		{"hs chapters", func(sc *scenarios.Scenario) {
			sc.Trade.HSChapters = map[string]float64{"all": 1, "77": 1, "98": 1, "99": 1, "x": 1, "y": 1}
		}, "trade.hs_chapters.\"77\""},
		{"hubs", func(sc *scenarios.Scenario) { sc.Trade.Routing.Hubs = bad("X1", "X2", "X3", "X4", "X5") }, "trade.routing.hubs.\"X1\""},
		{"signature origins", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "t", Prevalence: 0.01, Signature: scenarios.Signature{Origin: bad("X1", "X2", "X3", "X4", "X5")}}}
		}, "signature.origin.\"X1\""},
		{"signature chapters", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "t", Prevalence: 0.01, Signature: scenarios.Signature{HSChapter: map[string]float64{"08": 2, "77": 1, "98": 1, "99": 1, "x": 1}}}}
		}, "signature.hs_chapter.\"77\""},
		{"signature hubs", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "t", Prevalence: 0.01, Signature: scenarios.Signature{Hub: bad("X1", "X2", "X3", "X4", "X5")}}}
		}, "signature.hub.\"X1\""},
	} {
		first := ""
		for i := range 30 {
			sc := engScenario(10, 1)
			tc.edit(sc)
			_, err := Compile(sc)
			if err == nil {
				t.Fatalf("%s: no error", tc.name)
			}
			if i == 0 {
				first = err.Error()
				if !strings.Contains(first, tc.want) {
					t.Errorf("%s: error %q does not name %s, the first bad key in order", tc.name, first, tc.want)
				}
			} else if err.Error() != first {
				t.Errorf("%s: error changed between runs:\n%s\n%s", tc.name, first, err)
				break
			}
		}
	}
	first := ""
	for i := range 30 {
		sc := borderTestScenario(1000, 0, borderTestPool("document", 1, 1))
		sc.Targets.Lanes = map[string]scenarios.Duration{"amber": 1, "blue": 1, "orange": 1, "purple": 1, "violet": 1}
		_, err := compileBorder(sc, borderDetectFromScenario(sc))
		if err == nil {
			t.Fatal("targets.lanes: no error")
		}
		if i == 0 {
			first = err.Error()
			if !strings.Contains(first, `unknown lane "amber"`) {
				t.Errorf("targets.lanes: error %q does not name amber, the first bad lane in order", first)
			}
		} else if err.Error() != first {
			t.Errorf("targets.lanes: error changed between runs:\n%s\n%s", first, err)
			break
		}
	}
}
