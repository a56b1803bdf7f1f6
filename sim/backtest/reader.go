package backtest

import (
	"pilotsim/internal/safefile"

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
	"pilotsim/sim/risk"
)

// RowError is a bad row of a declarations file: where it is and what is wrong.
type RowError struct {
	File   string
	Line   int    // 1-based line of the row in the file (the header is line 1)
	Column string // header of the offending column; "" for the whole row
	Value  string // the offending value, when there is one
	Reason string
}

// Error formats the problem as FILE:LINE: column "C": "V": REASON.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", e.File, e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", safefile.Clip(e.Column, 80))
	}
	if e.Value != "" {
		v := e.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		fmt.Fprintf(&b, ": %q", v)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// NoDay is Decl.Day when the file has no date.
const NoDay = math.MinInt32

// Decl is one declaration as read from a file: the compact consignment the
// risk engine scores, the extra values its field and history criteria test,
// and the control outcome.
type Decl struct {
	Line int   // line in the file
	Day  int32 // days since 1970-01-01, NoDay when the date is not mapped

	C risk.Consignment
	X risk.Extra

	Irregular bool
	// Known is false when the file gives no outcome (the declaration was
	// not controlled; Mapping.Outcome.Unknown "regular"): Irregular is then
	// false and the declaration does not enter the history.
	Known   bool
	Revenue float64 // revenue at stake or recovered; 0 unless Irregular
	Classes uint16  // bit i: outcome class i (Mapping.ClassNames order) holds
	// RecordedLane is the lane the declaration actually got, -1 when the
	// mapping has no lane column or the value is missing.
	RecordedLane int8
}

// conv is a compiled Column: where the value is and how it converts.
type conv struct {
	idx     int    // index in the record, -1 when not mapped
	header  string // for messages
	codes   map[string]string
	missing []string
	upper   bool
	digits  int
	pad     bool
	scale   float64
	times   int // index of the multiplier column, -1 none
	per     int // index of the divisor column, -1 none
	yes     []string
	anyYes  bool
	ctrl    bool // lane from the datamodel's control column
	layout  string
	fastISO bool // layout is 2006-01-02
	numeric bool // a number (NewCheckReader's columns)
	memo    *textMemo
}

// textMemo remembers, per distinct short value of a column that has codes,
// missing values or upper-casing, what text makes of it: a row's value is
// then found by one integer look-up, not a map look-up by string.
type textMemo struct {
	tab  idTable
	ents []memoEnt
}

type memoEnt struct {
	v  string
	ok bool
}

// maxMemo is the most distinct values a textMemo holds; others are converted
// each time.
const maxMemo = 4096

// newMemo returns a textMemo for cv when its conversion is more than
// trimming spaces.
func newMemo(cv *conv) *textMemo {
	if cv.codes == nil && len(cv.missing) == 0 && !cv.upper {
		return nil
	}
	return new(textMemo)
}

// core field slots in Reader.core.
const (
	fID = iota
	fDate
	fTrader
	fOrigin
	fDispatch
	fRouting
	fHS
	fMode
	fWeight
	fValue
	fAEO
	fNew
	fLate
	fLodgement
	fArrival
	numCore
)

var coreIndex = map[string]int{
	"id": fID, "date": fDate, "trader": fTrader, "origin": fOrigin, "dispatch": fDispatch,
	"routing": fRouting, "hs": fHS, "mode": fMode, "gross_weight": fWeight, "value": fValue,
	"aeo": fAEO, "new_trader": fNew, "lodged_after_arrival": fLate,
	"lodgement": fLodgement, "arrival": fArrival,
}

// slotAcc fills one slot of Extra.
type slotAcc struct {
	conv
	numeric bool
	derived int // >= 0: a core field (fWeight …) or derivedVPK
	conds   []risk.StringCond
	cache   map[string]uint64 // value → condition bits, bounded by maxCache
}

// keyAcc builds one history key from its parts.
type keyAcc struct {
	parts []keyPart
}

type keyPart struct {
	conv
	core int // >= 0: a core field
	n    int // keep the first n characters (0: all)
	val  int // index in Reader.vals: parts of one name share it
	src  int // index in Reader.srcs and History.values: parts of one name and n share it
	// fast, when not fastNone, takes the value's id from the parsed field
	// instead of interning its text: the text and the parsed value determine
	// each other (an HS code of exactly 6 digits, divided by div for its
	// first n; an ISO country code).
	fast uint8
	div  uint32
}

// Kinds of keyPart.fast.
const (
	fastNone uint8 = iota
	fastHS
	fastOrigin
	fastDispatch
)

// keyVal is the converted value of a key part's column on the current row,
// shared by the keys that name it (hs, origin … appear in several keys).
type keyVal struct {
	row int // Reader.row when v and ok were computed
	v   string
	ok  bool
}

// keySrc is the interned id of a key part's value (its column's value,
// truncated to the part's length) on the current row, shared by the keys
// that name the same column and length.
type keySrc struct {
	row int // Reader.row when id and ok were computed
	id  uint32
	ok  bool
}

const (
	derivedNone = -1
	derivedVPK  = numCore // value_per_kg
	maxCache    = 1 << 16 // distinct values cached per text slot
)

// Reader reads declarations from one CSV file through a mapping, one at a
// time, in flat memory (except the per-key history, bounded by the number of
// distinct keys). It fills the history as it goes: each declaration sees only
// the outcomes of declarations dated strictly before it.
type Reader struct {
	file   string
	header []string
	m      *Mapping
	cr     *csvReader  // a one-byte delimiter
	std    *csv.Reader // any other delimiter
	ncol   int
	rec    []string
	schema *risk.ExtraSchema
	hist   *History

	core    [numCore]conv
	slots   []slotAcc
	keys    []keyAcc
	irr     conv
	rev     conv
	classes []conv
	lane    conv

	ids    []uint32 // value ids of the parts of the key being built
	codes  [risk.MaxHistories]uint64
	codeOK [risk.MaxHistories]bool
	// touched keeps the loads of History.touch from being dropped.
	touched uint64
	last    *Decl // the Decl Next filled last

	lastDate []byte // the last date parsed, and its day
	lastDay  int32
	srcs     []keySrc
	hsBuf    []byte
	vals     []keyVal
	row      int // rows read, for vals

	unknownRegular bool // Mapping.Outcome.Unknown == "regular"

	// check holds every entry of Mapping.Columns, converted on every row by
	// a reader made with NewCheckReader (pilotsim validate --mapping), so a
	// bad value is found whether or not a rule tests its column.
	check []conv
}

// NewCheckReader is NewReader for checking a file through a mapping: besides
// the datamodel fields and the outcome, it converts every column the mapping
// names under columns on every row and reports the first bad value of a row.
func NewCheckReader(file string, r io.Reader, m *Mapping) (*Reader, error) {
	rd, err := NewReader(file, r, m, nil, nil)
	if err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(rd.header))
	for i, h := range rd.header {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	var missing []string
	idx := func(path, h string, optional bool) int {
		if h == "" {
			return -1
		}
		i, ok := pos[h]
		if !ok {
			if !optional {
				missing = append(missing, fmt.Sprintf("%q (%s)", h, path))
			}
			return -1
		}
		return i
	}
	for _, name := range sortedKeys(m.Columns) {
		c := m.Columns[name]
		p := "columns." + name
		cv := conv{header: c.Column, codes: c.Codes, missing: c.Missing, upper: c.Upper, digits: c.Digits, pad: c.Pad,
			scale: 1, yes: c.Values, anyYes: c.AnyValue, numeric: c.Type == "number"}
		if c.Scale != nil {
			cv.scale = *c.Scale
		}
		cv.memo = newMemo(&cv)
		cv.idx = idx(p, c.Column, c.Optional)
		cv.times = idx(p+".times", c.Times, c.Optional)
		cv.per = idx(p+".per", c.Per, c.Optional)
		if cv.idx < 0 || (c.Times != "" && cv.times < 0) || (c.Per != "" && cv.per < 0) {
			continue
		}
		rd.check = append(rd.check, cv)
	}
	if len(missing) > 0 {
		return nil, &RowError{File: file, Line: 1, Reason: "the header has no column " + strings.Join(missing, ", ")}
	}
	return rd, nil
}

// checkColumns converts every column of rd.check (NewCheckReader).
func (rd *Reader) checkColumns(d *Decl) error {
	for i := range rd.check {
		cv := &rd.check[i]
		var err error
		if cv.numeric {
			_, _, err = rd.number(cv, d)
		} else {
			_, _, err = rd.textValue(cv, d)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// NewReader reads the header of r and resolves every mapped column and every
// field and history key of schema against it. hist receives the outcomes and
// answers the history criteria; it may be shared by the readers of several
// files read one after another (earlier files first). schema may be nil (no
// field or history criteria).
func NewReader(file string, r io.Reader, m *Mapping, schema *risk.ExtraSchema, hist *History) (*Reader, error) {
	var cr *csvReader
	var std *csv.Reader
	var header []string
	var err error
	if len(m.Delimiter) == 1 {
		cr = newCSVReader(r, m.Delimiter[0], datamodel.MaxRecordBytes)
		header, _, err = cr.read()
		header = slices.Clone(header) // views into the read buffer
	} else {
		std = csv.NewReader(datamodel.LimitRecords(r, datamodel.MaxRecordBytes))
		std.Comma = []rune(m.Delimiter)[0]
		std.ReuseRecord = true
		header, err = std.Read()
	}
	if err == io.EOF {
		return nil, &RowError{File: file, Line: 1, Reason: "the file is empty: expected a header row"}
	}
	if err != nil {
		return nil, &RowError{File: file, Line: 1, Reason: "reading the header: " + csvReason(err)}
	}
	rd := &Reader{file: file, m: m, cr: cr, std: std, ncol: len(header), schema: schema, hist: hist,
		unknownRegular: m.Outcome.Unknown == "regular"}
	pos := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		rd.header = append(rd.header, h)
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	var missing []string
	compile := func(path string, c *Column) conv {
		cv := conv{idx: -1, header: c.Column, codes: c.Codes, missing: c.Missing, upper: c.Upper,
			digits: c.Digits, pad: c.Pad, scale: 1, times: -1, per: -1, yes: c.Values, anyYes: c.AnyValue, ctrl: c.laneFromControls, layout: c.Layout,
			fastISO: c.Layout == "2006-01-02"}
		if c.Scale != nil {
			cv.scale = *c.Scale
		}
		cv.memo = newMemo(&cv)
		find := func(h string) int {
			i, ok := pos[h]
			if !ok {
				if !c.Optional {
					missing = append(missing, fmt.Sprintf("%q (%s)", h, path))
				}
				return -1
			}
			return i
		}
		cv.idx = find(c.Column)
		if c.Times != "" {
			cv.times = find(c.Times)
		}
		if c.Per != "" {
			cv.per = find(c.Per)
		}
		if cv.idx < 0 || (c.Times != "" && cv.times < 0) || (c.Per != "" && cv.per < 0) {
			cv.idx = -1 // an optional column the file lacks: always missing
		}
		return cv
	}
	for i := range rd.core {
		rd.core[i].idx = -1
	}
	for _, name := range sortedKeys(m.Fields) { // sorted: missing columns are named in one order
		c := m.Fields[name]
		rd.core[coreIndex[name]] = compile("fields."+name, &c)
	}
	rd.irr = compile("outcome.irregular", &m.Outcome.Irregular)
	rd.rev.idx = -1
	if m.Outcome.Revenue != nil {
		rd.rev = compile("outcome.revenue", m.Outcome.Revenue)
	}
	for _, name := range m.ClassNames() {
		c := m.Outcome.Classes[name]
		rd.classes = append(rd.classes, compile("outcome.classes."+name, &c))
	}
	rd.lane.idx = -1
	if m.Outcome.Lane != nil {
		rd.lane = compile("outcome.lane", m.Outcome.Lane)
	}
	if schema != nil {
		for _, f := range schema.Fields {
			rd.slots = append(rd.slots, rd.slotFor(f, compile))
		}
		valOf := map[string]int{}
		type source struct {
			name string
			n    int
		}
		srcOf := map[source]int{}
		for _, k := range schema.Histories {
			var ka keyAcc
			for _, p := range k.Parts {
				name, n, _ := risk.ParseKeyPart(p)
				v, ok := valOf[name]
				if !ok {
					v = len(valOf)
					valOf[name] = v
				}
				src, ok := srcOf[source{name, n}]
				if !ok {
					src = len(srcOf)
					srcOf[source{name, n}] = src
				}
				kp := keyPart{core: -1, n: n, val: v, src: src}
				if c, ok := m.Columns[name]; ok {
					kp.conv = compile("columns."+name, &c)
				} else {
					kp.core = coreIndex[name]
					c := m.Fields[name]
					kp.conv = compile("fields."+name, &c)
					switch {
					case kp.core == fHS && c.Digits == 6:
						kp.fast, kp.div = fastHS, 1
						for i := n; i > 0 && i < 6; i++ {
							kp.div *= 10
						}
					case kp.core == fOrigin && n != 1:
						kp.fast = fastOrigin
					case kp.core == fDispatch && n != 1:
						kp.fast = fastDispatch
					}
				}
				ka.parts = append(ka.parts, kp)
			}
			rd.keys = append(rd.keys, ka)
		}
		rd.vals = make([]keyVal, len(valOf))
		rd.srcs = make([]keySrc, len(srcOf))
		if len(schema.Histories) > 0 {
			if hist == nil {
				return nil, errors.New("backtest: history criteria need a History")
			}
			if rd.core[fDate].idx < 0 && len(missing) == 0 {
				return nil, &RowError{File: file, Line: 1, Reason: "history criteria and --novelty need the declaration date: map fields.date"}
			}
			hist.ensure(len(schema.Histories), len(srcOf))
		}
	}
	if len(missing) > 0 {
		return nil, &RowError{File: file, Line: 1, Reason: "the header has no column " + strings.Join(missing, ", ")}
	}
	return rd, nil
}

// slotFor compiles one field of the schema.
func (rd *Reader) slotFor(f risk.ExtraField, compile func(string, *Column) conv) slotAcc {
	s := slotAcc{numeric: f.Numeric, derived: derivedNone, conds: f.Conds}
	if c, ok := rd.m.Columns[f.Name]; ok {
		s.conv = compile("columns."+f.Name, &c)
	} else if f.Name == "value_per_kg" {
		s.conv = conv{idx: -1}
		s.derived = derivedVPK
	} else {
		s.conv = conv{idx: -1}
		s.derived = coreIndex[f.Name]
	}
	if !f.Numeric {
		s.cache = make(map[string]uint64)
	}
	return s
}

// ClassNames returns the names of the outcome classes in the order of the
// bits of Decl.Classes.
func (m *Mapping) ClassNames() []string { return sortedKeys(m.Outcome.Classes) }

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// record reads the next record and the line where it starts.
func (rd *Reader) record() ([]string, int, error) {
	if rd.cr != nil {
		rec, line, err := rd.cr.read()
		if err == nil || err == io.EOF {
			return rec, line, err
		}
		var ce *csvError
		if errors.As(err, &ce) {
			if ce.err == csv.ErrFieldCount {
				return nil, 0, &RowError{File: rd.file, Line: ce.line, Reason: fmt.Sprintf("expected %d fields as in the header, got %d", rd.ncol, ce.n)}
			}
			return nil, 0, &RowError{File: rd.file, Line: ce.line, Reason: ce.err.Error()}
		}
		return nil, 0, fmt.Errorf("%s: %w", rd.file, err)
	}
	rec, err := rd.std.Read()
	if err != nil {
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line := pe.StartLine
			if line == 0 {
				line = pe.Line
			}
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				line = pe.Line
				n := 0
				if rec != nil {
					n = len(rec)
				}
				return nil, 0, &RowError{File: rd.file, Line: line, Reason: fmt.Sprintf("expected %d fields as in the header, got %d", rd.ncol, n)}
			}
			return nil, 0, &RowError{File: rd.file, Line: line, Reason: pe.Err.Error()}
		}
		return nil, 0, fmt.Errorf("%s: %w", rd.file, err)
	}
	line, _ := rd.std.FieldPos(0)
	return rec, line, nil
}

// Next reads the next declaration into d. It returns io.EOF at the end of
// the file, a *RowError for a bad row (the reader can go on with the next
// one), or another error when reading fails.
func (rd *Reader) Next(d *Decl) error {
	rec, line, err := rd.record()
	if err != nil {
		return err
	}
	rd.rec = rec
	rd.row++
	// Decl's Extra is most of its 1 KB: cleared whole only for a Decl this
	// reader did not fill last. Otherwise its slots are rewritten below on
	// every good row (the fields' by fillSlot, the keys' counts cleared here
	// then set when the key is found) and the slots beyond the schema stay
	// as they were, zero.
	if d != rd.last {
		*d = Decl{}
		rd.last = d
	}
	for i := range rd.keys {
		d.X.Count[i], d.X.Irregular[i] = 0, 0
	}
	// Every field but X, as Decl{Line: line, Day: NoDay, RecordedLane: -1}.
	d.Line, d.Day, d.C = line, NoDay, risk.Consignment{}
	d.Irregular, d.Known, d.Revenue, d.Classes, d.RecordedLane = false, false, 0, 0, -1
	c := &d.C
	c.Hub, c.Origin, c.Dispatch = datamodel.NoCountry, datamodel.NoCountry, datamodel.NoCountry
	c.Threat = risk.NoThreat
	c.Trader = -1

	// Datamodel fields.
	if e := rd.readCore(d); e != nil {
		return e
	}
	// Outcome.
	yes, ok, e := rd.boolValue(&rd.irr, d)
	if e != nil {
		return e
	}
	d.Known = ok || rd.irr.anyYes // with any_value, no value means no
	if !d.Known && !rd.unknownRegular {
		return rd.bad(d, &rd.irr, "", "the outcome is missing (outcome.unknown: regular counts such declarations as regular)")
	}
	d.Irregular = yes
	if yes {
		c.Threat = 0
		if rd.rev.idx >= 0 {
			v, ok, e := rd.number(&rd.rev, d)
			if e != nil {
				return e
			}
			if ok {
				d.Revenue = v
				c.Duty = v
			}
		}
	}
	for i := range rd.classes {
		yes, _, e := rd.boolValue(&rd.classes[i], d)
		if e != nil {
			return e
		}
		if yes {
			d.Classes |= 1 << uint(i)
		}
	}
	if rd.lane.idx >= 0 {
		v, ok := rd.text(&rd.lane)
		if ok {
			l, lok := risk.ParseLane(v)
			if rd.lane.ctrl {
				l, lok = laneOfControls(v)
			}
			if !lok {
				return rd.bad(d, &rd.lane, v, "expected a lane: green, blue, yellow or red (map other codes with codes)")
			}
			d.RecordedLane = int8(l)
		}
	}
	if len(rd.check) > 0 {
		if e := rd.checkColumns(d); e != nil {
			return e
		}
	}
	// Extra fields.
	for i := range rd.slots {
		if e := rd.fillSlot(i, d); e != nil {
			return e
		}
	}
	// History, last: only a good row enters it.
	if len(rd.keys) > 0 {
		if d.Day == NoDay {
			return rd.bad(d, &rd.core[fDate], "", "the date is missing (history criteria and --novelty need it)")
		}
		if !rd.hist.advance(d.Day) {
			return rd.bad(d, &rd.core[fDate], rec[rd.core[fDate].idx], fmt.Sprintf(
				"dated before an earlier row (%s): history criteria and --novelty need the declarations in date order, and --history files older than the file scored",
				DayString(rd.hist.day)))
		}
		// All codes first, then the look-ups: the tables are large and the
		// look-ups independent, so their cache misses may overlap.
		for i := range rd.keys {
			rd.codes[i], rd.codeOK[i] = rd.key(i, d)
		}
		var touched uint64
		for i := range rd.keys {
			if rd.codeOK[i] {
				touched ^= rd.hist.touch(i, rd.codes[i])
			}
		}
		rd.touched = touched
		for i := range rd.keys {
			if rd.codeOK[i] {
				d.X.Count[i], d.X.Irregular[i] = rd.hist.observe(i, rd.codes[i], d.Day, d.Irregular, d.Known)
			}
		}
	}
	return nil
}

func (rd *Reader) bad(d *Decl, cv *conv, v, reason string) *RowError {
	return &RowError{File: rd.file, Line: d.Line, Column: cv.header, Value: strings.Clone(v), Reason: reason}
}

// text returns the converted text value of cv (false when missing).
func (rd *Reader) text(cv *conv) (string, bool) {
	if cv.idx < 0 {
		return "", false
	}
	v := rd.rec[cv.idx]
	if !plainEnds(v) {
		v = strings.TrimSpace(v)
	}
	if cv.memo == nil {
		return v, v != ""
	}
	w, short := wordOf(v)
	if !short {
		return convText(cv, v)
	}
	m := cv.memo
	i, found := m.tab.find(w)
	if found {
		e := &m.ents[m.tab.id(i)]
		return e.v, e.ok
	}
	out, ok := convText(cv, v)
	if len(m.ents) < maxMemo {
		m.tab.insert(i, w, uint32(len(m.ents)))
		m.ents = append(m.ents, memoEnt{strings.Clone(out), ok})
	}
	return out, ok
}

// trimSpace is strings.TrimSpace with a fast path for a value that starts
// and ends with a printable ASCII character, as nearly all do.
func trimSpace(v string) string {
	if plainEnds(v) {
		return v
	}
	return strings.TrimSpace(v)
}

// plainEnds says whether v starts and ends with a printable ASCII character
// (c-0x21 < 0x5e: ' ' < c < 0x7f, in one comparison): trimSpace's fast
// path, small enough to be inlined where trimSpace, with its call, is not.
func plainEnds(v string) bool {
	n := len(v)
	return n > 0 && v[0]-0x21 < 0x5e && v[n-1]-0x21 < 0x5e
}

// convText converts the trimmed value v of cv: codes, missing values,
// upper-casing.
func convText(cv *conv, v string) (string, bool) {
	if cv.codes != nil {
		if t, ok := cv.codes[v]; ok {
			v = t
		}
	}
	if v == "" {
		return "", false
	}
	for _, m := range cv.missing {
		if v == m {
			return "", false
		}
	}
	if cv.upper {
		v = strings.ToUpper(v)
	}
	return v, true
}

// digitsOf keeps the first cv.digits digits of v.
func (rd *Reader) digitsOf(cv *conv, v string) (string, bool) {
	n := cv.digits
	clean := len(v) >= n
	for i := 0; clean && i < n; i++ {
		clean = v[i] >= '0' && v[i] <= '9'
	}
	if clean {
		return v[:n], true
	}
	b := rd.hsBuf[:0]
	for i := 0; i < len(v) && len(b) < n; i++ {
		if v[i] >= '0' && v[i] <= '9' {
			b = append(b, v[i])
		}
	}
	rd.hsBuf = b
	if len(b) < n {
		if !cv.pad || len(b) == 0 {
			return "", false
		}
		pad := make([]byte, n-len(b), n)
		for i := range pad {
			pad[i] = '0'
		}
		return string(append(pad, b...)), true
	}
	return string(b), true
}

// textValue is text with the digits conversion applied.
func (rd *Reader) textValue(cv *conv, d *Decl) (string, bool, error) {
	v, ok := rd.text(cv)
	if !ok || cv.digits == 0 {
		return v, ok, nil
	}
	s, ok := rd.digitsOf(cv, v)
	if !ok {
		return "", false, rd.bad(d, cv, v, fmt.Sprintf("expected a code of at least %d digits", cv.digits))
	}
	return s, true, nil
}

// number returns the converted number of cv (false when missing).
func (rd *Reader) number(cv *conv, d *Decl) (float64, bool, error) {
	v, ok := rd.text(cv)
	if !ok {
		return 0, false, nil
	}
	x, err := parseFloat(v)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false, rd.bad(d, cv, v, "expected a number")
	}
	for _, o := range [2]int{cv.times, cv.per} {
		if o < 0 {
			continue
		}
		s := trimSpace(rd.rec[o])
		if s == "" {
			return 0, false, nil
		}
		y, err := parseFloat(s)
		if err != nil || math.IsNaN(y) || math.IsInf(y, 0) {
			return 0, false, &RowError{File: rd.file, Line: d.Line, Column: rd.headerOf(o), Value: strings.Clone(s), Reason: "expected a number"}
		}
		if o == cv.times {
			x *= y
		} else {
			if y == 0 {
				return 0, false, nil
			}
			x /= y
		}
	}
	return x * cv.scale, true, nil
}

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat is strconv.ParseFloat(v, 64) with a fast path for a plain
// decimal (digits, at most one point, an optional minus sign) of at most 15
// digits: the digits as an integer, exact in a float64, divided by an exact
// power of ten is the correctly rounded value, as strconv's own exact path
// computes it. Anything else goes to strconv.
func parseFloat(v string) (float64, error) {
	s := v
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 || len(s) > 16 {
		return strconv.ParseFloat(v, 64)
	}
	var mant uint64
	frac, digits, point := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.' && !point:
			point = true
		default:
			return strconv.ParseFloat(v, 64)
		}
	}
	if digits == 0 || digits > 15 {
		return strconv.ParseFloat(v, 64)
	}
	x := float64(mant) / pow10[frac]
	if neg {
		x = -x
	}
	return x, nil
}

