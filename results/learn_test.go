package results

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"pilotsim/sim/learn"
	"pilotsim/sim/learn/replay"
)

// fakeLearn makes replay results by hand: policy "learned" finds 30 of 100
// inspected, "learned+random" 25 + rep, with known estimates.
func fakeLearn() [][]*replay.Result {
	var out [][]*replay.Result
	for _, p := range []string{"learned", "learned+random"} {
		var rs []*replay.Result
		for rep := range 3 {
			found := 30.0
			est := learn.Interval{Est: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
			pooled, weight := est, math.NaN()
			if p != "learned" {
				found = 25 + float64(rep)
				est = learn.Interval{Est: found/200 + 0.02, Lo: found/200 - 0.05, Hi: found/200 + 0.05}
				pooled, weight = learn.Interval{Est: found/200 - 0.01, Lo: found/200 + 0.001, Hi: found/200 + 0.02}, 0.25
			}
			w := replay.Tally{N: 1000, Irregular: 200, Revenue: 1000, Inspected: 100, Found: found, FoundRevenue: 10 * found,
				NNew: 100, IrregularNew: 20, InspectedNew: 10, FoundNew: 3, Random: 10}
			if p == "learned" {
				w.Random = 0
			}
			r := &replay.Result{Policy: p, Rep: rep, Weeks: []replay.Tally{w}, Total: w, Detection: found / 200, Estimate: est,
				EstimateDR: est, UndetectedEstimate: est, EstimatePooled: pooled, PooledWeight: weight}
			rs = append(rs, r)
		}
		out = append(out, rs)
	}
	return out
}

// TestLearnReport checks the aggregation: means, the paired difference with
// learned, undefined estimates left empty, and the CSV headers.
func TestLearnReport(t *testing.T) {
	r := NewLearnReport(LearnInputs{Records: "x.csv", Seeds: 3}, fakeLearn(), nil)
	for _, c := range []struct {
		policy, metric string
		want           float64
	}{
		{"learned", "precision", 0.30},
		{"learned+random", "precision", 0.26},                // (25+26+27)/3/100
		{"learned+random", "precision_minus_learned", -0.04}, // paired on seeds
		{"learned+random", "detection_estimate_error", -1},   // the pooled estimate, −0.01 in points
		{"learned+random", "detection_interval_covers", 0},   // the pooled interval misses the truth
		{"learned+random", "detection_estimate_quarter_weight", 0.25},
		{"learned+random", "detection_interval_width", 1.9},
		{"learned+random", "detection_interval_ipw_width", 10},
		{"learned+random", "detection_estimate_ipw_error", 2}, // +0.02 in points
		{"learned+random", "detection_interval_ipw_covers", 1},
		{"learned", "precision_new", 0.3},
		{"learned", "duty_recovered", 0.3},
	} {
		if got := r.Get(c.policy, c.metric).Mean; math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s %s = %v, want %v", c.policy, c.metric, got, c.want)
		}
	}
	if iv := r.Get("learned", "detection_estimate"); !math.IsNaN(iv.Mean) {
		t.Errorf("exploit-only detection estimate %v: want undefined (no random stratum)", iv.Mean)
	}
	if iv := r.Get("learned+random", "detection_interval_ipw_covers"); iv.High > 1 || iv.Low < 0 {
		t.Errorf("share interval %+v outside [0, 1]", iv)
	}
	var b bytes.Buffer
	if err := r.WritePoliciesCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "policy,metric,mean,ci_low,ci_high\n") || !strings.Contains(b.String(), "learned,detection_estimate,,,\n") {
		t.Errorf("policies.csv:\n%s", b.String())
	}
	b.Reset()
	if err := r.WriteCurvesCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "policy,week,week_start,metric,mean,ci_low,ci_high\nlearned,1,1970-01-01,precision,0.3,") {
		t.Errorf("learn.csv:\n%.300s", b.String())
	}
	b.Reset()
	if err := r.WriteHTML(&b); err != nil || !strings.Contains(b.String(), "Exploration against exploitation") {
		t.Errorf("report.html: %v", err)
	}
}
