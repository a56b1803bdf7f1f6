package sim

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"pilotsim/metric"
)

// Metrics returns the definitions of the figures each replication of m
// reports, in the fixed order of metric.Rep.Values. Names are flat and dotted
// (see the package's metric list): lane shares and reasons, inspection, hit
// and detection rates (overall, per lane, per threat), duty, release-time
// statistics per lane in hours, the share of each lane released within
// target and within each time of a fixed ladder (release.<lane>.within.15m …
// .120h), release time, share within the overall target, inspection and hit
// rate by group (AEO or not, lodged before or after arrival, transport mode
// with traffic; see GroupAEO), Time Release Study intervals, per-pool
// statistics and what is still in the system at the horizon.
func (m *Model) Metrics() []metric.Def {
	if cfg, err := m.borderConfig(); err == nil {
		return slices.Clone(cfg.defs) // the cached configuration is shared: hand out a copy
	}
	// A border that does not compile still has names (Run reports the error).
	return borderNamesConfig(m.Scenario).defs
}

// borderCache holds a model's compiled border, made once on first use and
// read-only afterwards (safe for concurrent Runs).
type borderCache struct {
	once sync.Once
	cfg  *borderConfig
	err  error
}

// borderConfig returns m's compiled border configuration, compiling it on
// first use; a Model made without Compile compiles it on every call.
func (m *Model) borderConfig() (*borderConfig, error) {
	if m.border == nil {
		return compileBorderPhases(m)
	}
	m.border.once.Do(func() { m.border.cfg, m.border.err = compileBorderPhases(m) })
	return m.border.cfg, m.border.err
}

// compileBorderPhases compiles m's border with its phases.
func compileBorderPhases(m *Model) (*borderConfig, error) {
	cfg, err := compileBorder(m.Scenario, borderDetect(m))
	if err != nil {
		return nil, err
	}
	if err := cfg.addPhases(m); err != nil {
		return nil, err
	}
	return cfg, nil
}

// borderDetect is the detection table of m's threats.
func borderDetect(m *Model) [][NumMethods]float64 {
	d := make([][NumMethods]float64, len(m.Threats))
	for i, th := range m.Threats {
		d[i] = th.Detect
	}
	return d
}

// Run simulates the replications of m (opt.Reps, or 0 … R-1) on
// opt.Workers goroutines and returns their results in that order. Each worker
// has its own Generator, Selector and border, reused for every replication
// it takes; a replication runs single-threaded from its own random streams,
// so results are identical for any number of workers. The context is checked
// every few thousand consignments: on cancellation Run returns the
// replications finished so far, in order, and ctx.Err().
func Run(ctx context.Context, m *Model, opt Options) ([]metric.Rep, error) {
	sc := m.Scenario
	name := sc.Name
	if sc.Path != "" {
		name = sc.Path
	}
	cfg, err := m.borderConfig()
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	reps := opt.Reps
	if reps == nil {
		if sc.Replications < 1 {
			return nil, fmt.Errorf("scenario %s: replications: want at least 1, got %d", name, sc.Replications)
		}
		reps = make([]int, sc.Replications)
		for i := range reps {
			reps[i] = i
		}
	}
	for _, r := range reps {
		if r < 0 {
			return nil, fmt.Errorf("scenario %s: replication %d: want a non-negative index", name, r)
		}
	}
	return borderRunReps(ctx, opt, reps, func() borderRepFunc {
		g := m.NewGenerator()
		sel := m.NewSelector()
		b := newBorder(cfg)
		b.hours = opt.PoolHours
		var lp *learnLoop // the targeting loop, with a targeting block
		if m.tg != nil {
			tg, err := m.newTargeter(m.tg.policy, g, cfg)
			if err != nil {
				return func(context.Context, int, TraceSink, *atomic.Int64) (metric.Rep, error) { return metric.Rep{}, err }
			}
			lp = newLearnLoop(m, cfg, g, b, tg)
		}
		var c Consignment
		// feed runs replication rep's consignments through the border with
		// the given warm-up (minutes), up to the last arrival.
		feed := func(ctx context.Context, rep int, sink TraceSink, progress *atomic.Int64, warmup float64) (int64, error) {
			g.Reset(rep)
			sel.Reset(rep)
			b.reset(rep, sink)
			b.setWarmup(warmup)
			if lp != nil {
				lp.reset(rep)
			}
			var n int64
			for g.Next(&c) {
				sel.Assess(&c)
				if lp != nil {
					lp.target(&c)
				}
				b.add(&c)
				if n++; n%borderProgressBatch == 0 {
					if err := b.tick(ctx, rep, progress, borderProgressBatch); err != nil {
						return n, err
					}
					if err := sel.Err(); err != nil {
						return n, err
					}
				}
			}
			if err := sel.Err(); err != nil {
				return n, err
			}
			return n, nil
		}
		return func(ctx context.Context, rep int, sink TraceSink, progress *atomic.Int64) (metric.Rep, error) {
			warmup := cfg.warmup
			if cfg.autoWarmup {
				// warmup: auto. A first pass, with no warm-up and no trace,
				// gives the daily mean release times from which MSER picks
				// the truncation point; the replication then runs again
				// (the same streams, so the same consignments) with it.
				if _, err := feed(ctx, rep, nil, nil, 0); err != nil {
					return metric.Rep{}, err
				}
				b.finish()
				if w := b.st.mserWarmup(cfg); w > 0 {
					warmup = w
				}
			}
			n, err := feed(ctx, rep, sink, progress, warmup)
			if err != nil {
				return metric.Rep{}, err
			}
			return b.end(rep, progress, n%borderProgressBatch)
		}
	})
}
