package replay

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"pilotsim/sim/learn"
)

// Config is how the replay runs.
type Config struct {
	// Budget is the share of each day's declarations the policy inspects
	// (default 0.10).
	Budget float64
	// HistoryTop and HistoryRandom are the earlier policy that made the
	// history: per day of the history files, the rules' top HistoryTop share
	// plus a random HistoryRandom share of the rest (defaults 0.05, 0.02).
	// Only those rows' outcomes are known when the replay starts.
	HistoryTop, HistoryRandom float64
	// Delay is the number of days from the decision to the outcome being
	// known (exam plus any audit; default 1: known the next morning).
	// Decisions are made once a day, before the day's outcomes are known,
	// so a delay of 0 to 1 day is known at the next day's decisions alike.
	Delay float64
	// ClassDelay maps outcome classes (Data.ClassNames) to their own delay
	// in days: an irregular declaration of such a class is known that long
	// after its inspection (the shortest, when it is of several), as a
	// finding confirmed by a post-clearance audit months later or at the
	// border the same day; other outcomes after Delay.
	ClassDelay map[string]float64
	// RefitEvery is how often, in days, the model's prior strengths are
	// refitted by empirical Bayes (default 7).
	RefitEvery int
	// Bootstrap is the number of resamples of days for the intervals of the
	// honest estimates (default 200).
	Bootstrap int
	// Seed is the master seed; replication r draws from the streams of
	// (Seed, r).
	Seed uint64
}

// WithDefaults fills the zero fields of c.
func (c Config) WithDefaults() Config {
	if c.Budget == 0 {
		c.Budget = 0.10
	}
	if c.HistoryTop == 0 {
		c.HistoryTop = 0.05
	}
	if c.HistoryRandom == 0 {
		c.HistoryRandom = 0.02
	}
	if c.Delay == 0 {
		c.Delay = 1
	}
	if c.RefitEvery == 0 {
		c.RefitEvery = 7
	}
	if c.Bootstrap == 0 {
		c.Bootstrap = 200
	}
	return c
}

// Tally counts a stretch of the replay (a week, the whole quarter): the truth
// over every declaration, and what the policy inspected and found. Fields
// ending in New count only declarations whose novelty key is new.
type Tally struct {
	N, Irregular, Revenue, Critical               float64
	Inspected, Found, FoundRevenue, FoundCritical float64
	Random, RandomFound                           float64
	NNew, IrregularNew, InspectedNew, FoundNew    float64
	EstimateFound, EstimateIrregular              float64 // revealed found and IPW irregular total of the stretch's decisions
	EstimateIrregularDR                           float64 // doubly robust irregular total (learned policies)
	EstimateIrregularPooled                       float64 // pooled irregular total (the stretch's random stratum with the history's)
}

func (t *Tally) add(o *Tally) {
	t.N += o.N
	t.Irregular += o.Irregular
	t.Revenue += o.Revenue
	t.Critical += o.Critical
	t.Inspected += o.Inspected
	t.Found += o.Found
	t.FoundRevenue += o.FoundRevenue
	t.FoundCritical += o.FoundCritical
	t.Random += o.Random
	t.RandomFound += o.RandomFound
	t.NNew += o.NNew
	t.IrregularNew += o.IrregularNew
	t.InspectedNew += o.InspectedNew
	t.FoundNew += o.FoundNew
	t.EstimateFound += o.EstimateFound
	t.EstimateIrregular += o.EstimateIrregular
	t.EstimateIrregularDR += o.EstimateIrregularDR
	t.EstimateIrregularPooled += o.EstimateIrregularPooled
}

// Result is one policy's replay with one replication's draws.
type Result struct {
	Policy string
	Rep    int
	// HistoryLabels is the number of history rows whose outcome was known at
	// the start.
	HistoryLabels int
	Weeks         []Tally
	Total         Tally
	// Detection is the true detection rate (found / irregular); Estimate the
	// honest IPW estimate with its bootstrap interval over days (NaN when the
	// policy has no random stratum: it cannot estimate what it misses).
	Detection float64
	Estimate  learn.Interval
	// EstimateDR is the doubly robust estimate (learned policies, with a
	// random stratum; NaN otherwise).
	EstimateDR learn.Interval
	// EstimateHajek is the self-normalized (Hájek) estimate from the
	// quarter's random stratum (learn.DayTally.Hajek; NaN without one).
	EstimateHajek learn.Interval
	// EstimatePooled is the pooled estimate (learn.Pooled): the quarter's
	// random stratum with the history's, weighted by their variances and
	// the history's drift between quarters (NaN without a random stratum).
	EstimatePooled learn.Interval
	// PooledWeight is the weight of the quarter's own random stratum in
	// the pooled estimate (the history has 1 − PooledWeight).
	PooledWeight float64
	// Learned is how many outcomes the model learned during the replay
	// (the history's and those revealed before the last day's decisions).
	Learned int
	// Undetected is the true duty of the irregular declarations not
	// inspected; UndetectedEstimate its IPW estimate.
	Undetected         float64
	UndetectedEstimate learn.Interval
}

