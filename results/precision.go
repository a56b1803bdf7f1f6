package results

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/metric"
)

// Precision on demand (`run --precision METRIC=HALFWIDTH`): replications are
// added in deterministic batches until every named interval is as narrow as
// asked. Replication r draws only from (seed, r), so the first R replications
// of a precision run are those of a fixed run of R: stopping at R gives the
// same bytes as asking for R from the start.

// Defaults of the sequential procedure.
const (
	// PrecisionFirst is the first batch when --reps is not given: enough
	// replications for the variance (and so the projection) to mean something.
	PrecisionFirst = 10
	// PrecisionStep is the granularity of the later batches: the projected
	// count is rounded up to a multiple of it, and each batch adds at least it.
	PrecisionStep = 5
	// PrecisionMaxReps is the default cap on the replications.
	PrecisionMaxReps = 200
)

// PrecisionTarget is one --precision request: a metric and the half-width
// wanted for its interval (or for its paired difference's, in compare).
type PrecisionTarget struct {
	Spec string // as given: "release.red.mean=0.1h"
	Name string // the metric as given, before short forms are resolved
	// Value is the half-width wanted: in the metric's unit (fractions as
	// fractions, times in hours) or, with Relative, as a share of the
	// reference mean (0.05 for 5%).
	Value    float64
	Relative bool
	Suffix   string // the unit written: "", "h", "min", "pp" or "%"
	// Metric is the metric the name resolves to (set by Resolve).
	Metric Metric
}

// precisionSuffixes are the units a half-width may carry, longest first, and
// what they multiply the number by.
var precisionSuffixes = []struct {
	suffix string
	scale  float64
}{
	{"min", 1.0 / 60}, {"pp", 0.01}, {"h", 1}, {"m", 1.0 / 60}, {"%", 0.01},
}

// precisionSyntax is the shape every --precision value must have.
const precisionSyntax = "want METRIC=HALFWIDTH, e.g. release.red.mean=0.1h, detection_rate=0.5pp, " +
	"release.all.mean=10min or a relative hit_rate=5% (a share of the mean)"

// ParsePrecision reads one --precision value (METRIC=HALFWIDTH). The
// half-width is a positive number with an optional unit: h or min (m) for
// times, pp (percentage points) for fractions, % for a half-width relative to
// the mean; a bare number is in the metric's own unit (fractions as 0.005).
// Whether the unit fits the metric is checked by Resolve.
func ParsePrecision(s string) (PrecisionTarget, error) {
	name, hw, ok := strings.Cut(s, "=")
	name, hw = strings.TrimSpace(name), strings.TrimSpace(hw)
	if !ok || name == "" || hw == "" {
		return PrecisionTarget{}, errors.New(precisionSyntax)
	}
	t := PrecisionTarget{Spec: s, Name: name}
	num := hw
	scale := 1.0
	for _, u := range precisionSuffixes {
		if strings.HasSuffix(hw, u.suffix) {
			t.Suffix, num, scale = u.suffix, strings.TrimSpace(strings.TrimSuffix(hw, u.suffix)), u.scale
			break
		}
	}
	if t.Suffix == "m" {
		t.Suffix = "min"
	}
	v, err := strconv.ParseFloat(num, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return PrecisionTarget{}, fmt.Errorf("half-width %q is not a number with a unit (h, min, pp or %%); %s", hw, precisionSyntax)
	case v <= 0:
		return PrecisionTarget{}, fmt.Errorf("half-width %q: want a number above 0", hw)
	}
	t.Value, t.Relative = v*scale, t.Suffix == "%"
	return t, nil
}

// precisionAliases are short forms of the first part of a metric's name.
var precisionAliases = map[string]string{
	"detection":  string(metric.Detection),
	"hit":        string(metric.Hit),
	"inspection": string(metric.Inspection),
	"lift":       "lift.estimate",
}

