package results

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pilotsim/metric"
)

// withPoolHours gives the fixture's replications hour-of-week profiles of
// its three pools that vary by hour and replication: document open all week
// with a daytime peak; nii idle (queue 0, no wait at night); physical closed
// on Sundays (no start, no wait, a queue that builds all day).
func withPoolHours(reps []Replication) []Replication {
	out := make([]Replication, len(reps))
	for i, r := range reps {
		r.Hours = make([]metric.PoolHours, 3)
		for p, name := range []string{"document", "nii", "physical"} {
			h := &r.Hours[p]
			h.Pool = name
			for s := range metric.HoursPerWeek {
				d, hr := s/24, s%24
				peak := math.Max(0, math.Sin(math.Pi*float64(hr-6)/14)) // 06:00–20:00
				jitter := 1 + 0.05*float64((i*7+s)%5-2)
				switch name {
				case "document":
					h.Queue[s] = 3 * peak * jitter
					h.Wait[s] = 0.02 + 0.4*peak*jitter
					h.Starts[s] = 4 + 6*peak
				case "nii":
					h.Queue[s], h.Starts[s], h.Wait[s] = 0, 0, math.NaN()
					if peak > 0 {
						h.Starts[s], h.Wait[s] = 1, 0
					}
				case "physical":
					if d == 6 {
						h.Queue[s], h.Wait[s], h.Starts[s] = 0.5*float64(hr)*jitter, math.NaN(), 0
					} else {
						h.Queue[s] = 12 * peak * jitter
						h.Wait[s] = 1 + 3*peak*jitter
						h.Starts[s] = 2 * peak
					}
				}
			}
		}
		out[i] = r
	}
	return out
}