func (rd *Reader) headerOf(i int) string { return rd.header[i] }

// boolValue reads a yes/no value (false, false when missing).
func (rd *Reader) boolValue(cv *conv, _ *Decl) (yes, ok bool, err error) {
	v, ok := rd.text(cv)
	if !ok {
		return false, false, nil
	}
	if cv.anyYes {
		return true, true, nil
	}
	for _, y := range cv.yes {
		if v == y {
			return true, true, nil
		}
	}
	return false, true, nil
}

// readCore fills the consignment's datamodel fields.
func (rd *Reader) readCore(d *Decl) error {
	c := &d.C
	for f := range rd.core {
		cv := &rd.core[f]
		if cv.idx < 0 || f == fID {
			continue
		}
		switch f {
		case fTrader:
			if v, ok := rd.text(cv); ok {
				c.Trader = traderIndex(v)
			}
		case fLodgement, fArrival:
			v, ok := rd.text(cv)
			if !ok {
				continue
			}
			tm, err := time.Parse(cv.layout, v)
			if err != nil {
				return rd.bad(d, cv, v, "expected a time like "+cv.layout)
			}
			x := tm.Sub(timeEpoch).Minutes()
			if f == fLodgement {
				c.Lodgement = x
			} else {
				c.Arrival = x
			}
		case fDate:
			v, ok := rd.text(cv)
			if !ok {
				continue
			}
			if v == string(rd.lastDate) && len(rd.lastDate) > 0 { // rows come in date order: most repeat the last
				d.Day = rd.lastDay
				continue
			}
			day, ok := parseDay(v, cv)
			if !ok {
				return rd.bad(d, cv, v, fmt.Sprintf("expected a date like %s", cv.layout))
			}
			d.Day = day
			rd.lastDate, rd.lastDay = append(rd.lastDate[:0], v...), day
		case fOrigin, fDispatch, fRouting:
			v, ok := rd.text(cv)
			if !ok {
				continue
			}
			if f == fRouting {
				// A list of countries of routing: the engine knows one hub,
				// the first.
				if i := strings.IndexByte(v, ';'); i >= 0 {
					v = strings.TrimSpace(v[:i])
				}
			}
			k, err := parseCountry(v)
			if err != nil {
				return rd.bad(d, cv, v, "expected an ISO 3166-1 alpha-2 country code (map national codes with codes, unknown ones to \"\")")
			}
			switch f {
			case fOrigin:
				c.Origin = k
			case fDispatch:
				c.Dispatch = k
			default:
				c.Hub = k
				c.Flags |= risk.FlagRouted
			}
		case fHS:
			v, ok, err := rd.textValue(cv, d)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			hs, ok := datamodel.ParseDigits(v)
			if !ok || len(v) > 9 { // as strconv.ParseUint(v, 10, 32) failing: an invalid chapter
				hs = 0
			}
			if !datamodel.HSChapterValid(hs / 10000) {
				return rd.bad(d, cv, v, "expected an HS code of a chapter in use (01-97 except 77)")
			}
			c.HS = uint32(hs)
		case fMode:
			v, ok := rd.text(cv)
			if !ok {
				continue
			}
			md, mok := parseModeName(v)
			if !mok {
				return rd.bad(d, cv, v, "expected a transport mode: sea, air, road, rail or postal (map national codes with codes)")
			}
			c.Mode = md
		case fWeight, fValue:
			x, ok, err := rd.number(cv, d)
			if err != nil {
				return err
			}
			if !ok {
				x = math.NaN()
			}
			if f == fWeight {
				c.GrossWeight = x
			} else {
				c.Value = x
			}
		case fAEO, fNew, fLate:
			yes, _, _ := rd.boolValue(cv, d)
			if !yes {
				continue
			}
			switch f {
			case fAEO:
				c.Flags |= risk.FlagAEO
			case fNew:
				c.Flags |= risk.FlagNew
			default:
				c.Lodgement, c.Arrival = 1, 0 // lodged after arrival
			}
		}
	}
	if rd.core[fWeight].idx >= 0 && rd.core[fValue].idx >= 0 {
		c.ValuePerKg = math.NaN()
		if c.GrossWeight > 0 {
			c.ValuePerKg = c.Value / c.GrossWeight
		}
	}
	return nil
}

