package scenarios

import (
	"testing"
)

// TestLoadReference checks that the benchmark scenario decodes with the values
// written in it, durations in minutes, and the defaults it leaves out.
func TestLoadReference(t *testing.T) {
	sc, err := Load("examples/reference.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", sc.Name, "reference"},
		{"horizon 30d in minutes", float64(sc.Horizon), 30 * 24 * 60.0},
		{"warmup 2d", float64(sc.Warmup), 2 * 24 * 60.0},
		{"sea rate", sc.Traffic["sea"].Rate, 120.0},
		{"lodgement lead 24h", *sc.Traffic["sea"].LodgementLead.Value, 24 * 60.0},
		{"threats", len(sc.Threats), 4},
		{"rules", len(sc.Rules), 20},
		{"R01 description keeps its commas", sc.Rules[0].Description, "Andean origin, edible fruit or coffee"},
		{"R01 line", sc.Rules[0].Line, 69},
		{"narcotics line", sc.Threats[0].Line, 35},
		{"document service mean 20m", *sc.Resources.Pools[0].Service.Mean, 20.0},
		{"pool method defaults to name", sc.Resources.Pools[1].Method, "nii"},
		{"green target 1h", float64(sc.Targets.Lanes["green"]), 60.0},
		{"default gross weight", sc.Trade.Weight.Kind, "lognormal"},
		{"default currency", sc.Trade.Currency, "USD"},
		{"default assessment", sc.Selectivity.Assessment.Kind, "const"},
		{"random red rate", sc.Selectivity.Random["red"].Rate, 0.02},
		{"seed", sc.Seed, uint64(20261127)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}
