package evaluate

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pilotsim/results"
	"pilotsim/results/pilotstat"
	"pilotsim/sim"
)

// traceNames mirrors cmd/pilotsim's: the scenario's names for the engine's indices.
func traceNames(m *sim.Model) results.TraceNames {
	var n results.TraceNames
	sc := m.Scenario
	for _, r := range sc.Rules {
		n.Rules = append(n.Rules, r.ID)
	}
	for _, t := range sc.Threats {
		n.Threats = append(n.Threats, t.Name)
	}
	for _, p := range sc.Resources.Pools {
		n.Pools = append(n.Pools, p.Name)
		n.PoolMethods = append(n.PoolMethods, p.Method)
	}
	n.Stages = max(len(sc.Resources.Yellow), len(sc.Resources.Red))
	return n
}

// TestTraceCSVAgreesWithRecords writes a run's trace CSV as `run --trace`
// does, reads it back with ReadRecords, and checks that every record is the
// one the coverage test builds from the engine directly, and that both give
// the same evaluation: the coverage test's figure holds for traces.
func TestTraceCSVAgreesWithRecords(t *testing.T) {
	m := covModel(t, "base.yaml")
	path := filepath.Join(t.TempDir(), "consignments.csv")
	names := traceNames(m)
	tf, err := results.NewTraceFiles(path, results.TraceHeader(names))
	if err != nil {
		t.Fatal(err)
	}
	var direct []Record
	rs := &recordSink{keep: func(*sim.Consignment) (string, bool) { return "", true }, recs: &direct}
	g := m.NewGenerator()
	g.Reset(3)
	ct := results.NewConsignmentTrace(names, tf, 3, g.Record)
	if _, err := sim.Run(context.Background(), m, sim.Options{Workers: 1, Reps: []int{3}, Trace: func(int) sim.TraceSink { return &pairSink{ct, rs} }}); err != nil {
		t.Fatal(err)
	}
	if err := tf.Commit([]int{3}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := ReadRecords(f, "consignments.csv", DefaultColumns())
	if err != nil {
		t.Fatal(err)
	}
	if !d.Truth {
		t.Error("a simulation's trace names the threats carried: want Truth")
	}
	// The trace also holds the warm-up's consignments; the direct records start after it.
	var read []Record
	for _, r := range d.Records {
		if !r.Arrival.Before(sim.RecordEpoch.Add(time.Duration(covWarm) * time.Minute)) {
			read = append(read, r)
		}
	}
	if len(read) != len(direct) {
		t.Fatalf("read %d records after the warm-up, the engine gave %d", len(read), len(direct))
	}
	for i := range read {
		a, b := read[i], direct[i]
		close := func(x, y, tol float64) bool {
			return x == y || math.Abs(x-y) <= tol || (math.IsNaN(x) && math.IsNaN(y))
		}
		if a.Arrival.Sub(b.Arrival).Abs() > time.Second || a.Obs.Lane != b.Obs.Lane || a.Obs.Controlled != b.Obs.Controlled ||
			a.Obs.Found != b.Obs.Found || a.Obs.Irregular != b.Obs.Irregular || !close(a.Obs.Duty, b.Obs.Duty, 1e-6) ||
			!close(a.Obs.Release, b.Obs.Release, 1e-6) {
			t.Fatalf("record %d (line %d): read %+v, engine %+v", i, a.Line, a, b)
		}
	}
	sw := sim.RecordEpoch.Add(time.Duration(covWarm+covPre*covWeek) * time.Minute)
	cfg := Config{Design: pilotstat.BeforeAfterDesign, Switch: sw, Target: 24 * time.Hour}
	ea, err := Evaluate(&Data{Records: read, Truth: true}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := Evaluate(&Data{Records: direct, Truth: true}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ea.Figures {
		x, y := ea.Figures[i], eb.Figures[i]
		if !(x.Effect == y.Effect || math.IsNaN(x.Effect) && math.IsNaN(y.Effect) || math.Abs(x.Effect-y.Effect) <= 1e-6*math.Max(1, math.Abs(y.Effect))) {
			t.Errorf("%s: effect %v from the CSV, %v from the engine", x.Figure, x.Effect, y.Effect)
		}
	}
}

type pairSink struct {
	a *results.ConsignmentTrace
	b *recordSink
}

func (p *pairSink) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	if err := p.a.Consignment(c, ms); err != nil {
		return err
	}
	return p.b.Consignment(c, ms)
}
func (p *pairSink) Close() error { return p.a.Close() }

// TestAssignmentChecks: a random assignment passes the share, runs and
// balance tests; a manipulated one (consignments from one origin kept out
// of the treated stratum, as an officer steering risky declarations away
// from a random control would; or treatment given in blocks of arrivals)
// fails the test that should catch it.
func TestAssignmentChecks(t *testing.T) {
	m := covModel(t, "base.yaml")
	var recs []Record
	rs := &recordSink{keep: func(c *sim.Consignment) (string, bool) { return "", true }, recs: &recs}
	var origins []string
	rec := &recordOrigins{rs: rs, origins: &origins}
	if _, err := sim.Run(context.Background(), m, sim.Options{Workers: 1, Reps: []int{0}, Trace: func(int) sim.TraceSink { return rec }}); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].Origin = origins[i]
		recs[i].Trader = "T" + string(rune('A'+i%7))
		recs[i].AEO = []string{"yes", "no"}[i%3/2]
		recs[i].Chapter = []string{"08", "61", "84", "85"}[i%4]
	}
	assign := func(name string, treated func(i int, r *Record) bool) []Check {
		rs := make([]Record, len(recs))
		copy(rs, recs)
		for i := range rs {
			rs[i].Stratum = "control"
			if treated(i, &rs[i]) {
				rs[i].Stratum = "treated"
			}
		}
		res, err := Evaluate(&Data{Records: rs, Truth: true}, Config{Design: pilotstat.StratumDesign, TreatedValue: "treated"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res.Checks
	}
	hash := func(i int) bool { return mix64(uint64(i))&1 == 1 }
	pOf := func(cs []Check, prefix string) float64 {
		for _, c := range cs {
			if strings.HasPrefix(c.Name, prefix) {
				return c.P
			}
		}
		t.Fatalf("no check %q", prefix)
		return 0
	}
	fair := assign("random", func(i int, _ *Record) bool { return hash(i) })
	for _, c := range fair {
		if !(c.P > 0.001) {
			t.Errorf("random assignment: %s: p = %v, want > 0.001 (%s)", c.Name, c.P, c.Detail)
		}
	}
	steered := assign("steered", func(i int, r *Record) bool { return hash(i) && r.Origin != "CO" })
	if p := pOf(steered, "balance of country of origin"); !(p < 1e-6) {
		t.Errorf("Colombian consignments never treated: origin balance p = %v, want < 1e-6", p)
	}
	if p := pOf(steered, "share"); !(p < 1e-6) {
		t.Errorf("Colombian consignments never treated: share p = %v, want < 1e-6", p)
	}
	blocks := assign("blocks", func(i int, _ *Record) bool { return (i/50)%2 == 0 })
	if p := pOf(blocks, "assignment random in order"); !(p < 1e-6) {
		t.Errorf("treatment in blocks of 50 arrivals: runs p = %v, want < 1e-6", p)
	}
}

// recordOrigins adds each consignment's origin (from its full record) to
// the records the recordSink keeps.
type recordOrigins struct {
	rs      *recordSink
	origins *[]string
}

func (r *recordOrigins) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	n := len(*r.rs.recs)
	if err := r.rs.Consignment(c, ms); err != nil || len(*r.rs.recs) == n {
		return err
	}
	*r.origins = append(*r.origins, c.Origin.String())
	return nil
}
func (r *recordOrigins) Close() error { return nil }

// TestReadRecordsErrors: bad records are errors that name the line and column.
func TestReadRecordsErrors(t *testing.T) {
	head := "arrival_time,lane,release_time_h\n"
	for _, tc := range []struct{ name, csv, want string }{
		{"no arrival column", "lane,release_time_h\ngreen,1\n", `line 1: no column "arrival_time"`},
		{"no release column", "arrival_time,lane\n2025-01-06T00:00:00Z,green\n", `no column "release_time_h" or "release_time"`},
		{"bad time", head + "2025-01-06 08:00,green,1\n", "line 2, column arrival_time"},
		{"bad lane", head + "2025-01-06T08:00:00Z,purple,1\n", "line 2, column lane"},
		{"negative release", head + "2025-01-06T08:00:00Z,green,1\n2025-01-06T09:00:00Z,red,-2\n", "line 3, column release_time_h"},
		{"empty", "", "empty file"},
		{"header only", head, "no records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadRecords(strings.NewReader(tc.csv), "r.csv", DefaultColumns())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "r.csv: ") {
				t.Errorf("error %v, want r.csv: … %s", err, tc.want)
			}
		})
	}
}

