package backtest_test

import (
	"context"
	"fmt"
	"strings"

	"pilotsim/scenarios"
	"pilotsim/sim/backtest"
)

// Score three days of declarations in a national layout: a rule on a mapped
// column (the office) and one on the importer's past irregularity rate, which
// counts only declarations of earlier days.
func ExampleRun() {
	mapping, err := backtest.ParseMapping("map.yaml", []byte(`
fields:
  date: {column: Date}
  origin: {column: Origin}
  hs: {column: Tariff, digits: 6}
columns:
  importer: {column: Importer}
  office: {column: Office}
outcome:
  irregular: {column: Result, values: [FRAUD]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	rules, err := scenarios.ParseRules("rules.yaml", []byte(`
rules:
  - {id: OFFICE, score: 20, when: {field: {name: office, in: [PUS]}}}
  - {id: REPEAT, score: 50, when: {history: {key: [importer], min_rate: 0.5}}}
selectivity: {red: 50, yellow: 20}
`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	compiled, err := backtest.Compile(rules, mapping)
	if err != nil {
		fmt.Println(err)
		return
	}
	file := `Date,Origin,Tariff,Importer,Office,Result
2021-03-01,CN,8471.30.0000,A,PUS,FRAUD
2021-03-01,CN,8471.30.0000,A,ICN,OK
2021-03-02,VN,6109.10.0000,A,ICN,OK
2021-03-02,VN,6109.10.0000,B,PUS,OK
`
	tally, err := backtest.Run(context.Background(), backtest.Config{
		Rules: compiled, Mapping: mapping,
		Input: backtest.Input{Name: "declarations.csv", R: strings.NewReader(file)},
		Each: func(d *backtest.Decl) {
			fmt.Printf("line %d: score %v, %v\n", d.Line, d.C.Score, d.C.Lane)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := tally.Controlled()
	fmt.Printf("controlled %d of %d, found %d of %d irregular\n", c.N, tally.Rows, c.Irregular, tally.Irregular)
	// Output:
	// line 2: score 20, yellow
	// line 3: score 0, green
	// line 4: score 50, red
	// line 5: score 20, yellow
	// controlled 3 of 4, found 1 of 1 irregular
}
