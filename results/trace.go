//go:build pilotsim_sim

package results

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"pilotsim/sim"
)

// TraceNames are the names a consignment trace writes for the engine's
// indices: rules (bit i of Consignment.Hits), threats (Consignment.Threat) and
// pools (Milestones.Pools), in scenario order, and the number of control
// stages to give columns to (the longest lane route).
type TraceNames struct {
	Rules, Threats, Pools []string
	Stages                int
}

// TraceHeader returns the columns of consignments.csv for names.
func TraceHeader(names TraceNames) []string {
	h := []string{
		"rep", "seq", "trader", "aeo", "new_trader", "origin", "dispatch", "hub", "mode", "hs",
		"gross_weight_kg", "value", "value_per_kg", "threat", "clean", "duty",
		"score", "rules", "lane", "reason",
		"arrival_h", "lodgement_h", "lane_at_h", "stages",
	}
	for k := 1; k <= names.Stages; k++ {
		p := "stage" + strconv.Itoa(k) + "_"
		h = append(h, p+"pool", p+"queue_h", p+"start_h", p+"end_h")
	}
	return append(h, "release_h", "release_time_h", "found", "found_stage", "outcome")
}

// ConsignmentTrace is a sim.TraceSink that writes one CSV row per consignment
// of one replication into its part of a TraceFiles: the consignment's fields,
// its lane and why, the rules that matched, its Time Release Study milestones
// (in hours since the start of the replication) and its outcome: released
// (regular), found, missed (irregular and released unfound) or in_system (not
// released by the horizon).
type ConsignmentTrace struct {
	names TraceNames
	rep   string
	part  *TracePart
	err   error
	row   []string
	b     strings.Builder
}

// NewConsignmentTrace returns the trace sink of replication rep. An error
// creating its part is returned by the first call.
func NewConsignmentTrace(names TraceNames, tf *TraceFiles, rep int) *ConsignmentTrace {
	t := &ConsignmentTrace{names: names, rep: strconv.Itoa(rep), row: make([]string, 0, len(TraceHeader(names)))}
	t.part, t.err = tf.Part(rep)
	return t
}

func hours(min float64) string { return FormatFloat(min / 60) }

// Consignment implements sim.TraceSink.
func (t *ConsignmentTrace) Consignment(c *sim.Consignment, ms *sim.Milestones) error {
	if t.err != nil {
		return t.err
	}
	threat, outcome := "", "released"
	if c.Irregular() {
		if int(c.Threat) < len(t.names.Threats) {
			threat = t.names.Threats[c.Threat]
		} else {
			threat = strconv.Itoa(int(c.Threat))
		}
		outcome = "missed"
	}
	switch {
	case ms.Found:
		outcome = "found"
	case math.IsNaN(ms.Release):
		outcome = "in_system"
	}
	hub := ""
	if c.Flags&sim.FlagRouted != 0 {
		hub = c.Hub.String()
	}
	t.b.Reset()
	for i, id := range t.names.Rules {
		if i < sim.MaxRules && c.Hits.Has(i) {
			if t.b.Len() > 0 {
				t.b.WriteByte(' ')
			}
			t.b.WriteString(id)
		}
	}
	r := append(t.row[:0],
		t.rep, strconv.FormatUint(c.Seq, 10), strconv.Itoa(int(c.Trader)),
		strconv.FormatBool(c.AEO()), strconv.FormatBool(c.Flags&sim.FlagNew != 0),
		c.Origin.String(), c.Dispatch.String(), hub, c.Mode.String(), fmt.Sprintf("%06d", c.HS),
		FormatFloat(c.GrossWeight), FormatFloat(c.Value), FormatFloat(c.ValuePerKg),
		threat, strconv.FormatBool(c.Flags&sim.FlagClean != 0), FormatFloat(c.Duty),
		FormatFloat(c.Score), t.b.String(), c.Lane.String(), c.Reason.String(),
		hours(ms.Arrival), hours(ms.Lodgement), hours(ms.LaneAt), strconv.Itoa(int(ms.Stages)),
	)
	for k := 0; k < t.names.Stages; k++ {
		if k >= int(ms.Stages) || k >= sim.MaxStages {
			r = append(r, "", "", "", "")
			continue
		}
		pool := ""
		if p := int(ms.Pools[k]); p >= 0 && p < len(t.names.Pools) {
			pool = t.names.Pools[p]
		}
		r = append(r, pool, hours(ms.Queue[k]), hours(ms.Start[k]), hours(ms.End[k]))
	}
	foundStage := ""
	if ms.FoundStage >= 0 {
		foundStage = strconv.Itoa(int(ms.FoundStage) + 1)
	}
	r = append(r, hours(ms.Release), hours(ms.Release-ms.Arrival), strconv.FormatBool(ms.Found), foundStage, outcome)
	t.row = r
	t.err = t.part.Write(r)
	return t.err
}

// Close implements sim.TraceSink: it flushes and closes the part.
func (t *ConsignmentTrace) Close() error {
	if t.part == nil {
		return t.err
	}
	err := t.part.Close()
	t.part = nil
	if t.err != nil {
		return t.err
	}
	return err
}
