package backtest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
	"pilotsim/sim/risk"
)

// handRules score the hand-made file of TestRunHandComputed.
const handRules = `
name: hand
rules:
  - {id: R1, score: 50, when: {origin: [CN]}}
  - {id: R2, score: 20, when: {field: {name: office, in: [A1]}}}
  - {id: R3, score: 30, when: {history: {key: [importer], min_rate: 0.5}}}
selectivity:
  red: 60
  yellow: 40
`

// handFile has 8 declarations over three days. The comment after each row
// is its score by hand: the rules that fire, the importer's history seen
// (earlier days only), and the lane.
const handFile = "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
	"2021-01-01,I1,CN,847130,1,10,100,A1,8,Y,100,\n" + // R1+R2 = 70 red; irregular
	"2021-01-01,I2,US,847130,1,10,100,A1,8,N,,\n" + //    R2 = 20 green
	"2021-01-01,I1,US,847130,1,10,100,B1,8,N,,\n" + //    0 green: I1's row above is the same day, unseen
	"2021-01-02,I1,US,847130,1,10,100,B1,8,N,,\n" + //    I1 1 of 2: R3 = 30 green
	"2021-01-02,I1,CN,847130,1,10,100,B1,8,Y,50,\n" + //  R1+R3 = 80 red; irregular
	"2021-01-02,I3,CN,847130,1,10,100,B1,8,N,,\n" + //    R1 = 50 yellow
	"2021-01-03,I2,DE,847130,1,10,100,A1,8,Y,30,\n" + //  R2 = 20 green (I2 0 of 1); irregular, missed
	"2021-01-03,I1,DE,847130,1,10,100,A1,8,N,,\n" //      I1 2 of 4: R2+R3 = 50 yellow

