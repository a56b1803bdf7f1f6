package sim

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/internal/fault"
	"pilotsim/scenarios"
)

// engCountry parses a country code or panics (test tables only).
func engCountry(code string) datamodel.Country {
	c, err := datamodel.ParseCountry(code)
	if err != nil {
		panic(err)
	}
	return c
}

// engProbe is a hand-made consignment for criteria tests: from Colombia via
// Panama, HS 080390, trader T000003 (AEO, not new), by sea, lodged an hour
// after arrival, 1000 kg worth 2000.
func engProbe() Consignment {
	return Consignment{
		Arrival: 600, Lodgement: 660, LaneAt: 660,
		Trader: 2, Origin: engCountry("CO"), Dispatch: engCountry("PA"), Hub: engCountry("PA"),
		Mode: datamodel.ModeSea, HS: 80390, Flags: FlagAEO | FlagRouted,
		GrossWeight: 1000, Value: 2000, ValuePerKg: 2, Threat: NoThreat,
	}
}

func TestCriteria(t *testing.T) {
	C := func(c scenarios.Criteria) *scenarios.Criteria { return &c }
	for _, tc := range []struct {
		why  string
		when *scenarios.Criteria
		expr string // an equivalent expr rule, when given
		want bool
	}{
		{"origin in list", C(scenarios.Criteria{Origin: []string{"EC", "CO"}}), `origin in ["EC", "CO"]`, true},
		{"origin not in list", C(scenarios.Criteria{Origin: []string{"CN"}}), `origin == "CN"`, false},
		{"dispatch is the hub when routed", C(scenarios.Criteria{Dispatch: []string{"PA"}}), `dispatch == "PA"`, true},
		{"dispatch is not the origin when routed", C(scenarios.Criteria{Dispatch: []string{"CO"}}), `dispatch == "CO"`, false},
		{"routing through a listed hub", C(scenarios.Criteria{Routing: []string{"AE", "PA"}}), `routed && hub in ["AE", "PA"]`, true},
		{"routing through another hub", C(scenarios.Criteria{Routing: []string{"SG"}}), `hub == "SG"`, false},
		{"chapter prefix", C(scenarios.Criteria{HS: []string{"08"}}), `chapter == 8`, true},
		{"heading prefix", C(scenarios.Criteria{HS: []string{"0803"}}), `heading == 803`, true},
		{"full code", C(scenarios.Criteria{HS: []string{"080390"}}), `hs == "080390"`, true},
		{"odd-length prefix", C(scenarios.Criteria{HS: []string{"85", "080"}}), `hs startsWith "080"`, true},
		{"other heading", C(scenarios.Criteria{HS: []string{"0804", "85"}}), `heading == 804`, false},
		{"other subheading", C(scenarios.Criteria{HS: []string{"080310"}}), `hs == "080310"`, false},
		{"trader in list", C(scenarios.Criteria{Trader: []string{"T000001", "T000003"}}), `trader == "T000003"`, true},
		{"trader not in list", C(scenarios.Criteria{Trader: []string{"T000001"}}), `trader == "T000001"`, false},
		{"mode", C(scenarios.Criteria{Mode: []string{"air", "sea"}}), `mode == "sea"`, true},
		{"other mode", C(scenarios.Criteria{Mode: []string{"air"}}), `mode == "air"`, false},
		{"AEO", C(scenarios.Criteria{AEO: engB(true)}), `aeo`, true},
		{"non-AEO", C(scenarios.Criteria{AEO: engB(false)}), `!aeo`, false},
		{"not a new trader", C(scenarios.Criteria{NewTrader: engB(false)}), `!new_trader`, true},
		{"lodged after arrival", C(scenarios.Criteria{LodgedAfterArrival: engB(true)}), `lodged_after_arrival && lead_hours == -1`, true},
		{"min is inclusive", C(scenarios.Criteria{ValuePerKg: &scenarios.Range{Min: engF(2)}}), `value_per_kg >= 2`, true},
		{"max is exclusive", C(scenarios.Criteria{ValuePerKg: &scenarios.Range{Max: engF(2)}}), `value_per_kg < 2`, false},
		{"weight range", C(scenarios.Criteria{GrossWeight: &scenarios.Range{Min: engF(999), Max: engF(1001)}}), `gross_weight >= 999 && gross_weight < 1001`, true},
		{"value range", C(scenarios.Criteria{Value: &scenarios.Range{Max: engF(1000)}}), `value < 1000`, false},
		{"fields are ANDed: one fails", C(scenarios.Criteria{Origin: []string{"CO"}, HS: []string{"85"}}), `origin == "CO" && chapter == 85`, false},
		{"fields are ANDed: all hold", C(scenarios.Criteria{Origin: []string{"CO"}, HS: []string{"08"}, AEO: engB(true)}), ``, true},
		{"all", C(scenarios.Criteria{All: []scenarios.Criteria{{Origin: []string{"CO"}}, {HS: []string{"08"}}}}), ``, true},
		{"all with one failing", C(scenarios.Criteria{All: []scenarios.Criteria{{Origin: []string{"CO"}}, {HS: []string{"85"}}}}), ``, false},
		{"any", C(scenarios.Criteria{Any: []scenarios.Criteria{{Origin: []string{"US"}}, {HS: []string{"08"}}}}), ``, true},
		{"any with none holding", C(scenarios.Criteria{Any: []scenarios.Criteria{{Origin: []string{"US"}}, {HS: []string{"85"}}}}), ``, false},
		{"not", C(scenarios.Criteria{Not: &scenarios.Criteria{Origin: []string{"US"}}}), `not (origin == "US")`, true},
		{"not of a holding criterion", C(scenarios.Criteria{Not: &scenarios.Criteria{Origin: []string{"CO"}}}), ``, false},
		{"nested any/all/not", C(scenarios.Criteria{Any: []scenarios.Criteria{
			{All: []scenarios.Criteria{{Origin: []string{"CO"}}, {Not: &scenarios.Criteria{AEO: engB(true)}}}},
			{HS: []string{"0803"}, Routing: []string{"PA"}},
		}}), ``, true},
		{"field AND any", C(scenarios.Criteria{Origin: []string{"US"}, Any: []scenarios.Criteria{{HS: []string{"08"}}}}), ``, false},
		{"empty criteria always hold", C(scenarios.Criteria{}), `true`, true},
		{"arrival time", nil, `arrival_hour == 10 && arrival_weekday == 0`, true},
	} {
		t.Run(tc.why, func(t *testing.T) {
			sc := engScenario(1, 1)
			if tc.when != nil {
				sc.Rules = append(sc.Rules, scenarios.Rule{ID: "W", When: tc.when, Score: 1})
			}
			if tc.expr != "" {
				sc.Rules = append(sc.Rules, scenarios.Rule{ID: "E", Expr: tc.expr, Score: 1})
			}
			m := engCompile(t, sc)
			s := m.NewSelector()
			c := engProbe()
			s.Assess(&c)
			if s.Err() != nil {
				t.Fatal(s.Err())
			}
			for i, id := range m.RuleIDs() {
				if got := c.Hits.Has(i); got != tc.want {
					t.Errorf("rule %s: hit %v, want %v", id, got, tc.want)
				}
			}
			// Not routed: routing criteria never hold, the hub is "".
			c = engProbe()
			c.Hub, c.Dispatch, c.Flags = datamodel.NoCountry, c.Origin, c.Flags&^FlagRouted
			s.Assess(&c)
			if strings.HasPrefix(tc.why, "routing") && c.Hits != (RuleSet{}) {
				t.Errorf("unrouted consignment matches a routing rule")
			}
		})
	}
}

