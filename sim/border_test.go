package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pilotsim/internal/fault"
	"pilotsim/metric"
	"pilotsim/scenarios"
)

// borderBinomialOK reports whether k successes in n trials are within 4
// standard deviations of probability p.
func borderBinomialOK(k, n, p float64) bool {
	return math.Abs(k-n*p) <= 4*math.Sqrt(n*p*(1-p))+1e-9
}

// TestBorderRandomSelection feeds consignments drawn into the yellow lane at
// random (share s, independent of irregularity, prevalence q): with a
// document check that always finds the threat, the detection rate is s and the
// hit rate is q (binomial bounds, 4 sigma); with detection probability d the
// detection rate is s·d.
func TestBorderRandomSelection(t *testing.T) {
	const s, q = 0.1, 0.05
	for _, d := range []float64{1, 0.6} {
		sc := borderTestScenario(100000, 1000, borderTestPool("document", 50, 20))
		sc.Threats = []scenarios.Threat{{Name: "x", Prevalence: q, Detection: scenarios.Detection{Document: d, NII: d, Physical: d}}}
		b := newBorder(borderTestCompile(t, sc))
		borderTestFeed(b, 3, 1, func(c *Consignment, r *rand.Rand) {
			if r.Float64() < q {
				c.Threat, c.Duty = 0, 100
			}
			if r.Float64() < s {
				c.Lane, c.Reason = Yellow, ReasonRandom
			}
		})
		m := func(name string) float64 { return borderMetric(t, b, name) }
		n, irr, yellow := m("consignments"), m("irregular.count"), m("lane.yellow.random.count")
		if !borderBinomialOK(yellow, n, s) || m("lane.yellow.share") != yellow/n || m("inspection_rate") != yellow/n {
			t.Errorf("yellow %v of %v, share %v", yellow, n, m("lane.yellow.share"))
		}
		if !borderBinomialOK(m("detection_rate")*irr, irr, s*d) {
			t.Errorf("d=%v: detection rate %v of %v irregular, want %v", d, m("detection_rate"), irr, s*d)
		}
		if m("detection_rate.x") != m("detection_rate") {
			t.Errorf("one threat: detection_rate.x %v != detection_rate %v", m("detection_rate.x"), m("detection_rate"))
		}
		if !borderBinomialOK(m("hit_rate")*yellow, yellow, q*d) || m("hit_rate.yellow") != m("hit_rate") || !math.IsNaN(m("hit_rate.red")) {
			t.Errorf("d=%v: hit rate %v (yellow %v, red %v), want %v", d, m("hit_rate"), m("hit_rate.yellow"), m("hit_rate.red"), q*d)
		}
		if got, want := m("duty.recovered")/m("duty.at_stake"), m("detection_rate"); math.Abs(got-want) > 1e-12 || m("duty.at_stake") != 100*irr {
			t.Errorf("duty recovered share %v, want the detection rate %v", got, want)
		}
	}
}

// TestBorderRedStages checks detection over the red route [nii, physical]:
// always both stages, or physical only after an NII alarm (a true detection,
// or a false alarm with probability fa on what the scan missed).
func TestBorderRedStages(t *testing.T) {
	const pn, pp = 0.5, 0.5
	for _, tc := range []struct {
		name        string
		onAlarm     bool
		fa          float64
		irregular   bool
		found, phys float64 // probabilities
	}{
		{"both stages", false, 0, true, 1 - (1-pn)*(1-pp), 1},
		{"on alarm, no false alarms", true, 0, true, pn, pn},
		{"on alarm, false alarms on missed", true, 0.2, true, pn + (1-pn)*0.2*pp, pn + (1-pn)*0.2},
		{"on alarm, regular", true, 0.2, false, 0, 0.2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := borderTestScenario(50000, 0, borderTestPool("nii", 50, 5), borderTestPool("physical", 200, 60))
			sc.Resources.Red = []string{"nii", "physical"}
			sc.Resources.Yellow = []string{"nii"}
			sc.Resources.RedPhysicalOnAlarm = &tc.onAlarm
			sc.Resources.Pools[0].FalseAlarm = tc.fa
			sc.Threats = []scenarios.Threat{{Name: "x", Detection: scenarios.Detection{NII: pn, Physical: pp}}}
			b := newBorder(borderTestCompile(t, sc))
			var rec borderTraceRecorder
			b.reset(0, &rec)
			for i := range 20000 {
				c := Consignment{Seq: uint64(i), Arrival: float64(i), LaneAt: float64(i), Lane: Red, Threat: NoThreat}
				if tc.irregular {
					c.Threat = 0
				}
				b.add(&c)
			}
			b.finish()
			var found, phys, foundAtPhys int
			for i, ms := range rec.ms {
				if ms.Found {
					found++
					if ms.Pools[ms.FoundStage] == 1 {
						foundAtPhys++
					}
				}
				switch {
				case ms.Stages == 2 && ms.Pools[1] == 1:
					phys++
				case ms.Stages != 1 || ms.Pools[0] != 0:
					t.Fatalf("consignment %d: stages %v pools %v", i, ms.Stages, ms.Pools)
				}
				if math.IsNaN(ms.Release) {
					t.Fatalf("consignment %d not released", i)
				}
			}
			n := float64(len(rec.ms))
			if !borderBinomialOK(float64(found), n, tc.found) {
				t.Errorf("found %d of %v, want p=%v", found, n, tc.found)
			}
			if !borderBinomialOK(float64(phys), n, tc.phys) {
				t.Errorf("physical %d of %v, want p=%v", phys, n, tc.phys)
			}
			if tc.irregular && tc.onAlarm && tc.fa == 0 && foundAtPhys != 0 {
				t.Errorf("%d found at physical though only found ones were examined", foundAtPhys)
			}
		})
	}
}