// HistoryLabels returns which history rows an earlier policy inspected with
// replication rep's draws, as their propensities (0: not inspected): per day,
// the rules' top share (propensity 1) plus a random share of the rest
// (propensity: the share drawn of the rest). The same for every policy
// (common random numbers).
func HistoryLabels(d *Data, cfg Config, rep int) []float64 {
	cfg = cfg.WithDefaults()
	r := learn.Stream(cfg.Seed, rep, learn.PurposeHistory)
	known := make([]float64, len(d.History))
	var order []int
	for start := 0; start < len(d.History); {
		end := start
		for end < len(d.History) && d.History[end].Day == d.History[start].Day {
			end++
		}
		n := end - start
		order = order[:0]
		for i := start; i < end; i++ {
			order = append(order, i)
		}
		slices.SortStableFunc(order, func(a, b int) int {
			switch sa, sb := d.History[a].RuleScore, d.History[b].RuleScore; {
			case sa > sb:
				return -1
			case sa < sb:
				return 1
			}
			return 0
		})
		top := int(math.Round(cfg.HistoryTop * float64(n)))
		for _, i := range order[:top] {
			known[i] = 1
		}
		rest := order[top:]
		nr := min(len(rest), int(math.Round(cfg.HistoryRandom*float64(n))))
		for j := range nr {
			k := j + r.IntN(len(rest)-j)
			rest[j], rest[k] = rest[k], rest[j]
			known[rest[j]] = float64(nr) / float64(len(rest))
		}
		start = end
	}
	return known
}

// HistoryPooled returns the history's side of the pooled estimate: one
// tally per history day of what the earlier policy (known: HistoryLabels)
// revealed — declarations, those outside its top stratum, its random
// stratum and hits, the inverse-propensity irregular total — and the drift
// variance of the irregular rate between history stretches of span days
// (the replay's length).
func HistoryPooled(d *Data, known []float64, span int) *learn.Pooled {
	var days []learn.DayTally
	for i, r := range d.History {
		if i == 0 || r.Day != d.History[i-1].Day {
			days = append(days, learn.DayTally{})
		}
		t := &days[len(days)-1]
		t.N++
		if known[i] < 1 {
			t.Rest++
		}
		if known[i] == 1 && r.Irregular {
			t.TargetedFound++
		}
		if known[i] > 0 && known[i] < 1 {
			t.Random++
			t.RandomW += 1 / known[i]
			t.Inspected++
			if r.Irregular {
				t.RandomHits++
			}
		}
		if known[i] == 1 {
			t.Inspected++
		}
		if known[i] > 0 && r.Irregular {
			t.Found++
			t.IPW += 1 / known[i]
		}
	}
	return &learn.Pooled{History: days, Drift: learn.DriftVariance(days, span)}
}

// labelDelays is a Config's delays resolved to outcome-class bits.
type labelDelays struct {
	base    float64
	byClass [16]float64 // NaN: the class has no delay of its own
	mask    uint16      // classes with a delay of their own
}

// delays resolves c.ClassDelay against the data's class names (an unknown
// name is ignored here; CheckClassDelays reports it).
func (c Config) delays(names []string) labelDelays {
	ld := labelDelays{base: c.Delay}
	for i := range ld.byClass {
		ld.byClass[i] = math.NaN()
	}
	for i, n := range names {
		if d, ok := c.ClassDelay[n]; ok && i < len(ld.byClass) {
			ld.byClass[i] = d
			ld.mask |= 1 << i
		}
	}
	return ld
}

// of returns row r's delay: the shortest delay of its classes that have one
// when it is irregular, else the base delay.
func (ld *labelDelays) of(r *Row) float64 {
	m := r.Classes & ld.mask
	if !r.Irregular || m == 0 {
		return ld.base
	}
	d := math.Inf(1)
	for i := range ld.byClass {
		if m&(1<<i) != 0 {
			d = math.Min(d, ld.byClass[i])
		}
	}
	return d
}