func TestRuleSetBeyond64(t *testing.T) {
	sc := engScenario(1, 1)
	for i := range MaxRules {
		want := []string{"CN"}
		if i%3 == 0 {
			want = []string{"CO"} // rules 0, 3, 6, … match the probe
		}
		sc.Rules = append(sc.Rules, scenarios.Rule{ID: fmt.Sprintf("R%03d", i), Score: 1, When: &scenarios.Criteria{Origin: want}})
	}
	m := engCompile(t, sc)
	c := engProbe()
	m.NewSelector().Assess(&c)
	for i := range MaxRules {
		if c.Hits.Has(i) != (i%3 == 0) {
			t.Errorf("rule %d: hit %v", i, c.Hits.Has(i))
		}
	}
	if want := float64((MaxRules+2)/3) - 0; c.Score != want {
		t.Errorf("score %v, want %v (no AEO discount set)", c.Score, want)
	}
	sc.Rules = append(sc.Rules, scenarios.Rule{ID: "one too many", When: &scenarios.Criteria{}})
	if _, err := Compile(sc); err == nil {
		t.Error("129 rules: no error")
	}
}

func TestLanesByScoreAndForce(t *testing.T) {
	sc := engScenario(1, 1)
	sc.Rules = []scenarios.Rule{
		{ID: "R1", Score: 50, When: &scenarios.Criteria{Origin: []string{"CO"}}},
		{ID: "R2", Score: 30, When: &scenarios.Criteria{HS: []string{"08"}}},
		{ID: "R3", Lane: "yellow", When: &scenarios.Criteria{NewTrader: engB(true)}},
		{ID: "R4", Lane: "red", When: &scenarios.Criteria{Trader: []string{"T000003"}}},
		{ID: "R5", Lane: "green", When: &scenarios.Criteria{Origin: []string{"US"}}},
		{ID: "R6", Score: 10, When: &scenarios.Criteria{ValuePerKg: &scenarios.Range{Max: engF(1)}}},
	}
	sc.Selectivity = scenarios.Selectivity{Red: engF(70), Yellow: engF(40), Blue: engF(20), AEODiscount: 30}
	m := engCompile(t, sc)
	s := m.NewSelector()
	type probe struct {
		origin string
		hs     uint32
		trader int32
		flags  uint8
		vpk    float64
	}
	for _, tc := range []struct {
		why    string
		p      probe
		score  float64
		lane   Lane
		reason Reason
		hits   []int
	}{
		{"nothing matches", probe{"CN", 850110, 9, 0, 5}, 0, Green, ReasonScore, nil},
		{"AEO discount makes the score negative", probe{"CN", 850110, 9, FlagAEO, 5}, -30, Green, ReasonScore, nil},
		{"two rules add up to red", probe{"CO", 80390, 9, 0, 5}, 80, Red, ReasonScore, []int{0, 1}},
		{"AEO discount: red becomes yellow", probe{"CO", 80390, 9, FlagAEO, 5}, 50, Yellow, ReasonScore, []int{0, 1}},
		{"AEO discount: yellow becomes blue", probe{"CO", 850110, 9, FlagAEO, 5}, 20, Blue, ReasonScore, []int{0}},
		{"a threshold is reached at equality", probe{"CN", 80390, 9, 0, 0.5}, 40, Yellow, ReasonScore, []int{1, 5}},
		{"just below a threshold", probe{"CN", 80390, 9, FlagAEO, 0.5}, 10, Green, ReasonScore, []int{1, 5}},
		{"a forced lane overrides a higher score", probe{"CO", 80390, 9, FlagNew, 5}, 80, Yellow, ReasonForced, []int{0, 1, 2}},
		{"the highest forced lane wins", probe{"CN", 850110, 2, FlagNew, 5}, 0, Red, ReasonForced, []int{2, 3}},
		{"forced green and forced yellow: yellow", probe{"US", 850110, 9, FlagNew, 5}, 0, Yellow, ReasonForced, []int{2, 4}},
		{"forced green overrides the score", probe{"US", 80390, 9, 0, 0.5}, 40, Green, ReasonForced, []int{1, 4, 5}},
	} {
		c := engProbe()
		c.Origin, c.Dispatch, c.Hub, c.HS, c.Trader, c.Flags, c.ValuePerKg = engCountry(tc.p.origin), engCountry(tc.p.origin), datamodel.NoCountry, tc.p.hs, tc.p.trader, tc.p.flags, tc.p.vpk
		s.Assess(&c)
		var hits RuleSet
		for _, i := range tc.hits {
			hits.Add(i)
		}
		if c.Score != tc.score || c.Lane != tc.lane || c.Reason != tc.reason || c.Hits != hits {
			t.Errorf("%s: score %v lane %v reason %v hits %v; want %v %v %v %v", tc.why, c.Score, c.Lane, c.Reason, c.Hits, tc.score, tc.lane, tc.reason, hits)
		}
	}
}

