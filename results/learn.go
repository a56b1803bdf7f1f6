package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"pilotsim/sim/backtest"
	"pilotsim/sim/learn"
	"pilotsim/sim/learn/replay"
)

// LearnInputs describes a learning replay for its report.
type LearnInputs struct {
	Records string   `json:"records"`
	Mapping string   `json:"mapping"`
	Rules   string   `json:"rules"`
	History []string `json:"history"`
	Seed    uint64   `json:"seed"`
	Seeds   int      `json:"seeds"`
	Budget  float64  `json:"budget"`
	Delay   float64  `json:"delay_days"`
	// ClassDelay is the delay of outcome classes with their own (days).
	ClassDelay  map[string]float64 `json:"class_delay_days,omitempty"`
	HistoryTop  float64            `json:"history_top"`
	HistoryRand float64            `json:"history_random"`
	Keys        string             `json:"keys"`
	Novelty     string             `json:"novelty"`
	// FirstDay is the first replayed day (days since 1970-01-01).
	FirstDay int32   `json:"first_day"`
	Rows     int     `json:"rows"`
	NewRows  int     `json:"new_rows"`
	NewFraud float64 `json:"new_fraud_share"`
	Fraud    float64 `json:"fraud_share"`
}

// LearnMetric names one figure of a replay, per replication.
type LearnMetric struct {
	Name string
	// Text says what it is, for the report.
	Text string
	of   func(r *replay.Result, t *replay.Tally) float64
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// LearnMetrics are the figures of policies.csv, in order. release_p90_h, the
// simulator arena's release time, is not defined for a replay of
// declarations: the files hold no release times.
var LearnMetrics = slices.Concat([]LearnMetric{
	{"precision", "share of inspections that found fraud (hit rate)", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.Found, t.Inspected) }},
	{"precision_new", "hit rate on declarations whose goods tuple is new", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.FoundNew, t.InspectedNew) }},
	{"recall", "share of all fraud found", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.Found, t.Irregular) }},
	{"recall_new", "share of the fraud on new goods tuples found", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.FoundNew, t.IrregularNew) }},
	{"duty_recovered", "share of the duty at stake on fraudulent declarations found", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.FoundRevenue, t.Revenue) }},
	{"critical_recall", "share of critical fraud found", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.FoundCritical, t.Critical) }},
	{"detection", "detection rate, the truth (= recall in a replay)", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.Found, t.Irregular) }},
},
	estimatorMetrics(estimator{label: "pooled", interval: "95% interval", width: true,
		what:    "detection rate as the service can estimate it: the headline, pooled estimate (the quarter's random stratum with the history's)",
		errNote: " of detection rate (the headline estimate)", absNote: ": the error of one seed's estimate",
		iv: func(r *replay.Result) learn.Interval { return r.EstimatePooled },
		weekly: func(t *replay.Tally) float64 {
			if t.Random == 0 {
				return math.NaN()
			}
			return math.Min(1, ratio(t.EstimateFound, t.EstimateIrregularPooled))
		}}),
	[]LearnMetric{{"detection_estimate_quarter_weight", "weight of the quarter's own random stratum in the pooled estimate (the history has the rest)", func(r *replay.Result, _ *replay.Tally) float64 {
		if r == nil {
			return math.NaN()
		}
		return r.PooledWeight
	}}},
	estimatorMetrics(estimator{suffix: "_ipw", label: "IPW", interval: "95% bootstrap interval", width: true,
		what: "detection rate, inverse-propensity estimate from the quarter's random stratum alone",
		iv:   func(r *replay.Result) learn.Interval { return r.Estimate },
		weekly: func(t *replay.Tally) float64 {
			if t.Random == 0 {
				return math.NaN()
			}
			return ratio(t.EstimateFound, t.EstimateIrregular)
		}}),
	estimatorMetrics(estimator{suffix: "_hajek", label: "Hájek", interval: "95% bootstrap interval",
		what: "detection rate, self-normalized (Hájek) estimate from the quarter's random stratum alone",
		iv:   func(r *replay.Result) learn.Interval { return r.EstimateHajek }}),
	estimatorMetrics(estimator{suffix: "_dr", label: "doubly robust",
		what: "detection rate, doubly robust estimate (model + random-stratum residuals)",
		iv:   func(r *replay.Result) learn.Interval { return r.EstimateDR },
		weekly: func(t *replay.Tally) float64 {
			if t.EstimateIrregularDR == 0 || t.Random == 0 {
				return math.NaN()
			}
			return ratio(t.EstimateFound, t.EstimateIrregularDR)
		}}),
	[]LearnMetric{
		{"undetected_duty_estimate_error", "(estimated − true duty not found) / true, in %", func(r *replay.Result, _ *replay.Tally) float64 {
			if r == nil {
				return math.NaN()
			}
			return 100 * (r.UndetectedEstimate.Est - r.Undetected) / r.Undetected
		}},
		{"exploration_share", "share of inspections chosen at random", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.Random, t.Inspected) }},
		{"inspection_rate", "share of declarations inspected", func(_ *replay.Result, t *replay.Tally) float64 { return ratio(t.Inspected, t.N) }},
	})

