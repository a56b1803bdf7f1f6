// Package metric defines the figures a replication of pilotsim reports: a
// typed definition (family, subject, part, statistic, unit, and for a ratio
// what is counted above and below the line) and the values one replication
// measured.
//
// The engine (sim) builds the definitions, results reads them; both import
// this small leaf package, which imports nothing of the project, so the flow
// scenarios → sim → results stays one-way and results can merge shard files
// without the engine. A definition's flat dotted name ("release.red.p90") is
// made in one place, Def.Name, for files and tables; inside the program a
// metric is found by its Key, never by taking a name apart.
package metric

import (
	"math"
	"strconv"
	"strings"
)

// Unit is the unit of a figure.
type Unit string

// Units of figures.
const (
	Count    Unit = "count"    // a number of consignments (or of servers, queue places)
	Fraction Unit = "fraction" // a share, rate or probability in [0, 1]
	Hours    Unit = "h"        // a time in hours
	Currency Unit = "currency" // an amount of duty
	// Load is a ratio of like quantities that can exceed 1 (a pool's
	// offered load: work offered / capacity), shown as a percentage; unlike
	// a Fraction its interval is not held to [0, 1].
	Load Unit = "load"
	None Unit = "" // a figure of no unit
)

// Family is the first part of a metric's name: what kind of figure it is.
type Family string

// Families of metrics, the first part of their names.
const (
	Consignments Family = "consignments"    // consignments that arrived in the window
	Lane         Family = "lane"            // lane.<lane>.share, lane.<lane>.<reason>.count
	Share        Family = "share"           // share.<group>: a group's share of consignments
	Inspection   Family = "inspection_rate" // controlled / consignments
	Hit          Family = "hit_rate"        // found irregular / controlled
	Irregular    Family = "irregular"       // irregular.count (ground truth)
	Detection    Family = "detection_rate"  // found / irregular
	Duty         Family = "duty"            // duty.at_stake, duty.recovered
	Release      Family = "release"         // release.<lane or group>.<stat>
	TRS          Family = "trs"             // Time Release Study intervals and pool stages
	Pool         Family = "pool"            // pool.<pool>.<stat>
	InSystem     Family = "in_system"       // in_system.count, in_system.mean_age
	Lift         Family = "lift"            // lift over random selection
	Unreleased   Family = "unreleased"      // window arrivals the drain's cap left unreleased
	Drain        Family = "drain"           // drain.hours: the drain after the horizon
	Warmup       Family = "warmup"          // warmup.hours, warmup.mser_hours
	Backlog      Family = "backlog"         // backlog.growth, backlog.trend_t: the backlog's trend
	Unstable     Family = "unstable"        // unstable: 1 when a replication is unstable
	Cost         Family = "cost"            // cost.officer_hours.per_day, cost.scans.per_day, cost.per_day
)

// Kind says what a metric's Subject names.
type Kind string

// Kinds of subjects.
const (
	All      Kind = ""         // no subject: the whole
	OfLane   Kind = "lane"     // a lane: green, blue, yellow, red
	OfGroup  Kind = "group"    // a group of consignments: aeo, non_aeo, pre_arrival, post_arrival, a mode
	OfThreat Kind = "threat"   // a threat of the scenario
	OfPool   Kind = "pool"     // a control pool of the scenario
	OfSpan   Kind = "interval" // a Time Release Study interval: arrival_lodgement …
	OfReason Kind = "reason"   // a reason of selection: score, forced, random, expected
	OfRoute  Kind = "route"    // a route: the pools a controlled consignment visits, joined by +
)

// Stat is the last part of a metric's name: the statistic.
type Stat string

// Statistics.
const (
	Value          Stat = ""                 // the figure itself (consignments, hit_rate, share.aeo …)
	Of             Stat = "share"            // a share of consignments (lane.<lane>.share)
	N              Stat = "count"            // a number of consignments
	Mean           Stat = "mean"             // mean
	Median         Stat = "median"           // median
	P90            Stat = "p90"              // 90th percentile
	P95            Stat = "p95"              // 95th percentile
	Max            Stat = "max"              // largest
	Within         Stat = "within"           // share released within Key.Within minutes
	WithinTarget   Stat = "within_target"    // share released within the target
	AtStake        Stat = "at_stake"         // duty at stake
	Recovered      Stat = "recovered"        // duty recovered
	Utilization    Stat = "utilization"      // busy / available server time
	OvertimePerDay Stat = "overtime_per_day" // hours worked past closing, per day
	MeanWait       Stat = "mean_wait"        // mean queue wait
	MeanQueue      Stat = "mean_queue"       // time-average queue length
	MaxQueue       Stat = "max_queue"        // longest queue
	MeanAge        Stat = "mean_age"         // mean time since arrival
	PerDay         Stat = "per_day"          // a quantity per day of the measured window
	Estimate       Stat = "estimate"         // an estimate from what an administration sees
	True           Stat = "true"             // the truth only a simulation knows
	Length         Stat = "hours"            // a length of time in hours (drain.hours, warmup.hours)
	MSER           Stat = "mser_hours"       // the MSER truncation point, in hours
	OfferedLoad    Stat = "offered_load"     // work offered / capacity
	Growth         Stat = "growth"           // fitted growth over the window
	TrendT         Stat = "trend_t"          // t statistic of a trend's slope
)

