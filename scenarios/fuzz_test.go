package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the loader arbitrary files and --set overrides. It must
// never panic; it returns either a scenario that keeps Load's promises (every
// distribution gives a sampler, defaults filled in) or a non-empty *ErrorList
// naming the file, and the same input always gives the same answer.
func FuzzParse(f *testing.F) {
	var files []string
	for _, g := range []string{"testdata/*.yaml", "testdata/errors/*.yaml", "examples/*.yaml"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "selectivity.red=50")
	}
	f.Add([]byte("a: &a [*a, *a]\n"), "a=1")
	f.Add([]byte("x: &x {<<: *x}\n"), "threats[x].name=1")
	f.Add([]byte("{"), "")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		sc, err := Parse("fuzz.yaml", data, sets)
		_, err2 := Parse("fuzz.yaml", data, sets)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("two parses differ:\n%v\n---\n%v", err, err2)
		}
		if err != nil {
			var list *ErrorList
			if !errors.As(err, &list) || len(*list) == 0 {
				t.Fatalf("error %T %v, want a non-empty *ErrorList", err, err)
			}
			for _, e := range *list {
				if e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("bad error %+v", e)
				}
			}
			return
		}
		if sc.Replications < 1 || !(sc.Horizon > 0) || sc.Name == "" {
			t.Fatalf("valid scenario with replications %d, horizon %v, name %q", sc.Replications, sc.Horizon, sc.Name)
		}
		dists := []Dist{sc.Trade.ValuePerKg, sc.Trade.Weight, sc.Selectivity.Assessment}
		for _, m := range sc.Traffic {
			dists = append(dists, m.LodgementLead)
		}
		for _, p := range sc.Resources.Pools {
			dists = append(dists, p.Service)
		}
		for _, th := range sc.Threats {
			if th.Duty != nil {
				dists = append(dists, *th.Duty)
			}
		}
		for _, d := range dists {
			if _, err := d.Sampler(); err != nil {
				t.Fatalf("valid scenario with a bad distribution %+v: %v", d, err)
			}
		}
	})
}

// FuzzSet applies arbitrary --set overrides (one or two) to the seaport
// example: never a panic, and every problem names the --set it came from
// (or a line of the file), never a bare message.
func FuzzSet(f *testing.F) {
	data, err := os.ReadFile("examples/seaport.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"selectivity.red=50", "traders.count=1e9", "horizon=[1d", "threats[narcotics].prevalence=2",
		"resources.pools[document].hours={open: 8h}", "rules[0].expr=int(origin)", "traffic.sea.hourly=[1e308]", "a.b.c[=x", "=", "name=\xff"} {
		f.Add(s, "seed=1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		_, err := Parse("seaport.yaml", data, []string{a, b})
		if err == nil {
			return
		}
		var list *ErrorList
		if !errors.As(err, &list) || len(*list) == 0 {
			t.Fatalf("not an ErrorList: %v", err)
		}
		for _, e := range *list {
			if e.Set == "" && e.Line == 0 && e.File == "" {
				t.Fatalf("a problem with no place: %v", e)
			}
			if len(e.Error()) > 4000 {
				t.Fatalf("a message of %d bytes", len(e.Error()))
			}
		}
	})
}
