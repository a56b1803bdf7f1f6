package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Kind is a targeting policy's way of choosing what to inspect.
type Kind uint8

// Policy kinds. The values are part of the output contract (they name the
// policies in files); they are explicit and pinned by a test.
const (
	// KindRules inspects the highest rule scores (Item.RuleScore).
	KindRules Kind = 0
	// KindRulesRandom gives a share ε of the budget to random selection and
	// the rest to the highest rule scores.
	KindRulesRandom Kind = 1
	// KindLearned inspects the highest learned probabilities (exploit only).
	KindLearned Kind = 2
	// KindLearnedRandom is KindLearned with a random share ε.
	KindLearnedRandom Kind = 3
	// KindThompson ranks by one draw from the model's posterior per
	// declaration (Thompson sampling), with an optional random share ε.
	KindThompson Kind = 4
	// KindAdaptive is KindLearnedRandom whose exploration opens on a drift
	// signal read from observed outcomes only: the targeted inspections
	// finding less than the model predicted (Shortfall, held with a
	// half-life of about two weeks) or the random stratum finding more
	// (Drift). Its random share moves between EpsMin and EpsMax with the
	// alarm's level, and while alarmed it ranks by an upper confidence
	// bound of width level × UCBWidth (optimism where the model knows
	// least) instead of the posterior mean.
	KindAdaptive Kind = 5
	// KindUCB ranks by an upper confidence bound of the probability
	// (Model.Upper with UCBWidth standard deviations, a width that grows
	// with the outcomes learned): optimism in the face of uncertainty, with
	// an optional random share ε.
	KindUCB Kind = 6
)

var kindNames = [...]string{"rules", "rules+random", "learned", "learned+random", "thompson", "adaptive", "ucb"}

// UCBWidth is the number of posterior standard deviations KindUCB adds to
// each cell's rate once the model has learned t outcomes: √(2 ln(1+t)), the
// width of UCB1 (Auer, Cesa-Bianchi and Fischer 2002), which grows slowly so
// that a cell left behind by a few unlucky outcomes is tried again. A fixed
// width can lock onto a worse cell for good (TestUCBTwoArms).
func UCBWidth(t int) float64 { return math.Sqrt(2 * math.Log1p(float64(t))) }

// String returns the kind's name as policies are written.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Learned reports whether the kind uses the learned model.
func (k Kind) Learned() bool { return k >= KindLearned }

// Policy is a named targeting policy and its parameters.
type Policy struct {
	// Name is how the policy is written ("learned+random:0.1").
	Name string
	Kind Kind
	// Epsilon is the share of the budget given to random selection
	// (the random stratum), in [0, 1).
	Epsilon float64
	// EpsMin and EpsMax bound the adaptive random share (KindAdaptive).
	EpsMin, EpsMax float64
	// ByValue ranks learned policies by P(irregular) × Item.Value (the
	// expected duty) instead of P(irregular).
	ByValue bool
}

// Default random shares.
const (
	DefaultEpsilon = 0.10
	DefaultEpsMin  = 0.05
	DefaultEpsMax  = 0.30
)

