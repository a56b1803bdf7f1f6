package sim

import (
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strings"

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
	// Routing by rule: the pools of each rule's route (zero: the lane's),
	// the rules that have one, and the routes reported (lane routes first,
	// then every union of rule routes), with the index of each lane's.
	ruleRoutes []borderPoolMask
	routed     RuleSet
	routeSets  []borderRouteSet
	laneRoute  [NumLanes]int8   // index into routeSets, -1 for no route
	defs       []metric.Def     // the metrics, in order
	costs      *scenarios.Costs // nil: no cost metrics
	// phases[k] is what changes in phase k (0: the scenario itself):
	// routes, service times, false alarms, detection per consignment of
	// that phase, and server counts from phases[k].at on.
	phases []borderPhase
}

// borderPoolMask is a set of pool indices (pool i is bit i%64 of word i/64).
type borderPoolMask [2]uint64

func (m *borderPoolMask) add(i int)     { m[i>>6] |= 1 << (uint(i) & 63) }
func (m borderPoolMask) has(i int) bool { return m[i>>6]&(1<<(uint(i)&63)) != 0 }
func (m borderPoolMask) or(o borderPoolMask) borderPoolMask {
	return borderPoolMask{m[0] | o[0], m[1] | o[1]}
}

// borderRouteSet is one route a consignment can take, for the metrics by
// route: its pools in pool order and its name ("document", "nii+physical").
type borderRouteSet struct {
	mask  borderPoolMask
	route borderRoute
	name  string
}

// borderPhase is the part of the border a scenario phase may change.
type borderPhase struct {
	at float64 // minutes; 0 for phase 0
	// cfg is the phase's own compiled border (phase 0: the scenario's):
	// its lane and rule routes; routeMap maps its route sets to the
	// scenario's (−1: a route the scenario's metrics have no row for).
	cfg        *borderConfig
	routeMap   []int8
	onAlarm    bool
	service    []scenarios.Sampler // per pool
	falseAlarm []float64           // per pool
	servers    []int32             // per pool
	detect     [][NumMethods]float64
}

// phaseOf returns the border phase of cfg's own pools, routes and detection.
func (cfg *borderConfig) phaseOf(at float64) borderPhase {
	ph := borderPhase{at: at, cfg: cfg, onAlarm: cfg.onAlarm, detect: cfg.detect}
	for i := range cfg.routeSets {
		ph.routeMap = append(ph.routeMap, int8(i))
	}
	for _, p := range cfg.pools {
		ph.service = append(ph.service, p.service)
		ph.falseAlarm = append(ph.falseAlarm, p.falseAlarm)
		ph.servers = append(ph.servers, p.servers)
	}
	return ph
}

// addPhases compiles the border of every phase of m and adds them to
// cfg.phases (which compileBorder starts with phase 0).
func (cfg *borderConfig) addPhases(m *Model) error {
	for k, mp := range m.phases {
		pc, err := compileBorder(mp.m.Scenario, borderDetect(mp.m))
		if err != nil {
			return fmt.Errorf("phase %d: %w", k+1, err)
		}
		if len(pc.pools) != len(cfg.pools) {
			return fmt.Errorf("phase %d: %d pools, the scenario has %d: a phase may not add or remove pools", k+1, len(pc.pools), len(cfg.pools))
		}
		for i := range pc.pools {
			a, b := &cfg.pools[i], &pc.pools[i]
			if a.name != b.name || a.method != b.method || !reflect.DeepEqual(a.hours, b.hours) {
				return fmt.Errorf("phase %d: pool %s: a phase may change only its servers, service and false alarms", k+1, a.name)
			}
		}
		ph := pc.phaseOf(mp.at)
		for i, rs := range pc.routeSets {
			ph.routeMap[i] = -1
			for j, base := range cfg.routeSets {
				if base.mask == rs.mask {
					ph.routeMap[i] = int8(j)
				}
			}
		}
		cfg.phases = append(cfg.phases, ph)
	}
	return nil
}

