package scenarios

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func loadMinimal(t *testing.T, sets ...string) *Scenario {
	t.Helper()
	sc, err := Load("testdata/minimal.yaml", sets)
	if err != nil {
		t.Fatalf("--set %q: %v", sets, err)
	}
	return sc
}

// TestSet checks that each kind of --set path reaches the value it names:
// fields, map keys (existing and new), list elements by index and by name or
// id, whole values written as YAML flow, and sections absent from the file.
func TestSet(t *testing.T) {
	for _, c := range []struct {
		why  string
		sets []string
		get  func(*Scenario) any
		want any
	}{
		{"a threshold in the file", []string{"selectivity.red=50"},
			func(s *Scenario) any { return *s.Selectivity.Red }, 50.0},
		{"a field absent from the file", []string{"selectivity.yellow=30"},
			func(s *Scenario) any { return *s.Selectivity.Yellow }, 30.0},
		{"the last --set of a path wins", []string{"selectivity.red=50", "selectivity.red=70"},
			func(s *Scenario) any { return *s.Selectivity.Red }, 70.0},
		{"a field inside a map entry", []string{"traffic.sea.rate=20"},
			func(s *Scenario) any { return s.Traffic["sea"].Rate }, 20.0},
		{"a new map entry", []string{"traffic.air.rate=5"},
			func(s *Scenario) any { return s.Traffic["air"].Rate }, 5.0},
		{"a new map entry gets its defaults", []string{"traffic.air.rate=5"},
			func(s *Scenario) any { return s.Traffic["air"].LodgementLead.Kind }, "const"},
		{"a list element by index", []string{"threats[0].prevalence=0.01"},
			func(s *Scenario) any { return s.Threats[0].Prevalence }, 0.01},
		{"a list element by name", []string{"threats[narcotics].prevalence=0.02"},
			func(s *Scenario) any { return s.Threats[0].Prevalence }, 0.02},
		{"a list element by id", []string{"rules[R1].score=15"},
			func(s *Scenario) any { return s.Rules[0].Score }, 15.0},
		{"a pool by name", []string{"resources.pools[nii].servers=5"},
			func(s *Scenario) any { return s.Resources.Pools[1].Servers }, 5},
		{"an existing map key", []string{"trade.origins.CN=7"},
			func(s *Scenario) any { return s.Trade.Origins["CN"] }, 7.0},
		{"a new map key keeps the others", []string{"trade.origins.DE=2"},
			func(s *Scenario) any { return len(s.Trade.Origins) }, 3},
		{"a whole map in flow style replaces it", []string{"trade.origins={CN: 1}"},
			func(s *Scenario) any { return len(s.Trade.Origins) }, 1},
		{"a duration", []string{"horizon=2d"},
			func(s *Scenario) any { return float64(s.Horizon) }, 2 * 24 * 60.0},
		{"a plain number is minutes", []string{"warmup=90"},
			func(s *Scenario) any { return float64(s.Warmup) }, 90.0},
		{"a distribution", []string{"resources.pools[document].service={dist: gamma, mean: 1h, cv: 0.5}"},
			func(s *Scenario) any { return *s.Resources.Pools[0].Service.Mean }, 60.0},
		{"a distribution quantity", []string{"resources.pools[document].service.mean=30m"},
			func(s *Scenario) any { return *s.Resources.Pools[0].Service.Mean }, 30.0},
		{"nested sections created on the way", []string{"selectivity.random.red.rate=0.02"},
			func(s *Scenario) any { return s.Selectivity.Random["red"].Rate }, 0.02},
		{"a list in flow style", []string{"rules[0].when.origin=[CO, EC]"},
			func(s *Scenario) any { return strings.Join(s.Rules[0].When.Origin, ",") }, "CO,EC"},
		{"a pointer section with defaults", []string{"resources.pools[physical].hours={open: 8h, close: 18h}"},
			func(s *Scenario) any { return len(s.Resources.Pools[2].Hours.Days) }, 7},
		{"a string", []string{"name=other"},
			func(s *Scenario) any { return s.Name }, "other"},
		{"an integer", []string{"replications=3"},
			func(s *Scenario) any { return s.Replications }, 3},
		{"a value with = in it", []string{`rules[R1]={id: R1, score: 5, expr: 'origin == "CO"'}`},
			func(s *Scenario) any { return s.Rules[0].Expr }, `origin == "CO"`},
		{"a quoted empty text clears an optional field", []string{`description=""`},
			func(s *Scenario) any { return s.Description }, ""},
	} {
		t.Run(c.why, func(t *testing.T) {
			sc := loadMinimal(t, c.sets...)
			if got := c.get(sc); got != c.want {
				t.Errorf("--set %q: got %v, want %v", c.sets, got, c.want)
			}
		})
	}
}

