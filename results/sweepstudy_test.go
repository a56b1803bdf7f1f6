package results

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
)

// sweepFixture runs "the fixture" at selectivity.red = 40 … 80: a higher
// threshold inspects less, detects less and releases faster, except at 60,
// made slower than 50 so that it is dominated on the time frontier (and
// only there).
func sweepFixture(t *testing.T, params []SweepParam) *Sweep {
	t.Helper()
	base := fixtureReport(t)
	grid, err := Grid(params)
	if err != nil {
		t.Fatal(err)
	}
	var points []SweepPoint
	for _, g := range grid {
		k := float64(g.Index % len(params[0].Values))
		if len(params) > 1 {
			k = float64(g.Index / len(params[1].Values))
		}
		release := -0.3 * k
		if g.Values[0] == "60" {
			release = 0.2
		}
		shifts := map[string]float64{
			"inspection_rate":  -0.02 * k,
			"detection_rate":   -0.05 * k,
			"release.all.mean": release,
			"release.all.p90":  2 * release,
		}
		if len(params) > 1 {
			shifts["pool.nii.utilization"] = 0.05 * float64(g.Index%len(params[1].Values))
		}
		points = append(points, SweepPoint{GridPoint: g, Report: shifted(t, base, "fixture", shifts, 0.003, float64(g.Index))})
	}
	s, err := NewSweep("fixture", params, points)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSweepFrontiersAndFiles(t *testing.T) {
	s := sweepFixture(t, []SweepParam{{Path: "selectivity.red", Values: []string{"40", "50", "60", "70", "80"}}})
	// Detection falls with the threshold, so every point is on both frontiers
	// except 60: it detects less than 50 and is slower.
	if want := []bool{true, true, false, true, true}; !slices.Equal(s.OnFrontier, want) {
		t.Errorf("time frontier %v, want %v", s.OnFrontier, want)
	}
	if want := []bool{true, true, true, true, true}; !slices.Equal(s.OnInspectionFrontier, want) {
		t.Errorf("inspection frontier %v, want %v", s.OnInspectionFrontier, want)
	}
	var tab, csv bytes.Buffer
	if err := s.WriteTable(&tab); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	filetest.Golden(t, "sweep-table.txt", tab.Bytes())
	filetest.Golden(t, "sweep.csv", csv.Bytes())

	dir := reportOut(t, "sweep")
	if err := s.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{SweepCSVFile, SweepJSONFile, filepath.Join(SweepPointDir, "002_selectivity.red=60", AggregateJSONFile)} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if err := s.WriteSweepReport(dir); err != nil {
		t.Fatal(err)
	}
	checkReportFiles(t, dir, []string{"trade-off", "metrics"})
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	filetest.Golden(t, "sweep-report.md", md)
	// The panel titles made from the pool's name write its acronym in
	// capitals: "NII utilization", never "Nii utilization".
	html, _ := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	if !strings.Contains(string(html), ">NII utilization</text>") || strings.Contains(string(html), "Nii") {
		t.Error("the sweep report's NII panel is not titled \"NII utilization\"")
	}
}

func TestSweepGridReport(t *testing.T) {
	s := sweepFixture(t, []SweepParam{
		{Path: "selectivity.red", Values: []string{"40", "50", "60"}},
		{Path: "resources.pools[nii].servers", Values: []string{"2", "3"}},
	})
	if len(s.Points) != 6 {
		t.Fatalf("%d points, want 6", len(s.Points))
	}
	dir := reportOut(t, "sweep-grid")
	if err := s.WriteSweepReport(dir); err != nil {
		t.Fatal(err)
	}
	checkReportFiles(t, dir, []string{"trade-off", "metrics"})
}
