package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
)

// shifted returns a copy of the fixture report with metric name moved by
// delta in every replication, plus noise of size wobble that differs from
// the fixture's (phase), standing for another scenario.
func shifted(t *testing.T, r *Report, scenario string, shifts map[string]float64, wobble, phase float64) *Report {
	t.Helper()
	reps := make([]Replication, len(r.Reps))
	for k, rep := range r.Reps {
		v := append([]float64(nil), rep.Values...)
		for i, m := range r.Metrics {
			if d, ok := shifts[m.Name()]; ok && !math.IsNaN(v[i]) {
				v[i] += d + wobble*math.Sin(phase+float64(7*k+i))
			}
		}
		reps[k] = Replication{Rep: rep.Rep, Values: v}
	}
	out, err := NewReport(Run{Scenario: scenario, Seed: r.Seed, Replications: r.Replications}, r.Metrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestComparisonOfIdenticalScenariosIsZero(t *testing.T) {
	a := fixtureReport(t)
	b := fixtureReport(t)
	c, err := NewComparison([]string{"A", "B"}, []*Report{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Paired[0] {
		if d.N == 0 {
			continue // undefined in every replication (hit_rate.yellow)
		}
		if d.Mean != 0 || d.Low != 0 || d.High != 0 || d.ExcludesZero {
			t.Errorf("%s: %v [%v, %v], want exactly 0 [0, 0]", d.Name(), d.Mean, d.Low, d.High)
		}
	}
	var tab bytes.Buffer
	if err := c.WriteTable(&tab); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tab.String(), "] *") || strings.Contains(tab.String(), "] pp *") {
		t.Errorf("identical scenarios: a difference is marked significant:\n%s", tab.String())
	}
}

func TestComparisonGolden(t *testing.T) {
	a := fixtureReport(t)
	shifts := map[string]float64{"inspection_rate": 0.02, "detection_rate": 0.06, "release.all.mean": 0.4, "release.all.p90": 0.001}
	b := shifted(t, a, "fixture-b", shifts, 0.002, 1)
	indep := shifted(t, a, "fixture-b", shifts, 0.03, 4)
	c, err := NewComparison([]string{"A", "B"}, []*Report{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetIndependent([]*Report{indep}); err != nil {
		t.Fatal(err)
	}
	byName := map[string]Difference{}
	for _, d := range c.Paired[0] {
		byName[d.Name()] = d
	}
	if d := byName["detection_rate"]; !d.ExcludesZero || math.Abs(d.Mean-0.06) > 0.005 {
		t.Errorf("detection +6 points with small noise: %+v, want ≈ 0.06 and significant", d)
	}
	if d := byName["release.all.p90"]; d.ExcludesZero {
		t.Errorf("p90 +0.001 h under noise 0.002: %+v, want not significant", d)
	}
	var tab, csv, js bytes.Buffer
	if err := c.WriteTable(&tab); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	filetest.Golden(t, "compare-table.txt", tab.Bytes())
	filetest.Golden(t, "compare.csv", csv.Bytes())
	filetest.Golden(t, "compare.json", js.Bytes())

	dir := reportOut(t, "compare")
	if err := c.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{CompareCSVFile, CompareJSONFile, "A/" + SummaryFile, "B/" + AggregateJSONFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if err := c.WriteCompareReport(dir); err != nil {
		t.Fatal(err)
	}
	checkReportFiles(t, dir, []string{"key-metrics", "differences", "pairing"})
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	filetest.Golden(t, "compare-report.md", md)
}

func TestComparisonNeedsSameReplications(t *testing.T) {
	a := fixtureReport(t)
	b := fixtureReport(t)
	b.Reps = b.Reps[:3]
	if _, err := NewComparison([]string{"A", "B"}, []*Report{a, b}); err == nil || !strings.Contains(err.Error(), "replication 3") {
		t.Errorf("different replications: error %v, want one naming replication 3", err)
	}
	if _, err := NewComparison([]string{"A", "A"}, []*Report{a, a}); err == nil {
		t.Error("duplicate labels: no error")
	}
}
