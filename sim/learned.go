package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"pilotsim/sim/learn"
)

// The learned policies are sim/learn's model (hierarchical Beta–Binomial
// cell rates over hashed categorical keys) inside the border: this file
// turns a Consignment into learn.Features and adapts the model to the
// Policy interface. The model learns only the outcomes revealed to it, each
// counted once, as learn.Selector does; the adaptive policy's drift detector
// reads the outcomes of the random stratum only.

// learnFamilies are the key families a scenario may learn on (the order of
// scenarios.TargetingKeys), with their parent in the shrinkage hierarchy
// (a family named here, or "" for the global rate).
var learnFamilies = []struct{ name, parent string }{
	{"hs2", ""}, {"hs4", "hs2"}, {"hs6", "hs4"}, {"origin", ""}, {"hub", ""}, {"mode", ""},
	{"trader", ""}, {"aeo", ""}, {"new_trader", ""}, {"value_per_kg", ""}, {"rules", ""},
	{"hs2_origin", "hs2"}, {"hs4_origin", "hs4"}, {"hs6_origin", "hs6"}, {"trader_hs2", "trader"},
}

// learnSchema returns the schema of the families keys (canonical ids in
// schema order): a family's parent is kept when it is learned too.
func learnSchema(keys []string) (learn.Schema, []int, error) {
	var s learn.Schema
	var ids []int
	pos := map[string]int{}
	for id, f := range learnFamilies {
		if !slices.Contains(keys, f.name) {
			continue
		}
		parent := -1
		if p, ok := pos[f.parent]; ok && f.parent != "" {
			parent = p
		}
		pos[f.name] = len(s.Families)
		s.Families = append(s.Families, learn.Family{Name: f.name, Parent: parent})
		ids = append(ids, id)
	}
	if len(ids) != len(keys) {
		return s, nil, fmt.Errorf("targeting.keys: unknown family among %v", keys)
	}
	return s, ids, s.Check()
}

// features fills f with c's keys, one per family id in ids; seeds[i] is
// learn.FamilySeed(ids[i]) (made once: the keys are learn.Key of the family
// and its values, without hashing the family id again).
func features(f *learn.Features, ids []int, seeds []uint64, c *Consignment) {
	f.Reset()
	hs2, hs4, hs6, origin := uint64(c.HS/10000), uint64(c.HS/100), uint64(c.HS), uint64(c.Origin)
	for j, id := range ids {
		var k uint64
		s := seeds[j]
		switch id {
		case 0: // hs2
			k = learn.Key1(s, hs2)
		case 1: // hs4
			k = learn.Key1(s, hs4)
		case 2: // hs6
			k = learn.Key1(s, hs6)
		case 3: // origin
			k = learn.Key1(s, origin)
		case 4: // hub (NoCountry: not routed, a value of its own)
			k = learn.Key1(s, uint64(c.Hub))
		case 5: // mode
			k = learn.Key1(s, uint64(c.Mode))
		case 6: // trader
			k = learn.Key1(s, uint64(c.Trader))
		case 7: // aeo
			k = learn.Key1(s, uint64(c.Flags&FlagAEO))
		case 8: // new_trader
			k = learn.Key1(s, uint64(c.Flags&FlagNew))
		case 9: // value per kg: half powers of two (the float's exponent and top mantissa bit)
			k = learn.Key1(s, math.Float64bits(c.ValuePerKg)>>51)
		case 10: // the set of rules hit
			k = learn.Key2(s, c.Hits[0], c.Hits[1])
		case 11: // hs2 × origin
			k = learn.Key2(s, hs2, origin)
		case 12: // hs4 × origin
			k = learn.Key2(s, hs4, origin)
		case 13: // hs6 × origin
			k = learn.Key2(s, hs6, origin)
		case 14: // trader × hs2
			k = learn.Key2(s, uint64(c.Trader), hs2)
		}
		f.Add(k)
	}
}

// learnWarmLabels is how many outcomes a learned policy waits for before
// its model replaces the rules' score: until then it targets as the rules
// do, so that its first history is the rules' (a cold start).
const learnWarmLabels = 100

// learnedPolicy is a sim/learn model as a Policy: exploiting (learned),
// with a random share (learned+random: the targeter's ε), batched Thompson
// sampling (one draw per cell per model update), an upper confidence bound
// (ucb), or adaptive: exploration opened by an alarm read from observed
// outcomes (learn.Shortfall on the targeted outcomes against the model's
// predictions, held with a half-life of about two weeks of updates;
// learn.Drift on the random stratum), as a larger random share and, while
// alarmed, optimism in the ranking (learn.KindAdaptive).
type learnedPolicy struct {
	kind           learn.Kind
	schema         learn.Schema
	ids            []int
	seeds          []uint64 // learn.FamilySeed of each id
	seed           uint64
	lr             float64 // the model's family-weight learning rate
	epsMin, epsMax float64

	model   *learn.Model
	f       learn.Features
	ts      *rand.Rand
	alarm   learn.Alarm // adaptive: held at each model update
	lastUpd float64     // time of the last model update, minutes
	labels  int
	active  bool // the model has replaced the rules' score
}