// TestSetThroughAlias checks that overriding a value the file shares through
// an anchor changes only the place named.
func TestSetThroughAlias(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), "service: {dist: exp, mean: 20m}", "service: &svc {dist: exp, mean: 20m}", 1)
	src = strings.Replace(src, "service: {dist: exp, mean: 2h}", "service: *svc", 1)
	sc, err := Parse("alias.yaml", []byte(src), []string{"resources.pools[physical].service.mean=2h"})
	if err != nil {
		t.Fatal(err)
	}
	if got := *sc.Resources.Pools[0].Service.Mean; got != 20 {
		t.Errorf("document service mean = %v, want 20 (only the physical pool was overridden)", got)
	}
	if got := *sc.Resources.Pools[2].Service.Mean; got != 120 {
		t.Errorf("physical service mean = %v, want 120", got)
	}
}

// TestSetValidated checks that a --set value is validated like the file and
// reported at the --set, not at a line of the file.
func TestSetValidated(t *testing.T) {
	_, err := Load("testdata/minimal.yaml", []string{"threats[0].prevalence=1.5"})
	var list *ErrorList
	if !errors.As(err, &list) || len(*list) != 1 {
		t.Fatalf("got %v, want one error", err)
	}
	e := (*list)[0]
	want := Error{File: "testdata/minimal.yaml", Set: "threats[0].prevalence", Path: "threats[0].prevalence",
		Msg: "want a probability in [0,1], got 1.5"}
	if e.File != want.File || e.Set != want.Set || e.Path != want.Path || e.Msg != want.Msg || e.Line != 0 {
		t.Errorf("got %+v, want %+v", *e, want)
	}
	if got := e.Error(); got != "testdata/minimal.yaml: --set threats[0].prevalence: want a probability in [0,1], got 1.5" {
		t.Errorf("Error() = %q", got)
	}
}

// TestSetEmptyRefused: an empty --set value (path=, or only spaces), usually
// a shell variable that was not set, is refused with the path named, and
// the file's value is not quietly replaced by the default.
func TestSetEmptyRefused(t *testing.T) {
	for _, set := range []string{"selectivity.red=", "selectivity.red=  ", "description="} {
		t.Run(set, func(t *testing.T) {
			_, err := Load("testdata/minimal.yaml", []string{set})
			var list *ErrorList
			if !errors.As(err, &list) || len(*list) != 1 {
				t.Fatalf("got %v, want one error", err)
			}
			path, _, _ := strings.Cut(set, "=")
			if e := (*list)[0]; e.Set != path || !strings.Contains(e.Msg, "the value is empty") {
				t.Errorf("got %+v, want the --set %s named and 'the value is empty'", *e, path)
			}
		})
	}
}

func TestParseSetPath(t *testing.T) {
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{"selectivity.red", true},
		{"threats[0].prevalence", true},
		{"threats[narcotics].signature.origin.CO", true},
		{"resources.pools[nii]", true},
		{"", false},
		{"a..b", false},
		{"a.", false},
		{".a", false},
		{"[0]", false},
		{"a[0", false},
		{"a[]", false},
		{"a[0]b", false},
	} {
		_, err := parseSetPath(c.path)
		if (err == nil) != c.ok {
			t.Errorf("parseSetPath(%q): err = %v, want ok = %v", c.path, err, c.ok)
		}
	}
}
