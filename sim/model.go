package sim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
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

	risk riskModel
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

// Compile checks sc and turns it into a Model. It expects a scenario as Load
// returns it (validated, defaults applied); for a scenario built in code it
// applies the same defaults to distributions left zero (lodgement lead and
// assessment const 0, gross weight lognormal with median 5000 kg and sigma
// 1, AEO prevalence factor 1). Errors name the part of the scenario at fault
// (a rule by its id and line); map entries are checked in sorted key order,
// so a scenario with several bad keys always gets the same error.
func Compile(sc *scenarios.Scenario) (*Model, error) {
	if sc == nil {
		return nil, errors.New("compile: nil scenario")
	}
	// The model keeps its own copy: nothing the caller changes in sc later
	// reaches it (its tables are built now; the border reads the copy).
	own, err := sc.Clone()
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	sc = own
	m := &Model{Scenario: sc, border: new(borderCache)}
	errf := func(format string, args ...any) error {
		name := sc.Name
		if sc.Path != "" {
			name = sc.Path
		}
		return fmt.Errorf("scenario %s: %s", name, fmt.Sprintf(format, args...))
	}
	m.horizon = float64(sc.Horizon)
	if !(m.horizon > 0) || math.IsInf(m.horizon, 0) {
		return nil, errf("horizon: must be a positive duration, got %v minutes", m.horizon)
	}
	if err := m.compileTraffic(sc, errf); err != nil {
		return nil, err
	}
	if err := m.compileTraders(sc, errf); err != nil {
		return nil, err
	}
	if err := m.compileTrade(sc, errf); err != nil {
		return nil, err
	}
	if err := m.compileThreats(sc, errf); err != nil {
		return nil, err
	}
	if err := m.risk.compile(m, sc, errf); err != nil {
		return nil, err
	}
	return m, nil
}

type compileErrf func(format string, args ...any) error

// genSampler returns d's sampler, or def's when d is the zero Dist.
func genSampler(d scenarios.Dist, def scenarios.Dist) (scenarios.Sampler, error) {
	if d.Kind == "" {
		d = def
	}
	return d.Sampler()
}

func genConst(v float64) scenarios.Dist { return scenarios.Dist{Kind: "const", Value: &v} }

func (m *Model) compileTraffic(sc *scenarios.Scenario, errf compileErrf) error {
	if len(sc.Traffic) == 0 {
		return errf("traffic: no transport mode has traffic")
	}
	byMode := [datamodel.NumModes]*scenarios.ModeTraffic{}
	for _, name := range slices.Sorted(maps.Keys(sc.Traffic)) {
		mode, err := datamodel.ParseMode(name)
		if err != nil {
			return errf("traffic.%s: %v", name, err)
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
			return errf("%s.rate: must be a positive number of consignments per hour, got %v", path, t.Rate)
		}
		gm := genMode{mode: datamodel.Mode(mode)}
		factor, err := genProfile(t.Hourly, t.Weekly)
		if err != nil {
			return errf("%s: %v", path, err)
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
			return errf("%s.lodgement_lead: %v", path, err)
		}
		gm.leadZero = gm.lead.IsConst() && gm.lead.Mean() == 0
		m.modes = append(m.modes, gm)
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
			return nil, fmt.Errorf("%s: want %d weights, got %d", name, n, len(w))
		}
		sum := 0.0
		for i, x := range w {
			if !(x >= 0) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%s[%d]: must be a non-negative number, got %v", name, i, x)
			}
			sum += x
		}
		if !(sum > 0) {
			return nil, fmt.Errorf("%s: weights must not all be zero", name)
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

func (m *Model) compileTraders(sc *scenarios.Scenario, errf compileErrf) error {
	t := sc.Traders
	if t.Count < 1 {
		return errf("traders.count: must be at least 1, got %d", t.Count)
	}
	if !(t.Zipf >= 0) || math.IsInf(t.Zipf, 0) {
		return errf("traders.zipf: must be a non-negative number, got %v", t.Zipf)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"aeo_share", t.AEOShare}, {"new_share", t.NewShare}} {
		if !(p.v >= 0 && p.v <= 1) {
			return errf("traders.%s: must be in [0,1], got %v", p.name, p.v)
		}
	}
	m.traderCount = t.Count
	m.aeoShare, m.newShare = t.AEOShare, t.NewShare
	m.aeoFactor = 1
	if t.AEOPrevalenceFactor != nil {
		m.aeoFactor = *t.AEOPrevalenceFactor
		if !(m.aeoFactor >= 0) || math.IsInf(m.aeoFactor, 0) {
			return errf("traders.aeo_prevalence_factor: must be a non-negative number, got %v", m.aeoFactor)
		}
	}
	w := make([]float64, t.Count)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -t.Zipf)
	}
	var err error
	if m.traderZipf, err = newPickTable(w); err != nil {
		return errf("traders: %v", err)
	}
	m.traderIDs = make([]string, t.Count)
	for i := range m.traderIDs {
		m.traderIDs[i] = TraderID(i)
	}
	return nil
}