// TestEvaluateTableAndJSON: the outputs hold every figure, NaN as "-" or null.
func TestEvaluateTableAndJSON(t *testing.T) {
	m := covModel(t, "base.yaml")
	var recs []Record
	rs := &recordSink{keep: func(*sim.Consignment) (string, bool) { return "", true }, recs: &recs}
	if _, err := sim.Run(context.Background(), m, sim.Options{Workers: 1, Reps: []int{1}, Trace: func(int) sim.TraceSink { return rs }}); err != nil {
		t.Fatal(err)
	}
	sw := sim.RecordEpoch.Add(time.Duration(covWarm+covPre*covWeek) * time.Minute)
	res, err := Evaluate(&Data{Records: recs}, Config{Design: pilotstat.BeforeAfterDesign, Switch: sw})
	if err != nil {
		t.Fatal(err)
	}
	var tb, jb bytes.Buffer
	if err := res.WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tb.String(), "detection  ") || !strings.Contains(tb.String(), "detection is not shown") {
		t.Errorf("records without ground truth: detection must be left out and said so:\n%s", tb.String())
	}
	if !strings.Contains(jb.String(), `"schema_version":1`) || !strings.Contains(jb.String(), `"release.red.median"`) {
		t.Errorf("JSON lacks the schema version or a figure: %s", jb.String())
	}
	// No effect: the before/after of a baseline against itself.
	for _, f := range res.Figures {
		if f.Figure == "inspection_rate" && !(f.P > 0.001) {
			t.Errorf("A/A before/after: inspection-rate p = %v", f.P)
		}
	}
}

