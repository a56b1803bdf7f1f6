package sim

import (
	"math"
	"math/rand/v2"

	"pilotsim/datamodel"
)

// PurposeAssessment is the stream of risk-assessment times (lodgement to lane
// assignment). It is apart from PurposeLodgement so that a change to
// selectivity.assessment leaves arrivals and lodgements as they were. Its value
// is far from the constants in streams.go so that both lists can grow.
const PurposeAssessment Purpose = 32

// Generator makes the consignments of one replication, one at a time, in
// arrival order. It holds the replication's trader population and random
// streams; NewGenerator allocates its buffers once and Next allocates nothing.
// A Generator is not safe for concurrent use: use one per goroutine.
//
// Streams: the trader population comes from PurposeTraders; arrival instants
// from PurposeArrivals; the trader, origin, routing, HS code, value per kg and
// gross weight of each consignment from PurposeFeatures (the same number of
// draws whether the consignment is irregular or not); the lodgement lead from
// PurposeLodgement and the assessment time from PurposeAssessment. Two
// scenarios that differ only in rules, selectivity thresholds and rates, or
// resources therefore see the same consignments.
//
// Ground truth (common random numbers). Whether a consignment carries a
// threat, whether it is clean and its duty are not drawn from a sequential
// stream but from counter-based draws keyed by (seed, replication,
// consignment Seq, threat, purpose): PurposeThreats, PurposeClean and
// PurposeDuty. Membership is one uniform U per consignment on a fixed layout:
// with K threats, threat k owns [k/K, k/K + w_k), w_k being its probability
// in the consignment's trader class (AEO or not, new or not). Raising w_k only
// grows threat k's own slot, so raising a prevalence only adds cases of that
// threat and changes nothing else; changing rules, resources, detection or
// duty changes no irregular consignment. The layout needs every w_k <= 1/K;
// a trader class where some w_k is larger (only with prevalences of several
// percent) falls back to laying the threats end to end, which keeps every
// probability exact but couples the threats of that class (see
// docs/scenarios.md, "Ground truth").
type Generator struct {
	m   *Model
	rep int
	seq uint64

	traderFlags []uint8 // FlagAEO | FlagNew per trader, for this replication

	// Ground truth per trader class (class = FlagAEO|FlagNew bits): threat k
	// is carried when thrLo[class][k] <= U < thrHi[class][k] (U the
	// consignment's membership uniform), and is clean when its clean uniform
	// is below thrClean[class][k]. thrSlot: the class uses the fixed layout
	// (slot k starts at k/K), so U picks the only candidate directly.
	thrLo, thrHi, thrClean [4][]float64
	thrSlot                [4]bool
	// The same layout on the 53-bit integers m of the membership draws (U =
	// m·2⁻⁵³ exactly): threat k is carried when thrLoBits <= m < thrHiBits,
	// the exact equivalent of thrLo <= U < thrHi. thrMay has a bit per
	// 1/thrBuckets of [0, 1), set where some threat's interval reaches into
	// it: a draw in a clear bucket (nearly all, with customs prevalences)
	// carries no threat, found with one load.
	thrLoBits, thrHiBits [4][]uint64
	thrMay               [4][thrBuckets / 64]uint64
	thrKey, cleanKey     uint64 // keys of PurposeThreats and PurposeClean draws
	dutyKey              uint64 // key of the PurposeDuty streams
	dutySrc              *rand.PCG
	dutyRand             *rand.Rand

	next [datamodel.NumModes]float64 // next arrival per mode in m.modes order

	arrivals, features, lodgement, assessment *rand.Rand

	rec *rand.Rand // Record's stream, reseeded per consignment
	pcg *rand.PCG

	phaseKey uint64 // key of the replication's PurposePhase draws
	phaseIdx int    // phases started by the latest arrival (arrivals come in order)

	// thr are the threats' feature tables in force: m.threats itself
	// without drift or displacement, else the replication's own copy
	// (drift.go). driftIdx: drifts started by the latest arrival.
	thr      []genThreat
	drift    *genDrift
	driftIdx int
}

