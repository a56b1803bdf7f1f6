package datamodel

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"pilotsim/internal/safefile"
)

// This file is the event-record layout of a Time Release Study: one row per
// consignment with the instants it passed each milestone (arrival, lodgement,
// channel assignment, start and end of each control, release), as a customs
// administration extracts them from its clearance system, and a streaming
// reader of it. The reader also reads, with no mapping, the consignment
// trace that `pilotsim run --trace` writes (consignments.csv), and, with an
// EventMapping, a national layout (other column names, a time layout, codes).

// Step is a control step of the event record.
type Step uint8

// The control steps, in the order a consignment usually meets them.
const (
	StepDocument Step = iota // documentary check
	StepScan                 // non-intrusive inspection (NII scan)
	StepPhysical             // physical examination
	StepAgency               // another agency's control (health, standards …)
	NumSteps                 // number of steps
)

var stepNames = [NumSteps]string{"document", "scan", "physical", "agency"}

// String returns the step's name as the event record's columns spell it.
func (s Step) String() string {
	if s < NumSteps {
		return stepNames[s]
	}
	return "step" + strconv.Itoa(int(s))
}

// StepOfPool returns the step a control pool performs, from its name or
// control method: document; nii, scan or xray; physical; anything else is
// another agency's control.
func StepOfPool(name string) Step {
	switch strings.ToLower(name) {
	case "document", "documentary", "doc":
		return StepDocument
	case "nii", "scan", "scanner", "xray", "x-ray":
		return StepScan
	case "physical", "exam", "examination":
		return StepPhysical
	}
	return StepAgency
}

// EventRecord is one consignment of a Time Release Study. Times are seconds
// since 1970-01-01 UTC; a missing time is NaN. Text values are shared
// between records (the reader interns them): do not modify them.
type EventRecord struct {
	ID        string // consignment reference (may be empty)
	Sample    string // observation series: a replication of a simulation; "" for real records
	Mode      string // transport mode (sea, air, road, rail, postal), lower case; "" unknown
	Office    string // customs office or border post; "" unknown
	AEO       int8   // 1 an Authorized Economic Operator, 0 not, -1 unknown
	Channel   string // green, blue, yellow or red; "" unknown
	Selection string // why the channel: risk, random, expected, forced …; "" unknown
	Arrival   float64
	Lodgement float64
	Assessed  float64 // risk assessment done, channel assigned
	Queue     [NumSteps]float64
	Start     [NumSteps]float64
	End       [NumSteps]float64
	Release   float64
	Outcome   int8    // 1 irregularity found, 0 controlled and regular, -1 unknown
	Duty      float64 // duty or penalty recovered; NaN unknown
	// Offset is the local time's offset from UTC at arrival, in seconds:
	// hours of the day and weekdays of a study are read at it. It is the
	// offset of the mapping's time zone at that instant when the mapping
	// names one (daylight saving included), else the offset written with
	// the arrival time (2025-03-14T09:30:00+01:00 gives 3600), else 0.
	Offset int32
}

// Ready returns the instant the consignment could first be controlled: the
// later of arrival and channel assignment (either alone when the other is
// missing; NaN when both are).
func (r *EventRecord) Ready() float64 {
	switch {
	case math.IsNaN(r.Assessed):
		return r.Arrival
	case math.IsNaN(r.Arrival):
		return r.Assessed
	}
	return math.Max(r.Arrival, r.Assessed)
}

// EventColumns are the columns of pilotsim's own event-record layout, in the
// order WriteEventHeader writes them. Only arrival is required; every other
// column may be absent or empty.
var EventColumns = func() []string {
	c := []string{"id", "sample", "mode", "office", "aeo", "channel", "selection",
		"arrival", "lodgement", "assessed"}
	for s := Step(0); s < NumSteps; s++ {
		c = append(c, s.String()+"_queue", s.String()+"_start", s.String()+"_end")
	}
	return append(c, "release", "outcome", "duty")
}()

// EventMapping reads a national layout: which column holds each field of the
// event record (keys as in EventColumns), how times are written and which
// codes mean what. The zero mapping reads pilotsim's own layout.
type EventMapping struct {
	// Columns maps a field (EventColumns) to the header of the column that
	// holds it; fields not listed are read from a column of their own name
	// when there is one.
	Columns map[string]string
	// Layout is the Go time layout of every time column ("" : RFC 3339, or
	// "2006-01-02 15:04:05"; a time without a zone is in Location).
	Layout string
	// Location is the IANA time zone of times written without one (default
	// UTC).
	Location *time.Location
	// Codes translate raw values of a field before it is read: national
	// channel codes to green/blue/yellow/red, mode codes, office codes,
	// selection codes, outcome codes (to irregular/regular) and aeo codes (to
	// yes/no). Values not listed are kept.
	Codes map[string]map[string]string
	// Delimiter is the field separator (default ',').
	Delimiter byte
}

// EventError is a bad value of an event-record file: line, column and why.
type EventError struct {
	Line     int    // physical line (1 is the header)
	Col      int    // position of the field in the row (1 is the first), 0 for the whole row
	Column   string // header of the column, "" for the whole row
	Value    string // the value as read (cut to 80 bytes in the message)
	Problem  string
	Expected string
}

