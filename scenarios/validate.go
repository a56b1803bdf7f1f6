package scenarios

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/parser"

	"pilotsim/datamodel"
)

// validator checks a decoded scenario. Every problem is reported at the
// position of the value (or of the nearest enclosing value written, when the
// value is missing), with its field path.
type validator struct {
	d         *decoder
	rulesOnly bool // LoadRules: sections a simulation needs may be missing
	// population is the number of traders ids in rules are checked against: the
	// scenario's traders.count, BacktestTraders for a rules file without
	// traders, 0 when the count is itself wrong (ids are then checked for
	// their form only).
	population int
}

// errf records a problem at path, unless decoding already reported one there
// (or above or below it): one mistake, one message.
func (v *validator) errf(path, format string, args ...any) {
	if v.d.tainted(path) {
		return
	}
	v.d.add(v.d.at(path), path, format, args...)
}

// tainted reports whether a decoding problem was reported at path, at one of
// its ancestors or below it.
func (d *decoder) tainted(path string) bool {
	if d.bad == nil {
		d.bad = make(map[string]bool)
		d.badBelow = make(map[string]bool)
		for _, e := range d.errs[:d.decodeErrs] {
			if e.Path == "" {
				continue
			}
			d.bad[e.Path] = true
			for p := parentPath(e.Path); p != ""; p = parentPath(p) {
				d.badBelow[p] = true
			}
		}
	}
	if d.badBelow[path] {
		return true
	}
	for p := path; p != ""; p = parentPath(p) {
		if d.bad[p] {
			return true
		}
	}
	return false
}

// keyErrf records a problem with the key of a map entry, at the key.
func (v *validator) keyErrf(path, format string, args ...any) {
	if v.d.tainted(path) {
		return
	}
	p, ok := v.d.keys[path]
	if !ok {
		p = v.d.at(path)
	}
	v.d.add(p, path, format, args...)
}

func (v *validator) has(path string) bool { return v.d.has(path) }

func (v *validator) missing(path, want string) {
	v.errf(path, "missing; want %s", want)
}

// atMost checks that the list at path (of n things) holds at most limit; the
// first entry too many carries the error.
func (v *validator) atMost(path, things string, n, limit int) {
	if n > limit {
		v.errf(indexPath(path, limit), "too many %s: %d (at most %d)", things, n, limit)
	}
}

// unique checks the key (a name or id) of a list entry at path: given (else
// missing; want want) and not used by an earlier entry. seen maps the keys
// met so far to their lines; line is this entry's.
func (v *validator) unique(seen map[string]int, path, what, key string, line int, want string) {
	switch first, dup := seen[key]; {
	case key == "":
		v.missing(path, want)
	case dup:
		v.errf(path, "duplicate %s %q (first at line %d)", what, key, first)
	default:
		seen[key] = line
	}
}

// prob checks a probability.
func (v *validator) prob(path string, x float64) {
	if x < 0 || x > 1 {
		v.errf(path, "want a probability in [0,1], got %g", x)
	}
}

// positive checks a required quantity > 0.
func (v *validator) positive(path string, x float64, want string) {
	switch {
	case !v.has(path):
		v.missing(path, want)
	case !(x > 0):
		v.errf(path, "want %s, got %g", want, x)
	}
}

func (v *validator) nonNegative(path string, x float64) {
	if x < 0 {
		v.errf(path, "want a number >= 0, got %g", x)
	}
}

// weights checks relative weights: non-negative and not all zero.
func (v *validator) weights(path string, w []float64) {
	total := 0.0
	for i, x := range w {
		if x < 0 {
			v.errf(indexPath(path, i), "want a weight >= 0, got %g", x)
		}
		v.upTo(indexPath(path, i), x, MaxWeight, "weights are relative; their sum must stay finite")
		total += math.Max(x, 0)
	}
	if len(w) > 0 && total == 0 {
		v.errf(path, "weights must not all be zero")
	}
}

// weightMap checks a map of relative weights whose keys are checked by key.
func (v *validator) weightMap(path string, m map[string]float64, required bool, what string, key func(string) error) {
	if len(m) == 0 {
		switch {
		case v.has(path):
			v.errf(path, "empty; want %s", what)
		case required:
			v.missing(path, what)
		}
		return
	}
	total := 0.0
	for _, k := range sortedKeys(m) {
		kp := joinPath(path, k)
		if err := key(k); err != nil {
			v.keyErrf(kp, "%v", err)
		}
		if m[k] < 0 {
			v.errf(kp, "want a weight >= 0, got %g", m[k])
		}
		v.upTo(kp, m[k], MaxWeight, "weights are relative; their sum must stay finite")
		total += math.Max(m[k], 0)
	}
	if total == 0 {
		v.errf(path, "weights must not all be zero")
	}
}

// ratioMap checks likelihood ratios: keys checked by key, values >= 0.
func (v *validator) ratioMap(path string, m map[string]float64, key func(string) error) {
	for _, k := range sortedKeys(m) {
		kp := joinPath(path, k)
		if err := key(k); err != nil {
			v.keyErrf(kp, "%v", err)
		}
		if m[k] < 0 {
			v.errf(kp, "want a likelihood ratio >= 0, got %g", m[k])
		}
		v.upTo(kp, m[k], MaxWeight, "a ratio multiplies trade weights, whose sum must stay finite")
	}
}

