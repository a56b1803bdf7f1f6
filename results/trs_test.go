package results

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pilotsim/datamodel"
)

func blankRecord() datamodel.EventRecord {
	nan := math.NaN()
	r := datamodel.EventRecord{AEO: -1, Outcome: -1, Arrival: nan, Lodgement: nan, Assessed: nan, Release: nan, Duty: nan}
	for s := range r.Queue {
		r.Queue[s], r.Start[s], r.End[s] = nan, nan, nan
	}
	return r
}

// TestTRSAnalytic feeds records with known intervals: release times of
// 1..1000 minutes (mean 500.5, median 500.5, p90 900.5 minutes), one
// record with a negative interval and one beyond the outlier limit, one
// never released.
func TestTRSAnalytic(t *testing.T) {
	t0 := float64(datamodel.TraceEpoch.Unix()) + 10*3600 // Monday 10:00
	study := NewTRSStudy(TRSOptions{Seed: 7, Bootstrap: 200, MaxInterval: 30 * 86400})
	for i := 1; i <= 1000; i++ {
		r := blankRecord()
		r.Channel, r.Mode, r.AEO = "green", "sea", 1
		r.Arrival = t0
		r.Lodgement = t0 - 3600
		r.Release = t0 + float64(i)*60
		study.Add(&r)
	}
	bad := blankRecord()
	bad.Channel, bad.Arrival, bad.Release = "red", t0, t0-60 // released before arrival
	study.Add(&bad)
	long := blankRecord()
	long.Channel, long.Arrival, long.Release = "red", t0, t0+40*86400
	study.Add(&long)
	open := blankRecord()
	open.Channel, open.Arrival = "red", t0
	// one physical exam: joined the queue at Monday 10:00, started 12:00.
	open.Queue[datamodel.StepPhysical], open.Start[datamodel.StepPhysical], open.End[datamodel.StepPhysical] = t0, t0+7200, t0+9000
	study.Add(&open)
	res := study.Result()

	st, ok := res.stat("channel", "green", IvTotal)
	if !ok {
		t.Fatal("no green arrival → release")
	}
	// Quantiles from the histogram: within 1/64 relative (a bin's width).
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"mean", st.Mean, 500.5 / 60, 1e-9},
		{"median", st.Median, 500.5 / 60, 500.5 / 60 / 64},
		{"p90", st.P90, 900.5 / 60, 900.5 / 60 / 64},
		{"sd", st.SD, math.Sqrt(1000*1001/12.0) / 60, 1e-9},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s: got %v, want %v ± %v", c.name, c.got, c.want, c.tol)
		}
	}
	if !(st.MeanLow < st.Mean && st.Mean < st.MeanHigh) || !(st.MedianLow <= st.Median && st.Median <= st.MedianHigh) {
		t.Errorf("bootstrap intervals must hold the estimate: mean %v [%v, %v], median %v [%v, %v]", st.Mean, st.MeanLow, st.MeanHigh, st.Median, st.MedianLow, st.MedianHigh)
	}
	red, _ := res.stat("channel", "red", IvTotal)
	if red.N != 0 || red.Negative != 1 || red.Outliers != 1 {
		t.Errorf("red: n %d negative %d outliers %d, want 0, 1, 1", red.N, red.Negative, red.Outliers)
	}
	if res.NotReleased != 1 || res.Records != 1003 {
		t.Errorf("records %d not released %d, want 1003 and 1", res.Records, res.NotReleased)
	}
	pre, _ := res.stat("all", "all", IvPreArrival)
	if pre.N != 1000 || math.Abs(pre.Mean-1) > 1e-9 {
		t.Errorf("lodgement → arrival: n %d mean %v, want 1000 and 1 h", pre.N, pre.Mean)
	}
	wait, _ := res.stat("all", "all", StepWait(datamodel.StepPhysical))
	if wait.N != 1 || wait.Mean != 2 {
		t.Errorf("physical wait: n %d mean %v, want 1 and 2 h", wait.N, wait.Mean)
	}
	// The wait spans Monday 10:00-12:00. The records span Monday 09:59
	// (the inconsistent release) to Monday 10:00 forty days later: hours
	// 09h of the first Monday through 10h of the last, 961 hours, five whole
	// weeks and then Monday 09h to Saturday 09h, so Monday hours occur
	// 5*24 + 15 = 135 times and the mean number waiting on Mondays is 2/135.
	found := false
	for _, q := range res.Queues {
		if q.Step == "physical" && q.By == "weekday" && q.At == "Mon" {
			found = true
			if q.Waits != 1 || q.MeanWait != 2 {
				t.Errorf("Monday waits %d mean %v, want 1 and 2 h", q.Waits, q.MeanWait)
			}
			if want := 2.0 / 135; math.Abs(q.MeanQueue-want) > 1e-12 {
				t.Errorf("Monday mean queue %v, want %v", q.MeanQueue, want)
			}
		}
	}
	if !found {
		t.Error("no physical queue on Mondays")
	}
	if len(res.Weeks) != 1 || res.Weeks[0].Start != "2025-01-06" || res.Weeks[0].Arrivals != 1003 {
		t.Errorf("weeks: %+v", res.Weeks)
	}
}

