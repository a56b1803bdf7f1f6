package sim

import (
	"math"
	"math/rand/v2"
)

// LearnWeek is what a targeting run measured over the consignments that
// arrived in one week (or, as LearnRep.Total, in the statistics window).
type LearnWeek struct {
	Arrivals  int64 // consignments
	Irregular int64 // of them irregular (ground truth)
	Inspected int64 // sent to the targeting lane
	Explored  int64 // of them drawn into the random stratum
	// IrregularInspected: inspected and irregular (whether or not a
	// control found it); Found: found by a control.
	IrregularInspected int64
	Found              int64
	// Findable is the sum, over irregular arrivals, of the probability
	// that the lane's route finds them if inspected: what an inspection
	// of everything would find on average (ground truth).
	Findable float64
	// IPW is the sum, over found consignments, of 1/propensity: the
	// inverse-propensity (Horvitz–Thompson) estimate of Findable, which a
	// customs service can compute from its own records.
	IPW           float64
	DutyAtStake   float64
	DutyRecovered float64
	// Release-time median and 90th percentile of the arrivals (hours);
	// consignments not released by the end of the drain count at the
	// drain's end. NaN without arrivals.
	ReleaseMedianH, ReleaseP90H float64
	// Release-time median and 90th percentile of the inspected arrivals.
	InspectedMedianH, InspectedP90H float64
	// Per threat (scenario order): irregular arrivals and found ones.
	IrregularBy, FoundBy []int64
}

// LearnRep is one policy's run of one seed (replication).
type LearnRep struct {
	Policy string
	Seed   int
	Weeks  []LearnWeek // by week of arrival from time 0
	Total  LearnWeek   // the statistics window [warm-up, window end)
	// Labels is the number of outcomes revealed to the policy by the
	// horizon.
	Labels int64
}

// clear zeroes w, keeping its per-threat slices.
func (w *LearnWeek) clear() {
	irr, fnd := w.IrregularBy, w.FoundBy
	clear(irr)
	clear(fnd)
	*w = LearnWeek{IrregularBy: irr, FoundBy: fnd}
}

// clone returns a copy of w with its own per-threat slices.
func (w *LearnWeek) clone() LearnWeek {
	c := *w
	c.IrregularBy = append([]int64(nil), w.IrregularBy...)
	c.FoundBy = append([]int64(nil), w.FoundBy...)
	return c
}

// label is an outcome waiting for its time.
type label struct {
	at    float64
	found bool
	c     Consignment
}

// learnLoop runs a Targeter inside the border for one worker: it decides
// each consignment's lane with the targeter, holds outcomes until they are
// known, moves displaced threats, and measures what LearnWeek reports.
type learnLoop struct {
	m    *Model
	cfg  *borderConfig
	b    *border
	g    *Generator
	tg   Targeter
	lane Lane

	pfind   []float64 // per threat: probability the lane's route finds it
	pools   []int     // the lane route's pools
	means   []float64 // their mean service times
	st      TargetState
	view    Consignment // the consignment without its truth, for the targeter
	cur     label       // the label being revealed
	pending []label     // a min-heap on at
	labels  int64

	auditKey  uint64
	auditSrc  *rand.PCG
	auditRand *rand.Rand

	prop  []float32 // propensity by consignment Seq
	weeks []LearnWeek
	rel   []borderDist // release times (minutes) per week of arrival
	relI  []borderDist // … of inspected arrivals
	total LearnWeek
	relT  borderDist
	relTI borderDist

	disp []loopDisplace
}

// loopDisplace counts arrivals and inspections by origin and chapter over
// one displacement's current period.
type loopDisplace struct {
	md             *modelDisplace
	next           float64
	n, insp        int64
	nO, iO, nC, iC []int64
	mulO, mulC     []float64
}

// capacityShare estimates the share of arrivals the lane's route can
// inspect: 90% of the first pool's service rate (servers × share of the
// week open ÷ mean service) over the arrival rate. The budget targeter
// starts from it and steers by the queues.
func capacityShare(m *Model, cfg *borderConfig, lane Lane) float64 {
	rate := 0.0
	for _, t := range m.Scenario.Traffic {
		rate += t.Rate / 60
	}
	r := &cfg.routes[lane]
	if r.n == 0 || !(rate > 0) {
		return 0.05
	}
	pc := &cfg.pools[r.pools[0]]
	open := 1.0
	if !pc.hours.always {
		open = pc.hours.openTime(0, 7*1440) / (7 * 1440)
	}
	mean := pc.service.Mean()
	if !(mean > 0) {
		return 1
	}
	return math.Min(1, 0.9*float64(pc.servers)*open/mean/rate)
}

