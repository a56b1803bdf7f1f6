package results

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"pilotsim/metric"
)

func TestParsePrecision(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		value    float64
		relative bool
		suffix   string
		err      string // part of the error, "" when it parses
	}{
		{"hours", "release.red.mean=0.1h", 0.1, false, "h", ""},
		{"minutes are hours/60", "release.all.mean=6min", 0.1, false, "min", ""},
		{"m is minutes", "release.all.mean=12m", 0.2, false, "min", ""},
		{"percentage points are fractions/100", "detection=0.5pp", 0.005, false, "pp", ""},
		{"percent is relative", "hit_rate=5%", 0.05, true, "%", ""},
		{"bare number in the metric's unit", "duty.recovered=1000", 1000, false, "", ""},
		{"spaces around", " detection = 1 pp ", 0.01, false, "pp", ""},
		{"no =", "detection", 0, false, "", "want METRIC=HALFWIDTH"},
		{"no name", "=1h", 0, false, "", "want METRIC=HALFWIDTH"},
		{"no half-width", "detection=", 0, false, "", "want METRIC=HALFWIDTH"},
		{"negative", "detection=-1pp", 0, false, "", `"-1pp": want a number above 0`},
		{"zero", "release.red=0h", 0, false, "", "want a number above 0"},
		{"unknown unit", "release.red.mean=2d", 0, false, "", `"2d" is not a number with a unit`},
		{"not a number", "detection=abc", 0, false, "", "is not a number"},
		{"infinite", "detection=Inf", 0, false, "", "is not a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePrecision(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParsePrecision(%q) = %+v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrecision(%q): %v", tc.in, err)
			}
			if math.Abs(got.Value-tc.value) > 1e-12 || got.Relative != tc.relative || got.Suffix != tc.suffix || got.Spec != tc.in {
				t.Errorf("ParsePrecision(%q) = %+v, want value %g relative %v suffix %q", tc.in, got, tc.value, tc.relative, tc.suffix)
			}
		})
	}
}

func TestPrecisionResolve(t *testing.T) {
	defs := []Metric{
		{Key: metric.Key{Family: metric.Detection}, Unit: metric.Fraction},
		{Key: metric.Key{Family: metric.Detection, Subject: "narcotics"}, Of: metric.OfThreat, Unit: metric.Fraction},
		{Key: metric.Key{Family: metric.Hit}, Unit: metric.Fraction},
		{Key: metric.Key{Family: metric.Release, Subject: "red", Stat: metric.Mean}, Unit: metric.Hours},
		{Key: metric.Key{Family: metric.Duty, Stat: metric.Recovered}, Unit: metric.Currency},
		{Key: metric.Key{Family: metric.Lift, Stat: metric.Estimate}},
	}
	for _, tc := range []struct {
		name, in, metric, err string
	}{
		{"full name", "detection_rate=1pp", "detection_rate", ""},
		{"short form", "detection=1pp", "detection_rate", ""},
		{"short form as first part", "detection.narcotics=2pp", "detection_rate.narcotics", ""},
		{"statistic left out is the mean", "release.red=0.1h", "release.red.mean", ""},
		{"relative fits every unit", "duty.recovered=5%", "duty.recovered", ""},
		{"bare number in currency", "duty.recovered=1000", "duty.recovered", ""},
		{"fraction as a fraction", "hit=0.001", "hit_rate", ""},
		{"lift", "lift=0.1", "lift.estimate", ""},
		{"unknown name suggests close ones", "detection.narcotic=1pp", "", "close ones: detection_rate, detection_rate.narcotics"},
		{"unknown family lists the common ones", "foo=1h", "", `no metric "foo"; want a metric name as aggregate.csv lists it (release.all.mean`},
		{"hours on a fraction", "detection=0.5h", "", "detection_rate is a fraction; want a fraction's half-width in percentage points"},
		{"pp on a time", "release.red.mean=1pp", "", "release.red.mean is a time in hours; want a time's half-width in hours"},
		{"pp on money", "duty.recovered=1pp", "", "duty.recovered is an amount of duty; want a half-width in the metric's unit"},
		{"a bare fraction of 1 or more", "detection=2", "", "want a fraction's half-width below 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePrecision(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Resolve(defs)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
					t.Fatalf("Resolve(%q): %v; want an error naming the value and %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || p.Metric.Name() != tc.metric {
				t.Errorf("Resolve(%q) = %s, %v; want %s", tc.in, p.Metric.Name(), err, tc.metric)
			}
		})
	}
}

// TestPrecisionCheck: the half-width held to a target is the larger side of
// an asymmetric interval; a relative target is a share of the reference.
func TestPrecisionCheck(t *testing.T) {
	frac := Metric{Key: metric.Key{Family: metric.Hit}, Unit: metric.Fraction}
	abs := PrecisionTarget{Spec: "hit=0.3pp", Value: 0.003, Metric: frac}
	rel := PrecisionTarget{Spec: "hit=50%", Value: 0.5, Relative: true, Metric: frac}
	asym := Interval{Mean: 0.004, Low: 0.002, High: 0.0069, N: 5} // sides 0.002 below, 0.0029 above
	for _, tc := range []struct {
		name    string
		target  PrecisionTarget
		iv      Interval
		ref     float64
		hw      float64
		want    float64
		reached bool
	}{
		{"larger side, within", abs, asym, asym.Mean, 0.0029, 0.003, true},
		{"larger side decides", PrecisionTarget{Spec: "hit=0.25pp", Value: 0.0025, Metric: frac}, asym, asym.Mean, 0.0029, 0.0025, false},
		{"relative to the reference", rel, asym, 0.004, 0.0029, 0.002, false},
		{"relative to another reference (compare's baseline)", rel, asym, 0.01, 0.0029, 0.005, true},
		{"no interval is not reached", abs, Interval{Mean: 0.004, Low: math.NaN(), High: math.NaN(), N: 1}, 0.004, math.NaN(), 0.003, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.target.Check("", tc.iv, tc.ref)
			if hw := float64(c.HalfWidth); !(math.Abs(hw-tc.hw) < 1e-12 || math.IsNaN(hw) && math.IsNaN(tc.hw)) ||
				math.Abs(float64(c.Want)-tc.want) > 1e-12 || c.Reached != tc.reached {
				t.Errorf("Check = half-width %g want %g reached %v; want %g, %g, %v", c.HalfWidth, c.Want, c.Reached, tc.hw, tc.want, tc.reached)
			}
		})
	}
}

