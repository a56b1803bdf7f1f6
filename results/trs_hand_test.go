package results

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"pilotsim/datamodel"
)

// studyOf reads event records (through the reader, as pilotsim trs does)
// into a study.
func studyOf(t *testing.T, text string, m *datamodel.EventMapping) *TRSResult {
	t.Helper()
	er, err := datamodel.NewEventReader(strings.NewReader(text), m)
	if err != nil {
		t.Fatal(err)
	}
	st := NewTRSStudy(TRSOptions{Seed: 1, Bootstrap: 1000})
	for {
		r, err := er.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		st.Add(r)
	}
	return st.Result()
}

func segCounts(res *TRSResult, kind, seg string) (TRSSegmentCounts, bool) {
	for _, s := range res.Segments {
		if s.Kind == kind && s.Segment == seg {
			return s, true
		}
	}
	return TRSSegmentCounts{}, false
}

// TestTRSHandComputed: five consignments written by hand, every figure
// computed by hand. Arrival → release: A1 1 h, A2 3 h, A3 5 h, A4 1 h,
// A5 10 h (sorted 1 1 3 5 10): mean 4, median 3, p90 8 (linear between
// order statistics: 5 + 0.6 × 5), p25 1, p75 5, sd √14. Two releases take
// exactly 1 h: within 1 h is 2 of 5. Red (A3, A5): median 7.5, p90 9.5.
// Physical waits (from ready, no queue column): A3 10:30 → 12:30 = 2 h,
// A5 09:10 → 13:00 = 3.8333 h.
func TestTRSHandComputed(t *testing.T) {
	text := `id,mode,office,aeo,channel,arrival,lodgement,assessed,document_start,document_end,physical_start,physical_end,release,outcome
A1,sea,PortA,yes,green,2025-03-03T08:00:00Z,2025-03-03T06:00:00Z,2025-03-03T06:10:00Z,,,,,2025-03-03T09:00:00Z,
A2,sea,PortA,no,yellow,2025-03-03T10:00:00Z,2025-03-03T11:00:00Z,2025-03-03T11:30:00Z,2025-03-03T12:00:00Z,2025-03-03T13:00:00Z,,,2025-03-03T13:00:00Z,regular
A3,air,PortB,no,red,2025-03-04T10:30:00Z,2025-03-04T09:00:00Z,2025-03-04T09:15:00Z,,,2025-03-04T12:30:00Z,2025-03-04T14:30:00Z,2025-03-04T15:30:00Z,irregular
A4,air,PortB,yes,green,2025-03-04T23:00:00Z,2025-03-04T22:00:00Z,2025-03-04T22:05:00Z,,,,,2025-03-05T00:00:00Z,
A5,sea,PortA,no,red,2025-03-05T08:00:00Z,2025-03-05T09:00:00Z,2025-03-05T09:10:00Z,,,2025-03-05T13:00:00Z,2025-03-05T17:00:00Z,2025-03-05T18:00:00Z,regular
`
	res := studyOf(t, text, nil)
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	all, _ := res.stat("all", "all", IvTotal)
	near("mean", all.Mean, 4)
	near("median", all.Median, 3)
	near("p90", all.P90, 8)
	near("p25", all.P25, 1)
	near("p75", all.P75, 5)
	near("IQR", all.IQR, 4)
	near("sd", all.SD, math.Sqrt(14))
	if !(all.MeanLow < all.Mean && all.Mean < all.MeanHigh) {
		t.Errorf("the mean's interval of 5 different values must have a width: [%v, %v]", all.MeanLow, all.MeanHigh)
	}
	red, _ := res.stat("channel", "red", IvTotal)
	near("red median", red.Median, 7.5)
	near("red p90", red.P90, 9.5)
	air, _ := res.stat("mode", "air", IvTotal)
	near("air median (1 h and 5 h)", air.Median, 3)
	pre, _ := res.stat("all", "all", IvPreArrival) // 2 h, 1.5 h, 1 h
	near("lodgement → arrival p90", pre.P90, 1.9)
	near("lodgement → arrival IQR", pre.IQR, 0.5)
	post, _ := res.stat("all", "all", IvPostLodge) // A2 and A5: 1 h each
	near("arrival → lodgement mean", post.Mean, 1)
	wait, _ := res.stat("all", "all", StepWait(datamodel.StepPhysical))
	near("physical wait mean", wait.Mean, (2+23.0/6)/2)
	near("physical wait median", wait.Median, (2+23.0/6)/2)
	clear, _ := res.stat("all", "all", IvClear) // 1, 1.5, 5, 1, 8.8333
	near("ready → release median", clear.Median, 1.5)
	near("ready → release mean", clear.Mean, (1+1.5+5+1+53.0/6)/5)

	c, _ := segCounts(res, "all", "all")
	near("within 1h", c.Within["1h"], 0.4)
	near("within 4h", c.Within["4h"], 0.6)
	g, _ := segCounts(res, "channel", "green")
	near("green within 1h", g.Within["1h"], 1)
	for _, w := range []struct{ kind, seg string }{{"weekday", "Mon"}, {"weekday", "Tue"}, {"hour", "08h"}, {"hour", "10h"}} {
		if c, ok := segCounts(res, w.kind, w.seg); !ok || c.Records != 2 {
			t.Errorf("%s %s: %d records, want 2", w.kind, w.seg, c.Records)
		}
	}
	if c, _ := segCounts(res, "hour", "23h"); c.Records != 1 {
		t.Errorf("23h: %d records, want 1", c.Records)
	}
}