// newLearnLoop makes the loop of a worker's generator and border with
// targeter tg.
func newLearnLoop(m *Model, cfg *borderConfig, g *Generator, b *border, tg Targeter) *learnLoop {
	l := &learnLoop{m: m, cfg: cfg, g: g, b: b, tg: tg, lane: m.tg.lane}
	r := &cfg.routes[l.lane]
	for i := int8(0); i < r.n; i++ {
		p := int(r.pools[i])
		l.pools = append(l.pools, p)
		l.means = append(l.means, cfg.pools[p].service.Mean())
	}
	l.pfind = laneFindProbs(cfg, l.lane)
	l.auditSrc = rand.NewPCG(0, 0)
	l.auditRand = rand.New(l.auditSrc)
	weeks := int(math.Ceil(cfg.horizon / (7 * 1440)))
	l.weeks = make([]LearnWeek, weeks)
	nk := len(cfg.detect)
	for i := range l.weeks {
		l.weeks[i].IrregularBy, l.weeks[i].FoundBy = make([]int64, nk), make([]int64, nk)
	}
	l.total.IrregularBy, l.total.FoundBy = make([]int64, nk), make([]int64, nk)
	l.rel = make([]borderDist, weeks)
	l.relI = make([]borderDist, weeks)
	for i := range m.tg.displaced {
		d := &m.tg.displaced[i]
		l.disp = append(l.disp, loopDisplace{md: d,
			nO: make([]int64, len(m.origins)), iO: make([]int64, len(m.origins)),
			nC: make([]int64, len(m.chapters)), iC: make([]int64, len(m.chapters))})
	}
	b.learn = l
	return l
}

// laneFindProbs returns, per threat, the probability that lane's route
// finds it.
func laneFindProbs(cfg *borderConfig, lane Lane) []float64 {
	p := make([]float64, len(cfg.detect))
	for k, det := range cfg.detect {
		p[k] = routeFindProb(cfg, &cfg.routes[lane], lane, det)
	}
	return p
}

// reset starts replication rep (after the generator and border).
func (l *learnLoop) reset(rep int) {
	l.tg.Reset(rep)
	l.auditKey = StreamKey(l.cfg.seed, rep, PurposeAudit)
	l.pending = l.pending[:0]
	l.labels = 0
	for i := range l.weeks {
		l.weeks[i].clear()
	}
	for i := range l.rel {
		l.rel[i].reset()
		l.relI[i].reset()
	}
	l.total.clear()
	l.relT.reset()
	l.relTI.reset()
	for i := range l.disp {
		d := &l.disp[i]
		d.next, d.n, d.insp = d.md.period, 0, 0
		clear(d.nO)
		clear(d.iO)
		clear(d.nC)
		clear(d.iC)
	}
}

// target decides consignment c's lane with the targeter, at its arrival.
// Every event up to the arrival is handled first, and the outcomes known by
// then are revealed.
func (l *learnLoop) target(c *Consignment) {
	now := c.Arrival
	l.b.upTo(now)
	for len(l.pending) > 0 && l.pending[0].at <= now {
		l.popLabel(&l.cur)
		l.tg.Reveal(&l.cur.c, l.cur.found, float64(l.prop[l.cur.c.Seq]), l.cur.at)
	}
	for i := range l.disp {
		if now >= l.disp[i].next {
			l.displace(&l.disp[i], now)
		}
	}
	st := &l.st
	st.Now, st.Wait, st.Queue, st.Servers = now, 0, 0, 0
	for i, p := range l.pools {
		ps := &l.b.pools[p]
		if ps.servers <= 0 {
			continue
		}
		if w := float64(ps.q.n) * l.means[i] / float64(ps.servers); w >= st.Wait {
			st.Wait, st.Queue, st.Servers = w, ps.q.n, int(ps.servers)
		}
	}
	l.view = *c
	l.view.Threat, l.view.Duty, l.view.Flags = NoThreat, 0, c.Flags&^FlagClean
	inspect, explore, p := l.tg.Target(&l.view, st)
	for uint64(len(l.prop)) <= c.Seq {
		l.prop = append(l.prop, 0)
	}
	l.prop[c.Seq] = float32(p)
	c.Lane, c.Reason = Green, ReasonScore
	if inspect {
		c.Lane = l.lane
		if explore {
			c.Reason = ReasonRandom
		}
	}
	l.arrived(c, l.week(c.Arrival))
	if l.b.inWindow(c.Arrival) {
		l.arrived(c, &l.total)
	}
	for i := range l.disp {
		d := &l.disp[i]
		d.n++
		oi, ci := l.m.tg.originIdx[c.Origin], l.m.tg.chapIdx[c.Chapter()]
		if oi >= 0 {
			d.nO[oi]++
		}
		if ci >= 0 {
			d.nC[ci]++
		}
		if inspect {
			d.insp++
			if oi >= 0 {
				d.iO[oi]++
			}
			if ci >= 0 {
				d.iC[ci]++
			}
		}
	}
}

func (l *learnLoop) week(t float64) *LearnWeek {
	w := min(max(int(t/(7*1440)), 0), len(l.weeks)-1)
	return &l.weeks[w]
}

