package sim

import (
	"testing"

	"pilotsim/scenarios"
)

// TestOverallPrevalence: with traders.prevalence: overall, the share of
// irregular consignments is the threat's prevalence whatever the AEO share,
// and AEO consignments are aeo_prevalence_factor times as often irregular as
// others; with the default (non_aeo) the overall share falls as the AEO share
// rises.
func TestOverallPrevalence(t *testing.T) {
	const prev, factor = 0.02, 0.25
	for _, tc := range []struct {
		name    string
		mode    string
		aeo     float64
		overall float64 // expected share of irregular consignments
	}{
		{"overall, 20% AEO", "overall", 0.2, prev},
		{"overall, 80% AEO", "overall", 0.8, prev},
		{"non_aeo, 80% AEO", "", 0.8, prev * (1 - 0.8*(1-factor))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := engScenario(200, 10)
			sc.Traders.Count = 50000 // many small traders: the AEO volume share stays near aeo_share
			sc.Traders.Zipf = 0
			sc.Traders.AEOShare = tc.aeo
			sc.Traders.AEOPrevalenceFactor = engF(factor)
			sc.Traders.Prevalence = tc.mode
			sc.Threats = []scenarios.Threat{{Name: "x", Prevalence: prev, CleanShare: 1}}
			cs := engAll(engCompile(t, sc), 0)
			var irr, aeo, aeoIrr int
			for i := range cs {
				if cs[i].Irregular() {
					irr++
				}
				if cs[i].Flags&FlagAEO != 0 {
					aeo++
					if cs[i].Irregular() {
						aeoIrr++
					}
				}
			}
			engCheckBinomial(t, "irregular consignments", irr, len(cs), tc.overall, 4)
			nonAEO := len(cs) - aeo
			pn := tc.overall / (1 - tc.aeo*(1-factor))
			engCheckBinomial(t, "irregular non-AEO consignments", irr-aeoIrr, nonAEO, pn, 4)
			engCheckBinomial(t, "irregular AEO consignments", aeoIrr, aeo, factor*pn, 4)
		})
	}
}
