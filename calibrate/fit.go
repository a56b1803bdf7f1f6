// Package calibrate fits a scenario to Time Release Study event records
// (pilotsim calibrate): the arrival rate and its hourly and weekly profile
// per transport mode, the lodgement lead, the lane mix and random rates, the
// risk-assessment time, each control step's service-time distribution (by
// maximum likelihood over the scenario format's families, chosen by AIC),
// each pool's servers and opening hours, and the irregularity per lane where
// outcomes are recorded. What records cannot show (threat signatures,
// detection probabilities, the trade profile, the rules) is taken from a base
// scenario and marked as assumed. Check then simulates the fitted scenario
// and compares its release times per lane with the records'.
//
// It reads records one at a time (datamodel.EventRecord) and keeps bounded
// samples (a seeded reservoir) where a fit needs the values themselves; the
// concurrency of each control step is kept as its start and end instants.
// It imports datamodel, scenarios and sim; it writes no files.
package calibrate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// Lanes in the order the scenario format knows them.
var laneNames = [4]string{"green", "blue", "yellow", "red"}

func laneIndex(s string) int {
	for i, l := range laneNames {
		if l == s {
			return i
		}
	}
	return -1
}

// reservoir keeps a uniform sample of at most cap values (Algorithm R) from
// its own seeded stream, so the sample is the same for the same records.
type reservoir struct {
	cap  int
	seen int64
	xs   []float64
	rng  *rand.Rand
}

func newReservoir(capacity int, seed, purpose uint64) *reservoir {
	return &reservoir{cap: capacity, rng: rand.New(rand.NewPCG(seed, purpose))}
}

func (r *reservoir) add(x float64) {
	r.seen++
	if len(r.xs) < r.cap {
		r.xs = append(r.xs, x)
		return
	}
	if j := r.rng.Int64N(r.seen); j < int64(r.cap) {
		r.xs[j] = x
	}
}

// moments are the sufficient statistics of the fitted families.
type moments struct {
	n, zeros                  float64
	sum, sumSq, sumLog, sumL2 float64
	min, max                  float64
}

func (m *moments) add(x float64) {
	if m.n == 0 {
		m.min, m.max = x, x
	}
	m.n++
	m.sum += x
	m.sumSq += x * x
	m.min, m.max = math.Min(m.min, x), math.Max(m.max, x)
	if x <= 0 {
		m.zeros++
		x = logFloor
	}
	l := math.Log(math.Max(x, logFloor))
	m.sumLog += l
	m.sumL2 += l * l
}

// logFloor (minutes) stands for a zero duration in the log-likelihood of
// the positive families.
const logFloor = 0.01

// durAcc is what is kept of one duration: moments over all values and a
// reservoir for the KS distance.
type durAcc struct {
	m   moments
	res *reservoir
}

func newDurAcc(seed, purpose uint64) *durAcc {
	return &durAcc{res: newReservoir(100000, seed, purpose)}
}

func (d *durAcc) add(x float64) {
	d.m.add(x)
	d.res.add(x)
}

// stepAcc is what is kept of one control step.
type stepAcc struct {
	service *durAcc
	starts  [168]int64 // starts by hour of week
	events  map[string][]edge
	busy    float64 // minutes of service
	lanes   [4]int64
}

// edge is a start (+1) or end (-1) of a control, in minutes.
type edge struct {
	t float64
	d int8
}

// modeAcc is what is kept of one transport mode.
type modeAcc struct {
	n      int64
	byHour [168]int64
	lead   *durAcc // arrival - lodgement, minutes (may be negative)
}

// Fitter accumulates records for a fit.
type Fitter struct {
	seed     uint64
	records  int64
	spans    map[string][2]float64 // per sample: first and last arrival (seconds)
	modes    map[string]*modeAcc
	lanes    [4]int64
	random   [4]int64
	byRule   [4]int64 // selected by score or forced, per lane
	selKnown int64
	aeo      [2]int64
	assess   *durAcc
	steps    [datamodel.NumSteps]*stepAcc
	known    [4]int64 // records with an outcome, per lane
	irreg    [4]int64
	rKnown   [4]int64 // random-selected with an outcome, per lane
	rIrreg   [4]int64
	release  [4]*reservoir // arrival → release in hours, per lane
	purposes uint64
	offset   float64 // the first record's local offset (seconds), for the hours observed

	overSamples int64 // records of samples past MaxSamples, left out
}