func TestNextReplications(t *testing.T) {
	check := func(hw, want float64) PrecisionCheck {
		return PrecisionCheck{HalfWidth: JSONFloat(hw), Want: JSONFloat(want), Reached: hw <= want}
	}
	for _, tc := range []struct {
		name      string
		r, max    int
		checks    []PrecisionCheck
		want      int
		wantAbove int // when > 0: want is a lower bound (a projection)
	}{
		{"every target reached: stop", 10, 200, []PrecisionCheck{check(1, 2), check(0.5, 0.5)}, 10, 0},
		{"at the cap: stop", 200, 200, []PrecisionCheck{check(3, 1)}, 200, 0},
		{"a little too wide: one step", 10, 200, []PrecisionCheck{check(1.05, 1)}, 15, 0},
		// (1.3)² · 20 = 33.8, and t(33)/t(19) < 1 brings it to about 31.4: 35.
		{"projection with t, to a multiple of the step", 20, 200, []PrecisionCheck{check(1.3, 1)}, 35, 0},
		{"the widest decides", 20, 200, []PrecisionCheck{check(1.3, 1), check(1.1, 1), check(0.5, 1)}, 35, 0},
		{"no more than double", 10, 200, []PrecisionCheck{check(10, 1)}, 20, 0},
		{"doubling from few still adds a step", 3, 200, []PrecisionCheck{check(10, 1)}, 10, 0},
		{"no further than the cap", 160, 200, []PrecisionCheck{check(10, 1)}, 200, 0},
		{"no interval: one step", 10, 200, []PrecisionCheck{{HalfWidth: JSONFloat(math.NaN()), Want: 1}}, 15, 0},
		{"nothing wanted (relative to a mean of 0): one step", 10, 200, []PrecisionCheck{{HalfWidth: 0.1, Want: 0}}, 15, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NextReplications(tc.r, tc.max, tc.checks); got != tc.want {
				t.Errorf("NextReplications(%d, %d) = %d, want %d", tc.r, tc.max, got, tc.want)
			}
		})
	}
}

// TestProjectRepsMeetsTarget: the projected count is where the t interval
// of the same spread reaches the target, and not one replication later.
func TestProjectRepsMeetsTarget(t *testing.T) {
	hwAt := func(n int, s float64) float64 { return MeanCI(spread(n, s), Confidence).HalfWidth() }
	for _, r := range []int{5, 10, 30} {
		const s = 1.0
		want := hwAt(r, s) / 2.5 // 2.5 times too wide
		n := int(math.Ceil(projectReps(r, 2.5)))
		if hwAt(n, s) > want*(1+1e-9) || hwAt(n-1, s) <= want {
			t.Errorf("r=%d: projected %d; half-widths %g at n and %g at n−1, want %g reached first at n", r, n, hwAt(n, s), hwAt(n-1, s), want)
		}
	}
}

// spread returns n values with standard deviation exactly s.
func spread(n int, s float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	sd := stat.StdDev(x, nil)
	for i := range x {
		x[i] *= s / sd
	}
	return x
}

func TestPrecisionSummary(t *testing.T) {
	frac := Metric{Key: metric.Key{Family: metric.Detection}, Unit: metric.Fraction}
	hours := Metric{Key: metric.Key{Family: metric.Release, Subject: "red", Stat: metric.Mean}, Unit: metric.Hours}
	det := PrecisionTarget{Spec: "detection=0.5pp", Value: 0.005, Metric: frac}
	red := PrecisionTarget{Spec: "release.red=5%", Value: 0.05, Relative: true, Metric: hours}
	checks := []PrecisionCheck{
		det.Check("B − A", Interval{Mean: 0.01, Low: 0.006, High: 0.014, N: 40}, 0.1),
		det.Check("C − A", Interval{Mean: 0.01, Low: 0.005, High: 0.0149, N: 40}, 0.1), // the widest of the two
		red.Check("B − A", Interval{Mean: -6, Low: -6.2, High: -5.8, N: 40}, 10),
	}
	p := NewPrecision([]PrecisionTarget{det, red}, 10, 200, []int{10, 20, 40}, checks)
	got := strings.Join(p.Summary(), "\n")
	want := `Precision on demand: 40 replications (run in batches to 10, 20, 40, at most 200), every target reached:
  detection_rate (C − A): ± 0.5 pp, wanted ± 0.5 pp: reached
  release.red.mean (B − A): ± 0.2 h, wanted ± 5% of the mean (± 0.5 h): reached`
	if got != want || !p.Reached || p.Replications != 40 {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	checks[0].Reached = false
	p = NewPrecision([]PrecisionTarget{det, red}, 10, 40, []int{10, 20, 40}, checks)
	if p.Reached || !strings.Contains(p.Summary()[0], "NOT every target reached: stopped at --max-reps 40") {
		t.Errorf("a check not reached: %v", p.Summary())
	}
}