// fmtSum writes a sum of probabilities to 12 significant digits, so that
// 0.7 + 0.6 reads 1.3, not 1.2999999999999998.
func fmtSum(x float64) string { return strconv.FormatFloat(x, 'g', 12, 64) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func countryKey(k string) error { _, err := datamodel.ParseCountry(k); return err }
func chapterKey(k string) error { _, err := datamodel.ParseHSChapter(k); return err }

// dist checks a distribution. required: it must be given; nonNeg: its values
// must not be negative (times, weights, money).
func (v *validator) dist(path string, d Dist, required, nonNeg bool, what string) {
	if !v.has(path) {
		if required {
			example := "{dist: lognormal, median: 5, sigma: 1}"
			if strings.HasSuffix(what, "time") {
				example = "{dist: exp, mean: 20m}"
			}
			v.missing(path, what+", e.g. "+example)
		}
		return
	}
	s, err := d.Sampler()
	if err != nil {
		v.errf(path, "%v", err)
		return
	}
	if msg := distTooLarge(d, strings.HasSuffix(what, "time")); msg != "" {
		v.errf(path, "%s", msg)
		return
	}
	if lo := s.lower(); nonNeg && lo < 0 {
		low := ""
		if !math.IsInf(lo, 0) {
			low = fmt.Sprintf(" (down to %g)", lo)
		}
		v.errf(path, "%s can be negative%s; give min: 0 or a distribution of non-negative values", what, low)
	}
}

// distTooLarge says what is out of bounds in d ("" when nothing): a time
// beyond MaxHorizon, another quantity beyond MaxQuantity, a sigma or cv
// beyond MaxSigma, a weight beyond MaxWeight.
func distTooLarge(d Dist, isTime bool) string {
	limit, unit := float64(MaxQuantity), ""
	if isTime {
		limit, unit = MaxHorizon, " (ten years)"
	}
	for _, q := range []struct {
		name string
		p    *float64
	}{{"mean", d.Mean}, {"median", d.Median}, {"sd", d.SD}, {"min", d.Min}, {"max", d.Max}, {"mode", d.Mode}, {"value", d.Value}} {
		if q.p != nil && math.Abs(*q.p) > limit {
			return fmt.Sprintf("%s %g is too large: at most %g either way%s", q.name, *q.p, limit, unit)
		}
	}
	for i, x := range d.Values {
		if math.Abs(x) > limit {
			return fmt.Sprintf("values[%d] %g is too large: at most %g either way%s", i, x, limit, unit)
		}
	}
	for i, x := range d.Weights {
		if x > MaxWeight {
			return fmt.Sprintf("weights[%d] %g is too large: at most %g (weights are relative; their sum must stay finite)", i, x, MaxWeight)
		}
	}
	for _, q := range []struct {
		name string
		p    *float64
	}{{"sigma", d.Sigma}, {"cv", d.CV}} {
		if q.p != nil && *q.p > MaxSigma {
			return fmt.Sprintf("%s %g is too large: at most %g (larger spreads give infinite draws)", q.name, *q.p, MaxSigma)
		}
	}
	return ""
}

var (
	laneNames     = []string{"red", "yellow", "blue", "green"}
	selLaneNames  = []string{"red", "yellow", "blue"}
	methodNames   = []string{"document", "nii", "physical"}
	criteriaNames = "origin, dispatch, routing, hs, trader, mode, aeo, new_trader, lodged_after_arrival, value_per_kg, gross_weight, value, all, any, not, field, history"
)

func (v *validator) scenario(sc *Scenario) {
	full := !v.rulesOnly
	if sc.Name == "" && full {
		v.missing("name", "a short identifier of the scenario")
	}
	if v.has("replications") && sc.Replications < 1 {
		v.errf("replications", "want at least 1 replication, got %d", sc.Replications)
	} else if sc.Replications > MaxReplications {
		v.errf("replications", "%d replications: at most %d (each keeps its figures in memory until the end)", sc.Replications, MaxReplications)
	}
	if full || v.has("horizon") {
		v.positive("horizon", float64(sc.Horizon), "a simulated time > 0, e.g. 30d")
		if sc.Horizon > MaxHorizon {
			v.errf("horizon", "%s is too long: at most %s (ten years)", FormatDuration(float64(sc.Horizon)), FormatDuration(MaxHorizon))
		}
	}
	if sc.Warmup < 0 {
		v.errf("warmup", "want a duration >= 0, got %s", FormatDuration(float64(sc.Warmup)))
	} else if sc.Horizon > 0 && sc.Warmup >= sc.Horizon {
		v.errf("warmup", "want a warm-up shorter than the horizon (%s), got %s",
			FormatDuration(float64(sc.Horizon)), FormatDuration(float64(sc.Warmup)))
	}
	if sc.Drain != nil && *sc.Drain < 0 {
		v.errf("drain", "want a duration >= 0 (how long after the horizon window arrivals are followed to release, e.g. 14d), got %s", FormatDuration(float64(*sc.Drain)))
	} else if sc.Drain != nil && *sc.Drain > MaxHorizon {
		v.errf("drain", "%s is too long: at most %s (ten years)", FormatDuration(float64(*sc.Drain)), FormatDuration(MaxHorizon))
	}
	if v.has("window_end") && sc.Horizon > 0 && !(sc.WindowEnd > sc.Warmup && sc.WindowEnd <= sc.Horizon) {
		v.errf("window_end", "want a time after the warm-up (%s) and at most the horizon (%s), got %s",
			FormatDuration(float64(sc.Warmup)), FormatDuration(float64(sc.Horizon)), FormatDuration(float64(sc.WindowEnd)))
	}
	v.traffic(sc)
	v.traders(sc)
	switch {
	case v.rulesOnly && !v.has("traders"):
		v.population = BacktestTraders
	case sc.Traders.Count >= 1 && sc.Traders.Count <= MaxTraders && !v.d.tainted("traders.count"):
		v.population = sc.Traders.Count
	}
	v.trade(sc)
	v.threats(sc)
	v.rules(sc)
	v.selectivity(sc)
	v.resources(sc)
	v.targets(sc)
	v.sites(sc)
	if full {
		v.targeting(sc)
	}
	if sc.Costs != nil {
		v.nonNegative("costs.officer_hour", sc.Costs.OfficerHour)
		v.nonNegative("costs.scan", sc.Costs.Scan)
	}
	v.limits(sc)
	v.names(sc)
}

// maxSites bounds the offices of a scenario (each is simulated apart).
const maxSites = 200

func (v *validator) sites(sc *Scenario) {
	st := sc.Sites
	if st == nil {
		return
	}
	if len(st.Offices) < 2 {
		v.errf("sites.offices", "want at least 2 offices, e.g. [{name: north}, {name: south, scale: 0.5}], got %d", len(st.Offices))
	}
	v.atMost("sites.offices", "offices", len(st.Offices), maxSites)
	names := make(map[string]int)
	for i, o := range st.Offices {
		p := indexPath("sites.offices", i)
		v.unique(names, p+".name", "office name", o.Name, o.Line, "the office's name, e.g. north")
		if v.has(p+".scale") && !(o.Scale > 0 && !math.IsInf(o.Scale, 0)) {
			v.errf(p+".scale", "want a traffic scale > 0 (1 = the scenario's rates), got %v", o.Scale)
		}
	}
	for _, f := range []struct {
		path string
		x    float64
	}{{"sites.service_cv", st.ServiceCV}, {"sites.prevalence_cv", st.PrevalenceCV}} {
		if !(f.x >= 0 && f.x <= 2) {
			v.errf(f.path, "want a coefficient of variation in [0, 2], got %v", f.x)
		}
	}
}

func (v *validator) traffic(sc *Scenario) {
	if len(sc.Traffic) == 0 {
		switch {
		case v.has("traffic"):
			v.errf("traffic", "empty; want at least one transport mode (sea, air, road, rail, postal)")
		case !v.rulesOnly:
			v.missing("traffic", "arrivals per transport mode, e.g. {sea: {rate: 100}}")
		}
		return
	}
	for _, mode := range sortedKeys(sc.Traffic) {
		mt := sc.Traffic[mode]
		p := joinPath("traffic", mode)
		if _, err := datamodel.ParseMode(mode); err != nil {
			v.keyErrf(p, "%v", err)
		}
		v.positive(p+".rate", mt.Rate, "consignments per hour > 0")
		v.upTo(p+".rate", mt.Rate, MaxConsignments, "consignments per hour")
		if v.has(p+".hourly") && len(mt.Hourly) != 24 {
			v.errf(p+".hourly", "want 24 weights (hour 0 to 23), got %d", len(mt.Hourly))
		} else {
			v.weights(p+".hourly", mt.Hourly)
		}
		if v.has(p+".weekly") && len(mt.Weekly) != 7 {
			v.errf(p+".weekly", "want 7 weights (Monday to Sunday), got %d", len(mt.Weekly))
		} else {
			v.weights(p+".weekly", mt.Weekly)
		}
		v.dist(p+".lodgement_lead", mt.LodgementLead, false, false, "lodgement lead time")
	}
}

func (v *validator) traders(sc *Scenario) {
	t := sc.Traders
	if v.rulesOnly && !v.has("traders") {
		return
	}
	if !v.has("traders.count") {
		v.missing("traders.count", "the number of traders (>= 1)")
	} else if t.Count < 1 {
		v.errf("traders.count", "want at least 1 trader, got %d", t.Count)
	} else if t.Count > MaxTraders {
		v.errf("traders.count", "%d traders: at most %d (about 50 bytes of tables each)", t.Count, MaxTraders)
	}
	v.nonNegative("traders.zipf", t.Zipf)
	v.upTo("traders.zipf", t.Zipf, 100, "volume ∝ 1/rank^zipf; past 100 every consignment is the largest trader's")
	v.prob("traders.aeo_share", t.AEOShare)
	v.prob("traders.new_share", t.NewShare)
	if f := t.AEOPrevalenceFactor; f != nil && *f < 0 {
		v.errf("traders.aeo_prevalence_factor", "want a factor >= 0, got %g", *f)
	} else if f != nil {
		v.upTo("traders.aeo_prevalence_factor", *f, MaxWeight, "a factor of prevalences")
	}
	if t.Prevalence != "" && t.Prevalence != "overall" && t.Prevalence != "non_aeo" {
		v.errf("traders.prevalence", "want overall or non_aeo, got %q", t.Prevalence)
	}
}

// OverallPrevalenceScale is what threat prevalences are multiplied by for
// non-AEO traders: 1 / (1 − aeo_share × (1 − aeo_prevalence_factor)) when
// traders.prevalence is "overall", else 1.
func OverallPrevalenceScale(t Traders) float64 {
	if t.Prevalence != "overall" {
		return 1
	}
	f := 1.0
	if t.AEOPrevalenceFactor != nil {
		f = *t.AEOPrevalenceFactor
	}
	d := 1 - t.AEOShare*(1-f)
	if !(d > 0) {
		return 1
	}
	return 1 / d
}

func (v *validator) trade(sc *Scenario) {
	t := sc.Trade
	if v.rulesOnly && !v.has("trade") {
		return
	}
	v.weightMap("trade.origins", t.Origins, true, "weights by country of origin, e.g. {CN: 30, US: 10}", countryKey)
	v.weightMap("trade.hs_chapters", t.HSChapters, true, `weights by HS chapter, e.g. {"08": 2, all: 1}`, func(k string) error {
		if k == "all" {
			return nil
		}
		return chapterKey(k)
	})
	v.prob("trade.routing.share", t.Routing.Share)
	v.weightMap("trade.routing.hubs", t.Routing.Hubs, t.Routing.Share > 0, "weights by hub country, e.g. {PA: 1, AE: 1}", countryKey)
	v.dist("trade.value_per_kg", t.ValuePerKg, true, true, "value per kg")
	v.dist("trade.gross_weight", t.Weight, false, true, "gross weight")
	if c := t.Currency; len(c) != 3 || strings.ToUpper(c) != c || strings.ContainsFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		v.errf("trade.currency", "want an ISO 4217 currency code of three capital letters, got %q", c)
	}
}