// coreText returns the text form of a core field for field criteria and
// history keys: the converted value (ISO code, HS6, mode name).
func (rd *Reader) coreText(f int, d *Decl) (string, bool, error) {
	cv := &rd.core[f]
	if cv.idx < 0 {
		return "", false, nil
	}
	switch f {
	case fOrigin, fDispatch, fRouting, fMode, fTrader, fID:
		v, ok := rd.text(cv)
		return v, ok, nil
	}
	return rd.textValue(cv, d)
}

// fillSlot fills Extra slot i.
func (rd *Reader) fillSlot(i int, d *Decl) error {
	s := &rd.slots[i]
	if s.numeric {
		x := math.NaN()
		switch s.derived {
		case derivedNone:
			v, ok, err := rd.number(&s.conv, d)
			if err != nil {
				return err
			}
			if ok {
				x = v
			}
		case derivedVPK:
			x = d.C.ValuePerKg
		case fWeight:
			x = d.C.GrossWeight
		case fValue:
			x = d.C.Value
		}
		d.X.Num[i] = x
		return nil
	}
	var v string
	var ok bool
	var err error
	if s.derived == derivedNone {
		v, ok, err = rd.textValue(&s.conv, d)
	} else {
		v, ok, err = rd.coreText(s.derived, d)
	}
	if err != nil {
		return err
	}
	if !ok {
		d.X.Bits[i] = 0
		return nil
	}
	bits, hit := s.cache[v]
	if !hit {
		for j := range s.conds {
			if s.conds[j].Match(v) {
				bits |= 1 << uint(j)
			}
		}
		if len(s.cache) < maxCache {
			s.cache[strings.Clone(v)] = bits
		}
	}
	d.X.Bits[i] = bits
	return nil
}

