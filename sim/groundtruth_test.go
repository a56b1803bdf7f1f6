package sim

import (
	"fmt"
	"testing"

	"pilotsim/scenarios"
)

// gtScenario is a scenario with three threats (one a revenue threat with a
// signature and a new-trader ratio), AEO traders with a prevalence factor and
// new traders, rules, a random rate and a pool: everything the ground truth
// must not depend on is present, so that changing it is a real change.
func gtScenario() *scenarios.Scenario {
	sc := engScenario(150, 8)
	sc.Traders.AEOShare, sc.Traders.NewShare = 0.4, 0.2
	sc.Traders.AEOPrevalenceFactor = engF(0.3)
	sc.Threats = []scenarios.Threat{
		{Name: "narcotics", Prevalence: 0.004, CleanShare: 0.3,
			Signature: scenarios.Signature{Origin: map[string]float64{"CO": 8}, NewTrader: engF(3)},
			Detection: scenarios.Detection{Document: 0.1, NII: 0.6, Physical: 0.9}},
		{Name: "counterfeit", Prevalence: 0.01, CleanShare: 0.2,
			Signature: scenarios.Signature{HSChapter: map[string]float64{"64": 20}},
			Detection: scenarios.Detection{Document: 0.3, Physical: 0.8}},
		{Name: "undervaluation", Prevalence: 0.02, CleanShare: 0.4,
			Signature: scenarios.Signature{ValueFactor: engF(3), NewTrader: engF(2)},
			Detection: scenarios.Detection{Document: 0.5, Physical: 0.7},
			Duty:      &scenarios.Dist{Kind: "lognormal", Median: engF(2000), Sigma: engF(1)}},
	}
	sc.Rules = []scenarios.Rule{{ID: "CO", Score: 60, When: &scenarios.Criteria{Origin: []string{"CO"}}}}
	sc.Selectivity.Random = map[string]scenarios.RandomRate{"red": {Rate: 0.02}}
	sc.Resources.Pools = []scenarios.Pool{{Name: "document", Servers: 3}}
	return sc
}

// gtTruth is what the ground truth of one consignment is.
type gtTruth struct {
	threat int8
	clean  bool
	duty   float64
}

func gtTruths(cs []Consignment) []gtTruth {
	out := make([]gtTruth, len(cs))
	for i, c := range cs {
		out[i] = gtTruth{c.Threat, c.Flags&FlagClean != 0, c.Duty}
	}
	return out
}

// TestGroundTruthUnchangedByWhatCannotAffectIt: changing rules, selectivity,
// resources, detection probabilities or the duty distribution leaves every
// consignment's threat and clean flag identical (and its duty, unless the
// duty distribution is what changed), in every replication tried.
func TestGroundTruthUnchangedByWhatCannotAffectIt(t *testing.T) {
	for _, tc := range []struct {
		why     string
		edit    func(sc *scenarios.Scenario)
		dutyToo bool // the duty amounts stay as well
	}{
		{"other rules", func(sc *scenarios.Scenario) {
			sc.Rules = []scenarios.Rule{{ID: "shoes", Score: 70, When: &scenarios.Criteria{HS: []string{"64"}}},
				{ID: "new", Lane: "yellow", When: &scenarios.Criteria{NewTrader: engB(true)}}}
		}, true},
		{"selectivity", func(sc *scenarios.Scenario) {
			sc.Selectivity.Random = map[string]scenarios.RandomRate{"red": {Rate: 0.1}, "yellow": {Rate: 0.05}}
			sc.Selectivity.Expected = map[string]float64{"red": 0.05}
			sc.Selectivity.AEODiscount = 30
		}, true},
		{"resources", func(sc *scenarios.Scenario) {
			sc.Resources.Pools = []scenarios.Pool{{Name: "document", Servers: 30}, {Name: "physical", Servers: 2}}
		}, true},
		{"detection probabilities", func(sc *scenarios.Scenario) {
			for i := range sc.Threats {
				sc.Threats[i].Detection = scenarios.Detection{Document: 0.9, NII: 0.9, Physical: 1}
			}
		}, true},
		{"duty amounts", func(sc *scenarios.Scenario) {
			sc.Threats[2].Duty = &scenarios.Dist{Kind: "exp", Mean: engF(500)}
		}, false},
	} {
		t.Run(tc.why, func(t *testing.T) {
			b := gtScenario()
			tc.edit(b)
			ma, mb := engCompile(t, gtScenario()), engCompile(t, b)
			for _, rep := range []int{0, 3} {
				ta, tb := gtTruths(engAll(ma, rep)), gtTruths(engAll(mb, rep))
				if len(ta) != len(tb) {
					t.Fatalf("rep %d: %d and %d consignments", rep, len(ta), len(tb))
				}
				irr, dutyDiff := 0, 0
				for i := range ta {
					x, y := ta[i], tb[i]
					if x.threat != NoThreat {
						irr++
					}
					if x.duty != y.duty {
						dutyDiff++
					}
					if !tc.dutyToo {
						x.duty, y.duty = 0, 0
					}
					if x != y {
						t.Fatalf("rep %d consignment %d: truth %+v, after the change %+v", rep, i, x, y)
					}
				}
				if irr < 50 {
					t.Fatalf("rep %d: only %d irregular consignments: the test proves little", rep, irr)
				}
				if !tc.dutyToo && dutyDiff == 0 {
					t.Fatalf("rep %d: the duty distribution changed but no duty did", rep)
				}
			}
		})
	}
}