// Resolve finds the target's metric among metrics: by its name as files
// carry it, or by a short form — detection, hit and inspection for
// detection_rate, hit_rate and inspection_rate (also as the first part:
// detection.narcotics), lift for lift.estimate, and a name without its
// statistic for its mean (release.red for release.red.mean). It checks that
// the unit of the half-width fits the metric. The error names the value and
// what names are valid.
func (t *PrecisionTarget) Resolve(metrics []Metric) error {
	byName := make(map[string]Metric, len(metrics))
	for _, m := range metrics {
		byName[m.Name()] = m
	}
	candidates := []string{t.Name}
	first, rest, dotted := strings.Cut(t.Name, ".")
	if a, ok := precisionAliases[first]; ok {
		if dotted {
			candidates = append(candidates, a+"."+rest)
		} else {
			candidates = append(candidates, a)
		}
	}
	for _, c := range candidates[:len(candidates):len(candidates)] {
		candidates = append(candidates, c+".mean")
	}
	found := false
	for _, c := range candidates {
		if m, ok := byName[c]; ok {
			t.Metric, found = m, true
			break
		}
	}
	if !found {
		return fmt.Errorf("--precision %s: no metric %q; %s", t.Spec, t.Name, precisionNames(metrics, candidates))
	}
	u := t.Metric.Unit
	var want string
	switch {
	case t.Suffix == "%" || t.Suffix == "":
		if t.Suffix == "" && u == metric.Fraction && t.Value >= 1 {
			want = "a fraction's half-width below 1 (0.005) or in percentage points (0.5pp)"
		}
	case t.Suffix == "pp" && u != metric.Fraction,
		(t.Suffix == "h" || t.Suffix == "min") && u != metric.Hours:
		want = map[metric.Unit]string{
			metric.Fraction: "a fraction's half-width in percentage points (0.5pp), as a fraction (0.005) or relative (5%)",
			metric.Hours:    "a time's half-width in hours (0.1h) or minutes (6min), or relative (5%)",
		}[u]
		if want == "" {
			want = fmt.Sprintf("a half-width in the metric's unit (%s) as a bare number, or relative (5%%)", unitName(u))
		}
	}
	if want != "" {
		return fmt.Errorf("--precision %s: %s is %s; want %s", t.Spec, t.Metric.Name(), unitName(u), want)
	}
	return nil
}

// unitName says what a unit measures, for messages.
func unitName(u metric.Unit) string {
	switch u {
	case metric.Fraction:
		return "a fraction"
	case metric.Hours:
		return "a time in hours"
	case metric.Count:
		return "a count"
	case metric.Currency:
		return "an amount of duty"
	}
	return "a figure without unit"
}

