package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"pilotsim/sim"
	"pilotsim/sim/backtest"
)

// handTally is the hand-made backtest of sim/backtest's TestRunHandComputed:
// eight declarations with their scores, lanes, outcomes and revenue.
func btHandTally() *backtest.Tally {
	t := backtest.NewTally([]string{"R1", "R2", "R3"}, []string{"critical"})
	rows := []struct {
		score   float64
		lane    sim.Lane
		irr     bool
		revenue float64
		rules   []int
		class   bool
	}{
		{70, sim.Red, true, 100, []int{0, 1}, true},
		{20, sim.Green, false, 0, []int{1}, false},
		{0, sim.Green, false, 0, nil, false},
		{30, sim.Green, false, 0, []int{2}, false},
		{80, sim.Red, true, 50, []int{0, 2}, false},
		{50, sim.Yellow, false, 0, []int{0}, false},
		{20, sim.Green, true, 30, []int{1}, true},
		{50, sim.Yellow, false, 0, []int{1, 2}, false},
	}
	for _, r := range rows {
		d := backtest.Decl{Day: backtest.NoDay, RecordedLane: -1, Known: true, Irregular: r.irr, Revenue: r.revenue}
		d.C.Score, d.C.Lane = r.score, r.lane
		for _, i := range r.rules {
			d.C.Hits.Add(i)
		}
		if r.class {
			d.Classes = 1
		}
		t.Add(&d)
	}
	return t
}

func btNear(a, b float64) bool { return math.Abs(a-b) < 1e-12 || (math.IsNaN(a) && math.IsNaN(b)) }

// TestTargetAtHandComputed checks the curve against hand computation. Sorted
// by score: 80 (irregular, 50), 70 (irregular, 100), 50, 50, 30, 20, 20
// (one irregular, 30), 0. Base rate 3/8; revenue 180.
func TestTargetAtHandComputed(t *testing.T) {
	tl := btHandTally()
	cases := []struct {
		why                                  string
		rate                                 float64
		score, hits, prec, recall, rev, crit float64
	}{
		{"one declaration: the 80", 1.0 / 8, 80, 1, 1, 1.0 / 3, 50.0 / 180, 0},
		{"two: 80 and 70", 2.0 / 8, 70, 2, 1, 2.0 / 3, 150.0 / 180, 0.5},
		{"half of the two 50s", 2.5 / 8, 50, 2, 2 / 2.5, 2.0 / 3, 150.0 / 180, 0.5},
		{"one of the two 20s: half an irregular expected", 6.0 / 8, 20, 2.5, 2.5 / 6, 2.5 / 3, 165.0 / 180, 0.75},
		{"everything", 1, 0, 3, 3.0 / 8, 1, 1, 1},
	}
	for _, c := range cases {
		p := TargetAt(tl, c.rate)
		got := []float64{p.Score, p.Hits, p.Precision, p.Recall, p.RevenueShare, p.ClassRecall[0], p.Lift}
		want := []float64{c.score, c.hits, c.prec, c.recall, c.rev, c.crit, c.prec / (3.0 / 8)}
		for i := range got {
			if !btNear(got[i], want[i]) {
				t.Errorf("%s: score, hits, precision, recall, revenue share, critical recall, lift = %v, want %v", c.why, got, want)
				break
			}
		}
	}
}

func TestTargetingCurveHandComputed(t *testing.T) {
	curve := TargetingCurve(btHandTally())
	want := []struct{ score, n, hits float64 }{{80, 1, 1}, {70, 2, 2}, {50, 4, 2}, {30, 5, 2}, {20, 7, 3}, {0, 8, 3}}
	if len(curve) != len(want) {
		t.Fatalf("curve has %d points, want %d (one per distinct score)", len(curve), len(want))
	}
	for i, w := range want {
		p := curve[i]
		if p.Score != w.score || p.Inspected != w.n || p.Hits != w.hits || !btNear(p.Rate, w.n/8) {
			t.Errorf("point %d: score %v inspected %v hits %v rate %v, want %v %v %v %v", i, p.Score, p.Inspected, p.Hits, p.Rate, w.score, w.n, w.hits, w.n/8)
		}
	}
}

func TestSelectionHandComputed(t *testing.T) {
	tl := btHandTally()
	s := SelectionOf(tl)
	got := []float64{s.InspectionRate, s.HitRate, s.DetectionRate, s.RevenueShare, s.Lift, s.ClassDetection[0]}
	want := []float64{0.5, 0.5, 2.0 / 3, 150.0 / 180, 0.5 / (3.0 / 8), 0.5}
	for i := range got {
		if !btNear(got[i], want[i]) {
			t.Fatalf("inspection, hit, detection, revenue share, lift, critical detection = %v, want %v", got, want)
		}
	}
	rules := RulesOf(tl)
	wantRules := []struct {
		fired, hits, controlled int64
		hitRate                 float64
	}{{3, 2, 3, 2.0 / 3}, {4, 2, 2, 0.5}, {3, 1, 2, 1.0 / 3}}
	for i, w := range wantRules {
		r := rules[i]
		if r.Fired != w.fired || r.Hits != w.hits || r.Controlled != w.controlled || !btNear(r.HitRate, w.hitRate) {
			t.Errorf("rule %s: fired %d hits %d controlled %d hit rate %v, want %v", r.ID, r.Fired, r.Hits, r.Controlled, r.HitRate, w)
		}
	}
	lanes := LanesOf(tl)
	if lanes[sim.Red].N != 2 || lanes[sim.Red].Irregular != 2 || lanes[sim.Green].N != 4 || !btNear(lanes[sim.Green].HitRate, 0.25) {
		t.Errorf("lanes %+v", lanes)
	}
}

// TestBacktestWriters checks that every writer produces what it promises:
// JSON that parses with the schema version and nulls for undefined values,
// a curve CSV with one row per distinct score, a self-contained HTML report
// with the curve drawn inline.
func TestBacktestWriters(t *testing.T) {
	r := NewBacktestReport(BacktestInputs{Rules: "hand.yaml", File: "hand.csv"}, btHandTally())
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	if doc["schema_version"] != float64(BacktestSchemaVersion) {
		t.Errorf("schema_version %v", doc["schema_version"])
	}
	// The blue lane has no declarations: its hit rate is undefined (null).
	lanes := doc["lanes"].([]any)
	if blue := lanes[sim.Blue].(map[string]any); blue["hit_rate"] != nil {
		t.Errorf("blue hit rate %v, want null", blue["hit_rate"])
	}
	if n := len(doc["targeting"].([]any)); n != len(TargetingRates) {
		t.Errorf("%d targeting points, want %d", n, len(TargetingRates))
	}
	var c bytes.Buffer
	if err := r.WriteCurveCSV(&c); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil || len(recs) != 1+6 {
		t.Errorf("curve CSV: %d records, err %v; want header and 6 rows", len(recs), err)
	}
	var h bytes.Buffer
	if err := r.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	html := h.String()
	for _, want := range []string{"<svg", "</svg>", "Targeting curve", "R3", "</html>", "95% bootstrap band", "class=\"table-wrap\""} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<?xml") || strings.Contains(html, "http://") && strings.Contains(html, "<script") {
		t.Error("report.html is not self-contained inline HTML")
	}
	var txt bytes.Buffer
	if err := r.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"inspection rate", "50.0%", "hit rate", "detection rate", "66.7%"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, txt.String())
		}
	}
}