func (e *EventError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.Col > 0 {
		fmt.Fprintf(&b, ", col %d", e.Col)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %s", safefile.Clip(e.Column, 80))
	}
	switch {
	case e.Value != "":
		// A huge value is cut, with its length, never echoed whole.
		fmt.Fprintf(&b, ": %q ", safefile.Clip(e.Value, 80))
	case e.Column != "":
		b.WriteString(" ")
	default:
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if e.Expected != "" {
		b.WriteString(" (want " + e.Expected + ")")
	}
	return b.String()
}

// fieldKind is how an event field is read.
type fieldKind uint8

const (
	fkText fieldKind = iota
	fkTime
	fkHours // hours since TraceEpoch (the simulator's trace)
	fkAEO
	fkOutcome
	fkNumber
	fkLower
	fkChannel
)

// eventField is one column the reader reads.
type eventField struct {
	col   int // index in the row
	name  string
	kind  fieldKind
	dst   int               // which field of EventRecord (see setters)
	codes map[string][]byte // the mapping's codes of the field, as bytes
	// The last distinct text values read (interned), looked at before
	// the reader's map: a column of codes holds few distinct values.
	recent [8]string
	nextIn uint8
}

// Destinations of fields (EventRecord fields), the values of eventField.dst.
const (
	dID = iota
	dSample
	dMode
	dOffice
	dAEO
	dChannel
	dSelection
	dArrival
	dLodgement
	dAssessed
	dRelease
	dOutcome
	dDuty
	dStep // dStep + 3*step + {0 queue, 1 start, 2 end}
)

// TraceEpoch is the instant hour 0 of a simulated replication stands for in
// a trace (a Monday, 00:00 UTC).
var TraceEpoch = time.Date(2025, time.January, 6, 0, 0, 0, 0, time.UTC)

// EventReader streams event records from a CSV file in constant memory.
type EventReader struct {
	// KeepIDs fills EventRecord.ID (one allocation per record); off by
	// default, as a report needs no ids.
	KeepIDs bool

	br        *bufio.Reader
	delim     byte
	header    []string
	fields    []eventField
	trace     *traceLayout // non-nil: the simulator's trace
	layout    string
	steps     []layoutStep // layout compiled (nil: read by the time package)
	loc       *time.Location
	line      int // physical line of the current row's start
	next      int // physical line of the next row
	buf       []byte
	cells     [][]byte
	scratch   []byte // lower-casing
	unq       []byte // unquoted cells
	ends      []int
	intern    map[string]string
	rec       EventRecord
	epoch     float64
	maxFields int
	zoneSet   bool    // the mapping names a time zone: local hours are read in it
	arrOff    int32   // offset written with the arrival time of the current row
	lastOff   int32   // offset written with the last time parsed (0 when none)
	offLo     float64 // the cached zone period [offLo, offHi) and its offset
	offHi     float64
	offVal    int32
	ids       *idSet // ids seen, when the file has an id column
	idCol     int    // the id column, when ids is not nil
	ahead     []aheadRow
	pos       int    // the next row of ahead to return
	idText    []byte // ids of the rows ahead
	sink      uint64 // keeps the loads of readAhead
	// The date of the last RFC 3339 time read, and its day number:
	// times of one file mostly share a few dates.
	date     [10]byte
	dateDays int64
	// The zone period of er.loc of the last local time converted, and its
	// offset from UTC (zoneLo > zoneHi: none yet).
	zoneLo, zoneHi int64
	zoneOff        int
}

// traceLayout is where the stages of a trace row are.
type traceLayout struct {
	stages    []traceStage
	outc      int // the outcome column
	stagesCol int
}

type traceStage struct{ pool, queue, start, end int }

// IsTrace reports whether the header is that of a simulator trace
// (consignments.csv of `pilotsim run --trace`).
func IsTrace(header []string) bool {
	return slices.Contains(header, "release_h") && slices.Contains(header, "arrival_h") &&
		slices.Contains(header, "lane_at_h")
}

// NewEventReader reads the header and prepares to read records. A nil
// mapping reads pilotsim's own layout, or a simulator trace (recognised by
// its columns).
func NewEventReader(r io.Reader, m *EventMapping) (*EventReader, error) {
	if m == nil {
		m = &EventMapping{}
	}
	er := &EventReader{br: bufio.NewReaderSize(r, MaxRecordBytes), delim: ',', layout: m.Layout,
		loc: m.Location, intern: make(map[string]string), epoch: float64(TraceEpoch.Unix())}
	if m.Delimiter != 0 {
		er.delim = m.Delimiter
	}
	if er.loc == nil {
		er.loc = time.UTC
	} else {
		er.zoneSet = true
	}
	if er.layout != "" {
		if er.steps = compileLayout(er.layout); er.steps != nil {
			er.checkLayout()
		}
	}
	er.offLo, er.offHi = math.Inf(1), math.Inf(-1)
	er.zoneLo, er.zoneHi = math.MaxInt64, math.MinInt64
	ok, err := er.readRow()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &EventError{Line: 1, Problem: "the file is empty", Expected: "a header naming the columns"}
	}
	er.header = make([]string, len(er.cells))
	// Columns are matched without regard to case or surrounding spaces (a
	// byte-order mark before the first is ignored); a name given twice is
	// kept with both positions, and refused if the reader needs it.
	index := headerIndex{first: make(map[string]int, len(er.cells)), twice: map[string][]int{}}
	for i, c := range er.cells {
		h := strings.TrimSpace(string(c))
		if i == 0 {
			h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		}
		er.header[i] = h
		k := strings.ToLower(h)
		if j, dup := index.first[k]; dup {
			if len(index.twice[k]) == 0 {
				index.twice[k] = []int{j}
			}
			index.twice[k] = append(index.twice[k], i)
			continue
		}
		index.first[k] = i
	}
	var err2 error
	if m.Columns == nil && IsTrace(er.header) {
		err2 = er.traceFields(index)
	} else {
		err2 = er.ownFields(index, m)
	}
	if err2 != nil {
		return nil, err2
	}
	for _, f := range er.fields {
		er.maxFields = max(er.maxFields, f.col+1)
		if f.dst == dID {
			er.ids = &idSet{}
			er.idCol = f.col
		}
	}
	return er, nil
}

