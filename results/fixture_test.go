package results

import (
	"math"
	"slices"
	"strings"
)

// fixtureWithin are the times of the engine's release.<lane>.within.<T>.
var fixtureWithin = []string{"15m", "30m", "1h", "2h", "4h", "8h", "12h", "24h", "48h", "72h", "120h"}

// fixture returns metrics named as the engine names them (two threats, three
// pools, green with a release target) and five replications of plausible
// values that vary deterministically from one replication to the next. Some
// figures are undefined (NaN) in some replications, one in all of them, and
// one metric belongs to no group of the table.
func fixture() (Run, []Metric, []Replication) {
	type m struct {
		name, unit string
		base       float64
	}
	var ms []m
	add := func(name, unit string, base float64) { ms = append(ms, m{name, unit, base}) }
	add("consignments", UnitCount, 12450)
	for _, l := range []struct {
		name  string
		share float64
	}{{"green", 0.78}, {"blue", 0.07}, {"yellow", 0.10}, {"red", 0.05}} {
		add("lane."+l.name+".share", UnitFraction, l.share)
		for _, r := range []struct {
			name string
			f    float64
		}{{"score", 0.8}, {"forced", 0.1}, {"random", 0.07}, {"expected", 0.03}} {
			add("lane."+l.name+"."+r.name+".count", UnitCount, 12450*l.share*r.f)
		}
	}
	add("inspection_rate", UnitFraction, 0.15)
	add("hit_rate", UnitFraction, 0.083)
	add("hit_rate.yellow", UnitFraction, 0.041)
	add("hit_rate.red", UnitFraction, 0.167)
	add("irregular.count", UnitCount, 212)
	add("detection_rate", UnitFraction, 0.55)
	add("detection_rate.narcotics", UnitFraction, 0.61)
	add("detection_rate.undervaluation", UnitFraction, 0.004)
	add("duty.at_stake", UnitCurrency, 1.85e6)
	add("duty.recovered", UnitCurrency, 9.1e5)
	for _, l := range []string{"all", "green", "blue", "yellow", "red"} {
		f := map[string]float64{"all": 1, "green": 0.2, "blue": 0.25, "yellow": 6, "red": 15}[l]
		add("release."+l+".mean", UnitHours, 2.1*f)
		add("release."+l+".median", UnitHours, 1.2*f)
		add("release."+l+".p90", UnitHours, 4.8*f)
		add("release."+l+".p95", UnitHours, 7.5*f)
		add("release."+l+".max", UnitHours, 31*f)
	}
	add("release.all.within_target", UnitFraction, 0.991)
	add("release.green.within_target", UnitFraction, 0.97)
	// Shares released within the engine's ladder of times: an exponential
	// distribution with the lane's mean, base = the mean in hours.
	for _, l := range []string{"all", "green", "blue", "yellow", "red"} {
		f := map[string]float64{"all": 1, "green": 0.2, "blue": 0.25, "yellow": 6, "red": 15}[l]
		for _, t := range fixtureWithin {
			add("release."+l+".within."+t, UnitFraction, 2.1*f)
		}
	}
	add("trs.arrival_lodgement.mean", UnitHours, -5.5)
	add("trs.lodgement_lane.mean", UnitHours, 0.25)
	add("trs.lane_release.mean", UnitHours, 1.9)
	for _, p := range []string{"document", "nii", "physical"} {
		f := map[string]float64{"document": 1, "nii": 0.4, "physical": 2.5}[p]
		add("trs."+p+".wait.mean", UnitHours, 1.5*f)
		add("trs."+p+".service.mean", UnitHours, 0.33*f)
	}
	for _, p := range []string{"document", "nii", "physical"} {
		f := map[string]float64{"document": 1, "nii": 0.5, "physical": 1.4}[p]
		add("pool."+p+".utilization", UnitFraction, 0.62*f)
		add("pool."+p+".mean_wait", UnitHours, 1.5*f)
		add("pool."+p+".mean_queue", UnitCount, 3.2*f)
		add("pool."+p+".max_queue", UnitCount, 27*f)
	}
	add("in_system.count", UnitCount, 14)
	add("in_system.mean_age", UnitHours, 3.4)
	add("canary.figure", "", 0.5) // in no group: must show under Other
	// By group of consignments (AEO status, lodgement, two modes); last, so
	// that the figures above keep their wobble.
	add("share.aeo", UnitFraction, 0.42)
	add("share.pre_arrival", UnitFraction, 0.74)
	add("inspection_rate.aeo", UnitFraction, 0.06)
	add("inspection_rate.non_aeo", UnitFraction, 0.21)
	add("hit_rate.aeo", UnitFraction, 0.02)
	add("hit_rate.non_aeo", UnitFraction, 0.095)
	for _, g := range []string{"aeo", "non_aeo", "pre_arrival", "post_arrival", "sea", "air"} {
		f := map[string]float64{"aeo": 0.6, "non_aeo": 1.3, "pre_arrival": 0.8, "post_arrival": 1.6, "sea": 1.2, "air": 0.4}[g]
		add("release."+g+".mean", UnitHours, 2.1*f)
		add("release."+g+".median", UnitHours, 1.2*f)
		add("release."+g+".p90", UnitHours, 4.8*f)
		add("release."+g+".p95", UnitHours, 7.5*f)
		add("release."+g+".within_target", UnitFraction, 1-0.009*f)
	}

	metrics := make([]Metric, len(ms))
	for i, m := range ms {
		metrics[i] = Metric{Name: m.name, Unit: m.unit, Help: "help for " + m.name}
	}
	index := func(name string) int {
		return slices.IndexFunc(ms, func(x m) bool { return x.name == name })
	}
	reps := make([]Replication, 5)
	for r := range reps {
		v := make([]float64, len(ms))
		j := 0 // index among the metrics other than the shares within
		for i, m := range ms {
			if lane, t, ok := splitWithin(strings.TrimPrefix(m.name, "release.")); ok {
				// Wobble the mean, not the share, so that each replication's
				// shares grow with the time.
				h, _ := withinHours(t)
				v[i] = 1 - math.Exp(-h/(m.base*(1+0.08*math.Sin(float64(3*r+len(lane))))))
				continue
			}
			// A deterministic wobble of a few percent, different per metric.
			x := m.base * (1 + 0.04*math.Sin(float64(3*r+j)))
			j++
			if m.unit == UnitCount && !strings.Contains(m.name, "queue") {
				x = math.Round(x)
			}
			v[i] = x
		}
		// All lanes together: the lanes' shares within, weighted by the
		// lanes' shares of consignments (which the wobble leaves near 1).
		for i, m := range ms {
			_, t, ok := splitWithin(strings.TrimPrefix(m.name, "release."))
			if !ok || !strings.HasPrefix(m.name, "release.all.") {
				continue
			}
			var sum, shares float64
			for _, l := range []string{"green", "blue", "yellow", "red"} {
				share := v[index("lane."+l+".share")]
				sum += share * v[index("release."+l+".within."+t)]
				shares += share
			}
			v[i] = sum / shares
		}
		reps[r] = Replication{Rep: r, Values: v}
	}
	// Undefined in some replications: no red consignment released in reps 1 and 3.
	for i, m := range ms {
		switch {
		case strings.Contains(m.name, "release.red."):
			reps[1].Values[i] = math.NaN()
			reps[3].Values[i] = math.NaN()
		case m.name == "hit_rate.yellow":
			for r := range reps {
				reps[r].Values[i] = math.NaN()
			}
		}
	}
	return Run{Scenario: "fixture", Seed: 42, Replications: 5}, metrics, reps
}
