package pilot

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"pilotsim/scenarios"
	"pilotsim/sim"
)

// PurposeSites is the stream of a pilot's between-site factors (service
// times and prevalence of each office). Its value is apart from sim's
// purposes, so that both lists can grow.
const PurposeSites sim.Purpose = 48

// week is a simulated week in minutes.
const week = 7 * 24 * 60

// Config describes the pilots to simulate.
type Config struct {
	Baseline, Measure *scenarios.Scenario
	// Weeks is the number of weeks simulated per pilot after the warm-up:
	// the longest pre-period plus the longest pilot any design needs.
	Weeks int
	// Sites is the number of identical offices to simulate when the
	// baseline declares no sites (0 or 1: one office, the scenario itself).
	Sites int
	// MixFrom, when > 0, adds a run per pilot at the first site in which,
	// from this many weeks after the warm-up on, a random half of the
	// consignments gets the measure and the other half not, in the same
	// queues (Data.Mixed): the random-stratum design with its interference.
	MixFrom int
}

// Site is an office of the simulated pilots.
type Site struct {
	Name  string
	Scale float64
}

// Runner simulates pilots. It is safe for concurrent use; each goroutine
// needs its own Data (NewData).
type Runner struct {
	cfg    Config
	sites  []Site
	svcCV  float64
	prevCV float64
	seeds  []uint64 // per site: the seed of its random streams
	models [2][]*sim.Model
	spread bool // sites differ by drawn factors: compile per pilot
	mixed  *sim.Model
	mixErr error // why there is no mixed run (nil when there is one or none was asked)
}

// NewRunner checks cfg and prepares the sites. The baseline's sites (or
// cfg.Sites identical offices) are used for both scenarios; the measure's
// own sites section, if any, is ignored.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.Baseline == nil || cfg.Measure == nil {
		return nil, fmt.Errorf("pilot: baseline and measure scenarios are required")
	}
	if cfg.Weeks < 2 {
		return nil, fmt.Errorf("pilot: want at least 2 weeks per pilot, got %d", cfg.Weeks)
	}
	r := &Runner{cfg: cfg}
	seed := cfg.Baseline.Seed
	if st := cfg.Baseline.Sites; st != nil {
		for _, o := range st.Offices {
			r.sites = append(r.sites, Site{Name: o.Name, Scale: o.Scale})
		}
		r.svcCV, r.prevCV = st.ServiceCV, st.PrevalenceCV
	} else {
		n := max(cfg.Sites, 1)
		for i := range n {
			r.sites = append(r.sites, Site{Name: fmt.Sprintf("site%d", i+1), Scale: 1})
		}
	}
	for i := range r.sites {
		s := seed
		if len(r.sites) > 1 {
			s = splitmix(seed ^ splitmix(uint64(i)+1))
		}
		r.seeds = append(r.seeds, s)
	}
	r.spread = r.svcCV > 0 || r.prevCV > 0
	for arm, sc := range []*scenarios.Scenario{cfg.Baseline, cfg.Measure} {
		r.models[arm] = make([]*sim.Model, len(r.sites))
		for s := range r.sites {
			m, err := sim.Compile(r.siteScenario(sc, s, 1, 1))
			if err != nil {
				return nil, err
			}
			r.models[arm][s] = m
		}
	}
	if cfg.MixFrom > 0 {
		if cfg.MixFrom >= cfg.Weeks {
			return nil, fmt.Errorf("pilot: the mixed run starts after %d weeks, but pilots last %d", cfg.MixFrom, cfg.Weeks)
		}
		if r.mixed, r.mixErr = r.mixedModel(1, 1); r.mixErr != nil {
			r.mixed = nil
		}
	}
	return r, nil
}

// MixedErr says why the pilots have no mixed run (Config.MixFrom): the
// measure changes what a phase cannot (nil when they have one).
func (r *Runner) MixedErr() error { return r.mixErr }