// TestMaxHits: selectivity.max_hits forces a consignment that hits at least
// count rules into at least its lane (reason Forced), whatever the score and
// the AEO discount; below the count nothing changes; a higher lane by score
// or by a rule is kept; and, as the highest forced lane wins, a rule forcing
// green does not keep such a consignment green (its own hit counts).
func TestMaxHits(t *testing.T) {
	sc := engScenario(1, 1)
	sc.Rules = []scenarios.Rule{
		{ID: "W1", Score: 10, When: &scenarios.Criteria{Origin: []string{"CO"}}},
		{ID: "W2", Score: 10, When: &scenarios.Criteria{HS: []string{"08"}}},
		{ID: "W3", Score: 10, When: &scenarios.Criteria{ValuePerKg: &scenarios.Range{Max: engF(1)}}},
		{ID: "G", Lane: "green", When: &scenarios.Criteria{Origin: []string{"US"}}},
		{ID: "Y", Lane: "yellow", When: &scenarios.Criteria{NewTrader: engB(true)}},
		{ID: "BIG", Score: 100, When: &scenarios.Criteria{Trader: []string{"T000005"}}},
	}
	type probe struct {
		origin string
		hs     uint32
		trader int32
		flags  uint8
		vpk    float64
	}
	for _, tc := range []struct {
		why    string
		count  int
		lane   string // max_hits.lane; "" = default red
		p      probe
		score  float64
		want   Lane
		reason Reason
	}{
		{"1 hit, count 2: score decides", 2, "", probe{"CO", 850110, 9, 0, 5}, 10, Green, ReasonScore},
		{"2 hits, count 2: forced red (default lane)", 2, "", probe{"CO", 80390, 9, 0, 5}, 20, Red, ReasonForced},
		{"3 hits, count 2: forced red", 2, "", probe{"CO", 80390, 9, 0, 0.5}, 30, Red, ReasonForced},
		{"2 hits, count 3: below, score decides", 3, "red", probe{"CO", 80390, 9, 0, 5}, 20, Green, ReasonScore},
		{"3 hits, count 3: at the count", 3, "red", probe{"CO", 80390, 9, 0, 0.5}, 30, Red, ReasonForced},
		{"2 hits, lane yellow", 2, "yellow", probe{"CO", 80390, 9, 0, 5}, 20, Yellow, ReasonForced},
		{"3 hits, lane yellow", 2, "yellow", probe{"CO", 80390, 9, 0, 0.5}, 30, Yellow, ReasonForced},
		{"AEO discount does not change the count", 2, "", probe{"CO", 80390, 9, FlagAEO, 5}, -10, Red, ReasonForced},
		{"red by score is kept with lane yellow", 2, "yellow", probe{"CO", 850110, 4, 0, 5}, 110, Red, ReasonScore},
		{"yellow by score is kept", 2, "yellow", probe{"CO", 850110, 4, FlagAEO, 5}, 80, Yellow, ReasonScore},
		{"forced green alone: 1 hit, green", 2, "", probe{"US", 850110, 9, 0, 5}, 0, Green, ReasonForced},
		{"forced green + 1 hit = 2 hits: red wins", 2, "", probe{"US", 80390, 9, 0, 5}, 10, Red, ReasonForced},
		{"forced green + 1 hit, lane yellow: yellow wins", 2, "yellow", probe{"US", 80390, 9, 0, 5}, 10, Yellow, ReasonForced},
		{"forced yellow + 1 hit, lane red: red wins", 2, "red", probe{"CN", 80390, 9, FlagNew, 5}, 10, Red, ReasonForced},
		{"forced yellow + 1 hit, lane yellow: yellow", 2, "yellow", probe{"CN", 80390, 9, FlagNew, 5}, 10, Yellow, ReasonForced},
	} {
		sc.Selectivity = scenarios.Selectivity{Red: engF(100), Yellow: engF(60), AEODiscount: 30,
			MaxHits: &scenarios.MaxHits{Count: tc.count, Lane: tc.lane}}
		s := engCompile(t, sc).NewSelector()
		c := engProbe()
		c.Origin, c.Dispatch, c.Hub, c.HS, c.Trader, c.Flags, c.ValuePerKg = engCountry(tc.p.origin), engCountry(tc.p.origin), datamodel.NoCountry, tc.p.hs, tc.p.trader, tc.p.flags, tc.p.vpk
		s.Assess(&c)
		if c.Score != tc.score || c.Lane != tc.want || c.Reason != tc.reason {
			t.Errorf("%s: score %v lane %v reason %v (hits %d); want %v %v %v", tc.why, c.Score, c.Lane, c.Reason, c.Hits.Count(), tc.score, tc.want, tc.reason)
		}
	}
}

