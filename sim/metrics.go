package sim

import (
	"math"

	"pilotsim/metric"
)

// The figures a replication reports are defined here, typed (package
// metric): family, subject, statistic, unit and, for ratios, what is counted
// above and below the line. One walk, borderStats.emit, gives both the
// definitions (once, when the border compiles) and each replication's values,
// so they cannot fall out of order; adding a metric is one call in emit.

// borderMetricWriter collects metric definitions (defs mode) or values, so that
// both come from one walk in one order.
type borderMetricWriter struct {
	defsMode bool
	defs     []metric.Def
	vals     []float64
	dens     []float64
}

// put records v, the value of the metric def returns. def is called in defs
// mode only, so that a replication's walk builds no strings.
func (w *borderMetricWriter) put(v float64, def func() metric.Def) {
	if w.defsMode {
		w.defs = append(w.defs, def())
		return
	}
	w.vals = append(w.vals, v)
	w.dens = append(w.dens, math.NaN())
}

// ratio records num/den (NaN when den is 0) of a metric whose numerator and
// denominator count consignments; the replication keeps den for the
// interval (metric.Def.Counted). def need not set Counted.
func (w *borderMetricWriter) ratio(num, den float64, def func() metric.Def) {
	if w.defsMode {
		d := def()
		d.Counted = true
		w.defs = append(w.defs, d)
		return
	}
	w.vals = append(w.vals, metric.Ratio(num, den))
	w.dens = append(w.dens, den)
}

// borderMetricDefs lists the metrics of a compiled border, in the order
// borderStats.emit writes the values.
func borderMetricDefs(cfg *borderConfig) []metric.Def {
	var st borderStats
	st.init(cfg)
	w := borderMetricWriter{defsMode: true}
	st.emit(cfg, &w, nil)
	return w.defs
}

// borderPercentiles are the percentiles of release time every lane and group
// reports.
var borderPercentiles = [...]struct {
	stat metric.Stat
	help string
	p    float64
}{
	{metric.Median, "median", 0.5},
	{metric.P90, "90th percentile of", 0.9},
	{metric.P95, "95th percentile of", 0.95},
}

// borderWithin is the ladder of times (in minutes) of the metrics
// release.<lane>.within.<T>: the points of each lane's release-time
// distribution a Time Release Study reports as "share released within".
var borderWithin = [...]struct {
	help string
	min  int
}{
	{"15 min", 15},
	{"30 min", 30},
	{"1 h", 60},
	{"2 h", 2 * 60},
	{"4 h", 4 * 60},
	{"8 h", 8 * 60},
	{"12 h", 12 * 60},
	{"24 h", 24 * 60},
	{"48 h", 48 * 60},
	{"72 h", 72 * 60},
	{"120 h", 120 * 60},
}

// borderWithinIndex returns the first k with x <= borderWithin[k].min, or
// len(borderWithin) when x is above every time of the ladder.
func borderWithinIndex(x float64) int {
	for k := range borderWithin {
		if x <= float64(borderWithin[k].min) {
			return k
		}
	}
	return len(borderWithin)
}

// laneKind is the kind of the subject "all" or a lane.
func laneKind(name string) metric.Kind {
	if name == "all" {
		return metric.All
	}
	return metric.OfLane
}