// TestEventRecordLayout: evaluate reads the event-record CSV of trs and
// calibrate (arrival, release, channel, outcome, duty; office as the site
// column) like the trace.
func TestEventRecordLayout(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,office,channel,arrival,release,outcome,duty\n")
	t0 := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	for i := range 21 * 24 {
		at := t0.Add(time.Duration(i) * time.Hour)
		rel := at.Add(time.Duration(60+i%7*10) * time.Minute)
		out, duty := "", ""
		if i%24 == 5 {
			out, duty = "irregular", "120"
		} else if i%24 == 6 {
			out = "regular"
		}
		ch := "green"
		if out != "" {
			ch = "red"
		}
		fmt.Fprintf(&b, "C%d,BEANR,%s,%s,%s,%s,%s\n", i, ch, at.Format(time.RFC3339), rel.Format(time.RFC3339), out, duty)
	}
	cols := ColumnsFor([]string{"id", "office", "channel", "arrival", "release", "outcome", "duty"})
	cols.Site = "office"
	d, err := ReadRecords(strings.NewReader(b.String()), "events.csv", cols)
	if err != nil {
		t.Fatal(err)
	}
	if d.Truth || len(d.Records) != 21*24 || d.Records[5].Site != "BEANR" || !d.Records[5].Obs.Found || d.Records[5].Obs.Duty != 120 || d.Records[6].Obs.Found {
		t.Fatalf("read %d records, truth %v, record 5 %+v", len(d.Records), d.Truth, d.Records[5])
	}
	res, err := Evaluate(d, Config{Design: pilotstat.BeforeAfterDesign, Switch: t0.Add(Week)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Figures {
		if f.Figure == "hit_rate" && !(f.Control == 0.5) {
			t.Errorf("hit rate before the switch %v, want 0.5 (one of the two red consignments a day found)", f.Control)
		}
	}
}
