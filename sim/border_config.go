package sim

import (
	"fmt"
	"math"

	"pilotsim/internal/fault"
	"pilotsim/metric"
	"pilotsim/scenarios"
)

// MaxStages is the largest number of controls (pool visits) on one lane's
// route.
const MaxStages = 6

// MaxPools is the most resource pools a scenario may hold: routes and
// Milestones.Pools hold pool indices as int8.
const MaxPools = math.MaxInt8

// borderPoolConfig is one compiled resource pool.
type borderPoolConfig struct {
	name       string
	method     Method
	servers    int32
	service    scenarios.Sampler
	falseAlarm float64
	hours      borderHours
}

// borderRoute is the pools a lane visits, in order.
type borderRoute struct {
	n     int8
	pools [MaxStages]int8
}

// borderConfig is the compiled, read-only border of a scenario, shared by all
// workers.
type borderConfig struct {
	seed            uint64
	warmup, horizon float64 // minutes
	// The statistics window is [warmup, wend): consignments arriving in it
	// are measured (wend = horizon unless window_end says otherwise). After
	// the horizon the border drains, without arrivals, until every window
	// arrival is released or end = horizon + drain.
	wend, end float64
	// weekly: the scenario has a weekly pattern (MSER truncates in whole
	// weeks); autoWarmup: warmup: auto, MSER picks each replication's.
	weekly, autoWarmup bool
	pools              []borderPoolConfig
	routes             [NumLanes]borderRoute
	onAlarm            bool // red: physical examination only after an NII alarm
	detect             [][NumMethods]float64
	threatNames        []string
	targetAll          float64           // minutes
	targetLane         [NumLanes]float64 // minutes; NaN when the lane has no target
	groups             borderGroupsConfig
	defs               []metric.Def // the metrics, in order
}

// compileBorder compiles the resources, routes, targets and run window of sc.
// detect[i] holds threat i's detection probability per method (document, nii,
// physical). Missing routes and red_physical_on_alarm get the same defaults
// as scenarios.Load gives them. Like Compile it trusts a validated scenario:
// what it checks guards its own tables, and a failure is a *fault.Bug.
func compileBorder(sc *scenarios.Scenario, detect [][NumMethods]float64) (*borderConfig, error) {
	cfg := borderNamesConfig(sc)
	cfg.detect = detect
	bug := func(format string, args ...any) error {
		return fault.Bugf("compile border: %s (scenarios validation refuses this: was the scenario validated?)", fmt.Sprintf(format, args...))
	}
	if !(cfg.horizon > 0) || math.IsInf(cfg.horizon, 0) || !(cfg.warmup >= 0 && cfg.warmup < cfg.horizon) {
		return nil, bug("horizon %v, warmup %v minutes", cfg.horizon, cfg.warmup)
	}
	if !(cfg.wend > cfg.warmup && cfg.wend <= cfg.horizon) || !(cfg.end >= cfg.horizon) || math.IsInf(cfg.end, 0) {
		return nil, bug("window_end %v, drain %v minutes", cfg.wend, cfg.end-cfg.horizon)
	}
	if len(detect) != len(sc.Threats) {
		return nil, bug("%d detection rows for %d threats", len(detect), len(sc.Threats))
	}
	if len(sc.Resources.Pools) > MaxPools {
		return nil, bug("%d pools", len(sc.Resources.Pools))
	}
	cfg.pools = cfg.pools[:0]
	index := make(map[string]int, len(sc.Resources.Pools))
	for i, p := range sc.Resources.Pools {
		where := fmt.Sprintf("resources.pools[%d] (%s)", i, p.Name)
		index[p.Name] = i
		pc := borderPoolConfig{name: p.Name, servers: int32(p.Servers), falseAlarm: p.FalseAlarm}
		m := p.Method
		if m == "" {
			m = p.Name
		}
		var ok bool
		if pc.method, ok = ParseMethod(m); !ok {
			return nil, bug("%s: method %q", where, m)
		}
		if p.Servers < 1 || p.Servers > scenarios.MaxServers {
			return nil, bug("%s: %d servers", where, p.Servers)
		}
		var err error
		if pc.service, err = p.Service.Sampler(); err != nil {
			return nil, bug("%s: service: %v", where, err)
		}
		if pc.hours, err = compileBorderHours(p.Hours); err != nil {
			return nil, bug("%s: %v", where, err)
		}
		cfg.pools = append(cfg.pools, pc)
	}
	route := func(field string, names, def []string) (borderRoute, error) {
		var r borderRoute
		if len(names) == 0 {
			names = def
		}
		if len(names) > MaxStages {
			return r, bug("resources.%s: %d pools", field, len(names))
		}
		for i, n := range names {
			k, ok := index[n]
			if !ok {
				return r, bug("resources.%s[%d]: no pool %q", field, i, n)
			}
			r.pools[i] = int8(k)
			r.n++
		}
		return r, nil
	}
	var err error
	if cfg.routes[Yellow], err = route("yellow", sc.Resources.Yellow, []string{"document"}); err != nil {
		return nil, err
	}
	if cfg.routes[Red], err = route("red", sc.Resources.Red, []string{"nii", "physical"}); err != nil {
		return nil, err
	}
	return cfg, nil
}

// borderNamesConfig reads what the metric names depend on (threat and pool
// names, lanes with a target, modes with traffic) and the run window, without checking anything:
// enough for the metric definitions of any scenario.
func borderNamesConfig(sc *scenarios.Scenario) *borderConfig {
	cfg := &borderConfig{
		seed:      sc.Seed,
		warmup:    float64(sc.Warmup),
		horizon:   float64(sc.Horizon),
		onAlarm:   sc.Resources.RedPhysicalOnAlarm == nil || *sc.Resources.RedPhysicalOnAlarm,
		targetAll: float64(sc.Targets.Overall),
	}
	cfg.wend, cfg.end = cfg.horizon, cfg.horizon+float64(scenarios.DefaultDrain)
	if sc.WindowEnd != 0 {
		cfg.wend = float64(sc.WindowEnd)
	}
	if sc.Drain != nil {
		cfg.end = cfg.horizon + float64(*sc.Drain)
	}
	cfg.weekly = sc.WeeklyPattern() != ""
	cfg.autoWarmup = sc.WarmupAuto
	for _, th := range sc.Threats {
		cfg.threatNames = append(cfg.threatNames, th.Name)
	}
	for _, p := range sc.Resources.Pools {
		cfg.pools = append(cfg.pools, borderPoolConfig{name: p.Name})
	}
	for l := range cfg.targetLane {
		cfg.targetLane[l] = math.NaN()
	}
	for name, d := range sc.Targets.Lanes {
		if l, ok := ParseLane(name); ok {
			cfg.targetLane[l] = float64(d)
		}
	}
	cfg.groups = compileBorderGroups(sc)
	cfg.defs = borderMetricDefs(cfg)
	return cfg
}

// borderDetectFromScenario reads the detection table from the scenario's
// threats (what the engine's Model.Threats also holds).
func borderDetectFromScenario(sc *scenarios.Scenario) [][NumMethods]float64 {
	d := make([][NumMethods]float64, len(sc.Threats))
	for i, th := range sc.Threats {
		d[i][MethodDocument] = th.Detection.Document
		d[i][MethodNII] = th.Detection.NII
		d[i][MethodPhysical] = th.Detection.Physical
	}
	return d
}
