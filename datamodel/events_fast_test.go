package datamodel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The fast paths of the event reader, each against the plain way it
// replaces.

// FuzzSplitRow: splitting eight bytes at a time gives bytes.Split's fields.
func FuzzSplitRow(f *testing.F) {
	f.Add([]byte("a,b,,c"), byte(','))
	f.Add([]byte(",,,,,,,,,,,,,,,,,"), byte(','))
	f.Add([]byte("C1,,road,BEANR,no,green,,2025-01-06T00:00:04Z,2025-01-06T04:48:29Z"), byte(','))
	f.Add([]byte("\x80;\x81;;\x00\x01;"), byte(';'))
	f.Fuzz(func(t *testing.T, line []byte, delim byte) {
		got := splitRow(nil, line, delim)
		want := bytes.Split(line, []byte{delim})
		if len(got) != len(want) {
			t.Fatalf("%q split at %q: %d fields, want %d", line, delim, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q split at %q: field %d is %q, want %q", line, delim, i, got[i], want[i])
			}
		}
	})
}

// FuzzTrimSpace: trimSpace is bytes.TrimSpace.
func FuzzTrimSpace(f *testing.F) {
	for _, s := range []string{"", " a ", "a", "\u00a0x\u00a0", "x\u2003", "\x85a", "\ta\r", "\xc2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if got, want := trimSpace(v), bytes.TrimSpace(v); !bytes.Equal(got, want) {
			t.Fatalf("trimSpace(%q) = %q, want %q", v, got, want)
		}
	})
}

// timeOf reads s with a reader of location loc, as the event reader reads
// a time column (fast path, else the time package).
func timeOf(er *EventReader, s string) (float64, bool) {
	return er.parseTime([]byte(s))
}

func newTimeReader(t testing.TB, loc *time.Location, layout string) *EventReader {
	t.Helper()
	er, err := NewEventReader(strings.NewReader("arrival\n"), &EventMapping{Location: loc, Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	return er
}

// wantTime is what the time package reads: RFC 3339 (with a space for the
// T, or no zone: then in loc).
func wantTime(s string, loc *time.Location) (float64, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
			if t, err = time.ParseInLocation(layout, s, loc); err == nil {
				break
			}
		}
	}
	if err != nil {
		return 0, false
	}
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9, true
}

// TestFastTime: times the fast path reads, each as the time package reads
// it, one after another through one reader (its date and zone caches),
// in UTC and in a zone with daylight saving (the skipped and the repeated
// hour of its changes of the clocks included).
func TestFastTime(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	times := []string{
		"2025-03-14T09:30:00Z",
		"2025-03-14T09:31:00Z",                // same date: cached day
		"2025-03-14T23:59:59+01:00",           // an offset
		"2025-03-15 00:00:00Z",                // a space for the T, the next day
		"2025-03-15T00:00:00.25Z",             // a fraction
		"2025-03-15T00:00:00.123456789-03:30", // nine digits, a negative offset
		"2024-02-29T12:00:00Z",                // a leap day
		"2000-02-29T12:00:00Z",                // a leap century
		"1969-12-31T23:59:59Z",                // before 1970
		"2025-03-30T01:59:59",                 // Brussels: before the clocks go forward
		"2025-03-30T02:30:00",                 // the hour that does not exist
		"2025-03-30T03:00:00",
		"2025-10-26T02:30:00", // the hour that happens twice
		"2025-10-26T03:30:00",
		"2025-07-01 12:00:00",
		"2025-07-01T12:00:00Z", // a zone written: not the location's
	}
	for _, loc := range []*time.Location{time.UTC, brussels} {
		er := newTimeReader(t, loc, "")
		for _, s := range times {
			got, ok := timeOf(er, s)
			want, wok := wantTime(s, loc)
			if ok != wok || math.Abs(got-want) > 1e-6 {
				t.Errorf("%s in %s: got %v %v, want %v %v", s, loc, got, ok, want, wok)
			}
		}
	}
}

