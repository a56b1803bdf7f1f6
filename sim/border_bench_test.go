package sim

import (
	"math/rand/v2"
	"testing"

	"pilotsim/scenarios"
)

// BenchmarkBorder measures the border alone (consignments made beforehand)
// with the reference scenario's resources and a lane mix like its own.
func BenchmarkBorder(b *testing.B) {
	sc := borderTestScenario(1e12, 0,
		borderTestPool("document", 4, 20), borderTestPool("nii", 3, 6), borderTestPool("physical", 10, 120))
	sc.Resources.Red = []string{"nii", "physical"}
	sc.Resources.Pools[1].FalseAlarm = 0.05
	sc.Threats = []scenarios.Threat{{Name: "x", Detection: scenarios.Detection{Document: 0.3, NII: 0.7, Physical: 0.9}}}
	cfg := borderTestCompile(b, sc)
	const n = 1 << 16
	cs := make([]Consignment, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range cs {
		c := &cs[i]
		*c = Consignment{Seq: uint64(i), Threat: NoThreat}
		switch u := r.Float64(); {
		case u < 0.05:
			c.Lane = Yellow
		case u < 0.09:
			c.Lane = Red
		}
		if r.Float64() < 0.015 {
			c.Threat = 0
		}
	}
	bd := newBorder(cfg)
	bd.reset(0, nil)
	now := 0.0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &cs[i&(n-1)]
		now += r.ExpFloat64() / 2
		c.Arrival, c.Lodgement, c.LaneAt = now, now-1440, now-1440
		bd.add(c)
	}
}
