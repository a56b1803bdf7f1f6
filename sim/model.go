package sim

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"pilotsim/datamodel"
	"pilotsim/internal/fault"
	"pilotsim/scenarios"
	"pilotsim/sim/risk"
)

// Method is a control method: how a control looks for a threat.
type Method uint8

// Control methods.
const (
	MethodDocument Method = iota // documentary check
	MethodNII                    // non-intrusive inspection (scan)
	MethodPhysical               // physical examination
	NumMethods
)

var methodNames = [NumMethods]string{"document", "nii", "physical"}

// String returns the method's name as written in scenarios: document, nii or
// physical.
func (m Method) String() string {
	if m >= NumMethods {
		return "?"
	}
	return methodNames[m]
}

// ParseMethod reads a method name: document, nii or physical.
func ParseMethod(s string) (Method, bool) {
	for i, n := range methodNames {
		if n == s {
			return Method(i), true
		}
	}
	return 0, false
}

// ThreatModel is what the border needs to know of one threat: its name, the
// probability each control method finds it, and whether duty is at stake.
type ThreatModel struct {
	Name    string
	Detect  [NumMethods]float64 // indexed by Method
	Revenue bool                // the threat carries duty (Consignment.Duty > 0)
}

// Model is a scenario compiled for the engine: samplers, cumulative and alias
// tables, and the rules in their fast form. Scenario is the model's own deep
// copy of the scenario it was compiled from (read-only), never the caller's. Compile builds it once; afterwards
// it is read-only and safe to share across goroutines. Generators and
// Selectors made from it hold the per-replication state.
type Model struct {
	Scenario *scenarios.Scenario
	Threats  []ThreatModel

	border *borderCache // the compiled border, made on first Run

	horizon float64
	modes   []genMode // transport modes with traffic, in datamodel.Mode order

	traderCount int
	traderZipf  pickTable // trader index by volume (rank i+1 has volume ∝ 1/(i+1)^zipf)
	aeoShare    float64
	newShare    float64
	aeoFactor   float64
	traderIDs   []string // "T000001" …, by index

	origins    []datamodel.Country // countries of the trade profile, in code order
	originTab  pickTable
	chapters   []uint8 // HS chapters with positive weight, in order
	chapTab    pickTable
	routed     float64             // probability a consignment is routed through a hub
	hubs       []datamodel.Country // hub countries, in code order
	hubTab     pickTable
	valuePerKg scenarios.Sampler
	weight     scenarios.Sampler

	threats []genThreat

	risk       *risk.Engine      // rules and selectivity
	assessment scenarios.Sampler // time the risk assessment takes (selectivity.assessment)
	assessZero bool              // assessment is const 0 or below: skip the draw

	// tg is the compiled targeting, drift and displacement (targeting.go);
	// nil without a targeting block.
	tg *targetingModel

	// phases are the scenario's phases (phase k+1 in force from
	// phases[k].at), each compiled from the scenario in force during it;
	// nil without phases.
	phases []modelPhase
}

// modelPhase is one compiled phase.
type modelPhase struct {
	at, ramp float64 // minutes
	share    float64 // in (0, 1): the share of consignments it applies to; 1: all
	m        *Model
}

// MaxPhases is the most phases a scenario may have (Consignment.Phase is a
// uint8; scenarios validates the same bound).
const MaxPhases = scenarios.MaxPhases

