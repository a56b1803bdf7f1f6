package results

import (
	"bytes"
	"strings"
	"testing"

	"pilotsim/metric"
)

// stabilityReport is a report of two replications with the stability
// metrics: unstable (per replication), an offered load, and the warm-up used
// and MSER's.
func stabilityReport(t *testing.T, unstable [2]float64, load [2]float64, warmup, mser float64) *Report {
	t.Helper()
	metrics := []Metric{
		{Key: metric.Key{Family: metric.Consignments}, Unit: metric.Count},
		{Key: metric.Key{Family: metric.Pool, Subject: "physical", Stat: metric.OfferedLoad}, Of: metric.OfPool, Unit: metric.Load},
		{Key: metric.Key{Family: metric.Warmup, Stat: metric.Length}, Unit: metric.Hours},
		{Key: metric.Key{Family: metric.Warmup, Stat: metric.MSER}, Unit: metric.Hours},
		{Key: metric.Key{Family: metric.Unstable}, Unit: metric.Count},
	}
	reps := []Replication{
		{Rep: 0, Values: []float64{100, load[0], warmup, mser, unstable[0]}},
		{Rep: 1, Values: []float64{110, load[1], warmup, mser, unstable[1]}},
	}
	r, err := NewReport(Run{Scenario: "s", Seed: 1, Replications: 2}, metrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStability: one unstable replication makes the run unstable, with the
// overloaded pool named, in the table, the JSON and a comparison; a stable
// run says nothing; a warm-up shorter than MSER's gives a warning.
func TestStability(t *testing.T) {
	bad := stabilityReport(t, [2]float64{0, 1}, [2]float64{0.98, 1.04}, 168, 0)
	st := bad.Stability()
	if !st.Unstable || st.UnstableReps != 1 || len(st.Reasons) != 1 || !strings.Contains(st.Reasons[0], "pool physical is offered 101% of its capacity") {
		t.Fatalf("stability %+v", st)
	}
	var b bytes.Buffer
	if err := bad.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "*** "+UnstableBanner+" (1 of 2 replications)") {
		t.Errorf("table lacks the banner:\n%s", b.String())
	}
	if j := bad.JSON(); !j.Unstable || j.UnstableReps != 1 || len(j.Reasons) != 1 {
		t.Errorf("JSON: unstable %v, %d replications, reasons %q", j.Unstable, j.UnstableReps, j.Reasons)
	}
	if doc, err := bad.runDoc(); err != nil || len(doc.Alerts) != 1 || !strings.HasPrefix(doc.Alerts[0], UnstableBanner) {
		t.Errorf("run report alerts %q (%v)", doc.Alerts, err)
	}
	good := stabilityReport(t, [2]float64{0, 0}, [2]float64{0.7, 0.72}, 168, 0)
	if st := good.Stability(); st.Unstable || len(st.Reasons)+len(st.Warnings) != 0 {
		t.Errorf("stable run: %+v", st)
	}
	b.Reset()
	if err := good.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "UNSTABLE") || strings.Contains(b.String(), "warning") {
		t.Errorf("stable run's table warns:\n%s", b.String())
	}
	c, err := NewComparison([]string{"good", "bad"}, []*Report{good, bad})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := c.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "*** bad is "+UnstableBanner) || strings.Contains(b.String(), "*** good") {
		t.Errorf("comparison table:\n%s", b.String())
	}
	if j := c.JSON(); j.Scenarios[0].Unstable || !j.Scenarios[1].Unstable {
		t.Errorf("comparison JSON: %+v", j.Scenarios)
	}
	short := stabilityReport(t, [2]float64{0, 0}, [2]float64{0.7, 0.7}, 24, 96)
	if st := short.Stability(); len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "warm-up (1d) looks too short: MSER puts the end of the start-up transient at 4d") {
		t.Errorf("short warm-up: %+v", st)
	}
}