// headerIndex finds the columns of a header by lower-cased name.
type headerIndex struct {
	first map[string]int   // name → first position
	twice map[string][]int // names given more than once → every position
}

// find returns the position of the column named name; a name the header
// gives twice is an error naming both positions.
func (h headerIndex) find(name string) (int, bool, error) {
	k := strings.ToLower(strings.TrimSpace(name))
	i, ok := h.first[k]
	if !ok {
		return 0, false, nil
	}
	if pos := h.twice[k]; len(pos) > 0 {
		cols := make([]string, len(pos))
		for j, p := range pos {
			cols[j] = strconv.Itoa(p + 1)
		}
		return 0, false, &EventError{Line: 1, Col: pos[1] + 1, Column: name, Problem: "is named more than once (cols " + strings.Join(cols, ", ") + ")",
			Expected: "each column once: which one holds the values is not clear"}
	}
	return i, true, nil
}

// Trace reports whether the file is a simulator trace.
func (er *EventReader) Trace() bool { return er.trace != nil }

// Header returns the file's column names.
func (er *EventReader) Header() []string { return er.header }

// Line returns the physical line where the last record read starts.
func (er *EventReader) Line() int { return er.line }

func eventDest(name string) (int, fieldKind, bool) {
	switch name {
	case "id":
		return dID, fkText, true
	case "sample":
		return dSample, fkText, true
	case "mode":
		return dMode, fkLower, true
	case "office":
		return dOffice, fkText, true
	case "aeo":
		return dAEO, fkAEO, true
	case "channel":
		return dChannel, fkChannel, true
	case "selection":
		return dSelection, fkLower, true
	case "arrival":
		return dArrival, fkTime, true
	case "lodgement":
		return dLodgement, fkTime, true
	case "assessed":
		return dAssessed, fkTime, true
	case "release":
		return dRelease, fkTime, true
	case "outcome":
		return dOutcome, fkOutcome, true
	case "duty":
		return dDuty, fkNumber, true
	}
	for s := Step(0); s < NumSteps; s++ {
		for k, suf := range []string{"_queue", "_start", "_end"} {
			if name == s.String()+suf {
				return dStep + 3*int(s) + k, fkTime, true
			}
		}
	}
	return 0, 0, false
}

func (er *EventReader) ownFields(index headerIndex, m *EventMapping) error {
	for f := range m.Columns {
		if _, _, ok := eventDest(f); !ok {
			return fmt.Errorf("mapping: columns: unknown field %q (want one of %s)", f, strings.Join(EventColumns, ", "))
		}
	}
	for f := range m.Codes {
		if _, _, ok := eventDest(f); !ok {
			return fmt.Errorf("mapping: codes: unknown field %q (want one of %s)", f, strings.Join(EventColumns, ", "))
		}
	}
	for _, name := range EventColumns {
		col, mapped := m.Columns[name]
		if !mapped {
			col = name
		}
		i, ok, err := index.find(col)
		if err != nil {
			return err
		}
		if !ok {
			if mapped {
				return &EventError{Line: 1, Column: col, Problem: "is not in the header", Expected: fmt.Sprintf("the column the mapping names for %s", name)}
			}
			continue
		}
		dst, kind, _ := eventDest(name)
		var codes map[string][]byte
		if c := m.Codes[name]; c != nil {
			codes = make(map[string][]byte, len(c))
			for raw, v := range c {
				codes[raw] = []byte(v)
			}
		}
		er.fields = append(er.fields, eventField{col: i, name: er.header[i], kind: kind, dst: dst, codes: codes})
	}
	if !slices.ContainsFunc(er.fields, func(f eventField) bool { return f.dst == dArrival }) {
		return &EventError{Line: 1, Problem: "has no arrival column",
			Expected: "a header with at least arrival (columns: " + strings.Join(EventColumns, ", ") + "), a mapping, or a trace of pilotsim run --trace"}
	}
	return nil
}

// traceFields reads the columns of a simulator trace: times are hours since
// TraceEpoch, pools become steps by their names, the outcome column says
// whether a control found the consignment irregular.
func (er *EventReader) traceFields(index headerIndex) error {
	var err error
	find := func(col string) (int, bool) {
		i, ok, e := index.find(col)
		if e != nil && err == nil {
			err = e
		}
		return i, ok
	}
	add := func(col string, dst int, kind fieldKind) {
		if i, ok := find(col); ok {
			er.fields = append(er.fields, eventField{col: i, name: col, kind: kind, dst: dst})
		}
	}
	add("ucr", dID, fkText)
	add("rep", dSample, fkText)
	add("transport_mode", dMode, fkLower)
	add("place_of_discharge", dOffice, fkText)
	add("aeo", dAEO, fkAEO)
	add("lane", dChannel, fkChannel)
	add("reason", dSelection, fkLower)
	add("arrival_h", dArrival, fkHours)
	add("lodgement_h", dLodgement, fkHours)
	add("lane_at_h", dAssessed, fkHours)
	add("release_h", dRelease, fkHours)
	add("duty_recovered", dDuty, fkNumber)
	tl := &traceLayout{outc: -1, stagesCol: -1}
	if i, ok := find("outcome"); ok {
		tl.outc = i
	}
	for k := 1; ; k++ {
		p := "stage" + strconv.Itoa(k) + "_"
		pool, ok := find(p + "pool")
		if !ok {
			break
		}
		var st [3]int
		for j, suf := range []string{"queue_h", "start_h", "end_h"} {
			i, ok := find(p + suf)
			if !ok && err == nil {
				err = &EventError{Line: 1, Column: p + suf, Problem: "is not in the header", Expected: "the queue, start and end hours of every stage of a trace"}
			}
			st[j] = i
		}
		tl.stages = append(tl.stages, traceStage{pool: pool, queue: st[0], start: st[1], end: st[2]})
		er.maxFields = max(er.maxFields, st[0]+1, st[1]+1, st[2]+1, pool+1)
	}
	if err != nil {
		return err
	}
	if tl.outc >= 0 {
		er.maxFields = max(er.maxFields, tl.outc+1)
	}
	er.trace = tl
	return nil
}

