package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"pilotsim/internal/fault"
)

// newTargeter returns the budget targeter of policy name for a worker's
// generator g.
func (m *Model) newTargeter(name string, g *Generator, cfg *borderConfig) (Targeter, error) {
	t := m.tg
	share0 := capacityShare(m, cfg, t.lane)
	pol, eps, err := m.newPolicy(name, g, cfg)
	if err != nil {
		return nil, err
	}
	return newBudgetTargeter(pol, cfg.seed, eps, share0, t.budget, t.targetWait, t.update), nil
}

// newPolicy returns policy name and the exploration share it uses.
func (m *Model) newPolicy(name string, g *Generator, cfg *borderConfig) (Policy, float64, error) {
	t := m.tg
	switch name {
	case "rules":
		return rulesPolicy{}, 0, nil
	case "rules+random":
		return rulesPolicy{}, t.epsilon, nil
	case "oracle":
		return &oraclePolicy{g: g, pfind: laneFindProbs(cfg, t.lane)}, 0, nil
	}
	return m.newLearned(name, cfg.seed)
}

// LearnOptions control Learn.
type LearnOptions struct {
	// Policies to run; default the scenario's targeting.policies.
	Policies []string
	// Seeds is the number of seeds (replications 0 … Seeds-1) each policy
	// runs; default 30. Every policy sees the same consignments for the
	// same seed (common random numbers).
	Seeds int
	// Workers is the number of goroutines; default runtime.NumCPU().
	// Results do not depend on it.
	Workers int
	// Progress, if set, has consignments simulated added to it in batches.
	Progress *atomic.Int64
}

// Learn runs every policy over every seed of a scenario with a targeting
// block and returns one LearnRep per (policy, seed), policy by policy in
// the order given, seeds in order within each. Each run is one replication
// on its own worker-owned generator, rule engine, border and targeter:
// results are identical for any number of workers.
func Learn(ctx context.Context, m *Model, opt LearnOptions) ([]LearnRep, error) {
	if m.tg == nil {
		return nil, errors.New("learn: the scenario has no targeting block")
	}
	cfg, err := m.borderConfig()
	if err != nil {
		return nil, err
	}
	policies := opt.Policies
	if len(policies) == 0 {
		policies = m.tg.policies
	}
	seeds := opt.Seeds
	if seeds <= 0 {
		seeds = 30
	}
	n := len(policies) * seeds
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, n)
	out := make([]LearnRep, n)
	errs := make([]error, n)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			g := m.NewGenerator()
			sel := m.NewSelector()
			b := newBorder(cfg)
			loops := map[string]*learnLoop{}
			for {
				// Seed-major order, so that the policies of a seed run
				// close together; results land by (policy, seed).
				i := int(next.Add(1) - 1)
				if i >= n || wctx.Err() != nil {
					return
				}
				seed, pi := i/len(policies), i%len(policies)
				name := policies[pi]
				err := func() (err error) {
					defer func() {
						if p := fault.Recovered(recover(), fmt.Sprintf("learn %s seed %d", name, seed)); p != nil {
							err = p
						}
					}()
					lp := loops[name]
					if lp == nil {
						tg, err := m.newTargeter(name, g, cfg)
						if err != nil {
							return err
						}
						lp = newLearnLoop(m, cfg, g, b, tg)
						loops[name] = lp
					}
					b.learn = lp
					rep, err := learnOne(wctx, g, sel, b, lp, seed, opt.Progress)
					if err != nil {
						return err
					}
					rep.Policy = name
					out[pi*seeds+seed] = rep
					return nil
				}()
				if err != nil {
					errs[i] = err
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// learnOne runs replication seed with lp's targeter.
func learnOne(ctx context.Context, g *Generator, sel *Selector, b *border, lp *learnLoop, seed int, progress *atomic.Int64) (LearnRep, error) {
	g.Reset(seed)
	sel.Reset(seed)
	b.reset(seed, nil)
	b.setWarmup(b.cfg.warmup)
	lp.reset(seed)
	var c Consignment
	var n int64
	for g.Next(&c) {
		sel.Assess(&c)
		lp.target(&c)
		b.add(&c)
		if n++; n%borderProgressBatch == 0 {
			if err := b.tick(ctx, seed, progress, borderProgressBatch); err != nil {
				return LearnRep{}, err
			}
			if err := sel.Err(); err != nil {
				return LearnRep{}, err
			}
		}
	}
	if err := sel.Err(); err != nil {
		return LearnRep{}, err
	}
	b.finish()
	if progress != nil {
		progress.Add(n % borderProgressBatch)
	}
	return lp.finish("", seed), nil
}