// CheckClassDelays reports a ClassDelay naming no outcome class of the data,
// or a delay below 0.
func (c Config) CheckClassDelays(names []string) error {
	for _, n := range slices.Sorted(maps.Keys(c.ClassDelay)) {
		if !slices.Contains(names, n) {
			if len(names) == 0 {
				return fmt.Errorf("delay of class %q: the mapping has no outcome classes (outcome.classes)", n)
			}
			return fmt.Errorf("delay of class %q: want one of the mapping's outcome classes %s", n, strings.Join(names, ", "))
		}
		if d := c.ClassDelay[n]; !(d >= 0) || math.IsInf(d, 0) {
			return fmt.Errorf("delay of class %q: %v: want days >= 0", n, d)
		}
	}
	return nil
}

// Run replays the test quarter day by day under policy pol with replication
// rep's draws. The model starts from the history rows the earlier policy
// inspected; each day the policy chooses Budget × the day's declarations;
// only those reveal their outcome, Delay days later.
//
// ruleScores are the rules' scores of the replayed rows (rules policies rank
// by them, and learned policies read them through the RulesKey family; see
// Data.RuleScores); nil uses the rules with the full history (Row.RuleScore),
// which know outcomes the learner does not: Study passes the scores on the
// history the learner starts from.
func Run(d *Data, pol learn.Policy, cfg Config, rep int, ruleScores []float64) *Result {
	cfg = cfg.WithDefaults()
	known := HistoryLabels(d, cfg, rep)
	res := &Result{Policy: pol.Name, Rep: rep}
	model, _ := learn.NewModel(d.Schema, (len(d.History)/8+len(d.Test)/4)*len(d.Schema.Families))
	for i := range d.History {
		if known[i] > 0 {
			model.ObserveWeighted(&d.History[i].F, d.History[i].Irregular, 1/known[i])
			res.HistoryLabels++
		}
	}
	model.Refit()
	sel := learn.NewSelector(pol, model, cfg.Seed, rep)
	q := learn.NewPending(1024)
	delays := cfg.delays(d.ClassNames)
	var est learn.Estimator
	reveal := func(l *learn.Label) {
		sel.Reveal(l)
		est.Add(l)
	}
	nd := len(d.Days) - 1
	res.Weeks = make([]Tally, (nd+6)/7)
	var items []learn.Item
	var out []learn.Decision
	for di := range nd {
		q.Release(float64(di), reveal)
		if di > 0 && di%cfg.RefitEvery == 0 && pol.Kind.Learned() {
			model.Refit()
		}
		rows := d.Test[d.Days[di]:d.Days[di+1]]
		items, out = items[:0], slices.Grow(out[:0], len(rows))[:len(rows)]
		for i := range rows {
			rs := rows[i].RuleScore
			if ruleScores != nil {
				rs = ruleScores[d.Days[di]+i]
			}
			items = append(items, learn.Item{F: rows[i].F, RuleScore: rs, Value: rows[i].Duty})
			for _, fam := range d.RulesFamilies {
				if part := items[i].F.Keys[fam]; part != 0 {
					items[i].F.Keys[fam] = learn.Key(fam, part, math.Float64bits(rs))
				}
			}
		}
		budget := int(math.Round(cfg.Budget * float64(len(rows))))
		sel.SelectDay(items, budget, out)
		est.AddDecisions(di, out)
		w := &res.Weeks[di/7]
		for i := range rows {
			r, dc := &rows[i], &out[i]
			w.N++
			if r.New {
				w.NNew++
			}
			if r.Irregular {
				w.Irregular++
				w.Revenue += r.Revenue
				if r.Critical {
					w.Critical++
				}
				if r.New {
					w.IrregularNew++
				}
			}
			if !dc.Inspect {
				continue
			}
			w.Inspected++
			if r.New {
				w.InspectedNew++
			}
			if dc.Random {
				w.Random++
			}
			if r.Irregular {
				w.Found++
				w.FoundRevenue += r.Revenue
				if r.Critical {
					w.FoundCritical++
				}
				if r.New {
					w.FoundNew++
				}
				if dc.Random {
					w.RandomFound++
				}
			}
			q.Push(&learn.Label{At: float64(di) + delays.of(r), Day: di, F: items[i].F, Irregular: r.Irregular, Value: r.Revenue, Decision: *dc})
		}
	}
	res.Learned = model.Observed()
	pooled := HistoryPooled(d, known, nd)
	// The weekly curves pool a week with the history: the history's drift
	// is then measured between week-long stretches (a week's rate moves
	// more than a quarter's, and the history must weigh less).
	weekly := *pooled
	weekly.Drift = learn.DriftVariance(pooled.History, 7)
	// The quarter's estimates are made once every outcome of its decisions
	// is known.
	q.Release(math.Inf(1), func(l *learn.Label) { est.Add(l) })
	for wi := range res.Weeks {
		t := est.Total(wi*7, wi*7+7)
		res.Weeks[wi].EstimateFound, res.Weeks[wi].EstimateIrregular = t.Found, t.IPW
		if pol.Kind.Learned() {
			res.Weeks[wi].EstimateIrregularDR = t.DR()
		}
		if p, _, _ := weekly.Combine(est.Days()[wi*7 : min(wi*7+7, nd)]); !math.IsNaN(p) {
			res.Weeks[wi].EstimateIrregularPooled = p * t.N
		}
		res.Total.add(&res.Weeks[wi])
	}
	res.Detection = res.Total.Found / res.Total.Irregular
	res.Undetected = res.Total.Revenue - res.Total.FoundRevenue
	nan := learn.Interval{Est: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	res.Estimate, res.UndetectedEstimate, res.EstimateDR, res.EstimatePooled, res.EstimateHajek = nan, nan, nan, nan, nan
	res.PooledWeight = math.NaN()
	if res.Total.Random > 0 && pol.Kind.Learned() {
		res.EstimateDR = est.BootstrapDetectionDR(0, nd, cfg.Bootstrap, cfg.Seed, rep)
	}
	if res.Total.Random > 0 {
		res.Estimate = est.BootstrapDetection(0, nd, cfg.Bootstrap, cfg.Seed, rep)
		res.UndetectedEstimate = est.BootstrapUndetected(0, nd, cfg.Bootstrap, cfg.Seed, rep)
		res.EstimatePooled = est.DetectionPooled(0, nd, pooled)
		res.EstimateHajek = est.BootstrapDetectionHajek(0, nd, cfg.Bootstrap, cfg.Seed, rep)
		_, res.PooledWeight, _ = pooled.Combine(est.Days()[:nd])
	}
	return res
}

// Study runs every policy with replications 0 … reps−1 on workers goroutines
// and returns the results indexed [policy][rep]: the same for any number of
// workers. done, when set, counts finished runs.
func Study(ctx context.Context, d *Data, pols []Policy, cfg Config, reps, workers int, done *atomic.Int64) ([][]*Result, error) {
	cfg = cfg.WithDefaults()
	// The rules' scores on each replication's history, computed one after
	// another (backtest runs), before the runs in parallel.
	var scores [][]float64
	for _, p := range pols {
		if !p.FullHistory && (!p.Kind.Learned() || len(d.RulesFamilies) > 0) {
			scores = make([][]float64, reps)
			for r := range reps {
				var err error
				if scores[r], err = d.RuleScores(ctx, HistoryLabels(d, cfg, r)); err != nil {
					return nil, err
				}
			}
			break
		}
	}
	out := make([][]*Result, len(pols))
	for i := range out {
		out[i] = make([]*Result, reps)
	}
	type unit struct{ p, r int }
	units := make(chan unit)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range units {
				var rs []float64
				if p := pols[u.p]; !p.FullHistory && (!p.Kind.Learned() || len(d.RulesFamilies) > 0) {
					rs = scores[u.r]
				}
				out[u.p][u.r] = Run(d, pols[u.p].Policy, cfg, u.r, rs)
				out[u.p][u.r].Policy = pols[u.p].Name
				if done != nil {
					done.Add(1)
				}
			}
		}()
	}
	var err error