// emit walks the metrics in their fixed order. pools is the per-pool state at
// the horizon (nil in defs mode).
func (st *borderStats) emit(cfg *borderConfig, w *borderMetricWriter, pools []borderPoolState) {
	n := float64(st.n)
	w.put(n, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Consignments}, Unit: metric.Count, Help: "consignments that arrived after the warm-up"}
	})
	for l := Lane(0); l < NumLanes; l++ {
		w.ratio(float64(st.lane[l]), n, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Lane, Subject: l.String(), Stat: metric.Of}, Of: metric.OfLane, Unit: metric.Fraction,
				Num: "consignments in the " + l.String() + " lane", Den: "consignments",
				Help: "share of consignments in the " + l.String() + " lane"}
		})
	}
	for l := Lane(0); l < NumLanes; l++ {
		for r := Reason(0); r < NumReasons; r++ {
			w.put(float64(st.reason[l][r]), func() metric.Def {
				return metric.Def{Key: metric.Key{Family: metric.Lane, Subject: l.String(), Part: r.String(), Stat: metric.N}, Of: metric.OfLane, Unit: metric.Count,
					Help: "consignments in the " + l.String() + " lane by " + r.String()}
			})
		}
	}
	w.ratio(float64(st.grpN[borderGroupAEO]), n, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Share, Subject: GroupAEO}, Of: metric.OfGroup, Unit: metric.Fraction,
			Num: "consignments declared by AEOs", Den: "consignments", Help: "share of consignments declared by AEOs"}
	})
	w.ratio(float64(st.grpN[borderGroupPre]), n, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Share, Subject: GroupPreArrival}, Of: metric.OfGroup, Unit: metric.Fraction,
			Num: "consignments lodged at or before arrival", Den: "consignments", Help: "share of consignments lodged at or before arrival"}
	})
	controlled := float64(st.lane[Yellow] + st.lane[Red])
	found := float64(st.foundLane[Yellow] + st.foundLane[Red])
	w.ratio(controlled, n, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Inspection}, Unit: metric.Fraction,
			Num: "controlled (yellow + red)", Den: "consignments", Help: "controlled (yellow + red) / all consignments"}
	})
	w.ratio(found, controlled, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Hit}, Unit: metric.Fraction,
			Num: "controlled and found irregular", Den: "controlled", Help: "controlled and found irregular / controlled"}
	})
	for _, l := range [...]Lane{Yellow, Red} {
		w.ratio(float64(st.foundLane[l]), float64(st.lane[l]), func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Hit, Subject: l.String()}, Of: metric.OfLane, Unit: metric.Fraction,
				Num: "found irregular in the " + l.String() + " lane", Den: "controlled in the " + l.String() + " lane",
				Help: "found irregular / controlled in the " + l.String() + " lane"}
		})
	}
	for i, g := range borderAEOGroups {
		w.ratio(float64(st.grpCtl[i]), float64(st.grpN[i]), func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Inspection, Subject: g.name}, Of: metric.OfGroup, Unit: metric.Fraction,
				Num: g.label + " consignments controlled (yellow + red)", Den: g.label + " consignments",
				Help: g.label + " consignments controlled (yellow + red) / " + g.label + " consignments"}
		})
	}
	for i, g := range borderAEOGroups {
		w.ratio(float64(st.grpFound[i]), float64(st.grpCtl[i]), func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Hit, Subject: g.name}, Of: metric.OfGroup, Unit: metric.Fraction,
				Num: g.label + " consignments controlled and found irregular", Den: g.label + " consignments controlled",
				Help: g.label + " consignments controlled and found irregular / " + g.label + " consignments controlled"}
		})
	}
	w.put(float64(st.irregular), func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Irregular, Stat: metric.N}, Unit: metric.Count, Help: "irregular consignments (ground truth)"}
	})
	var foundAll int64
	for _, f := range st.foundThreat {
		foundAll += f
	}
	w.ratio(float64(foundAll), float64(st.irregular), func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Detection}, Unit: metric.Fraction,
			Num: "found irregular", Den: "irregular", Help: "found irregular / all irregular"}
	})
	for i, name := range cfg.threatNames {
		w.ratio(float64(st.foundThreat[i]), float64(st.irrThreat[i]), func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Detection, Subject: name}, Of: metric.OfThreat, Unit: metric.Fraction,
				Num: "found carrying " + name, Den: "consignments carrying " + name, Help: "found / all consignments carrying " + name}
		})
	}
	st.emitReasons(w, foundAll)
	w.put(st.dutyAtStake, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Duty, Stat: metric.AtStake}, Unit: metric.Currency, Help: "duty at stake on irregular consignments"}
	})
	w.put(st.dutyRecovered, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Duty, Stat: metric.Recovered}, Unit: metric.Currency, Help: "duty on irregular consignments found"}
	})

	var all borderDist
	all.reset()
	for l := range st.release {
		all.merge(&st.release[l])
	}
	releaseStats := func(name string, d *borderDist) {
		kind := laneKind(name)
		w.put(d.mean()/60, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: metric.Mean}, Of: kind, Unit: metric.Hours,
				Help: "mean release time (arrival to release), " + name + "; over window arrivals, followed to release through the drain"}
		})
		for _, p := range borderPercentiles {
			w.put(d.quantile(p.p)/60, func() metric.Def {
				return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: p.stat}, Of: kind, Unit: metric.Hours,
					Help: p.help + " release time, " + name + "; over window arrivals, followed to release through the drain"}
			})
		}
		w.put(d.maximum()/60, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: metric.Max}, Of: kind, Unit: metric.Hours,
				Help: "longest release time, " + name + "; over window arrivals, followed to release through the drain"}
		})
	}
	releaseStats("all", &all)
	for l := Lane(0); l < NumLanes; l++ {
		releaseStats(l.String(), &st.release[l])
	}
	w.ratio(float64(st.withinAll), float64(all.n+st.lateAll), func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Release, Subject: "all", Stat: metric.WithinTarget}, Unit: metric.Fraction,
			Num: "released within the overall target", Den: "released + not released by the end of the drain",
			Help: "released within the overall target / (released + not released by the end of the drain)"}
	})
	for l := Lane(0); l < NumLanes; l++ {
		if !math.IsNaN(cfg.targetLane[l]) {
			w.ratio(float64(st.withinLane[l]), float64(st.release[l].n+st.lateLane[l]), func() metric.Def {
				return metric.Def{Key: metric.Key{Family: metric.Release, Subject: l.String(), Stat: metric.WithinTarget}, Of: metric.OfLane, Unit: metric.Fraction,
					Num: l.String() + " released within the lane's target", Den: l.String() + " released + not released by the end of the drain",
					Help: l.String() + " released within the lane's target / (" + l.String() + " released + not released by the end of the drain)"}
			})
		}
	}
	// Release time by group (AEO status, lodgement, mode), within the
	// overall target by the rule of release.all.within_target.
	for g, name := range cfg.groups.names {
		// Group g has its own statistics at index g, but the only mode,
		// which is every consignment.
		d, within, late := &all, st.withinAll, st.lateAll
		if g < borderGroupModes || !cfg.groups.onlyMode {
			d, within, late = &st.grpRelease[g], st.grpWithin[g], st.grpLate[g]
		}
		w.put(d.mean()/60, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: metric.Mean}, Of: metric.OfGroup, Unit: metric.Hours,
				Help: "mean release time (arrival to release), " + name + "; over window arrivals, followed to release through the drain"}
		})
		for _, p := range borderPercentiles {
			w.put(d.quantile(p.p)/60, func() metric.Def {
				return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: p.stat}, Of: metric.OfGroup, Unit: metric.Hours,
					Help: p.help + " release time, " + name + "; over window arrivals, followed to release through the drain"}
			})
		}
		w.ratio(float64(within), float64(d.n+late), func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: metric.WithinTarget}, Of: metric.OfGroup, Unit: metric.Fraction,
				Num: name + " released within the overall target", Den: name + " released + not released by the end of the drain",
				Help: name + " released within the overall target / (" + name + " released + not released by the end of the drain)"}
		})
	}
	// Shares released within each time of the ladder: released within T /
	// (released + not released by the end of the drain), the rule of
	// within_target.
	releaseWithin := func(name string, n int64, rel, age *[len(borderWithin) + 1]int64) {
		kind := laneKind(name)
		var within, late int64
		for _, a := range age {
			late += a
		}
		for k, t := range borderWithin {
			within += rel[k]
			late -= age[k]
			w.ratio(float64(within), float64(n+late), func() metric.Def {
				return metric.Def{Key: metric.Key{Family: metric.Release, Subject: name, Stat: metric.Within, Within: t.min}, Of: kind, Unit: metric.Fraction,
					Num: "released within " + t.help, Den: "window arrivals released + not released by the end of the drain",
					Help: "share of " + name + " released within " + t.help + ": released within " + t.help +
						" / (window arrivals released + not released by the end of the drain)"}
			})
		}
	}
	var relAll, ageAll [len(borderWithin) + 1]int64
	for l := range st.relBy {
		for k := range relAll {
			relAll[k] += st.relBy[l][k]
			ageAll[k] += st.ageBy[l][k]
		}
	}
	releaseWithin("all", all.n, &relAll, &ageAll)
	for l := Lane(0); l < NumLanes; l++ {
		releaseWithin(l.String(), st.release[l].n, &st.relBy[l], &st.ageBy[l])
	}
	rn := float64(all.n)
	for i, iv := range borderTRSIntervals {
		w.put(metric.Ratio(st.trs[i], rn)/60, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.TRS, Subject: iv.name, Stat: metric.Mean}, Of: metric.OfSpan, Unit: metric.Hours, Help: iv.help}
		})
	}
	for i := range cfg.pools {
		name := cfg.pools[i].name
		v := float64(st.visits[i])
		w.put(metric.Ratio(st.wait[i], v)/60, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.TRS, Subject: name, Part: "wait", Stat: metric.Mean}, Of: metric.OfPool, Unit: metric.Hours,
				Help: "mean wait in the " + name + " queue per visit of a released consignment"}
		})
		w.put(metric.Ratio(st.service[i], v)/60, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.TRS, Subject: name, Part: "service", Stat: metric.Mean}, Of: metric.OfPool, Unit: metric.Hours,
				Help: "mean " + name + " service time per visit of a released consignment"}
		})
	}
	window := cfg.wend - st.warmup
	for i := range cfg.pools {
		pc := &cfg.pools[i]
		var ps borderPoolState
		util := math.NaN()
		if pools != nil {
			ps = pools[i]
			util = metric.Ratio(ps.busyArea, cfg.capacity(i, st.warmup)+ps.overArea)
		}
		key := func(s metric.Stat) metric.Key { return metric.Key{Family: metric.Pool, Subject: pc.name, Stat: s} }
		w.put(util, func() metric.Def {
			return metric.Def{Key: key(metric.Utilization), Of: metric.OfPool, Unit: metric.Fraction,
				Num: "busy server time", Den: "server time available (open hours, plus overtime worked after closing)",
				Help: "busy server time / server time available (open hours, plus overtime worked after closing)"}
		})
		w.put(ps.overArea/60/(window/1440), func() metric.Def {
			return metric.Def{Key: key(metric.OvertimePerDay), Of: metric.OfPool, Unit: metric.Hours,
				Help: "server hours worked outside opening hours (services that ran past closing), per day"}
		})
		w.put(metric.Ratio(ps.waitSum, float64(ps.starts))/60, func() metric.Def {
			return metric.Def{Key: key(metric.MeanWait), Of: metric.OfPool, Unit: metric.Hours, Help: "mean queue wait of services started in the window"}
		})
		w.put(ps.qArea/window, func() metric.Def {
			return metric.Def{Key: key(metric.MeanQueue), Of: metric.OfPool, Unit: metric.Count, Help: "time-average number waiting"}
		})
		w.put(float64(ps.maxQ), func() metric.Def {
			return metric.Def{Key: key(metric.MaxQueue), Of: metric.OfPool, Unit: metric.Count, Help: "most waiting at once"}
		})
	}
	if cfg.costs != nil {
		emitCosts(cfg, w, pools)
	}
	// By route: what each route (a lane's, or the union of routed rules'
	// pools) controlled, its hit rate, and its part of all detections.
	if cfg.routed != (RuleSet{}) {
		for i := range cfg.routeSets {
			name := cfg.routeSets[i].name
			key := func(f metric.Family) metric.Key { return metric.Key{Family: f, Subject: "route", Part: name} }
			w.ratio(float64(st.routeN[i]), n, func() metric.Def {
				return metric.Def{Key: key(metric.Inspection), Of: metric.OfRoute, Unit: metric.Fraction,
					Num: "controlled on the route " + name, Den: "consignments",
					Help: "share of consignments controlled on the route " + name + " (pools in order, joined by +)"}
			})
			w.ratio(float64(st.routeFound[i]), float64(st.routeN[i]), func() metric.Def {
				return metric.Def{Key: key(metric.Hit), Of: metric.OfRoute, Unit: metric.Fraction,
					Num: "controlled on the route " + name + " and found irregular", Den: "controlled on the route " + name,
					Help: "hit rate of the route " + name + ": found irregular / controlled on it"}
			})
			w.ratio(float64(st.routeFound[i]), float64(st.irregular), func() metric.Def {
				return metric.Def{Key: key(metric.Detection), Of: metric.OfRoute, Unit: metric.Fraction,
					Num: "irregular found on the route " + name, Den: "irregular",
					Help: "share of all irregular consignments found on the route " + name + " (the routes add up to detection_rate)"}
			})
		}
	}
	w.put(float64(st.inSystem), func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.InSystem, Stat: metric.N}, Unit: metric.Count,
			Help: "backlog: consignments not yet released at the horizon, whenever they arrived (window arrivals among them are followed through the drain)"}
	})
	w.put(metric.Ratio(st.inSystemAge, float64(st.inSystem))/60, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.InSystem, Stat: metric.MeanAge}, Unit: metric.Hours, Help: "mean time since arrival of those at the horizon"}
	})
	// The drain and the stability of the run (see border.go, Statistics).
	drainHours := math.NaN()
	if st.n > 0 {
		drainHours = st.drainLen / 60
	}
	w.put(float64(st.unreleased), func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Unreleased, Stat: metric.N}, Unit: metric.Count,
			Help: "window arrivals not released by the end of the drain (horizon + drain); late for every target"}
	})
	w.ratio(float64(st.unreleased), n, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Unreleased, Stat: metric.Of}, Unit: metric.Fraction,
			Num: "window arrivals not released by the end of the drain", Den: "consignments", Help: "unreleased.count / consignments"}
	})
	w.put(drainHours, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Drain, Stat: metric.Length}, Unit: metric.Hours,
			Help: "time after the horizon until the last window arrival was released (the cap when some were not); undefined with no window arrival"}
	})
	st.emitStability(cfg, w, pools)
}

