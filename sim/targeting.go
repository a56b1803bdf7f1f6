package sim

import (
	"math"
)

// Targeting. With a scenario's targeting block, the rule engine still
// assesses every consignment (score, rule hits, lane), and then a Targeter
// decides whether it is inspected: sent to the targeting lane (red unless
// the scenario says yellow) or released green. The lanes the rules chose
// are replaced; their score and hits stay on the consignment for the
// policies to use.

// TargetState is what the border tells a Targeter about the targeting
// lane's route when a consignment arrives.
type TargetState struct {
	Now float64 // the consignment's arrival, simulated minutes
	// Wait is the expected queue wait at the busiest pool of the lane's
	// route now (minutes): queued consignments × mean service ÷ servers.
	Wait float64
	// Queue and Servers are that pool's queue length and servers in force.
	Queue, Servers int
}

// Targeter decides which assessed consignments are inspected. The border
// calls Target once per consignment, in arrival order, and Reveal with the
// outcome of every inspected consignment once it is known (the end of its
// last control, plus its threat's audit delay when a control found it), in
// order of that time and never after a Target call for a later arrival (a
// policy never sees a label before its time). Neither call may allocate in
// steady state; the Consignment passed is only valid during the call and
// hides the truth (Threat, Duty and the clean flag are cleared, except, in
// Reveal, the threat a control found).
type Targeter interface {
	// Reset starts replication rep.
	Reset(rep int)
	// Target reports whether c is inspected, whether it was drawn into the
	// random (exploration) stratum, and its selection probability
	// (propensity) given everything before it.
	Target(c *Consignment, st *TargetState) (inspect, explore bool, propensity float64)
	// Reveal gives the outcome of an inspected consignment at time at,
	// with the propensity Target gave it (c.Reason is ReasonRandom when it
	// was drawn into the random stratum).
	Reveal(c *Consignment, found bool, propensity, at float64)
}

// Policy scores consignments for the budget targeter: higher is more worth
// inspecting. Observe receives each revealed outcome with the propensity of
// its selection and whether it came from the random stratum;
// Update is called at every model-update time (targeting.update), after the
// outcomes revealed by then, and reports whether the scores changed (the
// targeter then re-scores the consignments of its 24-hour window, so that its
// threshold follows the new model at once). None may allocate per
// consignment.
type Policy interface {
	Reset(rep int)
	Score(c *Consignment) float64
	Observe(c *Consignment, found bool, propensity float64, explored bool)
	Update(now float64) bool
}

// Explorer is a Policy that sets its own exploration share (an adaptive
// policy): Epsilon is read at each hour of simulated time.
type Explorer interface {
	Epsilon() float64
}

// Score histogram: bins of the float64 bits of a score > 0 (exponent and
// the top 3 mantissa bits, so each power of two has 8 bins, about 9% wide),
// from 2^-40 to 2^24; bin 0 holds scores <= 0 and below 2^-40.
const (
	tgSubBits = 3
	tgMinExp  = -40
	tgMaxExp  = 24
	tgBins    = 1 + (tgMaxExp-tgMinExp)<<tgSubBits
	tgBaseKey = uint64(tgMinExp+1023) << tgSubBits
	tgHours   = 24 // the threshold is set from the scores of the last 24 hours
)

func tgBin(x float64) int {
	if !(x > 0) {
		return 0
	}
	key := math.Float64bits(x) >> (52 - tgSubBits)
	if key < tgBaseKey {
		return 0
	}
	i := int(key-tgBaseKey) + 1
	return min(i, tgBins-1)
}

// budgetTargeter inspects a share s of arrivals: a random stratum of
// ε·s drawn whatever the score, and the rest from the top of the policy's
// scores. s is the budget: steered every hour of simulated time so that
// the wait at the busiest pool of the targeting lane's route stays near the
// target wait (or fixed by targeting.budget). The score threshold is set
// every hour from the scores of the last 24 hours (a histogram), with a
// random draw inside the threshold's bin so that the share is met exactly
// in expectation; every selection probability is known (propensity).
type budgetTargeter struct {
	pol      Policy
	explorer Explorer // pol as an Explorer, or nil
	epsilon  float64
	fixed    float64 // a fixed budget share; 0: steered
	share0   float64 // the capacity estimate the steering starts from
	wait     float64 // target wait, minutes
	update   float64 // model-update period, minutes
	seed     uint64

	key      uint64
	share    float64
	eps      float64 // ε in force
	nextHour float64
	nextUpd  float64
	hist     [tgHours][tgBins]uint32
	sum      [tgBins]uint32
	cur      int
	total    int64
	sinceThr int
	thrBin   int
	thrQ     float64 // selection probability inside thrBin
	topShare float64 // share taken from the top of the scores
	// window holds the consignments of the last 24 hours (a ring, oldest
	// at head), for re-scoring them when the policy's model changes.
	window     []tgEntry
	head, size int
	keep       bool // the policy's scores can change: keep the window
}

