package sim

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

func TestPickTableFrequencies(t *testing.T) {
	for _, tc := range []struct {
		why string
		w   []float64
	}{
		{"one entry always wins", []float64{3}},
		{"uneven weights", []float64{1, 2, 3, 4}},
		{"zero weights never drawn", []float64{0, 5, 0, 1, 0.01}},
		{"Zipf-like tail", []float64{1, 0.5, 0.333, 0.25, 0.2, 0.166, 0.142, 0.125}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			tab, err := newPickTable(tc.w)
			if err != nil {
				t.Fatal(err)
			}
			total := 0.0
			for _, x := range tc.w {
				total += x
			}
			const n = 200000
			r := rand.New(rand.NewPCG(1, 1))
			counts := make([]int, len(tc.w))
			for range n {
				counts[tab.pick(r.Uint64())]++
			}
			for i, k := range counts {
				p := tc.w[i] / total
				if p == 0 && k > 0 {
					t.Errorf("index %d has weight 0 but was drawn %d times", i, k)
				}
				engCheckBinomial(t, "index", k, n, p, 4)
			}
		})
	}
	if _, err := newPickTable([]float64{0, 0}); err == nil {
		t.Error("all-zero weights: no error")
	}
}

func TestArrivalsArePoissonInTimeOrder(t *testing.T) {
	sc := engScenario(30, 20)
	sc.Traffic["air"] = scenarios.ModeTraffic{Rate: 10}
	m := engCompile(t, sc)
	cs := engAll(m, 0)
	var byMode [datamodel.NumModes]int
	prev := -1.0
	for i, c := range cs {
		if c.Seq != uint64(i) {
			t.Fatalf("consignment %d has Seq %d", i, c.Seq)
		}
		if c.Arrival < prev || c.Arrival >= m.Horizon() {
			t.Fatalf("consignment %d arrives at %v after %v (horizon %v)", i, c.Arrival, prev, m.Horizon())
		}
		prev = c.Arrival
		byMode[c.Mode]++
	}
	// A Poisson count has variance = mean; 4 sigma.
	for _, x := range []struct {
		mode datamodel.Mode
		rate float64
	}{{datamodel.ModeSea, 30}, {datamodel.ModeAir, 10}} {
		mean := x.rate * 20 * 24
		if d := math.Abs(float64(byMode[x.mode]) - mean); d > 4*math.Sqrt(mean) {
			t.Errorf("%s: %d arrivals, want %.0f ± %.0f", x.mode, byMode[x.mode], mean, 4*math.Sqrt(mean))
		}
	}
}

func TestArrivalProfileByThinning(t *testing.T) {
	sc := engScenario(20, 56) // 8 weeks
	hourly := make([]float64, 24)
	for h := 8; h < 18; h++ {
		hourly[h] = 1 // office hours only
	}
	hourly[12] = 3                             // a busy noon
	weekly := []float64{1, 1, 1, 1, 1, 0.5, 0} // quiet Saturday, closed Sunday
	mt := sc.Traffic["sea"]
	mt.Hourly, mt.Weekly = hourly, weekly
	sc.Traffic["sea"] = mt
	m := engCompile(t, sc)
	cs := engAll(m, 3)

	// The mean rate stays the given rate: total count is Poisson(rate·horizon).
	mean := 20 * 56 * 24.0
	if d := math.Abs(float64(len(cs)) - mean); d > 4*math.Sqrt(mean) {
		t.Errorf("%d arrivals, want %.0f ± %.0f (profile must keep the mean rate)", len(cs), mean, 4*math.Sqrt(mean))
	}
	var perHour [24]int
	var perDay [7]int
	for _, c := range cs {
		perHour[int(c.Arrival/60)%24]++
		perDay[int(c.Arrival/(24*60))%7]++
	}
	hsum, dsum := 12.0, 5.5
	for h, k := range perHour {
		engCheckBinomial(t, "hour of day", k, len(cs), hourly[h]/hsum, 4)
	}
	for d, k := range perDay {
		engCheckBinomial(t, "day of week", k, len(cs), weekly[d]/dsum, 4)
	}
}

