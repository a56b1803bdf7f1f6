package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/gocarina/gocsv"

	"pilotsim/metric"
)

// PoolsByHourFile is the pools' profiles by hour of the week that a run
// writes: one row per pool, weekday and hour.
const PoolsByHourFile = "pools_by_hour.csv"

// PoolsByHourJSONFile is the same profiles as JSON: per pool, arrays of 168
// values.
const PoolsByHourJSONFile = "pools_by_hour.json"

// SheetPoolsByHour is the sheet of results.xlsx that holds the same table.
const SheetPoolsByHour = "pools_by_hour"

// PoolHourProfile is one pool's figures in each hour of the week (bin
// 24·weekday + hour, Monday 00:00 first), across replications: means with
// their 95% confidence intervals (Student t, cut at 0).
type PoolHourProfile struct {
	Pool string
	// Queue is the time-average number waiting in the bin; N counts the
	// replications whose window has time in the bin.
	Queue [metric.HoursPerWeek]Interval
	// Wait is the mean queue wait (hours) of the controls started in the
	// bin; N counts the replications in which one started there.
	Wait [metric.HoursPerWeek]Interval
	// Starts is the number of controls started per hour of the bin.
	Starts [metric.HoursPerWeek]Interval
}

// AggregatePoolHours returns each pool's profile across the replications
// that carry one (metric.Rep.Hours), nil when none does. Every replication
// that carries profiles must carry the same pools in the same order.
func AggregatePoolHours(reps []Replication) ([]PoolHourProfile, error) {
	var first *Replication
	for i := range reps {
		r := &reps[i]
		if r.Hours == nil {
			continue
		}
		if first == nil {
			first = r
			continue
		}
		if len(r.Hours) != len(first.Hours) {
			return nil, fmt.Errorf("replication %d has profiles of %d pools, replication %d of %d", r.Rep, len(r.Hours), first.Rep, len(first.Hours))
		}
		for p := range r.Hours {
			if r.Hours[p].Pool != first.Hours[p].Pool {
				return nil, fmt.Errorf("replication %d has a profile of pool %q where replication %d has %q", r.Rep, r.Hours[p].Pool, first.Rep, first.Hours[p].Pool)
			}
		}
	}
	if first == nil {
		return nil, nil
	}
	out := make([]PoolHourProfile, len(first.Hours))
	x := make([]float64, 0, len(reps))
	for p := range out {
		out[p].Pool = first.Hours[p].Pool
		for s := range metric.HoursPerWeek {
			for _, f := range []struct {
				get  func(h *metric.PoolHours) float64
				unit metric.Unit
				to   *Interval
			}{
				{func(h *metric.PoolHours) float64 { return h.Queue[s] }, metric.Count, &out[p].Queue[s]},
				{func(h *metric.PoolHours) float64 { return h.Wait[s] }, metric.Hours, &out[p].Wait[s]},
				{func(h *metric.PoolHours) float64 { return h.Starts[s] }, metric.Count, &out[p].Starts[s]},
			} {
				x = x[:0]
				for i := range reps {
					if reps[i].Hours == nil {
						continue
					}
					if v := f.get(&reps[i].Hours[p]); !math.IsNaN(v) {
						x = append(x, v)
					}
				}
				*f.to = estimateCI(f.unit, x, nil, Confidence)
			}
		}
	}
	return out, nil
}

// poolHourRow is one row of pools_by_hour.csv.
type poolHourRow struct {
	Pool       string   `csv:"pool"`
	Weekday    string   `csv:"weekday"`
	Hour       int      `csv:"hour"`
	HourOfWeek int      `csv:"hour_of_week"`
	Queue      csvFloat `csv:"queue_mean"`
	QueueLow   csvFloat `csv:"queue_ci_low"`
	QueueHigh  csvFloat `csv:"queue_ci_high"`
	Wait       csvFloat `csv:"wait_h_mean"`
	WaitLow    csvFloat `csv:"wait_h_ci_low"`
	WaitHigh   csvFloat `csv:"wait_h_ci_high"`
	Starts     csvFloat `csv:"starts_per_hour_mean"`
	StartsLow  csvFloat `csv:"starts_per_hour_ci_low"`
	StartsHigh csvFloat `csv:"starts_per_hour_ci_high"`
	N          int      `csv:"n"`
	NWait      int      `csv:"n_wait"`
}