// capacity returns pool p's server time open in the window [warmup, wend):
// servers × open time, phase by phase.
func (cfg *borderConfig) capacity(p int, warmup float64) float64 {
	pc := &cfg.pools[p]
	if len(cfg.phases) <= 1 {
		return float64(pc.servers) * pc.hours.openTime(warmup, cfg.wend)
	}
	c := 0.0
	for k, ph := range cfg.phases {
		lo, hi := max(ph.at, warmup), cfg.wend
		if k+1 < len(cfg.phases) {
			hi = min(hi, cfg.phases[k+1].at)
		}
		if hi > lo {
			c += float64(ph.servers[p]) * pc.hours.openTime(lo, hi)
		}
	}
	return c
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
	if err := cfg.compileRuleRoutes(sc, index); err != nil {
		return nil, err
	}
	cfg.phases = []borderPhase{cfg.phaseOf(0)}
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
	index := make(map[string]int, len(sc.Resources.Pools))
	for i, p := range sc.Resources.Pools {
		if _, dup := index[p.Name]; !dup {
			index[p.Name] = i
		}
	}
	yellow, red := sc.Resources.Yellow, sc.Resources.Red
	if len(yellow) == 0 {
		yellow = []string{"document"}
	}
	if len(red) == 0 {
		red = []string{"nii", "physical"}
	}
	for l := range cfg.routes {
		cfg.routes[l] = borderRoute{}
	}
	for _, lr := range []struct {
		l     Lane
		names []string
	}{{Yellow, yellow}, {Red, red}} {
		for _, n := range lr.names {
			if k, ok := index[n]; ok && cfg.routes[lr.l].n < MaxStages {
				cfg.routes[lr.l].pools[cfg.routes[lr.l].n] = int8(k)
				cfg.routes[lr.l].n++
			}
		}
	}
	_ = cfg.compileRuleRoutes(sc, index) // names only: errors are Run's to report
	cfg.defs = borderMetricDefs(cfg)
	return cfg
}

// compileRuleRoutes compiles the rules' routes and the routes reported: the
// lanes' routes (yellow, then red, when different), then every distinct
// union of rule routes. Rule routes are pool sets; a route visits its pools
// in the order of resources.pools.
func (cfg *borderConfig) compileRuleRoutes(sc *scenarios.Scenario, index map[string]int) error {
	cfg.ruleRoutes = make([]borderPoolMask, len(sc.Rules))
	cfg.routed = RuleSet{}
	cfg.routeSets = cfg.routeSets[:0]
	var distinct []borderPoolMask
	for i, r := range sc.Rules {
		if len(r.Route) == 0 || i >= MaxRules {
			continue
		}
		var m borderPoolMask
		for j, n := range r.Route {
			k, ok := index[n]
			if !ok {
				return fmt.Errorf("rules[%d] (%s): route[%d]: unknown pool %q", i, r.ID, j, n)
			}
			m.add(k)
		}
		cfg.ruleRoutes[i] = m
		cfg.routed.Add(i)
		if !slices.Contains(distinct, m) {
			distinct = append(distinct, m)
		}
	}
	add := func(m borderPoolMask) (int8, error) {
		for i, rs := range cfg.routeSets {
			if rs.mask == m {
				return int8(i), nil
			}
		}
		var rs borderRouteSet
		rs.mask = m
		var names []string
		for p := range cfg.pools {
			if m.has(p) {
				if rs.route.n == MaxStages {
					return -1, fmt.Errorf("rules: the routes of the rules together visit more than %d pools", MaxStages)
				}
				rs.route.pools[rs.route.n] = int8(p)
				rs.route.n++
				names = append(names, cfg.pools[p].name)
			}
		}
		rs.name = strings.Join(names, "+")
		if len(cfg.routeSets) >= math.MaxInt8 {
			return -1, fmt.Errorf("rules: too many distinct routes")
		}
		cfg.routeSets = append(cfg.routeSets, rs)
		return int8(len(cfg.routeSets) - 1), nil
	}
	for l := range cfg.laneRoute {
		cfg.laneRoute[l] = -1
	}
	for _, l := range []Lane{Yellow, Red} {
		r := cfg.routes[l]
		if r.n == 0 {
			continue
		}
		var m borderPoolMask
		for k := range r.n {
			m.add(int(r.pools[k]))
		}
		i, err := add(m)
		if err != nil {
			return err
		}
		// A lane route keeps its own order (red: nii before physical).
		cfg.routeSets[i].route = r
		cfg.laneRoute[l] = i
	}
	if len(distinct) > scenarios.MaxRuleRoutes { // refused by validation
		return fault.Bugf("rules: %d distinct rule routes", len(distinct))
	}
	for sub := 1; sub < 1<<len(distinct); sub++ {
		var m borderPoolMask
		for j, d := range distinct {
			if sub&(1<<j) != 0 {
				m = m.or(d)
			}
		}
		if _, err := add(m); err != nil {
			return err
		}
	}
	return nil
}

// routeOf returns the route a consignment takes and its index in
// routeSets: the union of its routed rules' pools, or its lane's route.
// It allocates nothing.
func (cfg *borderConfig) routeOf(c *Consignment) (*borderRoute, int8) {
	if c.Lane == Yellow || c.Lane == Red {
		var m borderPoolMask
		any := false
		for w := range c.Hits {
			hit := c.Hits[w] & cfg.routed[w]
			for hit != 0 {
				i := w<<6 + bits.TrailingZeros64(hit)
				hit &= hit - 1
				m = m.or(cfg.ruleRoutes[i])
				any = true
			}
		}
		if any {
			for i := range cfg.routeSets {
				if cfg.routeSets[i].mask == m {
					return &cfg.routeSets[i].route, int8(i)
				}
			}
		}
	}
	return &cfg.routes[c.Lane], cfg.laneRoute[c.Lane]
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