// TestMaxHitsThenRandom: random rates apply after max_hits as after any
// forced lane: a consignment forced yellow by max_hits moves to red when
// drawn for red (binomial, 4 sigma), and expected rates never pull it (it is
// not green).
func TestMaxHitsThenRandom(t *testing.T) {
	sc := engScenario(120, 10)
	sc.Rules = []scenarios.Rule{
		{ID: "CN", Score: 1, When: &scenarios.Criteria{Origin: []string{"CN"}}},
		{ID: "ANY", Score: 1, When: &scenarios.Criteria{HS: []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"}}},
	}
	sc.Selectivity = scenarios.Selectivity{MaxHits: &scenarios.MaxHits{Count: 2, Lane: "yellow"},
		Random: map[string]scenarios.RandomRate{"red": {Rate: 0.1}}, Expected: map[string]float64{"yellow": 0.5}}
	m := engCompile(t, sc)
	var forced, drawn, n int
	for _, c := range engAll(m, 0) {
		if c.Hits.Count() < 2 {
			continue
		}
		n++
		switch {
		case c.Lane == Yellow && c.Reason == ReasonForced:
			forced++
		case c.Lane == Red && c.Reason == ReasonRandom:
			drawn++
		default:
			t.Fatalf("consignment with 2 hits: lane %v reason %v (want yellow forced or red random)", c.Lane, c.Reason)
		}
	}
	if n < 500 {
		t.Fatalf("only %d consignments with 2 hits", n)
	}
	engCheckBinomial(t, "forced yellow drawn into red", drawn, n, 0.1, 4)
}

// TestLanesFollowRandomRates: with no rules and no threats, every lane but
// green is filled by the minimum random rates alone; each lane's count is
// binomial, checked within 4 sigma. AEO consignments are exempt from red.
func TestLanesFollowRandomRates(t *testing.T) {
	sc := engScenario(120, 30)
	rates := map[Lane]float64{Red: 0.02, Yellow: 0.05, Blue: 0.10}
	sc.Selectivity.Random = map[string]scenarios.RandomRate{
		"red": {Rate: 0.02, AEOExempt: true}, "yellow": {Rate: 0.05}, "blue": {Rate: 0.10},
	}
	m := engCompile(t, sc)
	var count [2][NumLanes]int
	var n [2]int
	for _, c := range engAll(m, 0) {
		a := 0
		if c.AEO() {
			a = 1
		}
		n[a]++
		count[a][c.Lane]++
		if want := ReasonRandom; c.Lane == Green {
			if c.Reason != ReasonScore {
				t.Fatalf("green consignment with reason %v", c.Reason)
			}
		} else if c.Reason != want {
			t.Fatalf("%v consignment with reason %v", c.Lane, c.Reason)
		}
	}
	if n[1] < 1000 || n[0] < 1000 {
		t.Fatalf("too few consignments: %v", n)
	}
	engCheckBinomial(t, "non-AEO red", count[0][Red], n[0], rates[Red], 4)
	engCheckBinomial(t, "non-AEO yellow", count[0][Yellow], n[0], rates[Yellow], 4)
	engCheckBinomial(t, "non-AEO blue", count[0][Blue], n[0], rates[Blue], 4)
	if count[1][Red] != 0 {
		t.Errorf("%d AEO consignments drawn into red despite aeo_exempt", count[1][Red])
	}
	// The uniform that would draw an AEO into red leaves it green.
	engCheckBinomial(t, "AEO yellow", count[1][Yellow], n[1], rates[Yellow], 4)
	engCheckBinomial(t, "AEO blue", count[1][Blue], n[1], rates[Blue], 4)
}

// TestRandomNeverLowersALane: a consignment red by score and drawn for
// yellow stays red; one yellow by score drawn for red goes red.
func TestRandomNeverLowersALane(t *testing.T) {
	sc := engScenario(120, 10)
	sc.Rules = []scenarios.Rule{{ID: "CN", Score: 1, When: &scenarios.Criteria{Origin: []string{"CN"}}}}
	sc.Selectivity = scenarios.Selectivity{Yellow: engF(1), Random: map[string]scenarios.RandomRate{"red": {Rate: 0.1}, "yellow": {Rate: 0.1}}}
	m := engCompile(t, sc)
	cn := engCountry("CN")
	var yellowByScore, redFromYellow, n int
	for _, c := range engAll(m, 0) {
		if c.Origin != cn {
			continue
		}
		n++
		switch {
		case c.Lane == Yellow && c.Reason == ReasonScore:
			yellowByScore++
		case c.Lane == Red && c.Reason == ReasonRandom:
			redFromYellow++
		default:
			t.Fatalf("CN consignment: lane %v reason %v (want yellow by score or red at random)", c.Lane, c.Reason)
		}
	}
	engCheckBinomial(t, "CN drawn into red", redFromYellow, n, 0.1, 4)
}

func TestExpectedRateFill(t *testing.T) {
	for _, tc := range []struct {
		why      string
		redScore float64 // share of consignments red by score (origin CO)
		expected map[string]float64
	}{
		{"no rules: expected rates filled from green alone", 0, map[string]float64{"red": 0.03, "yellow": 0.07, "blue": 0.2}},
		{"rules give less red than expected: the rest is pulled in", 0.1 / 10, map[string]float64{"red": 0.05}},
		{"rules give more red than expected: almost none pulled in", 0.1, map[string]float64{"red": 0.05}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			sc := engScenario(120, 10)
			sc.Trade.Origins = map[string]float64{"CN": 1 - tc.redScore, "CO": tc.redScore}
			if tc.redScore == 0 {
				sc.Trade.Origins = map[string]float64{"CN": 1}
			}
			sc.Rules = []scenarios.Rule{{ID: "CO", Score: 100, When: &scenarios.Criteria{Origin: []string{"CO"}}}}
			sc.Selectivity = scenarios.Selectivity{Red: engF(100), Expected: tc.expected}
			m := engCompile(t, sc)
			cs := engAll(m, 0)
			var count [NumLanes]int
			var byExpected [NumLanes]int
			for i, c := range cs {
				count[c.Lane]++
				if c.Reason == ReasonExpected {
					byExpected[c.Lane]++
				}
				// After each consignment, every lane's running share is at
				// least its expected rate (within one consignment).
				for name, e := range tc.expected {
					l, _ := ParseLane(name)
					if n := float64(i + 1); float64(count[l]) < e*n-1 {
						t.Fatalf("after %d consignments %s has %d, below its expected rate %v", i+1, name, count[l], e)
					}
				}
			}
			n := float64(len(cs))
			for name, e := range tc.expected {
				l, _ := ParseLane(name)
				share := float64(count[l]) / n
				byScore := 0.0
				if l == Red {
					byScore = tc.redScore
				}
				want := math.Max(e, byScore)
				// Filling is deterministic: the share is the expected rate up
				// to one consignment. Above it, the lane holds its score
				// share (binomial, 4 sigma).
				tol := 1/n + 4*math.Sqrt(byScore*(1-byScore)/n)
				if math.Abs(share-want) > tol {
					t.Errorf("%s share %v, want %v ± %v", name, share, want, tol)
				}
				// When the score alone exceeds the expected rate, only the
				// first few consignments (running share still below the
				// rate by chance) are pulled in.
				if byScore > e && float64(byExpected[l]) > 0.001*n {
					t.Errorf("%s: %d pulled in although the score exceeds the expected rate", name, byExpected[l])
				}
			}
		})
	}
}

// TestSignatureGivesLift checks the hit rate of a rule aimed at a threat's
// signature against the value the likelihood ratios imply. For a threat with
// prevalence p whose irregular consignments match the rule with probability
// a and regular ones with probability b, Bayes gives
//
//	P(irregular | hit) = p·a / (p·a + (1−p)·b)
//
// where, for a feature tilted by ratio ρ of a value with base weight share w
// and clean share cs, a = (1−cs)·wρ/(wρ + 1 − w) + cs·w and b = w.
func TestSignatureGivesLift(t *testing.T) {
	const p, cs = 0.02, 0.25
	tilt := func(w, rho float64) float64 { return (1-cs)*w*rho/(w*rho+1-w) + cs*w }
	normCDF := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	for _, tc := range []struct {
		why   string
		setup func(sc *scenarios.Scenario, th *scenarios.Threat)
		rule  scenarios.Criteria
		// ab returns a = P(hit | irregular) and b = P(hit | regular) for the
		// model and the replication's generator.
		ab func(m *Model, g *Generator) (a, b float64)
	}{
		{"origin", func(sc *scenarios.Scenario, th *scenarios.Threat) {
			sc.Trade.Origins = map[string]float64{"CO": 1, "CN": 9}
			th.Signature.Origin = map[string]float64{"CO": 20}
		}, scenarios.Criteria{Origin: []string{"CO"}}, func(*Model, *Generator) (float64, float64) {
			return tilt(0.1, 20), 0.1
		}},
		{"HS chapter", func(sc *scenarios.Scenario, th *scenarios.Threat) {
			th.Signature.HSChapter = map[string]float64{"93": 50}
		}, scenarios.Criteria{HS: []string{"93"}}, func(*Model, *Generator) (float64, float64) {
			return tilt(1.0/96, 50), 1.0 / 96
		}},
		{"hub and routed ratio", func(sc *scenarios.Scenario, th *scenarios.Threat) {
			sc.Trade.Routing = scenarios.Routing{Share: 0.5, Hubs: map[string]float64{"PA": 1, "SG": 3}}
			th.Signature.Hub = map[string]float64{"PA": 9}
			th.Signature.RoutedRatio = engF(3) // odds 1 → 3: routed with probability 0.75
		}, scenarios.Criteria{Routing: []string{"PA"}}, func(*Model, *Generator) (float64, float64) {
			return (1-cs)*0.75*(9.0/12) + cs*0.5*0.25, 0.5 * 0.25
		}},
		{"value factor", func(sc *scenarios.Scenario, th *scenarios.Threat) {
			th.Signature.ValueFactor = engF(10)
		}, scenarios.Criteria{ValuePerKg: &scenarios.Range{Max: engF(1)}}, func(*Model, *Generator) (float64, float64) {
			// value/kg is lognormal(median 5, sigma 1); irregular: median 0.5.
			b := normCDF(math.Log(1.0 / 5))
			return (1-cs)*normCDF(math.Log(10.0/5)) + cs*b, b
		}},
		{"new trader", func(sc *scenarios.Scenario, th *scenarios.Threat) {
			sc.Traders.NewShare = 0.2
			th.Signature.NewTrader = engF(5)
		}, scenarios.Criteria{NewTrader: engB(true)}, func(m *Model, g *Generator) (float64, float64) {
			q := 0.0 // the replication's volume share of new traders
			for i := range m.traderCount {
				if g.TraderFlags(i)&FlagNew != 0 {
					q += m.traderZipf.p(i)
				}
			}
			z := 1 + (5-1)*q
			r := (1-cs)*5/z + cs // P(irregular | new) / p
			return q * r, q * (1 - p*r) / (1 - p)
		}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			sc := engScenario(120, 30)
			sc.Traders.AEOShare = 0 // AEO factor tested apart
			sc.Trade.Routing = scenarios.Routing{}
			th := scenarios.Threat{Name: "x", Prevalence: p, CleanShare: cs}
			tc.setup(sc, &th)
			sc.Threats = []scenarios.Threat{th}
			sc.Rules = []scenarios.Rule{{ID: "aim", Score: 1, When: &tc.rule}}
			m := engCompile(t, sc)
			g := m.NewGenerator()
			g.Reset(0)
			a, b := tc.ab(m, g)
			var hits, hitIrr, irr, n int
			for _, c := range engAll(m, 0) {
				n++
				if c.Irregular() {
					irr++
				}
				if c.Hits.Has(0) {
					hits++
					if c.Irregular() {
						hitIrr++
					}
				}
			}
			engCheckBinomial(t, "irregular", irr, n, p, 4)
			engCheckBinomial(t, "irregular among hits (hit rate)", hitIrr, hits, p*a/(p*a+(1-p)*b), 4)
			engCheckBinomial(t, "hits among irregular (detection)", hitIrr, irr, a, 4)
			if lift := a / (p*a + (1-p)*b); lift < 2 {
				t.Errorf("test case has lift %v: too weak to tell tilted from untilted", lift)
			}
		})
	}
}