// mixedModel compiles the first site's mixed run with the given spread factors.
func (r *Runner) mixedModel(svc, prev float64) (*sim.Model, error) {
	b := r.siteScenario(r.cfg.Baseline, 0, svc, prev)
	m := r.siteScenario(r.cfg.Measure, 0, svc, prev)
	sc, err := MixedScenario(b, m, float64(b.Warmup)+float64(r.cfg.MixFrom*week), 0.5)
	if err != nil {
		return nil, err
	}
	return sim.Compile(sc)
}

// Sites returns the offices simulated.
func (r *Runner) Sites() []Site { return slices.Clone(r.sites) }

// Weeks returns the weeks simulated per pilot.
func (r *Runner) Weeks() int { return r.cfg.Weeks }

// siteScenario returns sc as office s runs it over r's weeks: traffic scaled,
// service times times svc, prevalence times prev, its own seed.
func (r *Runner) siteScenario(sc *scenarios.Scenario, s int, svc, prev float64) *scenarios.Scenario {
	c := *sc
	c.Sites = nil
	c.Seed = r.seeds[s]
	c.Horizon = c.Warmup + scenarios.Duration(r.cfg.Weeks*week)
	c.Traffic = make(map[string]scenarios.ModeTraffic, len(sc.Traffic))
	for k, t := range sc.Traffic {
		t.Rate *= r.sites[s].Scale
		c.Traffic[k] = t
	}
	if prev != 1 {
		c.Threats = slices.Clone(sc.Threats)
		tot := 0.0
		for i := range c.Threats {
			c.Threats[i].Prevalence *= prev
			tot += c.Threats[i].Prevalence
		}
		if tot > 1 {
			for i := range c.Threats {
				c.Threats[i].Prevalence /= tot
			}
		}
	}
	if svc != 1 {
		c.Resources.Pools = slices.Clone(sc.Resources.Pools)
		for i := range c.Resources.Pools {
			c.Resources.Pools[i].Service = scaleDist(c.Resources.Pools[i].Service, svc)
		}
		// The office's service times stay scaled through the scenario's phases.
		c.Phases = slices.Clone(sc.Phases)
		for k := range c.Phases {
			ps := *c.Phases[k].Scenario
			ps.Resources.Pools = slices.Clone(ps.Resources.Pools)
			for i := range ps.Resources.Pools {
				ps.Resources.Pools[i].Service = scaleDist(ps.Resources.Pools[i].Service, svc)
			}
			c.Phases[k].Scenario = &ps
		}
	}
	return &c
}

// scaleDist returns d for a time scaled by f: every location and scale
// parameter times f, shape parameters (cv, sigma, weights) unchanged.
func scaleDist(d scenarios.Dist, f float64) scenarios.Dist {
	mul := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		v := *p * f
		return &v
	}
	d.Mean, d.Median, d.SD = mul(d.Mean), mul(d.Median), mul(d.SD)
	d.Min, d.Max, d.Mode, d.Value = mul(d.Min), mul(d.Max), mul(d.Mode), mul(d.Value)
	if d.Values != nil {
		v := make([]float64, len(d.Values))
		for i, x := range d.Values {
			v[i] = x * f
		}
		d.Values = v
	}
	return d
}

// lognormalFactor draws a factor with median 1 and coefficient of variation cv.
func lognormalFactor(rng *rand.Rand, cv float64) float64 {
	if cv <= 0 {
		return 1
	}
	return math.Exp(math.Sqrt(math.Log1p(cv*cv)) * rng.NormFloat64())
}

// Data is one simulated pilot: per site, the weekly figures of the baseline
// and of the measure run over the same weeks from the same streams.
type Data struct {
	Pilot   int
	Base    []*Weeks
	Measure []*Weeks
	// Mixed is the first site's mixed run (Config.MixFrom), stratum A the
	// consignments with the measure, B those without; nil when not run.
	Mixed *Weeks
	// Consignments is the number of consignments simulated for this pilot.
	Consignments int64
}