func TestLodgementAndAssessment(t *testing.T) {
	sc := engScenario(10, 5)
	mt := sc.Traffic["sea"]
	mt.LodgementLead = scenarios.Dist{Kind: "uniform", Min: engF(-60), Max: engF(120)}
	sc.Traffic["sea"] = mt
	sc.Selectivity.Assessment = scenarios.Dist{Kind: "exp", Mean: engF(15)}
	m := engCompile(t, sc)
	after := 0
	cs := engAll(m, 0)
	sum := 0.0
	for _, c := range cs {
		lead := c.Arrival - c.Lodgement
		if lead < -60 || lead > 120 {
			t.Fatalf("lead %v outside [-60, 120]", lead)
		}
		if c.LaneAt < c.Lodgement {
			t.Fatalf("LaneAt %v before Lodgement %v", c.LaneAt, c.Lodgement)
		}
		sum += c.LaneAt - c.Lodgement
		if c.Lodgement > c.Arrival {
			after++
		}
	}
	engCheckBinomial(t, "lodged after arrival", after, len(cs), 60.0/180, 4)
	// Mean of exp(15): CLT bound, sd = 15/sqrt(n).
	if mean := sum / float64(len(cs)); math.Abs(mean-15) > 4*15/math.Sqrt(float64(len(cs))) {
		t.Errorf("mean assessment %v, want 15", mean)
	}
}

func TestGeneratedFieldsWellFormed(t *testing.T) {
	m := engCompile(t, engScenario(50, 5))
	cs := engAll(m, 1)
	routed := 0
	for _, c := range cs {
		ch := c.Chapter()
		if !datamodel.HSChapterValid(ch) {
			t.Fatalf("HS %06d: chapter %d not in use", c.HS, ch)
		}
		if h := int(c.HS/100) % 100; h < 1 || h > int(hsLastHeading[ch]) {
			t.Fatalf("HS %06d: heading %d outside 01-%02d", c.HS, h, hsLastHeading[ch])
		}
		if c.Origin.String() == "" || c.Dispatch.String() == "" {
			t.Fatalf("bad countries %v %v", c.Origin, c.Dispatch)
		}
		if c.Flags&FlagRouted != 0 {
			routed++
			if c.Hub == datamodel.NoCountry || c.Dispatch != c.Hub || c.Hub == c.Origin {
				t.Fatalf("routed consignment: origin %v hub %v dispatch %v", c.Origin, c.Hub, c.Dispatch)
			}
		} else if c.Hub != datamodel.NoCountry || c.Dispatch != c.Origin {
			t.Fatalf("direct consignment: origin %v hub %v dispatch %v", c.Origin, c.Hub, c.Dispatch)
		}
		if !(c.GrossWeight > 0) || !(c.Value > 0) || math.Abs(c.ValuePerKg*c.GrossWeight-c.Value) > 1e-6*c.Value {
			t.Fatalf("weight %v value %v value/kg %v", c.GrossWeight, c.Value, c.ValuePerKg)
		}
		if int(c.Trader) < 0 || int(c.Trader) >= m.TraderCount() {
			t.Fatalf("trader %d", c.Trader)
		}
	}
	// None of the origins is a hub, so the routed share is exact.
	engCheckBinomial(t, "routed", routed, len(cs), 0.3, 4)
}

func TestTradersZipfAndFlags(t *testing.T) {
	sc := engScenario(200, 10)
	sc.Traders.Count, sc.Traders.Zipf = 50, 1.2
	m := engCompile(t, sc)
	g := m.NewGenerator()
	g.Reset(0)
	counts := make([]int, 50)
	n := 0
	var c Consignment
	for g.Next(&c) {
		counts[c.Trader]++
		n++
		if c.Flags&(FlagAEO|FlagNew) != g.TraderFlags(int(c.Trader)) {
			t.Fatalf("consignment flags %b, trader flags %b", c.Flags, g.TraderFlags(int(c.Trader)))
		}
	}
	z := 0.0
	for k := 1; k <= 50; k++ {
		z += math.Pow(float64(k), -1.2)
	}
	for i, k := range counts {
		engCheckBinomial(t, "trader "+TraderID(i), k, n, math.Pow(float64(i+1), -1.2)/z, 4)
	}
	// Flags over a large population: binomial in the trader count.
	sc.Traders.Count = 20000
	m = engCompile(t, sc)
	g = m.NewGenerator()
	g.Reset(7)
	aeo, nw := 0, 0
	for i := range 20000 {
		f := g.TraderFlags(i)
		if f&FlagAEO != 0 {
			aeo++
		}
		if f&FlagNew != 0 {
			nw++
		}
	}
	engCheckBinomial(t, "AEO traders", aeo, 20000, 0.3, 4)
	engCheckBinomial(t, "new traders", nw, 20000, 0.1, 4)
}