func (v *validator) threats(sc *Scenario) {
	v.atMost("threats", "threats", len(sc.Threats), maxThreats)
	seen := make(map[string]int)
	sum, sumAEO := 0.0, 0.0
	inRange := true
	factor := 1.0
	if f := sc.Traders.AEOPrevalenceFactor; f != nil {
		factor = *f
	}
	for i, t := range sc.Threats {
		p := indexPath("threats", i)
		v.unique(seen, p+".name", "threat name", t.Name, t.Line, "the name of the threat, e.g. narcotics")
		if !v.has(p + ".prevalence") {
			v.missing(p+".prevalence", "the probability a consignment carries this threat, in [0,1]")
		} else if t.Prevalence < 0 || t.Prevalence > 1 {
			v.prob(p+".prevalence", t.Prevalence)
			inRange = false
		}
		sum += t.Prevalence
		sumAEO += t.Prevalence * factor
		s := p + ".signature"
		v.ratioMap(s+".origin", t.Signature.Origin, countryKey)
		v.ratioMap(s+".hs_chapter", t.Signature.HSChapter, chapterKey)
		v.ratioMap(s+".hub", t.Signature.Hub, countryKey)
		v.signatureEffect(s, t.Signature, sc.Trade)
		v.signatureLeavesSome(s, t.Signature, sc.Trade)
		if r := t.Signature.RoutedRatio; r != nil && !(*r > 0) {
			v.errf(s+".routed_ratio", "want an odds ratio > 0, got %g", *r)
		} else if r != nil {
			v.upTo(s+".routed_ratio", *r, MaxWeight, "an odds ratio")
		}
		if r := t.Signature.ValueFactor; r != nil && !(*r > 0) {
			v.errf(s+".value_factor", "want a factor > 0, got %g", *r)
		} else if r != nil {
			v.upTo(s+".value_factor", *r, MaxWeight, "a factor dividing value per kg")
			if *r < 1/MaxWeight {
				v.errf(s+".value_factor", "%g is too small: at least %g (value per kg is divided by it)", *r, 1/MaxWeight)
			}
		}
		if r := t.Signature.NewTrader; r != nil && *r < 0 {
			v.errf(s+".new_trader", "want a likelihood ratio >= 0, got %g", *r)
		} else if r != nil {
			v.upTo(s+".new_trader", *r, MaxWeight, "a likelihood ratio")
		}
		v.prob(p+".clean_share", t.CleanShare)
		v.prob(p+".detection.document", t.Detection.Document)
		v.prob(p+".detection.nii", t.Detection.NII)
		v.prob(p+".detection.physical", t.Detection.Physical)
		if t.Duty != nil {
			v.dist(p+".duty", *t.Duty, false, true, "duty at stake")
		}
	}
	if !inRange {
		return
	}
	if k := OverallPrevalenceScale(sc.Traders); k != 1 {
		sum *= k
		sumAEO *= k
	}
	if sum > 1+1e-12 {
		v.errf("threats", "threat prevalences add up to %s; want at most 1 (a consignment carries at most one threat)", fmtSum(sum))
	} else if sumAEO > 1+1e-12 {
		v.errf("traders.aeo_prevalence_factor", "threat prevalences times aeo_prevalence_factor add up to %s; want at most 1", fmtSum(sumAEO))
	}
}

