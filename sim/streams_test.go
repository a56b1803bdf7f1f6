package sim

import "testing"

// TestPurposeValues pins the stream purposes: they seed every random stream,
// so a changed value would change every result.
func TestPurposeValues(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Purpose
		want uint64
	}{
		{"traders", PurposeTraders, 1}, {"arrivals", PurposeArrivals, 2}, {"features", PurposeFeatures, 3},
		{"threats", PurposeThreats, 4}, {"selection", PurposeSelection, 5}, {"controls", PurposeControls, 6},
		{"detection", PurposeDetection, 7}, {"lodgement", PurposeLodgement, 8}, {"record", PurposeRecord, 9},
		{"phase", PurposePhase, 20}, {"assessment", PurposeAssessment, 32},
		{"targeting", PurposeTargeting, 40}, {"audit", PurposeAudit, 41},
	} {
		if uint64(c.p) != c.want {
			t.Errorf("Purpose %s = %d, want %d", c.name, c.p, c.want)
		}
	}
}