func TestAEOPrevalenceFactor(t *testing.T) {
	const p, f = 0.05, 0.2
	sc := engScenario(120, 20)
	sc.Traders.AEOShare = 0.5
	sc.Traders.AEOPrevalenceFactor = engF(f)
	sc.Threats = []scenarios.Threat{{Name: "x", Prevalence: p, CleanShare: 0.5, Signature: scenarios.Signature{Origin: map[string]float64{"CO": 5}}}}
	m := engCompile(t, sc)
	var n, k [2]int
	for _, c := range engAll(m, 1) {
		i := 0
		if c.AEO() {
			i = 1
		}
		n[i]++
		if c.Irregular() {
			k[i]++
		}
	}
	engCheckBinomial(t, "irregular non-AEO", k[0], n[0], p, 4)
	engCheckBinomial(t, "irregular AEO", k[1], n[1], p*f, 4)
}

func TestThreatsAndDuty(t *testing.T) {
	sc := engScenario(120, 30)
	sc.Traders.AEOShare = 0
	sc.Threats = []scenarios.Threat{
		{Name: "rare", Prevalence: 0.0005, CleanShare: 0.5, Detection: scenarios.Detection{Document: 0.1, NII: 0.7, Physical: 0.9}},
		{Name: "revenue", Prevalence: 0.03, CleanShare: 0.3,
			Signature: scenarios.Signature{Origin: map[string]float64{"CO": 4}},
			Duty:      &scenarios.Dist{Kind: "const", Value: engF(250)}},
	}
	m := engCompile(t, sc)
	if m.Threats[0].Name != "rare" || m.Threats[0].Detect != [NumMethods]float64{0.1, 0.7, 0.9} || m.Threats[0].Revenue || !m.Threats[1].Revenue {
		t.Fatalf("Threats = %+v", m.Threats)
	}
	var count [2]int
	var clean [2]int
	n := 0
	for _, c := range engAll(m, 0) {
		n++
		if !c.Irregular() {
			if c.Duty != 0 || c.Flags&FlagClean != 0 {
				t.Fatalf("regular consignment with duty %v flags %b", c.Duty, c.Flags)
			}
			continue
		}
		count[c.Threat]++
		if c.Flags&FlagClean != 0 {
			clean[c.Threat]++
		}
		if want := map[int8]float64{0: 0, 1: 250}[c.Threat]; c.Duty != want {
			t.Fatalf("threat %d duty %v, want %v", c.Threat, c.Duty, want)
		}
	}
	engCheckBinomial(t, "rare threat", count[0], n, 0.0005, 4)
	engCheckBinomial(t, "revenue threat", count[1], n, 0.03, 4)
	engCheckBinomial(t, "clean share of the revenue threat", clean[1], count[1], 0.3, 4)
}