// compilePhases compiles the scenario in force during each phase. A phase
// may change only what the engine switches during a run
// (scenarios.PhasePaths): the traffic and threats it draws stay the base's.
func (m *Model) compilePhases(sc *scenarios.Scenario, errf func(string, ...any) error) error {
	if len(sc.Phases) > MaxPhases {
		return errf("phases: at most %d phases, got %d", MaxPhases, len(sc.Phases))
	}
	prev := 0.0
	for i, ph := range sc.Phases {
		if ph.Scenario == nil {
			return errf("phases[%d]: no resolved scenario (load the scenario with scenarios.Load)", i)
		}
		at, ramp, share := float64(ph.At), float64(ph.Ramp), ph.Share
		if !(at > prev) || !(ramp >= 0) || math.IsInf(at+ramp, 0) {
			return errf("phases[%d]: want a start after the phase before and a ramp >= 0, got at %v, ramp %v minutes", i, at, ramp)
		}
		if share == 0 {
			share = 1
		}
		if !(share > 0 && share <= 1) {
			return errf("phases[%d]: share must be in (0, 1], got %v", i, ph.Share)
		}
		prev = at
		psc := *ph.Scenario
		psc.Phases = nil
		pm, err := Compile(&psc)
		if err != nil {
			return fmt.Errorf("phase %d (from %s): %w", i+1, scenarios.FormatDuration(at), err)
		}
		if len(pm.modes) != len(m.modes) || len(pm.Threats) != len(m.Threats) || len(psc.Resources.Pools) != len(sc.Resources.Pools) {
			return errf("phases[%d]: a phase may not change the transport modes, threats or pools", i)
		}
		m.phases = append(m.phases, modelPhase{at: at, ramp: ramp, share: share, m: pm})
	}
	return nil
}

// phaseModel returns the model in force for phase p (0: m itself).
func (m *Model) phaseModel(p uint8) *Model {
	if p == 0 {
		return m
	}
	return m.phases[p-1].m
}

// genMode is the arrival process of one transport mode.
type genMode struct {
	mode     datamodel.Mode
	rateMax  float64       // candidate rate per minute (rate × largest profile factor)
	accept   *[168]float64 // acceptance probability per hour of the week; nil: flat profile
	lead     scenarios.Sampler
	leadZero bool // lead is const 0: skip the draw
}

// genThreat is one threat's generator tables.
type genThreat struct {
	prevalence float64
	clean      float64 // share with no signature
	newRatio   float64 // likelihood ratio of new traders
	origin     pickTable
	chapter    pickTable
	hub        pickTable
	routed     float64 // probability of being routed, tilted by routed_ratio
	valueDiv   float64 // value per kg is divided by this
	duty       scenarios.Sampler
	revenue    bool
}

// Compile turns a validated scenario into a Model. It trusts sc: every check
// of user input (ranges, codes, names, limits, expression types, trader ids)
// is made by scenarios.Load and Parse, with the file, line and column or the
// --set at fault. Compile checks only what its own tables need (a code that
// parses, a table with some weight, a profile of the right length); a
// scenario that fails one was not validated, and the error is a *fault.Bug
// (an internal error, exit code 3), never a message for the user.
//
// For a scenario built in code Compile applies the defaults Load would give
// distributions left zero (lodgement lead and assessment const 0, gross
// weight lognormal with median 5000 kg and sigma 1, AEO prevalence factor
// 1). Map entries are read in sorted key order, so an error is the same
// every time. The model keeps its own deep copy of sc.
func Compile(sc *scenarios.Scenario) (*Model, error) {
	if sc == nil {
		return nil, fault.Bugf("compile: nil scenario")
	}
	// The model keeps its own copy: nothing the caller changes in sc later
	// reaches it (its tables are built now; the border reads the copy).
	own, err := sc.Clone()
	if err != nil {
		return nil, fault.Bugf("compile: %v", err)
	}
	sc = own
	m := &Model{Scenario: sc, border: new(borderCache)}
	bug := bugf(sc)
	m.horizon = float64(sc.Horizon)
	if !(m.horizon > 0) || math.IsInf(m.horizon, 0) {
		return nil, bug("horizon %v", m.horizon)
	}
	if err := m.compileTraffic(sc, bug); err != nil {
		return nil, err
	}
	if err := m.compileTraders(sc, bug); err != nil {
		return nil, err
	}
	if err := m.compileTrade(sc, bug); err != nil {
		return nil, err
	}
	if err := m.compileThreats(sc, bug); err != nil {
		return nil, err
	}
	if m.risk, err = risk.Compile(sc, risk.Config{Traders: m.traderCount, TraderIDs: m.traderIDs}); err != nil {
		return nil, err
	}
	if m.assessment, err = genSampler(sc.Selectivity.Assessment, genConst(0)); err != nil {
		return nil, bug("selectivity.assessment: %v", err)
	}
	m.assessZero = m.assessment.IsConst() && m.assessment.Mean() <= 0
	if err := m.compileTargeting(sc, bug); err != nil {
		return nil, err
	}
	if err := m.compilePhases(sc, bug); err != nil {
		return nil, err
	}
	return m, nil
}