// TestBorderWithinTargetOverload checks by hand that, with no drain, the
// shares within target count consignments still in the system at the horizon
// (unreleased) as late, whatever their age, while means and percentiles stay
// over released ones. One officer, 60-min checks, a yellow arrival every 30
// min from 0 to 570 min, horizon 600 min: check i (arrival 30i) runs from 60i
// to 60(i+1).
func TestBorderWithinTargetOverload(t *testing.T) {
	sc := borderTestScenario(600, 0, borderTestConstPool("document", 1, 60))
	sc.Drain = borderNoDrain()
	sc.Targets.Overall = 2 * 60
	sc.Targets.Lanes = map[string]scenarios.Duration{"yellow": 4 * 60}
	b := newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	for i := range 20 {
		a := 30 * float64(i)
		c := Consignment{Seq: uint64(i), Arrival: a, Lodgement: a, LaneAt: a, Lane: Yellow, Threat: NoThreat}
		b.add(&c)
	}
	b.finish()
	// Released: i = 0..9 (the last at 600), release times 60+30i = 60..330 min.
	// In the system: i = 10..19, ages 600-30i = 300, 270, …, 30 min.
	for _, tc := range []struct {
		name string
		want float64
	}{
		{"in_system.count", 10},
		{"unreleased.count", 10},
		{"unreleased.share", 0.5},
		{"drain.hours", 0},
		// Within 120 min: i = 0, 1, 2. Late: the 10 unreleased.
		{"release.all.within_target", 3.0 / (10 + 10)},
		// Within 240 min: i = 0..6.
		{"release.yellow.within_target", 7.0 / (10 + 10)},
		// Means and percentiles: released ones only, (60+330)/2 min.
		{"release.all.mean", 195.0 / 60},
		{"release.yellow.max", 330.0 / 60},
	} {
		if got := borderMetric(t, b, tc.name); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestBorderReleaseWithin checks release.<lane>.within.<T> by hand, with
// release times on the ladder's boundaries and, with no drain, consignments
// still in the system at the horizon (10 000 min): unreleased, they count as
// not released within every T, and a lane with nothing to count is NaN.
func TestBorderReleaseWithin(t *testing.T) {
	sc := borderTestScenario(10000, 0, borderTestConstPool("document", 1, 60))
	sc.Drain = borderNoDrain()
	b := newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	for i, c := range []struct {
		arrival, laneAt float64
		lane            Lane
	}{
		// Green is released when its lane is assigned: release times 0,
		// 15 (exactly 15 min), 15.5, 100 and 3000 min (50 h).
		{0, 0, Green}, {10, 25, Green}, {20, 35.5, Green}, {30, 130, Green}, {40, 3040, Green},
		// Yellow: one document check of 60 min at a time; 100-160 (60 min,
		// exactly 1 h) and 160-220 (110 min).
		{100, 100, Yellow}, {110, 110, Yellow},
		// Still in the system at the horizon (lane assigned after it): green
		// of age 1000 and 10 min, blue of age 100 min.
		{9000, 20000, Green}, {9900, 20000, Blue}, {9990, 20000, Green},
	} {
		b.add(&Consignment{Seq: uint64(i), Arrival: c.arrival, Lodgement: c.arrival, LaneAt: c.laneAt, Lane: c.lane, Threat: NoThreat})
	}
	b.finish()
	nan := math.NaN()
	for _, tc := range []struct {
		lane string
		want [11]float64 // 15m 30m 1h 2h 4h 8h 12h 24h 48h 72h 120h
	}{
		// 5 released, 2 unreleased (late at every T).
		{"green", [11]float64{2.0 / 7, 3.0 / 7, 3.0 / 7, 4.0 / 7, 4.0 / 7, 4.0 / 7, 4.0 / 7, 4.0 / 7, 4.0 / 7, 5.0 / 7, 5.0 / 7}},
		{"yellow", [11]float64{0, 0, 0.5, 1, 1, 1, 1, 1, 1, 1, 1}},
		// None released, one unreleased.
		{"blue", [11]float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"red", [11]float64{nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan}},
		// 7 released, 3 unreleased.
		{"all", [11]float64{2.0 / 10, 3.0 / 10, 4.0 / 10, 6.0 / 10, 6.0 / 10, 6.0 / 10, 6.0 / 10, 6.0 / 10, 6.0 / 10, 7.0 / 10, 7.0 / 10}},
	} {
		for k, T := range []string{"15m", "30m", "1h", "2h", "4h", "8h", "12h", "24h", "48h", "72h", "120h"} {
			name := "release." + tc.lane + ".within." + T
			got, want := borderMetric(t, b, name), tc.want[k]
			if math.IsNaN(want) != math.IsNaN(got) || math.Abs(got-want) > 1e-12 {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
	}
}

// TestBorderInSystem overloads a one-officer check (an arrival every 30 min,
// checks of 60 min, horizon 600 min) and checks by hand, without a drain,
// what is released and what is unreleased when the simulation stops at the
// horizon, and, with the default drain, that every window arrival is followed
// to its release while pool statistics stay over the window of time.
func TestBorderInSystem(t *testing.T) {
	feed := func(t *testing.T, drain *scenarios.Duration) (*border, *borderTraceRecorder) {
		sc := borderTestScenario(600, 0, borderTestConstPool("document", 1, 60))
		sc.Targets.Overall = 4 * 60
		sc.Drain = drain
		b := newBorder(borderTestCompile(t, sc))
		var rec borderTraceRecorder
		b.reset(0, &rec)
		for k := 1; k <= 19; k++ {
			c := Consignment{Seq: uint64(k), Arrival: 30 * float64(k), LaneAt: 30 * float64(k), Lane: Yellow, Threat: NoThreat}
			b.add(&c)
		}
		// A green consignment assessed only after the horizon.
		g := Consignment{Seq: 21, Arrival: 590, LaneAt: 700, Lane: Green, Threat: NoThreat}
		b.add(&g)
		b.finish()
		return b, &rec
	}
	check := func(t *testing.T, b *border, want []borderWant) {
		t.Helper()
		for _, tc := range want {
			if got := borderMetric(t, b, tc.name); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
			}
		}
	}
	// The k-th check ends at 30+60k; release time 30+30k.
	t.Run("no drain", func(t *testing.T) {
		b, rec := feed(t, borderNoDrain())
		// k = 1..9 released (60..300 min); k = 10..19 and the green one not.
		check(t, b, []borderWant{
			{"consignments", 20},
			{"in_system.count", 11},
			{"in_system.mean_age", (165.0*10 + 10) / 11 / 60}, // ages 300, 270, …, 30 and 10
			{"unreleased.count", 11},
			{"unreleased.share", 11.0 / 20},
			{"drain.hours", 0},
			{"release.all.mean", 3},
			{"release.yellow.max", 5},
			// 7 released within 240 min (60..240); the 11 unreleased are late.
			{"release.all.within_target", 7.0 / 20},
			{"trs.lane_release.mean", 3},
			{"trs.document.service.mean", 1},
			{"pool.document.utilization", 570.0 / 600},
			{"pool.document.max_queue", 9}, // at 600: k = 11..19 wait
		})
		if !math.IsNaN(borderMetric(t, b, "release.green.mean")) {
			t.Errorf("release.green.mean = %v, want NaN (none released)", borderMetric(t, b, "release.green.mean"))
		}
		if len(rec.ms) != 20 {
			t.Fatalf("traced %d consignments, want 20", len(rec.ms))
		}
		inService, queued := rec.bySeq(t, 10), rec.bySeq(t, 11)
		if !math.IsNaN(inService.Release) || inService.Stages != 1 || inService.Start[0] != 570 || !math.IsNaN(inService.End[0]) {
			t.Errorf("in service at the horizon: %+v", inService)
		}
		if queued.Stages != 1 || queued.Queue[0] != 330 || !math.IsNaN(queued.Start[0]) {
			t.Errorf("queued at the horizon: %+v", queued)
		}
		if ms := rec.bySeq(t, 21); ms.Stages != 0 || !math.IsNaN(ms.Release) {
			t.Errorf("green after the horizon: %+v", ms)
		}
	})
	t.Run("drain", func(t *testing.T) {
		b, rec := feed(t, nil)
		// Every one released: yellow k at 30+30k (60..600 min), the last
		// check ends at 1170, 570 min after the horizon; green at 110 min.
		check(t, b, []borderWant{
			{"consignments", 20},
			{"in_system.count", 11}, // the backlog at the horizon is the same
			{"unreleased.count", 0},
			{"unreleased.share", 0},
			{"drain.hours", 570.0 / 60},
			{"release.all.mean", (19*30 + 30*190 + 110.0) / 20 / 60},
			{"release.yellow.max", 600.0 / 60},
			// 7 yellow within 240 min, and the green one.
			{"release.all.within_target", 8.0 / 20},
			// Pool statistics over the window of time [0, 600] only.
			{"pool.document.utilization", 570.0 / 600},
			{"pool.document.max_queue", 9},
		})
		if ms := rec.bySeq(t, 19); ms.Release != 1170 {
			t.Errorf("last window arrival released at %v, want 1170: %+v", ms.Release, ms)
		}
	})
}

// borderWant is an expected metric value.
type borderWant struct {
	name string
	want float64
}

// TestBorderWarmup checks that consignments arriving before the warm-up are
// simulated (they occupy the officer) but not counted.
func TestBorderWarmup(t *testing.T) {
	sc := borderTestScenario(1000, 100, borderTestConstPool("document", 1, 60))
	b := newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	for i, a := range []float64{50, 100, 120} {
		c := Consignment{Seq: uint64(i), Arrival: a, LaneAt: a, Lane: Yellow, Threat: NoThreat}
		b.add(&c)
	}
	b.finish()
	// 50: 50-110 (not counted); 100: waits to 110, 110-170; 120: 170-230.
	if got := borderMetric(t, b, "consignments"); got != 2 {
		t.Errorf("consignments %v, want 2", got)
	}
	if got, want := borderMetric(t, b, "release.all.mean"), (70+110)/2.0/60; math.Abs(got-want) > 1e-12 {
		t.Errorf("mean release %v, want %v", got, want)
	}
	// Pool statistics over [100, 1000]: busy 100-230; waits of services
	// started in the window: 10 (at 110) and 50 (at 170).
	if got, want := borderMetric(t, b, "pool.document.utilization"), 130.0/900; math.Abs(got-want) > 1e-12 {
		t.Errorf("utilization %v, want %v", got, want)
	}
	if got, want := borderMetric(t, b, "pool.document.mean_wait"), 30.0/60; math.Abs(got-want) > 1e-12 {
		t.Errorf("mean wait %v, want %v", got, want)
	}
}

// TestBorderMetricNames pins the metric list to the names in the brief.
func TestBorderMetricNames(t *testing.T) {
	sc := borderTestScenario(1000, 0, borderTestPool("document", 1, 1), borderTestPool("nii", 1, 1), borderTestPool("physical", 1, 1))
	sc.Resources.Yellow, sc.Resources.Red = nil, nil // defaults
	sc.Threats = []scenarios.Threat{{Name: "narcotics"}, {Name: "undervaluation"}}
	sc.Targets.Lanes = map[string]scenarios.Duration{"green": 60, "red": 2880}
	sc.Traffic = map[string]scenarios.ModeTraffic{"road": {Rate: 1}, "sea": {Rate: 1}} // mode order, not key order
	cfg := borderTestCompile(t, sc)
	var names []string
	units := map[string]metric.Unit{}
	for _, d := range cfg.defs {
		names = append(names, d.Name())
		units[d.Name()] = d.Unit
		if d.Help == "" {
			t.Errorf("%s: no help", d.Name())
		}
	}
	want := []string{"consignments",
		"lane.green.share", "lane.blue.share", "lane.yellow.share", "lane.red.share"}
	for _, l := range []string{"green", "blue", "yellow", "red"} {
		for _, r := range []string{"score", "forced", "random", "expected"} {
			want = append(want, "lane."+l+"."+r+".count")
		}
	}
	want = append(want, "share.aeo", "share.pre_arrival")
	want = append(want, "inspection_rate", "hit_rate", "hit_rate.yellow", "hit_rate.red",
		"inspection_rate.aeo", "inspection_rate.non_aeo", "hit_rate.aeo", "hit_rate.non_aeo", "irregular.count",
		"detection_rate", "detection_rate.narcotics", "detection_rate.undervaluation",
		"hit_rate.reason.score", "hit_rate.reason.forced", "hit_rate.reason.random", "hit_rate.reason.expected", "hit_rate.reason.selected",
		"detection_rate.reason.score", "detection_rate.reason.forced", "detection_rate.reason.random", "detection_rate.reason.expected", "detection_rate.reason.selected",
		"lift.estimate", "lift.true", "duty.at_stake", "duty.recovered")
	for _, l := range []string{"all", "green", "blue", "yellow", "red"} {
		for _, s := range []string{"mean", "median", "p90", "p95", "max"} {
			want = append(want, "release."+l+"."+s)
		}
	}
	want = append(want, "release.all.within_target", "release.green.within_target", "release.red.within_target")
	for _, g := range []string{"aeo", "non_aeo", "pre_arrival", "post_arrival", "sea", "road"} {
		for _, s := range []string{"mean", "median", "p90", "p95", "within_target"} {
			want = append(want, "release."+g+"."+s)
		}
	}
	for _, l := range []string{"all", "green", "blue", "yellow", "red"} {
		for _, d := range []string{"15m", "30m", "1h", "2h", "4h", "8h", "12h", "24h", "48h", "72h", "120h"} {
			want = append(want, "release."+l+".within."+d)
		}
	}
	want = append(want, "trs.arrival_lodgement.mean", "trs.lodgement_lane.mean", "trs.lane_release.mean")
	for _, p := range []string{"document", "nii", "physical"} {
		want = append(want, "trs."+p+".wait.mean", "trs."+p+".service.mean")
	}
	for _, p := range []string{"document", "nii", "physical"} {
		want = append(want, "pool."+p+".utilization", "pool."+p+".overtime_per_day", "pool."+p+".mean_wait", "pool."+p+".mean_queue", "pool."+p+".max_queue")
	}
	want = append(want, "in_system.count", "in_system.mean_age", "unreleased.count", "unreleased.share", "drain.hours",
		"warmup.hours", "warmup.mser_hours", "pool.document.offered_load", "pool.nii.offered_load", "pool.physical.offered_load",
		"backlog.growth", "backlog.trend_t", "unstable")
	if !slices.Equal(names, want) {
		t.Errorf("metric names:\n got %q\nwant %q", names, want)
	}
	for name, unit := range map[string]metric.Unit{"consignments": "count", "hit_rate": "fraction", "release.red.p95": "h",
		"duty.recovered": "currency", "pool.nii.max_queue": "count", "pool.nii.mean_wait": "h", "in_system.mean_age": "h", "release.blue.within.72h": "fraction",
		"share.aeo": "fraction", "inspection_rate.non_aeo": "fraction", "hit_rate.aeo": "fraction",
		"release.post_arrival.p95": "h", "release.road.within_target": "fraction"} {
		if units[name] != unit {
			t.Errorf("%s: unit %q, want %q", name, units[name], unit)
		}
	}
	// An empty replication: counts 0, rates NaN, never a made-up number.
	b := newBorder(cfg)
	b.reset(0, nil)
	b.finish()
	vals := b.values(0).Values
	if len(vals) != len(cfg.defs) {
		t.Fatalf("%d values for %d metrics", len(vals), len(cfg.defs))
	}
	for i, d := range cfg.defs {
		// The warm-up is set, not measured; the offered load of no work is 0
		// like the utilization; the backlog trend needs more days than the
		// empty run has.
		isCount := d.Unit == metric.Count || d.Unit == metric.Currency || d.Name() == "pool.document.utilization" ||
			d.Name() == "pool.nii.utilization" || d.Name() == "pool.physical.utilization" || strings.HasSuffix(d.Name(), ".overtime_per_day") ||
			d.Stat == metric.OfferedLoad || d.Key == metric.Key{Family: metric.Warmup, Stat: metric.Length}
		if d.Family == metric.Backlog {
			isCount = false
		}
		if isCount && vals[i] != 0 || !isCount && !math.IsNaN(vals[i]) {
			t.Errorf("empty run: %s = %v", d.Name(), vals[i])
		}
	}
}

// TestCompileBorderErrors: the border trusts a validated scenario (each of
// these mistakes is refused by scenarios with its line: see
// TestValidationCoversCompile there); given one that skipped validation, it
// refuses what it cannot build its tables from, as an internal error.
func TestCompileBorderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(sc *scenarios.Scenario)
		want string
	}{
		{"unknown pool in route", func(sc *scenarios.Scenario) { sc.Resources.Red = []string{"xray"} },
			`resources.red[0]: no pool "xray"`},
		{"default route needs nii", func(sc *scenarios.Scenario) { sc.Resources.Red = nil },
			`resources.red[0]: no pool "nii"`},
		{"unknown method", func(sc *scenarios.Scenario) { sc.Resources.Pools[0].Method = "dogs" },
			`resources.pools[0] (document): method "dogs"`},
		{"no servers", func(sc *scenarios.Scenario) { sc.Resources.Pools[0].Servers = 0 },
			"resources.pools[0] (document): 0 servers"},
		{"bad service", func(sc *scenarios.Scenario) { sc.Resources.Pools[0].Service = scenarios.Dist{Kind: "exp"} },
			"resources.pools[0] (document): service: exp distribution needs mean"},
		{"route too long", func(sc *scenarios.Scenario) { sc.Resources.Yellow = slices.Repeat([]string{"document"}, MaxStages+1) },
			"resources.yellow: 7 pools"},
		{"warm-up past horizon", func(sc *scenarios.Scenario) { sc.Warmup = 2000 },
			"horizon 1000, warmup 2000 minutes"},
		{"hours open == close", func(sc *scenarios.Scenario) { sc.Resources.Pools[0].Hours = &scenarios.Hours{Open: 480, Close: 480} },
			"resources.pools[0] (document): hours.close equals hours.open"},
		{"too many pools", func(sc *scenarios.Scenario) {
			for i := range MaxPools {
				sc.Resources.Pools = append(sc.Resources.Pools, borderTestPool(fmt.Sprintf("p%d", i), 1, 1))
			}
		}, "128 pools"},
	} {
		sc := borderTestScenario(1000, 0, borderTestPool("document", 1, 1))
		tc.edit(sc)
		_, err := compileBorder(sc, borderDetectFromScenario(sc))
		var bug *fault.Bug
		if !errors.As(err, &bug) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want an internal error with %q", tc.name, err, tc.want)
		}
	}
}

