package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/metric"
	"pilotsim/scenarios"
)

// binLabel names hour-of-week bin s for messages: "tue 09h".
func binLabel(s int) string {
	h := s % 24
	return metric.Weekdays[s/24] + " " + string([]byte{byte('0' + h/10), byte('0' + h%10)}) + "h"
}

// borderBinTime splits a window of time into hour-of-week bins: whole weeks
// give each bin an hour, the rest goes hour by hour.
func TestBorderBinTime(t *testing.T) {
	const week = HoursPerWeek * 60
	tests := []struct {
		name   string
		lo, hi float64
		want   map[int]float64 // bins not listed: rest
		rest   float64
	}{
		{"empty", 100, 100, nil, 0},
		{"inside one hour", 10, 50, map[int]float64{0: 40}, 0},
		{"across an hour (Tuesday 09:30-10:30)", 1980 + 30, 1980 + 90, map[int]float64{33: 30, 34: 30}, 0},
		{"one week", 0, week, nil, 60},
		{"two weeks from mid-Tuesday", 1980 + 30, 2*week + 1980 + 30, map[int]float64{33: 120}, 120},
		{"a week and half an hour", 0, week + 30, map[int]float64{0: 90}, 60},
		{"wraps Sunday night", week - 30, week + 30, map[int]float64{167: 30, 0: 30}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got [HoursPerWeek]float64
			borderBinTime(tc.lo, tc.hi, &got)
			sum := 0.0
			for s, v := range got {
				want, ok := tc.want[s]
				if !ok {
					want = tc.rest
				}
				if math.Abs(v-want) > 1e-9 {
					t.Errorf("bin %s = %v min, want %v", binLabel(s), v, want)
				}
				sum += v
			}
			if math.Abs(sum-max(0, tc.hi-tc.lo)) > 1e-9 {
				t.Errorf("bins sum to %v, want the window %v", sum, tc.hi-tc.lo)
			}
		})
	}
}

// byHourOf runs the border's values with the profiles on and returns pool
// p's profile.
func byHourOf(t *testing.T, b *border, p int) metric.PoolHours {
	t.Helper()
	b.hours = true
	defer func() { b.hours = false }()
	r := b.values(0)
	if len(r.Hours) != len(b.cfg.pools) {
		t.Fatalf("%d profiles for %d pools", len(r.Hours), len(b.cfg.pools))
	}
	if r.Hours[p].Pool != b.cfg.pools[p].name {
		t.Fatalf("profile %d is of pool %q, want %q", p, r.Hours[p].Pool, b.cfg.pools[p].name)
	}
	return r.Hours[p]
}

// A hand-computable toy: one server, 10-minute controls, one week measured
// from Monday 00:00. Three consignments arrive together on Tuesday at 09:50:
// the first starts at once (wait 0, started at 09:50), the second waits 10
// minutes (starts at 10:00), the third 20 (starts at 10:10). The queue holds 2
// over 09:50–10:00 and 1 over 10:00–10:10. The week has one hour in each bin,
// so: Tuesday 09h queue 2·10/60 = 1/3, wait 0 h, 1 start; Tuesday 10h queue
// 1·10/60 = 1/6, wait (10+20)/2 min = 0.25 h, 2 starts; every other bin queue
// 0, no start and no wait (NaN).
func TestBorderByHourToy(t *testing.T) {
	sc := borderTestScenario(HoursPerWeek*60, 0, borderTestConstPool("document", 1, 10))
	sc.Drain = borderNoDrain()
	b := newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	at := 1440.0 + 9*60 + 50 // Tuesday 09:50
	for seq := range uint64(3) {
		c := Consignment{Seq: seq, Arrival: at, Lodgement: at, LaneAt: at, Threat: NoThreat, Lane: Yellow}
		b.add(&c)
	}
	b.finish()
	if r := b.values(0); r.Hours != nil {
		t.Errorf("profiles made without being asked for: %d", len(r.Hours))
	}
	got := byHourOf(t, b, 0)
	const tue09, tue10 = 24 + 9, 24 + 10
	wantQ := map[int]float64{tue09: 1.0 / 3, tue10: 1.0 / 6}
	wantW := map[int]float64{tue09: 0, tue10: 0.25}
	wantN := map[int]float64{tue09: 1, tue10: 2}
	for s := range HoursPerWeek {
		if math.Abs(got.Queue[s]-wantQ[s]) > 1e-12 {
			t.Errorf("%s: queue %v, want %v", binLabel(s), got.Queue[s], wantQ[s])
		}
		if math.Abs(got.Starts[s]-wantN[s]) > 1e-12 {
			t.Errorf("%s: %v starts per hour, want %v", binLabel(s), got.Starts[s], wantN[s])
		}
		if w, ok := wantW[s]; ok {
			if math.Abs(got.Wait[s]-w) > 1e-12 {
				t.Errorf("%s: wait %v h, want %v", binLabel(s), got.Wait[s], w)
			}
		} else if !math.IsNaN(got.Wait[s]) {
			t.Errorf("%s: wait %v h, want NaN (no control started)", binLabel(s), got.Wait[s])
		}
	}
	// The bins add up to the pool's overall figure.
	if q := borderMetric(t, b, "pool.document.mean_queue"); math.Abs(q-0.5/HoursPerWeek) > 1e-12 {
		t.Errorf("mean queue %v, want the bins' mean %v", q, 0.5/HoursPerWeek)
	}
}