// Next reads the next record; it returns nil, io.EOF at the end of the file.
// The record is reused by the next call. A bad value is an *EventError with
// its line and column.
//
// When the file has ids, rows are parsed aheadRows at a time, and their ids
// checked together (see idSet); records and errors still come one by one
// in the order of the file, as if each row were read when asked for.
func (er *EventReader) Next() (*EventRecord, error) {
	if er.ids == nil {
		return er.parse(&er.rec)
	}
	if er.pos == len(er.ahead) {
		er.readAhead()
	}
	a := &er.ahead[er.pos]
	er.pos++
	er.line = a.line
	if a.err != nil {
		return nil, a.err
	}
	return &a.rec, nil
}

// aheadRows is the number of rows the reader parses ahead of the caller.
const aheadRows = 64

// aheadRow is a row parsed ahead: its record or its error, and its id.
type aheadRow struct {
	rec        EventRecord
	err        error
	line       int
	fp         uint64 // fingerprint of sample and id; 0: no id
	idLo, idHi int    // the id in er.idText
}

// readAhead parses up to aheadRows rows (fewer when the file ends or
// cannot be read further), then checks their ids in the order of the
// rows: the filter words of all of them are loaded first, so that the
// processor fetches them from memory together.
func (er *EventReader) readAhead() {
	if er.ahead == nil {
		er.ahead = make([]aheadRow, aheadRows)
	}
	er.ahead, er.pos = er.ahead[:0], 0
	er.idText = er.idText[:0]
	for len(er.ahead) < aheadRows {
		er.ahead = er.ahead[:len(er.ahead)+1]
		a := &er.ahead[len(er.ahead)-1]
		_, err := er.parse(&a.rec)
		a.line, a.err, a.fp = er.line, err, 0
		if err != nil {
			var ee *EventError
			if !errors.As(err, &ee) {
				break // the end of the file, or a row that cannot be read
			}
			continue
		}
		if v := trimSpace(er.cells[er.idCol]); len(v) > 0 {
			a.fp = idFingerprint(a.rec.Sample, v)
			a.idLo = len(er.idText)
			er.idText = append(er.idText, v...)
			a.idHi = len(er.idText)
		}
	}
	var sink uint64
	for i := range er.ahead {
		if fp := er.ahead[i].fp; fp != 0 {
			sink |= er.ids.touch(fp)
		}
	}
	er.sink = sink
	for i := range er.ahead {
		a := &er.ahead[i]
		if a.fp == 0 || a.err != nil {
			continue
		}
		l, ok := er.ids.seen(a.fp, uint32(min(a.line, math.MaxUint32)))
		if !ok {
			continue
		}
		where := "in an earlier row"
		if l > 0 {
			where = "on line " + strconv.Itoa(int(l))
		}
		if a.rec.Sample != "" {
			where += " (sample " + a.rec.Sample + ")"
		}
		e := &EventError{Line: a.line, Col: er.idCol + 1, Column: er.header[er.idCol], Value: string(er.idText[a.idLo:a.idHi]),
			Problem:  "repeats the id " + where,
			Expected: "each consignment once: a repeated row would count it twice (remove repeated rows, or map id to a column unique per consignment)"}
		a.err = e
	}
}

// parse reads the next row into r; it returns nil, io.EOF at the end of
// the file. Its id is not checked.
func (er *EventReader) parse(r *EventRecord) (*EventRecord, error) {
	for {
		ok, err := er.readRow()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		if len(er.cells) == 1 && len(er.cells[0]) == 0 {
			continue // a blank line
		}
		break
	}
	if len(er.cells) != len(er.header) {
		// A row with more or fewer fields than the header would put its
		// values under the wrong columns.
		return nil, &EventError{Line: er.line, Problem: fmt.Sprintf("has %d fields", len(er.cells)),
			Expected: fmt.Sprintf("%d fields, one per header column (a value holding the delimiter %q must be in double quotes)", len(er.header), string(er.delim))}
	}
	nan := math.NaN()
	*r = EventRecord{AEO: -1, Outcome: -1, Arrival: nan, Lodgement: nan, Assessed: nan, Release: nan, Duty: nan}
	er.arrOff = 0
	for s := range r.Queue {
		r.Queue[s], r.Start[s], r.End[s] = nan, nan, nan
	}
	for i := range er.fields {
		f := &er.fields[i]
		if len(er.cells[f.col]) == 0 && f.codes == nil {
			continue // an empty value, unless a code translates it
		}
		if err := er.set(f, r); err != nil {
			return nil, err
		}
	}
	if er.trace != nil {
		if err := er.setTrace(r); err != nil {
			return nil, err
		}
	}
	if math.IsNaN(r.Arrival) {
		return nil, er.bad(er.colOf(dArrival), "", "is missing", "the arrival time of every consignment")
	}
	switch {
	case er.trace != nil:
	case er.zoneSet:
		r.Offset = er.zoneOffset(r.Arrival)
	default:
		r.Offset = er.arrOff
	}
	return r, nil
}

