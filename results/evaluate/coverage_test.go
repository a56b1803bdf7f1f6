package evaluate

import (
	"context"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"pilotsim/results/pilotstat"
	"pilotsim/scenarios"
	"pilotsim/sim"
	"pilotsim/sim/pilot"
)

// Coverage pilots: 7 days of warm-up, then 6 weeks before the switch and 6
// after; one more day is simulated so that the last week is complete.
const (
	covWarm = 7 * 24 * 60.0
	covPre  = 6
	covPost = 6
	covWeek = 7 * 24 * 60.0
)

// recordSink keeps a run's consignments as evaluate's records, as the trace
// CSV would give them (TestTraceCSVAgreesWithRecords checks that).
type recordSink struct {
	keep func(c *sim.Consignment) (stratum string, ok bool)
	recs *[]Record
	week *pilot.Weeks // all post-switch consignments, for the truth
}

func (s *recordSink) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	if c.Arrival < covWarm {
		return nil
	}
	o := pilot.Obs{Lane: c.Lane, Controlled: c.Lane == sim.Yellow || c.Lane == sim.Red, Irregular: c.Irregular(),
		Found: ms.Found, Release: ms.Release - ms.Arrival}
	if ms.Found {
		o.Duty = c.Duty
	}
	if s.week != nil && c.Arrival >= covWarm+covPre*covWeek {
		o2 := o
		o2.WithinTarget = o2.Release <= 24*60 // base.yaml's overall target
		s.week.Add(int((c.Arrival-covWarm)/covWeek)-covPre, 0, &o2)
	}
	st, ok := s.keep(c)
	if !ok {
		return nil
	}
	*s.recs = append(*s.recs, Record{Arrival: sim.RecordEpoch.Add(time.Duration(c.Arrival * float64(time.Minute))), Stratum: st, Obs: o})
	return nil
}

func (s *recordSink) Close() error { return nil }

