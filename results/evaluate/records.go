package evaluate

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"pilotsim/datamodel"
	"pilotsim/sim"
	"pilotsim/sim/pilot"
)

// Record is one consignment of a pilot's event records.
type Record struct {
	Line    int // line of the record in its file (1: the header)
	Arrival time.Time
	Site    string // value of the site column ("" without one)
	Stratum string // value of the stratum column ("" without one)
	// Obs is what the weekly key figures count; Obs.WithinTarget is set by
	// the evaluation (it knows the target), not by the reader.
	Obs pilot.Obs
	// Covariates that a random assignment must not depend on.
	Origin, Chapter, AEO, Trader string
}

// Columns names the columns a Reader uses. Arrival, Lane and one of
// ReleaseHours or Release are required; the others are optional.
type Columns struct {
	Arrival      string // RFC 3339 arrival time (arrival_time)
	Release      string // RFC 3339 release time, when ReleaseHours is absent
	ReleaseHours string // release time in hours since arrival (release_time_h)
	Lane         string // green, blue, yellow or red (lane)
	Outcome      string // found, missed, released, in_system (outcome, written by run --trace)
	Irregular    string // yes when a control found the consignment irregular (irregular)
	Carried      string // the threat carried, known only in simulation (carried_threat)
	Duty         string // duty recovered (duty_recovered)
	Site         string // the office (set by the user; none by default)
	Stratum      string // the randomised stratum (set by the user; none by default)
	Origin       string // country_of_origin
	HSCode       string // hs_code (its first two digits are the chapter)
	AEO          string // aeo
	Trader       string // consignor_id
}

// DefaultColumns are the column names of the trace CSV that `pilotsim run
// --trace` writes (the WCO Data Model declaration columns and the
// simulator's own).
func DefaultColumns() Columns {
	return Columns{
		Arrival: "arrival_time", Release: "release_time", ReleaseHours: "release_time_h", Lane: "lane",
		Outcome: "outcome", Irregular: "irregular", Carried: "carried_threat", Duty: "duty_recovered",
		Origin: "country_of_origin", HSCode: "hs_code", AEO: "aeo", Trader: "consignor_id",
	}
}

// EventColumns are the column names of the event-record CSV that `pilotsim
// trs` and `calibrate` read (docs/trs.md): arrival and release as RFC 3339
// times, the channel, the control outcome (irregular or regular) and the
// duty recovered; office, if given, is a site column.
func EventColumns() Columns {
	return Columns{Arrival: "arrival", Release: "release", Lane: "channel", Irregular: "outcome", Duty: "duty", AEO: "aeo"}
}

