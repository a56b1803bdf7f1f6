package sim

import (
	"context"
	"math"
	"reflect"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// learnModel loads narcotics-drift with overrides and a change made in code.
func learnModel(t testing.TB, change func(sc *scenarios.Scenario), sets ...string) *Model {
	t.Helper()
	sc, err := scenarios.Load("../scenarios/examples/narcotics-drift.yaml", sets)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(sc)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// recTargeter wraps a Targeter and checks the order of its calls: a label
// is revealed after every consignment that arrived before its time was
// targeted, and before the first one that arrived at or after it.
type recTargeter struct {
	t         *testing.T
	in        Targeter
	lastNow   float64
	inspected map[uint64]bool
	revealed  map[uint64]float64
	found     map[uint64]bool
	threatOK  bool
}

func (r *recTargeter) Reset(rep int) { r.in.Reset(rep) }

func (r *recTargeter) Target(c *Consignment, st *TargetState) (bool, bool, float64) {
	if c.Threat != NoThreat || c.Duty != 0 || c.Flags&FlagClean != 0 {
		r.threatOK = false
	}
	r.lastNow = st.Now
	ins, exp, p := r.in.Target(c, st)
	if ins {
		r.inspected[c.Seq] = true
	}
	return ins, exp, p
}

func (r *recTargeter) Reveal(c *Consignment, found bool, p, at float64) {
	if at > r.lastNow {
		// Shown at the first arrival at or after its time: fine. What must
		// not happen is a label of a time after the arrival being targeted
		// next, which the check in the sink below catches (at <= now).
	}
	if !r.inspected[c.Seq] {
		r.t.Errorf("consignment %d revealed but never inspected", c.Seq)
	}
	if _, dup := r.revealed[c.Seq]; dup {
		r.t.Errorf("consignment %d revealed twice", c.Seq)
	}
	if !found && c.Threat != NoThreat {
		r.threatOK = false
	}
	if at <= r.lastNow {
		r.t.Errorf("consignment %d: label of time %v revealed after a consignment arriving at %v was targeted without it", c.Seq, at, r.lastNow)
	}
	r.revealed[c.Seq] = at
	r.found[c.Seq] = found
	r.in.Reveal(c, found, p, at)
}

// releaseSink records release times and outcomes.
type releaseSink struct {
	release map[uint64]float64
	threat  map[uint64]int8
	found   map[uint64]bool
}

func (s *releaseSink) Consignment(c *Consignment, ms *Milestones) error {
	s.release[c.Seq] = ms.Release
	s.threat[c.Seq] = c.Threat
	s.found[c.Seq] = ms.Found
	return nil
}
func (s *releaseSink) Close() error { return nil }

// TestLabelsNeverEarly runs a targeting policy with an audit delay and checks
// that every label arrives exactly at its time (the end of the exam, plus 3
// days for narcotics and counterfeit found), never before it, only for inspected
// consignments, and without the truth of consignments not found.
func TestLabelsNeverEarly(t *testing.T) {
	const delay = 3 * 1440.0
	m := learnModel(t, func(sc *scenarios.Scenario) {
		v := delay
		sc.Targeting.AuditDelay = map[string]scenarios.Dist{"narcotics": {Kind: "const", Value: &v}, "counterfeit": {Kind: "const", Value: &v}}
	}, "horizon=21d", "drift=[]")
	cfg, err := m.borderConfig()
	if err != nil {
		t.Fatal(err)
	}
	g, sel, b := m.NewGenerator(), m.NewSelector(), newBorder(cfg)
	in, err := m.newTargeter("rules+random", g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recTargeter{t: t, in: in, inspected: map[uint64]bool{}, revealed: map[uint64]float64{}, found: map[uint64]bool{}, threatOK: true}
	lp := newLearnLoop(m, cfg, g, b, rec)
	sink := &releaseSink{release: map[uint64]float64{}, threat: map[uint64]int8{}, found: map[uint64]bool{}}
	g.Reset(0)
	sel.Reset(0)
	b.reset(0, sink)
	lp.reset(0)
	var c Consignment
	var last float64
	for g.Next(&c) {
		sel.Assess(&c)
		lp.target(&c)
		for seq, at := range rec.revealed {
			if at > c.Arrival {
				t.Fatalf("consignment %d: label of time %v seen by the targeting of an arrival at %v", seq, at, c.Arrival)
			}
		}
		b.add(&c)
		last = c.Arrival
	}
	b.finish()
	if !rec.threatOK {
		t.Error("a targeter saw the truth (threat, duty or clean flag) of a consignment no control found")
	}
	var delayed, plain, missing int
	for seq := range rec.inspected {
		rel := sink.release[seq]
		want := rel
		if sink.found[seq] && sink.threat[seq] <= 1 { // narcotics, counterfeit
			want += delay
		}
		at, ok := rec.revealed[seq]
		switch {
		case !ok && want <= last && !math.IsNaN(rel):
			missing++
		case ok && at != want:
			t.Errorf("consignment %d: label at %v, want release %v + delay = %v", seq, at, rel, want)
		case ok && want != rel:
			delayed++
		case ok:
			plain++
		}
		if ok && rec.found[seq] != sink.found[seq] {
			t.Errorf("consignment %d: label found=%v, the border says %v", seq, rec.found[seq], sink.found[seq])
		}
	}
	if missing > 0 {
		t.Errorf("%d inspected consignments whose label was due before the last arrival were never revealed", missing)
	}
	if delayed == 0 || plain == 0 {
		t.Errorf("%d delayed and %d plain labels: the test needs both", delayed, plain)
	}
	t.Logf("%d inspected, %d labels at the end of the exam, %d after the audit delay", len(rec.inspected), plain, delayed)
}

// TestLearnWorkersIdentical: Learn gives the same results on 1 and 3
// workers.
func TestLearnWorkersIdentical(t *testing.T) {
	m := learnModel(t, nil, "horizon=14d", "drift[0].at=7d")
	a, err := Learn(context.Background(), m, LearnOptions{Seeds: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Learn(context.Background(), m, LearnOptions{Seeds: 3, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("Learn on 1 and 3 workers differs")
	}
	if len(a) != 3*len(m.TargetingPolicies()) || a[0].Total.Inspected == 0 {
		t.Errorf("%d runs, first inspected %d", len(a), a[0].Total.Inspected)
	}
}

// TestOracleCalibrated: the oracle's posterior P(irregular | features) is
// calibrated. Consignments are grouped by their posterior; in each group
// the number of irregular ones must match the sum of posteriors within four
// binomial standard deviations (sum of p(1−p)).
func TestOracleCalibrated(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []string
	}{
		{"before the drift", []string{"horizon=90d"}},
		{"after the drift", []string{"horizon=90d", "drift[0].at=1m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := learnModel(t, nil, tc.sets...)
			g := m.NewGenerator()
			g.Reset(1)
			ones := make([]float64, len(m.threats))
			for i := range ones {
				ones[i] = 1
			}
			edges := []float64{0, 0.002, 0.005, 0.01, 0.03, 0.1, 1.01}
			var sum, vr, irr [6]float64
			var c Consignment
			n := 0
			for g.Next(&c) {
				p := g.oracleScore(&c, ones)
				for b := range sum {
					if p >= edges[b] && p < edges[b+1] {
						sum[b] += p
						vr[b] += p * (1 - p)
						if c.Threat != NoThreat {
							irr[b]++
						}
					}
				}
				n++
			}
			for b := range sum {
				if vr[b] == 0 {
					continue
				}
				z := (irr[b] - sum[b]) / math.Sqrt(vr[b])
				t.Logf("posterior in [%v, %v): expected %.1f irregular, got %v (z %.2f)", edges[b], edges[b+1], sum[b], irr[b], z)
				if math.Abs(z) > 4 {
					t.Errorf("posterior in [%v, %v): expected %.1f irregular, got %v (z %.2f)", edges[b], edges[b+1], sum[b], irr[b], z)
				}
			}
			if n < 100000 {
				t.Fatalf("only %d consignments", n)
			}
		})
	}
}

// TestDriftKeepsGroundTruth: a drift changes the features of the drifted
// threat's signature cases from its time on, and nothing else: the same
// consignments are irregular, and every other consignment is the same.
func TestDriftKeepsGroundTruth(t *testing.T) {
	with := learnModel(t, nil, "horizon=70d", "drift[0].at=14d")
	without := learnModel(t, nil, "horizon=70d", "drift=[]")
	gw, go0 := with.NewGenerator(), without.NewGenerator()
	gw.Reset(3)
	go0.Reset(3)
	var a, b Consignment
	changed, moved, cases := 0, 0, 0
	west := map[datamodel.Country]bool{}
	for _, code := range []string{"GH", "NG", "CI"} {
		c, _ := datamodel.ParseCountry(code)
		west[c] = true
	}
	for gw.Next(&a) {
		if !go0.Next(&b) {
			t.Fatal("fewer consignments without the drift")
		}
		if a.Threat != b.Threat || a.Seq != b.Seq || a.Arrival != b.Arrival || a.Trader != b.Trader || a.Flags != b.Flags || a.Duty != b.Duty {
			t.Fatalf("consignment %d: ground truth or arrival differs with the drift", a.Seq)
		}
		sig := a.Threat == 0 && a.Flags&FlagClean == 0 && a.Arrival >= 14*1440
		if a != b {
			if !sig {
				t.Fatalf("consignment %d (threat %d, arrival %v) changed, but it is not a narcotics signature case after the drift", a.Seq, a.Threat, a.Arrival)
			}
			changed++
		}
		if sig {
			cases++
			if west[a.Origin] {
				moved++
			}
		}
	}
	// The share the drifted signature gives the new origins, within four
	// binomial standard deviations.
	p := 0.0
	for i, c := range with.origins {
		if west[c] {
			p += with.tg.drifts[0].gt.origin.prob[i]
		}
	}
	if sd := math.Sqrt(float64(cases) * p * (1 - p)); cases < 50 || math.Abs(float64(moved)-p*float64(cases)) > 4*sd {
		t.Errorf("%d of %d narcotics signature cases after the drift come from GH, NG, CI; want %.1f ± %.1f", moved, cases, p*float64(cases), 4*sd)
	}
	t.Logf("%d consignments changed, %d narcotics signature cases after the drift, %d from the new origins", changed, cases, moved)
}

// TestFixedBudgetRate: with targeting.budget the share of arrivals inspected
// is the budget. The threshold follows the scores of the last 24 hours, so
// the tolerance allows for its lag beyond binomial noise (about 0.001 here).
func TestFixedBudgetRate(t *testing.T) {
	m := learnModel(t, nil, "horizon=28d", "targeting.budget=0.05")
	reps, err := Learn(context.Background(), m, LearnOptions{Seeds: 2, Workers: 2, Policies: []string{"rules", "rules+random", "oracle"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		rate := float64(r.Total.Inspected) / float64(r.Total.Arrivals)
		if math.Abs(rate-0.05) > 0.005 {
			t.Errorf("%s seed %d: inspection rate %.4f, want 0.05", r.Policy, r.Seed, rate)
		}
		expl := float64(r.Total.Explored) / float64(r.Total.Inspected)
		wantExpl := 0.0
		if r.Policy == "rules+random" {
			wantExpl = 0.1
		}
		if math.Abs(expl-wantExpl) > 0.03 {
			t.Errorf("%s seed %d: random share %.3f of inspections, want %.2f", r.Policy, r.Seed, expl, wantExpl)
		}
	}
}

// TestIPWUnbiased: with known propensities the inverse-propensity sum
// estimates, without bias, what inspecting everything would find
// (Findable). Over 24 seeds the mean difference must be within three
// standard errors of 0.
func TestIPWUnbiased(t *testing.T) {
	// Three scanners: the fixed budget stays within capacity, so every
	// inspected consignment is examined by the end of the drain.
	m := learnModel(t, nil, "horizon=14d", "targeting.budget=0.1", "targeting.epsilon=0.5", "drift=[]", "resources.pools[nii].servers=3")
	reps, err := Learn(context.Background(), m, LearnOptions{Seeds: 24, Policies: []string{"rules+random"}})
	if err != nil {
		t.Fatal(err)
	}
	var d []float64
	for _, r := range reps {
		d = append(d, r.Total.IPW-r.Total.Findable)
	}
	mean, sd := 0.0, 0.0
	for _, x := range d {
		mean += x
	}
	mean /= float64(len(d))
	for _, x := range d {
		sd += (x - mean) * (x - mean)
	}
	sd = math.Sqrt(sd / float64(len(d)-1))
	se := sd / math.Sqrt(float64(len(d)))
	t.Logf("IPW − findable: mean %.2f, se %.2f (findable about %.0f)", mean, se, reps[0].Total.Findable)
	if math.Abs(mean) > 3*se {
		t.Errorf("IPW − findable: mean %.2f, more than 3 standard errors (%.2f) from 0", mean, se)
	}
}

// originSink counts narcotics cases by whether their origin is one the
// rules target, over arrivals from a time on.
type originSink struct {
	from           float64
	andean         map[datamodel.Country]bool
	cases, targetd int
}

func (s *originSink) Consignment(c *Consignment, ms *Milestones) error {
	if c.Threat == 0 && c.Flags&FlagClean == 0 && c.Arrival >= s.from {
		s.cases++
		if s.andean[c.Origin] {
			s.targetd++
		}
	}
	return nil
}
func (s *originSink) Close() error { return nil }

// TestDisplacementMovesAway: under the rules, which inspect Andean origins
// far more than others, a displaced narcotics threat (elasticity 3) comes
// less often from them after the first weeks than the same seed without
// displacement.
func TestDisplacementMovesAway(t *testing.T) {
	share := func(displaced bool) (float64, int) {
		m := learnModel(t, func(sc *scenarios.Scenario) {
			sc.Drift = nil
			if displaced {
				sc.Displacement = []scenarios.Displacement{{Threat: "narcotics", Elasticity: 3, Over: []string{"origin"}, Period: 7 * 1440}}
			}
		}, "horizon=70d")
		cfg, err := m.borderConfig()
		if err != nil {
			t.Fatal(err)
		}
		g, sel, b := m.NewGenerator(), m.NewSelector(), newBorder(cfg)
		tg, err := m.newTargeter("rules", g, cfg)
		if err != nil {
			t.Fatal(err)
		}
		lp := newLearnLoop(m, cfg, g, b, tg)
		sink := &originSink{from: 14 * 1440, andean: map[datamodel.Country]bool{}}
		for _, code := range []string{"CO", "EC", "PE", "BO"} {
			c, _ := datamodel.ParseCountry(code)
			sink.andean[c] = true
		}
		g.Reset(5)
		sel.Reset(5)
		b.reset(5, sink)
		lp.reset(5)
		var c Consignment
		for g.Next(&c) {
			sel.Assess(&c)
			lp.target(&c)
			b.add(&c)
		}
		b.finish()
		return float64(sink.targetd) / float64(sink.cases), sink.cases
	}
	base, n0 := share(false)
	moved, n1 := share(true)
	t.Logf("narcotics cases from Andean origins after week 2: %.2f of %d without displacement, %.2f of %d with", base, n0, moved, n1)
	if n0 != n1 {
		t.Errorf("%d cases without displacement, %d with: displacement must not change how many", n0, n1)
	}
	if !(moved < base-0.15) {
		t.Errorf("Andean share %.2f with displacement, %.2f without: want it well below", moved, base)
	}
}

// TestRunWithTargeting: pilotsim run applies the scenario's policy
// (rules+random in narcotics-drift): only the red and green lanes, the
// random stratum a tenth of the red lane, and the same ground truth as
// without targeting (the rules' lanes).
func TestRunWithTargeting(t *testing.T) {
	m := learnModel(t, nil, "horizon=14d", "replications=2")
	plain := learnModel(t, func(sc *scenarios.Scenario) { sc.Targeting, sc.Drift = nil, nil }, "horizon=14d", "replications=2")
	res, err := Run(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, err := Run(context.Background(), plain, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if y, b := runValue(t, m, r, "lane.yellow.share"), runValue(t, m, r, "lane.blue.share"); y != 0 || b != 0 {
			t.Errorf("rep %d: yellow %v, blue %v; targeting sends only to red or green", i, y, b)
		}
		red := runValue(t, m, r, "lane.red.share")
		random := runValue(t, m, r, "lane.red.random.count") / runValue(t, m, r, "consignments")
		if !(red > 0.01) || math.Abs(random/red-0.1) > 0.03 {
			t.Errorf("rep %d: red %.4f, of which random %.4f: want a tenth", i, red, random)
		}
		if a, b := runValue(t, m, r, "irregular.count"), runValue(t, plain, base[i], "irregular.count"); a != b {
			t.Errorf("rep %d: %v irregular with targeting, %v without", i, a, b)
		}
	}
}

// TestAdaptiveAfterDrift: on narcotics-drift (8 seeds), the adaptive
// policy's alarm — its targeted inspections finding less than its model
// predicted — opens exploration when the narcotics route moves, and it
// finds at least twice what exploiting alone finds of narcotics in the four
// weeks after the drift; before the drift, exploiting alone is at least as
// good (the alarm does not open on noise). A broken alarm (never opening)
// leaves adaptive at exploit's level; one that opens on noise costs it
// before the drift.
func TestAdaptiveAfterDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("8 seeds × 2 policies of 24 weeks")
	}
	m := learnModel(t, nil)
	const seeds = 8
	reps, err := Learn(context.Background(), m, LearnOptions{Policies: []string{"learned", "adaptive"}, Seeds: seeds})
	if err != nil {
		t.Fatal(err)
	}
	// Narcotics is threat 0; the drift starts in week 13 (index 12).
	narcotics := func(r *LearnRep, from, to int) float64 {
		var f, n int64
		for _, w := range r.Weeks[from:to] {
			f += w.FoundBy[0]
			n += w.IrregularBy[0]
		}
		return float64(f) / float64(n)
	}
	var before, after [2]float64
	for p := range 2 {
		for s := range seeds {
			r := &reps[p*seeds+s]
			before[p] += narcotics(r, 8, 12) / seeds
			after[p] += narcotics(r, 12, 16) / seeds
		}
	}
	t.Logf("narcotics found, 4 weeks before / after the drift: learned %.3f / %.3f, adaptive %.3f / %.3f", before[0], after[0], before[1], after[1])
	if !(after[1] >= 2*after[0]) {
		t.Errorf("after the drift adaptive found %.3f, exploit-only %.3f: want at least twice", after[1], after[0])
	}
	if !(before[1] > 0.9*before[0]) {
		t.Errorf("before the drift adaptive found %.3f, exploit-only %.3f: want about as much (no alarm on noise)", before[1], before[0])
	}
}