// TestRaisingPrevalenceOnlyAddsCases: raising one threat's prevalence turns
// some consignments into cases of that threat and changes nothing else: every
// case of it stays one, every other consignment keeps its threat, clean flag
// and duty, and keeps all its features.
func TestRaisingPrevalenceOnlyAddsCases(t *testing.T) {
	for j := range 3 {
		t.Run(fmt.Sprintf("threat %d", j), func(t *testing.T) {
			b := gtScenario()
			b.Threats[j].Prevalence *= 2.5
			ma, mb := engCompile(t, gtScenario()), engCompile(t, b)
			ca, cb := engAll(ma, 1), engAll(mb, 1)
			added, kept := 0, 0
			for i := range ca {
				x, y := ca[i], cb[i]
				switch {
				case x.Threat == int8(j):
					if y.Threat != int8(j) || y.Flags&FlagClean != x.Flags&FlagClean || y.Duty != x.Duty {
						t.Fatalf("consignment %d: a case of threat %d became %+v", i, j, y)
					}
					kept++
				case y.Threat == int8(j):
					added++ // new case, from regular or another threat
				default:
					// Not a case in either: the same consignment in every respect.
					x.Score, x.Hits, x.Lane, x.Reason = y.Score, y.Hits, y.Lane, y.Reason
					if x != y {
						t.Fatalf("consignment %d changed although it is no case of threat %d:\n%+v\n%+v", i, j, x, y)
					}
				}
			}
			// 1.5 × the cases kept are expected to be added: check there are some.
			if kept < 20 || added < kept/2 {
				t.Fatalf("threat %d: %d cases kept, %d added: too few to test", j, kept, added)
			}
		})
	}
}

// TestGroundTruthPrevalencePerClass checks each threat's probability and
// clean share in each trader class (AEO or not × new or not) against the
// model: w = p·f·((1−c)·ρ/z + c) for a new trader, p·f·((1−c)/z + c)
// otherwise (f the AEO factor for AEO traders, ρ the new-trader ratio,
// z = 1 + (ρ−1)·q, q the replication's volume share of new traders), clean
// share p·f·c / w; within 4 binomial standard deviations. The second case has
// prevalences too large for the fixed layout (3 threats, 0.4 > 1/3), so it
// tests the end-to-end layout as well.
func TestGroundTruthPrevalencePerClass(t *testing.T) {
	for _, tc := range []struct {
		why   string
		prev  [3]float64
		days  float64
		wantS bool // every class uses the fixed layout
	}{
		{"customs-like prevalences (fixed layout)", [3]float64{0.02, 0.05, 0.08}, 20, true},
		{"one prevalence above 1/K (end to end)", [3]float64{0.4, 0.05, 0.08}, 20, false},
	} {
		t.Run(tc.why, func(t *testing.T) {
			sc := gtScenario()
			sc.Traders.NewShare = 0.3
			for k := range sc.Threats {
				sc.Threats[k].Prevalence = tc.prev[k]
			}
			sc.Horizon = scenarios.Duration(tc.days * 24 * 60)
			m := engCompile(t, sc)
			g := m.NewGenerator()
			g.Reset(2)
			if got := g.thrSlot[0] && g.thrSlot[1] && g.thrSlot[2] && g.thrSlot[3]; got != tc.wantS {
				t.Fatalf("fixed layout in every class = %v, want %v", got, tc.wantS)
			}
			q, total := 0.0, 0.0
			for i := range m.traderCount {
				if g.TraderFlags(i)&FlagNew != 0 {
					q += m.traderZipf.p(i)
				}
				total += m.traderZipf.p(i)
			}
			q /= total
			var n [4]int
			var k, clean [4][3]int
			for _, c := range engAll(m, 2) {
				class := c.Flags & (FlagAEO | FlagNew)
				n[class]++
				if c.Threat != NoThreat {
					k[class][c.Threat]++
					if c.Flags&FlagClean != 0 {
						clean[class][c.Threat]++
					}
				}
			}
			for class := range 4 {
				if n[class] < 3000 {
					t.Fatalf("class %d: only %d consignments", class, n[class])
				}
				for j, th := range sc.Threats {
					f := 1.0
					if uint8(class)&FlagAEO != 0 {
						f = *sc.Traders.AEOPrevalenceFactor
					}
					rho := 1.0
					if th.Signature.NewTrader != nil {
						rho = *th.Signature.NewTrader
					}
					z := 1 + (rho-1)*q
					tilt := 1 / z
					if uint8(class)&FlagNew != 0 {
						tilt = rho / z
					}
					sig, cl := th.Prevalence*f*(1-th.CleanShare)*tilt, th.Prevalence*f*th.CleanShare
					what := fmt.Sprintf("class aeo=%v new=%v, %s", uint8(class)&FlagAEO != 0, uint8(class)&FlagNew != 0, th.Name)
					engCheckBinomial(t, what+": cases", k[class][j], n[class], sig+cl, 4)
					engCheckBinomial(t, what+": clean among cases", clean[class][j], k[class][j], cl/(sig+cl), 4)
				}
			}
		})
	}
}