// TestCommonRandomNumbers: two scenarios that differ only in rules,
// selectivity (thresholds, AEO discount, expected rates, assessment time) and
// resources see the same consignments, and the same random selection draws.
func TestCommonRandomNumbers(t *testing.T) {
	base := func() *scenarios.Scenario {
		sc := engScenario(120, 5)
		sc.Threats = []scenarios.Threat{{Name: "x", Prevalence: 0.01, CleanShare: 0.2,
			Signature: scenarios.Signature{Origin: map[string]float64{"CO": 10}},
			Duty:      &scenarios.Dist{Kind: "exp", Mean: engF(100)}}}
		sc.Selectivity.Random = map[string]scenarios.RandomRate{"red": {Rate: 0.05}}
		return sc
	}
	a, b := base(), base()
	b.Rules = []scenarios.Rule{
		{ID: "CO", Score: 50, When: &scenarios.Criteria{Origin: []string{"CO"}}},
		{ID: "new", Lane: "yellow", When: &scenarios.Criteria{NewTrader: engB(true)}},
		{ID: "x", Expr: `value_per_kg < 1`, Score: 10},
	}
	b.Selectivity.Yellow, b.Selectivity.AEODiscount = engF(40), 20
	b.Selectivity.Expected = map[string]float64{"blue": 0.1}
	b.Selectivity.Assessment = scenarios.Dist{Kind: "gamma", Mean: engF(10), CV: engF(0.5)}
	b.Resources.Pools = []scenarios.Pool{{Name: "document", Servers: 7}}
	ca, cb := engAll(engCompile(t, a), 4), engAll(engCompile(t, b), 4)
	if len(ca) != len(cb) {
		t.Fatalf("%d and %d consignments", len(ca), len(cb))
	}
	drawn := 0
	for i := range ca {
		x, y := ca[i], cb[i]
		if y.LaneAt <= y.Lodgement && y.LaneAt != y.Lodgement {
			t.Fatal("LaneAt before lodgement")
		}
		// Everything the generator sets but LaneAt (assessment differs).
		x.LaneAt, y.LaneAt = 0, 0
		x.Score, x.Hits, x.Lane, x.Reason = y.Score, y.Hits, y.Lane, y.Reason
		if x != y {
			t.Fatalf("consignment %d differs:\n%+v\n%+v", i, x, y)
		}
		// The same uniform draws red in both.
		if ca[i].Reason == ReasonRandom {
			drawn++
			if cb[i].Lane != Red {
				t.Fatalf("consignment %d drawn red in A is %v/%v in B", i, cb[i].Lane, cb[i].Reason)
			}
		}
		if cb[i].Reason == ReasonRandom && ca[i].Lane != Red {
			t.Fatalf("consignment %d drawn red in B is %v in A", i, ca[i].Lane)
		}
	}
	if drawn == 0 {
		t.Fatal("no consignment drawn at random")
	}
}

