package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"pilotsim/sim"
)

// This file summarises pilotsim learn SCENARIO.yaml: each targeting policy
// run over the same seeds (common random numbers), as weekly curves
// (learn.csv) and a summary per policy (policies.csv), each figure a mean
// over seeds with its 95% Student t interval.

// Files pilotsim learn writes.
const (
	LearnCSVFile    = "learn.csv"
	PoliciesCSVFile = "policies.csv"
)

// LearnStudy is what pilotsim learn measured: Reps[p][s] is policy p's run
// of seed s.
type LearnStudy struct {
	Scenario string
	Seed     uint64
	Policies []string
	Threats  []string
	Reps     [][]sim.LearnRep
	// CeilingWeek is the week (1-based) at whose end oracle_share_week is
	// measured, over that week and the one before (12: weeks 11 and 12).
	CeilingWeek int
	// DriftWeek is the first week (0-based) of a drift, DriftThreat its
	// threat's index; DriftWeek < 0 without drift.
	DriftWeek, DriftThreat int
}

// NewLearnStudy groups Learn's results (policy by policy, seeds in order).
func NewLearnStudy(scenario string, seed uint64, policies, threats []string, reps []sim.LearnRep, seeds int) (*LearnStudy, error) {
	if len(reps) != len(policies)*seeds {
		return nil, fmt.Errorf("learn: %d runs for %d policies × %d seeds", len(reps), len(policies), seeds)
	}
	s := &LearnStudy{Scenario: scenario, Seed: seed, Policies: policies, Threats: threats, CeilingWeek: 12, DriftWeek: -1}
	for p := range policies {
		s.Reps = append(s.Reps, reps[p*seeds:(p+1)*seeds])
	}
	return s, nil
}

// learnRatio is a/b, NaN when b is 0.
func learnRatio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// learnMetric is one figure of a LearnWeek.
type learnMetric struct {
	name string
	f    func(w *sim.LearnWeek) float64
}

// learnMetrics are the figures of learn.csv (per week) and policies.csv
// (over the statistics window), in order.
var learnMetrics = []learnMetric{
	{"inspection_rate", func(w *sim.LearnWeek) float64 { return learnRatio(float64(w.Inspected), float64(w.Arrivals)) }},
	{"exploration_share", func(w *sim.LearnWeek) float64 { return learnRatio(float64(w.Explored), float64(w.Inspected)) }},
	{"precision", func(w *sim.LearnWeek) float64 { return learnRatio(float64(w.Found), float64(w.Inspected)) }},
	{"recall", func(w *sim.LearnWeek) float64 {
		return learnRatio(float64(w.IrregularInspected), float64(w.Irregular))
	}},
	{"detection", func(w *sim.LearnWeek) float64 { return learnRatio(float64(w.Found), float64(w.Irregular)) }},
	{"detection_findable", func(w *sim.LearnWeek) float64 { return learnRatio(float64(w.Found), w.Findable) }},
	{"detection_estimate", func(w *sim.LearnWeek) float64 { return learnRatio(float64(w.Found), w.IPW) }},
	{"detection_estimate_error", func(w *sim.LearnWeek) float64 {
		return learnRatio(float64(w.Found), w.IPW) - learnRatio(float64(w.Found), w.Findable)
	}},
	{"duty_recovered", func(w *sim.LearnWeek) float64 { return w.DutyRecovered }},
	{"duty_recovered_share", func(w *sim.LearnWeek) float64 { return learnRatio(w.DutyRecovered, w.DutyAtStake) }},
	{"release_median_h", func(w *sim.LearnWeek) float64 { return w.ReleaseMedianH }},
	{"release_p90_h", func(w *sim.LearnWeek) float64 { return w.ReleaseP90H }},
	{"inspected_median_h", func(w *sim.LearnWeek) float64 { return w.InspectedMedianH }},
	{"inspected_p90_h", func(w *sim.LearnWeek) float64 { return w.InspectedP90H }},
}

// LearnSimRow is one line of learn.csv or policies.csv.
type LearnSimRow struct {
	Policy string
	Week   int // 1-based week of arrival (0 in policies.csv)
	Metric string
	Interval
}

// threatDetection returns the detection of threat k in w.
func threatDetection(w *sim.LearnWeek, k int) float64 {
	return learnRatio(float64(w.FoundBy[k]), float64(w.IrregularBy[k]))
}

// weekRange sums weeks [from, to) of r (clamped).
func weekRange(r *sim.LearnRep, from, to int) sim.LearnWeek {
	var t sim.LearnWeek
	t.IrregularBy, t.FoundBy = make([]int64, len(r.Total.IrregularBy)), make([]int64, len(r.Total.FoundBy))
	from, to = max(from, 0), min(to, len(r.Weeks))
	for i := from; i < to; i++ {
		w := &r.Weeks[i]
		t.Arrivals += w.Arrivals
		t.Irregular += w.Irregular
		t.Inspected += w.Inspected
		t.Explored += w.Explored
		t.IrregularInspected += w.IrregularInspected
		t.Found += w.Found
		t.Findable += w.Findable
		t.IPW += w.IPW
		t.DutyAtStake += w.DutyAtStake
		t.DutyRecovered += w.DutyRecovered
		for k := range w.IrregularBy {
			t.IrregularBy[k] += w.IrregularBy[k]
			t.FoundBy[k] += w.FoundBy[k]
		}
	}
	return t
}

