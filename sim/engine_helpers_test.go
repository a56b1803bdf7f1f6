package sim

import (
	"math"
	"testing"

	"pilotsim/scenarios"
)

// Helpers of the generator and risk-engine tests (prefixed eng to keep clear
// of the border tests' names).

func engF(v float64) *float64 { return &v }
func engB(v bool) *bool       { return &v }

// engScenario is a small scenario built in code: sea traffic at rate per hour
// for days days, 1000 traders, a handful of origins, every HS chapter, some
// routing, no threats and no rules.
func engScenario(rate float64, days float64) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "eng-test",
		Seed:    42,
		Horizon: scenarios.Duration(days * 24 * 60),
		Traffic: map[string]scenarios.ModeTraffic{
			"sea": {Rate: rate, LodgementLead: scenarios.Dist{Kind: "const", Value: engF(24 * 60)}},
		},
		Traders: scenarios.Traders{Count: 1000, Zipf: 1, AEOShare: 0.3, NewShare: 0.1},
		Trade: scenarios.Trade{
			Origins:    map[string]float64{"CN": 5, "US": 2, "DE": 2, "CO": 1},
			HSChapters: map[string]float64{"all": 1},
			Routing:    scenarios.Routing{Share: 0.3, Hubs: map[string]float64{"PA": 1, "SG": 1}},
			ValuePerKg: scenarios.Dist{Kind: "lognormal", Median: engF(5), Sigma: engF(1)},
		},
	}
}

// engCompile compiles sc or fails the test.
func engCompile(t testing.TB, sc *scenarios.Scenario) *Model {
	t.Helper()
	m, err := Compile(sc)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// engAll generates and assesses every consignment of replication rep.
func engAll(m *Model, rep int) []Consignment {
	g, s := m.NewGenerator(), m.NewSelector()
	g.Reset(rep)
	s.Reset(rep)
	var out []Consignment
	var c Consignment
	for g.Next(&c) {
		s.Assess(&c)
		out = append(out, c)
	}
	return out
}

// engCheckBinomial fails unless k successes in n trials fit probability p
// within z standard deviations.
func engCheckBinomial(t *testing.T, what string, k, n int, p, z float64) {
	t.Helper()
	mean := float64(n) * p
	sd := math.Sqrt(float64(n) * p * (1 - p))
	if math.Abs(float64(k)-mean) > z*sd+1e-9 {
		t.Errorf("%s: %d of %d, want %.1f ± %.1f (%g sigma of binomial n=%d p=%g)", what, k, n, mean, z*sd, z, n, p)
	}
}
