package results

import (
	"math"
	"strconv"
	"strings"

	"pilotsim/datamodel"
	"pilotsim/sim"
)

// TraceNames are the names a consignment trace writes for the engine's
// indices, in scenario order: rules (bit i of Consignment.Hits), threats
// (Consignment.Threat), pools (Milestones.Pools) with the control method each
// performs (document, nii or physical), and the number of control stages to
// give columns to (the longest lane route).
type TraceNames struct {
	Rules, Threats     []string
	Pools, PoolMethods []string
	Stages             int
	// Warmup is the scenario's warm-up in minutes: a consignment that
	// arrives before it is marked warm_up (left out of every statistic).
	Warmup float64
}

// RecordFunc fills the full WCO Data Model record of a compact consignment
// (the engine's Generator.Record).
type RecordFunc func(c *sim.Consignment, rec *datamodel.Consignment)

// traceExtra returns the trace's columns after the record's.
func traceExtra(names TraceNames) []string {
	x := []string{
		"rep", "seq", "warm_up", "trader", "carried_threat", "clean_signature", "duty_at_stake",
		"score", "rules", "lane", "reason", "arrival_h", "lodgement_h", "lane_at_h", "stages",
	}
	for k := 1; k <= names.Stages; k++ {
		p := "stage" + strconv.Itoa(k) + "_"
		x = append(x, p+"pool", p+"queue_h", p+"start_h", p+"end_h")
	}
	return append(x, "release_h", "release_time_h", "found_stage", "outcome")
}

// TraceHeader returns the columns of consignments.csv: the declarations CSV
// columns of the datamodel package, then the simulator's own.
func TraceHeader(names TraceNames) []string {
	return append(datamodel.ColumnNames(), traceExtra(names)...)
}

// ConsignmentTrace is a sim.TraceSink that writes one row per consignment of
// one replication into its part of a TraceFiles. A row is the consignment's
// WCO Data Model record (written by the datamodel CSV writer) with the
// outcome of its controls (control, irregular, threat found, duty recovered),
// then the simulator's own columns: replication and sequence, trader index,
// the threat it carries (ground truth), duty at stake, risk score, rules that
// matched, lane and why, the Time Release Study milestones in hours since the
// start of the replication, and the outcome: released (regular), found,
// missed (irregular, released unfound) or in_system (not released by the
// horizon). Yes/no columns are written "yes" or "no", as in the record.
// trader is the trader's id as rules name it (T001406), the same number as
// the record's importer_id (BET001406).
type ConsignmentTrace struct {
	names    TraceNames
	controls []datamodel.Controls // per pool
	record   RecordFunc
	rep      string
	part     *TracePart
	w        *datamodel.Writer
	err      error
	rec      datamodel.Consignment
	row      []string
	b        strings.Builder
}

// NewConsignmentTrace returns the trace sink of replication rep; record fills
// the full record of each consignment. An error creating its part is returned
// by the first call.
func NewConsignmentTrace(names TraceNames, tf *TraceFiles, rep int, record RecordFunc) *ConsignmentTrace {
	t := &ConsignmentTrace{names: names, record: record, rep: strconv.Itoa(rep)}
	t.controls = make([]datamodel.Controls, len(names.Pools))
	for i := range t.controls {
		if i < len(names.PoolMethods) {
			t.controls[i], _ = datamodel.ParseControls(names.PoolMethods[i])
		}
	}
	t.part, t.err = tf.Part(rep)
	if t.err == nil {
		extra := traceExtra(names)
		t.row = make([]string, 0, len(extra))
		t.w, t.err = datamodel.NewWriter(t.part, extra...)
	}
	return t
}

func hours(min float64) string { return FormatFloat(min / 60) }

// YesNo is how every CSV file pilotsim writes spells a boolean: "yes" or
// "no", as the declaration record does.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

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

	t.record(c, &t.rec)
	o := &t.rec.Outcome
	*o = datamodel.Outcome{Controls: datamodel.ControlNone}
	for k := 0; k < int(ms.Stages) && k < sim.MaxStages; k++ {
		if p := int(ms.Pools[k]); p >= 0 && p < len(t.controls) && !math.IsNaN(ms.End[k]) {
			o.Controls |= t.controls[p]
		}
	}
	if o.Controls != datamodel.ControlNone {
		o.Controls &^= datamodel.ControlNone
		o.Result = datamodel.ResultClean
	}
	if ms.Found {
		o.Result, o.Threat, o.DutyRecovered = datamodel.ResultIrregular, threat, c.Duty
	}

	t.b.Reset()
	for i, id := range t.names.Rules {
		if i < sim.MaxRules && c.Hits.Has(i) {
			if t.b.Len() > 0 {
				t.b.WriteByte(';') // lists are ';'-separated, as in the record and generate
			}
			t.b.WriteString(id)
		}
	}
	trader := ""
	if c.Trader >= 0 {
		trader = sim.TraderID(int(c.Trader))
	}
	r := append(t.row[:0],
		t.rep, strconv.FormatUint(c.Seq, 10), YesNo(c.Arrival < t.names.Warmup), trader,
		threat, YesNo(c.Flags&sim.FlagClean != 0), FormatFloat(c.Duty),
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
	r = append(r, hours(ms.Release), hours(ms.Release-ms.Arrival), foundStage, outcome)
	t.row = r
	t.err = t.w.WriteExtra(&t.rec, r)
	return t.err
}

// Close implements sim.TraceSink: it flushes and closes the part.
func (t *ConsignmentTrace) Close() error {
	if t.part == nil {
		return t.err
	}
	var err error
	if t.w != nil {
		err = t.w.Flush()
	}
	if cerr := t.part.Close(); err == nil {
		err = cerr
	}
	t.part = nil
	if t.err != nil {
		return t.err
	}
	return err
}