// borderTRSIntervals are the Time Release Study intervals, in the order of
// borderStats.trs.
var borderTRSIntervals = [3]struct{ name, help string }{
	{"arrival_lodgement", "TRS interval arrival → lodgement (0 when lodged before arrival)"},
	{"lodgement_lane", "TRS interval lodgement → lane assigned, counted from arrival"},
	{"lane_release", "TRS interval lane assigned → release, counted from arrival"},
}

// emitReasons writes hit rate and detection by reason of selection, the
// risk-selected controls (every reason but random) together, and the lift of
// risk selection over random selection: estimated as an administration
// would, from the random stratum, and true, from the ground truth.
// foundAll is every irregular consignment found.
func (st *borderStats) emitReasons(w *borderMetricWriter, foundAll int64) {
	var selCtl, selIrr, selFound int64
	for r := Reason(0); r < NumReasons; r++ {
		if r != ReasonRandom {
			selCtl += st.ctlReason[r]
			selIrr += st.irrReason[r]
			selFound += st.foundReason[r]
		}
	}
	reason := func(f metric.Family, r string) metric.Key {
		return metric.Key{Family: f, Subject: "reason", Part: r}
	}
	for r := Reason(0); r < NumReasons; r++ {
		w.ratio(float64(st.foundReason[r]), float64(st.ctlReason[r]), func() metric.Def {
			return metric.Def{Key: reason(metric.Hit, r.String()), Of: metric.OfReason, Unit: metric.Fraction,
				Num: "controlled for reason " + r.String() + " and found irregular", Den: "controlled for reason " + r.String(),
				Help: "hit rate of the controls selected by " + r.String() + ": found irregular / controlled (yellow + red) with that reason"}
		})
	}
	w.ratio(float64(selFound), float64(selCtl), func() metric.Def {
		return metric.Def{Key: reason(metric.Hit, "selected"), Of: metric.OfReason, Unit: metric.Fraction,
			Num: "risk-selected controls found irregular", Den: "risk-selected controls (score, forced, expected)",
			Help: "hit rate of the risk-selected controls (every reason but random): found irregular / controlled"}
	})
	for r := Reason(0); r < NumReasons; r++ {
		w.ratio(float64(st.foundReason[r]), float64(st.irregular), func() metric.Def {
			return metric.Def{Key: reason(metric.Detection, r.String()), Of: metric.OfReason, Unit: metric.Fraction,
				Num: "irregular found by controls selected for reason " + r.String(), Den: "irregular",
				Help: "share of all irregular consignments found by controls selected by " + r.String() + " (the reasons add up to detection_rate)"}
		})
	}
	w.ratio(float64(selFound), float64(st.irregular), func() metric.Def {
		return metric.Def{Key: reason(metric.Detection, "selected"), Of: metric.OfReason, Unit: metric.Fraction,
			Num: "irregular found by risk-selected controls", Den: "irregular",
			Help: "share of all irregular consignments found by risk-selected controls (every reason but random)"}
	})
	// The estimate's per-replication value; across replications results
	// pools the two strata's counts (see metric.Lift).
	randRate := metric.Ratio(float64(st.foundReason[ReasonRandom]), float64(st.ctlReason[ReasonRandom]))
	selRate := metric.Ratio(float64(selFound), float64(selCtl))
	est := metric.Ratio(selRate, randRate)
	if math.IsInf(est, 0) {
		est = math.NaN()
	}
	w.put(est, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Lift, Stat: metric.Estimate}, Unit: metric.None,
			Num: "hit rate of risk-selected controls (hit_rate.reason.selected)", Den: "hit rate of random controls (hit_rate.reason.random)",
			Help: "lift of risk selection over random selection as an administration estimates it: hit rate of risk-selected controls / hit rate of random controls"}
	})
	w.put(metric.Ratio(metric.Ratio(float64(selIrr), float64(selCtl)), metric.Ratio(float64(st.irregular), float64(st.n))), func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Lift, Stat: metric.True}, Unit: metric.None,
			Num: "irregular share of risk-selected controls (ground truth)", Den: "irregular share of all consignments (ground truth)",
			Help: "true lift of risk selection (simulation only): irregular share of risk-selected controls / irregular share of all consignments"}
	})
}