// TestFastTimeRefuses: what the fast path must not take (the time package
// then decides, and refuses these too).
func TestFastTimeRefuses(t *testing.T) {
	er := newTimeReader(t, time.UTC, "")
	for _, s := range []string{
		"2025-02-29T00:00:00Z", // not a leap year
		"2025-04-31T00:00:00Z",
		"2025-13-01T00:00:00Z",
		"2025-01-01T24:00:00Z",
		"2025-01-01T00:60:00Z",
		"2025-01-01T00:00:60Z",
		"2025-01-01T00:00:00.Z",
		"2025-01-01T00:00:00+1:00",
		"2025-01-01T0a:00:00Z",
		"2025-1-01T00:00:00Z",
		"2025-01-01",
	} {
		if _, _, ok := er.fastRFC3339([]byte(s)); ok {
			t.Errorf("%s: the fast path took it", s)
		}
		if v, ok := timeOf(er, s); ok {
			t.Errorf("%s: read as %v, want an error", s, v)
		}
	}
}

// FuzzFastTimeCached: a sequence of two times through one reader (the
// second may share the first's date) gives the time package's values, in
// UTC and in a zone with daylight saving.
func FuzzFastTimeCached(f *testing.F) {
	f.Add("2025-03-14T09:30:00Z", "2025-03-14T10:30:00.5+02:00", false)
	f.Add("2025-03-30T02:30:00", "2025-03-30T02:30:00", true)
	f.Add("2025-10-26 02:30:00", "2025-10-26T01:30:00", true)
	f.Add("2024-02-29T23:59:59-12:00", "2024-02-29T00:00:00Z", false)
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		f.Skip("no time zone database:", err)
	}
	f.Fuzz(func(t *testing.T, a, b string, zone bool) {
		loc := time.UTC
		if zone {
			loc = brussels
		}
		er := newTimeReader(t, loc, "")
		for _, s := range []string{a, b} {
			got, _, ok := er.fastRFC3339([]byte(s))
			if !ok {
				continue
			}
			want, wok := wantTime(s, loc)
			if !wok {
				t.Fatalf("%q in %s: the fast path read %v, the time package refuses it", s, loc, got)
			}
			// The fast path adds the fraction digit by digit: within a
			// microsecond of the time package's.
			if math.Abs(got-want) > 1e-6 {
				t.Fatalf("%q in %s: got %v, want %v", s, loc, got, want)
			}
		}
	})
}

// TestIDSetModel checks the id set against a map: random fingerprints,
// some repeated, past the bound of remembered ids (after which an id is
// still looked up but no longer remembered).
func TestIDSetModel(t *testing.T) {
	n := maxIDSlots*3/4 + 50000
	if testing.Short() {
		n = 20000
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var s idSet
	model := map[uint64]uint32{}
	var fps []uint64
	full := false
	var extra int64
	for line := 2; line < n; line++ {
		fp := rng.Uint64() | 1
		if len(fps) > 0 && rng.IntN(20) == 0 {
			fp = fps[rng.IntN(len(fps))] // a repeat
		}
		fps = append(fps, fp)
		gotLine, got := s.seen(fp, uint32(line))
		wantLine, want := model[fp]
		if got != want || gotLine != wantLine {
			t.Fatalf("line %d: seen %v (line %d), want %v (line %d)", line, got, gotLine, want, wantLine)
		}
		if !want {
			if full {
				extra++
			} else {
				model[fp] = uint32(line)
				full = len(model) > maxIDSlots*3/4
			}
		}
	}
	if s.extra != extra {
		t.Errorf("ids not remembered: %d, want %d", s.extra, extra)
	}
	if n > maxIDSlots && extra == 0 {
		t.Errorf("the test did not reach the bound of %d ids", maxIDSlots*3/4)
	}
}

// TestReadAheadOrder: rows parsed ahead in batches come back as if read
// one by one — bad rows and repeated ids (within a batch, across batches,
// at a batch's edges) in the order of the file, with their lines, and
// Line() the line of each.
func TestReadAheadOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,arrival,channel\n")
	type want struct {
		line int
		err  string // "" for a record
	}
	var wants []want
	first := map[string]int{} // id: the line of its first good row
	line := 1
	row := func(id, ch string) {
		line++
		fmt.Fprintf(&b, "%s,2025-01-01T00:00:%02dZ,%s\n", id, line%60, ch)
		switch l, ok := first[id]; {
		case ch == "purple":
			wants = append(wants, want{line, `"purple" is not a channel`})
		case ok && id != "":
			wants = append(wants, want{line, fmt.Sprintf(`%q repeats the id on line %d`, id, l)})
		default:
			if id != "" {
				first[id] = line
			}
			wants = append(wants, want{line, ""})
		}
	}
	for i := range 300 {
		switch {
		case i == 10 || i == 63 || i == 64 || i == 200 || i == 255:
			row(fmt.Sprint("A", i-5), "green") // repeats: in a batch, at its edges, across batches
		case i == 65:
			row("A65", "purple") // a bad row: its id is not remembered
		case i == 66:
			row("A65", "green")
		case i == 127:
			row("A0", "purple") // a bad value and a repeated id: the bad value is reported
		case i == 128:
			line++
			b.WriteString("\n") // a blank line
			row("", "red")      // no id: not checked
		case i == 129:
			row("", "red")
		default:
			row(fmt.Sprint("A", i), "green")
		}
	}
	er, err := NewEventReader(strings.NewReader(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wants {
		r, err := er.Next()
		switch {
		case w.err == "" && err != nil:
			t.Fatalf("line %d: %v, want a record", w.line, err)
		case w.err != "" && (err == nil || !strings.Contains(err.Error(), w.err)):
			t.Fatalf("line %d: got %v, want an error with %q", w.line, err, w.err)
		case err == nil && r == nil:
			t.Fatalf("line %d: no record", w.line)
		}
		if er.Line() != w.line {
			t.Fatalf("Line() = %d, want %d", er.Line(), w.line)
		}
		if err != nil && !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d,", w.line)) {
			t.Fatalf("error %v: want it on line %d", err, w.line)
		}
	}
	if _, err := er.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last row: %v, want io.EOF", err)
	}
}