// The warm-up and the window's end bound the profiles as they bound the
// pool's other figures: a queue and a start before the warm-up, or after the
// window's end (in the drain), are not counted; and a window of a week and a
// half counts its extra half week's hours twice as long, not twice as much.
func TestBorderByHourWindow(t *testing.T) {
	const week = HoursPerWeek * 60
	sc := borderTestScenario(2*week, week/2, borderTestConstPool("document", 1, 10)) // Thursday 12:00 on
	sc.Drain = borderNoDrain()
	b := newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	seq := uint64(0)
	burst := func(at float64) {
		for range 3 {
			c := Consignment{Seq: seq, Arrival: at, Lodgement: at, LaneAt: at, Threat: NoThreat, Lane: Yellow}
			seq++
			b.add(&c)
		}
	}
	burst(24*60 + 9*60 + 50)        // Tuesday 09:50 of week 1: warm-up, not counted
	burst(week + 24*60 + 9*60 + 50) // Tuesday 09:50 of week 2: counted
	b.finish()
	got := byHourOf(t, b, 0)
	const tue09, tue10 = 24 + 9, 24 + 10
	// Tuesday is in the window once (week 2): as in the toy.
	if math.Abs(got.Queue[tue09]-1.0/3) > 1e-12 || math.Abs(got.Wait[tue10]-0.25) > 1e-12 || got.Starts[tue10] != 2 {
		t.Errorf("Tuesday: queue %v (want 1/3), wait %v h (want 0.25), starts %v (want 2)", got.Queue[tue09], got.Wait[tue10], got.Starts[tue10])
	}
	// Friday is in the window twice (weeks 1 and 2), with no queue: 0,
	// and no start: no wait.
	if fri := 4*24 + 9; got.Queue[fri] != 0 || !math.IsNaN(got.Wait[fri]) || got.Starts[fri] != 0 {
		t.Errorf("Friday 09h: queue %v, wait %v, starts %v; want 0, NaN, 0", got.Queue[fri], got.Wait[fri], got.Starts[fri])
	}

	// The drain: a week from Monday 00:00, the simulation going on after
	// the horizon until every window arrival is released. Three arrive on
	// Sunday at 23:50: the first starts at once (Sunday 23h), the second at
	// 00:00 the next Monday — after the window, so not counted, and its
	// wait neither; the queue after midnight is not counted either.
	sc = borderTestScenario(week, 0, borderTestConstPool("document", 1, 10))
	b = newBorder(borderTestCompile(t, sc))
	b.reset(0, nil)
	seq = 0
	burst(week - 10)
	b.finish()
	got = byHourOf(t, b, 0)
	const sun23 = HoursPerWeek - 1
	if math.Abs(got.Queue[sun23]-1.0/3) > 1e-12 || got.Wait[sun23] != 0 || got.Starts[sun23] != 1 {
		t.Errorf("Sunday 23h: queue %v (want 1/3), wait %v (want 0), starts %v (want 1)", got.Queue[sun23], got.Wait[sun23], got.Starts[sun23])
	}
	if got.Queue[0] != 0 || !math.IsNaN(got.Wait[0]) || got.Starts[0] != 0 {
		t.Errorf("Monday 00h (the drain): queue %v, wait %v, starts %v; want 0, NaN, 0", got.Queue[0], got.Wait[0], got.Starts[0])
	}
}

