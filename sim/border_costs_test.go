package sim

import (
	"math"
	"testing"

	"pilotsim/scenarios"
)

// TestBorderCosts computes the cost metrics by hand. Window 100-1540 min
// (one day). The document pool (one officer, 60 min a check) checks the
// yellow consignments; red goes to the nii pool (one scanner, 10 min), then
// to physical only on an alarm (none: nothing is irregular, no false
// alarms). Yellow at 50 (checked 50-110: 10 busy minutes in the window, its
// start not counted), yellow at 200 (200-260), yellow at 1500 (1500-1560: 40
// minutes before the horizon... and the drain after it is outside the
// window), two red at 300 and 305 (scans 300-310 and 310-320). Officer-hours:
// (10+60+40)/60; scans: 2 (the two reds); cost at 40 an hour and 15 a scan.
// Without costs the metrics are absent.
func TestBorderCosts(t *testing.T) {
	sc := borderTestScenario(1540, 100, borderTestConstPool("document", 1, 60), borderTestConstPool("nii", 1, 10),
		borderTestConstPool("physical", 1, 120))
	sc.Resources.Pools[1].Method = "nii"
	sc.Resources.Yellow = []string{"document"}
	sc.Resources.Red = []string{"nii", "physical"}
	sc.Traffic = map[string]scenarios.ModeTraffic{"sea": {Rate: 1}}
	feed := func(b *border) {
		b.reset(0, nil)
		for i, c := range []struct {
			at   float64
			lane Lane
		}{{50, Yellow}, {200, Yellow}, {300, Red}, {305, Red}, {1500, Yellow}} {
			cs := Consignment{Seq: uint64(i), Arrival: c.at, Lodgement: c.at, LaneAt: c.at, Lane: c.lane, Threat: NoThreat}
			b.add(&cs)
		}
		b.finish()
	}
	plain := newBorder(borderTestCompile(t, sc))
	feed(plain)
	for _, d := range plain.cfg.defs {
		if d.Family == "cost" {
			t.Errorf("%s without costs in the scenario", d.Name())
		}
	}
	sc.Costs = &scenarios.Costs{OfficerHour: 40, Scan: 15}
	b := newBorder(borderTestCompile(t, sc))
	feed(b)
	hours := (10.0 + 60 + 40) / 60
	for _, tc := range []struct {
		name string
		want float64
	}{
		{"cost.officer_hours.per_day", hours},
		{"cost.scans.per_day", 2},
		{"cost.per_day", hours*40 + 2*15},
	} {
		if got := borderMetric(t, b, tc.name); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
}