// estimator is one detection estimate of the replay, for estimatorMetrics.
type estimator struct {
	suffix, label string // metric-name suffix ("" for the headline) and name in texts
	what          string // the estimate's text
	// errNote and absNote end the error's and the absolute error's texts.
	errNote, absNote string
	iv               func(*replay.Result) learn.Interval
	// weekly is the estimate from a week's tally (NaN when none); nil: the
	// estimate has no weekly figure.
	weekly func(*replay.Tally) float64
	// interval names the estimate's interval for its coverage metric ("":
	// none); width adds the interval's width.
	interval string
	width    bool
}

// estimatorMetrics returns the metrics of one estimate, in the order of
// policies.csv: detection_estimate<suffix> (the estimate), its _error and
// _abs_error against the truth in points, and detection_interval<suffix>'s
// _covers and _width as the estimator has them. A week's row (r nil) has the
// estimate and its error from the week's tally.
func estimatorMetrics(e estimator) []LearnMetric {
	week := func(t *replay.Tally) float64 {
		if e.weekly == nil {
			return math.NaN()
		}
		return e.weekly(t)
	}
	ms := []LearnMetric{
		{"detection_estimate" + e.suffix, e.what, func(r *replay.Result, t *replay.Tally) float64 {
			if r == nil {
				return week(t)
			}
			return e.iv(r).Est
		}},
		{"detection_estimate" + e.suffix + "_error", e.label + " estimate − truth, in points" + e.errNote, func(r *replay.Result, t *replay.Tally) float64 {
			if r == nil {
				return 100 * (week(t) - ratio(t.Found, t.Irregular))
			}
			return 100 * (e.iv(r).Est - r.Detection)
		}},
		{"detection_estimate" + e.suffix + "_abs_error", "|" + e.label + " estimate − truth|, in points" + e.absNote, func(r *replay.Result, _ *replay.Tally) float64 {
			if r == nil {
				return math.NaN()
			}
			return 100 * math.Abs(e.iv(r).Est-r.Detection)
		}},
	}
	if e.interval != "" {
		ms = append(ms, LearnMetric{"detection_interval" + e.suffix + "_covers", "share of seeds whose " + e.interval + " of the " + e.label + " estimate holds the truth",
			func(r *replay.Result, _ *replay.Tally) float64 {
				if r == nil {
					return math.NaN()
				}
				return covers(r, e.iv(r))
			}})
	}
	if e.width {
		ms = append(ms, LearnMetric{"detection_interval" + e.suffix + "_width", "width of the " + e.label + " estimate's " + e.interval + ", in points",
			func(r *replay.Result, _ *replay.Tally) float64 {
				if r == nil {
					return math.NaN()
				}
				return intervalWidth(r, e.iv(r))
			}})
	}
	return ms
}

// covers is 1 when the interval holds the seed's true detection rate, 0
// when not, NaN without an interval.
func covers(r *replay.Result, iv learn.Interval) float64 {
	if r == nil || math.IsNaN(iv.Lo) {
		return math.NaN()
	}
	if iv.Lo <= r.Detection && r.Detection <= iv.Hi {
		return 1
	}
	return 0
}

