package risk

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"pilotsim/internal/fault"
	"pilotsim/scenarios"
)

// extraKinds is the column list of the tests: office (text), rate (number).
func extraKinds(name string) FieldKind {
	switch name {
	case "office", "importer", "hs":
		return FieldText
	case "rate":
		return FieldNumber
	}
	return FieldUnknown
}

func extraRules(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.ParseRules("rules.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const extraRuleSet = `
rules:
  - {id: OFFICE, score: 1, when: {field: {name: office, in: [A1, B2]}}}
  - {id: PREFIX, score: 2, when: {field: {name: office, prefix: [C]}}}
  - {id: RATE, score: 4, when: {field: {name: rate, min: 8, max: 13}}}
  - {id: REPEAT, score: 8, when: {history: {key: [importer], min_rate: 0.5, min_count: 2}}}
  - {id: NEW, score: 16, when: {all: [{history: {key: [importer], max_count: 0}}, {not: {field: {name: office, in: [B2, A1]}}}]}}
  - {id: TWICE, score: 32, when: {history: {key: ["hs:4", importer], min_irregular: 2}}}
selectivity: {red: 100}
`

// TestAssessExtra checks each kind of extra test through the compiled rules:
// the same string condition written twice shares one bit, a missing number
// (NaN) meets no range, history bounds are inclusive as documented.
func TestAssessExtra(t *testing.T) {
	schema := NewExtraSchema(extraKinds)
	m, err := Compile(extraRules(t, extraRuleSet), Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if len(schema.Fields) != 2 || len(schema.Fields[0].Conds) != 2 || len(schema.Histories) != 2 {
		t.Fatalf("schema %+v: want office (2 conditions: the same list twice is one), rate; 2 history keys", schema)
	}
	var s Selector
	s.Reset(rand.New(rand.NewPCG(1, 1)))
	type in struct {
		office   uint64 // condition bits
		rate     float64
		n, k     uint32 // importer history
		n2, k2   uint32 // heading+importer history
		wantHits string
	}
	cases := []in{
		{1, 10, 0, 0, 0, 0, "OFFICE RATE"},      // A1/B2, rate in [8,13), never seen (but office listed)
		{2, 13, 1, 1, 0, 0, "PREFIX"},           // 13 is outside [8, 13); one earlier: min_count 2 fails
		{0, math.NaN(), 0, 0, 0, 0, "NEW"},      // missing rate; new importer, other office
		{0, 8, 2, 1, 3, 2, "RATE REPEAT TWICE"}, // rate 8 in range; 1 of 2 = 0.5; 2 irregular
		{1, 7.99, 4, 1, 4, 1, "OFFICE"},         // 1 of 4 below 0.5; 1 irregular only
	}
	ids := m.RuleIDs()
	for i, c := range cases {
		var x Extra
		x.Bits[0], x.Num[1] = c.office, c.rate
		x.Count[0], x.Irregular[0], x.Count[1], x.Irregular[1] = c.n, c.k, c.n2, c.k2
		var cs Consignment
		s.Assess(m, &cs, &x)
		var hits []string
		for j, id := range ids {
			if cs.Hits.Has(j) {
				hits = append(hits, id)
			}
		}
		if got := strings.Join(hits, " "); got != c.wantHits {
			t.Errorf("case %d: hits %q, want %q", i, got, c.wantHits)
		}
	}
}

// TestExtraCriteriaErrors: the simulator refuses field and history criteria,
// and backtest names unknown or mistyped columns.
func TestExtraCriteriaErrors(t *testing.T) {
	sc := extraRules(t, extraRuleSet)
	// Without a schema (no mapping) field criteria cannot compile; only a
	// caller that skipped backtest's mapping gets here: an internal error.
	var bug *fault.Bug
	if _, err := Compile(sc, Config{}); !errors.As(err, &bug) || !strings.Contains(err.Error(), "pilotsim backtest") {
		t.Errorf("without a schema: %v, want an internal error", err)
	}
	for _, c := range []struct{ rule, msg string }{
		{`{id: X, score: 1, when: {field: {name: colour, in: [red]}}}`, `"colour" is not a column of the mapping`},
		{`{id: X, score: 1, when: {field: {name: office, min: 1}}}`, "holds text"},
		{`{id: X, score: 1, when: {field: {name: rate, in: ["8"]}}}`, "holds numbers"},
		{`{id: X, score: 1, when: {history: {key: [importer, colour], min_count: 1}}}`, `"colour" is not a column`},
	} {
		sc := extraRules(t, "rules:\n  - "+c.rule+"\nselectivity: {red: 1}\n")
		_, err := Compile(sc, Config{Schema: NewExtraSchema(extraKinds)})
		// What only the mapping knows is bad input, named by file, line and
		// rule, never an internal error.
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "rules.yaml:2: rule X: ") || errors.As(err, &bug) {
			t.Errorf("%s: got %v, want the file, line, rule and %q", c.rule, err, c.msg)
		}
	}
}
