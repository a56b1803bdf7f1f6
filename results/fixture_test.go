package results

import (
	"math"

	"pilotsim/metric"
)

// fixtureWithin are the times (minutes) of the engine's release.<lane>.within.<T>.
var fixtureWithin = []int{15, 30, 60, 2 * 60, 4 * 60, 8 * 60, 12 * 60, 24 * 60, 48 * 60, 72 * 60, 120 * 60}

// fixture returns metrics named as the engine names them (two threats, three
// pools, green with a release target) and five replications of plausible
// values that vary deterministically from one replication to the next. Some
// figures are undefined (NaN) in some replications, one in all of them, and
// one metric belongs to no group of the table.
func fixture() (Run, []Metric, []Replication) {
	type m struct {
		def  Metric
		base float64
	}
	var ms []m
	add := func(k metric.Key, of metric.Kind, unit metric.Unit, base float64) {
		ms = append(ms, m{Metric{Key: k, Of: of, Unit: unit, Help: "help for " + k.Name()}, base})
	}
	key := func(f metric.Family, subject string, s metric.Stat) metric.Key {
		return metric.Key{Family: f, Subject: subject, Stat: s}
	}
	add(key(metric.Consignments, "", ""), metric.All, UnitCount, 12450)
	for _, l := range []struct {
		name  string
		share float64
	}{{"green", 0.78}, {"blue", 0.07}, {"yellow", 0.10}, {"red", 0.05}} {
		add(key(metric.Lane, l.name, metric.Of), metric.OfLane, UnitFraction, l.share)
		for _, r := range []struct {
			name string
			f    float64
		}{{"score", 0.8}, {"forced", 0.1}, {"random", 0.07}, {"expected", 0.03}} {
			add(metric.Key{Family: metric.Lane, Subject: l.name, Part: r.name, Stat: metric.N}, metric.OfLane, UnitCount, 12450*l.share*r.f)
		}
	}
	add(key(metric.Inspection, "", ""), metric.All, UnitFraction, 0.15)
	add(key(metric.Hit, "", ""), metric.All, UnitFraction, 0.083)
	add(key(metric.Hit, "yellow", ""), metric.OfLane, UnitFraction, 0.041)
	add(key(metric.Hit, "red", ""), metric.OfLane, UnitFraction, 0.167)
	add(key(metric.Irregular, "", metric.N), metric.All, UnitCount, 212)
	add(key(metric.Detection, "", ""), metric.All, UnitFraction, 0.55)
	add(key(metric.Detection, "narcotics", ""), metric.OfThreat, UnitFraction, 0.61)
	add(key(metric.Detection, "undervaluation", ""), metric.OfThreat, UnitFraction, 0.004)
	add(key(metric.Duty, "", metric.AtStake), metric.All, UnitCurrency, 1.85e6)
	add(key(metric.Duty, "", metric.Recovered), metric.All, UnitCurrency, 9.1e5)
	laneOf := func(l string) metric.Kind {
		if l == "all" {
			return metric.All
		}
		return metric.OfLane
	}
	for _, l := range []string{"all", "green", "blue", "yellow", "red"} {
		f := map[string]float64{"all": 1, "green": 0.2, "blue": 0.25, "yellow": 6, "red": 15}[l]
		add(key(metric.Release, l, metric.Mean), laneOf(l), UnitHours, 2.1*f)
		add(key(metric.Release, l, metric.Median), laneOf(l), UnitHours, 1.2*f)
		add(key(metric.Release, l, metric.P90), laneOf(l), UnitHours, 4.8*f)
		add(key(metric.Release, l, metric.P95), laneOf(l), UnitHours, 7.5*f)
		add(key(metric.Release, l, metric.Max), laneOf(l), UnitHours, 31*f)
	}
	add(key(metric.Release, "all", metric.WithinTarget), metric.All, UnitFraction, 0.991)
	add(key(metric.Release, "green", metric.WithinTarget), metric.OfLane, UnitFraction, 0.97)
	// Shares released within the engine's ladder of times: an exponential
	// distribution with the lane's mean, base = the mean in hours.
	for _, l := range []string{"all", "green", "blue", "yellow", "red"} {
		f := map[string]float64{"all": 1, "green": 0.2, "blue": 0.25, "yellow": 6, "red": 15}[l]
		for _, t := range fixtureWithin {
			add(metric.Key{Family: metric.Release, Subject: l, Stat: metric.Within, Within: t}, laneOf(l), UnitFraction, 2.1*f)
		}
	}
	add(key(metric.TRS, "arrival_lodgement", metric.Mean), metric.OfSpan, UnitHours, -5.5)
	add(key(metric.TRS, "lodgement_lane", metric.Mean), metric.OfSpan, UnitHours, 0.25)
	add(key(metric.TRS, "lane_release", metric.Mean), metric.OfSpan, UnitHours, 1.9)
	for _, p := range []string{"document", "nii", "physical"} {
		f := map[string]float64{"document": 1, "nii": 0.4, "physical": 2.5}[p]
		add(metric.Key{Family: metric.TRS, Subject: p, Part: "wait", Stat: metric.Mean}, metric.OfPool, UnitHours, 1.5*f)
		add(metric.Key{Family: metric.TRS, Subject: p, Part: "service", Stat: metric.Mean}, metric.OfPool, UnitHours, 0.33*f)
	}
	for _, p := range []string{"document", "nii", "physical"} {
		f := map[string]float64{"document": 1, "nii": 0.5, "physical": 1.4}[p]
		add(key(metric.Pool, p, metric.Utilization), metric.OfPool, UnitFraction, 0.62*f)
		add(key(metric.Pool, p, metric.MeanWait), metric.OfPool, UnitHours, 1.5*f)
		add(key(metric.Pool, p, metric.MeanQueue), metric.OfPool, UnitCount, 3.2*f)
		add(key(metric.Pool, p, metric.MaxQueue), metric.OfPool, UnitCount, 27*f)
	}
	add(key(metric.InSystem, "", metric.N), metric.All, UnitCount, 14)
	add(key(metric.InSystem, "", metric.MeanAge), metric.All, UnitHours, 3.4)
	add(key("canary", "", "figure"), metric.All, metric.None, 0.5) // in no group: must show under Other
	// By group of consignments (AEO status, lodgement, two modes); last, so
	// that the figures above keep their wobble.
	add(key(metric.Share, "aeo", ""), metric.OfGroup, UnitFraction, 0.42)
	add(key(metric.Share, "pre_arrival", ""), metric.OfGroup, UnitFraction, 0.74)
	add(key(metric.Inspection, "aeo", ""), metric.OfGroup, UnitFraction, 0.06)
	add(key(metric.Inspection, "non_aeo", ""), metric.OfGroup, UnitFraction, 0.21)
	add(key(metric.Hit, "aeo", ""), metric.OfGroup, UnitFraction, 0.02)
	add(key(metric.Hit, "non_aeo", ""), metric.OfGroup, UnitFraction, 0.095)
	for _, g := range []string{"aeo", "non_aeo", "pre_arrival", "post_arrival", "sea", "air"} {
		f := map[string]float64{"aeo": 0.6, "non_aeo": 1.3, "pre_arrival": 0.8, "post_arrival": 1.6, "sea": 1.2, "air": 0.4}[g]
		add(key(metric.Release, g, metric.Mean), metric.OfGroup, UnitHours, 2.1*f)
		add(key(metric.Release, g, metric.Median), metric.OfGroup, UnitHours, 1.2*f)
		add(key(metric.Release, g, metric.P90), metric.OfGroup, UnitHours, 4.8*f)
		add(key(metric.Release, g, metric.P95), metric.OfGroup, UnitHours, 7.5*f)
		add(key(metric.Release, g, metric.WithinTarget), metric.OfGroup, UnitFraction, 1-0.009*f)
	}

	metrics := make([]Metric, len(ms))
	for i, m := range ms {
		metrics[i] = m.def
	}
	index := metric.Index(metrics)
	reps := make([]Replication, 5)
	for r := range reps {
		v := make([]float64, len(ms))
		j := 0 // index among the metrics other than the shares within
		for i, m := range ms {
			if k := m.def.Key; k.Stat == metric.Within {
				// Wobble the mean, not the share, so that each replication's
				// shares grow with the time.
				h := float64(k.Within) / 60
				v[i] = 1 - math.Exp(-h/(m.base*(1+0.08*math.Sin(float64(3*r+len(k.Subject))))))
				continue
			}
			// A deterministic wobble of a few percent, different per metric.
			x := m.base * (1 + 0.04*math.Sin(float64(3*r+j)))
			j++
			if m.def.Unit == UnitCount && m.def.Stat != metric.MeanQueue && m.def.Stat != metric.MaxQueue {
				x = math.Round(x)
			}
			v[i] = x
		}
		// All lanes together: the lanes' shares within, weighted by the
		// lanes' shares of consignments (which the wobble leaves near 1).
		for i, m := range ms {
			k := m.def.Key
			if k.Stat != metric.Within || k.Subject != "all" {
				continue
			}
			var sum, shares float64
			for _, l := range []string{"green", "blue", "yellow", "red"} {
				share := v[index[key(metric.Lane, l, metric.Of)]]
				lk := k
				lk.Subject = l
				sum += share * v[index[lk]]
				shares += share
			}
			v[i] = sum / shares
		}
		reps[r] = Replication{Rep: r, Values: v}
	}
	// Undefined in some replications: no red consignment released in reps 1 and 3.
	for i, m := range ms {
		switch k := m.def.Key; {
		case k.Family == metric.Release && k.Subject == "red":
			reps[1].Values[i] = math.NaN()
			reps[3].Values[i] = math.NaN()
		case k == key(metric.Hit, "yellow", ""):
			for r := range reps {
				reps[r].Values[i] = math.NaN()
			}
		}
	}
	return Run{Scenario: "fixture", Seed: 42, Replications: 5}, metrics, reps
}
