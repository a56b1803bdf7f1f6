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
	// #2602 from CO, HS 080490, score 60: red (score), carries narcotics
	// #3324 from CO, HS 081210, score 60: red (score), carries narcotics
	// #3944 from CO, HS 081430, score 60: red (score), carries narcotics
	// #4169 from CO, HS 930730, score 0: red (random), carries narcotics
	// #4381 from CO, HS 081400, score 60: red (score), carries narcotics
	// #6740 from CO, HS 090211, score 60: red (score), carries narcotics
	// #6902 from CO, HS 081200, score 60: red (score), carries narcotics
	// lanes (green, blue, yellow, red): [6997 0 59 89]
	// irregular 72, sent to red 7
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
