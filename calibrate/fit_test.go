package calibrate

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// TestFitPositive draws 20,000 values from each family and checks that the
// AIC picks that family and recovers its parameters within 3% (the standard
// error of a mean or median of 20,000 draws is well under 1%).
func TestFitPositive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name   string
		draw   func() float64
		family string
		check  func(d scenarios.Dist) (got, want float64)
	}{
		{"exponential mean 30", func() float64 { return 30 * rng.ExpFloat64() }, "exp",
			func(d scenarios.Dist) (float64, float64) { return *d.Mean, 30 }},
		{"lognormal median 60 sigma 0.6", func() float64 { return 60 * math.Exp(0.6*rng.NormFloat64()) }, "lognormal",
			func(d scenarios.Dist) (float64, float64) { return *d.Median, 60 }},
		{"gamma mean 120 shape 6 (Erlang: a sum of 6 exponentials)", func() float64 {
			x := 0.0
			for range 6 {
				x += rng.ExpFloat64()
			}
			return 20 * x
		}, "gamma", func(d scenarios.Dist) (float64, float64) { return *d.Mean, 120 }},
		{"normal mean 500 sd 20", func() float64 { return 500 + 20*rng.NormFloat64() }, "normal",
			func(d scenarios.Dist) (float64, float64) { return *d.Mean, 500 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := newDurAcc(1, 1)
			for range 20000 {
				acc.add(tc.draw())
			}
			fit := fitPositive(acc)
			if fit.Family != tc.family {
				t.Errorf("chose %s (AIC %v), want %s", fit.Family, fit.AIC, tc.family)
			}
			if got, want := tc.check(fit.Dist); math.Abs(got/want-1) > 0.03 {
				t.Errorf("parameter %v, want %v", got, want)
			}
			if fit.KS > 0.02 {
				t.Errorf("KS distance of the chosen fit %v, want < 0.02 for 20,000 draws of the family", fit.KS)
			}
		})
	}
}

func TestOpeningHours(t *testing.T) {
	var day [168]int64
	for d := range 6 { // Monday to Saturday, 07:00-19:00
		for h := 7; h < 19; h++ {
			day[d*24+h] = 50
		}
	}
	h, _ := openingHours(day)
	if h == nil || h.Open != 7*60 || h.Close != 19*60 || len(h.Days) != 6 || h.Days[5] != "sat" {
		t.Errorf("day shifts: got %+v", h)
	}
	var night [168]int64
	for d := range 7 { // 22:00-06:00 every day
		for _, hr := range []int{22, 23, 0, 1, 2, 3, 4, 5} {
			night[d*24+hr] = 10
		}
	}
	if h, _ := openingHours(night); h == nil || h.Open != 22*60 || h.Close != 6*60 || h.Days != nil {
		t.Errorf("night shift: got %+v", h)
	}
	var all [168]int64
	for i := range all {
		all[i] = 3
	}
	if h, _ := openingHours(all); h != nil {
		t.Errorf("around the clock: got %+v, want nil", h)
	}
}

func TestMaxConcurrent(t *testing.T) {
	ev := []edge{{0, 1}, {10, -1}, {10, 1}, {20, -1}, {5, 1}, {15, -1}}
	if got := maxConcurrent(ev); got != 2 {
		t.Errorf("got %d, want 2 (an end and a start at 10 do not overlap)", got)
	}
}

func TestKS2(t *testing.T) {
	if d := KS2([]float64{1, 2, 3}, []float64{1, 2, 3}); d != 0 {
		t.Errorf("same samples: %v", d)
	}
	if d := KS2([]float64{1, 2}, []float64{3, 4}); d != 1 {
		t.Errorf("disjoint samples: %v", d)
	}
}