func compileRules(t *testing.T, m *Mapping, src string) *Rules {
	t.Helper()
	sc, err := scenarios.ParseRules("rules.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compile(sc, m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunHandComputed(t *testing.T) {
	m := mustMapping(t, testMapping)
	rules := compileRules(t, m, handRules)
	var scores []float64
	var lanes []risk.Lane
	tally, err := Run(context.Background(), Config{Rules: rules, Mapping: m,
		Input: Input{Name: "hand.csv", R: strings.NewReader(handFile)},
		Each: func(d *Decl) {
			scores = append(scores, d.C.Score)
			lanes = append(lanes, d.C.Lane)
		}})
	if err != nil {
		t.Fatal(err)
	}
	wantScores := []float64{70, 20, 0, 30, 80, 50, 20, 50}
	wantLanes := []risk.Lane{risk.Red, risk.Green, risk.Green, risk.Green, risk.Red, risk.Yellow, risk.Green, risk.Yellow}
	if fmt.Sprint(scores) != fmt.Sprint(wantScores) {
		t.Errorf("scores %v, want %v", scores, wantScores)
	}
	if fmt.Sprint(lanes) != fmt.Sprint(wantLanes) {
		t.Errorf("lanes %v, want %v", lanes, wantLanes)
	}
	c := tally.Controlled()
	checks := []struct {
		name      string
		got, want any
	}{
		{"rows", tally.Rows, int64(8)},
		{"irregular", tally.Irregular, int64(3)},
		{"revenue", tally.Revenue, 180.0},
		{"controlled", c.N, int64(4)},
		{"hits", c.Irregular, int64(2)},
		{"revenue found", c.Revenue, 150.0},
		{"red", tally.Lanes[risk.Red].N, int64(2)},
		{"yellow", tally.Lanes[risk.Yellow].N, int64(2)},
		{"green", tally.Lanes[risk.Green].N, int64(4)},
		{"green irregular", tally.Lanes[risk.Green].Irregular, int64(1)},
		{"R1 fired", tally.PerRule[0].N, int64(3)},
		{"R1 hits", tally.PerRule[0].Irregular, int64(2)},
		{"R2 fired", tally.PerRule[1].N, int64(4)},
		{"R2 hits", tally.PerRule[1].Irregular, int64(2)},
		{"R2 controlled", tally.PerRule[1].Controlled, int64(2)},
		{"R3 fired", tally.PerRule[2].N, int64(3)},
		{"R3 hits", tally.PerRule[2].Irregular, int64(1)},
		{"distinct scores", len(tally.Scores.Bins()), 6},
		{"first day", DayString(tally.FirstDay), "2021-01-01"},
		{"last day", DayString(tally.LastDay), "2021-01-03"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

// TestRunMaxHits scores handFile with handRules plus selectivity.max_hits:
// the same Selector as the simulator, so a declaration hitting at least
// count rules goes at least to the lane (reason forced), history and field
// criteria counting like any other rule. The hits of each row are in the
// comments of handFile.
func TestRunMaxHits(t *testing.T) {
	m := mustMapping(t, testMapping)
	for _, tc := range []struct {
		maxHits string
		lanes   []risk.Lane
		reasons []risk.Reason
	}{
		// Rows with 2 hits: 1 (R1 R2, red by score), 5 (R1 R3, red by
		// score), 8 (R2 R3, yellow by score, now red).
		{"{count: 2}",
			[]risk.Lane{risk.Red, risk.Green, risk.Green, risk.Green, risk.Red, risk.Yellow, risk.Green, risk.Red},
			[]risk.Reason{risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonForced}},
		// Every row with a hit is at least yellow: rows 2, 4, 7 (green by
		// score with one hit) are forced; row 3 (no hit) stays green.
		{"{count: 1, lane: yellow}",
			[]risk.Lane{risk.Red, risk.Yellow, risk.Green, risk.Yellow, risk.Red, risk.Yellow, risk.Yellow, risk.Yellow},
			[]risk.Reason{risk.ReasonScore, risk.ReasonForced, risk.ReasonScore, risk.ReasonForced, risk.ReasonScore, risk.ReasonScore, risk.ReasonForced, risk.ReasonScore}},
		// No row hits all three rules.
		{"{count: 3}",
			[]risk.Lane{risk.Red, risk.Green, risk.Green, risk.Green, risk.Red, risk.Yellow, risk.Green, risk.Yellow},
			[]risk.Reason{risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore, risk.ReasonScore}},
	} {
		rules := compileRules(t, m, handRules+"  max_hits: "+tc.maxHits+"\n")
		var lanes []risk.Lane
		var reasons []risk.Reason
		tally, err := Run(context.Background(), Config{Rules: rules, Mapping: m,
			Input: Input{Name: "hand.csv", R: strings.NewReader(handFile)},
			Each: func(d *Decl) {
				lanes = append(lanes, d.C.Lane)
				reasons = append(reasons, d.C.Reason)
			}})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(lanes) != fmt.Sprint(tc.lanes) || fmt.Sprint(reasons) != fmt.Sprint(tc.reasons) {
			t.Errorf("max_hits %s: lanes %v reasons %v, want %v %v", tc.maxHits, lanes, reasons, tc.lanes, tc.reasons)
		}
		var red int64
		for _, l := range tc.lanes {
			if l == risk.Red {
				red++
			}
		}
		if tally.Lanes[risk.Red].N != red {
			t.Errorf("max_hits %s: tally has %d red, want %d", tc.maxHits, tally.Lanes[risk.Red].N, red)
		}
	}
}

// TestRunHistoryFiles checks that --history files enter the history but are
// not scored, and that the scored file must not go back in time.
func TestRunHistoryFiles(t *testing.T) {
	m := mustMapping(t, testMapping)
	rules := compileRules(t, m, handRules)
	past := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2020-12-30,I2,US,847130,1,10,100,B1,8,Y,5,\n"
	now := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2021-01-01,I2,US,847130,1,10,100,B1,8,N,,\n"
	var got []float64
	tally, err := Run(context.Background(), Config{Rules: rules, Mapping: m,
		History: []Input{{Name: "past.csv", R: strings.NewReader(past)}},
		Input:   Input{Name: "now.csv", R: strings.NewReader(now)},
		Each:    func(d *Decl) { got = append(got, d.C.Score) }})
	if err != nil {
		t.Fatal(err)
	}
	if tally.Rows != 1 || tally.HistoryRows != 1 || len(got) != 1 || got[0] != 30 {
		t.Errorf("rows %d, history rows %d, scores %v; want 1, 1, [30] (I2 was irregular 1 of 1 before)", tally.Rows, tally.HistoryRows, got)
	}
	// A history newer than the file scored is refused at the first row.
	_, err = Run(context.Background(), Config{Rules: rules, Mapping: m,
		History: []Input{{Name: "now.csv", R: strings.NewReader(now)}},
		Input:   Input{Name: "past.csv", R: strings.NewReader(past)}})
	if err == nil || !strings.Contains(err.Error(), "past.csv:2") || !strings.Contains(err.Error(), "date order") {
		t.Errorf("history newer than the input: got %v, want a date-order error at past.csv:2", err)
	}
}

// TestNoLookAhead is the look-ahead guard: whatever the outcomes of the
// declarations dated on or after a day D, the scores of declarations dated up
// to D are the same. Random files, random cut days.
func TestNoLookAhead(t *testing.T) {
	m := mustMapping(t, testMapping)
	rules := compileRules(t, m, `
name: lookahead
rules:
  - {id: H1, score: 1, when: {history: {key: [importer], min_rate: 0.3}}}
  - {id: H2, score: 2, when: {history: {key: [importer], min_irregular: 2}}}
  - {id: H3, score: 4, when: {history: {key: ["hs:4", origin], min_rate: 0.5, min_count: 2}}}
  - {id: H4, score: 8, when: {history: {key: [office], max_count: 3}}}
selectivity: {red: 5}
`)
	r := rand.New(rand.NewPCG(6, 6))
	for trial := 0; trial < 20; trial++ {
		type row struct {
			day, imp, orig, hs, office int
			found                      bool
		}
		rows := make([]row, 300)
		day := 1
		for i := range rows {
			if r.IntN(10) == 0 {
				day++
			}
			rows[i] = row{day, r.IntN(8), r.IntN(3), r.IntN(4), r.IntN(5), r.IntN(3) == 0}
		}
		file := func() string {
			var b strings.Builder
			b.WriteString("day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n")
			origins := []string{"CN", "US", "DE"}
			for _, w := range rows {
				f := "N"
				if w.found {
					f = "Y"
				}
				fmt.Fprintf(&b, "%s,I%d,%s,84%02d30,1,1,1,O%d,1,%s,,\n", DayString(int32(datamodel.DaysFromCivil(2021, 1, 1))+int32(w.day)), w.imp, origins[w.orig], 71+w.hs, w.office, f)
			}
			return b.String()
		}
		score := func() []float64 {
			var s []float64
			_, err := Run(context.Background(), Config{Rules: rules, Mapping: m, Input: Input{Name: "f.csv", R: strings.NewReader(file())},
				Each: func(d *Decl) { s = append(s, d.C.Score) }})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		before := score()
		cut := 1 + r.IntN(day)
		for i := range rows {
			if rows[i].day >= cut {
				rows[i].found = r.IntN(2) == 0
			}
		}
		after := score()
		for i := range rows {
			if rows[i].day <= cut && before[i] != after[i] {
				t.Fatalf("trial %d: row %d (day %d) scored %v, then %v after outcomes from day %d on changed",
					trial, i+2, rows[i].day, before[i], after[i], cut)
			}
		}
	}
}

// BenchmarkRunKCS scores the Korean training file (37,385 rows) with the
// shipped rules and mapping, from memory; it reports rows per second and
// allocations per row.
func BenchmarkRunKCS(b *testing.B) {
	data := kcsData(b, "df_syn_train_eng.csv")
	rules, m := kcsRules(b)
	b.ReportAllocs()
	b.ResetTimer()
	var rows int64
	for b.Loop() {
		t, err := Run(context.Background(), Config{Rules: rules, Mapping: m, Input: Input{Name: "train", R: bytes.NewReader(data)}})
		if err != nil {
			b.Fatal(err)
		}
		rows += t.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// TestFrozenHistory: with FrozenHistory the scored file's outcomes never
// enter the history; the history files' do.
func TestFrozenHistory(t *testing.T) {
	m := mustMapping(t, testMapping)
	rules := compileRules(t, m, handRules)
	past := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2020-12-30,I2,US,847130,1,10,100,B1,8,Y,5,\n"
	now := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2021-01-01,I1,US,847130,1,10,100,B1,8,Y,,\n" +
		"2021-01-02,I1,US,847130,1,10,100,B1,8,Y,,\n" + // I1 1 of 1 before, unless frozen
		"2021-01-02,I2,US,847130,1,10,100,B1,8,N,,\n" +
		"2021-01-03,I2,US,847130,1,10,100,B1,8,N,,\n" // I2 1 of 2 before, 1 of 1 frozen: R3 either way
	for _, c := range []struct {
		frozen bool
		want   string
	}{{false, "[0 30 30 30]"}, {true, "[0 0 30 30]"}} {
		var got []float64
		_, err := Run(context.Background(), Config{Rules: rules, Mapping: m, FrozenHistory: c.frozen,
			History: []Input{{Name: "past.csv", R: strings.NewReader(past)}},
			Input:   Input{Name: "now.csv", R: strings.NewReader(now)},
			Each:    func(d *Decl) { got = append(got, d.C.Score) }})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("frozen %v: scores %v, want %s", c.frozen, got, c.want)
		}
	}
}

// BenchmarkRunFile scores the file named by $PILOTSIM_BENCH_FILE (a large
// file in the Korean layout, made as docs/backtest-korea.md says) with the
// shipped rules and mapping, streamed from disk as pilotsim backtest reads
// it; skipped when the variable is unset.
func BenchmarkRunFile(b *testing.B) {
	name := os.Getenv("PILOTSIM_BENCH_FILE")
	if name == "" {
		b.Skip("set PILOTSIM_BENCH_FILE to a declarations file in the Korean layout")
	}
	rules, m := kcsRules(b)
	b.ReportAllocs()
	b.ResetTimer()
	var rows int64
	for b.Loop() {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		t, err := Run(context.Background(), Config{Rules: rules, Mapping: m, Input: Input{Name: name, R: f}})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		rows += t.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// kcsRules loads the shipped Korean mapping and compiles the shipped rules
// against it, for the benchmarks.
func kcsRules(b *testing.B) (*Rules, *Mapping) {
	b.Helper()
	m, err := LoadMapping("../../scenarios/examples/kcs/kcs-mapping.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := scenarios.LoadRules("../../scenarios/examples/kcs/kcs-rules.yaml", nil)
	if err != nil {
		b.Fatal(err)
	}
	rules, err := Compile(sc, m)
	if err != nil {
		b.Fatal(err)
	}
	return rules, m
}

// TestNoveltySplit: with Config.Novelty a declaration counts as seen when
// a declaration of an earlier day (history files included) with a known
// outcome had its key, else as new; with FrozenHistory only the history
// files count. A key whose importer the rules also test shares its slot.
func TestNoveltySplit(t *testing.T) {
	m := mustMapping(t, testMapping)
	head := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n"
	past := head + "2020-12-30,I3,US,847130,1,10,100,B1,8,Y,5,\n"
	now := head +
		"2021-01-01,I1,US,847130,1,10,100,B1,8,Y,,\n" + // new
		"2021-01-01,I1,US,847130,1,10,100,B1,8,N,,\n" + // new: the same day is not before
		"2021-01-02,I1,US,847130,1,10,100,B1,8,Y,,\n" + // seen (unless frozen)
		"2021-01-02,I2,US,847130,1,10,100,B1,8,N,,\n" + // new
		"2021-01-03,I3,US,847130,1,10,100,B1,8,N,,\n" // seen: the history file
	for _, c := range []struct {
		frozen    bool
		seen, new int64
		seenIrr   int64
	}{{false, 2, 3, 1}, {true, 1, 4, 0}} {
		for _, key := range [][]string{{"importer"}, {"trader"}} {
			rules := compileRules(t, m, handRules)
			tally, err := Run(context.Background(), Config{Rules: rules, Mapping: m, FrozenHistory: c.frozen, Novelty: key,
				History: []Input{{Name: "past.csv", R: strings.NewReader(past)}},
				Input:   Input{Name: "now.csv", R: strings.NewReader(now)}})
			if err != nil {
				t.Fatal(err)
			}
			if tally.Novelty != key[0] || tally.Seen.Rows != c.seen || tally.New.Rows != c.new || tally.Seen.Irregular != c.seenIrr ||
				tally.Seen.Rows+tally.New.Rows != tally.Rows {
				t.Errorf("frozen %v, key %v: %q seen %d (%d irregular), new %d of %d; want seen %d (%d), new %d", c.frozen, key, tally.Novelty,
					tally.Seen.Rows, tally.Seen.Irregular, tally.New.Rows, tally.Rows, c.seen, c.seenIrr, c.new)
			}
		}
	}
	rules := compileRules(t, m, handRules)
	_, err := Run(context.Background(), Config{Rules: rules, Mapping: m, Novelty: []string{"colour"}, Input: Input{Name: "now.csv", R: strings.NewReader(now)}})
	if err == nil || !strings.Contains(err.Error(), `"colour" is not a column of the mapping`) {
		t.Errorf("an unknown novelty key: %v", err)
	}
	// A row without its date, and one out of date order: the error names
	// --novelty (the rule set here has no history criterion).
	for _, c := range []struct{ rows, want string }{
		{head + "2021-01-02,I1,US,847130,1,10,100,B1,8,Y,,\n,I1,US,847130,1,10,100,B1,8,Y,,\n", "history criteria and --novelty need it"},
		{head + "2021-01-02,I1,US,847130,1,10,100,B1,8,Y,,\n2021-01-01,I1,US,847130,1,10,100,B1,8,Y,,\n", "history criteria and --novelty need the declarations in date order"},
	} {
		rules := compileRules(t, m, handRules)
		_, err := Run(context.Background(), Config{Rules: rules, Mapping: m, Novelty: []string{"importer"}, Input: Input{Name: "now.csv", R: strings.NewReader(c.rows)}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("novelty without dates in order: %v, want it to say %q", err, c.want)
		}
	}
}
