package results

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pilotsim/datamodel"
	"pilotsim/internal/filetest"
	"pilotsim/sim"
)

// TestConsignmentTrace writes three consignments covering each outcome and
// compares the file with a golden one.
func TestConsignmentTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "consignments.csv")
	names := TraceNames{
		Rules:   []string{"R1-origin", "R2-value", "R3-new"},
		Threats: []string{"narcotics", "undervaluation"},
		Pools:   []string{"document", "nii", "physical"},
		// The first pool checks documents; the physical pool here is a
		// team that also does the physical method.
		PoolMethods: []string{"document", "nii", "physical"},
		Stages:      2,
		// The green consignment (arrival 60 min) is in the warm-up, the
		// others (90, 1400) are not.
		Warmup: 80,
	}
	tf, err := NewTraceFiles(path, TraceHeader(names))
	if err != nil {
		t.Fatal(err)
	}
	co, _ := datamodel.ParseCountry("CO")
	nl, _ := datamodel.ParseCountry("NL")
	pa, _ := datamodel.ParseCountry("PA")
	sea, _ := datamodel.ParseMode("sea")
	none := [sim.MaxStages]int8{-1, -1, -1, -1, -1, -1}
	nan := math.NaN()

	// A regular green consignment: released at max(arrival, lane) with no control.
	green := sim.Consignment{Seq: 0, Arrival: 60, Lodgement: -120, LaneAt: -110, Trader: 3, Origin: nl, Dispatch: nl,
		Hub: pa /* not routed: not written */, Mode: sea, HS: 80300, GrossWeight: 5000, Value: 12000, ValuePerKg: 2.4,
		Threat: sim.NoThreat, Score: 0, Lane: sim.Green, Reason: sim.ReasonScore, Flags: sim.FlagAEO}
	msGreen := sim.Milestones{Arrival: 60, Lodgement: -120, LaneAt: -110, Release: 60, Pools: none, FoundStage: -1}

	// An irregular red consignment routed through PA, found by the NII scan.
	red := sim.Consignment{Seq: 1, Arrival: 90, Lodgement: 95, LaneAt: 100, Trader: 17, Origin: co, Dispatch: co, Hub: pa,
		Mode: sea, HS: 90111, GrossWeight: 800, Value: 400, ValuePerKg: 0.5, Threat: 0, Score: 140,
		Lane: sim.Red, Reason: sim.ReasonForced, Flags: sim.FlagRouted | sim.FlagNew}
	red.Hits.Add(0)
	red.Hits.Add(2)
	msRed := sim.Milestones{Arrival: 90, Lodgement: 95, LaneAt: 100, Release: 250, Pools: none, Stages: 2, Found: true, FoundStage: 0}
	msRed.Pools[0], msRed.Queue[0], msRed.Start[0], msRed.End[0] = 1, 100, 130, 145
	msRed.Pools[1], msRed.Queue[1], msRed.Start[1], msRed.End[1] = 2, 145, 160, 250

	// An undervalued yellow consignment still queued at the horizon.
	yellow := sim.Consignment{Seq: 2, Arrival: 1400, Lodgement: 1400, LaneAt: 1400, Trader: 5, Origin: co, Dispatch: nl,
		Mode: sea, HS: 610910, GrossWeight: 100, Value: 50, ValuePerKg: 0.5, Threat: 1, Duty: 1234.5, Score: 30,
		Lane: sim.Yellow, Reason: sim.ReasonRandom}
	yellow.Hits.Add(1)
	msYellow := sim.Milestones{Arrival: 1400, Lodgement: 1400, LaneAt: 1400, Release: nan, Pools: none, Stages: 1, FoundStage: -1}
	msYellow.Pools[0], msYellow.Queue[0], msYellow.Start[0], msYellow.End[0] = 0, 1400, nan, nan

	// A stand-in for the engine's Generator.Record: the record's fields that
	// follow from the compact consignment.
	epoch := time.Date(2025, time.January, 6, 0, 0, 0, 0, time.UTC)
	record := func(rep int) RecordFunc {
		return func(c *sim.Consignment, rec *datamodel.Consignment) {
			rec.Reset()
			rec.UCR = fmt.Sprintf("5NL123-%d-%d", rep, c.Seq)
			rec.Consignor.Name, rec.Consignee.Name = "Consignor "+c.Origin.String(), fmt.Sprintf("Trader %d", c.Trader)
			rec.GoodsDescription = "goods"
			rec.HS = datamodel.HSCode(c.HS)
			rec.GrossWeight, rec.CustomsValue, rec.Currency = c.GrossWeight, c.Value, "USD"
			rec.Origin, rec.Dispatch, rec.Mode, rec.AEO = c.Origin, c.Dispatch, c.Mode, c.AEO()
			if c.Flags&sim.FlagRouted != 0 {
				rec.Routing = append(rec.Routing, c.Hub)
			}
			rec.Lodgement = epoch.Add(time.Duration(c.Lodgement * float64(time.Minute)))
			rec.Arrival = epoch.Add(time.Duration(c.Arrival * float64(time.Minute)))
		}
	}

	// Replication 1 is written before replication 0; the file has 0 first.
	s1 := NewConsignmentTrace(names, tf, 1, record(1))
	if err := s1.Consignment(&yellow, &msYellow); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s0 := NewConsignmentTrace(names, tf, 0, record(0))
	for _, x := range []struct {
		c  *sim.Consignment
		ms *sim.Milestones
	}{{&green, &msGreen}, {&red, &msRed}} {
		if err := s0.Consignment(x.c, x.ms); err != nil {
			t.Fatal(err)
		}
	}
	if err := s0.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tf.Commit([]int{0, 1}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	filetest.Golden(t, "consignments.csv", got)
}

// TestConsignmentTraceSinkError: a sink whose part cannot be created reports
// the error from its first call instead of panicking.
func TestConsignmentTraceSinkError(t *testing.T) {
	dir := t.TempDir()
	tf, err := NewTraceFiles(filepath.Join(dir, "c.csv"), []string{"rep"})
	if err != nil {
		t.Fatal(err)
	}
	tf.Discard() // the parts directory is gone
	s := NewConsignmentTrace(TraceNames{}, tf, 0, nil)
	var c sim.Consignment
	var ms sim.Milestones
	if err := s.Consignment(&c, &ms); err == nil {
		t.Error("Consignment succeeded without a part file")
	}
	if err := s.Close(); err == nil {
		t.Error("Close succeeded without a part file")
	}
}