// signatureEffect reports signature ratios that cannot change anything: a
// ratio multiplies the weight a country of origin, HS chapter or hub has in
// legitimate trade (trade.origins, trade.hs_chapters, trade.routing.hubs), so
// on a key with no weight there it has no effect, which is almost always a
// mistake (a typo, or a country left out of the trade profile). Keys that are
// not valid codes, negative ratios and trade maps with problems of their own
// are reported elsewhere.
func (v *validator) signatureEffect(s string, sig Signature, tr Trade) {
	if v.rulesOnly && !v.has("trade") {
		return
	}
	countries := func(path string, ratios map[string]float64, weights map[string]float64, where string) {
		if len(weights) == 0 && v.has(where) || v.d.tainted(where) {
			return // trade reports the empty or broken map
		}
		w := make(map[datamodel.Country]float64, len(weights))
		for k, x := range weights {
			if c, err := datamodel.ParseCountry(k); err == nil {
				w[c] += x
			}
		}
		for _, k := range sortedKeys(ratios) {
			c, err := datamodel.ParseCountry(k)
			if err != nil || ratios[k] < 0 {
				continue
			}
			if w[c] == 0 {
				v.keyErrf(joinPath(path, k), "%s has no weight in %s, so this ratio has no effect", k, where)
			}
		}
	}
	if len(tr.Origins) > 0 {
		countries(s+".origin", sig.Origin, tr.Origins, "trade.origins")
	}
	countries(s+".hub", sig.Hub, tr.Routing.Hubs, "trade.routing.hubs")
	if len(tr.HSChapters) == 0 || v.d.tainted("trade.hs_chapters") {
		return
	}
	for _, k := range sortedKeys(sig.HSChapter) {
		if _, err := datamodel.ParseHSChapter(k); err != nil || sig.HSChapter[k] < 0 {
			continue
		}
		w, ok := tr.HSChapters[k]
		if !ok {
			w = tr.HSChapters["all"] // 0 when absent
		}
		if w == 0 {
			v.keyErrf(joinPath(s+".hs_chapter", k), "%s has no weight in trade.hs_chapters, so this ratio has no effect", k)
		}
	}
}