// colOf returns the position in the row of the field read into dst.
func (er *EventReader) colOf(dst int) int {
	for _, f := range er.fields {
		if f.dst == dst {
			return f.col
		}
	}
	return -1
}

// bad is an error of the value in the row's field col (0-based).
func (er *EventReader) bad(col int, value, problem, expected string) error {
	e := &EventError{Line: er.line, Value: value, Problem: problem, Expected: expected}
	if col >= 0 && col < len(er.header) {
		e.Col, e.Column = col+1, er.header[col]
	}
	return e
}

// recent returns the interned string of v (not empty), from the field's
// last distinct values or the reader's map.
func (er *EventReader) recent(f *eventField, v []byte) string {
	for _, s := range &f.recent {
		if string(v) == s {
			return s
		}
	}
	s := er.str(v)
	f.recent[f.nextIn%uint8(len(f.recent))] = s
	f.nextIn++
	return s
}

func (er *EventReader) str(b []byte) string {
	if s, ok := er.intern[string(b)]; ok {
		return s
	}
	if len(er.intern) > 1<<16 {
		return string(b) // many distinct values (ids): do not keep them
	}
	s := string(b)
	er.intern[s] = s
	return s
}

// trimSpace is bytes.TrimSpace, which it calls only when the value starts
// or ends with a byte that could begin or end a space (ASCII space and
// control bytes, or a byte of a multi-byte UTF-8 character such as U+00A0).
func trimSpace(v []byte) []byte {
	if n := len(v); n > 0 && (v[0] <= ' ' || v[0] >= 0x80 || v[n-1] <= ' ' || v[n-1] >= 0x80) {
		return bytes.TrimSpace(v)
	}
	return v
}

func (er *EventReader) set(f *eventField, r *EventRecord) error {
	v := trimSpace(er.cells[f.col])
	if f.codes != nil {
		if c, ok := f.codes[string(v)]; ok {
			v = c
		}
	}
	if f.dst == dID {
		if er.KeepIDs && len(v) > 0 {
			r.ID = string(v)
		}
		return nil
	}
	if len(v) == 0 {
		return nil
	}
	switch f.kind {
	case fkText, fkLower, fkChannel:
		if f.kind != fkText {
			v = lowerASCII(v, &er.scratch)
		}
		s := er.recent(f, v)
		switch f.dst {
		case dSample:
			r.Sample = s
		case dMode:
			r.Mode = s
		case dOffice:
			r.Office = s
		case dSelection:
			r.Selection = s
		case dChannel:
			switch s {
			case "green", "blue", "yellow", "red":
				r.Channel = s
			default:
				return er.bad(f.col, string(v), "is not a channel", "green, blue, yellow or red (a mapping's codes translate national codes)")
			}
		}
	case fkAEO:
		switch string(lowerASCII(v, &er.scratch)) {
		case "yes", "true", "1", "y":
			r.AEO = 1
		case "no", "false", "0", "n":
			r.AEO = 0
		default:
			return er.bad(f.col, string(v), "is not yes or no", "yes, no, true, false, 1 or 0")
		}
	case fkOutcome:
		switch string(lowerASCII(v, &er.scratch)) {
		case "irregular", "yes", "true", "1", "found":
			r.Outcome = 1
		case "regular", "no", "false", "0", "clean":
			r.Outcome = 0
		default:
			return er.bad(f.col, string(v), "is not an outcome", "irregular or regular (yes/no, 1/0)")
		}
	case fkNumber:
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return er.bad(f.col, string(v), "is not a number", "a decimal number such as 1250.5")
		}
		r.Duty = x
	case fkHours:
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return er.bad(f.col, string(v), "is not a number of hours", "hours since the start of the replication, e.g. 12.5")
		}
		er.setTime(r, f.dst, er.epoch+x*3600)
	case fkTime:
		t, ok := er.parseTime(v)
		if !ok {
			want := "an RFC 3339 time such as 2025-03-14T09:30:00Z (or 2025-03-14 09:30:00)"
			if er.layout != "" {
				want = "a time in the layout " + er.layout
			}
			return er.bad(f.col, string(v), "is not a time", want)
		}
		er.setTime(r, f.dst, t)
		if f.dst == dArrival {
			er.arrOff = er.lastOff
		}
	}
	return nil
}

// zoneOffset is the offset of the mapping's time zone at t, from a cache of
// the zone period that holds t (records come roughly in time order).
func (er *EventReader) zoneOffset(t float64) int32 {
	if t >= er.offLo && t < er.offHi {
		return er.offVal
	}
	tt := time.Unix(int64(math.Floor(t)), 0).In(er.loc)
	_, off := tt.Zone()
	lo, hi := tt.ZoneBounds()
	er.offLo, er.offHi, er.offVal = math.Inf(-1), math.Inf(1), int32(off)
	if !lo.IsZero() {
		er.offLo = float64(lo.Unix())
	}
	if !hi.IsZero() {
		er.offHi = float64(hi.Unix())
	}
	return er.offVal
}

func (er *EventReader) setTime(r *EventRecord, dst int, t float64) {
	switch dst {
	case dArrival:
		r.Arrival = t
	case dLodgement:
		r.Lodgement = t
	case dAssessed:
		r.Assessed = t
	case dRelease:
		r.Release = t
	default:
		k := dst - dStep
		s, which := k/3, k%3
		switch which {
		case 0:
			r.Queue[s] = t
		case 1:
			r.Start[s] = t
		default:
			r.End[s] = t
		}
	}
}