// compileErrf makes the error of a check that fails.
type compileErrf func(format string, args ...any) error

// bugf returns the compileErrf of a scenario that should have been
// validated: a *fault.Bug naming the scenario and what is wrong.
func bugf(sc *scenarios.Scenario) compileErrf {
	name := sc.Name
	if sc.Path != "" {
		name = sc.Path
	}
	return fault.Unvalidated(name)
}

// genSampler returns d's sampler, or def's when d is the zero Dist.
func genSampler(d scenarios.Dist, def scenarios.Dist) (scenarios.Sampler, error) {
	if d.Kind == "" {
		d = def
	}
	return d.Sampler()
}

func genConst(v float64) scenarios.Dist { return scenarios.Dist{Kind: "const", Value: &v} }

func (m *Model) compileTraffic(sc *scenarios.Scenario, bug compileErrf) error {
	byMode := [datamodel.NumModes]*scenarios.ModeTraffic{}
	for _, name := range slices.Sorted(maps.Keys(sc.Traffic)) {
		mode, err := datamodel.ParseMode(name)
		if err != nil {
			return bug("traffic.%s: %v", name, err)
		}
		t := sc.Traffic[name]
		byMode[mode] = &t
	}
	for mode, t := range byMode {
		if t == nil {
			continue
		}
		path := "traffic." + datamodel.Mode(mode).String()
		if !(t.Rate > 0) || math.IsInf(t.Rate, 0) {
			return bug("%s.rate %v", path, t.Rate)
		}
		gm := genMode{mode: datamodel.Mode(mode)}
		factor, err := genProfile(t.Hourly, t.Weekly)
		if err != nil {
			return bug("%s: %v", path, err)
		}
		fmax := 1.0
		if factor != nil {
			fmax = 0
			for _, f := range factor {
				fmax = math.Max(fmax, f)
			}
			acc := new([168]float64)
			for i, f := range factor {
				acc[i] = f / fmax
			}
			gm.accept = acc
		}
		gm.rateMax = t.Rate / 60 * fmax
		gm.lead, err = genSampler(t.LodgementLead, genConst(0))
		if err != nil {
			return bug("%s.lodgement_lead: %v", path, err)
		}
		gm.leadZero = gm.lead.IsConst() && gm.lead.Mean() == 0
		m.modes = append(m.modes, gm)
	}
	if len(m.modes) == 0 {
		return bug("traffic: no transport mode")
	}
	return nil
}

// genProfile returns the rate factor per hour of the week (Monday 00-01
// first), normalised so that its mean is 1, or nil when both profiles are
// absent.
func genProfile(hourly, weekly []float64) ([]float64, error) {
	if len(hourly) == 0 && len(weekly) == 0 {
		return nil, nil
	}
	norm := func(name string, w []float64, n int) ([]float64, error) {
		out := make([]float64, n)
		if len(w) == 0 {
			for i := range out {
				out[i] = 1
			}
			return out, nil
		}
		if len(w) != n {
			return nil, fmt.Errorf("%s: %d weights, not %d", name, len(w), n)
		}
		sum := 0.0
		for _, x := range w {
			sum += x
		}
		if !(sum > 0) || math.IsInf(sum, 0) {
			return nil, fmt.Errorf("%s: weights sum to %v", name, sum)
		}
		for i, x := range w {
			out[i] = x / sum * float64(n)
		}
		return out, nil
	}
	h, err := norm("hourly", hourly, 24)
	if err != nil {
		return nil, err
	}
	d, err := norm("weekly", weekly, 7)
	if err != nil {
		return nil, err
	}
	f := make([]float64, 168)
	for day := range 7 {
		for hour := range 24 {
			f[day*24+hour] = d[day] * h[hour]
		}
	}
	return f, nil
}