// ParsePolicy reads a policy name: one of rules, rules+random, learned,
// learned+random, thompson, adaptive, ucb, optionally followed by ":ε" (the random
// share; for adaptive ":min-max") and by "/value" to rank by expected duty.
// Examples: "learned+random:0.05", "adaptive:0.02-0.4", "learned/value".
func ParsePolicy(s string) (Policy, error) {
	name := strings.TrimSpace(s)
	p := Policy{Name: name}
	if rest, ok := strings.CutSuffix(name, "/value"); ok {
		p.ByValue = true
		name = rest
	}
	base, arg, hasArg := strings.Cut(name, ":")
	k := slices.Index(kindNames[:], base)
	if k < 0 {
		return Policy{}, fmt.Errorf("policy %q: want one of %s (optionally :SHARE and /value)", s, strings.Join(kindNames[:], ", "))
	}
	p.Kind = Kind(k)
	switch p.Kind {
	case KindRulesRandom, KindLearnedRandom:
		p.Epsilon = DefaultEpsilon
	case KindAdaptive:
		p.EpsMin, p.EpsMax = DefaultEpsMin, DefaultEpsMax
	}
	if p.ByValue && !p.Kind.Learned() {
		return Policy{}, fmt.Errorf("policy %q: /value ranks by the learned probability × duty; the rules rank by their score", s)
	}
	if !hasArg {
		return p, nil
	}
	share := func(v string) (float64, error) {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || !(x >= 0 && x < 1) {
			return 0, fmt.Errorf("policy %q: random share %q: want a number in [0, 1)", s, v)
		}
		return x, nil
	}
	var err error
	switch p.Kind {
	case KindRules, KindLearned:
		return Policy{}, fmt.Errorf("policy %q: %s has no random share (use %s+random:%s)", s, p.Kind, p.Kind, arg)
	case KindAdaptive:
		lo, hi, ok := strings.Cut(arg, "-")
		if !ok {
			return Policy{}, fmt.Errorf("policy %q: adaptive takes :MIN-MAX random shares", s)
		}
		if p.EpsMin, err = share(lo); err != nil {
			return Policy{}, err
		}
		if p.EpsMax, err = share(hi); err != nil {
			return Policy{}, err
		}
		if p.EpsMin <= 0 || p.EpsMax < p.EpsMin {
			return Policy{}, fmt.Errorf("policy %q: want 0 < MIN <= MAX (the drift signal needs a random stratum)", s)
		}
	default:
		if p.Epsilon, err = share(arg); err != nil {
			return Policy{}, err
		}
	}
	return p, nil
}

// DefaultPolicies returns the policies the issue compares: rules only, rules
// + 10% random, learned (exploit), learned + 10% random, Thompson sampling,
// and the adaptive random share.
func DefaultPolicies() []Policy {
	var ps []Policy
	for _, n := range []string{"rules", "rules+random", "learned", "learned+random", "thompson", "adaptive"} {
		p, _ := ParsePolicy(n)
		ps = append(ps, p)
	}
	return ps
}

// Item is one declaration offered to a policy.
type Item struct {
	F Features
	// RuleScore is the rules' score (rules policies rank by it).
	RuleScore float64
	// Value is the duty at stake if irregular, for ranking by value.
	Value float64
}

// Decision is a policy's choice on one declaration.
type Decision struct {
	Inspect bool
	// Random says the declaration was chosen by the random stratum.
	Random bool
	// Propensity is the probability that the policy inspects the
	// declaration, given the day's scores: 1 for a targeted one; for the
	// others, the random stratum's sampling share. Weighting an inspected
	// declaration's outcome by 1/Propensity estimates totals over all
	// declarations without bias (inverse-propensity weighting).
	Propensity float64
	// Score is what the policy ranked by (rule score, probability, draw).
	Score float64
	// Prob is the model's probability of irregularity (learned policies).
	Prob float64
}

// Selector applies a policy with a model. It is not safe for concurrent use:
// one per replication.
type Selector struct {
	pol     Policy
	model   *Model
	explore *rand.Rand
	ts      *rand.Rand
	eps     float64
	alarm   Alarm // the adaptive policy's drift alarm (held a day at a time by SelectDay)

	order  []int
	ranked []ranked

	// Decide's running threshold: a histogram of recent scores (decayed
	// by half every decayEvery decisions) and the cut it implies.
	hist    [histBins]float64
	histN   float64
	seen    int
	cutBin  int
	cutFrac float64
	cutRate float64
}

// Decide's histogram: histBins bins over the monotone map s/(1+|s|) of the
// score, the cut recomputed every recutEvery decisions, counts halved every
// decayEvery (the threshold follows the last few thousand scores).
const (
	histBins   = 1024
	recutEvery = 128
	decayEvery = 2048
)

func histBin(score float64) int {
	t := score / (1 + math.Abs(score)) // in (-1, 1), increasing
	b := int((t + 1) / 2 * histBins)
	return min(max(b, 0), histBins-1)
}

// ranked is a declaration's score and position, for sorting.
type ranked struct {
	score float64
	i     int32
}