// setTrace reads the stages and the outcome of a trace row.
func (er *EventReader) setTrace(r *EventRecord) error {
	tl := er.trace
	controlled := false
	for _, st := range tl.stages {
		pool := trimSpace(er.cells[st.pool])
		if len(pool) == 0 {
			continue
		}
		s := StepOfPool(er.str(pool))
		for k, col := range [3]int{st.queue, st.start, st.end} {
			v := trimSpace(er.cells[col])
			if len(v) == 0 {
				continue
			}
			x, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return er.bad(col, string(v), "is not a number of hours", "hours since the start of the replication")
			}
			er.setTime(r, dStep+3*int(s)+k, er.epoch+x*3600)
			if k == 2 {
				controlled = true
			}
		}
	}
	if tl.outc >= 0 {
		switch string(trimSpace(er.cells[tl.outc])) {
		case "found":
			r.Outcome = 1
		case "released", "missed":
			if controlled {
				r.Outcome = 0
			}
		}
	}
	if r.Outcome != 1 {
		r.Duty = math.NaN() // duty_recovered is 0 when nothing was found
	}
	return nil
}

func lowerASCII(v []byte, scratch *[]byte) []byte {
	for _, c := range v {
		if 'A' <= c && c <= 'Z' {
			s := append((*scratch)[:0], v...)
			for i, c := range s {
				if 'A' <= c && c <= 'Z' {
					s[i] = c + 'a' - 'A'
				}
			}
			*scratch = s
			return s
		}
	}
	return v
}

// parseTime reads a time: the mapping's layout (compiled when it can be,
// else by the time package), or RFC 3339 (a space may
// stand for the T; no zone means the mapping's location) by a fast path.
// The offset written with the time is kept in er.lastOff (0 when none).
func (er *EventReader) parseTime(v []byte) (float64, bool) {
	er.lastOff = 0
	if er.layout != "" {
		if er.steps != nil {
			if t, off, ok := er.fastLayout(v); ok {
				er.lastOff = int32(off)
				return t, true
			}
		}
		t, err := time.ParseInLocation(er.layout, string(v), er.loc)
		if err != nil {
			return 0, false
		}
		_, off := t.Zone()
		er.lastOff = int32(off)
		return float64(t.Unix()) + float64(t.Nanosecond())/1e9, true
	}
	if t, off, ok := er.fastRFC3339(v); ok {
		er.lastOff = int32(off)
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return 0, false
	}
	_, off := t.Zone()
	er.lastOff = int32(off)
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9, true
}

// fastRFC3339 reads "2006-01-02T15:04:05[.frac](Z|±hh:mm|)" (T or a space)
// without allocating, with the offset written (0 for Z; er.loc's at that
// time when none is written); ok is false for anything else (the caller
// falls back on the time package). The day number of the last date read is
// kept, so a time of the same date reads only its clock.
func (er *EventReader) fastRFC3339(v []byte) (float64, int, bool) {
	if len(v) < 19 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != ' ') || v[13] != ':' || v[16] != ':' {
		return 0, 0, false
	}
	days := er.dateDays
	if string(v[:10]) != string(er.date[:]) {
		y, ok1 := ParseDigits(v[0:4])
		mo, ok2 := ParseDigits(v[5:7])
		d, ok3 := ParseDigits(v[8:10])
		if !(ok1 && ok2 && ok3) || mo < 1 || mo > 12 || d < 1 || d > DaysIn(y, mo) || y < 1900 {
			return 0, 0, false
		}
		days = DaysFromCivil(y, mo, d)
		copy(er.date[:], v[:10])
		er.dateDays = days
	}
	h, ok4 := twoDigits(v[11], v[12])
	mi, ok5 := twoDigits(v[14], v[15])
	s, ok6 := twoDigits(v[17], v[18])
	if !(ok4 && ok5 && ok6) || h > 23 || mi > 59 || s > 59 {
		return 0, 0, false
	}
	rest := v[19:]
	frac := 0.0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 0.1
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			frac += float64(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 {
			return 0, 0, false
		}
		rest = rest[i:]
	}
	clock := int64(h*3600 + mi*60 + s)
	offset := 0
	switch {
	case len(rest) == 0:
		if er.loc != time.UTC {
			utc, off := er.localToUTC(days*86400 + clock)
			return float64(utc) + frac, off, true
		}
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := twoDigits(rest[1], rest[2])
		om, ok2 := twoDigits(rest[4], rest[5])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, 0, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, 0, false
	}
	return float64(days*86400+clock-int64(offset)) + frac, offset, true
}

// twoDigits reads two decimal digits.
func twoDigits(a, b byte) (int, bool) {
	x, y := a-'0', b-'0'
	return int(x)*10 + int(y), x < 10 && y < 10
}

// localToUTC converts a local time of er.loc (seconds as if it were UTC)
// to seconds since 1970 UTC, as time.Date does (a time the clocks skip or
// repeat is read as time.Date reads it), and returns the zone's offset at
// the result, as time.Time.Zone does.
func (er *EventReader) localToUTC(local int64) (int64, int) {
	// time.Date: the offset at local read as UTC, then again at the
	// result when that is outside the zone period found.
	off, lo, hi := er.zoneAt(local)
	unix := local
	if off != 0 {
		utc := local - int64(off)
		if utc < lo || utc >= hi {
			off, _, _ = er.zoneAt(utc)
		}
		unix -= int64(off)
	}
	off, _, _ = er.zoneAt(unix)
	return unix, off
}

