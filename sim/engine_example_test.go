package sim_test

import (
	"fmt"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// Compile a scenario once, then generate a replication's consignments and
// assess each with the risk engine.
func ExampleCompile() {
	f := func(v float64) *float64 { return &v }
	sc := &scenarios.Scenario{
		Name:    "example",
		Seed:    1,
		Horizon: 3 * 24 * 60, // three days, in minutes
		Traffic: map[string]scenarios.ModeTraffic{"sea": {Rate: 100}},
		Traders: scenarios.Traders{Count: 500, Zipf: 1, AEOShare: 0.3, NewShare: 0.05},
		Trade: scenarios.Trade{
			Origins:    map[string]float64{"CN": 6, "CO": 1, "DE": 3},
			HSChapters: map[string]float64{"all": 1},
			ValuePerKg: scenarios.Dist{Kind: "lognormal", Median: f(5), Sigma: f(1)},
		},
		Threats: []scenarios.Threat{{Name: "narcotics", Prevalence: 0.01,
			Signature: scenarios.Signature{Origin: map[string]float64{"CO": 30}, HSChapter: map[string]float64{"08": 20}}}},
		Rules: []scenarios.Rule{
			{ID: "andean-fruit", Score: 60, When: &scenarios.Criteria{Origin: []string{"CO"}, HS: []string{"08", "09"}}},
			{ID: "cheap", Score: 30, Expr: `value_per_kg < 0.5 && !aeo`},
		},
		Selectivity: scenarios.Selectivity{Red: f(60), Yellow: f(30),
			Random: map[string]scenarios.RandomRate{"red": {Rate: 0.01}}},
	}
	m, err := sim.Compile(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	g, s := m.NewGenerator(), m.NewSelector()
	g.Reset(0)
	s.Reset(0)
	var lanes [sim.NumLanes]int
	irregular, caught := 0, 0
	var c sim.Consignment
	for g.Next(&c) {
		s.Assess(&c)
		lanes[c.Lane]++
		if c.Irregular() {
			irregular++
			if c.Lane == sim.Red {
				caught++
				fmt.Printf("#%d from %v, HS %06d, score %v: %v (%v), carries %s\n",
					c.Seq, c.Origin, c.HS, c.Score, c.Lane, c.Reason, m.Threats[c.Threat].Name)
			}
		}
	}
	fmt.Println("lanes (green, blue, yellow, red):", lanes)
	fmt.Printf("irregular %d, sent to red %d\n", irregular, caught)
	// Output:
	// #435 from CO, HS 080129, score 60: red (score), carries narcotics
	// #1113 from CO, HS 080590, score 60: red (score), carries narcotics
	// #1146 from CO, HS 080330, score 60: red (score), carries narcotics
	// #1577 from CO, HS 080911, score 60: red (score), carries narcotics
	// #1609 from CO, HS 080330, score 60: red (score), carries narcotics
	// #2473 from CO, HS 081430, score 60: red (score), carries narcotics
	// #2822 from CO, HS 080410, score 60: red (score), carries narcotics
	// #5486 from CO, HS 080929, score 60: red (score), carries narcotics
	// #5844 from CO, HS 080930, score 60: red (score), carries narcotics
	// #5962 from CO, HS 081229, score 60: red (score), carries narcotics
	// #5988 from CO, HS 080729, score 60: red (score), carries narcotics
	// #6054 from CO, HS 080419, score 60: red (score), carries narcotics
	// #6130 from CO, HS 080930, score 60: red (score), carries narcotics
	// #6295 from CO, HS 080111, score 60: red (score), carries narcotics
	// #7128 from CO, HS 080420, score 60: red (score), carries narcotics
	// lanes (green, blue, yellow, red): [6989 0 59 97]
	// irregular 73, sent to red 15
}

// Score one declaration with the risk engine alone, as backtest does with
// real declarations: fill a Consignment and call Assess.
func ExampleSelector_Assess() {
	f := func(v float64) *float64 { return &v }
	sc := &scenarios.Scenario{
		Name: "rules", Horizon: 60,
		Traffic: map[string]scenarios.ModeTraffic{"sea": {Rate: 1}},
		Traders: scenarios.Traders{Count: 1},
		Trade: scenarios.Trade{Origins: map[string]float64{"CO": 1}, HSChapters: map[string]float64{"all": 1},
			ValuePerKg: scenarios.Dist{Kind: "const", Value: f(1)}},
		Rules: []scenarios.Rule{
			{ID: "R01", Score: 60, When: &scenarios.Criteria{Origin: []string{"CO", "EC"}, HS: []string{"08", "09"}}},
			{ID: "R06", Score: 30, When: &scenarios.Criteria{ValuePerKg: &scenarios.Range{Max: f(0.5)}}},
			{ID: "R30", Lane: "yellow", Expr: `new_trader && !aeo`},
		},
		Selectivity: scenarios.Selectivity{Red: f(60), Yellow: f(40), AEODiscount: 30},
	}
	m, err := sim.Compile(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	co, _ := datamodel.ParseCountry("CO")
	c := sim.Consignment{
		Origin: co, Dispatch: co, Hub: datamodel.NoCountry, Mode: datamodel.ModeSea,
		HS: 80390, GrossWeight: 12000, Value: 4800, ValuePerKg: 0.4, Flags: sim.FlagAEO,
	}
	s := m.NewSelector()
	s.Assess(&c)
	for i, id := range m.RuleIDs() {
		if c.Hits.Has(i) {
			fmt.Print(id, " ")
		}
	}
	fmt.Printf("score %v: %v (%v)\n", c.Score, c.Lane, c.Reason)
	// Output:
	// R01 R06 score 60: red (score)
}
