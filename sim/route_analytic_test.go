package sim

import (
	"context"
	"math"
	"testing"

	"pilotsim/scenarios"
)

// TestRuleRoutesAnalytic checks hit rate and detection by route against a
// hand computation. A threat of prevalence 2% with no signature: whether a
// consignment is irregular does not depend on its origin. Rule SEC selects
// Colombia (20% of the trade) and routes it to the scanner, then physical
// examination on an alarm; rule FIS selects Brazil (10%) on the red lane's
// route, physical examination. Detection: scanner 0.8 (false alarms 10%),
// physical 0.9. On [nii, physical] an irregular consignment is found with
// 0.8 + 0.2 × 0.1 × 0.9 = 0.818; on [physical] with 0.9. So: inspection
// 20% and 10%, hit rate 2% × 0.818 = 1.636% and 1.8%, detection (share of
// all irregular) 20% × 0.818 = 16.36% and 10% × 0.9 = 9%.
func TestRuleRoutesAnalytic(t *testing.T) {
	src := `name: route-toy
horizon: 30d
replications: 3
seed: 11
traffic:
  sea: {rate: 100}
traders: {count: 1000, zipf: 0.5, aeo_share: 0, new_share: 0}
trade:
  origins: {CN: 70, CO: 20, BR: 10}
  hs_chapters: {all: 1}
  value_per_kg: {dist: lognormal, median: 5, sigma: 1}
threats:
  - name: narcotics
    prevalence: 0.02
    detection: {document: 0, nii: 0.8, physical: 0.9}
rules:
  - {id: SEC, score: 60, when: {origin: [CO]}, route: [nii, physical]}
  - {id: FIS, score: 60, when: {origin: [BR]}}
selectivity: {red: 60}
resources:
  pools:
    - {name: document, servers: 50, service: {dist: exp, mean: 5m}}
    - {name: nii, servers: 50, service: {dist: exp, mean: 5m}, false_alarm: 0.1}
    - {name: physical, servers: 200, service: {dist: exp, mean: 30m}}
  red: [physical]
`
	sc, err := scenarios.Parse("route-toy.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := engCompile(t, sc)
	reps, err := Run(context.Background(), m, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defs := m.Metrics()
	mean := func(name string) float64 {
		for i, d := range defs {
			if d.Name() == name {
				s := 0.0
				for _, r := range reps {
					s += r.Values[i]
				}
				return s / float64(len(reps))
			}
		}
		t.Fatalf("no metric %s", name)
		return 0
	}
	n := 100 * 24 * 30 * 3.0 // consignments in all replications
	for _, c := range []struct {
		metric string
		want   float64
		trials float64 // the count the figure is a share of
	}{
		{"inspection_rate.route.nii+physical", 0.20, n},
		{"inspection_rate.route.physical", 0.10, n},
		{"hit_rate.route.nii+physical", 0.02 * 0.818, 0.20 * n},
		{"hit_rate.route.physical", 0.02 * 0.9, 0.10 * n},
		{"detection_rate.route.nii+physical", 0.20 * 0.818, 0.02 * n},
		{"detection_rate.route.physical", 0.10 * 0.9, 0.02 * n},
	} {
		got := mean(c.metric)
		se := math.Sqrt(c.want * (1 - c.want) / c.trials)
		if math.Abs(got-c.want) > 4*se {
			t.Errorf("%s: got %.5f, want %.5f ± %.5f (4 binomial standard errors)", c.metric, got, c.want, 4*se)
		}
	}
}
