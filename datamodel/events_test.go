package datamodel_test

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"pilotsim/datamodel"
)

func readEvents(t *testing.T, text string, m *datamodel.EventMapping) ([]datamodel.EventRecord, error) {
	t.Helper()
	er, err := datamodel.NewEventReader(strings.NewReader(text), m)
	if err != nil {
		return nil, err
	}
	var out []datamodel.EventRecord
	for {
		r, err := er.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, *r)
	}
}

func unix(s string) float64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return float64(t.UnixNano()) / 1e9
}

func TestEventReaderOwnLayout(t *testing.T) {
	text := "arrival,lodgement,channel,aeo,mode,office,document_start,document_end,release,outcome,duty\n" +
		"2025-03-14T09:30:00Z,2025-03-14T08:00:00+01:00,yellow,yes,SEA,\"Antwerp, quay 1\",2025-03-14T10:00:00Z,2025-03-14T11:00:00.5Z,2025-03-14 11:30:00,irregular,120.5\n" +
		"\n" +
		"2025-03-15T00:00:00Z,,green,no,air,\"multi\nline \"\"office\"\"\",,,2025-03-15T00:00:00Z,,\n"
	recs, err := readEvents(t, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	r := recs[0]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"arrival", r.Arrival, unix("2025-03-14T09:30:00Z")},
		{"lodgement (zone +01:00)", r.Lodgement, unix("2025-03-14T07:00:00Z")},
		{"document start", r.Start[datamodel.StepDocument], unix("2025-03-14T10:00:00Z")},
		{"document end (fraction)", r.End[datamodel.StepDocument], unix("2025-03-14T11:00:00.5Z")},
		{"release (space for T, no zone: UTC)", r.Release, unix("2025-03-14T11:30:00Z")},
		{"duty", r.Duty, 120.5},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.Channel != "yellow" || r.AEO != 1 || r.Mode != "sea" || r.Office != "Antwerp, quay 1" || r.Outcome != 1 {
		t.Errorf("record 1 text fields: %+v", r)
	}
	if !math.IsNaN(r.Start[datamodel.StepPhysical]) || !math.IsNaN(r.Assessed) {
		t.Errorf("absent columns must be NaN: physical start %v, assessed %v", r.Start[datamodel.StepPhysical], r.Assessed)
	}
	if r2 := recs[1]; r2.Office != "multi\nline \"office\"" || r2.AEO != 0 || !math.IsNaN(r2.Lodgement) || r2.Outcome != -1 {
		t.Errorf("record 2: office %q aeo %d lodgement %v outcome %d", r2.Office, r2.AEO, r2.Lodgement, r2.Outcome)
	}
}

