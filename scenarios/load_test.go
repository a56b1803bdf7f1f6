package scenarios

import (
	"errors"
	"fmt"
	"os"
	"strings"
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

// TestLoadRules checks the rules-file form backtest uses: a file with only
// rules and selectivity loads with LoadRules (and takes its name from the
// file), the same file is incomplete as a scenario, a whole scenario is
// accepted, and mistakes in the rules are still reported.
func TestLoadRules(t *testing.T) {
	sc, err := LoadRules("testdata/rules_only.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "rules_only" || len(sc.Rules) != 3 || *sc.Selectivity.Red != 60 || sc.Rules[2].Line != 6 {
		t.Errorf("got name %q, %d rules, red %v, line %d", sc.Name, len(sc.Rules), *sc.Selectivity.Red, sc.Rules[2].Line)
	}
	if _, err := Load("testdata/rules_only.yaml", nil); err == nil || !strings.Contains(err.Error(), "traffic: missing") {
		t.Errorf("Load of a rules file: got %v, want traffic missing", err)
	}
	if _, err := LoadRules("examples/reference.yaml", nil); err != nil {
		t.Errorf("LoadRules of a whole scenario: %v", err)
	}
	_, err = LoadRules("testdata/rules_only.yaml", []string{"rules[R01].when.origin=[XX]", "selectivity.yellow=70"})
	want := "testdata/rules_only.yaml: --set rules[R01].when.origin: rules[0].when.origin[0]: \"XX\" is not an ISO 3166-1 alpha-2 country code\n" +
		"testdata/rules_only.yaml: --set selectivity.yellow: want the yellow threshold <= the red threshold (60), got 70"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// TestAllErrorsReported checks that problems in every section of one file are
// all reported, in file order, not only the first.
func TestAllErrorsReported(t *testing.T) {
	_, err := Load("testdata/errors/out_of_range.yaml", nil)
	var list *ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want *ErrorList", err)
	}
	sections := map[string]bool{}
	last := 0
	for _, e := range *list {
		sections[strings.FieldsFunc(e.Path, func(r rune) bool { return r == '.' || r == '[' })[0]] = true
		if e.Line < last {
			t.Errorf("line %d listed after line %d", e.Line, last)
		}
		last = e.Line
	}
	for _, s := range []string{"warmup", "replications", "traffic", "traders", "trade", "threats", "selectivity", "resources", "targets"} {
		if !sections[s] {
			t.Errorf("no error reported in section %s", s)
		}
	}
	if len(*list) < 20 {
		t.Errorf("%d errors, want every one of the file's 28 problems", len(*list))
	}
}

func TestEmptyAndOdd(t *testing.T) {
	for _, c := range []struct {
		why, src, want string
	}{
		{"an empty file names what is missing", "", "empty.yaml:1:1: name: missing"},
		{"a second document is refused", "name: a\n---\nname: b\n", "empty.yaml:2:1: a scenario file holds one YAML document"},
		{"a null top level is an empty scenario", "~\n", "name: missing"},
		{"a key only holding an anchor is still unknown", "name: x\nbase: &b {rate: 1}\n", "unknown field \"base\""},
	} {
		_, err := Parse("empty.yaml", []byte(c.src), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.why, err, c.want)
		}
	}
}

// TestMergeKey checks YAML merge keys ("<<"), which analysts use to share
// pool settings: merged fields apply, keys written beside them win.
func TestMergeKey(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data),
		"    - {name: physical, servers: 2, service: {dist: exp, mean: 2h}}",
		"    - &team {name: physical, servers: 2, service: {dist: exp, mean: 2h}}\n    - {<<: *team, name: physical2, method: physical, servers: 5}", 1)
	sc, err := Parse("merge.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := sc.Resources.Pools[3]
	if p.Name != "physical2" || p.Servers != 5 || *p.Service.Mean != 120 {
		t.Errorf("merged pool = %+v", p)
	}
}

// TestAliasBomb: nested aliases that would expand to billions of values stop
// at a budget with an error instead of running for ever.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: x\nhorizon: 1d\nrules:\n  - id: l0\n    when: &l0 {origin: [CN]}\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&b, "  - id: l%d\n    when: &l%d {all: [", i, i)
		for j := 0; j < 9; j++ {
			fmt.Fprintf(&b, "*l%d, ", i-1)
		}
		b.WriteString("{}]}\n")
	}
	_, err := Parse("bomb.yaml", []byte(b.String()), nil)
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Fatalf("got %v, want document too large", err)
	}
}