// TraderID returns the identifier of the trader with index i (rank i+1 by
// volume): "T" and the rank in at least six digits, T000001 for the largest.
// Rules name traders by these ids.
func TraderID(i int) string {
	s := strconv.Itoa(i + 1)
	if len(s) < 6 {
		s = "000000"[len(s):] + s
	}
	return "T" + s
}

// parseTraderID reads an id made by TraderID and returns the trader index.
func parseTraderID(id string, count int) (int, error) {
	if len(id) < 2 || id[0] != 'T' {
		return 0, fmt.Errorf("%q is not a trader id (want T and the trader's rank, e.g. T000001)", id)
	}
	n, err := strconv.Atoi(id[1:])
	if err != nil || n < 1 || id[1] == '+' || id[1] == '-' {
		return 0, fmt.Errorf("%q is not a trader id (want T and the trader's rank, e.g. T000001)", id)
	}
	if n > count {
		return 0, fmt.Errorf("trader %q is not in the population of %d traders (T000001 to %s)", id, count, TraderID(count-1))
	}
	return n - 1, nil
}

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
		if !(w[i] >= 0) || math.IsInf(w[i], 0) {
			return nil, nil, fmt.Errorf("%s: weight must be a non-negative number, got %v", c, w[i])
		}
	}
	return cs, w, nil
}