// NewGenerator returns a generator for m. Call Reset before Next.
func (m *Model) NewGenerator() *Generator {
	g := &Generator{m: m, traderFlags: make([]uint8, m.traderCount)}
	for c := range g.thrLo {
		g.thrLo[c] = make([]float64, len(m.threats))
		g.thrHi[c] = make([]float64, len(m.threats))
		g.thrClean[c] = make([]float64, len(m.threats))
		g.thrLoBits[c] = make([]uint64, len(m.threats))
		g.thrHiBits[c] = make([]uint64, len(m.threats))
	}
	g.dutySrc = rand.NewPCG(0, 0)
	g.dutyRand = rand.New(g.dutySrc)
	g.pcg = rand.NewPCG(0, 0)
	g.rec = rand.New(g.pcg)
	g.Reset(0)
	return g
}

// Model returns the model the generator draws from.
func (g *Generator) Model() *Model { return g.m }

// Reset starts replication rep: it draws the trader population (AEO and new
// flags, independently per trader) and restarts every stream.
func (g *Generator) Reset(rep int) {
	m := g.m
	seed := m.Scenario.Seed
	g.rep, g.seq = rep, 0
	tr := Stream(seed, rep, PurposeTraders)
	newVolume, total := 0.0, 0.0
	for i := range g.traderFlags {
		var f uint8
		if tr.Float64() < m.aeoShare {
			f |= FlagAEO
		}
		if tr.Float64() < m.newShare {
			f |= FlagNew
			newVolume += m.traderZipf.p(i)
		}
		total += m.traderZipf.p(i)
		g.traderFlags[i] = f
	}
	g.fillThreatTables(newVolume / total)

	g.arrivals = Stream(seed, rep, PurposeArrivals)
	g.features = Stream(seed, rep, PurposeFeatures)
	g.thrKey = StreamKey(seed, rep, PurposeThreats)
	g.cleanKey = StreamKey(seed, rep, PurposeClean)
	g.dutyKey = StreamKey(seed, rep, PurposeDuty)
	g.lodgement = Stream(seed, rep, PurposeLodgement)
	g.assessment = Stream(seed, rep, PurposeAssessment)
	g.phaseKey, g.phaseIdx = StreamKey(seed, rep, PurposePhase), 0
	g.resetDrift()
	for i := range g.next {
		g.next[i] = math.Inf(1)
	}
	for i := range m.modes {
		g.next[i] = g.nextArrival(&m.modes[i], 0)
	}
}

// fillThreatTables computes, for each trader class (AEO or not, new or not),
// each threat's probability w_k and the share of its cases that are clean.
// For AEO traders the prevalence is multiplied by the AEO prevalence factor.
// The signature part is tilted by the threat's new-trader likelihood ratio ρ:
// new traders' consignments carry it ρ times as often as others', normalised
// by 1 + (ρ−1)·q, where q is the replication's volume share of new traders,
// so that the prevalence over all traders stays the threat's prevalence. The
// clean part is not tilted. It then lays the threats out on [0, 1) (see
// Generator): each in its own slot of width 1/K when every w_k fits, else end
// to end (and scaled to a total of 1 if, with extreme new-trader ratios, the
// probabilities add up to more).
func (g *Generator) fillThreatTables(q float64) {
	m := g.m
	nk := len(m.threats)
	for class := range g.thrLo {
		lo, hi, clean := g.thrLo[class], g.thrHi[class], g.thrClean[class]
		total, fits := 0.0, true
		for k := range m.threats {
			t := &m.threats[k]
			p := t.prevalence
			if uint8(class)&FlagAEO != 0 {
				p *= m.aeoFactor
			}
			z := 1 + (t.newRatio-1)*q
			nf := 1.0
			if z > 0 {
				if uint8(class)&FlagNew != 0 {
					nf = t.newRatio / z
				} else {
					nf = 1 / z
				}
			}
			sig, cl := p*(1-t.clean)*nf, p*t.clean
			w := sig + cl
			clean[k] = 0
			if w > 0 {
				clean[k] = cl / w
			}
			hi[k] = w // the width, for now
			total += w
			if w > 1/float64(nk) {
				fits = false
			}
		}
		g.thrSlot[class] = fits
		cum, scale := 0.0, 1.0
		if !fits && total > 1 { // only with extreme new-trader ratios: cap at 1
			scale = 1 / total
		}
		for k := range lo {
			w := hi[k] * scale
			if fits {
				lo[k] = float64(k) / float64(nk)
			} else {
				lo[k] = cum
				cum += w
			}
			hi[k] = lo[k] + w
		}
		g.fillThreatBits(class)
	}
}

// thrBuckets is the number of buckets of [0, 1) of Generator.thrMay.
const thrBuckets = 1024

// thrBucketShift turns a 53-bit draw into its bucket.
const thrBucketShift = 53 - 10 // thrBuckets = 2^10

