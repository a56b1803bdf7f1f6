package scenarios

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestValidationCoversCompile: every mistake sim.Compile used to check
// itself (before it trusted a validated scenario) is refused here, by
// validation, with the --set that made it named: the engine's own checks are
// now internal errors only, so each must have its user-facing check in this
// package. The cases are those of sim's former TestCompileErrors and
// TestCompileBorderErrors, written as overrides of testdata/minimal.yaml.
func TestValidationCoversCompile(t *testing.T) {
	base, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rule := func(r string) []string { return []string{"rules=[" + r + "]"} }
	for _, tc := range []struct {
		why  string
		sets []string
		want string // a piece of the message
	}{
		{"bad origin in a rule", rule(`{id: R1, score: 1, when: {any: [{aeo: true}, {origin: [ZZ]}]}}`), `"ZZ" is not an ISO 3166-1 alpha-2 country code`},
		{"HS prefix too short", rule(`{id: R1, score: 1, when: {hs: ["8"]}}`), "2 to 6 digits"},
		{"HS chapter 77", rule(`{id: R1, score: 1, when: {hs: ["7701"]}}`), "HS chapter in use"},
		{"unknown trader", rule(`{id: R1, score: 1, when: {trader: [T005000]}}`), `trader "T005000" is not in the population of 100 traders (T000001 to T000100)`},
		{"trader id of the wrong form", rule(`{id: R1, score: 1, when: {trader: [ACME]}}`), `"ACME" is not a trader id`},
		{"trader rank 0", rule(`{id: R1, score: 1, when: {trader: [T000000]}}`), "not in the population"},
		{"trader rank past 2^63", rule(`{id: R1, score: 1, when: {trader: [T99999999999999999999999]}}`), "not in the population"},
		{"unknown mode", rule(`{id: R1, score: 1, when: {mode: [ship]}}`), `"ship" is not a transport mode`},
		{"empty range", rule(`{id: R1, score: 1, when: {not: {value: {min: 5, max: 5}}}}`), "want min < max"},
		{"empty any", rule(`{id: R1, score: 1, when: {any: []}}`), "empty list"},
		{"when and expr", rule(`{id: R1, score: 1, when: {aeo: true}, expr: aeo}`), "both when and expr"},
		{"no condition", rule(`{id: R1, score: 3}`), "neither when nor expr"},
		{"duplicate id", rule(`{id: R1, expr: aeo}, {id: R1, expr: aeo}`), `duplicate rule id "R1"`},
		{"bad lane", rule(`{id: R1, expr: aeo, lane: purple}`), `got "purple"`},
		{"expr syntax", rule(`{id: R9, expr: "origin == "}`), "expression does not parse"},
		{"expr unknown variable", rule(`{id: R9, expr: "colour == 'red'"}`), "expression does not type-check: unknown name colour (character 1 of the expression)"},
		{"expr not a condition", rule(`{id: R9, expr: "value_per_kg * 2"}`), "it gives a number, not true or false"},
		{"expr string plus number", rule(`{id: R9, expr: "origin + 1 > 2"}`), "mismatched types"},
		{"field criteria in a simulation", rule(`{id: F1, score: 1, when: {field: {name: office, in: ["1"]}}}`), "work in pilotsim backtest (--rules) only"},
		{"history criteria in a simulation", rule(`{id: H1, score: 1, when: {history: {key: [importer], min_count: 2}}}`), "work in pilotsim backtest (--rules) only"},
		{"random for green", []string{"selectivity.random={green: {rate: 0.1}}"}, `got "green"`},
		{"random rates above 1", []string{"selectivity.random={red: {rate: 0.6}, blue: {rate: 0.6}}"}, "add up to 1.2"},
		{"expected rate out of range", []string{"selectivity.expected={red: 1.5}"}, "probability in [0,1]"},
		{"max_hits count 0", []string{"selectivity.max_hits={count: 0}"}, "want a count of rules hit >= 1"},
		{"max_hits count above the rules", []string{"selectivity.max_hits={count: 3}"}, "want at most the number of rules (1)"},
		{"max_hits lane blue", []string{"selectivity.max_hits={count: 1, lane: blue}"}, `want red or yellow, got "blue"`},
		{"prevalences above 1", []string{"threats=[{name: a, prevalence: 0.7}, {name: b, prevalence: 0.6}]"}, "add up to 1.3"},
		{"prevalences times the AEO factor above 1", []string{"traders.aeo_prevalence_factor=3", "threats=[{name: a, prevalence: 0.4}]"}, "times aeo_prevalence_factor"},
		{"duplicate threat", []string{"threats=[{name: a, prevalence: 0.1}, {name: a, prevalence: 0.1}]"}, `duplicate threat name "a"`},
		{"bad signature origin", []string{"threats[narcotics].signature={origin: {XX: 2}}"}, `"XX" is not an ISO 3166-1`},
		{"signature that rules out every origin", []string{"threats[narcotics].signature={origin: {CN: 0, US: 0}}"}, "leave no country of origin with a weight"},
		{"signature that rules out every chapter", []string{"trade.hs_chapters={\"08\": 1, \"61\": 2}", "threats[narcotics].signature={hs_chapter: {\"08\": 0, \"61\": 0}}"}, "leave no HS chapter with a weight"},
		{"signature that rules out every hub", []string{"trade.routing={share: 0.1, hubs: {PA: 1}}", "threats[narcotics].signature={hub: {PA: 0}}"}, "leave no hub with a weight"},
		{"unknown mode in traffic", []string{"traffic.ship={rate: 1}"}, `"ship" is not a transport mode`},
		{"profile of the wrong length", []string{"traffic.sea.hourly=[1, 2]"}, "want 24 weights"},
		{"routing without hubs", []string{"trade.routing={share: 0.2}"}, "missing; want weights by hub country"},
		{"no value per kg", []string{"trade.value_per_kg=null"}, "missing; want value per kg"},
		{"no horizon", []string{"horizon=0"}, "want a simulated time > 0"},
		{"unknown pool in route", []string{"resources.red=[xray]"}, `no pool named "xray"`},
		{"default route needs nii", []string{"resources.pools=[{name: document, servers: 1, service: {dist: exp, mean: 20m}}, {name: physical, servers: 1, service: {dist: exp, mean: 2h}}]"}, "needs pools named nii"},
		{"unknown method", []string{"resources.pools[document].method=dogs"}, `want document, nii or physical, got "dogs"`},
		{"no servers", []string{"resources.pools[document].servers=0"}, "want at least 1 server"},
		{"bad service", []string{"resources.pools[document].service={dist: exp}"}, "exp distribution needs mean"},
		{"duplicate pool", []string{"resources.pools[nii].name=document"}, `duplicate pool name "document"`},
		{"unknown lane target", []string{"targets.lanes={purple: 1h}"}, `got "purple"`},
		{"route too long", []string{"resources.yellow=[document, nii, physical, document, nii, physical, document]"}, "a route visits at most 6"},
		{"warm-up past horizon", []string{"warmup=2d"}, "shorter than the horizon"},
		{"false alarm above 1", []string{"resources.pools[nii].false_alarm=1.5"}, "probability in [0,1]"},
		{"hours open == close", []string{"resources.pools[document].hours={open: 8h, close: 8h}"}, "closing equals opening"},
		{"more rule routes than reported unions allow", []string{
			"resources.pools=[{name: document, servers: 1, service: {dist: exp, mean: 20m}}, {name: nii, servers: 1, service: {dist: exp, mean: 10m}}, {name: physical, servers: 1, service: {dist: exp, mean: 2h}}, {name: agency, method: document, servers: 1, service: {dist: exp, mean: 1h}}]",
			"rules=[" + strings.Join([]string{
				"{id: A, expr: aeo, route: [document]}", "{id: B, expr: aeo, route: [nii]}", "{id: C, expr: aeo, route: [physical]}",
				"{id: D, expr: aeo, route: [agency]}", "{id: E, expr: aeo, route: [document, nii]}", "{id: F, expr: aeo, route: [document, physical]}",
				"{id: G, expr: aeo, route: [document, agency]}", "{id: H, expr: aeo, route: [nii, physical]}", "{id: I, expr: aeo, route: [nii, agency]}",
			}, ", ") + "]"}, "the rules name 9 different routes"},
		{"history key part", []string{"rules=[{id: H1, score: 1, when: {history: {key: [\"hs:x\"], min_count: 1}}}]"}, "work in pilotsim backtest"},
	} {
		_, err := Parse("minimal.yaml", base, tc.sets)
		if err == nil {
			t.Errorf("%s: loads without error", tc.why)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q does not say %q", tc.why, msg, tc.want)
		}
		// A value the --set removed (null) is reported where its section
		// is written in the file.
		if !strings.Contains(msg, "minimal.yaml: --set ") && !regexp.MustCompile(`minimal\.yaml:\d+:\d+: `).MatchString(msg) {
			t.Errorf("%s: error %q names neither the --set nor a line", tc.why, msg)
		}
	}
}

