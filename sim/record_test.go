package sim

import (
	"strings"
	"testing"
	"time"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// engAllModes is engScenario with traffic in every mode, lodged before and
// after arrival, and two threats.
func engAllModes() *scenarios.Scenario {
	sc := engScenario(20, 3)
	lead := scenarios.Dist{Kind: "uniform", Min: engF(-600), Max: engF(48 * 60)}
	for _, mode := range []string{"sea", "air", "road", "rail", "postal"} {
		sc.Traffic[mode] = scenarios.ModeTraffic{Rate: 10, LodgementLead: lead}
	}
	sc.Trade.Origins["AF"] = 1 // a country without a port table or legal-form suffix
	sc.Trade.Weight = scenarios.Dist{Kind: "lognormal", Median: engF(3000), Sigma: engF(2)}
	sc.Threats = []scenarios.Threat{
		{Name: "narcotics", Prevalence: 0.01, Signature: scenarios.Signature{Origin: map[string]float64{"CO": 20}}},
		{Name: "undervaluation", Prevalence: 0.02, Signature: scenarios.Signature{ValueFactor: engF(10)},
			Duty: &scenarios.Dist{Kind: "exp", Mean: engF(500)}},
	}
	return sc
}

func TestGeneratedRecordsPassValidation(t *testing.T) {
	m := engCompile(t, engAllModes())
	g := m.NewGenerator()
	g.Reset(1)
	var c Consignment
	var rec datamodel.Consignment
	var byMode [datamodel.NumModes]int
	names := map[int32]string{}
	ucrs := map[string]bool{}
	for g.Next(&c) {
		g.Record(&c, &rec)
		if err := rec.Validate(); err != nil {
			t.Fatalf("consignment %d (%+v): %v", c.Seq, c, err)
		}
		byMode[c.Mode]++
		if ucrs[rec.UCR] {
			t.Fatalf("UCR %s repeats", rec.UCR)
		}
		ucrs[rec.UCR] = true
		if rec.HS != datamodel.HSCode(c.HS) || rec.Origin != c.Origin || rec.Dispatch != c.Dispatch ||
			rec.GrossWeight != c.GrossWeight || rec.CustomsValue != c.Value || rec.Mode != c.Mode || rec.AEO != c.AEO() {
			t.Fatalf("record %+v does not carry consignment %+v", rec, c)
		}
		if (c.Hub == datamodel.NoCountry) != (len(rec.Routing) == 0) || len(rec.Routing) == 1 && rec.Routing[0] != c.Hub {
			t.Fatalf("routing %v for hub %v", rec.Routing, c.Hub)
		}
		if want := RecordEpoch.Add(time.Duration(c.Arrival*60) * time.Second); rec.Arrival.Sub(want).Abs() > time.Second {
			t.Fatalf("arrival %v for minute %v", rec.Arrival, c.Arrival)
		}
		if rec.Lodgement.After(rec.Arrival) != (c.Lodgement > c.Arrival) && !rec.Lodgement.Equal(rec.Arrival) {
			t.Fatalf("lodgement %v arrival %v from minutes %v %v", rec.Lodgement, rec.Arrival, c.Lodgement, c.Arrival)
		}
		containerized := c.Mode == datamodel.ModeSea || c.Mode == datamodel.ModeRail
		if containerized != (len(rec.Containers) > 0) || len(rec.Containers) != len(rec.Seals) {
			t.Fatalf("%v consignment with containers %v seals %v", c.Mode, rec.Containers, rec.Seals)
		}
		for _, n := range rec.Containers {
			if err := datamodel.CheckContainerNumber(n); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasSuffix(rec.Consignee.ID, TraderID(int(c.Trader))) {
			t.Fatalf("consignee id %s for trader %d", rec.Consignee.ID, c.Trader)
		}
		// A trader keeps its name.
		if n, ok := names[c.Trader]; ok && n != rec.Consignee.Name {
			t.Fatalf("trader %d named %q and %q", c.Trader, n, rec.Consignee.Name)
		}
		names[c.Trader] = rec.Consignee.Name
	}
	for mode, n := range byMode {
		if n == 0 {
			t.Errorf("no %s consignment: the test does not cover it", datamodel.Mode(mode))
		}
	}
}

// TestRecordChangesNoOtherDraw: making records or not gives the same
// consignments, and the record of a consignment is always the same.
func TestRecordChangesNoOtherDraw(t *testing.T) {
	m := engCompile(t, engAllModes())
	plain := engAll(m, 2)
	g, s := m.NewGenerator(), m.NewSelector()
	g.Reset(2)
	s.Reset(2)
	var c Consignment
	var rec, again datamodel.Consignment
	i := 0
	for g.Next(&c) {
		s.Assess(&c)
		g.Record(&c, &rec)
		first := rec.Clone()
		g.Record(&c, &again)
		if !first.Equal(&again) {
			t.Fatalf("consignment %d: two records differ:\n%+v\n%+v", c.Seq, first, again)
		}
		if c != plain[i] {
			t.Fatalf("consignment %d differs when records are made", i)
		}
		i++
	}
	if i != len(plain) {
		t.Fatalf("%d consignments with records, %d without", i, len(plain))
	}
}

func TestIMOCheckDigit(t *testing.T) {
	// Real ships: IMO 9074729 (9·7+0·6+7·5+4·4+7·3+2·2 = 139) and 9176187 (147).
	for _, n := range []string{"9074729", "9176187"} {
		if d := recIMODigit(n); d != int(n[6]-'0') {
			t.Errorf("IMO %s: check digit %d", n, d)
		}
	}
	m := engCompile(t, engAllModes())
	g := m.NewGenerator()
	for range 100 {
		s := recIMO(g.rec)
		if len(s) != 10 || !strings.HasPrefix(s, "IMO") || recIMODigit(s[3:]) != int(s[9]-'0') {
			t.Fatalf("%s: not an IMO number with its check digit", s)
		}
	}
}