// ColumnsFor returns the columns of a file with this header: the event-record
// layout when the header has its arrival and channel columns and not the
// trace's arrival_time, else the trace's (DefaultColumns).
func ColumnsFor(header []string) Columns {
	has := map[string]bool{}
	for _, h := range header {
		has[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = true
	}
	if has["arrival"] && has["channel"] && !has["arrival_time"] {
		return EventColumns()
	}
	return DefaultColumns()
}

// Data are a pilot's records with what the file could tell.
type Data struct {
	Records []Record
	// Truth: the file names the threat each consignment carried (a
	// simulation's trace), so detection can be computed.
	Truth bool
}

// ReadRecords reads event records from a CSV file with a header row. name is
// used in errors, which give the line and column at fault.
func ReadRecords(r io.Reader, name string, cols Columns) (*Data, error) {
	// Rows are bounded like every CSV pilotsim reads, so a 1 GB line (or a
	// small .csv.gz that unpacks to one) cannot fill memory.
	cr := csv.NewReader(datamodel.LimitRecords(r, datamodel.MaxRecordBytes))
	cr.ReuseRecord = true
	head, err := cr.Read()
	head = slices.Clone(head) // ReuseRecord: the next Read overwrites it
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file: want a header row", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	idx := map[string]int{}
	for i, h := range head {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	col := func(n string) int {
		if n == "" {
			return -1
		}
		if i, ok := idx[strings.ToLower(n)]; ok {
			return i
		}
		return -1
	}
	need := func(n, what string) (int, error) {
		i := col(n)
		if i < 0 {
			return -1, fmt.Errorf("%s: line 1: no column %q: want %s", name, n, what)
		}
		return i, nil
	}
	cArr, err := need(cols.Arrival, "the arrival time (RFC 3339)")
	if err != nil {
		return nil, err
	}
	cLane, err := need(cols.Lane, "the lane (green, blue, yellow or red)")
	if err != nil {
		return nil, err
	}
	cRelH, cRel := col(cols.ReleaseHours), col(cols.Release)
	if cRelH < 0 && cRel < 0 {
		return nil, fmt.Errorf("%s: line 1: no column %q or %q: want the release time", name, cols.ReleaseHours, cols.Release)
	}
	var cSite, cStratum int = -1, -1
	if cols.Site != "" {
		if cSite, err = need(cols.Site, "the site of each consignment (--site-column)"); err != nil {
			return nil, err
		}
	}
	if cols.Stratum != "" {
		if cStratum, err = need(cols.Stratum, "the randomised stratum of each consignment (--stratum-column)"); err != nil {
			return nil, err
		}
	}
	cOut, cIrr, cCarr, cDuty := col(cols.Outcome), col(cols.Irregular), col(cols.Carried), col(cols.Duty)
	cOrig, cHS, cAEO, cTr := col(cols.Origin), col(cols.HSCode), col(cols.AEO), col(cols.Trader)
	d := &Data{Truth: cCarr >= 0}
	get := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		bad := func(c int, what string) error {
			return fmt.Errorf("%s: line %d, column %s: %q: want %s", name, line, head[c], get(rec, c), what)
		}
		r := Record{Line: line, Site: get(rec, cSite), Stratum: get(rec, cStratum)}
		if r.Arrival, err = time.Parse(time.RFC3339, get(rec, cArr)); err != nil {
			return nil, bad(cArr, "an RFC 3339 time such as 2025-01-06T08:30:00Z")
		}
		lane, ok := sim.ParseLane(get(rec, cLane))
		if !ok {
			return nil, bad(cLane, "green, blue, yellow or red")
		}
		o := &r.Obs
		o.Lane = lane
		o.Controlled = lane == sim.Yellow || lane == sim.Red
		o.Release = math.NaN()
		if cRelH >= 0 {
			if s := get(rec, cRelH); s != "" {
				h, err := strconv.ParseFloat(s, 64)
				if err != nil || h < 0 || math.IsInf(h, 0) || math.IsNaN(h) {
					return nil, bad(cRelH, "hours since arrival (a number ≥ 0), or empty when not released")
				}
				o.Release = h * 60
			}
		} else if s := get(rec, cRel); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil || t.Before(r.Arrival) {
				return nil, bad(cRel, "an RFC 3339 time not before the arrival, or empty when not released")
			}
			o.Release = t.Sub(r.Arrival).Minutes()
		}
		switch {
		case cOut >= 0 && get(rec, cOut) != "":
			switch get(rec, cOut) {
			case "found":
				o.Found = true
			case "missed", "released", "in_system":
			default:
				return nil, bad(cOut, "found, missed, released or in_system")
			}
		case cIrr >= 0:
			switch strings.ToLower(get(rec, cIrr)) {
			case "yes", "true", "1", "irregular", "found":
				o.Found = true
			case "", "no", "false", "0", "regular", "clean":
			default:
				return nil, bad(cIrr, "irregular or regular (yes/no, 1/0), or empty")
			}
		}
		if d.Truth {
			o.Irregular = get(rec, cCarr) != ""
		} else {
			o.Irregular = o.Found // real data: only what controls found is known
		}
		if o.Found && cDuty >= 0 {
			if s := get(rec, cDuty); s != "" {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || v < 0 || math.IsInf(v, 0) {
					return nil, bad(cDuty, "an amount ≥ 0")
				}
				o.Duty = v
			}
		}
		r.Origin, r.AEO, r.Trader = get(rec, cOrig), get(rec, cAEO), get(rec, cTr)
		if hs := get(rec, cHS); len(hs) >= 2 {
			r.Chapter = hs[:2]
		}
		d.Records = append(d.Records, r)
	}
	if len(d.Records) == 0 {
		return nil, fmt.Errorf("%s: no records after the header", name)
	}
	return d, nil
}
