package sim

import "math"

// Drift and displacement change the features of a threat's cases during a
// replication, never which consignments are irregular: membership, clean
// share and duty are counter-based draws per (consignment, threat) that no
// table here touches, and a consignment's feature draws are the same in
// number whatever tables they are read through. So a drift or a displacement
// changes only the origin, routing, HS chapter and value of the threat's
// signature cases from its time on; every other consignment, and every
// consignment before it, is the one a run without it draws.

// genDrift is a generator's state of drift and displacement.
type genDrift struct {
	base []genThreat // tables after drift, before displacement, per threat
	lr   []vpkLR     // the value-per-kg likelihood ratio in force, per threat
	// Displacement multipliers per threat, over m.origins and m.chapters
	// (nil: none).
	mulOrigin, mulChap [][]float64
}

// resetDrift starts the replication's threat tables from the scenario's.
func (g *Generator) resetDrift() {
	m := g.m
	g.driftIdx = 0
	if m.tg == nil || len(m.tg.drifts) == 0 && len(m.tg.displaced) == 0 {
		g.thr, g.drift = m.threats, nil
		return
	}
	if g.drift == nil {
		k := len(m.threats)
		g.drift = &genDrift{base: make([]genThreat, k), lr: make([]vpkLR, k),
			mulOrigin: make([][]float64, k), mulChap: make([][]float64, k)}
		g.thr = make([]genThreat, k)
	}
	d := g.drift
	copy(d.base, m.threats)
	copy(g.thr, m.threats)
	copy(d.lr, m.tg.valueLR)
	clear(d.mulOrigin)
	clear(d.mulChap)
}

// applyDrifts starts every drift due by t.
func (g *Generator) applyDrifts(t float64) {
	dr := g.m.tg.drifts
	for g.driftIdx < len(dr) && t >= dr[g.driftIdx].at {
		d := &dr[g.driftIdx]
		g.drift.base[d.threat] = d.gt
		g.drift.lr[d.threat] = d.lr
		g.rebuildThreat(d.threat)
		g.driftIdx++
	}
}

// displace sets threat k's displacement multipliers over m.origins and
// m.chapters (nil: none) and rebuilds its tables. It allocates (new tables),
// once per displacement period, not per consignment.
func (g *Generator) displace(k int, origin, chap []float64) {
	if g.drift == nil {
		return
	}
	g.drift.mulOrigin[k], g.drift.mulChap[k] = origin, chap
	g.rebuildThreat(k)
}

// rebuildThreat makes threat k's tables in force: its drifted tables times
// its displacement multipliers.
func (g *Generator) rebuildThreat(k int) {
	d := g.drift
	gt := d.base[k]
	if mo := d.mulOrigin[k]; mo != nil {
		w := make([]float64, len(gt.origin.prob))
		for i, p := range gt.origin.prob {
			w[i] = p * mo[i]
		}
		if t, err := newPickTable(w); err == nil {
			gt.origin = t
		}
	}
	if mc := d.mulChap[k]; mc != nil {
		w := make([]float64, len(gt.chapter.prob))
		for i, p := range gt.chapter.prob {
			w[i] = p * mc[i]
		}
		if t, err := newPickTable(w); err == nil {
			gt.chapter = t
		}
	}
	g.thr[k] = gt
}

// oracleScore returns the expected number of findings from inspecting c:
// Σ_k P(threat k | c's features) × pfind[k], from the replication's true
// tables in force (drift and displacement included). The posterior is
// Bayes' rule with the generator's own model: the prior of threat k in c's
// trader class (AEO, new) is its width w_k, split into a clean share (no
// signature, likelihood ratio 1) and a signature part whose likelihood
// ratio against legitimate trade is the product of the ratios of origin,
// HS chapter, routing (routed with its hub, or not) and value per kg. It
// ignores the rounding of values and weights (cent, gram). It allocates
// nothing.
func (g *Generator) oracleScore(c *Consignment, pfind []float64) float64 {
	m := g.m
	tg := m.tg
	class := c.Flags & (FlagAEO | FlagNew)
	oi := tg.originIdx[c.Origin]
	ci := tg.chapIdx[c.Chapter()]
	if oi < 0 || ci < 0 {
		return 0
	}
	routed := c.Flags&FlagRouted != 0
	hub := int16(-1)
	if routed {
		hub = tg.hubIdx[c.Hub]
	} else if m.routed > 0 {
		hub = tg.hubIdx[c.Origin] // a draw of the origin as hub leaves it unrouted
	}
	lnv := math.Log(c.ValuePerKg)
	var lrs []vpkLR
	if g.drift != nil {
		lrs = g.drift.lr
	} else {
		lrs = tg.valueLR
	}
	p0, num, den := 1.0, 0.0, 0.0
	lo, hi, clean := g.thrLo[class], g.thrHi[class], g.thrClean[class]
	for k := range g.thr {
		w := hi[k] - lo[k]
		if !(w > 0) {
			continue
		}
		p0 -= w
		th := &g.thr[k]
		lr := th.origin.prob[oi] / m.originTab.prob[oi] * th.chapter.prob[ci] / m.chapTab.prob[ci]
		switch {
		case routed && hub >= 0:
			lr *= th.routed * th.hub.prob[hub] / (m.routed * m.hubTab.prob[hub])
		case !routed && m.routed > 0:
			pk, pb := 1-th.routed, 1-m.routed
			if hub >= 0 {
				pk += th.routed * th.hub.prob[hub]
				pb += m.routed * m.hubTab.prob[hub]
			}
			lr *= pk / pb
		}
		lr *= lrs[k].ratio(c.ValuePerKg, lnv)
		cl := clean[k]
		pk := w * ((1-cl)*lr + cl)
		num += pk * pfind[k]
		den += pk
	}
	den += math.Max(p0, 0)
	if !(den > 0) {
		return 0
	}
	return num / den
}