// fillThreatBits derives trader class's integer thresholds and clear buckets
// from its layout thrLo, thrHi. For an integer m < 2^53 and x in [0, 1],
// m·2⁻⁵³ < x exactly when m < ⌈x·2⁵³⌉ (x·2⁵³ is exact), so the integer
// comparisons decide as the float ones would, bit for bit.
func (g *Generator) fillThreatBits(class int) {
	lo, hi := g.thrLo[class], g.thrHi[class]
	loB, hiB, may := g.thrLoBits[class], g.thrHiBits[class], &g.thrMay[class]
	*may = [thrBuckets / 64]uint64{}
	for k := range lo {
		loB[k] = uint64(math.Ceil(lo[k] * 0x1p53))
		hiB[k] = uint64(math.Ceil(hi[k] * 0x1p53))
		if hiB[k] > loB[k] {
			for b := loB[k] >> thrBucketShift; b <= (hiB[k]-1)>>thrBucketShift; b++ {
				may[b/64] |= 1 << (b % 64)
			}
		}
	}
}

// phase returns the phase of a consignment arriving at t: the latest phase
// started by t, or during that phase's ramp, with probability (t − at)/ramp,
// else the phase before it; a phase with a share below 1 takes that share
// of its consignments (a second draw), the others stay in the phase before. The draw is a hash of the consignment's number
// (PurposePhase), so it shifts no other draw.
func (g *Generator) phase(t float64, seq uint64) uint8 {
	ph := g.m.phases
	for g.phaseIdx < len(ph) && t >= ph[g.phaseIdx].at {
		g.phaseIdx++
	}
	k := g.phaseIdx
	if k == 0 {
		return 0
	}
	p := &ph[k-1]
	if t < p.at+p.ramp {
		u := float64(mix(g.phaseKey^mix(seq))>>11) * 0x1p-53
		if u >= (t-p.at)/p.ramp {
			return uint8(k - 1)
		}
	}
	if p.share < 1 {
		// A second, independent draw of the consignment: the stratum.
		u := float64(mix(g.phaseKey^mix(seq^0x5eed57a7))>>11) * 0x1p-53
		if u >= p.share {
			return uint8(k - 1)
		}
	}
	return uint8(k)
}

// nextArrival returns the first arrival of mode gm after t: candidates of a
// Poisson process at the mode's largest rate, each kept with probability
// rate(t)/largest rate (thinning).
func (g *Generator) nextArrival(gm *genMode, t float64) float64 {
	for {
		t += g.arrivals.ExpFloat64() / gm.rateMax
		if gm.accept == nil || t >= g.m.horizon {
			return t
		}
		how := int(t/60) % 168
		if g.arrivals.Float64() < gm.accept[how] {
			return t
		}
	}
}

