package results

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
)

// reportDir, when set, keeps the reports the tests write there (for looking
// at them in a browser: `make report-check`).
var reportDir = flag.String("report-dir", "", "write the test reports into this directory and keep them")

// reportOut returns the directory a report test writes into.
func reportOut(t *testing.T, name string) string {
	t.Helper()
	if *reportDir == "" {
		return t.TempDir()
	}
	dir := filepath.Join(*reportDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkReportFiles checks that report.html and report.md exist in dir, that
// the HTML is self-contained (nothing fetched: no src or href to another
// document, no script) and that every section holds exactly one chart in
// both, the HTML inline and the Markdown as a chart file that exists.
func checkReportFiles(t *testing.T, dir string, wantSections []string) {
	t.Helper()
	html, err := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if err != nil {
		t.Fatal(err)
	}
	h := string(html)
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*"([^"#][^"]*)"|<script|@import|url\(`).FindString(h); m != "" {
		t.Errorf("report.html is not self-contained: %s", m)
	}
	sections := regexp.MustCompile(`(?s)<section id="([^"]+)">(.*?)</section>`).FindAllStringSubmatch(h, -1)
	var ids []string
	for _, s := range sections {
		ids = append(ids, s[1])
		if n := strings.Count(s[2], "<svg"); n != 1 {
			t.Errorf("report.html section %s has %d charts, want 1", s[1], n)
		}
		if !strings.Contains(s[2], "</svg>") || !strings.Contains(s[2], "<text") {
			t.Errorf("report.html section %s: the chart has no text (title, axes)", s[1])
		}
	}
	if strings.Join(ids, " ") != strings.Join(wantSections, " ") {
		t.Errorf("report.html sections %v, want %v", ids, wantSections)
	}
	mdSections := strings.Split(string(md), "\n## ")[1:]
	var charts int
	for _, s := range mdSections {
		title, _, _ := strings.Cut(s, "\n")
		if title == "Notes" {
			continue
		}
		links := regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllStringSubmatch(s, -1)
		if len(links) != 1 {
			t.Errorf("report.md section %q has %d charts, want 1", title, len(links))
			continue
		}
		charts++
		if _, err := os.Stat(filepath.Join(dir, links[0][1])); err != nil {
			t.Errorf("report.md section %q: chart file: %v", title, err)
		}
	}
	if charts != len(wantSections) {
		t.Errorf("report.md has %d charts, want %d", charts, len(wantSections))
	}
}

func TestRunReport(t *testing.T) {
	run, metrics, reps := fixture()
	r, err := NewReport(run, metrics, withPoolHours(reps))
	if err != nil {
		t.Fatal(err)
	}
	dir := reportOut(t, "run")
	if err := r.WriteRunReport(dir); err != nil {
		t.Fatal(err)
	}
	checkReportFiles(t, dir, []string{"release", "groups", "detection", "lanes", "resources", "pool-hours", "trs"})
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	filetest.Golden(t, "run-report.md", md)
	html, _ := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	for _, want := range []string{"narcotics", "undervaluation", "physical", "arrival → lodgement", "55.2% ± 1.7%"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Value labels on the detection bars: undervaluation's 0.4% is a
	// sliver, its label is text in the chart.
	for _, want := range []string{">0.40%</text>", ">55.2%</text>"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html's charts lack the bar label %q", want)
		}
	}
}

// TestDurationLabel checks how the times of release.<lane>.within.<T> are
// labelled in tables and reports.
func TestDurationLabel(t *testing.T) {
	for _, tc := range []struct {
		hours float64
		label string
	}{{0.25, "15 min"}, {0.5, "30 min"}, {1, "1 h"}, {1.5, "1.5 h"}, {120, "120 h"}} {
		if got := durationLabel(tc.hours); got != tc.label {
			t.Errorf("durationLabel(%v) = %q, want %q", tc.hours, got, tc.label)
		}
	}
}