// intervalWidth is the interval's width in points; NaN without an interval.
func intervalWidth(r *replay.Result, iv learn.Interval) float64 {
	if r == nil || math.IsNaN(iv.Lo) {
		return math.NaN()
	}
	return 100 * (iv.Hi - iv.Lo)
}

// weeklyMetrics are the curves of learn.csv.
var weeklyMetrics = []string{"precision", "precision_new", "recall", "duty_recovered", "exploration_share", "detection", "detection_estimate",
	"detection_estimate_error", "detection_estimate_ipw", "detection_estimate_ipw_error", "detection_estimate_dr", "detection_estimate_dr_error"}

// LearnRow is one line of policies.csv or learn.csv.
type LearnRow struct {
	Policy, Metric string
	Week           int // 0: the whole quarter; weeks count from 1
	Interval
}

// LearnReport is a learning replay summarized over seeds.
type LearnReport struct {
	Inputs     LearnInputs
	Policies   []string
	Summary    []LearnRow // policy × metric (and paired differences)
	Weekly     []LearnRow // policy × week × metric
	Weeks      int
	References []replay.Reference
}

func metricByName(name string) LearnMetric {
	for _, m := range LearnMetrics {
		if m.Name == name {
			return m
		}
	}
	panic("results: no learn metric " + name)
}

// NewLearnReport aggregates the results (indexed [policy][rep]) over seeds:
// the mean and its 95% Student t interval per metric, per week, and the
// paired difference of every policy with the exploit-only one ("learned",
// when present) on the same seeds.
func NewLearnReport(in LearnInputs, res [][]*replay.Result, refs []replay.Reference) *LearnReport {
	r := &LearnReport{Inputs: in, References: refs}
	if len(res) == 0 || len(res[0]) == 0 {
		return r
	}
	r.Weeks = len(res[0][0].Weeks)
	exploit := -1
	for i, rs := range res {
		r.Policies = append(r.Policies, rs[0].Policy)
		if rs[0].Policy == "learned" {
			exploit = i
		}
	}
	vals := func(pi int, m LearnMetric) []float64 {
		v := make([]float64, len(res[pi]))
		for k, x := range res[pi] {
			v[k] = m.of(x, &x.Total)
		}
		return v
	}
	for pi, name := range r.Policies {
		for _, m := range LearnMetrics {
			r.Summary = append(r.Summary, LearnRow{Policy: name, Metric: m.Name, Interval: clampShare(m.Name, MeanCI(vals(pi, m), 0.95))})
		}
		if exploit >= 0 && pi != exploit {
			for _, mn := range []string{"precision", "precision_new", "recall", "recall_new", "duty_recovered"} {
				m := metricByName(mn)
				a, b := vals(pi, m), vals(exploit, m)
				d := make([]float64, len(a))
				for k := range a {
					d[k] = a[k] - b[k]
				}
				r.Summary = append(r.Summary, LearnRow{Policy: name, Metric: mn + "_minus_learned", Interval: MeanCI(d, 0.95)})
			}
		}
		for w := range r.Weeks {
			for _, mn := range weeklyMetrics {
				m := metricByName(mn)
				v := make([]float64, len(res[pi]))
				for k, x := range res[pi] {
					v[k] = m.of(nil, &x.Weeks[w])
				}
				r.Weekly = append(r.Weekly, LearnRow{Policy: name, Metric: mn, Week: w + 1, Interval: clampShare(mn, MeanCI(v, 0.95))})
			}
		}
	}
	return r
}

// clampShare keeps the Student t interval of a share (every metric but the
// errors and widths, in points or %) inside [0, 1]: the mean of 30 values of
// 0 or 1 cannot have an interval past 1.
func clampShare(metric string, iv Interval) Interval {
	if strings.HasSuffix(metric, "_error") || strings.HasSuffix(metric, "_width") {
		return iv
	}
	iv.Low, iv.High = math.Max(0, iv.Low), math.Min(1, iv.High)
	return iv
}