// TestTRSDeterministic: the same records give the same bytes, whatever the
// timing; another seed changes only the intervals.
func TestTRSDeterministic(t *testing.T) {
	data := syntheticEvents(5000, 3)
	run := func(seed uint64) string {
		er, err := datamodel.NewEventReader(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		study := NewTRSStudy(TRSOptions{Seed: seed, Bootstrap: 100})
		for {
			r, err := er.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			study.Add(r)
		}
		var b bytes.Buffer
		res := study.Result()
		if err := res.WriteStatsCSV(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := run(1), run(1)
	if a != b {
		t.Fatal("two runs with the same seed differ")
	}
	if c := run(2); c == a {
		t.Error("another bootstrap seed gave the same intervals")
	}
}

// TestTRSFiles writes every file of a study and checks each report section
// is there.
func TestTRSFiles(t *testing.T) {
	er, err := datamodel.NewEventReader(bytes.NewReader(syntheticEvents(3000, 5)), nil)
	if err != nil {
		t.Fatal(err)
	}
	study := NewTRSStudy(TRSOptions{Seed: 1, Bootstrap: 50})
	for {
		r, err := er.Next()
		if err != nil {
			break
		}
		study.Add(r)
	}
	dir := t.TempDir()
	res := study.Result()
	if err := res.WriteFiles(dir, "synthetic.csv"); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Intervals", "Release time per channel", "Queue and waiting by hour of day and weekday", "Weekly trend", "<svg"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	for _, f := range []string{TRSStatsFile, TRSSegmentsFile, TRSWeeksFile, TRSQueuesFile, TRSJSONFile, "trs.txt"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestHistBins(t *testing.T) {
	for _, x := range []float64{0, 0.5, 1, 1.5, 59, 60, 3600, 86400, 1e6} {
		b := histBin(x)
		lo, hi := histBounds(b)
		if x < lo || (x >= hi && hi > lo) {
			t.Errorf("%v in bin %d [%v, %v)", x, b, lo, hi)
		}
	}
}

// TestTRSAddNoAllocs: once its segments exist, adding a record allocates
// nothing (the hot path of pilotsim trs).
func TestTRSAddNoAllocs(t *testing.T) {
	er, err := datamodel.NewEventReader(bytes.NewReader(syntheticEvents(5000, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var recs []datamodel.EventRecord
	for {
		r, err := er.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, *r)
	}
	study := NewTRSStudy(TRSOptions{Seed: 1})
	for i := range recs {
		study.Add(&recs[i])
	}
	i := 0
	allocs := testing.AllocsPerRun(len(recs), func() {
		study.Add(&recs[i%len(recs)])
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations a record, want 0", allocs)
	}
}