// signatureLeavesSome reports signature ratios that leave a threat no
// country of origin, HS chapter or hub: the threat's weights are the trade
// weights times the ratios, and if every product is 0 no irregular
// consignment could be drawn. Maps with problems of their own (bad keys,
// negative or huge values) are reported elsewhere.
func (v *validator) signatureLeavesSome(s string, sig Signature, tr Trade) {
	if v.rulesOnly && !v.has("trade") {
		return
	}
	usable := func(where string, m map[string]float64) bool {
		if len(m) == 0 || v.d.tainted(where) {
			return false
		}
		for _, x := range m {
			if !(x >= 0) || x > MaxWeight {
				return false
			}
		}
		return true
	}
	countries := func(path string, ratios, weights map[string]float64, where, what string) {
		if len(ratios) == 0 || !usable(where, weights) || !usable(path, ratios) {
			return
		}
		r := make(map[datamodel.Country]float64, len(ratios))
		for k, x := range ratios {
			c, err := datamodel.ParseCountry(k)
			if err != nil {
				return
			}
			r[c] = x
		}
		total := 0.0
		for k, w := range weights {
			c, err := datamodel.ParseCountry(k)
			if err != nil {
				return
			}
			ratio, ok := r[c]
			if !ok {
				ratio = 1
			}
			total += w * ratio
		}
		if total == 0 {
			v.errf(path, "these ratios leave no %s with a weight (every %s with a weight in %s has ratio 0), so the threat could not occur", what, what, where)
		}
	}
	countries(s+".origin", sig.Origin, tr.Origins, "trade.origins", "country of origin")
	countries(s+".hub", sig.Hub, tr.Routing.Hubs, "trade.routing.hubs", "hub")
	path := s + ".hs_chapter"
	if len(sig.HSChapter) == 0 || !usable("trade.hs_chapters", tr.HSChapters) || !usable(path, sig.HSChapter) {
		return
	}
	total := 0.0
	for ch := 1; ch <= 97; ch++ {
		key := fmt.Sprintf("%02d", ch)
		if _, err := datamodel.ParseHSChapter(key); err != nil {
			continue
		}
		w, ok := tr.HSChapters[key]
		if !ok {
			w = tr.HSChapters["all"]
		}
		ratio, ok := sig.HSChapter[key]
		if !ok {
			ratio = 1
		}
		total += w * ratio
	}
	if total == 0 {
		v.errf(path, "these ratios leave no HS chapter with a weight (every chapter with a weight in trade.hs_chapters has ratio 0), so the threat could not occur")
	}
}