// TestCompileLayout: which layouts are compiled, and which are left to
// the time package.
func TestCompileLayout(t *testing.T) {
	for _, c := range []struct {
		layout string
		steps  int // 0: not compiled
	}{
		{"2006-01-02 15:04:05", 11},
		{"02/01/2006 15:04", 9},
		{"2006-01-02T15:04:05", 11},
		{"01.02.2006 15:04", 9}, // dots before digits: separators, not a fraction
		{"20060102150405", 6},
		{"2006-01-02", 0},                // no clock
		{"2006-01-02 15:04:05.000", 0},   // a fraction
		{"2006-01-02 15:04:05Z07:00", 0}, // a zone
		{"2006-01-02 15:04:05 -0700", 0},
		{"2 Jan 2006 15:04", 0},          // a month name, an unpadded day
		{"02/01/2006 03:04 PM", 0},       // 12-hour clock
		{"2006-002 15:04", 0},            // day of the year
		{"02/01/06 15:04", 0},            // two-digit year
		{"2006-01-02  15:04", 0},         // two spaces
		{"2006-01-02 15:04:05 15:04", 0}, // hour twice
		{"2006-01-02_15:04", 0},
		{"200601021505,04", 0}, // seconds, a comma, a number: read as a fraction
	} {
		if got := len(compileLayout(c.layout)); got != c.steps {
			t.Errorf("%q: %d steps, want %d", c.layout, got, c.steps)
		}
	}
}

// layoutCases are layouts and values for the layout fast path: each value
// must read as time.ParseInLocation reads it (or be refused by both).
var layoutCases = []struct{ layout, value string }{
	{"02/01/2006 15:04", "14/03/2025 09:30"},
	{"02/01/2006 15:04", "29/02/2024 23:59"},
	{"02/01/2006 15:04", "29/02/2025 23:59"}, // not a leap year
	{"02/01/2006 15:04", "31/04/2025 10:00"},
	{"02/01/2006 15:04", "14/13/2025 09:30"},
	{"02/01/2006 15:04", "14/03/2025 24:00"},
	{"02/01/2006 15:04", "14/03/2025 9:30"},   // one-digit hour: the time package's
	{"02/01/2006 15:04", "14/03/2025  09:30"}, // two spaces: the time package's
	{"02/01/2006 15:04", "14/03/2025 09:30 "},
	{"02/01/2006 15:04", "30/03/2025 02:30"}, // Brussels: skipped hour
	{"02/01/2006 15:04", "26/10/2025 02:30"}, // Brussels: repeated hour
	{"2006-01-02 15:04:05", "2025-03-14 09:30:45"},
	{"2006-01-02 15:04:05", "2025-03-14 09:30:45.25"}, // a fraction the layout does not name
	{"2006-01-02 15:04:05", "2025-03-14 09:30:60"},
	{"2006-01-02 15:04:05", "0000-01-01 00:00:00"},
	{"2006-01-02 15:04:05", "1969-12-31 23:59:59"},
	{"2006-01-02 15:04:05", "+025-03-14 09:30:45"},
	{"20060102150405", "20250314093045"},
	{"20060102150405", "2025031409304"},
	{"01.02.2006 15:04", "03.14.2025 09:30"},
}