// key returns the code of history key i on the current row (false when a
// part is missing: the row then has no history for that key; or when the
// history is frozen and has never seen the key).
func (rd *Reader) key(i int, d *Decl) (uint64, bool) {
	ids := rd.ids[:0]
	for j := range rd.keys[i].parts {
		p := &rd.keys[i].parts[j]
		ks := &rd.srcs[p.src]
		switch {
		case ks.row == rd.row:
		case p.fast == fastHS: // read and checked by readCore: 0 when missing
			ks.id, ks.ok, ks.row = d.C.HS/p.div, d.C.HS != 0, rd.row
		case p.fast == fastOrigin:
			ks.id, ks.ok, ks.row = uint32(d.C.Origin), d.C.Origin != datamodel.NoCountry, rd.row
		case p.fast == fastDispatch:
			ks.id, ks.ok, ks.row = uint32(d.C.Dispatch), d.C.Dispatch != datamodel.NoCountry, rd.row
		default:
			kv := &rd.vals[p.val]
			if kv.row != rd.row {
				if p.core >= 0 {
					kv.v, kv.ok, _ = rd.coreText(p.core, d)
				} else {
					kv.v, kv.ok, _ = rd.textValue(&p.conv, d)
				}
				kv.row = rd.row
			}
			ks.ok = kv.ok
			if kv.ok {
				v := kv.v
				if p.n > 0 && len(v) > p.n {
					v = v[:p.n]
				}
				ks.id, ks.ok = rd.hist.valueID(p.src, v)
			}
			ks.row = rd.row
		}
		if !ks.ok {
			rd.ids = ids
			return 0, false
		}
		ids = append(ids, ks.id)
	}
	rd.ids = ids
	return rd.hist.code(i, ids)
}