// emitCosts writes what the controls cost per day of the measured window:
// the officer-hours the pools that are not scanners were busy, the scans the
// nii pools started, and their cost at the scenario's prices.
func emitCosts(cfg *borderConfig, w *borderMetricWriter, pools []borderPoolState) {
	days := (cfg.horizon - cfg.warmup) / 1440
	hours, scans := math.NaN(), math.NaN()
	if pools != nil {
		hours, scans = 0, 0
		for i := range cfg.pools {
			if cfg.pools[i].method == MethodNII {
				scans += float64(pools[i].starts)
			} else {
				hours += pools[i].busyArea / 60
			}
		}
		hours, scans = hours/days, scans/days
	}
	w.put(hours, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Cost, Subject: "officer_hours", Stat: metric.PerDay}, Unit: metric.Hours,
			Help: "officer-hours the document and physical pools were busy, per day"}
	})
	w.put(scans, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Cost, Subject: "scans", Stat: metric.PerDay}, Unit: metric.Count,
			Help: "NII scans started, per day"}
	})
	w.put(hours*cfg.costs.OfficerHour+scans*cfg.costs.Scan, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Cost, Stat: metric.PerDay}, Unit: metric.Currency,
			Help: "cost of the controls per day: officer-hours × costs.officer_hour + scans × costs.scan"}
	})
}
