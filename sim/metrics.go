package sim

import "math"

// MetricDef describes one figure a replication reports.
type MetricDef struct {
	Name string // flat dotted name, e.g. "release.red.p90"
	Unit string // "count", "fraction", "h" or "currency"
	Help string // one line for tables and reports
}

// RepResult is what one replication measured: Values[i] is the value of the
// model's Metrics()[i]. A value is NaN where it is undefined (a hit rate with no
// controls, a percentile with no releases).
type RepResult struct {
	Rep    int
	Values []float64
}

// Units of metrics.
const (
	UnitCount    = "count"
	UnitFraction = "fraction"
	UnitHours    = "h"
	UnitCurrency = "currency"
)

// borderMetricWriter collects metric definitions (defs mode) or values, so that
// both come from one walk in one order.
type borderMetricWriter struct {
	defsMode bool
	defs     []MetricDef
	vals     []float64
}

func (w *borderMetricWriter) put(name, unit, help string, v float64) {
	if w.defsMode {
		w.defs = append(w.defs, MetricDef{Name: name, Unit: unit, Help: help})
		return
	}
	w.vals = append(w.vals, v)
}

// borderRatio is a/b, NaN when b is 0.
func borderRatio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// borderMetricDefs lists the metrics of a compiled border, in the order
// borderStats.emit writes the values.
func borderMetricDefs(cfg *borderConfig) []MetricDef {
	var st borderStats
	st.init(cfg)
	w := borderMetricWriter{defsMode: true}
	st.emit(cfg, &w, nil)
	return w.defs
}

var borderPercentiles = [...]struct {
	name, help string
	p          float64
}{
	{"median", "median", 0.5},
	{"p90", "90th percentile of", 0.9},
	{"p95", "95th percentile of", 0.95},
}

// borderWithin is the ladder of times (in minutes) of the metrics
// release.<lane>.within.<name>: the points of each lane's release-time
// distribution a Time Release Study reports as "share released within".
var borderWithin = [...]struct {
	name, help string
	min        float64
}{
	{"15m", "15 min", 15},
	{"30m", "30 min", 30},
	{"1h", "1 h", 60},
	{"2h", "2 h", 2 * 60},
	{"4h", "4 h", 4 * 60},
	{"8h", "8 h", 8 * 60},
	{"12h", "12 h", 12 * 60},
	{"24h", "24 h", 24 * 60},
	{"48h", "48 h", 48 * 60},
	{"72h", "72 h", 72 * 60},
	{"120h", "120 h", 120 * 60},
}

// borderWithinDefs are the definitions of release.<lane>.within.<T>, for
// "all" (index 0) and then each lane (1 + Lane), built once so that the
// metric walk builds no strings for them.
var borderWithinDefs = func() (defs [1 + NumLanes][len(borderWithin)]MetricDef) {
	for i := range defs {
		name := "all"
		if i > 0 {
			name = Lane(i - 1).String()
		}
		for k, t := range borderWithin {
			defs[i][k] = MetricDef{
				Name: "release." + name + ".within." + t.name,
				Unit: UnitFraction,
				Help: "share of " + name + " released within " + t.help + ": released within " + t.help +
					" / (window arrivals released + not released by the end of the drain)",
			}
		}
	}
	return defs
}()

// borderWithinIndex returns the first k with x <= borderWithin[k].min, or
// len(borderWithin) when x is above every time of the ladder.
func borderWithinIndex(x float64) int {
	for k := range borderWithin {
		if x <= borderWithin[k].min {
			return k
		}
	}
	return len(borderWithin)
}

