package results

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// planFixture is a plan of two weeks' durations with known curves.
func planFixture() *Plan {
	p := &Plan{Baseline: "seaport", Measure: "nii-pilot", Pilots: 400,
		Config: PlanConfig{PreWeeks: 8, MaxWeeks: 3, Weeks: 2, Alpha: 0.05, Power: 0.8, Sites: 8, SharedPool: true}}
	for d := range NumDesigns {
		for _, f := range []string{"release.red.median", "detection", "inspection_rate"} {
			r := PlanRow{Design: d.String(), Figure: f, Unit: "h", Effect: -6.6, Weeks: 2, WeeksNeeded: float64(d) + 1,
				FalsePos: 0.05, SeqFalsePos: 0.048, PowerCurve: []float64{0.2, 0.5, 0.9}, MDECurve: []float64{9, 6, 4},
				SharedEffect: math.NaN(), InterferenceBias: math.NaN(), InterferenceBiasSE: math.NaN()}
			if f == "inspection_rate" {
				r.Effect, r.WeeksNeeded = 0, math.Inf(1)
			}
			if d == DesignStratum && f == "release.red.median" {
				r.SharedEffect, r.InterferenceBias, r.InterferenceBiasSE = -4.9, 1.7, 0.1
			}
			p.Rows = append(p.Rows, r)
		}
	}
	return p
}

// TestPlanReport: report.html has the power and MDE charts of the figures
// the measure changes (not of those it does not), the weeks-needed and A/A
// tables, and the measured interference.
func TestPlanReport(t *testing.T) {
	dir := t.TempDir()
	if err := planFixture().WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	h := string(b)
	for _, want := range []string{"Power against weeks, per design", "Minimum detectable effect against duration", "Weeks needed",
		"A/A false-positive rate at 2 weeks", "5.0% / 4.8%", "Random stratum: interference", "1.700", "stepped-wedge"} {
		if !strings.Contains(h, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(h, "<svg"); n != 2 {
		t.Errorf("report.html has %d charts, want 2 (power, MDE)", n)
	}
	// Panels: the figures with an effect only.
	for i, svg := range strings.Split(h, "<svg")[1:] {
		svg, _, _ = strings.Cut(svg, "</svg>")
		if !strings.Contains(svg, "release.red.median") || strings.Contains(svg, "inspection_rate") {
			t.Errorf("chart %d should have a panel for release.red.median and none for the unchanged inspection rate", i+1)
		}
	}
	for _, f := range []string{"power.svg", "mde.svg"} {
		if _, err := os.Stat(filepath.Join(dir, ReportChartsDir, f)); err != nil {
			t.Error(err)
		}
	}
}
