package scenarios

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// TestExamplesLoad: every shipped example scenario is valid.
func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("examples/*.yaml")
	admin, _ := filepath.Glob("examples/administrations/*.yaml")
	files = append(files, admin...)
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v, %v", files, err)
	}
	for _, f := range files {
		sc, err := Load(f, nil)
		if err != nil {
			t.Errorf("%s:\n%v", f, err)
			continue
		}
		// Shipped examples measure whole weeks: no warning.
		if w := sc.Warnings(); len(w) > 0 {
			t.Errorf("%s: warnings %q", f, w)
		}
	}
}

// comparable returns sc without what a variant may change besides its
// measure: name, description, file path and line numbers.
func comparable(sc *Scenario) *Scenario {
	c := *sc
	c.Name, c.Description, c.Path = "", "", ""
	c.Threats = append([]Threat(nil), sc.Threats...)
	for i := range c.Threats {
		c.Threats[i].Line = 0
	}
	c.Rules = append([]Rule(nil), sc.Rules...)
	for i := range c.Rules {
		c.Rules[i].Line = 0
	}
	c.Resources.Pools = append([]Pool(nil), sc.Resources.Pools...)
	for i := range c.Resources.Pools {
		c.Resources.Pools[i].Line = 0
	}
	return &c
}

// TestVariantsDifferOnlyInTheMeasure: each variant of seaport.yaml is the
// baseline with only its measure changed (same seed, same traffic, same
// threats), so compare measures it with common random numbers. The test
// puts the measure's values back to the baseline's and wants the rest equal.
func TestVariantsDifferOnlyInTheMeasure(t *testing.T) {
	base, err := Load("examples/seaport.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		undo func(v, base *Scenario)
	}{
		{"aeo-programme.yaml", func(v, base *Scenario) {
			v.Traders.AEOShare = base.Traders.AEOShare
			v.Selectivity.AEODiscount = base.Selectivity.AEODiscount
			v.Selectivity.Random = base.Selectivity.Random
			v.Selectivity.ExpectedAEOExempt = base.Selectivity.ExpectedAEOExempt
			v.Selectivity.Expected = base.Selectivity.Expected // scaled to the non-AEO share
		}},
		{"nii-pilot.yaml", func(v, base *Scenario) {
			v.Resources.Pools = append(v.Resources.Pools[:1:1], v.Resources.Pools[2:]...) // the scanner
			v.Resources.Red = base.Resources.Red
			v.Resources.RedPhysicalOnAlarm = base.Resources.RedPhysicalOnAlarm
			for i := range v.Rules {
				v.Rules[i].Route = nil // security rules routed to the scanner
			}
		}},
		{"advance-information.yaml", func(v, base *Scenario) {
			v.Traffic = base.Traffic
		}},
	} {
		v, err := Load(filepath.Join("examples", c.file), nil)
		if err != nil {
			t.Fatal(err)
		}
		if v.Seed != base.Seed {
			t.Errorf("%s: seed %d, want the baseline's %d", c.file, v.Seed, base.Seed)
		}
		if reflect.DeepEqual(comparable(v), comparable(base)) {
			t.Errorf("%s: identical to the baseline; where is the measure?", c.file)
		}
		c.undo(v, base)
		if !reflect.DeepEqual(comparable(v), comparable(base)) {
			t.Errorf("%s differs from seaport.yaml in more than its measure", c.file)
		}
	}
}

// ExampleLoad loads a scenario, overriding one value from the command line.
func ExampleLoad() {
	sc, err := Load("examples/seaport.yaml", []string{"resources.pools[physical].servers=30"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d rules, %d threats, %d replications of %s\n",
		sc.Name, len(sc.Rules), len(sc.Threats), sc.Replications, FormatDuration(float64(sc.Horizon)))
	p := sc.Resources.Pools[1]
	fmt.Printf("pool %s (line %d): %d servers, mean service %s, open %s-%s %v\n",
		p.Name, p.Line, p.Servers, FormatDuration(*p.Service.Mean),
		FormatDuration(float64(p.Hours.Open)), FormatDuration(float64(p.Hours.Close)), p.Hours.Days)
	// Output:
	// seaport: 13 rules, 5 threats, 10 replications of 35d
	// pool physical (line 202): 30 servers, mean service 2h, open 7h-19h [mon tue wed thu fri sat]
}

// ExampleParse shows the error list: every problem, with line, column, field
// path and what was expected.
func ExampleParse() {
	_, err := Parse("port.yaml", []byte(`name: port
horizon: 30 days
traffic:
  sea: {rate: 100, lodgement_lead: {dist: exp}}
traders: {count: 500, aeo_share: 1.4}
trade: {origins: {CN: 1, XX: 2}, hs_chapters: {all: 1}, value_per_kg: {dist: lognormal, median: 5, sigma: 1}}
resources:
  pools: [{name: document, servers: 2, service: {dist: exp, mean: 20m}}]
`), []string{"selectivity.red=high"})
	fmt.Println(err)
	// Output:
	// port.yaml:2:10: horizon: want a duration like 90s, 20m, 3h, 2d or a number of minutes, got "30 days"
	// port.yaml:4:36: traffic.sea.lodgement_lead: exp distribution needs mean
	// port.yaml:5:34: traders.aeo_share: want a probability in [0,1], got 1.4
	// port.yaml:6:26: trade.origins.XX: "XX" is not an ISO 3166-1 alpha-2 country code
	// port.yaml:8:3: resources.red: the default red route [nii, physical] needs pools named nii and physical; add them, or set resources.red to the pools red consignments visit (have document)
	// port.yaml: --set selectivity.red: want a number, got "high"
}