// zoneAt is the offset of er.loc at the instant t (seconds) and the zone
// period that holds t, [lo, hi), from a cache of the last period.
func (er *EventReader) zoneAt(t int64) (int, int64, int64) {
	if t >= er.zoneLo && t < er.zoneHi {
		return er.zoneOff, er.zoneLo, er.zoneHi
	}
	tt := time.Unix(t, 0).In(er.loc)
	_, off := tt.Zone()
	lo, hi := tt.ZoneBounds()
	er.zoneLo, er.zoneHi, er.zoneOff = math.MinInt64, math.MaxInt64, off
	if !lo.IsZero() {
		er.zoneLo = lo.Unix()
	}
	if !hi.IsZero() {
		er.zoneHi = hi.Unix()
	}
	return er.zoneOff, er.zoneLo, er.zoneHi
}

// readRow reads one CSV record (RFC 4180: quoted fields may hold the
// delimiter, doubled quotes and line breaks) into er.cells, which stay valid
// until the next call. ok is false at the end of the file.
func (er *EventReader) readRow() (bool, error) {
	er.line = er.next + 1
	line, err := er.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	if len(line) == 0 {
		return false, nil
	}
	er.next++
	er.cells = er.cells[:0]
	if bytes.IndexByte(line, '"') < 0 {
		er.cells = splitRow(er.cells, trimEOL(line), er.delim)
		return true, nil
	}
	// Quoted fields: unquote into er.buf (a copy; line may be overwritten by
	// reading continuation lines).
	er.buf = append(er.buf[:0], line...)
	ends := er.ends[:0] // cell boundaries in out
	out := er.unq[:0]
	src := er.buf
	i := 0
	for {
		// start of a field
		if i < len(src) && src[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(src[i:], '"')
				if j < 0 {
					// the field continues on the next line
					out = append(out, src[i:]...)
					more, err := er.readLine()
					if err != nil && !errors.Is(err, io.EOF) {
						return false, err
					}
					if len(more) == 0 {
						return false, &EventError{Line: er.line, Problem: "has a quoted field that never ends", Expected: "a closing quote"}
					}
					if len(out)+len(more) > MaxRecordBytes {
						return false, &RecordTooLongError{Line: er.line, Limit: MaxRecordBytes}
					}
					er.next++
					src = append(src[:0], more...)
					i = 0
					continue
				}
				out = append(out, src[i:i+j]...)
				i += j + 1
				if i < len(src) && src[i] == '"' {
					out = append(out, '"')
					i++
					continue
				}
				break
			}
			// after the closing quote: delimiter or end of line
			k := i
			for k < len(src) && src[k] != er.delim && src[k] != '\n' && src[k] != '\r' {
				k++
			}
			out = append(out, src[i:k]...)
			i = k
		} else {
			k := i
			for k < len(src) && src[k] != er.delim && src[k] != '\n' && src[k] != '\r' {
				k++
			}
			out = append(out, src[i:k]...)
			i = k
		}
		ends = append(ends, len(out))
		if i < len(src) && src[i] == er.delim {
			i++
			continue
		}
		break
	}
	er.unq, er.ends, er.buf = out, ends, src
	start := 0
	for _, e := range ends {
		er.cells = append(er.cells, out[start:e])
		start = e
	}
	return true, nil
}

// readLine returns the next physical line with its end. A line longer than
// MaxRecordBytes (the reader's buffer) is a *RecordTooLongError: a file with
// a 1 GB line, or a small .csv.gz that unpacks to one, must not fill memory.
func (er *EventReader) readLine() ([]byte, error) {
	line, err := er.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, &RecordTooLongError{Line: er.line, Limit: MaxRecordBytes}
	}
	return line, err
}

// splitRow appends the fields of line (which holds no quote) to cells: it
// looks for the delimiter eight bytes at a time.
func splitRow(cells [][]byte, line []byte, delim byte) [][]byte {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	dm := uint64(delim) * ones
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		// A high bit for each byte of the word that is the delimiter
		// (exactly: no borrow runs from one byte into the next).
		w := binary.LittleEndian.Uint64(line[i:]) ^ dm
		m := ^((w&^highs + ^uint64(highs)) | w) & highs
		for ; m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			cells = append(cells, line[start:j])
			start = j + 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == delim {
			cells = append(cells, line[start:i])
			start = i + 1
		}
	}
	return append(cells, line[start:])
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// WriteEventHeader writes the header line of pilotsim's own layout.
func WriteEventHeader(w io.Writer) error {
	_, err := io.WriteString(w, strings.Join(EventColumns, ",")+"\n")
	return err
}

// AppendEventRow appends r as a row of pilotsim's own layout (times RFC 3339
// in UTC, to the second, with a fraction when there is one).
func AppendEventRow(b []byte, r *EventRecord) []byte {
	text := func(s string) {
		if strings.ContainsAny(s, ",\"\n\r") {
			b = append(b, '"')
			b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
			b = append(b, '"')
			return
		}
		b = append(b, s...)
	}
	tm := func(t float64) {
		if math.IsNaN(t) {
			return
		}
		sec := math.Floor(t)
		ns := int64(math.Round((t - sec) * 1e9))
		b = time.Unix(int64(sec), ns).UTC().AppendFormat(b, time.RFC3339Nano)
	}
	// flag writes a yes/no cell: 1 as yes, 0 as no, anything else (unknown)
	// empty.
	flag := func(v int8, yes, no string) {
		switch v {
		case 1:
			b = append(b, yes...)
		case 0:
			b = append(b, no...)
		}
	}
	for i, s := range [...]string{r.ID, r.Sample, r.Mode, r.Office} {
		if i > 0 {
			b = append(b, ',')
		}
		text(s)
	}
	b = append(b, ',')
	flag(r.AEO, "yes", "no")
	for _, s := range [...]string{r.Channel, r.Selection} {
		b = append(b, ',')
		text(s)
	}
	for _, t := range []float64{r.Arrival, r.Lodgement, r.Assessed} {
		b = append(b, ',')
		tm(t)
	}
	for s := range NumSteps {
		for _, t := range []float64{r.Queue[s], r.Start[s], r.End[s]} {
			b = append(b, ',')
			tm(t)
		}
	}
	b = append(b, ',')
	tm(r.Release)
	b = append(b, ',')
	flag(r.Outcome, "irregular", "regular")
	b = append(b, ',')
	if !math.IsNaN(r.Duty) {
		b = strconv.AppendFloat(b, r.Duty, 'f', -1, 64)
	}
	return append(b, '\n')
}