// Get returns the summary interval of a policy's metric (N = 0 when absent).
func (r *LearnReport) Get(policy, metric string) Interval {
	for _, s := range r.Summary {
		if s.Policy == policy && s.Metric == metric {
			return s.Interval
		}
	}
	return Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
}

func learnCell(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// WritePoliciesCSV writes policies.csv: policy,metric,mean,ci_low,ci_high
// (empty where a figure is undefined: no estimate without a random stratum,
// no interval from one seed).
func (r *LearnReport) WritePoliciesCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"policy", "metric", "mean", "ci_low", "ci_high"})
	for _, s := range r.Summary {
		cw.Write([]string{s.Policy, s.Metric, learnCell(s.Mean), learnCell(s.Low), learnCell(s.High)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteCurvesCSV writes learn.csv, the weekly curves:
// policy,week,week_start,metric,mean,ci_low,ci_high.
func (r *LearnReport) WriteCurvesCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"policy", "week", "week_start", "metric", "mean", "ci_low", "ci_high"})
	for _, s := range r.Weekly {
		cw.Write([]string{s.Policy, strconv.Itoa(s.Week), backtest.DayString(r.Inputs.FirstDay + int32(7*(s.Week-1))), s.Metric,
			learnCell(s.Mean), learnCell(s.Low), learnCell(s.High)})
	}
	cw.Flush()
	return cw.Error()
}

// LearnJSONSchema is the schema_version of the learn report's JSON.
const LearnJSONSchema = 1

