package sim

import (
	"math"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// TestBorderGroups checks the metrics by group (AEO status, lodgement before
// or after arrival, mode) by hand: a one-officer document check of 60 min,
// overall target 2 h, warm-up 100 min, horizon 1000 min, no drain (what is
// in the system at the horizon stays unreleased and is late for every target).
func TestBorderGroups(t *testing.T) {
	sc := borderTestScenario(1000, 100, borderTestConstPool("document", 1, 60))
	sc.Drain = borderNoDrain()
	sc.Targets.Overall = 120
	sc.Threats = []scenarios.Threat{{Name: "x", Detection: scenarios.Detection{Document: 1}}}
	sc.Traffic = map[string]scenarios.ModeTraffic{"sea": {Rate: 1}, "air": {Rate: 1}}
	const sea, air = datamodel.ModeSea, datamodel.ModeAir
	feed := func(b *border) {
		b.reset(0, nil)
		for i, c := range []struct {
			arrival, lodgement, laneAt float64
			lane                       Lane
			aeo                        bool
			mode                       datamodel.Mode
			threat                     int8
		}{
			// Before the warm-up: occupies the officer 50-110, counts nowhere.
			{50, 50, 50, Yellow, false, sea, NoThreat},
			// A: green, released on arrival (0 min).
			{100, 40, 100, Green, true, sea, NoThreat},
			// B: lodged after arrival, green at 180 (70 min).
			{110, 170, 180, Green, false, air, NoThreat},
			// C: irregular, checked 200-260 (60 min) and found.
			{200, 150, 200, Yellow, false, air, 0},
			// D: lodged exactly on arrival (pre-arrival), waits, 260-320 (110 min).
			{210, 210, 210, Yellow, true, sea, NoThreat},
			// E: lodged after arrival, ready at 420, 420-480 (180 min, late).
			{300, 400, 420, Yellow, false, sea, NoThreat},
			// F: lane assigned after the horizon; age 300 min: late.
			{700, 600, 2000, Green, false, sea, NoThreat},
			// G: irregular, checked 950-1010, in service at the horizon:
			// unreleased, so late, and not found.
			{950, 900, 950, Red, true, air, 0},
		} {
			cs := Consignment{Seq: uint64(i), Arrival: c.arrival, Lodgement: c.lodgement, LaneAt: c.laneAt,
				Lane: c.lane, Mode: c.mode, Threat: c.threat}
			if c.aeo {
				cs.Flags |= FlagAEO
			}
			b.add(&cs)
		}
		b.finish()
	}
	b := newBorder(borderTestCompile(t, sc))
	feed(b)
	nan := math.NaN()
	// Release times (min) of those counted: A 0, B 70, C 60, D 110, E 180;
	// F and G still in the system.
	for _, tc := range []struct {
		name  string
		want  float64
		quant bool // a histogram quantile: within BorderHistRelError
	}{
		{"consignments", 7, false},
		{"share.aeo", 3.0 / 7, false},         // A D G
		{"share.pre_arrival", 5.0 / 7, false}, // A C D F G
		{"inspection_rate.aeo", 2.0 / 3, false},
		{"inspection_rate.non_aeo", 2.0 / 4, false},
		{"hit_rate.aeo", 0, false}, // G not found by the horizon
		{"hit_rate.non_aeo", 1.0 / 2, false},
		// AEO: A 0, D 110.
		{"release.aeo.mean", 55.0 / 60, false},
		{"release.aeo.median", 0, true},
		{"release.aeo.p90", 110.0 / 60, true},
		{"release.aeo.p95", 110.0 / 60, true},
		{"release.aeo.within_target", 2.0 / 3, false}, // G late
		// Non-AEO: C 60, B 70, E 180; F late.
		{"release.non_aeo.mean", 310.0 / 3 / 60, false},
		{"release.non_aeo.median", 70.0 / 60, true},
		{"release.non_aeo.p90", 3, true},
		{"release.non_aeo.within_target", 2.0 / 4, false},
		// Pre-arrival: A 0, C 60, D 110; F and G late.
		{"release.pre_arrival.mean", 170.0 / 3 / 60, false},
		{"release.pre_arrival.median", 1, true},
		{"release.pre_arrival.p95", 110.0 / 60, true},
		{"release.pre_arrival.within_target", 3.0 / 5, false},
		// Post-arrival: B 70, E 180.
		{"release.post_arrival.mean", 125.0 / 60, false},
		{"release.post_arrival.median", 70.0 / 60, true},
		{"release.post_arrival.p90", 3, true},
		{"release.post_arrival.within_target", 1.0 / 2, false},
		// Sea: A 0, D 110, E 180; F late. Air: C 60, B 70.
		{"release.sea.mean", 290.0 / 3 / 60, false},
		{"release.sea.median", 110.0 / 60, true},
		{"release.sea.within_target", 2.0 / 4, false},
		{"release.air.mean", 65.0 / 60, false},
		{"release.air.median", 1, true},
		{"release.air.p90", 70.0 / 60, true},
		{"release.air.within_target", 2.0 / 3, false}, // G late
		{"release.all.within_target", 4.0 / 7, false},
		{"release.road.mean", nan, false}, // no road traffic: no such metric
	} {
		if math.IsNaN(tc.want) {
			for _, d := range b.cfg.defs {
				if d.Name() == tc.name {
					t.Errorf("%s: a metric of a mode without traffic", tc.name)
				}
			}
			continue
		}
		got := borderMetric(t, b, tc.name)
		tol := 1e-12
		if tc.quant {
			tol = tc.want * BorderHistRelError
		}
		if math.Abs(got-tc.want) > tol {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}

	// With one mode, its group is every consignment: its figures are
	// those of all, whatever Mode says.
	sc.Traffic = map[string]scenarios.ModeTraffic{"rail": {Rate: 1}}
	one := newBorder(borderTestCompile(t, sc))
	feed(one)
	for _, s := range []string{"mean", "median", "p90", "p95", "within_target"} {
		if got, want := borderMetric(t, one, "release.rail."+s), borderMetric(t, one, "release.all."+s); got != want {
			t.Errorf("one mode: release.rail.%s = %v, release.all.%s = %v", s, got, s, want)
		}
	}
	if got, want := borderMetric(t, one, "release.aeo.mean"), 55.0/60; got != want {
		t.Errorf("one mode: release.aeo.mean = %v, want %v", got, want)
	}
}
