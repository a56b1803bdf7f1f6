package sim

import (
	"context"
	"math"
	"testing"
)

// TestDrainRemovesCensoring runs the seaport example over one week (horizon
// Monday 00:00, warm-up one day): the physical-examination teams close on
// Saturday at 19:00, so every red consignment arriving from then on, a large
// share of the red lane, is still queued at the horizon. With the drain (the
// default) the red lane's mean release time is that of the same scenario run
// for two weeks with the statistics window still ending after one (arrivals
// go on), within the 95% interval; stopped at the horizon (drain 0) the
// queued ones drop out of the mean and it is far too low.
func TestDrainRemovesCensoring(t *testing.T) {
	const reps = 8
	run := func(sets ...string) (mean, half float64, queued float64) {
		t.Helper()
		m := runLoad(t, "seaport", append([]string{"warmup=1d", "horizon=7d", "replications=8"}, sets...)...)
		res, err := Run(context.Background(), m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var xs []float64
		for _, r := range res {
			xs = append(xs, runValue(t, m, r, "release.red.mean"))
			queued += runValue(t, m, r, "in_system.count") / reps
		}
		sum, ss := 0.0, 0.0
		for _, x := range xs {
			sum += x
		}
		mean = sum / reps
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		const t975 = 2.3646 // Student t, 7 degrees of freedom
		return mean, t975 * math.Sqrt(ss/(reps-1)/reps), queued
	}
	drained, hw, queued := run()
	longer, hwLonger, _ := run("horizon=14d", "window_end=7d")
	censored, _, _ := run("drain=0")
	t.Logf("red mean release: drained %.2f ± %.2f h, two weeks with the same window %.2f ± %.2f h, censored at the horizon %.2f h; %.0f in the system at the horizon",
		drained, hw, longer, hwLonger, censored, queued)
	if queued < 200 {
		t.Fatalf("only %.0f consignments in the system at the horizon: the test proves little", queued)
	}
	if math.Abs(drained-longer) > hw {
		t.Errorf("drained mean %.3f h differs from the longer run's %.3f h by more than the half-width %.3f h", drained, longer, hw)
	}
	if censored > drained-2*hw {
		t.Errorf("censored mean %.3f h is not clearly below the drained %.3f ± %.3f h: the test cannot tell", censored, drained, hw)
	}
}