// poolHourHeader is the header of pools_by_hour.csv, in column order.
var poolHourHeader = []string{"pool", "weekday", "hour", "hour_of_week", "queue_mean", "queue_ci_low", "queue_ci_high",
	"wait_h_mean", "wait_h_ci_low", "wait_h_ci_high", "starts_per_hour_mean", "starts_per_hour_ci_low", "starts_per_hour_ci_high", "n", "n_wait"}

// poolHourRows are the rows of pools_by_hour.csv: pools in order, then the
// hours of the week from Monday 00:00.
func poolHourRows(ps []PoolHourProfile) []poolHourRow {
	rows := make([]poolHourRow, 0, len(ps)*metric.HoursPerWeek)
	for i := range ps {
		p := &ps[i]
		for s := range metric.HoursPerWeek {
			q, w, n := p.Queue[s], p.Wait[s], p.Starts[s]
			rows = append(rows, poolHourRow{p.Pool, metric.Weekdays[s/24], s % 24, s,
				csvFloat(q.Mean), csvFloat(q.Low), csvFloat(q.High),
				csvFloat(w.Mean), csvFloat(w.Low), csvFloat(w.High),
				csvFloat(n.Mean), csvFloat(n.Low), csvFloat(n.High), q.N, w.N})
		}
	}
	return rows
}

// WritePoolHoursCSV writes pools_by_hour.csv: per pool and hour of the week
// (weekday mon … sun, hour 0–23, hour_of_week 0–167 from Monday 00:00), the
// time-average queue length, the mean wait in hours of the controls started
// in that hour and the controls started per hour, each a mean across
// replications with its 95% interval; n counts the replications whose
// window reaches the hour, n_wait those in which a control started in it
// (an empty wait: none did, e.g. the pool was closed).
func (r *Report) WritePoolHoursCSV(w io.Writer) error {
	cw := gocsv.NewSafeCSVWriter(csv.NewWriter(w))
	if err := gocsv.MarshalCSV(poolHourRows(r.PoolHours), cw); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// ReadPoolHoursCSV reads pools_by_hour.csv back into profiles (pools in file
// order). It checks the header, that every pool has its 168 hours in order,
// and every number, naming the line of a bad one.
func ReadPoolHoursCSV(rd io.Reader) ([]PoolHourProfile, error) {
	cr := csv.NewReader(rd)
	cr.FieldsPerRecord = len(poolHourHeader)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", PoolsByHourFile, err)
	}
	if !slices.Equal(header, poolHourHeader) {
		return nil, fmt.Errorf("%s: line 1: header %v, want %v", PoolsByHourFile, header, poolHourHeader)
	}
	var out []PoolHourProfile
	rows := 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", PoolsByHourFile, err)
		}
		s := rows % metric.HoursPerWeek
		rows++
		if s == 0 {
			out = append(out, PoolHourProfile{Pool: rec[0]})
		}
		p := &out[len(out)-1]
		if rec[0] != p.Pool || rec[1] != metric.Weekdays[s/24] || rec[2] != strconv.Itoa(s%24) || rec[3] != strconv.Itoa(s) {
			return nil, fmt.Errorf("%s: line %d: pool %s, %s hour %s (hour of week %s); want pool %s, %s hour %d (hour of week %d)",
				PoolsByHourFile, line, rec[0], rec[1], rec[2], rec[3], p.Pool, metric.Weekdays[s/24], s%24, s)
		}
		var v [9]float64
		for i := range v {
			if rec[4+i] == "" {
				v[i] = math.NaN()
			} else if v[i], err = strconv.ParseFloat(rec[4+i], 64); err != nil {
				return nil, fmt.Errorf("%s: line %d: %s: %q is not a number", PoolsByHourFile, line, poolHourHeader[4+i], rec[4+i])
			}
		}
		n, err1 := strconv.Atoi(rec[13])
		nw, err2 := strconv.Atoi(rec[14])
		if err1 != nil || err2 != nil || n < 0 || nw < 0 {
			return nil, fmt.Errorf("%s: line %d: n %q, n_wait %q: want counts of replications", PoolsByHourFile, line, rec[13], rec[14])
		}
		p.Queue[s] = Interval{v[0], v[1], v[2], n}
		p.Wait[s] = Interval{v[3], v[4], v[5], nw}
		p.Starts[s] = Interval{v[6], v[7], v[8], n}
	}
	if rows%metric.HoursPerWeek != 0 {
		return nil, fmt.Errorf("%s: pool %s has fewer than %d hours", PoolsByHourFile, out[len(out)-1].Pool, metric.HoursPerWeek)
	}
	return out, nil
}