func (v *validator) rules(sc *Scenario) {
	v.atMost("rules", "rules", len(sc.Rules), maxRules)
	seen := make(map[string]int)
	for i, r := range sc.Rules {
		p := indexPath("rules", i)
		v.unique(seen, p+".id", "rule id", r.ID, r.Line, "a unique rule id, e.g. R01")
		hasExpr := v.has(p + ".expr")
		switch {
		case r.When != nil && hasExpr:
			v.errf(p, "rule has both when and expr; want exactly one")
		case r.When == nil && !hasExpr:
			v.errf(p, "rule has neither when nor expr; want exactly one")
		case r.When != nil:
			v.criteria(p+".when", r.When)
		default:
			v.expr(p+".expr", r.Expr)
		}
		if math.Abs(r.Score) > MaxScore {
			v.errf(p+".score", "%g is too large: a score is at most %g either way (the sum of every rule's score must stay finite)", r.Score, MaxScore)
		}
		if r.Lane != "" && !slices.Contains(laneNames, r.Lane) {
			v.errf(p+".lane", "want red, yellow, blue or green, got %q", r.Lane)
		}
		v.ruleRoute(sc, p+".route", r.Route)
	}
	// A consignment hit by several routed rules visits the union of their
	// pools: it must fit in one route.
	union := map[string]bool{}
	for _, r := range sc.Rules {
		for _, n := range r.Route {
			union[n] = true
		}
	}
	if len(union) > maxRouteStages {
		v.errf("rules", "the routes of the rules name %d pools together (%s); a consignment hit by all of them would visit more than %d",
			len(union), strings.Join(sortedKeys(union), ", "), maxRouteStages)
	}
	// Every union of distinct rule routes is reported on its own, so their
	// number is bounded (2^MaxRuleRoutes - 1 unions).
	distinct := map[string]bool{}
	for _, r := range sc.Rules {
		if len(r.Route) > 0 {
			set := slices.Clone(r.Route)
			slices.Sort(set)
			distinct[strings.Join(set, "+")] = true
		}
	}
	if len(distinct) > MaxRuleRoutes {
		v.errf("rules", "the rules name %d different routes (%s); at most %d, because every union of them is reported on its own",
			len(distinct), strings.Join(sortedKeys(distinct), ", "), MaxRuleRoutes)
	}
}

// MaxRuleRoutes is the most different routes (sets of pools) the rules of a
// scenario may name.
const MaxRuleRoutes = 8

// ruleRoute checks a rule's route: pool names of resources.pools, each once.
func (v *validator) ruleRoute(sc *Scenario, p string, l []string) {
	if !v.has(p) {
		return
	}
	if len(l) == 0 {
		v.errf(p, "empty; want the pools a consignment this rule selects visits, e.g. [nii, physical], or no route (the lane's)")
		return
	}
	names := map[string]bool{}
	for _, pl := range sc.Resources.Pools {
		names[pl.Name] = true
	}
	seen := map[string]bool{}
	for i, n := range l {
		switch {
		case seen[n]:
			v.errf(indexPath(p, i), "pool %q listed twice", n)
		case len(names) > 0 && !names[n]:
			v.errf(indexPath(p, i), "no pool named %q (have %s)", n, strings.Join(sortedKeys(names), ", "))
		}
		seen[n] = true
	}
}

// expr checks an expression rule: it parses, uses only the variables of
// ExprEnv with their types, and gives true or false.
func (v *validator) expr(path, src string) {
	if strings.TrimSpace(src) == "" {
		v.errf(path, "empty expression")
		return
	}
	if len(src) > MaxExprBytes {
		v.errf(path, "an expression of %d bytes: at most %d", len(src), MaxExprBytes)
		return
	}
	if _, err := parser.Parse(src); err != nil {
		v.errf(path, "expression does not parse: %v", exprError(src, err))
		return
	}
	if _, err := CompileExpr(src); err != nil {
		v.errf(path, "expression does not type-check: %v", err)
	}
}

// criteria checks a condition and the conditions nested in it.
func (v *validator) criteria(path string, c *Criteria) {
	empty := true
	list := func(name string, l []string, check func(string) error) {
		p := joinPath(path, name)
		if !v.has(p) {
			return
		}
		empty = false
		if len(l) == 0 {
			v.errf(p, "empty list matches nothing; give at least one value or leave %s out", name)
		}
		for i, s := range l {
			if err := check(s); err != nil {
				v.errf(indexPath(p, i), "%v", err)
			}
		}
	}
	list("origin", c.Origin, countryKey)
	list("dispatch", c.Dispatch, countryKey)
	list("routing", c.Routing, countryKey)
	list("hs", c.HS, hsPrefix)
	list("trader", c.Trader, func(s string) error {
		if s == "" {
			return fmt.Errorf("want a trader id, got an empty string")
		}
		pop := v.population
		if pop == 0 {
			pop = MaxTraders // the count is wrong: check the form only
		}
		_, err := ParseTraderID(s, pop)
		return err
	})
	list("mode", c.Mode, func(s string) error { _, err := datamodel.ParseMode(s); return err })
	for _, b := range []*bool{c.AEO, c.NewTrader, c.LodgedAfterArrival} {
		if b != nil {
			empty = false
		}
	}
	for _, r := range []struct {
		name string
		r    *Range
	}{{"value_per_kg", c.ValuePerKg}, {"gross_weight", c.GrossWeight}, {"value", c.Value}} {
		if r.r == nil {
			continue
		}
		empty = false
		p := joinPath(path, r.name)
		switch {
		case r.r.Min == nil && r.r.Max == nil:
			v.errf(p, "empty range; want min, max or both")
		case r.r.Min != nil && r.r.Max != nil && !(*r.r.Min < *r.r.Max):
			v.errf(p, "want min < max, got min %g, max %g", *r.r.Min, *r.r.Max)
		}
	}
	for _, g := range []struct {
		name string
		l    []Criteria
	}{{"all", c.All}, {"any", c.Any}} {
		p := joinPath(path, g.name)
		if !v.has(p) {
			continue
		}
		empty = false
		if len(g.l) == 0 {
			v.errf(p, "empty list; want at least one criteria")
		}
		for i := range g.l {
			v.criteria(indexPath(p, i), &g.l[i])
		}
	}
	if c.Not != nil {
		empty = false
		v.criteria(joinPath(path, "not"), c.Not)
	}
	if v.backtestCriteria(path, c) { // field, history: validate_backtest.go
		empty = false
	}
	if empty && !v.d.tainted(path) {
		v.errf(path, "empty criteria; want at least one of %s", criteriaNames)
	}
}