// idSet remembers the ids seen (a 64-bit fingerprint of sample and id, and
// the line) in an open-addressing table, so that a repeated id is reported
// with both lines. The table stops growing at maxIDSlots (12 bytes a slot,
// 12 MB): ids after the first maxIDSlots·3/4 are still looked up, but no
// longer remembered, which keeps the reader's memory bounded.
//
// A table of millions of ids is far larger than a processor's caches, and
// a probe of it costs a trip to memory, which one row's parsing does not
// hide. So a blocked Bloom filter of the remembered fingerprints (a 64-bit
// word per 4 slots, 2 MB at most) answers first: for nearly every new id
// it says "never seen" from one cache line, and the table is probed only
// for the rest (a repeated id, or about 1 in 500 that the filter cannot
// rule out). New fingerprints wait in a short pending list and go into the
// table by batches, whose probes do not depend on each other, so that the
// processor overlaps their trips to memory.
type idSet struct {
	fp     []uint64 // 0 = empty
	line   []uint32
	filter []uint64 // len(fp)/4 words: 4 bits of each remembered fingerprint
	pend   []idPending
	n      int   // ids remembered: in the table and pending
	full   bool  // stopped remembering
	extra  int64 // ids not remembered
}

// idPending is a remembered id not yet in the table.
type idPending struct {
	fp   uint64
	line uint32
}

const (
	maxIDSlots = 1 << 20
	idBatch    = 256 // pending ids at most
)

// filterBits are the 4 bits of a fingerprint in its filter word (which
// word: the fingerprint's top bits; the table slot uses its low bits).
func filterBits(fp uint64) uint64 {
	return 1<<(fp&63) | 1<<(fp>>6&63) | 1<<(fp>>12&63) | 1<<(fp>>18&63)
}

func (s *idSet) filterWord(fp uint64) *uint64 {
	return &s.filter[fp>>(64-bits.TrailingZeros(uint(len(s.filter))))]
}

// touch loads the filter word of fp (readAhead loads those of its rows
// together).
func (s *idSet) touch(fp uint64) uint64 {
	if s.filter == nil {
		return 0
	}
	return *s.filterWord(fp)
}

// seen returns the line of the earlier record with fingerprint fp, if one
// was remembered; else it remembers fp with line (while not full).
func (s *idSet) seen(fp uint64, line uint32) (uint32, bool) {
	if s.fp == nil {
		s.fp, s.line, s.filter = make([]uint64, 1<<12), make([]uint32, 1<<12), make([]uint64, 1<<10)
	}
	w := s.filterWord(fp)
	fb := filterBits(fp)
	if *w&fb == fb {
		for _, p := range s.pend {
			if p.fp == fp {
				return p.line, true
			}
		}
		mask := uint64(len(s.fp) - 1)
		for i := fp & mask; s.fp[i] != 0; i = (i + 1) & mask {
			if s.fp[i] == fp {
				return s.line[i], true
			}
		}
	}
	if s.full {
		s.extra++
		return 0, false
	}
	*w |= fb
	s.pend = append(s.pend, idPending{fp, line})
	s.n++
	if len(s.pend) == idBatch {
		s.flush()
	}
	if 4*s.n > 3*len(s.fp) {
		s.flush()
		if len(s.fp) >= maxIDSlots {
			s.full = true
		} else {
			s.grow()
		}
	}
	return 0, false
}

// flush puts the pending ids into the table.
func (s *idSet) flush() {
	mask := uint64(len(s.fp) - 1)
	for _, p := range s.pend {
		i := p.fp & mask
		for s.fp[i] != 0 {
			i = (i + 1) & mask
		}
		s.fp[i], s.line[i] = p.fp, p.line
	}
	s.pend = s.pend[:0]
}

// IDsNotChecked returns how many records' ids were not remembered for the
// check of repeated ids (the reader's bound on memory), 0 when every id was.
func (er *EventReader) IDsNotChecked() int64 {
	if er.ids == nil {
		return 0
	}
	return er.ids.extra
}

func idFingerprint(sample string, id []byte) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(sample); i++ {
		h = (h ^ uint64(sample[i])) * 1099511628211
	}
	h = (h ^ 0xff) * 1099511628211 // a separator no text byte can fake
	for _, c := range id {
		h = (h ^ uint64(c)) * 1099511628211
	}
	// splitmix64's finalizer spreads the bits for the table index.
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	if h == 0 {
		h = 1
	}
	return h
}

// grow doubles the table (which has no pending ids) and rebuilds the filter.
func (s *idSet) grow() {
	fp, line := s.fp, s.line
	s.fp, s.line = make([]uint64, 2*len(fp)), make([]uint32, 2*len(fp))
	s.filter = make([]uint64, len(s.fp)/4)
	mask := uint64(len(s.fp) - 1)
	for k, f := range fp {
		if f == 0 {
			continue
		}
		i := f & mask
		for s.fp[i] != 0 {
			i = (i + 1) & mask
		}
		s.fp[i], s.line[i] = f, line[k]
		*s.filterWord(f) |= filterBits(f)
	}
}