// stationary is implemented by policies whose scores never change (the
// rules, the oracle): the targeter then keeps no window.
type stationary interface{ stationary() }

// tgEntry is a consignment of the score window and the hour slot it was
// counted in.
type tgEntry struct {
	c    Consignment
	t    float64
	slot int
}

// newBudgetTargeter returns a targeter of pol. share0 is the starting
// budget (capacity estimate), fixed a fixed budget share (0: steered).
func newBudgetTargeter(pol Policy, seed uint64, epsilon, share0, fixed, wait, update float64) *budgetTargeter {
	t := &budgetTargeter{pol: pol, epsilon: epsilon, share0: share0, fixed: fixed, wait: wait, update: update, seed: seed}
	t.explorer, _ = pol.(Explorer)
	_, still := pol.(stationary)
	t.keep = !still
	return t
}

// PurposeTargeting is the stream of a targeting policy's random draws
// (exploration and ties at the threshold), counter-based per consignment.
const PurposeTargeting Purpose = 40

// PurposeAudit is the stream of audit delays, counter-based per consignment.
const PurposeAudit Purpose = 41

func (t *budgetTargeter) Reset(rep int) {
	t.pol.Reset(rep)
	t.key = StreamKey(t.seed, rep, PurposeTargeting)
	t.share = t.share0
	if t.fixed > 0 {
		t.share = t.fixed
	}
	t.eps = t.epsilon
	if t.explorer != nil {
		t.eps = t.explorer.Epsilon()
	}
	t.nextHour, t.nextUpd = 60, t.update
	t.hist = [tgHours][tgBins]uint32{}
	t.sum = [tgBins]uint32{}
	t.cur, t.total, t.sinceThr = 0, 0, 0
	t.head, t.size = 0, 0
	t.setThreshold()
}

// updatesTo runs the model updates due by now; when the scores changed, the
// window is re-scored and the threshold set again.
func (t *budgetTargeter) updatesTo(now float64) {
	for now >= t.nextUpd {
		if t.pol.Update(t.nextUpd) {
			t.rescore()
		}
		t.nextUpd += t.update
	}
}

// rescore rebuilds the score histograms from the window's consignments with
// the policy's current scores, and sets the threshold. A window of more
// than tgRescore consignments is re-scored in a systematic sample (every
// k-th, each counted k times): the threshold is a quantile, which a sample
// of a thousand estimates to within about a percent, at a fraction of the
// cost of scoring the whole day again.
func (t *budgetTargeter) rescore() {
	t.hist = [tgHours][tgBins]uint32{}
	t.sum = [tgBins]uint32{}
	t.total = 0
	k := max(1, t.size/tgRescore)
	for i := 0; i < t.size; i += k {
		e := &t.window[(t.head+i)%len(t.window)]
		b := tgBin(t.pol.Score(&e.c))
		t.hist[e.slot][b] += uint32(k)
		t.sum[b] += uint32(k)
		t.total += int64(k)
	}
	t.setThreshold()
}

// tgRescore is the most consignments of the window re-scored after a model
// update.
const tgRescore = 1024

// remember adds c to the window, dropping what is older than 24 hours.
func (t *budgetTargeter) remember(c *Consignment, now float64) {
	for t.size > 0 && t.window[t.head].t < now-tgHours*60 {
		t.head = (t.head + 1) % len(t.window)
		t.size--
	}
	if t.size == len(t.window) {
		// Grow (until the window holds a day of arrivals; then never).
		nw := make([]tgEntry, max(1024, 2*len(t.window)))
		for i := 0; i < t.size; i++ {
			nw[i] = t.window[(t.head+i)%len(t.window)]
		}
		t.window, t.head = nw, 0
	}
	e := &t.window[(t.head+t.size)%len(t.window)]
	e.c, e.t, e.slot = *c, now, t.cur
	t.size++
}

// Reveal passes a revealed outcome to the policy, after the updates due
// before it.
func (t *budgetTargeter) Reveal(c *Consignment, found bool, propensity, at float64) {
	t.updatesTo(at)
	t.pol.Observe(c, found, propensity, c.Reason == ReasonRandom)
}

// hour closes the hour ending at t.nextHour: steers the budget, reads the
// exploration share, rotates the score window and sets the threshold.
func (t *budgetTargeter) hour(st *TargetState) {
	if t.fixed == 0 {
		// Multiplicative steering: up to +10% an hour while the wait is
		// below target, down by up to 18% an hour while above twice it.
		x := 1 - st.Wait/t.wait
		x = math.Max(-2, math.Min(1, x))
		t.share *= math.Exp(0.1 * x)
		t.share = math.Max(t.share0/50, math.Min(math.Min(1, 50*t.share0), t.share))
	}
	if t.explorer != nil {
		t.eps = math.Max(0, math.Min(1, t.explorer.Epsilon()))
	}
	t.cur = (t.cur + 1) % tgHours
	h := &t.hist[t.cur]
	for i, n := range h {
		if n != 0 {
			t.sum[i] -= n
			t.total -= int64(n)
		}
	}
	*h = [tgBins]uint32{}
	t.setThreshold()
	t.nextHour += 60
}