// MaxSamples bounds the distinct values of the sample column (replications
// of a simulation); more make Fit an error.
const MaxSamples = 1 << 16

// maxModes bounds the distinct transport modes kept apart; later unknown
// modes are counted together as "other".
const maxModes = 16

// NewFitter returns an empty fitter; seed drives its reservoirs.
func NewFitter(seed uint64) *Fitter {
	f := &Fitter{seed: seed, spans: map[string][2]float64{}, modes: map[string]*modeAcc{}}
	f.assess = newDurAcc(seed, f.purpose())
	for i := range f.release {
		f.release[i] = newReservoir(200000, seed, f.purpose())
	}
	return f
}

func (f *Fitter) purpose() uint64 { f.purposes++; return 0x63616c00 + f.purposes }

// Records returns the number of records added.
func (f *Fitter) Records() int64 { return f.records }

// Add adds one record.
func (f *Fitter) Add(r *datamodel.EventRecord) {
	sp, ok := f.spans[r.Sample]
	if !ok {
		if len(f.spans) >= MaxSamples {
			// A sample column of one value per record would grow the
			// fitter without bound: refused by Fit.
			f.overSamples++
			return
		}
		sp = [2]float64{r.Arrival, r.Arrival}
	}
	f.records++
	sp[0], sp[1] = math.Min(sp[0], r.Arrival), math.Max(sp[1], r.Arrival)
	f.spans[r.Sample] = sp

	mode := r.Mode
	if mode == "" {
		mode = "unknown"
	}
	if _, ok := f.modes[mode]; !ok && len(f.modes) >= maxModes && !slices.Contains(simModes, mode) {
		mode = "other" // bounded: the scenario knows five modes
	}
	m := f.modes[mode]
	if m == nil {
		m = &modeAcc{lead: newDurAcc(f.seed, f.purpose())}
		f.modes[mode] = m
	}
	m.n++
	off := float64(r.Offset) // hours and weekdays are local
	if f.records == 1 {
		f.offset = off
	}
	m.byHour[hourOfWeek(r.Arrival+off)]++
	if !math.IsNaN(r.Lodgement) {
		m.lead.add((r.Arrival - r.Lodgement) / 60)
	}
	lane := laneIndex(r.Channel)
	if lane >= 0 {
		f.lanes[lane]++
		if r.Selection != "" {
			f.selKnown++
			switch r.Selection {
			case "random":
				f.random[lane]++
			case "score", "forced":
				f.byRule[lane]++
			}
		}
		if r.Outcome >= 0 {
			f.known[lane]++
			if r.Outcome == 1 {
				f.irreg[lane]++
			}
			if r.Selection == "random" {
				f.rKnown[lane]++
				if r.Outcome == 1 {
					f.rIrreg[lane]++
				}
			}
		}
		if x := r.Release - r.Arrival; x >= 0 {
			f.release[lane].add(x / 3600)
		}
	}
	if r.AEO >= 0 {
		f.aeo[r.AEO]++
	}
	if a := r.Assessed - r.Lodgement; a >= 0 {
		f.assess.add(a / 60)
	}
	for s := range datamodel.NumSteps {
		start, end := r.Start[s], r.End[s]
		if math.IsNaN(start) || math.IsNaN(end) || end < start {
			continue
		}
		st := f.steps[s]
		if st == nil {
			st = &stepAcc{service: newDurAcc(f.seed, 0x73746570+uint64(s)), events: map[string][]edge{}}
			f.steps[s] = st
		}
		st.service.add((end - start) / 60)
		st.starts[hourOfWeek(start+off)]++
		st.busy += (end - start) / 60
		st.events[r.Sample] = append(st.events[r.Sample], edge{start / 60, 1}, edge{end / 60, -1})
		if lane >= 0 {
			st.lanes[lane]++
		}
	}
}

func hourOfWeek(sec float64) int {
	day := int64(math.Floor(sec / 86400))
	wd := int(((day+3)%7 + 7) % 7) // 1970-01-01 was a Thursday; 0 = Monday
	h := int((int64(math.Floor(sec/3600))%24 + 24) % 24)
	return wd*24 + h
}

// DistFit is a fitted distribution with its quality.
type DistFit struct {
	Dist   scenarios.Dist
	Family string
	N      int64
	AIC    map[string]float64 // per family tried
	KS     float64            // Kolmogorov-Smirnov distance of the chosen fit to the sample
	Median float64            // of the data, minutes
	Mean   float64            // of the data, minutes
	How    string             // how the fit was made, when not by AIC among the families
}