// WriteJSON writes the summary as one JSON object: schema_version, the
// inputs, per policy and metric the mean and 95% interval (null where
// undefined), and the references.
func (r *LearnReport) WriteJSON(w io.Writer) error {
	type row struct {
		Policy string    `json:"policy"`
		Metric string    `json:"metric"`
		Mean   JSONFloat `json:"mean"`
		Low    JSONFloat `json:"ci_low"`
		High   JSONFloat `json:"ci_high"`
		N      int       `json:"seeds_defined"`
	}
	type ref struct {
		Name         string    `json:"ranking"`
		Share        float64   `json:"inspected"`
		Precision    JSONFloat `json:"precision"`
		Recall       JSONFloat `json:"recall"`
		PrecisionNew JSONFloat `json:"precision_new"`
		RecallNew    JSONFloat `json:"recall_new"`
	}
	out := struct {
		Schema     int         `json:"schema_version"`
		Inputs     LearnInputs `json:"inputs"`
		Weeks      int         `json:"weeks"`
		Policies   []row       `json:"policies"`
		References []ref       `json:"references"`
	}{Schema: LearnJSONSchema, Inputs: r.Inputs, Weeks: r.Weeks}
	for _, s := range r.Summary {
		out.Policies = append(out.Policies, row{s.Policy, s.Metric, JSONFloat(s.Mean), JSONFloat(s.Low), JSONFloat(s.High), s.N})
	}
	for _, x := range r.References {
		out.References = append(out.References, ref{x.Name, x.Share, JSONFloat(x.Precision), JSONFloat(x.Recall), JSONFloat(x.PrecisionNew), JSONFloat(x.RecallNew)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// classDelayText is ", irregular ones of class c after d day(s)" for each
// class with a delay of its own, in name order ("" for none).
func (in LearnInputs) classDelayText() string {
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(in.ClassDelay)) {
		fmt.Fprintf(&b, ", irregular ones of class %s after %g day(s)", n, in.ClassDelay[n])
	}
	return b.String()
}

// WriteText writes the summary table for a terminal.
func (r *LearnReport) WriteText(w io.Writer) error {
	in := r.Inputs
	fmt.Fprintf(w, "learning replay of %s: %d declarations over %d weeks (%d with a new goods tuple, %.1f%% fraud), %d seeds\n",
		in.Records, in.Rows, r.Weeks, in.NewRows, 100*in.NewFraud, in.Seeds)
	fmt.Fprintf(w, "history known at the start: the rules' top %.0f%% + %.0f%% random of %s; budget %.0f%% a day; outcomes known %g day(s) later%s\n\n",
		100*in.HistoryTop, 100*in.HistoryRand, strings.Join(in.History, ", "), 100*in.Budget, in.Delay, in.classDelayText())
	cols := []string{"precision", "precision_new", "recall", "duty_recovered", "detection_estimate_error", "detection_estimate_ipw_error", "exploration_share"}
	fmt.Fprintf(w, "%-18s", "policy")
	for _, c := range cols {
		fmt.Fprintf(w, " %24s", c)
	}
	fmt.Fprintln(w)
	for _, p := range r.Policies {
		fmt.Fprintf(w, "%-18s", p)
		for _, c := range cols {
			iv := r.Get(p, c)
			fmt.Fprintf(w, " %24s", fmtIv(iv, strings.HasSuffix(c, "_error")))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nreferences over the whole test file (labels no policy sees: every history outcome):")
	for _, ref := range r.References {
		fmt.Fprintf(w, "  %-30s at %3.0f%%: precision %.3f, recall %.3f; new tuples: precision %.3f\n", ref.Name, 100*ref.Share,
			ref.Precision, ref.Recall, ref.PrecisionNew)
	}
	return nil
}

// fmtIv writes a mean and its interval: fractions with 3 decimals, points
// with 1.
func fmtIv(iv Interval, points bool) string {
	if math.IsNaN(iv.Mean) {
		return "—"
	}
	f := "%.3f [%.3f, %.3f]"
	if points {
		f = "%+.1f [%+.1f, %+.1f]"
	}
	return fmt.Sprintf(f, iv.Mean, iv.Low, iv.High)
}

// weeklySVG draws one weekly metric per policy, with its 95% band over seeds.
func (r *LearnReport) weeklySVG(metric, title, yLabel string) ([]byte, error) {
	p := newChart(title, "week of the replayed quarter", yLabel)
	p.X.Min, p.X.Max = 1, float64(r.Weeks)
	for pi, name := range r.Policies {
		var line, hi, lo plotter.XYs
		for _, s := range r.Weekly {
			if s.Policy != name || s.Metric != metric || math.IsNaN(s.Mean) {
				continue
			}
			line = append(line, plotter.XY{X: float64(s.Week), Y: s.Mean})
			if !math.IsNaN(s.Low) {
				hi = append(hi, plotter.XY{X: float64(s.Week), Y: s.High})
				lo = append(lo, plotter.XY{X: float64(s.Week), Y: s.Low})
			}
		}
		if len(line) < 2 {
			continue
		}
		c := paletteColor(pi)
		if len(hi) >= 2 {
			poly := append(plotter.XYs{}, hi...)
			for i := len(lo) - 1; i >= 0; i-- {
				poly = append(poly, lo[i])
			}
			band, err := plotter.NewPolygon(poly)
			if err != nil {
				return nil, err
			}
			rr, gg, bb, _ := c.RGBA()
			band.Color = color.NRGBA{R: uint8(rr >> 8), G: uint8(gg >> 8), B: uint8(bb >> 8), A: 0x30}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		l, err := plotter.NewLine(line)
		if err != nil {
			return nil, err
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(name, l)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	return renderSVG(p, chartW, chartH)
}

func (r *LearnReport) doc() (*reportDoc, error) {
	in := r.Inputs
	doc := &reportDoc{Title: "pilotsim learn --replay: " + in.Records,
		Subtitle: fmt.Sprintf("%d declarations over %d weeks from %s, history %s, mapping %s, rules %s; %d seeds from seed %d",
			in.Rows, r.Weeks, backtest.DayString(in.FirstDay), strings.Join(in.History, ", "), in.Mapping, in.Rules, in.Seeds, in.Seed),
		Intro: []string{
			fmt.Sprintf("Targeting that learns only from its own inspections. At the start the only outcomes known are those an earlier policy inspected: per day, the rules' top %.0f%% plus %.0f%% at random of the history files (%s). The replayed file is then run day by day: each policy inspects %.0f%% of the day's declarations, and only those reveal their outcome, %g day(s) later%s. No policy sees the outcome of a declaration it did not inspect.",
				100*in.HistoryTop, 100*in.HistoryRand, strings.Join(in.History, ", "), 100*in.Budget, in.Delay, in.classDelayText()),
			fmt.Sprintf("Every figure is given over all rows and over rows whose goods tuple (%s) appears in no history row: %d of %d rows, %.1f%% fraud (%.1f%% over all rows). The Korean synthetic data copy labelled goods across files, so on the other rows a look-up of the tuple's past outcome is near certain.",
				in.Novelty, in.NewRows, in.Rows, 100*in.NewFraud, 100*in.Fraud),
			"Means over seeds with 95% Student t intervals; seeds change the random share of the starting history, the random stratum and the Thompson draws. Release times are not defined in a replay (the files hold none): release_p90_h is left out.",
		}}
	pt := reportTable{Caption: "Per policy over the quarter: mean [95% interval over seeds]",
		Header:  []string{"policy", "precision", "precision, new tuples", "recall", "duty recovered", "random share"},
		Numeric: []bool{false, true, true, true, true, true}}
	for _, p := range r.Policies {
		pt.Rows = append(pt.Rows, []string{p, fmtIv(r.Get(p, "precision"), false), fmtIv(r.Get(p, "precision_new"), false),
			fmtIv(r.Get(p, "recall"), false), fmtIv(r.Get(p, "duty_recovered"), false), learnPct(r.Get(p, "exploration_share").Mean)})
	}
	et := reportTable{Caption: "Honest estimates of the detection rate, in points: mean error [95% interval], mean absolute error of one seed, share of seeds whose 95% interval holds the truth (pooled: analytic; IPW: bootstrap over days)",
		Header: []string{"policy", "true detection", "pooled: mean error", "pooled: mean |error|", "pooled: interval covers", "quarter's weight",
			"IPW: mean error", "IPW: mean |error|", "IPW: interval covers", "doubly robust: mean error", "doubly robust: mean |error|"},
		Numeric: []bool{false, true, true, true, true, true, true, true, true, true, true}}
	for _, p := range r.Policies {
		if r.Get(p, "detection_estimate_error").N == 0 {
			continue
		}
		et.Rows = append(et.Rows, []string{p, fmtIv(r.Get(p, "detection"), false), fmtIv(r.Get(p, "detection_estimate_error"), true),
			fmtPts(r.Get(p, "detection_estimate_abs_error").Mean), learnPct(r.Get(p, "detection_interval_covers").Mean),
			learnPct(r.Get(p, "detection_estimate_quarter_weight").Mean),
			fmtIv(r.Get(p, "detection_estimate_ipw_error"), true), fmtPts(r.Get(p, "detection_estimate_ipw_abs_error").Mean),
			learnPct(r.Get(p, "detection_interval_ipw_covers").Mean),
			fmtIv(r.Get(p, "detection_estimate_dr_error"), true), fmtPts(r.Get(p, "detection_estimate_dr_abs_error").Mean)})
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "policies", Title: "Policies",
		Text: []string{"rules: the shipped rule set scored with the history the learner starts from (frozen through the quarter). rules@full: the same rules with every history outcome, which no learning policy sees: a reference. learned: the learned model, exploiting. +random: 10% of the budget drawn at random among the declarations not targeted. thompson: ranked by a draw from the model's posterior. adaptive: a random share between 5% and 30% and, while alarmed, an optimistic (upper-confidence) ranking, opened by an alarm read from observed outcomes: the targeted inspections finding less than the model predicted, or the random stratum finding more than it used to.",
			"The detection estimate is what a customs service can compute: found ÷ the estimated total of fraud, from the random stratum; it needs one, so it is blank for policies without one."},
		Tables: []reportTable{pt}})
	if len(et.Rows) > 0 {
		doc.Sections = append(doc.Sections, reportSection{ID: "estimates", Title: "What the service can know of what it misses",
			Text:   []string{"A customs service does not know the fraud it did not inspect. From the random stratum it can estimate it: each randomly chosen declaration stands for 1/q declarations not targeted that day (inverse-propensity weighting, IPW). The doubly robust estimate adds the model's expected fraud over the declarations not targeted and corrects it with the random stratum's residuals: unbiased whatever the model, with less spread when the model is good. Both need a random stratum; their spread falls with its size. With 10% of a 10% budget the quarter's random stratum finds some 13 frauds, and one seed's IPW estimate errs by about 5 points. The pooled estimate (the headline) adds the history's random stratum, which an earlier policy left (some 900 outcomes): the two irregular rates are averaged, each weighted by the inverse of its variance, the history's variance including how much the rate moved between the history's own quarters (its drift); its interval is analytic, from that variance, on the log scale. It assumes the rate moves between quarters no more than it did in the history; the quarter's weight says how much the quarter's own stratum counts."},
			Tables: []reportTable{et}})
	}

	dt := reportTable{Caption: "Selection bias: each policy minus learned (exploit only) on the same seeds, mean [95% interval]",
		Header: []string{"policy", "precision", "precision, new tuples", "recall", "recall, new tuples", "duty recovered"}, Numeric: []bool{false, true, true, true, true, true}}
	for _, p := range r.Policies {
		if r.Get(p, "precision_minus_learned").N == 0 {
			continue
		}
		row := []string{p}
		for _, m := range []string{"precision", "precision_new", "recall", "recall_new", "duty_recovered"} {
			iv := r.Get(p, m+"_minus_learned")
			row = append(row, fmt.Sprintf("%+.3f [%+.3f, %+.3f]", iv.Mean, iv.Low, iv.High))
		}
		dt.Rows = append(dt.Rows, row)
	}
	if len(dt.Rows) > 0 {
		doc.Sections = append(doc.Sections, reportSection{ID: "selection-bias", Title: "Exploration against exploitation", Tables: []reportTable{dt}})
	}
	for _, c := range []struct{ id, metric, title, y string }{
		{"weekly-precision", "precision", "Precision per week", "share of inspections that found fraud"},
		{"weekly-precision-new", "precision_new", "Precision per week on new goods tuples", "share of inspections of new tuples that found fraud"},
		{"weekly-estimate-error", "detection_estimate_error", "Error of the weekly detection estimate (pooled)", "estimate − truth (points)"},
	} {
		svg, err := r.weeklySVG(c.metric, c.title, c.y)
		if err != nil {
			return nil, err
		}
		doc.Sections = append(doc.Sections, reportSection{ID: c.id, Title: c.title,
			Chart: &reportChart{SVG: svg, Caption: c.title + ": mean over seeds, shaded its 95% interval."}})
	}
	rt := reportTable{Caption: "References: rankings of the whole replayed file, with labels no policy sees",
		Header: []string{"ranking", "inspected", "precision", "recall", "precision, new tuples", "recall, new tuples"}, Numeric: []bool{false, true, true, true, true, true}}
	for _, ref := range r.References {
		rt.Rows = append(rt.Rows, []string{ref.Name, learnPct(ref.Share), fmt.Sprintf("%.3f", ref.Precision), fmt.Sprintf("%.3f", ref.Recall),
			fmt.Sprintf("%.3f", ref.PrecisionNew), fmt.Sprintf("%.3f", ref.RecallNew)})
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "references", Title: "The copy effect",
		Text:   []string{"Ranked over the whole file as pilotsim backtest ranks it: the rules scored with every history outcome (frozen), and the exact look-up of a declaration's goods tuple among the labelled history rows (its past fraud rate; unseen tuples last). The look-up needs no targeting skill: it finds the copies. On new tuples both fall to near the base rate."},
		Tables: []reportTable{rt}})
	doc.Notes = []string{"Made by pilotsim learn --replay. Files beside this report: policies.csv (policy,metric,mean,ci_low,ci_high), learn.csv (weekly curves with 95% intervals over seeds). docs/learning.md explains the loop, the model and the estimates."}
	return doc, nil
}

func fmtPts(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func learnPct(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

// WriteHTML writes the self-contained HTML report.
func (r *LearnReport) WriteHTML(w io.Writer) error {
	doc, err := r.doc()
	if err != nil {
		return err
	}
	return doc.writeHTML(w)
}

// WriteFiles writes policies.csv, learn.csv, report.html and report.md into
// dir, each atomically.
func (r *LearnReport) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"policies.csv", r.WritePoliciesCSV}, {"learn.csv", r.WriteCurvesCSV}} {
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	doc, err := r.doc()
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}
