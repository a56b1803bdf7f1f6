package sim

import (
	"context"
	"math"
	"testing"

	"pilotsim/scenarios"
)

// TestReferenceAdministrations runs the two reference administrations of
// scenarios/examples/administrations and checks that they reproduce the
// published headline figures their headers cite, within 10%: Japan Customs'
// 2015 Time Release Study of sea cargo (vessel arrival → import permit
// 59.5 h, declaration → permit 2.4 h) and the WTO Trade Policy Review of
// Korea (declaration processing 1.5 h and port entry → exit 1.4 days in
// 2021, physical inspection about 3%). Each figure is the mean over the
// scenario's replications.
func TestReferenceAdministrations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two scenarios of 10 replications")
	}
	declToPermit := func(m map[string]float64) float64 {
		// Every declaration is lodged after arrival in both files, so
		// lodgement → lane plus lane → release is declaration → release.
		return m["trs.lodgement_lane.mean"] + m["trs.lane_release.mean"]
	}
	for _, tc := range []struct {
		file    string
		figures []struct {
			name      string
			published float64
			got       func(m map[string]float64) float64
		}
	}{
		{"japan-sea-2015.yaml", []struct {
			name      string
			published float64
			got       func(m map[string]float64) float64
		}{
			{"arrival → permit (h)", 59.5, func(m map[string]float64) float64 { return m["release.all.mean"] }},
			{"declaration → permit (h)", 2.4, declToPermit},
		}},
		{"korea-2021.yaml", []struct {
			name      string
			published float64
			got       func(m map[string]float64) float64
		}{
			{"port entry → exit (h)", 1.4 * 24, func(m map[string]float64) float64 { return m["release.all.mean"] }},
			{"declaration processing (h)", 1.5, declToPermit},
			{"physical inspection (share)", 0.03, func(m map[string]float64) float64 { return m["lane.red.share"] }},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			sc, err := scenarios.Load("../scenarios/examples/administrations/"+tc.file, nil)
			if err != nil {
				t.Fatal(err)
			}
			m := engCompile(t, sc)
			reps, err := Run(context.Background(), m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			mean := map[string]float64{}
			for i, d := range m.Metrics() {
				s := 0.0
				for _, r := range reps {
					s += r.Values[i]
				}
				mean[d.Name()] = s / float64(len(reps))
			}
			for _, f := range tc.figures {
				got := f.got(mean)
				rel := got/f.published - 1
				t.Logf("%-28s published %7.3f simulated %7.3f (%+.1f%%)", f.name, f.published, got, 100*rel)
				if math.Abs(rel) > 0.10 {
					t.Errorf("%s: simulated %v, published %v: %.1f%% off, more than 10%%", f.name, got, f.published, 100*rel)
				}
			}
		})
	}
}