func (m *Model) compileTraders(sc *scenarios.Scenario, bug compileErrf) error {
	t := sc.Traders
	if t.Count < 1 || t.Count > scenarios.MaxTraders {
		return bug("traders.count %d", t.Count)
	}
	m.traderCount = t.Count
	m.aeoShare, m.newShare = t.AEOShare, t.NewShare
	m.aeoFactor = 1
	if t.AEOPrevalenceFactor != nil {
		m.aeoFactor = *t.AEOPrevalenceFactor
	}
	w := make([]float64, t.Count)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -t.Zipf)
	}
	var err error
	if m.traderZipf, err = newPickTable(w); err != nil {
		return bug("traders: %v", err)
	}
	m.traderIDs = make([]string, t.Count)
	for i := range m.traderIDs {
		m.traderIDs[i] = TraderID(i)
	}
	return nil
}

// TraderID returns the identifier of the trader with index i (rank i+1 by
// volume): "T" and the rank in at least six digits, T000001 for the largest.
// Rules name traders by these ids (scenarios.TraderID).
func TraderID(i int) string { return scenarios.TraderID(i) }

// genCountryWeights turns a map of country codes to weights into a sorted
// country list and weights.
func genCountryWeights(mw map[string]float64) ([]datamodel.Country, []float64, error) {
	cs := make([]datamodel.Country, 0, len(mw))
	for _, code := range slices.Sorted(maps.Keys(mw)) {
		c, err := datamodel.ParseCountry(code)
		if err != nil {
			return nil, nil, err
		}
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] })
	w := make([]float64, len(cs))
	for i, c := range cs {
		w[i] = mw[c.String()]
	}
	return cs, w, nil
}