// emit walks the metrics in their fixed order. pools is the per-pool state at
// the horizon (nil in defs mode).
func (st *borderStats) emit(cfg *borderConfig, w *borderMetricWriter, pools []borderPoolState) {
	n := float64(st.n)
	w.put("consignments", UnitCount, "consignments that arrived after the warm-up", n)
	for l := Lane(0); l < NumLanes; l++ {
		w.put("lane."+l.String()+".share", UnitFraction, "share of consignments in the "+l.String()+" lane", borderRatio(float64(st.lane[l]), n))
	}
	for l := Lane(0); l < NumLanes; l++ {
		for r := Reason(0); r < NumReasons; r++ {
			w.put("lane."+l.String()+"."+r.String()+".count", UnitCount,
				"consignments in the "+l.String()+" lane by "+r.String(), float64(st.reason[l][r]))
		}
	}
	w.put(borderShareAEO.Name, borderShareAEO.Unit, borderShareAEO.Help, borderRatio(float64(st.grpN[borderGroupAEO]), n))
	w.put(borderSharePre.Name, borderSharePre.Unit, borderSharePre.Help, borderRatio(float64(st.grpN[borderGroupPre]), n))
	controlled := float64(st.lane[Yellow] + st.lane[Red])
	found := float64(st.foundLane[Yellow] + st.foundLane[Red])
	w.put("inspection_rate", UnitFraction, "controlled (yellow + red) / all consignments", borderRatio(controlled, n))
	w.put("hit_rate", UnitFraction, "controlled and found irregular / controlled", borderRatio(found, controlled))
	for _, l := range [...]Lane{Yellow, Red} {
		w.put("hit_rate."+l.String(), UnitFraction, "found irregular / controlled in the "+l.String()+" lane",
			borderRatio(float64(st.foundLane[l]), float64(st.lane[l])))
	}
	for i, d := range borderAEODefs {
		w.put(d.inspection.Name, d.inspection.Unit, d.inspection.Help, borderRatio(float64(st.grpCtl[i]), float64(st.grpN[i])))
	}
	for i, d := range borderAEODefs {
		w.put(d.hit.Name, d.hit.Unit, d.hit.Help, borderRatio(float64(st.grpFound[i]), float64(st.grpCtl[i])))
	}
	w.put("irregular.count", UnitCount, "irregular consignments (ground truth)", float64(st.irregular))
	var foundAll int64
	for _, f := range st.foundThreat {
		foundAll += f
	}
	w.put("detection_rate", UnitFraction, "found irregular / all irregular", borderRatio(float64(foundAll), float64(st.irregular)))
	for i, name := range cfg.threatNames {
		w.put("detection_rate."+name, UnitFraction, "found / all consignments carrying "+name,
			borderRatio(float64(st.foundThreat[i]), float64(st.irrThreat[i])))
	}
	w.put("duty.at_stake", UnitCurrency, "duty at stake on irregular consignments", st.dutyAtStake)
	w.put("duty.recovered", UnitCurrency, "duty on irregular consignments found", st.dutyRecovered)

	var all borderDist
	all.reset()
	for l := range st.release {
		all.merge(&st.release[l])
	}
	releaseStats := func(name string, d *borderDist) {
		w.put("release."+name+".mean", UnitHours, "mean release time (arrival to release), "+name+"; over window arrivals, followed to release through the drain", d.mean()/60)
		for _, p := range borderPercentiles {
			w.put("release."+name+"."+p.name, UnitHours, p.help+" release time, "+name+"; over window arrivals, followed to release through the drain", d.quantile(p.p)/60)
		}
		w.put("release."+name+".max", UnitHours, "longest release time, "+name+"; over window arrivals, followed to release through the drain", d.maximum()/60)
	}
	releaseStats("all", &all)
	for l := Lane(0); l < NumLanes; l++ {
		releaseStats(l.String(), &st.release[l])
	}
	w.put("release.all.within_target", UnitFraction, "released within the overall target / (released + not released by the end of the drain)",
		borderRatio(float64(st.withinAll), float64(all.n+st.lateAll)))
	for l := Lane(0); l < NumLanes; l++ {
		if !math.IsNaN(cfg.targetLane[l]) {
			w.put("release."+l.String()+".within_target", UnitFraction, l.String()+" released within the lane's target / ("+l.String()+" released + not released by the end of the drain)",
				borderRatio(float64(st.withinLane[l]), float64(st.release[l].n+st.lateLane[l])))
		}
	}
	// Release time by group (AEO status, lodgement, mode), within the
	// overall target by the rule of release.all.within_target.
	for g := range cfg.groups.names {
		// Group g has its own statistics at index g, but the only mode,
		// which is every consignment.
		d, within, late := &all, st.withinAll, st.lateAll
		if g < borderGroupModes || !cfg.groups.onlyMode {
			d, within, late = &st.grpRelease[g], st.grpWithin[g], st.grpLate[g]
		}
		defs := &cfg.groups.defs[g]
		w.put(defs[borderGroupMean].Name, defs[borderGroupMean].Unit, defs[borderGroupMean].Help, d.mean()/60)
		for i, p := range borderPercentiles {
			def := &defs[borderGroupMedian+i]
			w.put(def.Name, def.Unit, def.Help, d.quantile(p.p)/60)
		}
		w.put(defs[borderGroupWithin].Name, defs[borderGroupWithin].Unit, defs[borderGroupWithin].Help,
			borderRatio(float64(within), float64(d.n+late)))
	}
	// Shares released within each time of the ladder: released within T /
	// (released + not released by the end of the drain), the
	// rule of within_target.
	releaseWithin := func(lane int, n int64, rel, age *[len(borderWithin) + 1]int64) {
		var within, late int64
		for _, a := range age {
			late += a
		}
		for k := range borderWithin {
			within += rel[k]
			late -= age[k]
			d := &borderWithinDefs[lane][k]
			w.put(d.Name, d.Unit, d.Help, borderRatio(float64(within), float64(n+late)))
		}
	}
	var relAll, ageAll [len(borderWithin) + 1]int64
	for l := range st.relBy {
		for k := range relAll {
			relAll[k] += st.relBy[l][k]
			ageAll[k] += st.ageBy[l][k]
		}
	}
	releaseWithin(0, all.n, &relAll, &ageAll)
	for l := Lane(0); l < NumLanes; l++ {
		releaseWithin(1+int(l), st.release[l].n, &st.relBy[l], &st.ageBy[l])
	}
	rn := float64(all.n)
	w.put("trs.arrival_lodgement.mean", UnitHours, "TRS interval arrival → lodgement (0 when lodged before arrival)", borderRatio(st.trs[0], rn)/60)
	w.put("trs.lodgement_lane.mean", UnitHours, "TRS interval lodgement → lane assigned, counted from arrival", borderRatio(st.trs[1], rn)/60)
	w.put("trs.lane_release.mean", UnitHours, "TRS interval lane assigned → release, counted from arrival", borderRatio(st.trs[2], rn)/60)
	for i := range cfg.pools {
		name := cfg.pools[i].name
		v := float64(st.visits[i])
		w.put("trs."+name+".wait.mean", UnitHours, "mean wait in the "+name+" queue per visit of a released consignment", borderRatio(st.wait[i], v)/60)
		w.put("trs."+name+".service.mean", UnitHours, "mean "+name+" service time per visit of a released consignment", borderRatio(st.service[i], v)/60)
	}
	window := cfg.wend - st.warmup
	for i := range cfg.pools {
		pc := &cfg.pools[i]
		var ps borderPoolState
		util := math.NaN()
		if pools != nil {
			ps = pools[i]
			util = borderRatio(ps.busyArea, float64(pc.servers)*pc.hours.openTime(st.warmup, cfg.wend)+ps.overArea)
		}
		w.put("pool."+pc.name+".utilization", UnitFraction,
			"busy server time / server time available (open hours, plus overtime worked after closing)", util)
		w.put("pool."+pc.name+".overtime_per_day", UnitHours,
			"server hours worked outside opening hours (services that ran past closing), per day", ps.overArea/60/(window/1440))
		w.put("pool."+pc.name+".mean_wait", UnitHours, "mean queue wait of services started in the window", borderRatio(ps.waitSum, float64(ps.starts))/60)
		w.put("pool."+pc.name+".mean_queue", UnitCount, "time-average number waiting", ps.qArea/window)
		w.put("pool."+pc.name+".max_queue", UnitCount, "most waiting at once", float64(ps.maxQ))
	}
	w.put("in_system.count", UnitCount, "backlog: consignments not yet released at the horizon, whenever they arrived (window arrivals among them are followed through the drain)", float64(st.inSystem))
	w.put("in_system.mean_age", UnitHours, "mean time since arrival of those at the horizon", borderRatio(st.inSystemAge, float64(st.inSystem))/60)
	// The drain and the stability of the run (see border.go, Statistics).
	drainHours := math.NaN()
	if st.n > 0 {
		drainHours = st.drainLen / 60
	}
	w.put("unreleased.count", UnitCount, "window arrivals not released by the end of the drain (horizon + drain); late for every target", float64(st.unreleased))
	w.put("unreleased.share", UnitFraction, "unreleased.count / consignments", borderRatio(float64(st.unreleased), n))
	w.put("drain.hours", UnitHours, "time after the horizon until the last window arrival was released (the cap when some were not); undefined with no window arrival", drainHours)
	st.emitStability(cfg, w, pools)
}
