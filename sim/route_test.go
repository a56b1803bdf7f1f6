package sim

import (
	"context"
	"math"
	"sync"
	"testing"

	"pilotsim/scenarios"
)

// routeSink records, per consignment, the rules hit, the pools visited and
// the route index.
type routeSink struct {
	mu   *sync.Mutex
	seen *[]routeSeen
}

type routeSeen struct {
	lane  Lane
	hits  RuleSet
	pools []int8
	route int8
	found bool
}

func (s routeSink) Consignment(c *Consignment, ms *Milestones) error {
	r := routeSeen{lane: c.Lane, hits: c.Hits, route: ms.Route, found: ms.Found}
	for k := int8(0); k < ms.Stages; k++ {
		r.pools = append(r.pools, ms.Pools[k])
	}
	s.mu.Lock()
	*s.seen = append(*s.seen, r)
	s.mu.Unlock()
	return nil
}

func (routeSink) Close() error { return nil }

// TestRuleRoutes: a rule's route replaces its lane's; two routed rules give
// the union in pool order; after a scan, physical examination follows only
// an alarm; the route metrics add up to the inspection and detection rates.
func TestRuleRoutes(t *testing.T) {
	sc := engScenario(40, 6)
	sc.Threats = []scenarios.Threat{{Name: "narcotics", Prevalence: 0.05,
		Signature: scenarios.Signature{Origin: map[string]float64{"CO": 20}},
		Detection: scenarios.Detection{Document: 0.1, NII: 0.7, Physical: 0.9}}}
	sc.Rules = []scenarios.Rule{
		{ID: "R1", Score: 70, When: &scenarios.Criteria{Origin: []string{"CO"}}, Route: []string{"physical", "nii"}},
		{ID: "R2", Score: 70, When: &scenarios.Criteria{HS: []string{"08", "09"}}, Route: []string{"document"}},
		{ID: "R3", Score: 70, When: &scenarios.Criteria{Origin: []string{"DE"}, HS: []string{"84"}}},
	}
	sc.Selectivity = scenarios.Selectivity{Red: engF(60), Yellow: engF(35)}
	sc.Resources = scenarios.Resources{
		Pools: []scenarios.Pool{
			{Name: "document", Servers: 50, Service: scenarios.Dist{Kind: "const", Value: engF(30)}},
			{Name: "nii", Servers: 50, Service: scenarios.Dist{Kind: "const", Value: engF(8)}},
			{Name: "physical", Servers: 50, Service: scenarios.Dist{Kind: "const", Value: engF(120)}},
		},
		Yellow: []string{"document"},
		Red:    []string{"physical"},
	}
	sc.Targets.Overall = 48 * 60
	sc.Replications = 2
	m := engCompile(t, sc)
	var seen []routeSeen
	var mu sync.Mutex
	reps, err := Run(context.Background(), m, Options{Workers: 1, Trace: func(int) TraceSink { return routeSink{&mu, &seen} }})
	if err != nil {
		t.Fatal(err)
	}
	const doc, nii, phys = 0, 1, 2
	counts := map[string]int{}
	for _, r := range seen {
		if r.lane != Red && r.lane != Yellow {
			if len(r.pools) != 0 {
				t.Fatalf("a %s consignment was controlled: %v", r.lane, r.pools)
			}
			continue
		}
		r1, r2 := r.hits.Has(0), r.hits.Has(1)
		var want []int8
		switch {
		case r1 && r2:
			counts["both"]++
			want = []int8{doc, nii} // union in pool order: document, nii, then physical on alarm
		case r1:
			counts["R1"]++
			want = []int8{nii}
		case r2:
			counts["R2"]++
			want = []int8{doc}
		case r.lane == Red:
			counts["red"]++
			want = []int8{phys}
		default:
			counts["yellow"]++
			want = []int8{doc}
		}
		got := r.pools
		if r1 && len(got) == len(want)+1 && got[len(got)-1] == phys {
			counts["R1 alarm"]++
			if !r.found {
				t.Fatalf("R1 consignment examined after a scan with no alarm (false_alarm 0): %v", got)
			}
			got = got[:len(got)-1]
		}
		if len(got) != len(want) {
			t.Fatalf("hits R1 %v R2 %v lane %s: pools %v, want %v", r1, r2, r.lane, r.pools, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("hits R1 %v R2 %v lane %s: pools %v, want %v", r1, r2, r.lane, r.pools, want)
			}
		}
	}
	for _, k := range []string{"both", "R1", "R2", "red", "R1 alarm"} {
		if counts[k] == 0 {
			t.Errorf("no consignment of kind %q: the test does not cover it (%v)", k, counts)
		}
	}
	// Route metrics: shares add up to the inspection rate, detections to
	// the detection rate.
	defs := m.Metrics()
	val := func(rep int, name string) float64 {
		for i, d := range defs {
			if d.Name() == name {
				return reps[rep].Values[i]
			}
		}
		t.Fatalf("no metric %s", name)
		return 0
	}
	for rep := range reps {
		var share, det float64
		for _, name := range []string{"document", "physical", "nii+physical", "document+nii+physical"} {
			share += val(rep, "inspection_rate.route."+name)
			det += val(rep, "detection_rate.route."+name)
		}
		if math.Abs(share-val(rep, "inspection_rate")) > 1e-12 || math.Abs(det-val(rep, "detection_rate")) > 1e-12 {
			t.Errorf("rep %d: route shares %v (inspection %v), detections %v (detection %v)", rep, share, val(rep, "inspection_rate"), det, val(rep, "detection_rate"))
		}
	}
}