// TestCompileErrors: sim.Compile trusts a validated scenario. Given one
// that skipped validation (built in code), it either compiles or returns an
// internal error (*fault.Bug) naming the scenario, and never panics; the
// user-facing check of each of these mistakes is in scenarios
// (TestValidationCoversCompile there writes each as a --set).
func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		why  string
		edit func(sc *scenarios.Scenario)
		// bug: the engine cannot build its tables from this, so Compile
		// must refuse it (as an internal error); otherwise it may compile
		// (the engine trusts validation and does not repeat its checks).
		bug bool
	}{
		{"bad origin in a rule", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{Any: []scenarios.Criteria{{}, {Origin: []string{"ZZ"}}}}}}
		}, true},
		{"HS prefix too short", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{HS: []string{"8"}}}}
		}, true},
		{"HS chapter 77", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{HS: []string{"7701"}}}}
		}, true},
		{"unknown trader", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{Trader: []string{"T005000"}}}}
		}, true},
		{"unknown mode", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{Mode: []string{"ship"}}}}
		}, true},
		{"empty range", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{Not: &scenarios.Criteria{Value: &scenarios.Range{Min: engF(5), Max: engF(5)}}}}}
		}, true},
		{"empty any", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{Any: []scenarios.Criteria{}}}}
		}, true},
		{"when and expr", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", When: &scenarios.Criteria{}, Expr: "aeo"}}
		}, true},
		{"no condition", func(sc *scenarios.Scenario) { sc.Rules = []scenarios.Rule{{ID: "R1", Score: 3}} }, true},
		{"duplicate id", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", Expr: "aeo"}, {ID: "R1", Expr: "aeo"}}
		}, false},
		{"bad lane", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", Expr: "aeo", Lane: "purple"}}
		}, true},
		{"expr syntax", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R9", Expr: "origin == "}}
		}, true},
		{"expr unknown variable", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R9", Expr: "colour == 'red'"}}
		}, true},
		{"expr not a condition", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R9", Expr: "value_per_kg * 2"}}
		}, true},
		{"random for green", func(sc *scenarios.Scenario) {
			sc.Selectivity.Random = map[string]scenarios.RandomRate{"green": {Rate: 0.1}}
		}, true},
		{"random rates above 1", func(sc *scenarios.Scenario) {
			sc.Selectivity.Random = map[string]scenarios.RandomRate{"red": {Rate: 0.6}, "blue": {Rate: 0.6}}
		}, false},
		{"expected rate out of range", func(sc *scenarios.Scenario) {
			sc.Selectivity.Expected = map[string]float64{"red": 1.5}
		}, false},
		{"max_hits count 0", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", Expr: "aeo"}}
			sc.Selectivity.MaxHits = &scenarios.MaxHits{}
		}, false},
		{"max_hits count above the rules", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", Expr: "aeo"}, {ID: "R2", Expr: "aeo"}}
			sc.Selectivity.MaxHits = &scenarios.MaxHits{Count: 3}
		}, false},
		{"max_hits lane blue", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "R1", Expr: "aeo"}}
			sc.Selectivity.MaxHits = &scenarios.MaxHits{Count: 1, Lane: "blue"}
		}, true},
		{"prevalences above 1", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "a", Prevalence: 0.7}, {Name: "b", Prevalence: 0.6}}
		}, false},
		{"duplicate threat", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "a"}, {Name: "a"}}
		}, false},
		{"bad signature origin", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "a", Signature: scenarios.Signature{Origin: map[string]float64{"XX": 2}}}}
		}, true},
		{"signature that rules out every origin", func(sc *scenarios.Scenario) {
			sc.Threats = []scenarios.Threat{{Name: "a", Signature: scenarios.Signature{Origin: map[string]float64{"CN": 0, "US": 0, "DE": 0, "CO": 0}}}}
		}, true},
		{"unknown mode in traffic", func(sc *scenarios.Scenario) {
			sc.Traffic["ship"] = scenarios.ModeTraffic{Rate: 1}
		}, true},
		{"profile of the wrong length", func(sc *scenarios.Scenario) {
			sc.Traffic["sea"] = scenarios.ModeTraffic{Rate: 1, Hourly: []float64{1, 2}}
		}, true},
		{"routing without hubs", func(sc *scenarios.Scenario) {
			sc.Trade.Routing = scenarios.Routing{Share: 0.2}
		}, true},
		{"no value per kg", func(sc *scenarios.Scenario) {
			sc.Trade.ValuePerKg = scenarios.Dist{}
		}, true},
		{"no horizon", func(sc *scenarios.Scenario) { sc.Horizon = 0 }, true},
	} {
		t.Run(tc.why, func(t *testing.T) {
			sc := engScenario(10, 1)
			tc.edit(sc)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Compile panicked: %v", r)
					}
				}()
				_, err = Compile(sc)
			}()
			var bug *fault.Bug
			switch {
			case err != nil && !errors.As(err, &bug):
				t.Errorf("error %q is not an internal error (*fault.Bug): the engine reports no user input", err)
			case err != nil && !strings.Contains(err.Error(), "eng-test"):
				t.Errorf("error %q does not name the scenario", err)
			case tc.bug && err == nil:
				t.Error("compiles; its tables cannot be built from this")
			}
		})
	}
}