// TestBorderTraceOrder pins the trace order TraceSink documents: a green
// consignment is traced when it is taken in, before a yellow one that arrived
// earlier and was released earlier, and before its own (later) release.
func TestBorderTraceOrder(t *testing.T) {
	sc := borderTestScenario(1000, 0, borderTestConstPool("document", 1, 60))
	b := newBorder(borderTestCompile(t, sc))
	var rec borderTraceRecorder
	b.reset(0, &rec)
	for _, c := range []Consignment{
		{Seq: 0, Arrival: 0, Lane: Yellow, Threat: NoThreat},              // released at 60
		{Seq: 1, Arrival: 10, LaneAt: 500, Lane: Green, Threat: NoThreat}, // released at 500
		{Seq: 2, Arrival: 20, LaneAt: 20, Lane: Green, Threat: NoThreat},  // released at 20
	} {
		b.add(&c)
	}
	b.finish()
	var seqs []uint64
	var rel []float64
	for i := range rec.cs {
		seqs = append(seqs, rec.cs[i].Seq)
		rel = append(rel, rec.ms[i].Release)
	}
	if !slices.Equal(seqs, []uint64{1, 2, 0}) || !slices.Equal(rel, []float64{500, 20, 60}) {
		t.Errorf("traced seqs %v with releases %v, want [1 2 0] with [500 20 60]", seqs, rel)
	}
}