// parseDay reads a date as days since 1970-01-01.
func parseDay(v string, cv *conv) (int32, bool) {
	if cv.fastISO && len(v) == 10 && v[4] == '-' && v[7] == '-' {
		y, ok1 := datamodel.ParseDigits(v[0:4])
		m, ok2 := datamodel.ParseDigits(v[5:7])
		dd, ok3 := datamodel.ParseDigits(v[8:10])
		if ok1 && ok2 && ok3 && m >= 1 && m <= 12 && dd >= 1 && dd <= datamodel.DaysIn(y, m) {
			return int32(datamodel.DaysFromCivil(y, m, dd)), true
		}
		return 0, false
	}
	t, err := time.Parse(cv.layout, v)
	if err != nil {
		return 0, false
	}
	y, m, dd := t.Date()
	return int32(datamodel.DaysFromCivil(y, int(m), dd)), true
}

// DayString formats a day number as 2006-01-02.
func DayString(day int32) string {
	return time.Unix(int64(day)*86400, 0).UTC().Format("2006-01-02")
}

// timeEpoch is time 0 of Consignment.Arrival and Lodgement read from a
// file: a Monday at 00:00 UTC, so that the hour of day and day of week that
// expression rules see are right.
var timeEpoch = time.Date(1970, time.January, 5, 0, 0, 0, 0, time.UTC)

// traderIndex returns the simulator's trader index of an id that ends in
// "T" and the trader's rank (T000001, or BET000001 as pilotsim generate
// writes importer ids), so that trader criteria work on generated files; -1
// for any other id.
func traderIndex(v string) int32 {
	i := len(v)
	for i > 0 && v[i-1] >= '0' && v[i-1] <= '9' {
		i--
	}
	if i == 0 || v[i-1] != 'T' || len(v)-i < 6 || len(v)-i > 9 {
		return -1
	}
	n, _ := datamodel.ParseDigits(v[i:])
	if n < 1 {
		return -1
	}
	return int32(n - 1)
}

func parseCountry(v string) (datamodel.Country, error) { return datamodel.ParseCountry(v) }

func parseModeName(v string) (datamodel.Mode, bool) {
	m, err := datamodel.ParseMode(v)
	return m, err == nil
}
