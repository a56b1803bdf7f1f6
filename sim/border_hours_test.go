package sim

import (
	"math"
	"strings"
	"testing"

	"pilotsim/scenarios"
)

const (
	borderTestMon = 0 * borderMinutesPerDay
	borderTestTue = 1 * borderMinutesPerDay
	borderTestFri = 4 * borderMinutesPerDay
	borderTestSat = 5 * borderMinutesPerDay
	borderTestSun = 6 * borderMinutesPerDay
	borderTestH   = 60.0
)

func TestBorderHoursTable(t *testing.T) {
	weekdays := &scenarios.Hours{Open: 8 * 60, Close: 18 * 60, Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	night := &scenarios.Hours{Open: 22 * 60, Close: 6 * 60, Days: []string{"sun"}}
	for _, tc := range []struct {
		name     string
		hours    *scenarios.Hours
		open     []float64 // instants at which a service may start
		closed   []float64 // instants at which it may not
		next     [][2]float64
		weekOpen float64 // open minutes in the first week
	}{
		{"nil is always open", nil, []float64{0, 1e6}, nil, [][2]float64{{123.5, 123.5}}, borderMinutesPerWeek},
		{"24h every day is always open", &scenarios.Hours{Open: 0, Close: 24 * 60}, []float64{0, 5000}, nil, nil, borderMinutesPerWeek},
		{
			"weekdays 08-18", weekdays,
			[]float64{borderTestMon + 8*borderTestH, borderTestFri + 18*borderTestH - 0.001, borderMinutesPerWeek + 9*borderTestH},
			[]float64{borderTestMon + 8*borderTestH - 0.001, borderTestMon + 18*borderTestH, borderTestSat + 12*borderTestH, borderTestSun + 9*borderTestH},
			[][2]float64{
				{0, 8 * borderTestH},
				{borderTestMon + 18*borderTestH, borderTestTue + 8*borderTestH},        // after closing: next morning
				{borderTestFri + 20*borderTestH, borderMinutesPerWeek + 8*borderTestH}, // Friday evening: Monday
				{borderTestTue + 10*borderTestH, borderTestTue + 10*borderTestH},       // open: now
				{3*borderMinutesPerWeek + 1, 3*borderMinutesPerWeek + 8*borderTestH},   // later weeks
				{-borderMinutesPerWeek + borderTestSat, 8 * borderTestH},               // negative times work too
			},
			5 * 10 * borderTestH,
		},
		{
			"night shift Sunday 22-06 crosses the week's end", night,
			[]float64{borderTestSun + 23*borderTestH, 5 * borderTestH, borderMinutesPerWeek + 1},
			[]float64{6 * borderTestH, borderTestSun + 21*borderTestH, borderTestTue},
			[][2]float64{{6 * borderTestH, borderTestSun + 22*borderTestH}, {borderMinutesPerWeek - 1, borderMinutesPerWeek - 1}},
			8 * borderTestH,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := compileBorderHours(tc.hours)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range tc.open {
				if !h.isOpen(x) {
					t.Errorf("isOpen(%v) = false, want true", x)
				}
			}
			for _, x := range tc.closed {
				if h.isOpen(x) {
					t.Errorf("isOpen(%v) = true, want false", x)
				}
			}
			for _, n := range tc.next {
				if got := h.nextOpen(n[0]); got != n[1] {
					t.Errorf("nextOpen(%v) = %v, want %v", n[0], got, n[1])
				}
				if !h.isOpen(n[1]) {
					t.Errorf("not open at nextOpen(%v) = %v", n[0], n[1])
				}
			}
			if got := h.openTime(0, borderMinutesPerWeek); got != tc.weekOpen {
				t.Errorf("openTime(first week) = %v, want %v", got, tc.weekOpen)
			}
			if got := h.openTime(1000*borderMinutesPerWeek, 1e6*borderMinutesPerWeek); got != (1e6-1000)*tc.weekOpen {
				t.Errorf("openTime(a million weeks) = %v, want %v", got, (1e6-1000)*tc.weekOpen)
			}
			if got := h.openTime(borderMinutesPerWeek/2, 3.5*borderMinutesPerWeek); got != 3*tc.weekOpen {
				t.Errorf("openTime(three weeks from mid-week) = %v, want %v", got, 3*tc.weekOpen)
			}
		})
	}
}

