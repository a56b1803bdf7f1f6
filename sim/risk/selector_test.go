package risk

import (
	"math/rand/v2"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

func country(tb testing.TB, code string) datamodel.Country {
	tb.Helper()
	c, err := datamodel.ParseCountry(code)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCandidateRulesMatchBruteForce: Assess evaluates only the rules whose
// origin, chapter and hub conditions admit the consignment; the hits must be
// those of evaluating every rule, on consignments drawn over the origins,
// chapters and hubs the rules name and others.
func TestCandidateRulesMatchBruteForce(t *testing.T) {
	yes := true
	three := 3.0
	sc := &scenarios.Scenario{Name: "brute-force", Rules: []scenarios.Rule{
		{ID: "origin", Score: 1, When: &scenarios.Criteria{Origin: []string{"CO", "PA"}}},
		{ID: "origin+hs-range", Score: 1, When: &scenarios.Criteria{Origin: []string{"CN"}, HS: []string{"0803", "8501", "30"}}},
		{ID: "chapters", Score: 1, When: &scenarios.Criteria{HS: []string{"08", "85", "93"}}},
		{ID: "routing", Score: 1, When: &scenarios.Criteria{Routing: []string{"PA"}}},
		{ID: "not routing", Score: 1, When: &scenarios.Criteria{Not: &scenarios.Criteria{Routing: []string{"PA"}}}},
		{ID: "any", Score: 1, When: &scenarios.Criteria{Any: []scenarios.Criteria{{Origin: []string{"DE"}}, {HS: []string{"01"}}}}},
		{ID: "all nested", Score: 1, When: &scenarios.Criteria{All: []scenarios.Criteria{{Origin: []string{"CN", "SG"}}, {All: []scenarios.Criteria{{HS: []string{"84"}}, {NewTrader: &yes}}}}}},
		{ID: "dispatch", Score: 1, When: &scenarios.Criteria{Dispatch: []string{"PA", "SG"}}},
		{ID: "expr", Score: 1, Expr: `origin == "CN" && chapter < 20`},
		{ID: "no condition on origin", Score: 1, When: &scenarios.Criteria{ValuePerKg: &scenarios.Range{Max: &three}}},
	}}
	rm, err := Compile(sc, Config{Traders: 100})
	if err != nil {
		t.Fatal(err)
	}
	origins := []datamodel.Country{country(t, "CN"), country(t, "CO"), country(t, "PA"), country(t, "SG"), country(t, "DE"), country(t, "US")}
	hubs := []datamodel.Country{datamodel.NoCountry, datamodel.NoCountry, country(t, "PA"), country(t, "SG"), country(t, "AE")}
	codes := []uint32{10121, 80390, 80450, 300490, 847130, 850110, 850440, 930200, 200911, 610910}
	rng := rand.New(rand.NewPCG(7, 7))
	var s Selector
	s.Reset(rand.New(rand.NewPCG(1, 1)))
	counts := make([]int, len(sc.Rules))
	const n = 20000
	for seq := range n {
		c := Consignment{Seq: uint64(seq), Origin: origins[rng.IntN(len(origins))], Hub: hubs[rng.IntN(len(hubs))],
			HS: codes[rng.IntN(len(codes))], ValuePerKg: 6 * rng.Float64(), Threat: NoThreat}
		c.Dispatch = c.Origin
		if c.Hub != datamodel.NoCountry {
			c.Dispatch, c.Flags = c.Hub, FlagRouted
		}
		if rng.IntN(3) == 0 {
			c.Flags |= FlagNew
		}
		s.Assess(rm, &c, nil)
		var want RuleSet
		for i, r := range rm.rules {
			hit := false
			if r.expr == nil {
				hit = rm.prog.eval(r.root, &c)
			} else {
				s.fillEnv(rm, &c)
				hit = s.runExpr(r.expr, rm, i)
			}
			if hit {
				want.Add(i)
				counts[i]++
			}
		}
		if c.Hits != want {
			t.Fatalf("consignment %d (origin %v hs %06d hub %v): hits %v, want %v", c.Seq, c.Origin, c.HS, c.Hub, c.Hits, want)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for i, k := range counts {
		if k == 0 || k == n {
			t.Errorf("rule %s holds for %d of %d consignments: the test does not exercise it", sc.Rules[i].ID, k, n)
		}
	}
}
