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
// draws whether the consignment is irregular or not); whether it carries a
// threat, whether it is clean, and the duty from PurposeThreats; the
// lodgement lead from PurposeLodgement and the assessment time from
// PurposeAssessment. Two scenarios that differ only in rules, selectivity
// thresholds and rates, or resources therefore see the same consignments.
type Generator struct {
	m   *Model
	rep int
	seq uint64

	traderFlags []uint8 // FlagAEO | FlagNew per trader, for this replication

	// threatCum[class] holds the cumulative probabilities of (threat k with
	// signature, threat k clean) for k = 0…; class = FlagAEO|FlagNew bits.
	threatCum [4][]float64
	threatTot [4]float64

	next [datamodel.NumModes]float64 // next arrival per mode in m.modes order

	arrivals, features, threats, lodgement, assessment *rand.Rand

	rec *rand.Rand // Record's stream, reseeded per consignment
	pcg *rand.PCG

	phaseKey uint64 // key of the replication's PurposePhase draws
	phaseIdx int    // phases started by the latest arrival (arrivals come in order)
}

// NewGenerator returns a generator for m. Call Reset before Next.
func (m *Model) NewGenerator() *Generator {
	g := &Generator{m: m, traderFlags: make([]uint8, m.traderCount)}
	for c := range g.threatCum {
		g.threatCum[c] = make([]float64, 2*len(m.threats))
	}
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
	g.threats = Stream(seed, rep, PurposeThreats)
	g.lodgement = Stream(seed, rep, PurposeLodgement)
	g.assessment = Stream(seed, rep, PurposeAssessment)
	g.phaseKey, g.phaseIdx = borderStreamKey(seed, rep, PurposePhase), 0
	for i := range g.next {
		g.next[i] = math.Inf(1)
	}
	for i := range m.modes {
		g.next[i] = g.nextArrival(&m.modes[i], 0)
	}
}

// fillThreatTables computes, for each trader class (AEO or not, new or not),
// the probability of each threat with and without signature. For AEO traders
// the prevalence is multiplied by the AEO prevalence factor. The signature
// part is tilted by the threat's new-trader likelihood ratio ρ: new traders'
// consignments carry it ρ times as often as others', normalised by
// 1 + (ρ−1)·q, where q is the replication's volume share of new traders, so
// that the prevalence over all traders stays the threat's prevalence.
func (g *Generator) fillThreatTables(q float64) {
	m := g.m
	for class := range g.threatCum {
		cum := 0.0
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
			cum += p * (1 - t.clean) * nf
			g.threatCum[class][2*k] = cum
			cum += p * t.clean
			g.threatCum[class][2*k+1] = cum
		}
		if cum > 1 { // only with extreme new-trader ratios: cap at 1
			for i := range g.threatCum[class] {
				g.threatCum[class][i] /= cum
			}
			cum = 1
		}
		g.threatTot[class] = cum
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
	if !pm.risk.assessZero {
		if a := pm.risk.assessment.Sample(g.assessment); a > 0 {
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
	if u := g.threats.Float64(); u < g.threatTot[class] {
		cum := g.threatCum[class]
		k := 0
		for k < len(cum)-1 && u >= cum[k] {
			k++
		}
		c.Threat = int8(k / 2)
		carried := &m.threats[k/2]
		if k&1 == 1 {
			c.Flags |= FlagClean
		} else {
			th = carried
		}
		if carried.revenue {
			c.Duty = carried.duty.Sample(g.threats)
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
