package sim

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"pilotsim/scenarios"
)

// FuzzCompile feeds scenario files and --set overrides through
// scenarios.Parse and Compile: Compile trusts a validated scenario, so a
// scenario Parse accepts must compile, and its first consignments must go
// through the generator and the risk engine (expression rules included)
// without a panic; the pre-run estimate must be finite.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("../scenarios/examples/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "selectivity.red=50")
		f.Add(data, "traders.count=1")
	}
	f.Add([]byte("name: x\nhorizon: 1d\ntraffic: {sea: {rate: 1}}\ntraders: {count: 1}\ntrade: {origins: {CN: 1}, hs_chapters: {all: 1}, value_per_kg: {dist: const, value: 1}}\nresources: {pools: [{name: document, servers: 1, service: {dist: exp, mean: 1m}}], red: [document]}\nrules: [{id: E, expr: 'int(hs) > 0', score: 1}]\n"), "rules[E].expr=chapter % 2 == 0")
	// The checks that moved from the engine into validation: signatures that
	// leave a threat nowhere, trader ids, expressions, routes.
	small, err := os.ReadFile("../cmd/pilotsim/testdata/small.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, set := range []string{
		"threats[narcotics].signature.origin={CN: 0, DE: 0, CO: 0, TR: 0, NL: 0}",
		"threats[narcotics].signature.hs_chapter={\"08\": 0, \"61\": 0, \"84\": 0, \"85\": 0, \"93\": 0}",
		"threats[narcotics].signature.hub={PA: 0, AE: 0}",
		"rules[R1].when={trader: [T000301]}",
		"rules[R1].when={trader: [T000300]}",
		"rules[R1].expr=origin + 1 > 2",
		"resources.red=[nii, nii]",
		"resources.pools[nii].hours={open: 22h, close: 6h, days: [sun]}",
		"traffic.sea.hourly=[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1e-300]",
		"trade.hs_chapters={all: 0, \"08\": 1e-300}",
	} {
		f.Add(small, set)
	}
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		sc, err := scenarios.Parse("fuzz.yaml", data, sets)
		if err != nil {
			return
		}
		m, err := Compile(sc)
		if err != nil {
			t.Fatalf("Parse accepted a scenario Compile refuses: %v", err)
		}
		if _, err := m.borderConfig(); err != nil {
			t.Fatalf("Parse accepted a scenario whose border does not compile: %v", err)
		}
		est := EstimateRun(m, 1, 1)
		if !(est.Bytes > 0) || est.Bytes != est.Bytes {
			t.Fatalf("estimate %+v", est)
		}
		if est.Consignments > 1e6 {
			return // too big to run in a fuzz iteration
		}
		_ = m.ProbeRules(context.Background(), 500) // a RuleError is fine; a panic is not
		g := m.NewGenerator()
		var c Consignment
		for i := 0; i < 500 && g.Next(&c); i++ {
		}
	})
}
