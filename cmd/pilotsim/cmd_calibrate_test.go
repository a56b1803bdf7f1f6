package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/scenarios"
	"pilotsim/sim"
)

// distMedian is the median of a fitted or shipped service distribution.
func distMedian(t *testing.T, d scenarios.Dist) float64 {
	t.Helper()
	switch d.Kind {
	case "lognormal":
		if d.Median != nil {
			return *d.Median
		}
		s2 := math.Log1p(*d.CV * *d.CV)
		return *d.Mean * math.Exp(-s2/2)
	case "gamma":
		k := 1 / (*d.CV * *d.CV)
		return distuv.Gamma{Alpha: k, Beta: k / *d.Mean}.Quantile(0.5)
	case "exp":
		return *d.Mean * math.Ln2
	case "normal":
		return *d.Mean
	}
	t.Fatalf("no median for %s", d.Kind)
	return 0
}

// meanMetrics runs m and returns each metric's mean over the replications.
func meanMetrics(t *testing.T, sc *scenarios.Scenario) map[string]float64 {
	t.Helper()
	m, err := sim.Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := sim.Run(context.Background(), m, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for i, d := range m.Metrics() {
		s, n := 0.0, 0
		for _, r := range reps {
			if v := r.Values[i]; !math.IsNaN(v) {
				s += v
				n++
			}
		}
		out[d.Name()] = s / float64(n)
	}
	return out
}

// TestCalibrateRoundTrip is the round trip of issue 12: the trace of the
// seaport scenario (two replications of 28 days, 134,700 consignments) is
// read as event records; calibrate must recover the arrival rate, the lane
// shares and the service medians within 5%, and the fitted scenario's mean
// and p90 release time per lane must come within 10% of the original's
// (both simulated with the scenario's 10 replications and seed). The errors
// are logged (go test -v -run TestCalibrateRoundTrip ./cmd/pilotsim).
func TestCalibrateRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates the seaport three times")
	}
	dir := t.TempDir()
	src := "../../scenarios/examples/seaport.yaml"
	code, _, stderr := runCmd(context.Background(), "run", src, "--reps", "2", "--trace", "--out", dir, "--quiet")
	if code != exitOK {
		t.Fatalf("run: %s", stderr)
	}
	fitted := filepath.Join(t.TempDir(), "fitted.yaml") // not inside the run's folder: another study
	code, stdout, stderr := runCmd(context.Background(), "calibrate", filepath.Join(dir, "consignments.csv"), "--base", src, "--out", fitted)
	if code != exitOK {
		t.Fatalf("calibrate: exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "DOES NOT FIT") {
		t.Errorf("the fit check reports a misfit:\n%s", stdout)
	}
	orig, err := scenarios.Load(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := scenarios.Load(fitted, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want, tol float64) {
		rel := (got - want) / want
		t.Logf("%-28s original %9.4f fitted %9.4f error %+6.2f%%", name, want, got, 100*rel)
		if math.Abs(rel) > tol {
			t.Errorf("%s: fitted %v, original %v: error %.1f%% beyond %.0f%%", name, got, want, 100*rel, 100*tol)
		}
	}
	check("rate sea (per hour)", fit.Traffic["sea"].Rate, orig.Traffic["sea"].Rate, 0.05)
	om, fm := meanMetrics(t, orig), meanMetrics(t, fit)
	for _, lane := range []string{"yellow", "red"} {
		check("lane share "+lane, fm["lane."+lane+".share"], om["lane."+lane+".share"], 0.05)
		// About 1,300 yellow and 650 red random draws in two replications:
		// a binomial standard error of 3-4%, so 10% (about 3 standard errors).
		check("random rate "+lane, fit.Selectivity.Random[lane].Rate, orig.Selectivity.Random[lane].Rate, 0.10)
	}
	for i, p := range orig.Resources.Pools {
		check("service median "+p.Name, distMedian(t, fit.Resources.Pools[i].Service), distMedian(t, p.Service), 0.05)
		check("servers "+p.Name, float64(fit.Resources.Pools[i].Servers), float64(p.Servers), 0.05)
	}
	for _, lane := range []string{"all", "green", "yellow", "red"} {
		for _, st := range []string{"mean", "p90"} {
			name := fmt.Sprintf("release.%s.%s", lane, st)
			check(name, fm[name], om[name], 0.10)
		}
	}
}

func TestCalibrateBadInput(t *testing.T) {
	dir := t.TempDir()
	recs := filepath.Join(dir, "r.csv")
	os.WriteFile(recs, []byte("arrival,channel\n2025-01-06T00:00:00Z,green\n2025-01-06T01:00:00Z,purple\n"), 0o644)
	one := filepath.Join(dir, "one.csv")
	os.WriteFile(one, []byte("arrival\n2025-01-06T00:00:00Z\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no base", []string{"calibrate", recs, "--out", filepath.Join(dir, "f.yaml")}, "want --base"},
		{"bad record", []string{"calibrate", recs, "--base", "testdata/small.yaml", "--out", filepath.Join(dir, "f.yaml")}, `r.csv: line 3, col 2: column channel: "purple" is not a channel`},
		{"no time span", []string{"calibrate", one, "--base", "testdata/small.yaml", "--out", filepath.Join(dir, "f.yaml")}, "span no time"},
		{"bad base", []string{"calibrate", recs, "--base", "testdata/bad.yaml", "--out", filepath.Join(dir, "f.yaml")}, "bad.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(context.Background(), tc.args...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "f.yaml")); err == nil {
				t.Error("a fitted scenario was written despite the error")
			}
		})
	}
}