// NewSelector returns a selector for policy p. model may be nil for rules
// policies. Its random stratum and Thompson draws come from the streams of
// (seed, rep).
func NewSelector(p Policy, model *Model, seed uint64, rep int) *Selector {
	s := &Selector{pol: p, model: model, explore: Stream(seed, rep, PurposeExplore), ts: Stream(seed, rep, PurposeThompson),
		eps: p.Epsilon}
	if p.Kind == KindAdaptive {
		s.eps = p.EpsMin
	}
	return s
}

// Policy returns the selector's policy.
func (s *Selector) Policy() Policy { return s.pol }

// Epsilon returns the random share in force (the adaptive one moves).
func (s *Selector) Epsilon() float64 { return s.eps }

// score is what a declaration is ranked by.
func (s *Selector) score(it *Item, d *Decision) {
	switch s.pol.Kind {
	case KindRules, KindRulesRandom:
		d.Score = it.RuleScore
		return
	case KindThompson:
		d.Prob = s.model.Prob(&it.F)
		d.Score = s.model.Sample(&it.F, s.ts)
	case KindUCB:
		d.Prob = s.model.Prob(&it.F)
		d.Score = s.model.Upper(&it.F, s.model.Width())
	case KindAdaptive:
		d.Prob = s.model.Prob(&it.F)
		d.Score = d.Prob
		if l := math.Max(s.alarm.Held(), s.alarm.Shortfall()); l > 0 {
			d.Score = s.model.Upper(&it.F, l*s.model.Width())
		}
	default:
		d.Prob = s.model.Prob(&it.F)
		d.Score = d.Prob
	}
	if s.pol.ByValue {
		d.Score *= it.Value
	}
}

// SelectDay decides on one day's declarations under a budget of inspections:
// the targeted stratum is the budget − round(ε × budget) highest scores (ties
// broken by position, so the same input gives the same choice); the random
// stratum draws, uniformly without replacement from the remaining
// declarations, floor(ε × budget) of them and one more with probability the
// fractional part of ε × budget (randomized rounding), so that each has the
// propensity ε × budget / (declarations not targeted), above 0 whatever the
// day's size. A day may so inspect one more or one fewer than budget; in
// expectation, budget − round(ε × budget) + ε × budget, within half an
// inspection of it. out must have len(items) entries.
func (s *Selector) SelectDay(items []Item, budget int, out []Decision) {
	if s.pol.Kind == KindAdaptive {
		s.alarm.Hold(1)
		s.eps = s.pol.EpsMin + (s.pol.EpsMax-s.pol.EpsMin)*s.AlarmLevel()
	}
	n := len(items)
	if budget > n {
		budget = n
	}
	if budget < 0 {
		budget = 0
	}
	for i := range items {
		out[i] = Decision{}
		s.score(&items[i], &out[i])
	}
	// The random stratum's expected size is x = ε × budget: floor(x)
	// declarations, and one more with probability x − floor(x) (drawn
	// below), so that every declaration not targeted has the known
	// propensity x / (declarations not targeted) > 0 even on a day too
	// small for round(x) to reach 1 (inverse-propensity weighting needs
	// it). The targeted stratum takes budget − round(x).
	x := s.eps * float64(budget)
	nt := budget - int(math.Round(x))
	// Rank by score, highest first, ties by position: a comparison that
	// captures nothing, so sorting allocates nothing.
	s.ranked = s.ranked[:0]
	for i := range n {
		s.ranked = append(s.ranked, ranked{score: out[i].Score, i: int32(i)})
	}
	slices.SortFunc(s.ranked, func(a, b ranked) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(a.i - b.i)
	})
	s.order = s.order[:0]
	for _, r := range s.ranked {
		s.order = append(s.order, int(r.i))
	}
	for _, i := range s.order[:nt] {
		out[i].Inspect, out[i].Propensity = true, 1
	}
	rest := s.order[nt:]
	if len(rest) == 0 {
		return
	}
	nr := int(x)
	if f := x - float64(nr); f > 0 && s.explore.Float64() < f {
		nr++
	}
	nr = min(nr, len(rest))
	q := math.Min(1, x/float64(len(rest)))
	// Partial Fisher–Yates over the declarations not targeted (in score
	// order, a fixed order): the first nr after shuffling are the stratum.
	for j := 0; j < nr; j++ {
		k := j + s.explore.IntN(len(rest)-j)
		rest[j], rest[k] = rest[k], rest[j]
	}
	for j, i := range rest {
		out[i].Propensity = q
		if j < nr {
			out[i].Inspect, out[i].Random = true, true
		}
	}
}