// setThreshold sets the bin and in-bin probability that take the top share
// (1−ε)s/(1−εs) of the scores in the window: with the random stratum
// drawn first at rate εs, each consignment is inspected with probability s.
func (t *budgetTargeter) setThreshold() {
	s, e := t.share, t.eps
	top := s
	if e*s < 1 {
		top = (1 - e) * s / (1 - e*s)
	}
	t.topShare = top
	t.sinceThr = 0
	if t.total == 0 {
		// No scores yet: all in one bin, taken at random at the share.
		t.thrBin, t.thrQ = 0, top
		return
	}
	want := top * float64(t.total)
	above := 0.0
	for b := tgBins - 1; b >= 0; b-- {
		n := float64(t.sum[b])
		if above+n >= want {
			t.thrBin = b
			if n > 0 {
				t.thrQ = (want - above) / n
			} else {
				t.thrQ = 0
			}
			return
		}
		above += n
	}
	t.thrBin, t.thrQ = 0, 1
}

func (t *budgetTargeter) Target(c *Consignment, st *TargetState) (bool, bool, float64) {
	for st.Now >= t.nextHour {
		t.hour(st)
	}
	t.updatesTo(st.Now)
	score := t.pol.Score(c)
	b := tgBin(score)
	if t.keep {
		t.remember(c, st.Now)
	}
	t.hist[t.cur][b]++
	t.sum[b]++
	t.total++
	if t.sinceThr++; t.total < 4096 && t.sinceThr >= 64 {
		t.setThreshold() // the first hour: follow the scores as they come
	}
	es := t.eps * t.share
	var g float64 // probability of selection by score
	switch {
	case b > t.thrBin:
		g = 1
	case b == t.thrBin:
		g = t.thrQ
	}
	p := es + (1-es)*g
	if unitDraw(t.key, c.Seq, 0) < es {
		return true, true, p
	}
	if g >= 1 || g > 0 && unitDraw(t.key, c.Seq, 1) < g {
		return true, false, p
	}
	return false, false, p
}

// rulesPolicy ranks by the rule engine's total score. It learns nothing.
type rulesPolicy struct{}

func (rulesPolicy) Reset(int)                                 {}
func (rulesPolicy) Score(c *Consignment) float64              { return math.Max(c.Score, 0) + 1 }
func (rulesPolicy) Observe(*Consignment, bool, float64, bool) {}
func (rulesPolicy) Update(float64) bool                       { return false }
func (rulesPolicy) stationary()                               {}

// oraclePolicy ranks by the Bayes-optimal score from the scenario's true
// signatures (Generator.oracleScore): a reference no administration has.
type oraclePolicy struct {
	g     *Generator
	pfind []float64
}

func (o *oraclePolicy) Reset(int)                                 {}
func (o *oraclePolicy) Score(c *Consignment) float64              { return o.g.oracleScore(c, o.pfind) }
func (o *oraclePolicy) Observe(*Consignment, bool, float64, bool) {}
func (o *oraclePolicy) Update(float64) bool                       { return false }
func (o *oraclePolicy) stationary()                               {}

// routeFindProb returns the probability that a consignment of a threat with
// detection probabilities det (per method) is found on route r of lane
// lane, with the pools' false alarms and physical examination after an NII
// scan only on alarm when onAlarm applies (the red lane).
func routeFindProb(cfg *borderConfig, r *borderRoute, lane Lane, det [NumMethods]float64) float64 {
	onAlarm := cfg.onAlarm && lane == Red
	found, nfAlarm, nfCleared := 0.0, 1.0, 0.0 // not found: the latest scan alarmed (or none yet), or cleared
	for i := int8(0); i < r.n; i++ {
		pc := &cfg.pools[r.pools[i]]
		p := det[pc.method]
		if pc.method == MethodPhysical && onAlarm {
			found += nfAlarm * p
			nfAlarm *= 1 - p
			continue
		}
		found += (nfAlarm + nfCleared) * p
		rest := (nfAlarm + nfCleared) * (1 - p)
		if pc.method == MethodNII {
			nfAlarm, nfCleared = rest*pc.falseAlarm, rest*(1-pc.falseAlarm)
		} else {
			// Not a scan: the latest scan's outcome stands.
			nfAlarm, nfCleared = nfAlarm*(1-p), nfCleared*(1-p)
		}
	}
	return found
}