// TestBorderTraceError checks that a failing sink is called no more.
func TestBorderTraceError(t *testing.T) {
	sc := borderTestScenario(1000, 0, borderTestPool("document", 1, 1))
	b := newBorder(borderTestCompile(t, sc))
	rec := borderTraceRecorder{err: errors.New("disk full")}
	b.reset(0, &rec)
	for i := range 10 {
		c := Consignment{Seq: uint64(i), Arrival: float64(i), Threat: NoThreat}
		b.add(&c)
	}
	b.finish()
	if len(rec.cs) != 1 || b.sinkErr == nil {
		t.Errorf("sink called %d times after an error; err %v", len(rec.cs), b.sinkErr)
	}
}

// TestBorderNoAllocs checks that, once its buffers have grown, the border
// allocates nothing per consignment (without trace).
func TestBorderNoAllocs(t *testing.T) {
	sc := borderTestScenario(1e9, 0, borderTestPool("document", 2, 20), borderTestPool("nii", 1, 6), borderTestPool("physical", 4, 120))
	sc.Resources.Red = []string{"nii", "physical"}
	sc.Resources.Pools[1].FalseAlarm = 0.2
	sc.Threats = []scenarios.Threat{{Name: "x", Detection: scenarios.Detection{Document: 0.5, NII: 0.5, Physical: 0.9}}}
	b := newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	r := rand.New(rand.NewPCG(1, 2))
	var c Consignment
	now := 0.0
	feed := func() {
		for range 10000 {
			now += r.ExpFloat64()
			c = Consignment{Arrival: now, LaneAt: now - 10, Threat: NoThreat}
			switch u := r.Float64(); {
			case u < 0.08:
				c.Lane = Yellow
			case u < 0.11:
				c.Lane = Red
			}
			if r.Float64() < 0.01 {
				c.Threat = 0
			}
			b.add(&c)
		}
	}
	for range 20 {
		feed() // let buffers grow
	}
	if a := testing.AllocsPerRun(20, feed); a != 0 {
		t.Errorf("%v allocations per 10000 consignments, want 0", a)
	}
}