func TestEventReaderErrors(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no arrival column", "release\n2025-01-01T00:00:00Z\n", "has no arrival column"},
		{"bad time names line and column", "arrival,release\n2025-01-01T00:00:00Z,2025-01-01T00:00:00Z\n2025-01-01T00:00:00Z,yesterday\n", `line 3, col 2: column release: "yesterday" is not a time`},
		{"bad channel", "arrival,channel\n2025-01-01T00:00:00Z,purple\n", `line 2, col 2: column channel: "purple" is not a channel`},
		{"missing arrival", "arrival,channel\n,red\n", "line 2, col 1: column arrival is missing"},
		{"short row", "arrival,channel,aeo\n2025-01-01T00:00:00Z\n", "line 2: has 1 fields (want 3 fields, one per header column"},
		// An unquoted comma in a value shifts the values after it: the row
		// is refused for its field count, not for a value in the wrong column.
		{"long row (unquoted delimiter)", "id,office,arrival\nA,Port, North,2025-01-01T00:00:00Z\n", "line 2: has 4 fields (want 3 fields"},
		{"unterminated quote", "arrival,office\n2025-01-01T00:00:00Z,\"open\n", "quoted field that never ends"},
		{"month 13", "arrival\n2025-13-01T00:00:00Z\n", "is not a time"},
		{"empty file", "", "the file is empty"},
		{"column named twice", "id,arrival,Arrival\nA,2025-01-01T00:00:00Z,2025-01-02T00:00:00Z\n", "line 1, col 3: column arrival is named more than once (cols 2, 3)"},
		{"repeated id", "id,arrival\nA,2025-01-01T00:00:00Z\nB,2025-01-01T00:00:00Z\nA,2025-01-02T00:00:00Z\n", `line 4, col 1: column id: "A" repeats the id on line 2`},
		{"repeated id in a sample", "sample,id,arrival\n1,A,2025-01-01T00:00:00Z\n2,A,2025-01-01T00:00:00Z\n1,A,2025-01-02T00:00:00Z\n", `line 4, col 2: column id: "A" repeats the id on line 2 (sample 1)`},
		{"line over the bound", "id,arrival\n" + long + ",2025-01-01T00:00:00Z\n", "line 2: a row longer than 1048576 bytes"},
		{"quoted field over the bound", "id,arrival\n\"" + strings.Repeat("y\n", 1<<19) + "\",2025-01-01T00:00:00Z\n", "line 2: a row longer than 1048576 bytes"},
		{"huge value cut in the message", "arrival,channel\n2025-01-01T00:00:00Z," + strings.Repeat("z", 500000) + "\n", `zzz… (500000 bytes)" is not a channel`},
		{"bad aeo", "arrival,aeo\n2025-01-01T00:00:00Z,maybe\n", `line 2, col 2: column aeo: "maybe" is not yes or no`},
		{"bad outcome", "arrival,outcome\n2025-01-01T00:00:00Z,perhaps\n", `line 2, col 2: column outcome: "perhaps" is not an outcome`},
		{"duty not finite", "arrival,duty\n2025-01-01T00:00:00Z,NaN\n", `line 2, col 2: column duty: "NaN" is not a number`},
		{"trace stage without its hours", "arrival_h,lane_at_h,release_h,stage1_pool,stage1_start_h\n1,1,2,physical,1\n", "column stage1_queue_h is not in the header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readEvents(t, tc.text, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if err != nil && len(err.Error()) > 1000 {
				t.Errorf("message of %d bytes: a value must be cut", len(err.Error()))
			}
		})
	}
}

// TestEventReaderAccepts: what a real extract holds and must be read: a
// byte-order mark, CRLF line ends, header names in another case and with
// spaces, empty ids (not checked for repeats), the same id in two samples.
func TestEventReaderAccepts(t *testing.T) {
	text := "\ufeff ID ;Arrival; Release\r\n;2025-01-01T00:00:00Z;2025-01-01T01:00:00Z\r\n;2025-01-01T00:00:00Z;\r\nX;2025-01-02T00:00:00Z;2025-01-02T03:00:00Z"
	recs, err := readEvents(t, text, &datamodel.EventMapping{Delimiter: ';'})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[2].Release-recs[2].Arrival != 3*3600 || !math.IsNaN(recs[1].Release) {
		t.Errorf("got %d records %+v", len(recs), recs)
	}
	if _, err := readEvents(t, "sample,id,arrival\n1,A,2025-01-01T00:00:00Z\n2,A,2025-01-01T00:00:00Z\n", nil); err != nil {
		t.Errorf("the same id in two samples: %v", err)
	}
}

