package sim

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestRunGroupsLodgement runs seaport.yaml and advance-information.yaml
// (shortened) and checks the lodgement groups against what the scenarios say.
// Seaport lodges a normal(12 h, 18 h) lead before arrival (truncated far out,
// at -3 d and 4 d): a share Φ(12/18) ≈ 74.8% at or before arrival, within 4
// binomial standard deviations; those lodged after arrival wait for their
// lodgement, on average E[-lead | lead < 0] ≈ 10.8 h, so they are released
// later. Advance information lodges at least 1 d before arrival: every
// consignment is pre-arrival, and the post-arrival group is empty (NaN).
func TestRunGroupsLodgement(t *testing.T) {
	sets := []string{"horizon=3d", "warmup=12h", "replications=1"}
	run := func(name string) func(string) float64 {
		m := runLoad(t, name, sets...)
		res, err := Run(context.Background(), m, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return func(metric string) float64 { return runValue(t, m, res[0], metric) }
	}
	sea := run("seaport")
	n := sea("consignments")
	p := distuv.UnitNormal.CDF(12.0 / 18)
	if got := sea("share.pre_arrival"); !borderBinomialOK(got*n, n, p) {
		t.Errorf("seaport: share.pre_arrival %v of %v, want %v", got, n, p)
	}
	if pre, post := sea("release.pre_arrival.mean"), sea("release.post_arrival.mean"); !(post > pre+5) {
		t.Errorf("seaport: release.post_arrival.mean %v h, pre_arrival %v h: want post-arrival over 5 h later", post, pre)
	}
	adv := run("advance-information")
	if got := adv("share.pre_arrival"); got != 1 {
		t.Errorf("advance-information: share.pre_arrival %v, want 1", got)
	}
	if got := adv("release.post_arrival.mean"); !math.IsNaN(got) {
		t.Errorf("advance-information: release.post_arrival.mean %v, want NaN (none)", got)
	}
	if got, want := adv("release.pre_arrival.mean"), adv("release.all.mean"); math.Abs(got-want) > 1e-12*want {
		t.Errorf("advance-information: release.pre_arrival.mean %v != release.all.mean %v", got, want)
	}
}
