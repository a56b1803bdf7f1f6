package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pilotsim/scenarios"
)

// limitsScenario is a small scenario with rules rules and a yellow route
// through stages distinct document pools.
func limitsScenario(rules, stages int) []byte {
	var b strings.Builder
	b.WriteString(`name: limits
horizon: 1d
replications: 1
traffic: {sea: {rate: 10}}
traders: {count: 10}
trade:
  origins: {CN: 1}
  hs_chapters: {all: 1}
  value_per_kg: {dist: const, value: 5}
rules:
`)
	for i := range rules {
		fmt.Fprintf(&b, "  - {id: R%d, score: 1, when: {origin: [CN]}}\n", i)
	}
	b.WriteString("selectivity: {yellow: 1}\nresources:\n  pools:\n")
	var route []string
	for i := range stages {
		fmt.Fprintf(&b, "    - {name: d%d, method: document, servers: 1, service: {dist: const, value: 1m}}\n", i)
		route = append(route, fmt.Sprintf("d%d", i))
	}
	b.WriteString("    - {name: physical, servers: 1, service: {dist: const, value: 1m}}\n")
	fmt.Fprintf(&b, "  yellow: [%s]\n  red: [physical]\n", strings.Join(route, ", "))
	return []byte(b.String())
}

// TestScenarioLimitsMatchEngine checks that the limits scenarios.Load
// enforces are the engine's own (scenarios repeats them, as it cannot import
// sim): a scenario at MaxRules rules and MaxStages route stages loads, compiles
// and runs; one more of either is rejected by Load, with the line, instead of
// failing later in Compile or Run.
func TestScenarioLimitsMatchEngine(t *testing.T) {
	sc, err := scenarios.Parse("limits.yaml", limitsScenario(MaxRules, MaxStages), nil)
	if err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	res, err := Run(context.Background(), m, Options{Workers: 1})
	if err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	if got := runValue(t, m, res[0], "lane.yellow.share"); got != 1 {
		t.Errorf("lane.yellow.share = %v, want 1 (every rule hits)", got)
	}
	for _, tc := range []struct {
		name          string
		rules, stages int
		want          string
	}{
		{"rules", MaxRules + 1, 1, "rules[128]"},
		{"route", 1, MaxStages + 1, "resources.yellow"},
	} {
		_, err := scenarios.Parse("limits.yaml", limitsScenario(tc.rules, tc.stages), nil)
		if err == nil {
			t.Errorf("%s: one past the engine's limit loads without error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "limits.yaml:") {
			t.Errorf("%s: error %q does not name %s with its line", tc.name, err, tc.want)
		}
	}
}