// Decide decides on one declaration as it arrives, for a caller that cannot
// wait for a day's batch (the border): rate is the share of declarations that
// capacity allows inspecting now (the capacity signal). The declaration is
// targeted when its score is in the top (1−ε)·rate of recent scores (a
// running threshold over a histogram of the last few thousand scores; in the
// threshold's own bin, a known share is taken at random); otherwise the
// random stratum takes it with probability ε·rate. The decision's propensity
// is the probability of inspection given its score, 1 above the threshold, so
// the estimates hold as with SelectDay. Until recutEvery scores have been
// seen, only the random stratum selects.
func (s *Selector) Decide(it *Item, rate float64) Decision {
	var d Decision
	s.score(it, &d)
	rate = min(max(rate, 0), 1)
	if rate != s.cutRate || s.seen%recutEvery == 0 {
		s.recut(rate)
	}
	bin := histBin(d.Score)
	s.hist[bin]++
	s.histN++
	s.seen++
	if s.seen%decayEvery == 0 {
		for i := range s.hist {
			s.hist[i] *= 0.5
		}
		s.histN *= 0.5
	}
	e := s.eps * rate
	d.Propensity = e
	switch {
	case bin > s.cutBin:
		d.Inspect, d.Propensity = true, 1
		return d
	case bin == s.cutBin:
		d.Propensity = s.cutFrac + (1-s.cutFrac)*e
		if s.explore.Float64() < s.cutFrac {
			d.Inspect = true
			return d
		}
	}
	if e > 0 && s.explore.Float64() < e {
		d.Inspect, d.Random = true, true
	}
	return d
}

// recut sets the cut: every bin above cutBin and a share cutFrac of cutBin
// hold (1−ε)·rate of the recent scores.
func (s *Selector) recut(rate float64) {
	s.cutRate = rate
	s.cutBin, s.cutFrac = histBins, 0 // nothing targeted
	if s.histN < recutEvery {
		return
	}
	want := (1 - s.eps) * rate * s.histN
	acc := 0.0
	for b := histBins - 1; b >= 0 && want > 0; b-- {
		if acc+s.hist[b] >= want {
			s.cutBin, s.cutFrac = b, (want-acc)/s.hist[b]
			return
		}
		acc += s.hist[b]
	}
	s.cutBin, s.cutFrac = -1, 0 // everything targeted
}

// Reveal gives the selector one revealed outcome: the model learns it, and
// the adaptive policy's drift signal reads it if it came from the random
// stratum. Labels must come from a Pending queue (or in order of reveal time).
func (s *Selector) Reveal(l *Label) {
	if s.pol.Kind == KindAdaptive && s.model != nil && !l.Decision.Random {
		s.alarm.Targeted(l.Irregular, s.model.Prob(&l.F)) // predicted before it is learned
	}
	if s.model != nil && s.pol.Kind.Learned() {
		w := 1.0
		if l.Decision.Propensity > 0 {
			w = 1 / l.Decision.Propensity
		}
		s.model.ObserveWeighted(&l.F, l.Irregular, w)
	}
	if s.pol.Kind == KindAdaptive && l.Decision.Random {
		s.alarm.Random(l.Irregular)
	}
	if s.pol.Kind == KindAdaptive {
		s.eps = s.pol.EpsMin + (s.pol.EpsMax-s.pol.EpsMin)*s.AlarmLevel()
	}
}

// AlarmLevel is the adaptive policy's alarm in [0, 1] (Alarm.Level).
func (s *Selector) AlarmLevel() float64 { return s.alarm.Level() }