// JSONPoolsByHour is the document pools_by_hour.json holds (schema version
// SchemaVersion): the run, then each pool's profile.
type JSONPoolsByHour struct {
	SchemaVersion int     `json:"schema_version"`
	Scenario      string  `json:"scenario"`
	Seed          uint64  `json:"seed"`
	Completed     int     `json:"completed"` // replications aggregated
	Confidence    float64 `json:"confidence"`
	// Weekdays name the days of the bins: bin 24·d + h is hour h of
	// Weekdays[d].
	Weekdays []string        `json:"weekdays"`
	Pools    []JSONPoolHours `json:"pools"`
}

// JSONPoolHours is one pool's profile in pools_by_hour.json: arrays of 168
// values, index 24·weekday + hour from Monday 00:00 (null where undefined).
type JSONPoolHours struct {
	Pool          string            `json:"pool"`
	Queue         JSONHourIntervals `json:"queue"`
	WaitHours     JSONHourIntervals `json:"wait_h"`
	StartsPerHour JSONHourIntervals `json:"starts_per_hour"`
}

// JSONHourIntervals are 168 means with their 95% intervals and the
// replications each is over.
type JSONHourIntervals struct {
	Mean []JSONFloat `json:"mean"`
	Low  []JSONFloat `json:"ci_low"`
	High []JSONFloat `json:"ci_high"`
	N    []int       `json:"n"`
}

func jsonHourIntervals(ivs *[metric.HoursPerWeek]Interval) JSONHourIntervals {
	j := JSONHourIntervals{Mean: make([]JSONFloat, metric.HoursPerWeek), Low: make([]JSONFloat, metric.HoursPerWeek),
		High: make([]JSONFloat, metric.HoursPerWeek), N: make([]int, metric.HoursPerWeek)}
	for s, iv := range ivs {
		j.Mean[s], j.Low[s], j.High[s], j.N[s] = JSONFloat(iv.Mean), JSONFloat(iv.Low), JSONFloat(iv.High), iv.N
	}
	return j
}

// PoolHoursJSON returns the report's profiles as pools_by_hour.json holds
// them.
func (r *Report) PoolHoursJSON() JSONPoolsByHour {
	j := JSONPoolsByHour{SchemaVersion: SchemaVersion, Scenario: r.Scenario, Seed: r.Seed, Completed: len(r.Reps),
		Confidence: Confidence, Weekdays: metric.Weekdays[:], Pools: []JSONPoolHours{}}
	for i := range r.PoolHours {
		p := &r.PoolHours[i]
		j.Pools = append(j.Pools, JSONPoolHours{Pool: p.Pool, Queue: jsonHourIntervals(&p.Queue), WaitHours: jsonHourIntervals(&p.Wait),
			StartsPerHour: jsonHourIntervals(&p.Starts)})
	}
	return j
}

// WritePoolHoursJSON writes pools_by_hour.json: compact (one line; 168
// numbers an array would otherwise take a line each), for programs; people
// read pools_by_hour.csv.
func (r *Report) WritePoolHoursJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r.PoolHoursJSON())
}