feed:
	for p := range pols {
		for r := range reps {
			select {
			case units <- unit{p, r}:
			case <-ctx.Done():
				err = ctx.Err()
				break feed
			}
		}
	}
	close(units)
	wg.Wait()
	return out, err
}

// Policy is a learning policy, or a rules policy on the full history: the
// rules scored with every history row's outcome, not only those the earlier
// policy inspected (written "rules@full", "rules+random@full"): a reference
// that knows more than any learning policy.
type Policy struct {
	learn.Policy
	Name        string
	FullHistory bool
}

// ParsePolicy reads a policy name as learn.ParsePolicy does, and the rules'
// "@full" variant.
func ParsePolicy(s string) (Policy, error) {
	base, full := strings.CutSuffix(strings.TrimSpace(s), "@full")
	p, err := learn.ParsePolicy(base)
	if err != nil {
		return Policy{}, err
	}
	if full && p.Kind.Learned() {
		return Policy{}, fmt.Errorf("policy %q: @full (the rules on every history outcome) applies to rules policies only", s)
	}
	return Policy{Policy: p, Name: strings.TrimSpace(s), FullHistory: full}, nil
}

// DefaultPolicies are the policies the replay compares: the learning
// policies of learn.DefaultPolicies and the rules on the full history.
func DefaultPolicies() []Policy {
	var ps []Policy
	for _, n := range []string{"rules@full", "rules", "rules+random", "learned", "learned+random", "learned+random:0.3", "learned/value", "thompson", "adaptive"} {
		p, _ := ParsePolicy(n)
		ps = append(ps, p)
	}
	return ps
}