// Weekly returns learn.csv's rows: for each policy, week and figure (the
// learnMetrics, then detection.<threat>), the mean over seeds and its
// interval.
func (s *LearnStudy) Weekly() []LearnSimRow {
	var rows []LearnSimRow
	for p, name := range s.Policies {
		reps := s.Reps[p]
		if len(reps) == 0 {
			continue
		}
		x := make([]float64, len(reps))
		for w := range reps[0].Weeks {
			for _, m := range learnMetrics {
				for i := range reps {
					x[i] = m.f(&reps[i].Weeks[w])
				}
				rows = append(rows, LearnSimRow{Policy: name, Week: w + 1, Metric: m.name, Interval: MeanCI(x, Confidence)})
			}
			for k, th := range s.Threats {
				for i := range reps {
					x[i] = threatDetection(&reps[i].Weeks[w], k)
				}
				rows = append(rows, LearnSimRow{Policy: name, Week: w + 1, Metric: "detection." + th, Interval: MeanCI(x, Confidence)})
			}
		}
	}
	return rows
}

// oracleIndex returns the index of the oracle policy, or -1.
func (s *LearnStudy) oracleIndex() int {
	for i, p := range s.Policies {
		if p == "oracle" {
			return i
		}
	}
	return -1
}

// Summary returns policies.csv's rows: for each policy, the learnMetrics
// and detection.<threat> over the statistics window; with the oracle among
// the policies, oracle_share (detection as a share of the oracle's on the
// same seed) over the window and oracle_share_week (over the ceiling week
// and the one before); with a drift, the drifted threat's detection in the
// four weeks before and after it (drift_before, drift_after), their ratio
// (drift_retained), and weeks_to_recover (see RecoveryWeeks).
func (s *LearnStudy) Summary() []LearnSimRow {
	var rows []LearnSimRow
	oi := s.oracleIndex()
	add := func(policy, metric string, x []float64) {
		rows = append(rows, LearnSimRow{Policy: policy, Metric: metric, Interval: MeanCI(x, Confidence)})
	}
	for p, name := range s.Policies {
		reps := s.Reps[p]
		x := make([]float64, len(reps))
		for _, m := range learnMetrics {
			for i := range reps {
				x[i] = m.f(&reps[i].Total)
			}
			add(name, m.name, x)
		}
		for k, th := range s.Threats {
			for i := range reps {
				x[i] = threatDetection(&reps[i].Total, k)
			}
			add(name, "detection."+th, x)
		}
		if oi >= 0 {
			for i := range reps {
				o := &s.Reps[oi][i].Total
				x[i] = learnRatio(learnRatio(float64(reps[i].Total.Found), float64(reps[i].Total.Irregular)),
					learnRatio(float64(o.Found), float64(o.Irregular)))
			}
			add(name, "oracle_share", x)
			cw := s.CeilingWeek
			for i := range reps {
				a, o := weekRange(&reps[i], cw-2, cw), weekRange(&s.Reps[oi][i], cw-2, cw)
				x[i] = learnRatio(learnRatio(float64(a.Found), float64(a.Irregular)), learnRatio(float64(o.Found), float64(o.Irregular)))
			}
			add(name, "oracle_share_week", x)
		}
		if s.DriftWeek > 0 && len(reps) > 0 && s.DriftWeek < len(reps[0].Weeks) {
			k, d := s.DriftThreat, s.DriftWeek
			before, after := make([]float64, len(reps)), make([]float64, len(reps))
			for i := range reps {
				b, a := weekRange(&reps[i], d-4, d), weekRange(&reps[i], d, d+4)
				before[i], after[i] = threatDetection(&b, k), threatDetection(&a, k)
				x[i] = learnRatio(after[i], before[i])
			}
			add(name, "drift_before", before)
			add(name, "drift_after", after)
			add(name, "drift_retained", x)
			rows = append(rows, LearnSimRow{Policy: name, Metric: "weeks_to_recover", Interval: s.RecoveryWeeks(p)})
		}
	}
	return rows
}