// TestConstantDurations: durations that never vary (lodgement always at
// arrival, an automatic assessment) are fitted as a constant; a family fitted
// to them had a spread of rounding noise, and the check then found green
// release times of 1e-7 h 'not fitting' the records' zeros (KS 0.5).
func TestConstantDurations(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    float64
		fit  func(*durAcc) DistFit
	}{
		{"zero assessments", 0, fitPositive},
		{"ten-minute controls", 10, fitPositive},
		{"lodgement at arrival", 0, fitLead},
		{"lodgement an hour before", 60, fitLead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc := newDurAcc(1, 1)
			for i := range 1000 {
				// float noise of times in seconds since 1970, in minutes
				acc.add(tc.x + float64(i%3-1)*1e-10)
			}
			f := tc.fit(acc)
			if f.Family != "const" || f.Dist.Kind != "const" || *f.Dist.Value != tc.x || f.KS != 0 {
				t.Errorf("got %s %+v KS %v, want const %v", f.Family, f.Dist, f.KS, tc.x)
			}
			if c := f.Comment("values"); !strings.Contains(c, "a constant") || strings.Contains(c, "AIC") {
				t.Errorf("comment %q", c)
			}
		})
	}
}

// TestLocalHours: the hourly profile and the opening hours are read in local
// time (the record's offset): arrivals and controls at 09:00-11:00 local,
// written at UTC+3, are in hours 9 and 10, not 6 and 7.
func TestLocalHours(t *testing.T) {
	f := NewFitter(1)
	nan := math.NaN()
	t0 := float64(datamodel.TraceEpoch.Unix()) // Monday 00:00 UTC
	for d := range 14 {
		for k := range 20 {
			r := datamodel.EventRecord{AEO: -1, Outcome: -1, Lodgement: nan, Assessed: nan, Release: nan, Duty: nan, Offset: 3 * 3600}
			for s := range r.Queue {
				r.Queue[s], r.Start[s], r.End[s] = nan, nan, nan
			}
			local := float64(d*86400) + 9*3600 + float64(k)*360 // 09:00-10:54 local
			r.Arrival = t0 + local - 3*3600
			r.Start[datamodel.StepPhysical], r.End[datamodel.StepPhysical] = r.Arrival, r.Arrival+600
			r.Release = r.Arrival + 600
			f.Add(&r)
		}
	}
	m := f.modes["unknown"]
	var byH [24]int64
	for hw, n := range m.byHour {
		byH[hw%24] += n
	}
	if byH[9]+byH[10] != 280 {
		t.Errorf("arrivals by local hour: %v, want all 280 in 9h and 10h", byH)
	}
	h, _ := openingHours(f.steps[datamodel.StepPhysical].starts)
	if h == nil || h.Open != 9*60 || h.Close != 11*60 {
		t.Errorf("opening hours %+v, want 09:00 to 11:00", h)
	}
}

// TestSampleBound: a sample column of one value per record is refused by
// Fit instead of growing the fitter without bound.
func TestSampleBound(t *testing.T) {
	f := NewFitter(1)
	nan := math.NaN()
	r := datamodel.EventRecord{AEO: -1, Outcome: -1, Lodgement: nan, Assessed: nan, Release: nan, Duty: nan}
	for s := range r.Queue {
		r.Queue[s], r.Start[s], r.End[s] = nan, nan, nan
	}
	for i := range MaxSamples + 10 {
		r.Sample = strconv.Itoa(i)
		r.Arrival = float64(i)
		r.Mode = "mode" + strconv.Itoa(i%1000)
		f.Add(&r)
	}
	if len(f.spans) != MaxSamples || len(f.modes) > maxModes+1 {
		t.Errorf("%d samples and %d modes kept", len(f.spans), len(f.modes))
	}
	sc, err := scenarios.Parse("min.yaml", []byte(minimalScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Fit(sc, "min.yaml"); err == nil || !strings.Contains(err.Error(), "more than 65536 distinct values (10 records left out)") {
		t.Errorf("got %v", err)
	}
}

const minimalScenario = `name: minimal
horizon: 1d
traffic:
  sea: {rate: 10}
traders: {count: 100, zipf: 1, aeo_share: 0.3, new_share: 0.05}
trade:
  origins: {CN: 3, US: 1}
  hs_chapters: {all: 1}
  value_per_kg: {dist: lognormal, median: 5, sigma: 1}
threats:
  - name: narcotics
    prevalence: 0.001
    detection: {document: 0.05, nii: 0.7, physical: 0.9}
rules:
  - {id: R1, score: 60, when: {origin: [CO]}}
selectivity: {red: 60}
resources:
  pools:
    - {name: document, servers: 2, service: {dist: exp, mean: 20m}}
    - {name: physical, servers: 2, service: {dist: exp, mean: 2h}}
  red: [physical]
`
