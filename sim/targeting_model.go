package sim

import (
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/scenarios"
)

// targetingModel is a scenario's targeting block, drift and displacement,
// compiled.
type targetingModel struct {
	policy   string   // the policy pilotsim run applies
	policies []string // the policies Learn compares
	epsilon  float64
	// learningRate is the step of the learned model's family weights
	// (0: each family's lift has weight 1).
	learningRate float64
	update       float64 // minutes between model updates
	keys         []string
	lane         Lane
	targetWait   float64 // minutes
	budget       float64 // fixed share of arrivals inspected; 0: steered by the queues
	// audit[k] is threat k's audit delay (minutes) after the exam that
	// found it; auditZero[k]: none.
	audit     []scenarios.Sampler
	auditZero []bool

	drifts    []modelDrift // in order of time
	displaced []modelDisplace

	// Feature indices for the oracle and displacement: the position of a
	// country in m.origins and m.hubs, of a chapter in m.chapters (-1: none).
	originIdx [256]int16
	hubIdx    [256]int16
	chapIdx   [98]int16

	// valueLR[k] gives threat k's likelihood ratio of a value per kg
	// (see vpkRatio).
	valueLR []vpkLR
}

// modelDrift is one drift: threat's tables from at on.
type modelDrift struct {
	threat int
	at     float64
	gt     genThreat
	lr     vpkLR
}

// modelDisplace is one displacement.
type modelDisplace struct {
	threat       int
	elasticity   float64
	origin, chap bool
	period       float64
}

// vpkLR is the likelihood ratio of a value per kg v under a threat whose
// value per kg is the trade's divided by d: d·f(v·d)/f(v). For a lognormal
// trade profile it is exp(a·ln v + b) exactly; for other families it uses
// the density (prob); with d = 1 it is 1.
type vpkLR struct {
	one  bool
	logn bool
	a, b float64
	d    float64
	prob func(float64) float64
}

// ratio returns the likelihood ratio at v (lnv = ln v).
func (l *vpkLR) ratio(v, lnv float64) float64 {
	switch {
	case l.one:
		return 1
	case l.logn:
		return math.Exp(l.a*lnv + l.b)
	case l.prob != nil:
		if f := l.prob(v); f > 0 {
			return l.d * l.prob(v*l.d) / f
		}
	}
	return 1
}

// newVpkLR compiles the ratio for value divisor d over trade sampler s.
func newVpkLR(s *scenarios.Sampler, d float64) vpkLR {
	if d == 1 {
		return vpkLR{one: true}
	}
	switch dist := s.Distuv(nil).(type) {
	case distuv.LogNormal:
		// ln f_k(v) − ln f(v) with ln v ~ N(μ − δ, σ) against N(μ, σ):
		// −[(z−μ+δ)² − (z−μ)²]/(2σ²) = −(2δ(z−μ) + δ²)/(2σ²), δ = ln d.
		delta, s2 := math.Log(d), dist.Sigma*dist.Sigma
		return vpkLR{logn: true, a: -delta / s2, b: -(delta*delta - 2*delta*dist.Mu) / (2 * s2)}
	case nil:
		return vpkLR{one: true}
	default:
		if p, ok := dist.(interface{ Prob(float64) float64 }); ok {
			return vpkLR{d: d, prob: p.Prob}
		}
	}
	return vpkLR{one: true}
}

