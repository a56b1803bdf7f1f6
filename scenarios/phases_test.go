package scenarios

import (
	"os"
	"testing"
)

// TestPhasesLoad loads docs/scenarios.md's example (nii-pilot with the
// scanner route opening on day 28 and a new rule set on day 56): each
// phase's scenario holds its own and the earlier phases' overrides, the
// scenario itself none of them, and each override keeps its line.
func TestPhasesLoad(t *testing.T) {
	data, err := os.ReadFile("examples/nii-pilot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := len(data)
	data = append(data, []byte(`
phases:
  - at: 28d
    ramp: 14d
    set:
      resources.red: [nii, physical]
      resources.red_physical_on_alarm: true
  - at: 56d
    set:
      selectivity.red: 70
      rules[S05].score: 40
`)...)
	lines := 1
	for _, b := range data[:n] {
		if b == '\n' {
			lines++
		}
	}
	sc, err := Parse("nii.yaml", data, []string{"horizon=84d", "resources.red=[physical]", "resources.red_physical_on_alarm=false"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Phases) != 2 {
		t.Fatalf("%d phases, want 2", len(sc.Phases))
	}
	p1, p2 := sc.Phases[0], sc.Phases[1]
	if p1.At != Duration(28*24*60) || p1.Ramp != Duration(14*24*60) || p2.At != Duration(56*24*60) || p2.Ramp != 0 {
		t.Errorf("phases at %v (ramp %v) and %v (ramp %v)", p1.At, p1.Ramp, p2.At, p2.Ramp)
	}
	if p1.Line != lines+2 || p1.Sets[0].Line != lines+5 || p1.Sets[0].Col != 22 || p2.Sets[1].Path != "rules[S05].score" {
		t.Errorf("phase 1 at line %d, its first override at %d:%d; want %d and %d:22; phase 2's second override %q",
			p1.Line, p1.Sets[0].Line, p1.Sets[0].Col, lines+2, lines+5, p2.Sets[1].Path)
	}
	red := func(s *Scenario) string {
		return s.Resources.Red[0] + "/" + map[bool]string{true: "on alarm", false: "always"}[*s.Resources.RedPhysicalOnAlarm]
	}
	score := func(s *Scenario) float64 {
		for _, r := range s.Rules {
			if r.ID == "S05" {
				return r.Score
			}
		}
		return -1
	}
	for _, c := range []struct {
		name        string
		sc          *Scenario
		route       string
		thresh, s05 float64
	}{
		{"scenario", sc, "physical/always", *sc.Selectivity.Red, 25},
		{"phase 1", p1.Scenario, "nii/on alarm", *sc.Selectivity.Red, 25},
		{"phase 2", p2.Scenario, "nii/on alarm", 70, 40},
	} {
		if got := red(c.sc); got != c.route || *c.sc.Selectivity.Red != c.thresh || score(c.sc) != c.s05 {
			t.Errorf("%s: red route %s, red threshold %v, S05 score %v; want %s, %v, %v", c.name, got, *c.sc.Selectivity.Red, score(c.sc), c.route, c.thresh, c.s05)
		}
		if c.sc != sc && c.sc.Phases != nil {
			t.Errorf("%s: the phase's scenario has phases", c.name)
		}
	}
}