// TestCompileErrorNamesFileAndLine: an expr rule that does not type-check
// is refused when the file is loaded, with the file, line and column of the
// expression, before the engine sees it.
func TestCompileErrorNamesFileAndLine(t *testing.T) {
	src := `name: bad
horizon: 1d
traffic: {sea: {rate: 10}}
traders: {count: 10, zipf: 1, aeo_share: 0.1, new_share: 0.1}
trade:
  origins: {CN: 1}
  hs_chapters: {all: 1}
  value_per_kg: {dist: lognormal, median: 5, sigma: 1}
rules:
  - {id: ok, score: 1, when: {origin: [CN]}}
  - id: E1
    score: 2
    expr: value_per_kg + "x" > 2
resources:
  pools:
    - {name: document, servers: 4, service: {dist: exp, mean: 20m}}
    - {name: nii, servers: 3, service: {dist: exp, mean: 6m}, false_alarm: 0.05}
    - {name: physical, servers: 10, service: {dist: exp, mean: 120m}}
`
	_, err := scenarios.Parse("bad.yaml", []byte(src), nil)
	if want := "bad.yaml:13:11: rules[1].expr: expression does not type-check: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v does not start with %q", err, want)
	}
}

// TestCompileSelectivityErrorsDeterministic: with several bad lane keys under
// selectivity.random or selectivity.expected, Compile reports the first in
// sorted key order every time, not whichever the map iteration meets first.
func TestCompileSelectivityErrorsDeterministic(t *testing.T) {
	bad := []string{"amber", "green", "orange", "purple", "violet", "white"}
	for _, tc := range []struct {
		name string
		edit func(s *scenarios.Selectivity)
		want string
	}{
		{"random", func(s *scenarios.Selectivity) {
			s.Random = map[string]scenarios.RandomRate{"red": {Rate: 0.01}}
			for _, k := range bad {
				s.Random[k] = scenarios.RandomRate{Rate: 0.01}
			}
		}, "selectivity.random.amber:"},
		{"expected", func(s *scenarios.Selectivity) {
			s.Expected = map[string]float64{"yellow": 0.01}
			for _, k := range bad {
				s.Expected[k] = 0.01
			}
		}, "selectivity.expected.amber:"},
	} {
		checkStableError(t, tc.name, tc.want, func() error {
			sc := engScenario(10, 1)
			tc.edit(&sc.Selectivity)
			_, err := Compile(sc)
			return err
		})
	}
}

// TestExpectedAEOExempt: with expected_aeo_exempt no AEO consignment is pulled
// in by an expected rate, and the rate is still reached from non-AEO trade;
// without it AEOs are pulled in about in proportion to their share.
func TestExpectedAEOExempt(t *testing.T) {
	for _, exempt := range []bool{false, true} {
		sc := engScenario(120, 10)
		sc.Selectivity = scenarios.Selectivity{Expected: map[string]float64{"red": 0.05}, ExpectedAEOExempt: exempt}
		cs := engAll(engCompile(t, sc), 0)
		var aeoPulled, pulled, red int
		for _, c := range cs {
			if c.Lane == Red {
				red++
			}
			if c.Reason == ReasonExpected {
				pulled++
				if c.AEO() {
					aeoPulled++
				}
			}
		}
		if share := float64(red) / float64(len(cs)); share < 0.05-1.0/float64(len(cs)) {
			t.Errorf("exempt %v: red share %.4f below the expected rate 0.05", exempt, share)
		}
		if exempt && aeoPulled != 0 {
			t.Errorf("exempt: %d AEO consignments pulled in by the expected rate, want none", aeoPulled)
		}
		if !exempt && aeoPulled == 0 {
			t.Errorf("not exempt: no AEO consignment among %d pulled in; the fill should not look at AEO status", pulled)
		}
	}
}