// hsPrefix checks an HS code prefix of a rule: 2 to 6 digits of a chapter in
// use.
func hsPrefix(s string) error {
	if len(s) < 2 || len(s) > 6 || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return fmt.Errorf("%q is not an HS code prefix (want 2 to 6 digits, e.g. \"0901\"; quote it)", s)
	}
	if _, err := datamodel.ParseHSChapter(s[:2]); err != nil {
		return fmt.Errorf("%q does not start with an HS chapter in use (01-97 except 77)", s)
	}
	return nil
}

func (v *validator) selectivity(sc *Scenario) {
	s := sc.Selectivity
	type th struct {
		name string
		x    *float64
	}
	ths := []th{{"red", s.Red}, {"yellow", s.Yellow}, {"blue", s.Blue}}
	for i := 0; i < len(ths); i++ {
		for j := i + 1; j < len(ths); j++ {
			a, b := ths[i], ths[j]
			if a.x != nil && b.x != nil && *a.x < *b.x {
				v.errf("selectivity."+b.name, "want the %s threshold <= the %s threshold (%g), got %g", b.name, a.name, *a.x, *b.x)
			}
		}
	}
	v.nonNegative("selectivity.aeo_discount", s.AEODiscount)
	v.upTo("selectivity.aeo_discount", s.AEODiscount, MaxScore, "a score")
	if mh := s.MaxHits; mh != nil {
		switch {
		case !v.has("selectivity.max_hits.count"):
			v.missing("selectivity.max_hits.count", "the number of rules hit that forces selection, e.g. {count: 3}")
		case mh.Count < 1:
			v.errf("selectivity.max_hits.count", "want a count of rules hit >= 1, got %d", mh.Count)
		case mh.Count > len(sc.Rules):
			v.errf("selectivity.max_hits.count", "want at most the number of rules (%d), got %d: no consignment could hit that many", len(sc.Rules), mh.Count)
		}
		if mh.Lane != "red" && mh.Lane != "yellow" {
			v.errf("selectivity.max_hits.lane", "want red or yellow, got %q", mh.Lane)
		}
	}
	sum := 0.0
	for _, lane := range sortedKeys(s.Random) {
		p := joinPath("selectivity.random", lane)
		if !slices.Contains(selLaneNames, lane) {
			v.keyErrf(p, "want a lane red, yellow or blue, got %q", lane)
		}
		v.prob(p+".rate", s.Random[lane].Rate)
		sum += s.Random[lane].Rate
	}
	if sum > 1 {
		v.errf("selectivity.random", "random rates add up to %s; want at most 1", fmtSum(sum))
	}
	sum = 0
	for _, lane := range sortedKeys(s.Expected) {
		p := joinPath("selectivity.expected", lane)
		if !slices.Contains(selLaneNames, lane) {
			v.keyErrf(p, "want a lane red, yellow or blue, got %q", lane)
		}
		v.prob(p, s.Expected[lane])
		sum += s.Expected[lane]
	}
	if sum > 1 {
		v.errf("selectivity.expected", "expected rates add up to %s; want at most 1", fmtSum(sum))
	}
	v.dist("selectivity.assessment", s.Assessment, false, true, "assessment time")
}