// An M/M/2 pool open all week with Poisson arrivals at a constant rate is the
// same in every hour of the week: every bin's mean wait must be the Erlang C
// value Wq, its time-average queue λ·Wq (Little), and its starts per hour 60λ.
// Tolerance: replications are independent, so (mean − truth)/SE of a bin
// follows a Student t with R−1 degrees of freedom; with 168 bins checked,
// each is allowed the t quantile of 0.1%/168 two-sided (Bonferroni: the
// whole test fails by chance once in a thousand runs). The test requires
// the standard error of each bin's wait to be below 15% of Wq, so that it
// cannot pass by noise; and the bins together, averaged, within a few
// standard errors of Wq (a bias shared by all bins would hide in the
// per-bin tolerance).
func TestBorderByHourMMc(t *testing.T) {
	const reps, weeks = 10, 100.0               // 150,000 arrivals a replication: a quarter of a second
	const servers, lambda, mean = 2, 0.15, 10.0 // per minute, minutes: ρ = 0.75
	wq := borderErlangC(servers, lambda, 1/mean) / 60
	sc := borderTestScenario(weeks*HoursPerWeek*60, 0, borderTestPool("document", servers, mean))
	sc.Drain = borderNoDrain()
	b := newBorder(borderTestCompile(t, sc))
	var wait, queue, starts [HoursPerWeek][]float64
	var all []float64
	for rep := range reps {
		borderTestFeed(b, rep, lambda, func(c *Consignment, _ *rand.Rand) { c.Lane = Yellow })
		p := byHourOf(t, b, 0)
		sum := 0.0
		for s := range HoursPerWeek {
			wait[s] = append(wait[s], p.Wait[s])
			queue[s] = append(queue[s], p.Queue[s])
			starts[s] = append(starts[s], p.Starts[s])
			sum += p.Wait[s]
		}
		all = append(all, sum/HoursPerWeek)
	}
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(reps - 1)}.Quantile(1 - 0.001/2/HoursPerWeek)
	worst, worstSE := 0.0, 0.0
	for s := range HoursPerWeek {
		for _, chk := range []struct {
			what  string
			xs    []float64
			truth float64
		}{
			{"mean wait (h)", wait[s], wq},
			{"mean queue", queue[s], lambda * wq * 60},
			{"starts per hour", starts[s], 60 * lambda},
		} {
			m, se := borderMeanSE(chk.xs)
			if math.Abs(m-chk.truth) > tq*se {
				t.Errorf("%s: %s = %.4f ± %.4f, theory %.4f: more than %.2f standard errors off", binLabel(s), chk.what, m, se, chk.truth, tq)
			}
			if chk.what == "mean wait (h)" {
				worst = max(worst, math.Abs(m-chk.truth)/chk.truth)
				worstSE = max(worstSE, se/chk.truth)
				if se > 0.15*chk.truth {
					t.Errorf("%s: standard error of the wait %.4f is over 15%% of %.4f; the check is too weak", binLabel(s), se, chk.truth)
				}
			}
		}
	}
	m, se := borderMeanSE(all)
	t.Logf("Wq %.4f h; bins' mean %.4f ± %.4f; worst bin %.1f%% off, largest SE %.1f%%", wq, m, se, 100*worst, 100*worstSE)
	tq1 := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(reps - 1)}.Quantile(1 - 0.001/2)
	if math.Abs(m-wq) > tq1*se {
		t.Errorf("the bins' mean wait %.4f ± %.4f h, theory %.4f: more than %.2f standard errors off", m, se, wq, tq1)
	}
}