// TestLayoutTime: the layout fast path against time.ParseInLocation, in
// UTC and in Europe/Brussels.
func TestLayoutTime(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	for _, loc := range []*time.Location{time.UTC, brussels} {
		for _, c := range layoutCases {
			checkLayoutTime(t, loc, c.layout, c.value)
		}
	}
}

// checkLayoutTime reads value by layout in loc with a reader's parseTime
// and with the time package, and fails when they differ.
func checkLayoutTime(t *testing.T, loc *time.Location, layout, value string) {
	t.Helper()
	er := newTimeReader(t, loc, layout)
	if er.steps == nil && compileLayout(layout) != nil {
		t.Fatalf("%q: the compiled layout failed its own check", layout)
	}
	got, ok := timeOf(er, value)
	want, err := time.ParseInLocation(layout, value, loc)
	switch {
	case ok != (err == nil):
		t.Errorf("%q by %q in %s: read %v (%v), the time package: %v", value, layout, loc, got, ok, err)
	case ok && got != float64(want.Unix())+float64(want.Nanosecond())/1e9:
		t.Errorf("%q by %q in %s: got %v, want %v", value, layout, loc, got, want)
	case ok:
		if _, off := want.Zone(); er.lastOff != int32(off) {
			t.Errorf("%q by %q in %s: offset %d, want %d", value, layout, loc, er.lastOff, off)
		}
	}
}

// FuzzLayoutTime: any value, by a compiled layout, reads as the time
// package reads it.
func FuzzLayoutTime(f *testing.F) {
	for _, c := range layoutCases {
		f.Add(c.layout, c.value, false)
	}
	f.Add("02/01/2006 15:04", "26/10/2025 02:30", true)
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		f.Skip("no time zone database:", err)
	}
	f.Fuzz(func(t *testing.T, layout, value string, zone bool) {
		if compileLayout(layout) == nil {
			return
		}
		loc := time.UTC
		if zone {
			loc = brussels
		}
		checkLayoutTime(t, loc, layout, value)
	})
}

// TestEventReaderNoAllocs: reading a record allocates nothing, in
// pilotsim's own layout and through a mapping with codes, a compiled time
// layout and a time zone (the hot path of pilotsim trs).
func TestEventReaderNoAllocs(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	var own, national strings.Builder
	own.WriteString("id,mode,office,aeo,channel,arrival,lodgement,release\n")
	national.WriteString("DECL;MODE;BUREAU;AEO;CIRCUIT;ARR;DEP;REL\n")
	for i := range 3000 {
		d := 1 + i/1440
		h, m := i/60%24, i%60
		fmt.Fprintf(&own, "C%d,Sea,BEANR,no,green,2025-01-%02dT%02d:%02d:00Z,2025-01-%02dT%02d:%02d:00+01:00,2025-01-%02dT%02d:%02d:30Z\n", i, d, h, m, d, h, m, d, h, m)
		fmt.Fprintf(&national, "C%d;SEA;BEANR;N;V;%02d/01/2025 %02d:%02d;%02d/01/2025 %02d:%02d;%02d/01/2025 %02d:%02d\n", i, d, h, m, d, h, m, d, h, m)
	}
	mapping := &EventMapping{
		Columns:   map[string]string{"id": "DECL", "mode": "MODE", "office": "BUREAU", "aeo": "AEO", "channel": "CIRCUIT", "arrival": "ARR", "lodgement": "DEP", "release": "REL"},
		Layout:    "02/01/2006 15:04",
		Location:  brussels,
		Codes:     map[string]map[string]string{"channel": {"V": "green", "R": "red"}, "aeo": {"N": "no", "O": "yes"}},
		Delimiter: ';',
	}
	for _, c := range []struct {
		name string
		text string
		m    *EventMapping
	}{{"own layout", own.String(), nil}, {"national layout", national.String(), mapping}} {
		er, err := NewEventReader(strings.NewReader(c.text), c.m)
		if err != nil {
			t.Fatal(err)
		}
		if er.steps == nil && c.m != nil {
			t.Fatalf("%s: the layout was not compiled", c.name)
		}
		allocs := testing.AllocsPerRun(2000, func() {
			if _, err := er.Next(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations a record, want 0", c.name, allocs)
		}
	}
}