// TestBorderCommonRandomNumbers runs the same consignments through one and
// five document officers: queues differ, but each consignment gets the same
// service time and the same detection outcome in both.
func TestBorderCommonRandomNumbers(t *testing.T) {
	var recs [2]borderTraceRecorder
	for i, servers := range []int{1, 5} {
		sc := borderTestScenario(20000, 0, borderTestPool("document", servers, 20))
		sc.Threats = []scenarios.Threat{{Name: "x", Detection: scenarios.Detection{Document: 0.5}}}
		b := newBorder(borderTestCompile(t, sc))
		b.reset(0, &recs[i])
		for k := range 900 {
			c := Consignment{Seq: uint64(k), Arrival: 20 * float64(k), LaneAt: 20 * float64(k), Lane: Yellow, Threat: NoThreat}
			if k%3 == 0 {
				c.Threat = 0
			}
			b.add(&c)
		}
		b.finish()
	}
	var waits [2]float64
	for i := range 900 {
		a, b := recs[0].bySeq(t, uint64(i)), recs[1].bySeq(t, uint64(i))
		if math.IsNaN(a.Release) {
			continue // still waiting with one officer
		}
		if sa, sb := a.End[0]-a.Start[0], b.End[0]-b.Start[0]; math.Abs(sa-sb) > 1e-9*sa || a.Found != b.Found {
			t.Fatalf("consignment %d: service %v vs %v, found %v vs %v", i, a.End[0]-a.Start[0], b.End[0]-b.Start[0], a.Found, b.Found)
		}
		waits[0] += a.Start[0] - a.Queue[0]
		waits[1] += b.Start[0] - b.Queue[0]
	}
	if !(waits[0] > 10*waits[1]) {
		t.Errorf("waits %v: one officer should make them much longer", waits)
	}
}

// TestCompileBorderExamples compiles the border of every shipped example.
func TestCompileBorderExamples(t *testing.T) {
	paths, err := filepath.Glob("../scenarios/examples/*.yaml")
	admin, _ := filepath.Glob("../scenarios/examples/administrations/*.yaml")
	paths = append(paths, admin...)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, p := range paths {
		sc, err := scenarios.Load(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := compileBorder(sc, borderDetectFromScenario(sc))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		t.Logf("%s: %d pools, %d metrics", p, len(cfg.pools), len(cfg.defs))
		if names := borderNamesConfig(sc).defs; !slices.Equal(names, cfg.defs) {
			t.Errorf("%s: metric definitions from names alone differ", p)
		}
	}
}