// TestRulesFileHistoryKey: a history key part "name:n" needs n >= 1, checked
// when a rules file is loaded.
func TestRulesFileHistoryKey(t *testing.T) {
	src := "rules:\n  - {id: H1, score: 1, when: {history: {key: [\"hs:x\"], min_count: 1}}}\nselectivity: {red: 1}\n"
	_, err := ParseRules("r.yaml", []byte(src), nil)
	if err == nil || !strings.Contains(err.Error(), `r.yaml:2:47: rules[0].when.history.key[0]: history key part "hs:x": after ':' expected a number of characters >= 1`) {
		t.Errorf("got %v", err)
	}
	src = "traders: {count: 50}\nrules:\n  - {id: T1, score: 1, when: {trader: [T000051]}}\nselectivity: {red: 1}\n"
	if _, err := ParseRules("r.yaml", []byte(src), nil); err == nil || !strings.Contains(err.Error(), "r.yaml:3:40") || !strings.Contains(err.Error(), "population of 50") {
		t.Errorf("a trader past a rules file's population: %v", err)
	}
	src = "rules:\n  - {id: T1, score: 1, when: {trader: [T1048577]}}\nselectivity: {red: 1}\n"
	if _, err := ParseRules("r.yaml", []byte(src), nil); err == nil || !strings.Contains(err.Error(), "population of 1048576") {
		t.Errorf("a trader past the backtest population: %v", err)
	}
}