// Next fills c with the next consignment of the replication, in arrival order,
// and reports false when the next arrival would be past the horizon. It sets
// Seq, Arrival, Lodgement, LaneAt, Mode, Trader, Flags, Origin, Dispatch, Hub,
// HS, GrossWeight, Value, ValuePerKg, Threat and Duty, and clears Score,
// Hits, Lane and Reason.
func (g *Generator) Next(c *Consignment) bool {
	m := g.m
	mi, t := 0, g.next[0]
	for i := 1; i < len(m.modes); i++ {
		if g.next[i] < t {
			mi, t = i, g.next[i]
		}
	}
	if t >= m.horizon {
		return false
	}
	gm := &m.modes[mi]
	g.next[mi] = g.nextArrival(gm, t)

	*c = Consignment{Seq: g.seq, Arrival: t, Mode: gm.mode, Threat: NoThreat, Hub: datamodel.NoCountry}
	g.seq++
	pm, lm := m, gm // the model in force for the consignment's phase, and its mode
	if len(m.phases) > 0 {
		c.Phase = g.phase(t, c.Seq)
		pm = m.phaseModel(c.Phase)
		lm = &pm.modes[mi]
	}
	lead := 0.0
	if !lm.leadZero {
		lead = lm.lead.Sample(g.lodgement)
	}
	c.Lodgement = t - lead
	c.LaneAt = c.Lodgement
	if !pm.assessZero {
		if a := pm.assessment.Sample(g.assessment); a > 0 {
			c.LaneAt += a
		}
	}

	// Trader and threat.
	f := g.features
	trader := m.traderZipf.pick(f.Uint64())
	c.Trader = int32(trader)
	c.Flags = g.traderFlags[trader]
	class := c.Flags & (FlagAEO | FlagNew)
	var th *genThreat
	if g.drift != nil && g.driftIdx < len(m.tg.drifts) && t >= m.tg.drifts[g.driftIdx].at {
		g.applyDrifts(t)
	}
	if k := g.threatOf(c.Seq, class); k >= 0 {
		c.Threat = int8(k)
		carried := &m.threats[k]
		if unitDraw(g.cleanKey, c.Seq, uint64(k)) < g.thrClean[class][k] {
			c.Flags |= FlagClean
		} else {
			th = &g.thr[k] // m.threats[k] unless drift or displacement changed its features
		}
		if carried.revenue {
			h := drawKey(g.dutyKey, c.Seq, uint64(k))
			g.dutySrc.Seed(h, mix(h))
			c.Duty = carried.duty.Sample(g.dutyRand)
		}
	}

	// Features: base trade profile, or tilted by the threat's signature.
	uo, ur, uh, uc, uhs := f.Uint64(), f.Float64(), f.Uint64(), f.Uint64(), f.Uint64()
	routed := m.routed
	originTab, hubTab, chapTab := &m.originTab, &m.hubTab, &m.chapTab
	if th != nil {
		routed, originTab, hubTab, chapTab = th.routed, &th.origin, &th.hub, &th.chapter
	}
	c.Origin = m.origins[originTab.pick(uo)]
	c.Dispatch = c.Origin
	if ur < routed {
		if hub := m.hubs[hubTab.pick(uh)]; hub != c.Origin {
			c.Hub, c.Dispatch = hub, hub
			c.Flags |= FlagRouted
		}
	}
	ch := uint32(m.chapters[chapTab.pick(uc)])
	heading := 1 + uint32((uhs>>32)*uint64(hsLastHeading[ch])>>32)
	c.HS = ch*10000 + heading*100 + hsSubheadings[uhs&7]

	vpk := m.valuePerKg.Sample(f)
	if th != nil {
		vpk /= th.valueDiv
	}
	w := m.weight.Sample(f)
	c.GrossWeight = genRound(math.Max(w, minGrossWeight), 1000)
	c.Value = genRound(math.Max(vpk, 0)*c.GrossWeight, 100)
	if c.Value < minValue {
		c.Value = minValue
	}
	c.ValuePerKg = c.Value / c.GrossWeight
	return true
}

// threatOf returns the threat consignment seq of trader class carries, or -1:
// the slot its membership uniform falls in.
func (g *Generator) threatOf(seq uint64, class uint8) int {
	return g.threatOfBits(drawKey(g.thrKey, seq, 0)>>11, class)
}

// threatOfBits is threatOf for the membership draw m·2⁻⁵³ (m < 2^53; the
// uniform unitDraw would give), decided on the integers (fillThreatBits).
func (g *Generator) threatOfBits(m uint64, class uint8) int {
	b := m >> thrBucketShift
	if g.thrMay[class][b/64]&(1<<(b%64)) == 0 {
		return -1 // the common case: no threat reaches this bucket
	}
	lo, hi := g.thrLoBits[class], g.thrHiBits[class]
	if g.thrSlot[class] {
		// Slot k starts at k/K: m·K/2⁵³ is the slot but for rounding of
		// k/K at a slot's edge, which the loops settle.
		k := int((m * uint64(len(lo))) >> 53)
		for k > 0 && m < lo[k] {
			k--
		}
		for k+1 < len(lo) && m >= lo[k+1] {
			k++
		}
		if m < hi[k] {
			return k
		}
		return -1
	}
	for k := range lo {
		if m < hi[k] {
			if m >= lo[k] {
				return k
			}
			return -1 // in the gap of a zero-width threat: impossible, hi[k] == lo[k]
		}
	}
	return -1
}

// Generated weights and values are rounded to what a declaration shows (gram,
// cent) so that writing them out and reading them back scores the same.
const (
	minGrossWeight = 0.001 // kg
	minValue       = 0.01
)

// genRound rounds x >= 0 to 1/scale (half up; math.Floor is a single
// instruction on amd64, math.Round is not).
func genRound(x, scale float64) float64 { return math.Floor(x*scale+0.5) / scale }

// Rep returns the replication the generator is in.
func (g *Generator) Rep() int { return g.rep }

// TraderFlags returns the AEO and new flags of trader i in this replication.
func (g *Generator) TraderFlags(i int) uint8 { return g.traderFlags[i] }
