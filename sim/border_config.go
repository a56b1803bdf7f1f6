package sim

import (
	"fmt"
	"maps"
	"math"
	"slices"

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
	pools           []borderPoolConfig
	routes          [NumLanes]borderRoute
	onAlarm         bool // red: physical examination only after an NII alarm
	detect          [][NumMethods]float64
	threatNames     []string
	targetAll       float64           // minutes
	targetLane      [NumLanes]float64 // minutes; NaN when the lane has no target
	groups          borderGroupsConfig
	defs            []metric.Def     // the metrics, in order
	costs           *scenarios.Costs // nil: no cost metrics
}

// compileBorder compiles the resources, routes, targets and run window of sc.
// detect[i] holds threat i's detection probability per method (document, nii,
// physical). Missing routes and red_physical_on_alarm get the same defaults
// as scenarios.Load gives them.
func compileBorder(sc *scenarios.Scenario, detect [][NumMethods]float64) (*borderConfig, error) {
	cfg := borderNamesConfig(sc)
	cfg.detect = detect
	if !(cfg.horizon > 0) || math.IsInf(cfg.horizon, 0) {
		return nil, fmt.Errorf("horizon: must be a positive duration, got %v minutes", cfg.horizon)
	}
	if !(cfg.warmup >= 0 && cfg.warmup < cfg.horizon) {
		return nil, fmt.Errorf("warmup: must be at least 0 and less than the horizon, got %v minutes", cfg.warmup)
	}
	if len(detect) != len(sc.Threats) {
		return nil, fmt.Errorf("internal: %d detection rows for %d threats", len(detect), len(sc.Threats))
	}
	if len(sc.Resources.Pools) > MaxPools {
		return nil, fmt.Errorf("resources.pools: at most %d pools, got %d", MaxPools, len(sc.Resources.Pools))
	}
	cfg.pools = cfg.pools[:0]
	index := make(map[string]int, len(sc.Resources.Pools))
	for i, p := range sc.Resources.Pools {
		where := fmt.Sprintf("resources.pools[%d] (%s)", i, p.Name)
		if p.Name == "" {
			return nil, fmt.Errorf("%s: name is required", where)
		}
		if _, dup := index[p.Name]; dup {
			return nil, fmt.Errorf("%s: pool name used twice", where)
		}
		index[p.Name] = i
		pc := borderPoolConfig{name: p.Name, servers: int32(p.Servers), falseAlarm: p.FalseAlarm}
		m := p.Method
		if m == "" {
			m = p.Name
		}
		var ok bool
		if pc.method, ok = ParseMethod(m); !ok {
			return nil, fmt.Errorf("%s: method %q is not one of document, nii, physical", where, m)
		}
		if p.Servers < 1 || p.Servers > math.MaxInt32 {
			return nil, fmt.Errorf("%s: servers must be at least 1, got %d", where, p.Servers)
		}
		if !(p.FalseAlarm >= 0 && p.FalseAlarm <= 1) {
			return nil, fmt.Errorf("%s: false_alarm must be in [0,1], got %v", where, p.FalseAlarm)
		}
		var err error
		if pc.service, err = p.Service.Sampler(); err != nil {
			return nil, fmt.Errorf("%s: service: %w", where, err)
		}
		if pc.hours, err = compileBorderHours(p.Hours); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		cfg.pools = append(cfg.pools, pc)
	}
	route := func(field string, names, def []string) (borderRoute, error) {
		var r borderRoute
		if len(names) == 0 {
			names = def
		}
		if len(names) > MaxStages {
			return r, fmt.Errorf("resources.%s: at most %d pools, got %d", field, MaxStages, len(names))
		}
		for i, n := range names {
			k, ok := index[n]
			if !ok {
				return r, fmt.Errorf("resources.%s[%d]: unknown pool %q", field, i, n)
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
	for _, name := range slices.Sorted(maps.Keys(sc.Targets.Lanes)) {
		if _, ok := ParseLane(name); !ok {
			return nil, fmt.Errorf("targets.lanes: unknown lane %q (want green, blue, yellow or red)", name)
		}
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
		costs:     sc.Costs,
	}
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