// arrived counts c's arrival in w.
func (l *learnLoop) arrived(c *Consignment, w *LearnWeek) {
	w.Arrivals++
	inspected := c.Lane == l.lane
	if inspected {
		w.Inspected++
		if c.Reason == ReasonRandom {
			w.Explored++
		}
	}
	if c.Threat != NoThreat {
		w.Irregular++
		w.IrregularBy[c.Threat]++
		w.Findable += l.pfind[c.Threat]
		w.DutyAtStake += c.Duty
		if inspected {
			w.IrregularInspected++
		}
	}
}

// released is the border's report of c's outcome (ms.Release NaN: not
// released by the end of the drain): it counts it, and for an inspected
// consignment queues its label for its time.
func (l *learnLoop) released(c *Consignment, ms *Milestones) {
	inspected := c.Lane == l.lane
	rt := ms.Release - c.Arrival
	if math.IsNaN(rt) {
		rt = l.cfg.end - c.Arrival
	}
	wi := min(max(int(c.Arrival/(7*1440)), 0), len(l.weeks)-1)
	l.rel[wi].add(rt)
	if inspected {
		l.relI[wi].add(rt)
	}
	l.outcome(c, ms, &l.weeks[wi])
	if l.b.inWindow(c.Arrival) {
		l.relT.add(rt)
		if inspected {
			l.relTI.add(rt)
		}
		l.outcome(c, ms, &l.total)
	}
	if !inspected || math.IsNaN(ms.Release) {
		return
	}
	at := ms.Release
	if ms.Found && c.Threat != NoThreat && !l.m.tg.auditZero[c.Threat] {
		h := drawKey(l.auditKey, c.Seq, 0)
		l.auditSrc.Seed(h, mix(h))
		if d := l.m.tg.audit[c.Threat].Sample(l.auditRand); d > 0 {
			at += d
		}
	}
	if at > l.cfg.horizon {
		return // known after the run: no policy decision can use it
	}
	lab := label{at: at, found: ms.Found, c: *c}
	if !ms.Found {
		lab.c.Threat = NoThreat
	}
	lab.c.Duty, lab.c.Flags = 0, lab.c.Flags&^FlagClean
	l.pushLabel(lab)
}

// outcome counts the finding of c in w.
func (l *learnLoop) outcome(c *Consignment, ms *Milestones, w *LearnWeek) {
	if ms.Found && c.Lane == l.lane {
		w.Found++
		w.FoundBy[c.Threat]++
		w.DutyRecovered += c.Duty
		if p := l.prop[c.Seq]; p > 0 {
			w.IPW += 1 / float64(p)
		}
	}
}

// displace moves each displaced threat's tables away from what was
// inspected in the period that ends now.
func (l *learnLoop) displace(d *loopDisplace, now float64) {
	for now >= d.next {
		d.next += d.md.period
	}
	if d.n == 0 || d.insp == 0 {
		return
	}
	r := float64(d.insp) / float64(d.n)
	mul := func(n, insp []int64, out []float64) []float64 {
		if out == nil {
			out = make([]float64, len(n))
		}
		for i := range n {
			x := 1.0
			if n[i] > 0 {
				x = math.Max(0.1, math.Min(10, float64(insp[i])/float64(n[i])/r))
			}
			out[i] = math.Pow(x, -d.md.elasticity)
		}
		return out
	}
	var mo, mc []float64
	if d.md.origin {
		d.mulO = mul(d.nO, d.iO, nil)
		mo = d.mulO
	}
	if d.md.chap {
		d.mulC = mul(d.nC, d.iC, nil)
		mc = d.mulC
	}
	l.g.displace(d.md.threat, mo, mc)
	d.n, d.insp = 0, 0
	clear(d.nO)
	clear(d.iO)
	clear(d.nC)
	clear(d.iC)
}

// finish completes the replication's figures (after border.finish) and
// returns them; labels still pending are dropped.
func (l *learnLoop) finish(policy string, seed int) LearnRep {
	rep := LearnRep{Policy: policy, Seed: seed, Weeks: make([]LearnWeek, len(l.weeks)), Labels: l.labels}
	for i := range l.weeks {
		w := l.weeks[i].clone()
		w.ReleaseMedianH, w.ReleaseP90H = l.rel[i].quantile(0.5)/60, l.rel[i].quantile(0.9)/60
		w.InspectedMedianH, w.InspectedP90H = l.relI[i].quantile(0.5)/60, l.relI[i].quantile(0.9)/60
		rep.Weeks[i] = w
	}
	rep.Total = l.total.clone()
	rep.Total.ReleaseMedianH, rep.Total.ReleaseP90H = l.relT.quantile(0.5)/60, l.relT.quantile(0.9)/60
	rep.Total.InspectedMedianH, rep.Total.InspectedP90H = l.relTI.quantile(0.5)/60, l.relTI.quantile(0.9)/60
	return rep
}

// pushLabel adds a label to the heap.
func (l *learnLoop) pushLabel(x label) {
	l.pending = append(l.pending, x)
	h := l.pending
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].at <= h[i].at {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// popLabel removes the earliest label into top.
func (l *learnLoop) popLabel(top *label) {
	h := l.pending
	*top = h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	l.pending = h
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].at < h[c].at {
			c++
		}
		if h[i].at <= h[c].at {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	l.labels++
}