// Comment says in a line how the fit was chosen.
func (d DistFit) Comment(what string) string {
	if d.How != "" {
		return fmt.Sprintf("fitted: %s on %d %s (data mean %.2f min, median %.2f min); %s", d.Family, d.N, what, d.Mean, d.Median, d.How)
	}
	fams := make([]string, 0, len(d.AIC))
	for _, k := range slices.Sorted(mapsKeys(d.AIC)) {
		fams = append(fams, fmt.Sprintf("%s %.1f", k, d.AIC[k]))
	}
	return fmt.Sprintf("fitted: %s, maximum likelihood on %d %s (data mean %.2f min, median %.2f min); AIC %s; chosen %s (lowest AIC), KS distance %.3f",
		d.Family, d.N, what, d.Mean, d.Median, strings.Join(fams, ", "), d.Family, d.KS)
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func ptr(x float64) *float64 { return &x }

// round keeps 4 significant digits.
func round(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	p := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

// fitPositive fits exp, lognormal, gamma and normal to non-negative
// durations (minutes) by maximum likelihood and keeps the lowest AIC.
func fitPositive(d *durAcc) DistFit {
	fit, done := d.startFit()
	if done {
		return fit
	}
	m, n, mean := d.m, d.m.n, fit.Mean
	type cand struct {
		name string
		dist scenarios.Dist
		cdf  func(float64) float64
		ll   float64
		k    float64
	}
	var cands []cand
	// exponential
	if mean > 0 {
		cands = append(cands, cand{"exp", scenarios.Dist{Kind: "exp", Mean: ptr(round(mean))},
			distuv.Exponential{Rate: 1 / mean}.CDF, -n*math.Log(mean) - m.sum/mean, 1})
	}
	// The positive families need (almost) no zeros.
	if m.zeros <= 0.01*n && n >= 2 {
		mu := m.sumLog / n
		s2 := math.Max(m.sumL2/n-mu*mu, 1e-12)
		sig := math.Sqrt(s2)
		ll := -m.sumLog - n*math.Log(sig) - n/2*math.Log(2*math.Pi) - n/2
		cands = append(cands, cand{"lognormal", scenarios.Dist{Kind: "lognormal", Median: ptr(round(math.Exp(mu))), Sigma: ptr(round(sig))},
			distuv.LogNormal{Mu: mu, Sigma: sig}.CDF, ll, 2})
		// gamma: solve log k - digamma(k) = log(mean) - mean(log x).
		s := math.Log(mean) - mu
		if s > 0 {
			k := (3 - s + math.Sqrt((s-3)*(s-3)+24*s)) / (12 * s)
			for range 20 {
				g := math.Log(k) - mathext.Digamma(k) - s
				h := 1e-6 * k
				dg := (math.Log(k+h) - mathext.Digamma(k+h) - math.Log(k-h) + mathext.Digamma(k-h)) / (2 * h)
				if dg == 0 {
					break
				}
				nk := k - g/dg
				if nk <= 0 {
					nk = k / 2
				}
				if math.Abs(nk-k) < 1e-10*k {
					k = nk
					break
				}
				k = nk
			}
			theta := mean / k
			lg, _ := math.Lgamma(k)
			ll := (k-1)*m.sumLog - m.sum/theta - n*k*math.Log(theta) - n*lg
			cv := 1 / math.Sqrt(k)
			cands = append(cands, cand{"gamma", scenarios.Dist{Kind: "gamma", Mean: ptr(round(mean)), CV: ptr(round(cv))},
				distuv.Gamma{Alpha: k, Beta: 1 / theta}.CDF, ll, 2})
		}
	}
	// normal (clamped at 0 by min)
	if n >= 2 {
		v := math.Max(m.sumSq/n-mean*mean, 1e-12)
		sd := math.Sqrt(v)
		ll := -n/2*math.Log(2*math.Pi*v) - n/2
		cands = append(cands, cand{"normal", scenarios.Dist{Kind: "normal", Mean: ptr(round(mean)), SD: ptr(round(sd)), Min: ptr(0)},
			distuv.Normal{Mu: mean, Sigma: sd}.CDF, ll, 2})
	}
	best := -1
	for i, c := range cands {
		aic := 2*c.k - 2*c.ll
		fit.AIC[c.name] = aic
		if best < 0 || aic < fit.AIC[cands[best].name] {
			best = i
		}
	}
	if best < 0 {
		fit.Family = "const"
		fit.Dist = scenarios.Dist{Kind: "const", Value: ptr(round(mean))}
		return fit
	}
	fit.Family, fit.Dist = cands[best].name, cands[best].dist
	fit.KS = ksDistance(d.res.xs, cands[best].cdf)
	return fit
}

// fitLead fits the lodgement lead (minutes, negative after arrival): a
// normal by maximum likelihood, clamped to the observed range; when its KS
// distance exceeds 0.03, an empirical distribution over 101 quantiles.
func fitLead(d *durAcc) DistFit {
	fit, done := d.startFit()
	if done {
		return fit
	}
	m, n, mean := d.m, d.m.n, fit.Mean
	v := math.Max(m.sumSq/n-mean*mean, 1e-12)
	sd := math.Sqrt(v)
	fit.AIC["normal"] = 4 + n*math.Log(2*math.Pi*v) + n
	fit.Family = "normal"
	fit.Dist = scenarios.Dist{Kind: "normal", Mean: ptr(round(mean)), SD: ptr(round(sd)), Min: ptr(round(m.min)), Max: ptr(round(m.max))}
	fit.KS = ksDistance(d.res.xs, distuv.Normal{Mu: mean, Sigma: sd}.CDF)
	if fit.KS > 0.03 && len(d.res.xs) >= 200 {
		fit.How = fmt.Sprintf("a normal fitted by maximum likelihood (mean %.4g, sd %.4g) was %.3f from the data in KS distance (> 0.03), so the distribution is the data's own 101 percentiles", mean, sd, fit.KS)
		xs := slices.Clone(d.res.xs)
		slices.Sort(xs)
		var vals []float64
		for i := 0; i <= 100; i++ {
			vals = append(vals, round(xs[int(float64(i)/100*float64(len(xs)-1))]))
		}
		fit.Family = "empirical"
		fit.Dist = scenarios.Dist{Kind: "empirical", Values: vals}
		fit.KS = ksDistance(d.res.xs, empiricalCDF(vals))
		fit.How += fmt.Sprintf(", KS distance %.3f", fit.KS)
	}
	return fit
}

// startFit is the start of every fit of d: its count, mean and median, and
// done with the constant fit (constantFit) when the durations do not vary.
func (d *durAcc) startFit() (fit DistFit, done bool) {
	n := d.m.n
	fit = DistFit{N: int64(n), AIC: map[string]float64{}, Mean: d.m.sum / n, Median: median(d.res.xs)}
	return constantFit(d, fit)
}

// constantFit is the fit of durations that do not vary (all within a
// microsecond: a step every record times the same, or lodgement always at
// arrival): a constant, where a family fitted by maximum likelihood would
// have a spread of rounding noise.
func constantFit(d *durAcc, fit DistFit) (DistFit, bool) {
	m := d.m
	if m.n < 1 || m.max-m.min > 1e-6/60*math.Max(1, math.Abs(m.max)) {
		return fit, false
	}
	v := round(m.sum / m.n)
	if math.Abs(v) < 1e-6 {
		v = 0
	}
	fit.Family, fit.Dist, fit.KS = "const", scenarios.Dist{Kind: "const", Value: ptr(v)}, 0
	fit.How = fmt.Sprintf("every value is %.4g: a constant", v)
	return fit, true
}

func empiricalCDF(vals []float64) func(float64) float64 {
	return func(x float64) float64 {
		i := sort.SearchFloat64s(vals, x+1e-12)
		return float64(i) / float64(len(vals))
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// ksDistance is the Kolmogorov-Smirnov distance between a sample and a CDF.
func ksDistance(xs []float64, cdf func(float64) float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := float64(len(s))
	d := 0.0
	for i, x := range s {
		c := cdf(x)
		d = math.Max(d, math.Max(math.Abs(c-float64(i)/n), math.Abs(float64(i+1)/n-c)))
	}
	return d
}

// KS2 is the two-sample Kolmogorov-Smirnov distance.
func KS2(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return math.NaN()
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	i, j, d := 0, 0, 0.0
	for i < len(x) && j < len(y) {
		v := math.Min(x[i], y[j])
		for i < len(x) && x[i] <= v {
			i++
		}
		for j < len(y) && y[j] <= v {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(x))-float64(j)/float64(len(y))))
	}
	return d
}