// A pool closed on Sundays (open around the clock Monday to Saturday) starts
// no control on Sunday, so Sunday has no wait; its queue builds all day at
// the arrival rate, hour h of Sunday holding about 60λ(h + ½) more than
// Saturday night left; and Monday's first hour serves the backlog at the
// pool's capacity.
func TestBorderByHourClosedSunday(t *testing.T) {
	const servers, lambda, mean = 2, 0.1, 10.0 // capacity 0.2 per minute
	pool := borderTestPool("document", servers, mean)
	pool.Hours = &scenarios.Hours{Open: 0, Close: 24 * 60, Days: []string{"mon", "tue", "wed", "thu", "fri", "sat"}}
	sc := borderTestScenario(12*HoursPerWeek*60, HoursPerWeek*60, pool)
	sc.Drain = borderNoDrain()
	b := newBorder(borderTestCompile(t, sc))
	borderTestFeed(b, 0, lambda, func(c *Consignment, _ *rand.Rand) { c.Lane = Yellow })
	p := byHourOf(t, b, 0)
	const sun = 6 * 24
	for h := range 24 {
		s := sun + h
		if p.Starts[s] != 0 || !math.IsNaN(p.Wait[s]) {
			t.Errorf("%s (closed): %v starts per hour, wait %v; want 0 and NaN", binLabel(s), p.Starts[s], p.Wait[s])
		}
		if h > 0 && !(p.Queue[s] > p.Queue[s-1]) {
			t.Errorf("%s: queue %.1f, not above the hour before (%.1f): it should build while closed", binLabel(s), p.Queue[s], p.Queue[s-1])
		}
		// Arrivals over 11 Sundays of h+½ hours: Poisson, SD √(60λ(h+½)/11);
		// Saturday night's queue adds a little (M/M/2 at ρ = 0.5: Lq 1/3).
		build := 60 * lambda * (float64(h) + 0.5)
		if d := p.Queue[s] - build - p.Queue[sun-1]; math.Abs(d) > 5*math.Sqrt(build/11)+1 {
			t.Errorf("%s: queue %.1f, want about %.1f built since Saturday night's %.1f", binLabel(s), p.Queue[s], build, p.Queue[sun-1])
		}
	}
	// Busy all hour on the backlog: both servers start at 00:00, then one
	// control per completion, Poisson at the capacity of 12 an hour (over
	// 11 Mondays: SD about 1).
	if got, want := p.Starts[0], servers+60.0*servers/mean; math.Abs(got-want) > 4 {
		t.Errorf("Monday 00h: %.1f starts per hour, want about %.0f (the backlog served at capacity)", got, want)
	}
	if !(p.Wait[0] > 10*p.Wait[3*24]) {
		t.Errorf("Monday 00h wait %.2f h, not far above Thursday's %.3f h: the Sunday backlog waits", p.Wait[0], p.Wait[3*24])
	}
}

// sim.Run returns the profiles only when asked, the same for any number of
// workers, and each replication's own (not a shared table).
func TestRunPoolHoursWorkers(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/examples/seaport.yaml", []string{"horizon=14d", "warmup=7d", "replications=4"})
	if err != nil {
		t.Fatal(err)
	}
	m := engCompile(t, sc)
	ctx := context.Background()
	plain, err := Run(ctx, m, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range plain {
		if r.Hours != nil {
			t.Fatalf("replication %d: profiles without Options.PoolHours", r.Rep)
		}
	}
	one, err := Run(ctx, m, Options{Workers: 1, PoolHours: true})
	if err != nil {
		t.Fatal(err)
	}
	three, err := Run(ctx, m, Options{Workers: 3, PoolHours: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hoursBits(one), hoursBits(three)) {
		t.Error("profiles differ between 1 and 3 workers")
	}
	for i := range one {
		if !reflect.DeepEqual(one[i].Values, plain[i].Values) && !equalNaN(one[i].Values, plain[i].Values) {
			t.Errorf("replication %d: asking for profiles changed the metrics", i)
		}
		if len(one[i].Hours) != len(sc.Resources.Pools) {
			t.Fatalf("replication %d: %d profiles for %d pools", i, len(one[i].Hours), len(sc.Resources.Pools))
		}
	}
	if reflect.DeepEqual(hoursBits(one[:1]), hoursBits(one[1:2])) {
		t.Error("replications 0 and 1 have the same profiles")
	}
}

// hoursBits gives the profiles as bits, so NaN compares equal to NaN.
func hoursBits(reps []metric.Rep) [][]uint64 {
	var out [][]uint64
	for _, r := range reps {
		var bits []uint64
		for _, p := range r.Hours {
			for s := range HoursPerWeek {
				bits = append(bits, math.Float64bits(p.Queue[s]), math.Float64bits(p.Wait[s]), math.Float64bits(p.Starts[s]))
			}
		}
		out = append(out, bits)
	}
	return out
}

func equalNaN(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