// genChapterWeights returns the weight of each chapter 0-97 ("all" first, then
// the chapters named override it).
func genChapterWeights(mw map[string]float64) ([98]float64, error) {
	var w [98]float64
	if all, ok := mw["all"]; ok {
		if !(all >= 0) || math.IsInf(all, 0) {
			return w, fmt.Errorf("all: weight must be a non-negative number, got %v", all)
		}
		for ch := 1; ch <= 97; ch++ {
			if datamodel.HSChapterValid(ch) {
				w[ch] = all
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(mw)) {
		x := mw[key]
		if key == "all" {
			continue
		}
		ch, err := datamodel.ParseHSChapter(key)
		if err != nil {
			return w, err
		}
		if !(x >= 0) || math.IsInf(x, 0) {
			return w, fmt.Errorf("%s: weight must be a non-negative number, got %v", key, x)
		}
		w[ch] = x
	}
	return w, nil
}

func (m *Model) compileTrade(sc *scenarios.Scenario, errf compileErrf) error {
	tr := sc.Trade
	var w []float64
	var err error
	if len(tr.Origins) == 0 {
		return errf("trade.origins: no country of origin")
	}
	if m.origins, w, err = genCountryWeights(tr.Origins); err != nil {
		return errf("trade.origins.%v", err)
	}
	if m.originTab, err = newPickTable(w); err != nil {
		return errf("trade.origins: %v", err)
	}
	if len(tr.HSChapters) == 0 {
		return errf("trade.hs_chapters: no HS chapter")
	}
	cw, err := genChapterWeights(tr.HSChapters)
	if err != nil {
		return errf("trade.hs_chapters.%v", err)
	}
	w = w[:0]
	for ch, x := range cw {
		if x > 0 {
			m.chapters = append(m.chapters, uint8(ch))
			w = append(w, x)
		}
	}
	if len(m.chapters) == 0 {
		return errf("trade.hs_chapters: weights must not all be zero")
	}
	if m.chapTab, err = newPickTable(w); err != nil {
		return errf("trade.hs_chapters: %v", err)
	}
	m.routed = tr.Routing.Share
	if !(m.routed >= 0 && m.routed <= 1) {
		return errf("trade.routing.share: must be in [0,1], got %v", m.routed)
	}
	if len(tr.Routing.Hubs) > 0 {
		if m.hubs, w, err = genCountryWeights(tr.Routing.Hubs); err != nil {
			return errf("trade.routing.hubs.%v", err)
		}
		if m.hubTab, err = newPickTable(w); err != nil {
			return errf("trade.routing.hubs: %v", err)
		}
	} else if m.routed > 0 {
		return errf("trade.routing.hubs: a routing share of %v needs at least one hub", m.routed)
	}
	if m.valuePerKg, err = tr.ValuePerKg.Sampler(); err != nil {
		return errf("trade.value_per_kg: %v", err)
	}
	median, sigma := 5000.0, 1.0
	if m.weight, err = genSampler(tr.Weight, scenarios.Dist{Kind: "lognormal", Median: &median, Sigma: &sigma}); err != nil {
		return errf("trade.gross_weight: %v", err)
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
		if !(r >= 0) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("%s: ratio must be a non-negative number, got %v", code, r)
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

func (m *Model) compileThreats(sc *scenarios.Scenario, errf compileErrf) error {
	if len(sc.Threats) > MaxThreats {
		return errf("threats: at most %d threats, got %d", MaxThreats, len(sc.Threats))
	}
	bound := 0.0
	for i := range sc.Threats {
		th := &sc.Threats[i]
		path := fmt.Sprintf("threats[%d] (%s)", i, th.Name)
		if th.Line > 0 {
			path = fmt.Sprintf("line %d: %s", th.Line, path)
		}
		if th.Name == "" {
			return errf("%s.name: missing", path)
		}
		for j := range i {
			if sc.Threats[j].Name == th.Name {
				return errf("%s.name: %q is already the name of threats[%d]", path, th.Name, j)
			}
		}
		for _, p := range []struct {
			name string
			v    float64
		}{{"prevalence", th.Prevalence}, {"clean_share", th.CleanShare},
			{"detection.document", th.Detection.Document}, {"detection.nii", th.Detection.NII},
			{"detection.physical", th.Detection.Physical}} {
			if !(p.v >= 0 && p.v <= 1) {
				return errf("%s.%s: must be in [0,1], got %v", path, p.name, p.v)
			}
		}
		bound += th.Prevalence * math.Max(1, m.aeoFactor)
		gt := genThreat{prevalence: th.Prevalence, clean: th.CleanShare, newRatio: 1, valueDiv: 1}
		sig := th.Signature
		ratio := func(name string, p *float64) (float64, error) {
			if p == nil {
				return 1, nil
			}
			if !(*p >= 0) || math.IsInf(*p, 0) {
				return 0, errf("%s.signature.%s: must be a non-negative number, got %v", path, name, *p)
			}
			return *p, nil
		}
		var err error
		if gt.newRatio, err = ratio("new_trader", sig.NewTrader); err != nil {
			return err
		}
		if gt.valueDiv, err = ratio("value_factor", sig.ValueFactor); err != nil {
			return err
		}
		if gt.valueDiv == 0 {
			return errf("%s.signature.value_factor: must be positive", path)
		}
		rr, err := ratio("routed_ratio", sig.RoutedRatio)
		if err != nil {
			return err
		}
		gt.routed = genOddsTilt(m.routed, rr)
		if gt.routed > 0 && len(m.hubs) == 0 {
			return errf("%s.signature.routed_ratio: threat is routed but trade.routing has no hubs", path)
		}

		w, err := genTilt(m.origins, m.originTab.prob, sig.Origin)
		if err != nil {
			return errf("%s.signature.origin.%v", path, err)
		}
		if gt.origin, err = newPickTable(w); err != nil {
			return errf("%s.signature.origin: tilted origin weights: %v", path, err)
		}
		cw := make([]float64, len(m.chapters))
		copy(cw, m.chapTab.prob)
		for _, key := range slices.Sorted(maps.Keys(sig.HSChapter)) {
			r := sig.HSChapter[key]
			ch, err := datamodel.ParseHSChapter(key)
			if err != nil {
				return errf("%s.signature.hs_chapter.%v", path, err)
			}
			if !(r >= 0) || math.IsInf(r, 0) {
				return errf("%s.signature.hs_chapter.%s: ratio must be a non-negative number, got %v", path, key, r)
			}
			for j, c := range m.chapters {
				if int(c) == ch {
					cw[j] *= r
				}
			}
		}
		if gt.chapter, err = newPickTable(cw); err != nil {
			return errf("%s.signature.hs_chapter: tilted chapter weights: %v", path, err)
		}
		if len(m.hubs) > 0 {
			w, err := genTilt(m.hubs, m.hubTab.prob, sig.Hub)
			if err != nil {
				return errf("%s.signature.hub.%v", path, err)
			}
			if gt.hub, err = newPickTable(w); err != nil {
				return errf("%s.signature.hub: tilted hub weights: %v", path, err)
			}
		}
		if th.Duty != nil {
			gt.revenue = true
			if gt.duty, err = th.Duty.Sampler(); err != nil {
				return errf("%s.duty: %v", path, err)
			}
		}
		m.threats = append(m.threats, gt)
		m.Threats = append(m.Threats, ThreatModel{
			Name:    th.Name,
			Detect:  [NumMethods]float64{th.Detection.Document, th.Detection.NII, th.Detection.Physical},
			Revenue: gt.revenue,
		})
	}
	if bound > 1 {
		return errf("threats: prevalences add up to %v (times the AEO prevalence factor); a consignment carries at most one threat, so they must not exceed 1", bound)
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