// compileTargeting compiles sc's targeting block, drift and displacement.
func (m *Model) compileTargeting(sc *scenarios.Scenario, bug compileErrf) error {
	tg := sc.Targeting
	if tg == nil {
		return nil
	}
	t := &targetingModel{
		policy:     tg.Policy,
		policies:   slices.Clone(tg.Policies),
		epsilon:    scenarios.DefaultEpsilon,
		update:     float64(tg.Update),
		keys:       slices.Clone(tg.Keys),
		lane:       Red,
		targetWait: float64(tg.TargetWait),
	}
	if t.policy == "" {
		t.policy = "rules"
	}
	if len(t.policies) == 0 {
		t.policies = slices.Clone(scenarios.TargetingPolicies)
	}
	if tg.Epsilon != nil {
		t.epsilon = *tg.Epsilon
	}
	if tg.LearningRate != nil {
		t.learningRate = *tg.LearningRate
	}
	if !(t.update > 0) {
		t.update = float64(scenarios.DefaultUpdate)
	}
	if len(t.keys) == 0 {
		t.keys = slices.Clone(scenarios.TargetingKeys)
	}
	if tg.Lane == "yellow" {
		t.lane = Yellow
	}
	if !(t.targetWait > 0) {
		t.targetWait = float64(scenarios.DefaultTargetWait)
	}
	if tg.Budget != nil {
		t.budget = *tg.Budget
	}
	for _, p := range append([]string{t.policy}, t.policies...) {
		if !slices.Contains(scenarios.TargetingPolicies, p) {
			return bug("targeting: unknown policy %q", p)
		}
	}
	index := make(map[string]int, len(sc.Threats))
	for i, th := range sc.Threats {
		index[th.Name] = i
	}
	t.audit = make([]scenarios.Sampler, len(sc.Threats))
	t.auditZero = make([]bool, len(sc.Threats))
	for i := range t.auditZero {
		t.auditZero[i] = true
	}
	for name, d := range tg.AuditDelay {
		k, ok := index[name]
		if !ok {
			return bug("targeting.audit_delay: no threat %q", name)
		}
		s, err := d.Sampler()
		if err != nil {
			return bug("targeting.audit_delay.%s: %v", name, err)
		}
		t.audit[k] = s
		t.auditZero[k] = s.IsConst() && s.Mean() == 0
	}
	for i := range t.originIdx {
		t.originIdx[i], t.hubIdx[i] = -1, -1
	}
	for i := range t.chapIdx {
		t.chapIdx[i] = -1
	}
	for i, c := range m.origins {
		t.originIdx[c] = int16(i)
	}
	for i, c := range m.hubs {
		t.hubIdx[c] = int16(i)
	}
	for i, ch := range m.chapters {
		t.chapIdx[ch] = int16(i)
	}
	for _, th := range m.threats {
		t.valueLR = append(t.valueLR, newVpkLR(&m.valuePerKg, th.valueDiv))
	}
	for i, d := range sc.Drift {
		k, ok := index[d.Threat]
		if !ok {
			return bug("drift[%d]: no threat %q", i, d.Threat)
		}
		gt := m.threats[k] // prevalence, clean share, new-trader ratio, duty stay
		if err := m.signatureTables(&gt, d.Signature, "drift["+strconv.Itoa(i)+"]", bug); err != nil {
			return err
		}
		t.drifts = append(t.drifts, modelDrift{threat: k, at: float64(d.At), gt: gt, lr: newVpkLR(&m.valuePerKg, gt.valueDiv)})
	}
	slices.SortStableFunc(t.drifts, func(a, b modelDrift) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	for i, d := range sc.Displacement {
		k, ok := index[d.Threat]
		if !ok {
			return bug("displacement[%d]: no threat %q", i, d.Threat)
		}
		md := modelDisplace{threat: k, elasticity: d.Elasticity, period: float64(d.Period)}
		if !(md.period > 0) {
			md.period = float64(scenarios.DefaultDisplace)
		}
		over := d.Over
		if len(over) == 0 {
			over = []string{"origin", "hs_chapter"}
		}
		md.origin = slices.Contains(over, "origin")
		md.chap = slices.Contains(over, "hs_chapter")
		t.displaced = append(t.displaced, md)
	}
	m.tg = t
	return nil
}

// Targeting reports whether the model has a targeting block (its lanes are
// then decided by a targeting policy; see Learn).
func (m *Model) Targeting() bool { return m.tg != nil }

// TargetingPolicies returns the policies Learn compares for m, in order.
func (m *Model) TargetingPolicies() []string {
	if m.tg == nil {
		return nil
	}
	return slices.Clone(m.tg.policies)
}