// genChapterWeights returns the weight of each chapter 0-97 ("all" first, then
// the chapters named override it).
func genChapterWeights(mw map[string]float64) ([98]float64, error) {
	var w [98]float64
	if all, ok := mw["all"]; ok {
		for ch := 1; ch <= 97; ch++ {
			if datamodel.HSChapterValid(ch) {
				w[ch] = all
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(mw)) {
		if key == "all" {
			continue
		}
		ch, err := datamodel.ParseHSChapter(key)
		if err != nil {
			return w, err
		}
		w[ch] = mw[key]
	}
	return w, nil
}

func (m *Model) compileTrade(sc *scenarios.Scenario, bug compileErrf) error {
	tr := sc.Trade
	var w []float64
	var err error
	if m.origins, w, err = genCountryWeights(tr.Origins); err != nil {
		return bug("trade.origins: %v", err)
	}
	if m.originTab, err = newPickTable(w); err != nil {
		return bug("trade.origins: %v", err)
	}
	cw, err := genChapterWeights(tr.HSChapters)
	if err != nil {
		return bug("trade.hs_chapters: %v", err)
	}
	w = w[:0]
	for ch, x := range cw {
		if x > 0 {
			m.chapters = append(m.chapters, uint8(ch))
			w = append(w, x)
		}
	}
	if m.chapTab, err = newPickTable(w); err != nil {
		return bug("trade.hs_chapters: %v", err)
	}
	m.routed = tr.Routing.Share
	if len(tr.Routing.Hubs) > 0 {
		if m.hubs, w, err = genCountryWeights(tr.Routing.Hubs); err != nil {
			return bug("trade.routing.hubs: %v", err)
		}
		if m.hubTab, err = newPickTable(w); err != nil {
			return bug("trade.routing.hubs: %v", err)
		}
	} else if m.routed > 0 {
		return bug("trade.routing: share %v without hubs", m.routed)
	}
	if m.valuePerKg, err = tr.ValuePerKg.Sampler(); err != nil {
		return bug("trade.value_per_kg: %v", err)
	}
	median, sigma := 5000.0, 1.0
	if m.weight, err = genSampler(tr.Weight, scenarios.Dist{Kind: "lognormal", Median: &median, Sigma: &sigma}); err != nil {
		return bug("trade.gross_weight: %v", err)
	}
	return nil
}

// genTilt returns weights w multiplied by the likelihood ratios given for the
// countries cs (others keep ratio 1).
func genTilt(cs []datamodel.Country, w []float64, ratios map[string]float64) ([]float64, error) {
	out := append([]float64(nil), w...)
	for _, code := range slices.Sorted(maps.Keys(ratios)) {
		r := ratios[code]
		c, err := datamodel.ParseCountry(code)
		if err != nil {
			return nil, err
		}
		for i, x := range cs {
			if x == c {
				out[i] *= r
			}
		}
	}
	return out, nil
}

// MaxThreats is the most threats a scenario may hold: Consignment.Threat is an
// int8 index (NoThreat is -1).
const MaxThreats = math.MaxInt8

func (m *Model) compileThreats(sc *scenarios.Scenario, bug compileErrf) error {
	if len(sc.Threats) > MaxThreats {
		return bug("%d threats", len(sc.Threats))
	}
	for i := range sc.Threats {
		th := &sc.Threats[i]
		path := fmt.Sprintf("threats[%d]", i)
		prev := th.Prevalence * scenarios.OverallPrevalenceScale(sc.Traders)
		gt := genThreat{prevalence: prev, clean: th.CleanShare, newRatio: 1, valueDiv: 1}
		if th.Signature.NewTrader != nil {
			gt.newRatio = *th.Signature.NewTrader
		}
		if err := m.signatureTables(&gt, th.Signature, path, bug); err != nil {
			return err
		}
		if th.Duty != nil {
			gt.revenue = true
			var err error
			if gt.duty, err = th.Duty.Sampler(); err != nil {
				return bug("%s.duty: %v", path, err)
			}
		}
		m.threats = append(m.threats, gt)
		m.Threats = append(m.Threats, ThreatModel{
			Name:    th.Name,
			Detect:  [NumMethods]float64{th.Detection.Document, th.Detection.NII, th.Detection.Physical},
			Revenue: gt.revenue,
		})
	}
	return nil
}

// signatureTables fills gt's feature tables (origin, HS chapter, routing,
// hub, value factor) from signature sig; path names it in errors.
func (m *Model) signatureTables(gt *genThreat, sig scenarios.Signature, path string, bug compileErrf) error {
	ratio := func(p *float64) float64 {
		if p == nil {
			return 1
		}
		return *p
	}
	gt.valueDiv = ratio(sig.ValueFactor)
	if !(gt.valueDiv > 0) {
		return bug("%s.signature.value_factor %v", path, gt.valueDiv)
	}
	gt.routed = genOddsTilt(m.routed, ratio(sig.RoutedRatio))
	if gt.routed > 0 && len(m.hubs) == 0 {
		return bug("%s: routed without hubs", path)
	}
	w, err := genTilt(m.origins, m.originTab.prob, sig.Origin)
	if err != nil {
		return bug("%s.signature.origin: %v", path, err)
	}
	if gt.origin, err = newPickTable(w); err != nil {
		return bug("%s.signature.origin: %v", path, err)
	}
	cw := make([]float64, len(m.chapters))
	copy(cw, m.chapTab.prob)
	for _, key := range slices.Sorted(maps.Keys(sig.HSChapter)) {
		ch, err := datamodel.ParseHSChapter(key)
		if err != nil {
			return bug("%s.signature.hs_chapter: %v", path, err)
		}
		for j, c := range m.chapters {
			if int(c) == ch {
				cw[j] *= sig.HSChapter[key]
			}
		}
	}
	if gt.chapter, err = newPickTable(cw); err != nil {
		return bug("%s.signature.hs_chapter: %v", path, err)
	}
	if len(m.hubs) > 0 {
		w, err := genTilt(m.hubs, m.hubTab.prob, sig.Hub)
		if err != nil {
			return bug("%s.signature.hub: %v", path, err)
		}
		if gt.hub, err = newPickTable(w); err != nil {
			return bug("%s.signature.hub: %v", path, err)
		}
	}
	return nil
}

// genOddsTilt multiplies the odds of probability p by ratio r.
func genOddsTilt(p, r float64) float64 {
	if p <= 0 || p >= 1 || r == 1 {
		return p
	}
	o := p / (1 - p) * r
	if math.IsInf(o, 1) {
		return 1
	}
	return o / (1 + o)
}

// Horizon returns the simulated time of one replication in minutes.
func (m *Model) Horizon() float64 { return m.horizon }

// TraderCount returns the number of traders in the population.
func (m *Model) TraderCount() int { return m.traderCount }