// RecoveryWeeks returns how many weeks after the drift starts policy p's
// detection of the drifted threat first reaches 90% of its level in the four
// weeks before the drift again: the first week w (counted from the drift's
// week, 0: at once) whose two-week detection (weeks w and w+1, pooled over
// seeds) does. It is read from the curve pooled over seeds, since one seed's
// weekly counts are too few; its 95% interval is the percentile interval of
// the same figure over RecoveryResamples bootstrap resamples of the seeds
// (drawn from the stream of the study's seed, the policy's name and
// PurposeRecoveryBootstrap, so that a policy's interval does not depend on
// which other policies run beside it). A
// policy that has not recovered by the horizon gets the weeks left
// (censored: at least that), in the figure and in each resample.
func (s *LearnStudy) RecoveryWeeks(p int) Interval {
	reps := s.Reps[p]
	if len(reps) == 0 || s.DriftWeek <= 0 || s.DriftWeek >= len(reps[0].Weeks) {
		return Interval{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
	}
	n := len(reps)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	iv := Interval{Mean: s.recoveryWeeks(reps, idx), Low: math.NaN(), High: math.NaN(), N: n}
	if n < 2 {
		return iv
	}
	r := sim.Stream(s.Seed, policyStream(s.Policies[p]), PurposeRecoveryBootstrap)
	x := make([]float64, RecoveryResamples)
	for b := range x {
		for i := range idx {
			idx[i] = r.IntN(n)
		}
		x[b] = s.recoveryWeeks(reps, idx)
	}
	slices.Sort(x)
	iv.Low = x[int(0.025*float64(len(x)-1)+0.5)]
	iv.High = x[int(0.975*float64(len(x)-1)+0.5)]
	return iv
}

// RecoveryResamples is the number of bootstrap resamples of the seeds behind
// the interval of weeks_to_recover.
const RecoveryResamples = 1000

// PurposeRecoveryBootstrap is the stream purpose of the seeds' bootstrap
// resamples for weeks_to_recover (replication: policyStream of the policy's
// name).
const PurposeRecoveryBootstrap sim.Purpose = 49

// policyStream is the replication number of a policy's own streams: a
// 31-bit FNV-1a hash of its name.
func policyStream(name string) int {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return int(h & 0x7fffffff)
}

// recoveryWeeks is RecoveryWeeks' figure over the seeds idx of reps (a seed
// may repeat).
func (s *LearnStudy) recoveryWeeks(reps []sim.LearnRep, idx []int) float64 {
	d, k := s.DriftWeek, s.DriftThreat
	sum := func(from, to int) float64 {
		var f, n float64
		for _, i := range idx {
			w := weekRange(&reps[i], from, to)
			f += float64(w.FoundBy[k])
			n += float64(w.IrregularBy[k])
		}
		return learnRatio(f, n)
	}
	before := sum(d-4, d)
	weeks := len(reps[0].Weeks)
	for w := d; w+2 <= weeks; w++ {
		if sum(w, w+2) >= 0.9*before {
			return float64(w - d)
		}
	}
	return float64(weeks - d)
}

// learnSimCell formats a number for the CSV files (6 significant digits,
// as the replay's files), empty where undefined.
func learnSimCell(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// writeLearnRows writes rows as CSV: policies.csv has the columns
// policy,metric,mean,ci_low,ci_high; learn.csv (week) has
// policy,week,week_start,metric,mean,ci_low,ci_high, week_start the
// simulated day the week starts ("14d"), as the replay's learn.csv has
// its calendar date.
func writeLearnRows(w io.Writer, rows []LearnSimRow, week bool) error {
	cw := csv.NewWriter(w)
	head := []string{"policy", "metric", "mean", "ci_low", "ci_high"}
	if week {
		head = []string{"policy", "week", "week_start", "metric", "mean", "ci_low", "ci_high"}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Policy, r.Metric, learnSimCell(r.Mean), learnSimCell(r.Low), learnSimCell(r.High)}
		if week {
			rec = append([]string{r.Policy, strconv.Itoa(r.Week), strconv.Itoa(7*(r.Week-1)) + "d"}, rec[1:]...)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteFiles writes learn.csv and policies.csv into dir, each atomically.
func (s *LearnStudy) WriteFiles(dir string) error {
	weekly, summary := s.Weekly(), s.Summary()
	if err := WriteFileAtomic(filepath.Join(dir, LearnCSVFile), func(w io.Writer) error { return writeLearnRows(w, weekly, true) }); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, PoliciesCSVFile), func(w io.Writer) error { return writeLearnRows(w, summary, false) })
}

// LearnSimSchemaVersion is the schema_version of pilotsim learn
// SCENARIO.yaml --json.
const LearnSimSchemaVersion = 1

// WriteJSON writes the summary as one JSON object: schema_version, the
// scenario, seed and policies, and per policy and metric the mean and its
// interval (null where undefined), as policies.csv.
func (s *LearnStudy) WriteJSON(w io.Writer) error {
	type row struct {
		Policy string    `json:"policy"`
		Metric string    `json:"metric"`
		Mean   JSONFloat `json:"mean"`
		Low    JSONFloat `json:"ci_low"`
		High   JSONFloat `json:"ci_high"`
	}
	seeds := 0
	if len(s.Reps) > 0 {
		seeds = len(s.Reps[0])
	}
	out := struct {
		Schema   int      `json:"schema_version"`
		Scenario string   `json:"scenario"`
		Seed     uint64   `json:"seed"`
		Seeds    int      `json:"seeds"`
		Policies []string `json:"policies"`
		Summary  []row    `json:"summary"`
	}{Schema: LearnSimSchemaVersion, Scenario: s.Scenario, Seed: s.Seed, Seeds: seeds, Policies: s.Policies}
	for _, r := range s.Summary() {
		out.Summary = append(out.Summary, row{r.Policy, r.Metric, JSONFloat(r.Mean), JSONFloat(r.Low), JSONFloat(r.High)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