func (v *validator) resources(sc *Scenario) {
	r := sc.Resources
	if v.rulesOnly && len(r.Pools) == 0 {
		return
	}
	if len(r.Pools) == 0 {
		if v.has("resources.pools") {
			v.errf("resources.pools", "empty; want at least one pool of servers")
		} else {
			v.missing("resources.pools", "the control resources, e.g. [{name: document, servers: 4, service: {dist: exp, mean: 20m}}]")
		}
	}
	v.atMost("resources.pools", "pools", len(r.Pools), maxPools)
	names := make(map[string]int)
	for i, pl := range r.Pools {
		p := indexPath("resources.pools", i)
		v.unique(names, p+".name", "pool name", pl.Name, pl.Line, "the pool's name, e.g. document")
		if pl.Name != "" && !slices.Contains(methodNames, pl.Method) {
			mp := p + ".method"
			if !v.has(mp) {
				v.errf(mp, "missing; pool %q needs a method: document, nii or physical (the default is the pool name)", pl.Name)
			} else {
				v.errf(mp, "want document, nii or physical, got %q", pl.Method)
			}
		}
		if !v.has(p + ".servers") {
			v.missing(p+".servers", "the number of servers (>= 1)")
		} else if pl.Servers < 1 {
			v.errf(p+".servers", "want at least 1 server, got %d", pl.Servers)
		} else if pl.Servers > MaxServers {
			v.errf(p+".servers", "%d servers: at most %d in one pool", pl.Servers, MaxServers)
		}
		v.dist(p+".service", pl.Service, true, true, "service time")
		v.prob(p+".false_alarm", pl.FalseAlarm)
		if h := pl.Hours; h != nil {
			v.hours(p+".hours", h)
		}
	}
	route := func(name string, l []string) {
		p := "resources." + name
		if !v.has(p) && len(r.Pools) > 0 {
			// The default route: one message, saying it is the default.
			var absent []string
			for _, n := range l {
				if _, ok := names[n]; !ok {
					absent = append(absent, n)
				}
			}
			if len(absent) > 0 {
				v.errf(p, "the default %s route [%s] needs pools named %s; add them, or set resources.%s to the pools %s consignments visit (have %s)",
					name, strings.Join(l, ", "), strings.Join(absent, " and "), name, name, strings.Join(sortedKeys(names), ", "))
			}
			return
		}
		if len(l) == 0 {
			v.errf(p, "empty; want the pools a %s consignment visits, in order", name)
			return
		}
		seen := make(map[string]bool)
		for i, n := range l {
			switch {
			case seen[n]:
				v.errf(indexPath(p, i), "pool %q listed twice", n)
			case len(r.Pools) > 0:
				if _, ok := names[n]; !ok {
					v.errf(indexPath(p, i), "no pool named %q (have %s)", n, strings.Join(sortedKeys(names), ", "))
				}
			}
			seen[n] = true
		}
		if len(l) > maxRouteStages {
			v.errf(p, "%d pools; a route visits at most %d", len(l), maxRouteStages)
		}
	}
	route("yellow", r.Yellow)
	route("red", r.Red)
}

func (v *validator) hours(p string, h *Hours) {
	const day = 24 * 60
	switch {
	case !v.has(p + ".open"):
		v.missing(p+".open", "the opening time of day, e.g. 8h")
	case h.Open < 0 || h.Open >= day:
		v.errf(p+".open", "want a time of day from 0h to 24h, got %s", FormatDuration(float64(h.Open)))
	}
	// Close < Open is a shift over midnight (a night shift, 22h to 6h),
	// closing the next day. Close == Open could mean closed or open 24 hours:
	// it is refused, and the message says how to write a 24-hour shift.
	switch {
	case !v.has(p + ".close"):
		v.missing(p+".close", "the closing time of day, e.g. 18h")
	case h.Close < 0 || h.Close > day:
		v.errf(p+".close", "want a time of day from 0h to 24h, got %s", FormatDuration(float64(h.Close)))
	case v.has(p+".open") && h.Close == h.Open:
		v.errf(p+".close", "closing equals opening (%s), which is ambiguous; for 24 hours a day write open: 0h, close: 24h, for a night shift close before opening (e.g. open: 22h, close: 6h)", FormatDuration(float64(h.Open)))
	}
	if v.has(p+".days") && len(h.Days) == 0 {
		v.errf(p+".days", "empty; want the days open, among mon tue wed thu fri sat sun")
	}
	seen := make(map[string]bool)
	for i, d := range h.Days {
		dp := indexPath(p+".days", i)
		switch {
		case !slices.Contains(weekDays, d):
			v.errf(dp, "want a day among mon tue wed thu fri sat sun, got %q", d)
		case seen[d]:
			v.errf(dp, "day %q listed twice", d)
		}
		seen[d] = true
	}
}

func (v *validator) targets(sc *Scenario) {
	t := sc.Targets
	if v.has("targets.overall") && !(t.Overall > 0) {
		v.errf("targets.overall", "want a duration > 0, got %s", FormatDuration(float64(t.Overall)))
	}
	for _, lane := range sortedKeys(t.Lanes) {
		p := joinPath("targets.lanes", lane)
		if !slices.Contains(laneNames, lane) {
			v.keyErrf(p, "want a lane red, yellow, blue or green, got %q", lane)
		}
		if !(t.Lanes[lane] > 0) {
			v.errf(p, "want a duration > 0, got %s", FormatDuration(float64(t.Lanes[lane])))
		}
	}
}

// FormatDuration writes minutes the way scenario files do: "90s", "20m",
// "3h", "2d", "1h30m".
func FormatDuration(min float64) string {
	if math.IsNaN(min) || math.IsInf(min, 0) {
		return fmt.Sprint(min)
	}
	sign := ""
	if min < 0 {
		sign, min = "-", -min
	}
	sec := math.Round(min * 60)
	if math.Abs(sec-min*60) > 1e-6 || sec > 1e15 {
		return fmt.Sprintf("%s%gm", sign, min)
	}
	if sec == 0 {
		return "0m"
	}
	var b strings.Builder
	b.WriteString(sign)
	for _, u := range []struct {
		n    float64
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if q := math.Floor(sec / u.n); q > 0 {
			fmt.Fprintf(&b, "%g%s", q, u.unit)
			sec -= q * u.n
		}
	}
	return b.String()
}