func TestEventReaderMapping(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Brussels")
	m := &datamodel.EventMapping{
		Columns:   map[string]string{"arrival": "ATA", "release": "MAINLEVEE", "channel": "CIRCUIT"},
		Layout:    "02/01/2006 15:04",
		Location:  loc,
		Codes:     map[string]map[string]string{"channel": {"V": "green", "R": "red"}},
		Delimiter: ';',
	}
	recs, err := readEvents(t, "ATA;CIRCUIT;MAINLEVEE\n14/03/2025 09:30;R;14/03/2025 12:00\n", m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recs[0].Arrival, unix("2025-03-14T08:30:00Z"); got != want {
		t.Errorf("arrival in Brussels time: got %v, want %v", got, want)
	}
	if recs[0].Channel != "red" {
		t.Errorf("channel code R: got %q, want red", recs[0].Channel)
	}
	if _, err := readEvents(t, "ATA;X\n", m); err == nil || !strings.Contains(err.Error(), "CIRCUIT") {
		t.Errorf("a mapped column missing from the header: got %v", err)
	}
}

// TestEventReaderTrace reads the columns of a run --trace file: hours since
// the trace epoch, stages by pool name, the outcome column.
func TestEventReaderTrace(t *testing.T) {
	text := "ucr,transport_mode,place_of_discharge,aeo,rep,lane,reason,arrival_h,lodgement_h,lane_at_h,stages," +
		"stage1_pool,stage1_queue_h,stage1_start_h,stage1_end_h,stage2_pool,stage2_queue_h,stage2_start_h,stage2_end_h,release_h,duty_recovered,outcome\n" +
		"U1,sea,BEANR,no,3,red,random,1.5,-2,-1.9,2,nii,1.5,2,2.25,physical,2.25,4,6,6,250,found\n" +
		"U2,sea,BEANR,yes,3,green,score,2,1,1.1,0,,,,,,,,,2,0,released\n"
	recs, err := readEvents(t, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := float64(datamodel.TraceEpoch.Unix())
	r := recs[0]
	if r.Arrival != e+1.5*3600 || r.Lodgement != e-2*3600 || r.Start[datamodel.StepScan] != e+2*3600 ||
		r.End[datamodel.StepPhysical] != e+6*3600 || r.Release != e+6*3600 {
		t.Errorf("trace times: %+v", r)
	}
	if r.Channel != "red" || r.Selection != "random" || r.Sample != "3" || r.Outcome != 1 || r.Duty != 250 {
		t.Errorf("trace fields: %+v", r)
	}
	if recs[1].Outcome != -1 || !math.IsNaN(recs[1].Duty) {
		t.Errorf("an uncontrolled consignment has no outcome: %+v", recs[1])
	}
}

// TestEventRowRoundTrip writes records in pilotsim's own layout and reads
// them back.
func TestEventRowRoundTrip(t *testing.T) {
	nan := math.NaN()
	r := datamodel.EventRecord{ID: "A,1", Sample: "0", Mode: "sea", Office: "BEANR", AEO: 1, Channel: "red", Selection: "random",
		Arrival: 1.7e9, Lodgement: 1.7e9 - 3600.25, Assessed: 1.7e9 - 3000, Release: 1.7e9 + 7200, Outcome: 0, Duty: nan}
	for s := range r.Queue {
		r.Queue[s], r.Start[s], r.End[s] = nan, nan, nan
	}
	r.Start[datamodel.StepPhysical], r.End[datamodel.StepPhysical] = 1.7e9+60, 1.7e9+7200
	var b strings.Builder
	datamodel.WriteEventHeader(&b)
	b.Write(datamodel.AppendEventRow(nil, &r))
	er, err := datamodel.NewEventReader(strings.NewReader(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	er.KeepIDs = true
	got, err := er.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r.ID || got.Lodgement != r.Lodgement || got.Start[datamodel.StepPhysical] != r.Start[datamodel.StepPhysical] ||
		got.Channel != r.Channel || got.AEO != r.AEO || got.Outcome != r.Outcome || got.Selection != r.Selection {
		t.Errorf("round trip:\n got %+v\nwant %+v", *got, r)
	}
}

// FuzzEventReader: any input gives records or an error, never a panic, and
// an RFC 3339 time the fast path accepts is the time package's.
func FuzzEventReader(f *testing.F) {
	f.Add("arrival,release\n2025-01-01T00:00:00Z,2025-01-01T01:00:00+02:00\n")
	f.Add("arrival,office\n2025-02-29T00:00:00Z,\"a\"\"b\"\n")
	f.Add("arrival\n2024-02-29 23:59:59.999\n")
	f.Fuzz(func(t *testing.T, text string) {
		recs, err := readEvents(t, text, nil)
		if err != nil {
			return
		}
		for _, r := range recs {
			if math.IsNaN(r.Arrival) {
				t.Fatalf("a record without arrival was returned")
			}
		}
	})
}

func FuzzFastTime(f *testing.F) {
	f.Add("2025-03-14T09:30:00Z")
	f.Add("2025-03-14T09:30:00.123+05:45")
	f.Add("1999-12-31T23:59:59-12:00")
	f.Fuzz(func(t *testing.T, s string) {
		text := "arrival\n" + strings.ReplaceAll(strings.ReplaceAll(s, "\n", ""), "\r", "") + "\n"
		if strings.ContainsAny(s, ",\"") {
			return
		}
		recs, err := readEvents(t, text, nil)
		want, perr := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
		if err == nil && len(recs) == 1 && perr == nil && want.Year() >= 1900 {
			if d := math.Abs(recs[0].Arrival - (float64(want.Unix()) + float64(want.Nanosecond())/1e9)); d > 1e-5 {
				t.Fatalf("%q: got %v, time.Parse %v", s, recs[0].Arrival, want)
			}
		}
	})
}