// precisionNames suggests valid names for a name that matched none of
// candidates: names that start with the same first part, else the common
// ones.
func precisionNames(metrics []Metric, candidates []string) string {
	var close []string
	for _, c := range candidates {
		prefix, _, _ := strings.Cut(c, ".")
		for _, m := range metrics {
			n := m.Name()
			if strings.HasPrefix(n, c) || strings.HasPrefix(n, prefix+".") || n == prefix {
				close = append(close, n)
			}
		}
		if len(close) > 0 {
			break
		}
	}
	close = dedupe(close)
	const show = 8
	msg := "want a metric name as aggregate.csv lists it"
	if len(close) > 0 {
		more := ""
		if len(close) > show {
			more = fmt.Sprintf(" and %d more", len(close)-show)
			close = close[:show]
		}
		return msg + "; close ones: " + strings.Join(close, ", ") + more
	}
	return msg + " (release.all.mean, release.red.mean, release.red.p90, detection_rate, detection_rate.<threat>, " +
		"hit_rate, inspection_rate, pool.<pool>.utilization, …) or a short form (detection, hit, inspection, lift, release.red)"
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// PrecisionHalfWidth is the half-width a precision target is held to: the
// larger of the interval's two sides (mean − low, high − mean), so that the
// figure is within it on both sides; for a centred interval it is the usual
// half-width. NaN when there is no interval.
func PrecisionHalfWidth(iv Interval) float64 {
	if iv.N < 2 || math.IsNaN(iv.Low) || math.IsNaN(iv.High) {
		return math.NaN()
	}
	return math.Max(iv.Mean-iv.Low, iv.High-iv.Mean)
}

// PrecisionCheck is one interval held to a target.
type PrecisionCheck struct {
	Target string `json:"target"` // the --precision value
	Metric string `json:"metric"` // the metric's name
	// Of names what the interval belongs to: "" in a run, the compared
	// scenario's label in compare (a paired difference from the baseline),
	// the point in a sweep.
	Of        string    `json:"of,omitempty"`
	Want      JSONFloat `json:"want"`       // the half-width wanted, in the metric's unit
	HalfWidth JSONFloat `json:"half_width"` // the interval's (PrecisionHalfWidth), in the metric's unit
	Reached   bool      `json:"reached"`
	unit      metric.Unit
	relative  float64 // the relative target, for text
}

// Check holds iv to t. ref is the mean a relative target is a share of (the
// estimate's own mean in a run or sweep, the baseline's in compare).
func (t PrecisionTarget) Check(of string, iv Interval, ref float64) PrecisionCheck {
	want := t.Value
	if t.Relative {
		want = t.Value * math.Abs(ref)
	}
	hw := PrecisionHalfWidth(iv)
	c := PrecisionCheck{Target: t.Spec, Metric: t.Metric.Name(), Of: of, Want: JSONFloat(want), HalfWidth: JSONFloat(hw),
		unit: t.Metric.Unit}
	if t.Relative {
		c.relative = t.Value
	}
	c.Reached = !math.IsNaN(hw) && !math.IsNaN(want) && hw <= want
	return c
}

// NextReplications is the sequential procedure's step (Law 2015, §9.4.1,
// with a projection): after r replications whose intervals gave checks, it
// returns r when every check is reached or r is already maxReps. Else it
// projects, for each check not reached, the replications n at which the
// interval would be as narrow as wanted if the spread between replications
// stayed as it is — the half-width goes as t(n−1)/√n, so
// n = r · (half-width / wanted)² · (t(n−1) / t(r−1))² — and returns the
// largest, rounded up to a multiple of PrecisionStep, at least
// r + PrecisionStep, at most 2r (a spread estimated from few replications is
// itself rough, so no batch more than doubles the study) and at most
// maxReps. A check without a half-width (fewer than two values) adds one
// step. Only the replications' figures enter, so the sequence of batches is
// as reproducible as the replications.
func NextReplications(r, maxReps int, checks []PrecisionCheck) int {
	if r >= maxReps {
		return r
	}
	need := 0.0
	for _, c := range checks {
		if c.Reached {
			continue
		}
		n := float64(r + PrecisionStep)
		if hw, want := float64(c.HalfWidth), float64(c.Want); !math.IsNaN(hw) && want > 0 && r >= 2 {
			n = projectReps(r, hw/want)
		}
		need = math.Max(need, n)
	}
	if need == 0 {
		return r
	}
	next := r + PrecisionStep
	if need > float64(next) {
		next = max(next, int(math.Min(math.Ceil(need), float64(2*r))))
	}
	next = (next + PrecisionStep - 1) / PrecisionStep * PrecisionStep
	return min(next, maxReps)
}

// projectReps is the n at which a half-width ratio times too wide at r
// replications would reach its target: the smallest n with
// t(n−1)/√n ≤ t(r−1)/(ratio·√r), by a few fixed-point steps from the normal
// approximation (enough: t changes slowly in n).
func projectReps(r int, ratio float64) float64 {
	tq := func(n float64) float64 {
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(1 - (1-Confidence)/2)
	}
	tr := tq(float64(r))
	n := float64(r) * ratio * ratio
	for range 4 {
		if n <= float64(r) {
			break
		}
		n = float64(r) * ratio * ratio * math.Pow(tq(n)/tr, 2)
	}
	return n
}

// Precision says how a study chose its number of replications: the targets,
// the batches, and every interval held to a target as it ended. Reports,
// comparisons and sweeps carry it (JSON "precision") when --precision was
// given, and nothing else about them differs from a fixed study of the same
// number of replications.
type Precision struct {
	Targets      []string         `json:"targets"`      // the --precision values
	First        int              `json:"first"`        // replications of the first batch
	MaxReps      int              `json:"max_reps"`     // the cap
	Batches      []int            `json:"batches"`      // replications after each batch
	Replications int              `json:"replications"` // used in the end
	Reached      bool             `json:"reached"`      // every check reached
	Checks       []PrecisionCheck `json:"checks"`
}

// NewPrecision records a finished sequential study.
func NewPrecision(targets []PrecisionTarget, first, maxReps int, batches []int, checks []PrecisionCheck) *Precision {
	p := &Precision{First: first, MaxReps: maxReps, Batches: batches, Reached: true, Checks: checks}
	for _, t := range targets {
		p.Targets = append(p.Targets, t.Spec)
	}
	if len(batches) > 0 {
		p.Replications = batches[len(batches)-1]
	}
	for _, c := range checks {
		p.Reached = p.Reached && c.Reached
	}
	return p
}

// Summary is the precision line of the tables: how many replications were
// used and how each target came out. Checks of one target over several
// intervals (compare, sweep) show the widest.
func (p *Precision) Summary() []string {
	batches := make([]string, len(p.Batches))
	for i, b := range p.Batches {
		batches[i] = strconv.Itoa(b)
	}
	var out []string
	how := "every target reached"
	if !p.Reached {
		how = fmt.Sprintf("NOT every target reached: stopped at --max-reps %d", p.MaxReps)
	}
	out = append(out, fmt.Sprintf("Precision on demand: %d replications (run in batches to %s, at most %d), %s:",
		p.Replications, strings.Join(batches, ", "), p.MaxReps, how))
	widest := map[string]PrecisionCheck{}
	var order []string
	for _, c := range p.Checks {
		w, ok := widest[c.Target]
		if !ok {
			order = append(order, c.Target)
		}
		if !ok || c.ratio() > w.ratio() {
			widest[c.Target] = c
		}
	}
	for _, t := range order {
		out = append(out, "  "+widest[t].text())
	}
	return out
}

// ratio is how far a check is from its target (above 1: not reached).
func (c PrecisionCheck) ratio() float64 {
	r := float64(c.HalfWidth) / float64(c.Want)
	if math.IsNaN(r) {
		return math.Inf(1)
	}
	return r
}

// text is one check as the tables show it.
func (c PrecisionCheck) text() string {
	f := func(v float64) string {
		switch c.unit {
		case metric.Fraction:
			return strconv.FormatFloat(v*100, 'g', 3, 64) + " pp"
		case metric.Hours:
			return strconv.FormatFloat(v, 'g', 3, 64) + " h"
		}
		if math.Abs(v) >= 1000 {
			return formatNumber(v, 0, false, true)
		}
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	want := "± " + f(float64(c.Want))
	if c.relative > 0 {
		want = fmt.Sprintf("± %s of the mean (%s)", strconv.FormatFloat(c.relative*100, 'g', 3, 64)+"%", want)
	}
	got := "no interval"
	if !math.IsNaN(float64(c.HalfWidth)) {
		got = "± " + f(float64(c.HalfWidth))
	}
	of := ""
	if c.Of != "" {
		of = " (" + c.Of + ")"
	}
	state := "reached"
	if !c.Reached {
		state = "not reached"
	}
	return fmt.Sprintf("%s%s: %s, wanted %s: %s", c.Metric, of, got, want, state)
}

// PrecisionChecks holds the report's estimates to targets (resolved against
// its metrics); of names the report in the checks (a sweep's point, or "").
// A relative target is a share of the estimate's own mean.
func (r *Report) PrecisionChecks(targets []PrecisionTarget, of string) []PrecisionCheck {
	var out []PrecisionCheck
	for _, t := range targets {
		iv := Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
		for _, e := range r.Estimates {
			if e.Key == t.Metric.Key {
				iv = e.Interval
				break
			}
		}
		out = append(out, t.Check(of, iv, iv.Mean))
	}
	return out
}

// PrecisionChecks holds every paired difference from the baseline to the
// targets: one check per target and compared scenario, labelled with the
// scenario. A relative target is a share of the baseline's mean, so that
// "5%" asks for a difference known to within 5% of the baseline's level.
func (c *Comparison) PrecisionChecks(targets []PrecisionTarget) []PrecisionCheck {
	var out []PrecisionCheck
	for _, t := range targets {
		i := -1
		for j, m := range c.Metrics {
			if m.Key == t.Metric.Key {
				i = j
				break
			}
		}
		ref := math.NaN()
		if e, ok := c.estimate(0, t.Metric.Key); ok {
			ref = e.Mean
		}
		for k := range c.Paired {
			iv := Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
			if i >= 0 {
				iv = c.Paired[k][i].Interval
			}
			out = append(out, t.Check(c.Labels[k+1]+" − "+c.Labels[0], iv, ref))
		}
	}
	return out
}