func covModel(t testing.TB, file string) *sim.Model {
	t.Helper()
	sc, err := scenarios.Load("testdata/"+file, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc.Warmup = scenarios.Duration(covWarm)
	sc.Horizon = scenarios.Duration(covWarm + (covPre+covPost)*covWeek + 24*60)
	m, err := sim.Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// covStudy simulates pilot i: the baseline and the measure from the same
// streams. It returns the records of a before/after pilot (baseline before
// the switch, measure after), of a random-stratum pilot (the measure on a
// random half of the consignments after the switch, from the measure run;
// the other half and every consignment before the switch from the baseline
// run) and the measure's effect on each figure in this pilot's weeks after
// the switch (mean weekly measure − baseline).
func covStudy(t testing.TB, base, meas *sim.Model, i int) (ba, st []Record, truth [pilot.NumFigures]float64) {
	sw := covWarm + covPre*covWeek
	key := uint64(i)*0x9e3779b97f4a7c15 + 1
	half := func(c *sim.Consignment) string {
		if mix64(c.Seq^key)&1 == 1 {
			return "treated"
		}
		return "control"
	}
	wb, wm := pilot.NewWeeks(covPost), pilot.NewWeeks(covPost)
	sinks := []*recordSink{
		{keep: func(c *sim.Consignment) (string, bool) { return "", c.Arrival < sw }, recs: &ba, week: wb},
		{keep: func(c *sim.Consignment) (string, bool) { return "", c.Arrival >= sw }, recs: &ba, week: wm},
	}
	stSinks := []*recordSink{
		{keep: func(c *sim.Consignment) (string, bool) { h := half(c); return h, c.Arrival < sw || h == "control" }, recs: &st},
		{keep: func(c *sim.Consignment) (string, bool) { h := half(c); return h, c.Arrival >= sw && h == "treated" }, recs: &st},
	}
	for k, m := range []*sim.Model{base, meas} {
		both := &teeSink{sinks[k], stSinks[k]}
		if _, err := sim.Run(context.Background(), m, sim.Options{Workers: 1, Reps: []int{i}, Trace: func(int) sim.TraceSink { return both }}); err != nil {
			t.Fatal(err)
		}
	}
	for f := range pilot.NumFigures {
		sum, n := 0.0, 0
		for w := range covPost {
			a, b := wb.Value(f, w, pilot.AllStrata), wm.Value(f, w, pilot.AllStrata)
			if !math.IsNaN(a) && !math.IsNaN(b) {
				sum += b - a
				n++
			}
		}
		truth[f] = sum / float64(n)
	}
	return ba, st, truth
}

type teeSink [2]*recordSink

func (t *teeSink) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	t[0].Consignment(c, ms)
	return t[1].Consignment(c, ms)
}
func (t *teeSink) Close() error { return nil }

// TestCoverage: evaluate's 95% intervals, on simulated pilots with a known
// effect (a faster, larger physical-examination team), cover the effect at
// the nominal rate, for the before/after and the random-stratum designs. The
// effect is the mean over the simulated pilots of their own measure −
// baseline difference over the same weeks (common random numbers). The
// default suite runs 40 pilots and asks for at least 80% (a correct 95%
// interval fails that with probability 0.1% per figure and design);
// PILOTSIM_COVERAGE=N runs N pilots and asks for 93–97%.
func TestCoverage(t *testing.T) {
	n, lo, hi := 40, 0.80, 1.0
	if s := os.Getenv("PILOTSIM_COVERAGE"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 100 {
			t.Fatalf("PILOTSIM_COVERAGE=%q: want a number of pilots ≥ 100", s)
		}
		n, lo, hi = v, 0.93, 0.97
	}
	base, meas := covModel(t, "base.yaml"), covModel(t, "measure.yaml")
	figs := []pilot.Figure{pilot.MedianRed, pilot.P90Red, pilot.MedianYellow, pilot.P90Yellow, pilot.InspectionRate}
	designs := []pilotstat.Design{pilotstat.BeforeAfterDesign, pilotstat.StratumDesign}
	var truth [pilot.NumFigures]float64
	type iv struct{ lo, hi float64 }
	got := make([][2][pilot.NumFigures]iv, n)
	switchAt := sim.RecordEpoch.Add(time.Duration((covWarm + covPre*covWeek) * float64(time.Minute)))
	for i := range n {
		ba, st, tr := covStudy(t, base, meas, i)
		for f := range truth {
			truth[f] += tr[f] / float64(n)
		}
		for k, d := range designs {
			recs := ba
			if d == pilotstat.StratumDesign {
				recs = st
			}
			res, err := Evaluate(&Data{Records: recs, Truth: true}, Config{Design: d, Switch: switchAt, TreatedValue: "treated", Target: 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if res.Weeks != covPre+covPost || res.PreWeeks != covPre {
				t.Fatalf("%s: %d weeks, %d before the switch; want %d and %d", d, res.Weeks, res.PreWeeks, covPre+covPost, covPre)
			}
			for _, fr := range res.Figures {
				for _, f := range figs {
					if fr.Figure == f.String() {
						got[i][k][f] = iv{fr.Lo, fr.Hi}
					}
				}
			}
		}
	}
	for k, d := range designs {
		for _, f := range figs {
			cov := 0
			for i := range n {
				if g := got[i][k][f]; g.lo <= truth[f] && truth[f] <= g.hi {
					cov++
				}
			}
			rate := float64(cov) / float64(n)
			t.Logf("%s %s: effect %.4g, coverage %.1f%% of %d", d, f, truth[f], 100*rate, n)
			if rate < lo || rate > hi {
				t.Errorf("%s %s: the 95%% interval covers the effect %.4g in %.1f%% of %d pilots, want %.0f–%.0f%%", d, f, truth[f], 100*rate, n, 100*lo, 100*hi)
			}
		}
	}
}

// mix64 is the splitmix64 finalizer: a random-looking bit per consignment.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