// Key identifies a metric: its family, subject, part, statistic and, for
// Within, the time. Two metrics of one run never share a key.
type Key struct {
	Family  Family `json:"family"`
	Subject string `json:"subject,omitempty"` // a lane, group, threat, pool or interval; "" for the whole
	// Part qualifies the subject: the reason of a lane count
	// (lane.red.random.count), the stage of a pool's Time Release Study
	// (trs.document.wait.mean), the reason of a hit or detection rate.
	Part   string `json:"part,omitempty"`
	Stat   Stat   `json:"stat,omitempty"`
	Within int    `json:"within_min,omitempty"` // minutes, for Stat Within
}

// Name returns the flat dotted name files carry: family, subject, part and
// statistic joined by dots, each left out when empty; a Within statistic is
// "within.<T>" with T in minutes ("15m") or whole hours ("24h").
func (k Key) Name() string {
	var b strings.Builder
	for _, p := range [...]string{string(k.Family), k.Subject, k.Part, string(k.Stat)} {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	if k.Stat == Within {
		b.WriteByte('.')
		b.WriteString(WithinLabel(k.Within))
	}
	return b.String()
}

// WithinLabel writes a time of minutes as the names carry it: whole hours as
// "24h", else minutes as "15m".
func WithinLabel(minutes int) string {
	if minutes%60 == 0 {
		return strconv.Itoa(minutes/60) + "h"
	}
	return strconv.Itoa(minutes) + "m"
}

// Def is the definition of one metric.
type Def struct {
	Key
	Of   Kind `json:"of,omitempty"` // what Subject names
	Unit Unit `json:"unit"`
	// Num and Den say, for a ratio, what is counted above and below the
	// line ("controlled and found irregular", "controlled"). Counted
	// reports that both count consignments: a replication then carries the
	// denominator (Rep.Den), and the ratio's interval can be no narrower
	// than binomial sampling of that many consignments allows.
	Num     string `json:"num,omitempty"`
	Den     string `json:"den,omitempty"`
	Counted bool   `json:"counted,omitempty"`
	Help    string `json:"help,omitempty"` // one line saying what the figure is
}

// Rep is what one replication measured: Values[i] is the value of metric i,
// NaN where it is undefined (a hit rate with nothing controlled, a
// percentile with nothing released). Den[i] is, for a Counted ratio, its
// denominator in this replication (NaN for other metrics); Den is nil when
// the replication carries no denominators.
type Rep struct {
	Rep    int
	Values []float64
	Den    []float64
	// Hours is, per pool in the scenario's order, its profile by hour of
	// the week; nil unless the run asked for it (sim.Options.PoolHours). It
	// is an output of its own, not metrics: 3 × 168 figures per pool would
	// swell every metric table.
	Hours []PoolHours
}

// HoursPerWeek is the number of hours in a week: the bins of a PoolHours
// profile. Bin 24·d + h is hour h (h:00 to h+1:00) of weekday d, Monday
// first: simulated time 0 is a Monday at 00:00.
const HoursPerWeek = 7 * 24

// Weekdays are the weekday names of the bins, Monday first, as opening hours
// spell them.
var Weekdays = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// PoolHours is what one replication measured of one control pool in each
// hour of the week, over the statistics window of time [warm-up, window
// end) as the pool's other figures (every week of the window adds to the
// same 168 bins).
type PoolHours struct {
	Pool string
	// Queue is the time-average number waiting in the pool's queue during
	// the bin's hours; NaN where the window has no time in the bin.
	Queue [HoursPerWeek]float64
	// Wait is the mean queue wait in hours of the controls that started
	// in the bin; NaN where none started (the pool was closed, or idle).
	Wait [HoursPerWeek]float64
	// Starts is the number of controls started per hour of the bin (so
	// per week); NaN where the window has no time in the bin.
	Starts [HoursPerWeek]float64
}

// Index maps the keys of defs to their positions.
func Index(defs []Def) map[Key]int {
	m := make(map[Key]int, len(defs))
	for i, d := range defs {
		m[d.Key] = i
	}
	return m
}

// Ratio is a/b, NaN when b is 0.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