// newLearnedPolicy returns the policy kind learning on keys.
func newLearnedPolicy(kind learn.Kind, keys []string, seed uint64, eps, lr float64) (*learnedPolicy, error) {
	s, ids, err := learnSchema(keys)
	if err != nil {
		return nil, err
	}
	p := &learnedPolicy{kind: kind, schema: s, ids: ids, seed: seed, lr: lr}
	for _, id := range ids {
		p.seeds = append(p.seeds, learn.FamilySeed(id))
	}
	if kind == learn.KindAdaptive {
		p.epsMin, p.epsMax = learn.DefaultEpsMin, learn.DefaultEpsMax
		if eps > 0 {
			p.epsMin = math.Min(eps/2, p.epsMax)
		}
	}
	return p, nil
}

func (p *learnedPolicy) Reset(rep int) {
	m, err := learn.NewModel(p.schema, 1<<12) // the table doubles when it fills
	if err != nil {
		panic(err) // the schema was checked in newLearnedPolicy
	}
	m.SetLearningRate(p.lr)
	p.model = m
	p.ts = learn.Stream(p.seed, rep, learn.PurposeThompson)
	p.alarm, p.lastUpd = learn.Alarm{}, 0
	p.labels, p.active = 0, false
}

func (p *learnedPolicy) Score(c *Consignment) float64 {
	if !p.active {
		return math.Max(c.Score, 0) + 1 // the rules, until the model has a history
	}
	features(&p.f, p.ids, p.seeds, c)
	switch p.kind {
	case learn.KindThompson:
		return p.model.Drawn(&p.f)
	case learn.KindUCB:
		return p.model.Upper(&p.f, p.model.Width())
	case learn.KindAdaptive:
		if l := p.alarm.Held(); l > 0 {
			return p.model.Upper(&p.f, l*p.model.Width())
		}
	}
	return p.model.Prob(&p.f)
}

func (p *learnedPolicy) Observe(c *Consignment, found bool, _ float64, explored bool) {
	features(&p.f, p.ids, p.seeds, c)
	if p.kind == learn.KindAdaptive && p.active {
		if explored {
			p.alarm.Random(found)
		} else {
			p.alarm.Targeted(found, p.model.Prob(&p.f))
		}
	}
	p.model.Observe(&p.f, found)
	p.labels++
}

func (p *learnedPolicy) Update(now float64) bool {
	if p.labels == 0 {
		return false
	}
	p.model.Refit()
	if p.kind == learn.KindAdaptive {
		// The alarm the scores read changes only here, where the
		// targeter re-scores its window: a shortfall seen during the day
		// moves the ranking at the next update, with the threshold. It
		// decays by AlarmHold a day, whatever the update period.
		p.alarm.Hold((now - p.lastUpd) / 1440)
	}
	p.lastUpd = now
	if p.kind == learn.KindThompson {
		p.model.Redraw(p.ts) // batched Thompson: one draw per cell per update
	}
	if !p.active && p.labels >= learnWarmLabels {
		p.active = true
	}
	return p.active
}

// Epsilon is the adaptive random share: from epsMin, opened up to epsMax
// by the larger of the random stratum's drift level and the targeted
// outcomes' shortfall (held, or as it stands now: the targeter reads the
// share every hour and moves its threshold with it).
func (p adaptivePolicy) Epsilon() float64 {
	return p.epsMin + (p.epsMax-p.epsMin)*p.alarm.Level()
}

// learnedKinds maps the learned policy names to their kinds.
var learnedKinds = map[string]learn.Kind{
	"learned": learn.KindLearned, "learned+random": learn.KindLearnedRandom,
	"thompson": learn.KindThompson, "adaptive": learn.KindAdaptive,
	"ucb": learn.KindUCB,
}

// newLearned returns learned policy name and its exploration share (the
// adaptive policy sets its own: see Explorer).
func (m *Model) newLearned(name string, seed uint64) (Policy, float64, error) {
	kind, ok := learnedKinds[name]
	if !ok {
		return nil, 0, fmt.Errorf("targeting: unknown policy %q", name)
	}
	eps := 0.0
	if kind == learn.KindLearnedRandom {
		eps = m.tg.epsilon
	}
	p, err := newLearnedPolicy(kind, m.tg.keys, seed, m.tg.epsilon, m.tg.learningRate)
	if err != nil {
		return nil, 0, err
	}
	if kind == learn.KindAdaptive {
		return adaptivePolicy{p}, 0, nil
	}
	return p, eps, nil
}

// adaptivePolicy is a learnedPolicy that sets its own exploration share.
type adaptivePolicy struct{ *learnedPolicy }

var _ Explorer = adaptivePolicy{}