func TestTraderIDs(t *testing.T) {
	for _, tc := range []struct {
		i  int
		id string
	}{{0, "T000001"}, {41, "T000042"}, {999999, "T1000000"}} {
		if got := TraderID(tc.i); got != tc.id {
			t.Errorf("TraderID(%d) = %s, want %s", tc.i, got, tc.id)
		}
		if got, err := scenarios.ParseTraderID(tc.id, 2000000); err != nil || got != tc.i {
			t.Errorf("scenarios.ParseTraderID(%s) = %d, %v", tc.id, got, err)
		}
	}
	for _, bad := range []string{"", "T", "X000001", "T000000", "T-00001", "T+00001", "T0000a1", "T001001"} {
		if _, err := scenarios.ParseTraderID(bad, 1000); err == nil {
			t.Errorf("scenarios.ParseTraderID(%q): no error", bad)
		}
	}
}

func TestSameSeedSameConsignments(t *testing.T) {
	m := engCompile(t, engScenario(30, 3))
	a, b := engAll(m, 2), engAll(m, 2)
	if len(a) != len(b) {
		t.Fatalf("lengths %d, %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("consignment %d differs:\n%+v\n%+v", i, a[i], b[i])
		}
	}
	// Another replication differs.
	c := engAll(m, 3)
	if len(c) == len(a) && c[0] == a[0] {
		t.Error("replications 2 and 3 start with the same consignment")
	}
	// Reset restarts: a generator reused across replications gives the same.
	g := m.NewGenerator()
	g.Reset(5)
	g.Reset(2)
	var x Consignment
	for i := 0; g.Next(&x); i++ {
		x.Score, x.Hits, x.Lane, x.Reason = a[i].Score, a[i].Hits, a[i].Lane, a[i].Reason
		if x != a[i] {
			t.Fatalf("after Reset, consignment %d differs", i)
		}
	}
}

func TestNextAndAssessAllocateNothing(t *testing.T) {
	sc := engScenario(120, 365)
	sc.Threats = []scenarios.Threat{{Name: "duty", Prevalence: 0.05, CleanShare: 0.2,
		Signature: scenarios.Signature{Origin: map[string]float64{"CN": 3}, ValueFactor: engF(4)},
		Duty:      &scenarios.Dist{Kind: "gamma", Mean: engF(1000), CV: engF(1)}}}
	sc.Rules = []scenarios.Rule{{ID: "R1", Score: 50, When: &scenarios.Criteria{Origin: []string{"CN"}, HS: []string{"0803", "85"}}}}
	sc.Selectivity = scenarios.Selectivity{Red: engF(40), Random: map[string]scenarios.RandomRate{"red": {Rate: 0.02}},
		Expected: map[string]float64{"yellow": 0.05}}
	m := engCompile(t, sc)
	g, s := m.NewGenerator(), m.NewSelector()
	var c Consignment
	if a := testing.AllocsPerRun(10000, func() {
		g.Next(&c)
		s.Assess(&c)
	}); a != 0 {
		t.Errorf("%v allocations per consignment, want 0", a)
	}
}

// TestCompileShippedExamples: every example scenario shipped with the tool
// compiles and generates consignments whose records pass datamodel
// validation.
func TestCompileShippedExamples(t *testing.T) {
	files, err := filepath.Glob("../scenarios/examples/*.yaml")
	admin, _ := filepath.Glob("../scenarios/examples/administrations/*.yaml")
	files = append(files, admin...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no example scenarios: %v", err)
	}
	for _, f := range files {
		sc, err := scenarios.Load(f, nil)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		m, err := Compile(sc)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		g, s := m.NewGenerator(), m.NewSelector()
		var c Consignment
		var rec datamodel.Consignment
		for range 1000 {
			if !g.Next(&c) {
				t.Errorf("%s: fewer than 1000 consignments", f)
				break
			}
			s.Assess(&c)
			g.Record(&c, &rec)
			if err := rec.Validate(); err != nil {
				t.Fatalf("%s: consignment %d: %v", f, c.Seq, err)
			}
		}
		if s.Err() != nil {
			t.Errorf("%s: %v", f, s.Err())
		}
	}
}