// TestTRSLocalHours: hours and weekdays are local. Through a mapping's
// time zone (Europe/Paris: UTC+1 in winter, +2 from Sunday 30 March 2025
// 02:00), a record of Monday 31 March 10:00 is at 10h, and a release across
// the change counts real time (01:30 → 03:30 is 1 h). Without a mapping,
// the offset written with the arrival is the local time.
func TestTRSLocalHours(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	m := &datamodel.EventMapping{
		Columns:   map[string]string{"id": "NUM", "arrival": "ARR", "release": "BAE", "channel": "CIRCUIT"},
		Layout:    "02/01/2006 15:04",
		Location:  paris,
		Delimiter: ';',
		Codes:     map[string]map[string]string{"channel": {"V": "green", "O": "yellow", "R": "red"}},
	}
	text := "\ufeffNUM;ARR;BAE;CIRCUIT\r\n" +
		"D1;03/03/2025 08:00;03/03/2025 09:30;V\r\n" +
		"D2;03/03/2025 22:00;04/03/2025 12:00;R\r\n" +
		"D3;30/03/2025 01:30;30/03/2025 03:30;V\r\n" +
		"D4;31/03/2025 10:00;;O\r\n"
	res := studyOf(t, text, m)
	for _, w := range []struct {
		kind, seg string
		n         int64
	}{{"hour", "08h", 1}, {"hour", "22h", 1}, {"hour", "01h", 1}, {"hour", "10h", 1}, {"weekday", "Mon", 3}, {"weekday", "Sun", 1}} {
		if c, _ := segCounts(res, w.kind, w.seg); c.Records != w.n {
			t.Errorf("%s %s: %d records, want %d", w.kind, w.seg, c.Records, w.n)
		}
	}
	green, _ := res.stat("channel", "green", IvTotal)
	if green.Mean != 1.25 {
		t.Errorf("green mean: got %v, want 1.25 (1.5 h and 1 h across the change to summer time)", green.Mean)
	}
	y, _ := segCounts(res, "channel", "yellow")
	if y.Records != 1 || y.Within["48h"] != 0 {
		t.Errorf("yellow, never released: %d records, within 48h %v, want 1 and 0", y.Records, y.Within["48h"])
	}

	res = studyOf(t, "arrival,release\n2025-03-03T08:00:00+03:00,2025-03-03T09:00:00+03:00\n2025-03-03T23:30:00-05:00,2025-03-04T01:00:00-05:00\n", nil)
	for _, seg := range []string{"08h", "23h"} {
		if c, _ := segCounts(res, "hour", seg); c.Records != 1 {
			t.Errorf("hour %s from the written offset: %d records, want 1", seg, c.Records)
		}
	}
	if c, _ := segCounts(res, "weekday", "Mon"); c.Records != 2 {
		t.Errorf("Monday from the written offsets: %d records, want 2", c.Records)
	}
}

// TestTRSExactBound: a cell keeps its values exactly up to trsExact, then
// reads quantiles from the histogram, within a bin's width.
func TestTRSExactBound(t *testing.T) {
	for _, n := range []int{trsExact, trsExact + 1, 5000} {
		st := NewTRSStudy(TRSOptions{Seed: 1, Bootstrap: 100})
		t0 := float64(datamodel.TraceEpoch.Unix())
		for i := 1; i <= n; i++ {
			r := blankRecord()
			r.Arrival, r.Release = t0, t0+float64(i)*60
			st.Add(&r)
		}
		res := st.Result()
		all, _ := res.stat("all", "all", IvTotal)
		want := (1 + 0.9*float64(n-1)) / 60 // type 7 of 1..n minutes
		tol := 1e-9
		if n > trsExact {
			tol = want / 64
		}
		if math.Abs(all.P90-want) > tol {
			t.Errorf("n=%d: p90 %v, want %v ± %v", n, all.P90, want, tol)
		}
		if !(all.P90Low <= all.P90 && all.P90 <= all.P90High) || !(all.MedianLow < all.MedianHigh) {
			t.Errorf("n=%d: intervals p90 [%v, %v] median [%v, %v]", n, all.P90Low, all.P90High, all.MedianLow, all.MedianHigh)
		}
	}
}