func TestBorderHoursErrors(t *testing.T) {
	for _, tc := range []struct {
		h    scenarios.Hours
		want string
	}{
		{scenarios.Hours{Open: 8 * 60, Close: 18 * 60, Days: []string{"monday"}}, `hours.days[0]: unknown day "monday"`},
		{scenarios.Hours{Open: 24 * 60, Close: 18 * 60}, "hours.open must be a time of day in [0h, 24h), got 1440 minutes"},
		{scenarios.Hours{Open: -1, Close: 18 * 60}, "hours.open must be a time of day in [0h, 24h), got -1 minutes"},
		{scenarios.Hours{Open: 8 * 60, Close: 25 * 60}, "hours.close must be a time of day in [0h, 24h], got 1500 minutes"},
		{scenarios.Hours{Open: 8 * 60, Close: 8 * 60}, "hours.close equals hours.open (480 minutes), which is ambiguous"},
		{scenarios.Hours{Open: 0, Close: 0}, "hours.close equals hours.open (0 minutes), which is ambiguous"},
	} {
		_, err := compileBorderHours(&tc.h)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("compileBorderHours(%+v): got error %v, want %q", tc.h, err, tc.want)
		}
	}
}

// borderTraceRecorder is a TraceSink keeping what it receives.
type borderTraceRecorder struct {
	cs  []Consignment
	ms  []Milestones
	err error
}

func (r *borderTraceRecorder) Consignment(c *Consignment, ms *Milestones) error {
	r.cs = append(r.cs, *c)
	r.ms = append(r.ms, *ms)
	return r.err
}

func (r *borderTraceRecorder) Close() error { return nil }

// byArrival returns the milestones of the consignment with sequence number seq.
func (r *borderTraceRecorder) bySeq(t *testing.T, seq uint64) Milestones {
	t.Helper()
	for i := range r.cs {
		if r.cs[i].Seq == seq {
			return r.ms[i]
		}
	}
	t.Fatalf("consignment %d not traced", seq)
	return Milestones{}
}

// checkOneStage wants consignment seq traced with one control that started
// at start and released at release (called deferred, after the border ran).
func (r *borderTraceRecorder) checkOneStage(t *testing.T, seq uint64, why string, start, release float64) {
	t.Helper()
	ms := r.bySeq(t, seq)
	if ms.Start[0] != start || ms.Release != release || ms.Stages != 1 {
		t.Errorf("#%d %s: start %v release %v (stages %d), want %v and %v",
			seq, why, ms.Start[0], ms.Release, ms.Stages, start, release)
	}
}