// NewData returns buffers for one goroutine's pilots.
func (r *Runner) NewData() *Data {
	d := &Data{}
	for range r.sites {
		d.Base = append(d.Base, NewWeeks(r.cfg.Weeks))
		d.Measure = append(d.Measure, NewWeeks(r.cfg.Weeks))
	}
	if r.mixed != nil {
		d.Mixed = NewWeeks(r.cfg.Weeks)
	}
	return d
}

// Run simulates pilot p (the replication index of every site's streams) into
// d. The result depends only on the configuration and p.
func (r *Runner) Run(ctx context.Context, p int, d *Data) error {
	d.Pilot, d.Consignments = p, 0
	fr := sim.Stream(r.cfg.Baseline.Seed, p, PurposeSites)
	for s := range r.sites {
		// Draw both factors for every site, whatever the CVs, so that one
		// spread does not shift the other's draws.
		svc, prev := lognormalFactor(fr, r.svcCV), lognormalFactor(fr, r.prevCV)
		for arm, out := range [2]*Weeks{d.Base[s], d.Measure[s]} {
			m := r.models[arm][s]
			if r.spread {
				sc := []*scenarios.Scenario{r.cfg.Baseline, r.cfg.Measure}[arm]
				var err error
				if m, err = sim.Compile(r.siteScenario(sc, s, svc, prev)); err != nil {
					return err
				}
			}
			out.reset()
			sk := &sink{w: out, start: float64(m.Scenario.Warmup), target: overallTarget(m.Scenario), key: splitmix(uint64(p) ^ 0x57a7)}
			_, err := sim.Run(ctx, m, sim.Options{Workers: 1, Reps: []int{p}, Trace: func(int) sim.TraceSink { return sk }})
			if err != nil {
				return fmt.Errorf("pilot %d, site %s, %s: %w", p, r.sites[s].Name, []string{"baseline", "measure"}[arm], err)
			}
			d.Consignments += sk.n
		}
		if s == 0 && d.Mixed != nil {
			m := r.mixed
			if r.spread {
				var err error
				if m, err = r.mixedModel(svc, prev); err != nil {
					return err
				}
			}
			d.Mixed.reset()
			sk := &sink{w: d.Mixed, start: float64(m.Scenario.Warmup), target: overallTarget(m.Scenario), byPhase: true}
			if _, err := sim.Run(ctx, m, sim.Options{Workers: 1, Reps: []int{p}, Trace: func(int) sim.TraceSink { return sk }}); err != nil {
				return fmt.Errorf("pilot %d, site %s, random stratum in shared queues: %w", p, r.sites[s].Name, err)
			}
			d.Consignments += sk.n
		}
	}
	return nil
}

// overallTarget is the scenario's overall release-time target in minutes
// (48 h when not given).
func overallTarget(sc *scenarios.Scenario) float64 {
	if sc.Targets.Overall > 0 {
		return float64(sc.Targets.Overall)
	}
	return 48 * 60
}

// sink reduces a run's consignments to weekly figures. A consignment's
// stratum is a hash of its sequence number and the pilot, so the same
// consignment is in the same stratum in the baseline and the measure run.
type sink struct {
	w       *Weeks
	start   float64
	target  float64
	key     uint64
	n       int64
	byPhase bool // the stratum is the consignment's phase (mixed run): A with the measure
}

func (s *sink) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	s.n++
	if c.Arrival < s.start {
		return nil
	}
	o := Obs{Lane: c.Lane, Controlled: c.Lane == sim.Yellow || c.Lane == sim.Red, Irregular: c.Irregular(),
		Found: ms.Found, Duty: c.Duty, Release: ms.Release - ms.Arrival}
	o.WithinTarget = o.Release <= s.target
	st := int(splitmix(s.key^c.Seq) & 1)
	if s.byPhase {
		st = 1 - int(min(c.Phase, 1))
	}
	s.w.Add(int((c.Arrival-s.start)/week), st, &o)
	return nil
}

func (s *sink) Close() error { return nil }

// splitmix is the splitmix64 finalizer.
func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
