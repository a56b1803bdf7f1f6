package risk_test

import (
	"fmt"
	"math/rand/v2"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
	"pilotsim/sim/risk"
)

// Compile a rule set, then score one declaration and assign its lane with a
// Selector, as the simulator, backtest and learning policies all do.
func ExampleSelector_Assess() {
	rules := []byte(`
rules:
  - {id: R01, score: 60, when: {origin: [CO, EC], hs: ["08", "09"]}}
  - {id: R06, score: 30, when: {value_per_kg: {max: 0.5}}}
  - {id: R30, lane: yellow, expr: "new_trader && !aeo"}
selectivity: {red: 60, yellow: 40, aeo_discount: 30}
`)
	sc, err := scenarios.ParseRules("rules.yaml", rules, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := risk.Compile(sc, risk.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	co, _ := datamodel.ParseCountry("CO")
	c := risk.Consignment{
		Origin: co, Dispatch: co, Hub: datamodel.NoCountry, Mode: datamodel.ModeSea,
		HS: 80390, GrossWeight: 12000, Value: 4800, ValuePerKg: 0.4, Flags: risk.FlagAEO,
	}
	var s risk.Selector
	s.Reset(rand.New(rand.NewPCG(1, 2))) // the caller's stream: sim.Stream(seed, rep, sim.PurposeSelection)
	s.Assess(e, &c, nil)
	for i, id := range e.RuleIDs() {
		if c.Hits.Has(i) {
			fmt.Print(id, " ")
		}
	}
	fmt.Printf("score %v: %v (%v)\n", c.Score, c.Lane, c.Reason)
	// Output:
	// R01 R06 score 60: red (score)
}