// TestBorderOpeningHours follows a one-officer document check open 08:00-18:00
// on weekdays, with one-hour checks, through a hand-computed schedule.
func TestBorderOpeningHours(t *testing.T) {
	pool := borderTestConstPool("document", 1, 60)
	pool.Hours = &scenarios.Hours{Open: 8 * 60, Close: 18 * 60, Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	sc := borderTestScenario(2*borderMinutesPerWeek, 0, pool)
	cfg := borderTestCompile(t, sc)
	b := newBorder(cfg)
	var rec borderTraceRecorder
	b.reset(0, &rec)
	H := borderTestH
	for i, a := range []struct {
		arrival, laneAt float64
		why             string
		start, release  float64
	}{
		{borderTestMon + 7*H, 0, "before opening: waits to 08:00", borderTestMon + 8*H, borderTestMon + 9*H},
		{borderTestMon + 17.5*H, 0, "starts before closing, finishes in overtime", borderTestMon + 17.5*H, borderTestMon + 18.5*H},
		{borderTestMon + 17.75*H, 0, "queued; closed when the officer is free: Tuesday 08:00", borderTestTue + 8*H, borderTestTue + 9*H},
		{borderTestTue + 9*H, borderTestTue + 12*H, "lodged late: control starts when the lane is assigned", borderTestTue + 12*H, borderTestTue + 13*H},
		{borderTestTue + 13*H, borderTestTue + 1*H, "advance information does not start before arrival", borderTestTue + 13*H, borderTestTue + 14*H},
		{borderTestFri + 20*H, 0, "Friday evening: Monday 08:00", borderMinutesPerWeek + 8*H, borderMinutesPerWeek + 9*H},
		{borderTestSat + 10*H, 0, "Saturday: behind Friday's", borderMinutesPerWeek + 9*H, borderMinutesPerWeek + 10*H},
	} {
		c := Consignment{Seq: uint64(i), Arrival: a.arrival, Lodgement: a.laneAt, LaneAt: a.laneAt, Lane: Yellow, Threat: NoThreat}
		b.add(&c)
		defer rec.checkOneStage(t, uint64(i), a.why, a.start, a.release)
	}
	b.finish()
	// Waits: 60 + 0 + 855 + 0 + 0 + 3600 + 2820 minutes over 7 checks.
	if got, want := borderMetric(t, b, "pool.document.mean_wait"), (60+855+3600+2820)/7.0/60; math.Abs(got-want) > 1e-12 {
		t.Errorf("mean wait %v h, want %v h", got, want)
	}
	// 7 busy hours, half an hour of it after closing (Monday 18:00-18:30), out
	// of 2 weeks × 5 days × 10 h open plus that overtime.
	if got, want := borderMetric(t, b, "pool.document.utilization"), 7.0/100.5; math.Abs(got-want) > 1e-12 {
		t.Errorf("utilization %v, want %v", got, want)
	}
	if got, want := borderMetric(t, b, "pool.document.overtime_per_day"), 0.5/14; math.Abs(got-want) > 1e-12 {
		t.Errorf("overtime %v h a day, want %v", got, want)
	}
	// Time-average queue: the same waits, all spent in the queue, over two weeks.
	if got, want := borderMetric(t, b, "pool.document.mean_queue"), (60+855+3600+2820)/(2.0*borderMinutesPerWeek); math.Abs(got-want) > 1e-12 {
		t.Errorf("mean queue %v, want %v", got, want)
	}
	// Friday's and Saturday's wait together over the weekend.
	if got := borderMetric(t, b, "pool.document.max_queue"); got != 2 {
		t.Errorf("max queue %v, want 2", got)
	}
}

// TestBorderNightShift follows a one-officer physical examination on night
// shifts (22:00-06:00 starting Monday and Tuesday, so open Monday 22:00 to
// Tuesday 06:00 and Tuesday 22:00 to Wednesday 06:00), with one-hour
// examinations, through a hand-computed schedule over two weeks.
func TestBorderNightShift(t *testing.T) {
	pool := borderTestConstPool("physical", 1, 60)
	pool.Hours = &scenarios.Hours{Open: 22 * 60, Close: 6 * 60, Days: []string{"mon", "tue"}}
	sc := borderTestScenario(2*borderMinutesPerWeek, 0, pool)
	b := newBorder(borderTestCompile(t, sc))
	var rec borderTraceRecorder
	b.reset(0, &rec)
	H := borderTestH
	const wed = 2 * borderMinutesPerDay
	for i, a := range []struct {
		arrival        float64
		why            string
		start, release float64
	}{
		{borderTestMon + 12*H, "Monday noon: waits for the night shift at 22:00", borderTestMon + 22*H, borderTestMon + 23*H},
		{borderTestMon + 23.5*H, "just before midnight: served across midnight", borderTestMon + 23.5*H, borderTestTue + 0.5*H},
		{borderTestTue + 5.5*H, "before 06:00: finishes in overtime", borderTestTue + 5.5*H, borderTestTue + 6.5*H},
		{borderTestTue + 5.75*H, "queued; closed when the officer is free: Tuesday 22:00", borderTestTue + 22*H, borderTestTue + 23*H},
		{wed + 3*H, "Wednesday 03:00: Tuesday's shift is still open", wed + 3*H, wed + 4*H},
		{wed + 10*H, "Wednesday day: no shift starts until Monday 22:00", borderMinutesPerWeek + 22*H, borderMinutesPerWeek + 23*H},
	} {
		c := Consignment{Seq: uint64(i), Arrival: a.arrival, Lodgement: a.arrival, LaneAt: a.arrival, Lane: Red, Threat: NoThreat}
		b.add(&c)
		defer rec.checkOneStage(t, uint64(i), a.why, a.start, a.release)
	}
	b.finish()
	// Waits: 10 h + 0 + 0 + 16.25 h + 0 + (Wednesday 10:00 to next Monday 22:00 = 132 h).
	if got, want := borderMetric(t, b, "pool.physical.mean_wait"), (10+16.25+132)/6.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("mean wait %v h, want %v h", got, want)
	}
	// 6 busy hours (half an hour of it overtime) out of 2 weeks × 2 shifts × 8 h
	// open plus that overtime.
	if got, want := borderMetric(t, b, "pool.physical.utilization"), 6.0/32.5; math.Abs(got-want) > 1e-12 {
		t.Errorf("utilization %v, want %v", got, want)
	}
}