// threatOfFloat is the membership rule on the uniform itself, as the layout
// defines it (Generator): the largest slot k with thrLo[k] <= u, carried
// when u < thrHi[k] (fixed layout); or the first k with u < thrHi[k], when
// u >= thrLo[k] (end to end).
func threatOfFloat(g *Generator, u float64, class uint8) int {
	lo, hi := g.thrLo[class], g.thrHi[class]
	if g.thrSlot[class] {
		k := 0
		for k+1 < len(lo) && u >= lo[k+1] {
			k++
		}
		if len(lo) > 0 && u < hi[k] {
			return k
		}
		return -1
	}
	for k := range lo {
		if u < hi[k] {
			if u >= lo[k] {
				return k
			}
			return -1
		}
	}
	return -1
}

// TestThreatOfBitsMatchesFloat: deciding membership on the draw's 53-bit
// integer (with the quick reject of clear buckets) gives the threat the
// float rule gives, at every edge of every slot (one below, on, one above,
// and around the bucket edges) and on a million random draws, in both
// layouts; and a run's consignments are the ones threatOf picks.
func TestThreatOfBitsMatchesFloat(t *testing.T) {
	for _, prev := range [][3]float64{{0.004, 0.01, 0.02}, {0.4, 0.05, 0.08}, {0, 0.3, 1e-9}} {
		sc := gtScenario()
		for k := range sc.Threats {
			sc.Threats[k].Prevalence = prev[k]
		}
		m := engCompile(t, sc)
		g := m.NewGenerator()
		g.Reset(1)
		for class := uint8(0); class < 4; class++ {
			var ms []uint64
			for k := range g.thrLoBits[class] {
				for _, e := range []uint64{g.thrLoBits[class][k], g.thrHiBits[class][k]} {
					for d := -2; d <= 2; d++ {
						if x := int64(e) + int64(d); x >= 0 && x < 1<<53 {
							ms = append(ms, uint64(x))
						}
					}
					b := e >> thrBucketShift
					for _, x := range []uint64{b << thrBucketShift, b<<thrBucketShift - 1, (b + 1) << thrBucketShift} {
						if x < 1<<53 {
							ms = append(ms, x)
						}
					}
				}
			}
			for i := range uint64(1_000_000) {
				ms = append(ms, drawKey(0x5eed, i, uint64(class))>>11)
			}
			carried := 0
			for _, x := range ms {
				u := float64(x) * 0x1p-53
				got, want := g.threatOfBits(x, class), threatOfFloat(g, u, class)
				if got != want {
					t.Fatalf("prevalences %v, class %d, m %d (u %v): threat %d, the float rule gives %d", prev, class, x, u, got, want)
				}
				if got >= 0 {
					carried++
				}
			}
			if carried == 0 {
				t.Errorf("prevalences %v, class %d: no draw carried a threat: the test proves little", prev, class)
			}
		}
	}
}
