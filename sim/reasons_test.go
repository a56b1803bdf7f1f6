package sim

import (
	"context"
	"math"
	"testing"
)

// TestReasonMetrics checks hit rate and detection by reason of selection on
// the seaport example: the reasons' detections add up to the detection
// rate, the risk-selected stratum is every reason but random, its hit rate
// over the random one is the estimated lift, and the true lift is the
// irregular share of risk-selected controls over the prevalence; and,
// pooled over the replications (a replication's random stratum finds only a
// handful), random controls hit less often than score-selected ones.
func TestReasonMetrics(t *testing.T) {
	m := runLoad(t, "seaport", "replications=4")
	res, err := Run(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var found, controlled [2]float64 // random, score; pooled over the replications
	for _, r := range res {
		v := func(name string) float64 { return runValue(t, m, r, name) }
		for i, reason := range []string{"random", "score"} {
			n := runValue(t, m, r, "lane.yellow."+reason+".count") + runValue(t, m, r, "lane.red."+reason+".count")
			controlled[i] += n
			found[i] += math.Round(v("hit_rate.reason."+reason) * n)
		}
		sum := 0.0
		for _, reason := range []string{"score", "forced", "random", "expected"} {
			sum += v("detection_rate.reason." + reason)
		}
		if math.Abs(sum-v("detection_rate")) > 1e-12 {
			t.Errorf("rep %d: detections by reason add up to %v, detection_rate %v", r.Rep, sum, v("detection_rate"))
		}
		if d := v("detection_rate") - v("detection_rate.reason.random"); math.Abs(d-v("detection_rate.reason.selected")) > 1e-12 {
			t.Errorf("rep %d: risk-selected detection %v, want detection − random = %v", r.Rep, v("detection_rate.reason.selected"), d)
		}
		if v("hit_rate.reason.random") == 0 {
			if !math.IsNaN(v("lift.estimate")) {
				t.Errorf("rep %d: random controls found nothing, lift.estimate %v, want NaN", r.Rep, v("lift.estimate"))
			}
		} else if want := v("hit_rate.reason.selected") / v("hit_rate.reason.random"); math.Abs(v("lift.estimate")-want) > 1e-12 {
			t.Errorf("rep %d: lift.estimate %v, want %v", r.Rep, v("lift.estimate"), want)
		}
		// Seaport's rules aim at the threats: risk-selected controls are
		// richer in irregular consignments than the traffic.
		if lt := v("lift.true"); !(lt > 1) {
			t.Errorf("rep %d: true lift %v, want above 1", r.Rep, lt)
		}
	}
	if rnd, score := found[0]/controlled[0], found[1]/controlled[1]; !(rnd < score) || found[0] < 10 {
		t.Errorf("pooled: random hit rate %v (%v found), want below score's %v", rnd, found[0], score)
	}
}