// AggregatePoolHours: per bin, the mean of the replications' values that
// are defined, Student t's interval cut at 0, N counting them.
func TestAggregatePoolHours(t *testing.T) {
	rep := func(n int, pools ...string) Replication {
		r := Replication{Rep: n}
		for _, p := range pools {
			h := metric.PoolHours{Pool: p}
			for s := range metric.HoursPerWeek {
				h.Queue[s], h.Wait[s], h.Starts[s] = math.NaN(), math.NaN(), math.NaN()
			}
			r.Hours = append(r.Hours, h)
		}
		return r
	}
	reps := []Replication{rep(0, "a", "b"), rep(1, "a", "b"), rep(2, "a", "b"), {Rep: 3}} // the last carries none
	for i, q := range []float64{1, 2, 6} {
		reps[i].Hours[0].Queue[5] = q
		reps[i].Hours[0].Starts[5] = 10
	}
	reps[0].Hours[1].Wait[167], reps[2].Hours[1].Wait[167] = 0.1, 0.3 // rep 1: none started
	reps[0].Hours[1].Queue[0], reps[1].Hours[1].Queue[0], reps[2].Hours[1].Queue[0] = 0, 0, 0.3
	got, err := AggregatePoolHours(reps)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Pool != "a" || got[1].Pool != "b" {
		t.Fatalf("profiles of %d pools (%+v), want a and b", len(got), got)
	}
	check := func(what string, iv, want Interval) {
		t.Helper()
		same := func(x, y float64) bool { return math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) < 1e-12 }
		if iv.N != want.N || !same(iv.Mean, want.Mean) || !same(iv.Low, want.Low) || !same(iv.High, want.High) {
			t.Errorf("%s = %+v, want %+v", what, iv, want)
		}
	}
	aq := MeanCI([]float64{1, 2, 6}, Confidence)
	aq.Low = 0 // Student t reaches below 0: a queue is never negative
	check("a queue Mon 05h", got[0].Queue[5], aq)
	check("a starts Mon 05h (no spread)", got[0].Starts[5], Interval{10, 10, 10, 3})
	check("a queue Mon 06h (undefined everywhere)", got[0].Queue[6], Interval{math.NaN(), math.NaN(), math.NaN(), 0})
	w := MeanCI([]float64{0.1, 0.3}, Confidence)
	w.Low = 0 // a time is never negative
	check("b wait Sun 23h (two replications)", got[1].Wait[167], w)
	q := MeanCI([]float64{0, 0, 0.3}, Confidence)
	q.Low = 0
	check("b queue Mon 00h", got[1].Queue[0], q)

	if none, err := AggregatePoolHours([]Replication{{Rep: 0}, {Rep: 1}}); none != nil || err != nil {
		t.Errorf("replications without profiles: %v, %v; want nil, nil", none, err)
	}
	for _, tc := range []struct {
		name string
		reps []Replication
		want string
	}{
		{"pools missing", []Replication{rep(0, "a", "b"), rep(1, "a")}, "profiles of 1 pools"},
		{"pools out of order", []Replication{rep(0, "a", "b"), rep(1, "b", "a")}, `pool "b" where replication 0 has "a"`},
	} {
		if _, err := AggregatePoolHours(tc.reps); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// The profiles written to pools_by_hour.csv, pools_by_hour.json and the sheet
// pools_by_hour of results.xlsx read back as the report holds them; a report
// without profiles writes no such file, member or sheet.
func TestPoolHoursFiles(t *testing.T) {
	run, metrics, reps := fixture()
	r, err := NewReport(run, metrics, withPoolHours(reps))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, PoolsByHourFile))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 1+3*metric.HoursPerWeek {
		t.Errorf("%s has %d lines, want a header and 3 × 168 rows", PoolsByHourFile, lines)
	}
	back, err := ReadPoolHoursCSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	close := func(x, y float64) bool {
		return math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
	}
	sameIv := func(a, b Interval) bool {
		return a.N == b.N && close(a.Mean, b.Mean) && close(a.Low, b.Low) && close(a.High, b.High)
	}
	if len(back) != len(r.PoolHours) {
		t.Fatalf("read %d pools back, wrote %d", len(back), len(r.PoolHours))
	}
	for p := range back {
		if back[p].Pool != r.PoolHours[p].Pool {
			t.Errorf("pool %d read back as %q, want %q", p, back[p].Pool, r.PoolHours[p].Pool)
		}
		for s := range metric.HoursPerWeek {
			w := &r.PoolHours[p]
			if !sameIv(back[p].Queue[s], w.Queue[s]) || !sameIv(back[p].Wait[s], w.Wait[s]) || !sameIv(back[p].Starts[s], w.Starts[s]) {
				t.Fatalf("%s hour %d read back as %+v %+v %+v, want %+v %+v %+v", w.Pool, s,
					back[p].Queue[s], back[p].Wait[s], back[p].Starts[s], w.Queue[s], w.Wait[s], w.Starts[s])
			}
		}
	}
	// Sundays of the physical pool: no wait (empty), queue building.
	phys := back[2]
	if sun := 6*24 + 10; !math.IsNaN(phys.Wait[sun].Mean) || phys.Wait[sun].N != 0 || !(phys.Queue[sun].Mean > phys.Queue[sun-1].Mean) {
		t.Errorf("physical Sunday 10h: wait %+v, queue %v after %v; want no wait and a growing queue", phys.Wait[sun], phys.Queue[sun].Mean, phys.Queue[sun-1].Mean)
	}

	var j JSONPoolsByHour
	js, err := os.ReadFile(filepath.Join(dir, PoolsByHourJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &j); err != nil {
		t.Fatal(err)
	}
	if j.SchemaVersion != SchemaVersion || j.Completed != len(reps) || len(j.Weekdays) != 7 || j.Weekdays[6] != "sun" {
		t.Errorf("pools_by_hour.json: schema %d, %d replications, weekdays %v", j.SchemaVersion, j.Completed, j.Weekdays)
	}
	if len(j.Pools) != 3 || j.Pools[0].Pool != "document" {
		t.Fatalf("pools_by_hour.json: %d pools", len(j.Pools))
	}
	for p, jp := range j.Pools {
		for _, a := range []struct {
			name string
			j    JSONHourIntervals
			iv   *[metric.HoursPerWeek]Interval
		}{{"queue", jp.Queue, &r.PoolHours[p].Queue}, {"wait_h", jp.WaitHours, &r.PoolHours[p].Wait}, {"starts_per_hour", jp.StartsPerHour, &r.PoolHours[p].Starts}} {
			if len(a.j.Mean) != metric.HoursPerWeek || len(a.j.Low) != metric.HoursPerWeek || len(a.j.High) != metric.HoursPerWeek || len(a.j.N) != metric.HoursPerWeek {
				t.Fatalf("pools_by_hour.json %s %s: arrays of %d, %d, %d, %d values, want 168", jp.Pool, a.name, len(a.j.Mean), len(a.j.Low), len(a.j.High), len(a.j.N))
			}
			for s := range metric.HoursPerWeek {
				if got := (Interval{float64(a.j.Mean[s]), float64(a.j.Low[s]), float64(a.j.High[s]), a.j.N[s]}); !sameIv(got, a.iv[s]) {
					t.Fatalf("pools_by_hour.json %s %s[%d] = %+v, want %+v", jp.Pool, a.name, s, got, a.iv[s])
				}
			}
		}
	}

	// results.xlsx: the sheet, opened with excelize.
	lt := RunLong(r)
	var b bytes.Buffer
	if err := lt.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetPoolsByHour, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+3*metric.HoursPerWeek {
		t.Fatalf("sheet %s has %d rows, want 1 + 3 × 168", SheetPoolsByHour, len(rows))
	}
	if got := strings.Join(rows[0], ","); got != "scenario,"+strings.Join(poolHourHeader, ",") {
		t.Errorf("sheet header %s", got)
	}
	// Row of physical, Friday 13h: its queue mean as the report has it.
	s := 4*24 + 13
	row := rows[1+2*metric.HoursPerWeek+s]
	if row[1] != "physical" || row[2] != "fri" || row[3] != "13" {
		t.Fatalf("sheet row %v, want physical fri 13", row[:4])
	}
	if v, err := strconv.ParseFloat(row[5], 64); err != nil || !close(v, r.PoolHours[2].Queue[s].Mean) {
		t.Errorf("sheet queue_mean %q (%v), want %v", row[5], err, r.PoolHours[2].Queue[s].Mean)
	}

	// Without profiles: none of it.
	plain, err := NewReport(run, metrics, reps)
	if err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	if err := plain.WriteFiles(dir2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{PoolsByHourFile, PoolsByHourJSONFile} {
		if _, err := os.Stat(filepath.Join(dir2, name)); !os.IsNotExist(err) {
			t.Errorf("a report without profiles wrote %s (%v)", name, err)
		}
	}
	b.Reset()
	if err := RunLong(plain).WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	f2, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if i, _ := f2.GetSheetIndex(SheetPoolsByHour); i >= 0 {
		t.Error("a report without profiles has the sheet pools_by_hour")
	}
}

// ReadPoolHoursCSV refuses a file that is not pools_by_hour.csv, naming the
// line.
func TestReadPoolHoursCSVErrors(t *testing.T) {
	head := strings.Join(poolHourHeader, ",") + "\n"
	row := func(pool, day string, h, s int, q string) string {
		return pool + "," + day + "," + strconv.Itoa(h) + "," + strconv.Itoa(s) + "," + q + ",0,1,0.5,0,1,3,2,4,5,5\n"
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"bad header", "pool,day\n", "line 1"},
		{"not a number", head + row("a", "mon", 0, 0, "x"), `line 2: queue_mean: "x"`},
		{"hours out of order", head + row("a", "mon", 0, 0, "1") + row("a", "mon", 2, 2, "1"), "line 3"},
		{"a pool cut short", head + row("a", "mon", 0, 0, "1"), "fewer than 168 hours"},
	} {
		if _, err := ReadPoolHoursCSV(strings.NewReader(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// A heat map cell's label: short enough for a cell, never a misleading 0.
func TestHeatLabel(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{math.NaN(), "–"}, {0, "0"}, {0.004, "<.01"}, {0.04, ".04"}, {0.094, ".09"}, {0.096, "0.1"},
		{3.14, "3.1"}, {9.96, "10"}, {123.4, "123"},
	} {
		if got := heatLabel(tc.v); got != tc.want {
			t.Errorf("heatLabel(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
