package results

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"pilotsim/datamodel"
)

// This file is the Time Release Study of event records (pilotsim trs): one
// streaming pass over the records, in memory that does not grow with their
// number. Every interval of every segment keeps a count, a sum, a sum of
// squares and a log-linear histogram (64 bins per doubling, so a quantile
// read from it is within 1.6% of the exact one); every record also falls in
// one of 64 bootstrap groups (blocks of 64 consecutive records in turn), and
// each group keeps its own count and sum, so a Poisson bootstrap over the
// groups gives intervals for every mean (and, from per-group histograms, for
// the median and p90 of arrival → release overall and per channel) without
// a second pass.

// TRSInterval is one interval a Time Release Study measures.
type TRSInterval int

// The intervals: the whole time, lodgement before or after arrival, risk
// assessment, what follows it, and the waiting and the control of each step.
const (
	IvTotal      TRSInterval = iota // arrival → release
	IvPreArrival                    // lodgement → arrival, declarations lodged before arrival
	IvPostLodge                     // arrival → lodgement, declarations lodged after arrival
	IvAssess                        // lodgement → channel assigned
	IvClear                         // ready (arrival and channel) → release
	ivSteps                         // then 2 per step: waiting, control
)

// NumTRSIntervals is the number of intervals.
const NumTRSIntervals = int(ivSteps) + 2*int(datamodel.NumSteps)

// StepWait and StepControl are the intervals of a control step: waiting for
// it (from joining its queue, or from being ready or the previous control's
// end) and the control itself (start to end).
func StepWait(s datamodel.Step) TRSInterval    { return ivSteps + TRSInterval(2*s) }
func StepControl(s datamodel.Step) TRSInterval { return ivSteps + TRSInterval(2*s) + 1 }

// Name is the interval's name in files (snake case).
func (iv TRSInterval) Name() string {
	switch iv {
	case IvTotal:
		return "arrival_to_release"
	case IvPreArrival:
		return "lodgement_to_arrival"
	case IvPostLodge:
		return "arrival_to_lodgement"
	case IvAssess:
		return "lodgement_to_channel"
	case IvClear:
		return "ready_to_release"
	}
	k := int(iv - ivSteps)
	s := datamodel.Step(k / 2)
	if k%2 == 0 {
		return s.String() + "_wait"
	}
	return s.String() + "_control"
}

// Label is the interval's name for readers.
func (iv TRSInterval) Label() string {
	switch iv {
	case IvTotal:
		return "arrival → release"
	case IvPreArrival:
		return "lodgement → arrival (lodged before arrival)"
	case IvPostLodge:
		return "arrival → lodgement (lodged after arrival)"
	case IvAssess:
		return "lodgement → channel assigned"
	case IvClear:
		return "ready → release"
	}
	k := int(iv - ivSteps)
	s := datamodel.Step(k / 2)
	if k%2 == 0 {
		return s.String() + ": waiting"
	}
	return s.String() + ": control"
}

// TRSSegmentKind is a way of splitting the records.
type TRSSegmentKind int

// The segment kinds, in report order.
const (
	SegAll TRSSegmentKind = iota
	SegChannel
	SegMode
	SegAEO
	SegLodgement
	SegOffice
	SegWeekday
	SegHour
	numSegKinds
)

var segKindNames = [numSegKinds]string{"all", "channel", "mode", "aeo", "lodgement", "office", "weekday", "hour"}

// Name is the kind's name in files.
func (k TRSSegmentKind) Name() string { return segKindNames[k] }

// Caps on the distinct values a text segment keeps; later values go to
// "other", so memory stays bounded.
const (
	trsMaxModes   = 16
	trsMaxOffices = 64
	trsMaxWeeks   = 1040
	trsMaxSamples = 1 << 16
	trsGroups     = 64
)

var weekdayNames = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// logHist is a histogram of durations in seconds: bin 0 holds exact zeros,
// bin 1 (0, 1 s), then 64 bins per doubling from 1 s to 2^28 s (8.5 years;
// longer values go to the last bin).
type logHist [2 + 28*64]uint32

const histSub = 6 // log2 of the bins per doubling

func histBin(x float64) int {
	if x <= 0 {
		return 0
	}
	if x < 1 {
		return 1
	}
	b := math.Float64bits(x)
	e := int(b>>52&0x7ff) - 1023
	if e >= 28 {
		return len(logHist{}) - 1
	}
	m := int(b >> (52 - histSub) & (1<<histSub - 1))
	return 2 + e<<histSub + m
}

// histBounds returns the lower and upper value of bin i.
func histBounds(i int) (float64, float64) {
	switch i {
	case 0:
		return 0, 0
	case 1:
		return 0, 1
	}
	k := i - 2
	e, m := k>>histSub, k&(1<<histSub-1)
	base := math.Ldexp(1, e)
	return base * (1 + float64(m)/(1<<histSub)), base * (1 + float64(m+1)/(1<<histSub))
}

// quantileOf returns the q-quantile of counts (weights per bin), linear
// within the bin; NaN when empty.
func quantileOf(counts func(i int) float64, n float64, q float64) float64 {
	if !(n > 0) {
		return math.NaN()
	}
	target := q * n
	cum := 0.0
	for i := range len(logHist{}) {
		c := counts(i)
		if c == 0 {
			continue
		}
		if cum+c >= target {
			lo, hi := histBounds(i)
			f := (target - cum) / c
			return lo + f*(hi-lo)
		}
		cum += c
	}
	_, hi := histBounds(len(logHist{}) - 1)
	return hi
}

// cdfOf returns the share of counts at or below x (bins below x's bin, and
// x's bin in proportion).
func cdfOf(h *logHist, n float64, x float64) float64 {
	if !(n > 0) {
		return math.NaN()
	}
	bx := histBin(x)
	cum := 0.0
	for i := 0; i < bx; i++ {
		cum += float64(h[i])
	}
	lo, hi := histBounds(bx)
	if hi > lo {
		cum += float64(h[bx]) * (x - lo) / (hi - lo)
	} else {
		cum += float64(h[bx])
	}
	return cum / n
}

// trsCell is one interval of one segment. The fields every value updates
// come first, so that they share a cache line.
type trsCell struct {
	n          int64
	sum, sumSq float64
	// filled counts the groups with at least one value: from trsGroups/2
	// on, the cell's bootstrap resamples blocks (blocksFor), never single
	// records, so fine is no longer kept up to date.
	filled  int32
	spilled bool
	// The values themselves while there are at most trsExact of them, so
	// that a small study's quantiles are exact (nil once spilled).
	xs                 []float64
	ks                 []uint16 // each value's record number mod 4096 (its groups)
	outliers, negative int64
	groups             [trsGroups]trsGroup // by block of 64 consecutive records
	fine               [trsGroups]trsGroup // by record (k mod 64), for cells of few blocks
	hist               logHist
}

// trsExact is the number of values a cell keeps exactly: up to it,
// quantiles are exact (linear between order statistics); past it, they
// are read from the histogram.
const trsExact = 1024

// blocksFor reports whether a cell's bootstrap resamples blocks of 64
// consecutive records (when its values fill at least half the groups) or,
// in a small study, single records.
func (c *trsCell) blocksFor() bool { return c.filled >= trsGroups/2 }

// trsGroup is a bootstrap group's count and sum in one cell (one cache line
// holds four).
type trsGroup struct {
	n   int64
	sum float64
}

// trsSegment is one segment: its cells and its counts.
type trsSegment struct {
	kind                                 TRSSegmentKind
	value                                string
	cells                                [NumTRSIntervals]*trsCell
	records, released, controlled, known int64
	irregular                            int64
	groupHist                            *groupHists // arrival → release per bootstrap group (all and channels)
	fineHist                             *groupHists // the same by record (k mod 64)
	within                               [4]int64    // released within each of TRSWithin's times
	has                                  uint32      // the intervals whose cells exist (bit i: cells[i])
}

// trsWeek is one week of the trend.
type trsWeek struct {
	start  int64 // Monday 00:00 of the week, seconds
	n      int64
	sum    float64
	hist   logHist
	arrive int64
	xs     []float64 // exact values while at most trsExact
	spill  bool
}

// TRSOptions are the choices of a Time Release Study.
type TRSOptions struct {
	// MaxInterval is the longest plausible interval in seconds: longer ones
	// are outliers, counted and left out of every figure (default 30 days).
	MaxInterval float64
	// Seed of the bootstrap (the group of each record and the weights).
	Seed uint64
	// Bootstrap is the number of bootstrap replicates for means (default
	// 1000); quantiles use a fifth of them (at least 100).
	Bootstrap int
}

// TRSStudy accumulates a Time Release Study over a stream of records.
type TRSStudy struct {
	opt       TRSOptions
	segs      []*trsSegment
	index     map[[2]string]int // (kind, value) → segment
	nKind     [numSegKinds]int
	weeks     map[int64]*trsWeek
	samples   map[string]struct{}
	first     float64 // earliest time seen
	last      float64 // latest time seen
	records   int64
	noRelease int64
	offset    float64 // the first record's offset (for the hours of week observed)
	// queue by hour of week (168) per step: waiting time sum and count by
	// the hour it began, and waiting time overlapping each hour (for the
	// mean queue length).
	waitSum  [datamodel.NumSteps][168]float64
	waitN    [datamodel.NumSteps][168]int64
	queueInt [datamodel.NumSteps][168]float64
	vals     []trsValue // the record's intervals within bounds (Add's scratch)
	segIdx   [numSegKinds]int
	withinAt [4]float64 // TRSWithin's times in seconds (released within)
	// the last sample and week seen: records of one sample, or one week,
	// come together
	lastSample string
	lastWeek   *trsWeek
	// segment indices by value, to spare the (kind, value) map per record
	fixed  [7]int // +1; 0 = not yet
	chIdx  [4]int // green, blue, yellow, red
	wdIdx  [7]int
	hrIdx  [24]int
	byName [numSegKinds]map[string]int
	recent [numSegKinds]recentNames
}

// cached returns the segment (kind, value) through *slot (index + 1).
func (t *TRSStudy) cached(slot *int, kind TRSSegmentKind, value string) int {
	if *slot == 0 {
		*slot = t.segment(kind, value) + 1
	}
	return *slot - 1
}

// named returns the segment of a text value ("" is unknown), from the
// kind's last distinct values or its map.
func (t *TRSStudy) named(kind TRSSegmentKind, value string) int {
	rc := &t.recent[kind]
	for i := range rc.value {
		if rc.set&(1<<i) != 0 && rc.value[i] == value {
			return rc.seg[i]
		}
	}
	i := t.namedMap(kind, value)
	j := rc.next % uint8(len(rc.value))
	rc.value[j], rc.seg[j] = value, i
	rc.set |= 1 << j
	rc.next++
	return i
}

// recentNames are the last distinct values of a segment kind and their
// segments: a study of a few offices or modes finds them with no map
// lookup.
type recentNames struct {
	value [8]string
	seg   [8]int
	set   uint8 // which entries are filled
	next  uint8
}

func (t *TRSStudy) namedMap(kind TRSSegmentKind, value string) int {
	m := t.byName[kind]
	if m == nil {
		m = map[string]int{}
		t.byName[kind] = m
	}
	if i, ok := m[value]; ok {
		return i
	}
	v := value
	if v == "" {
		v = "unknown"
	}
	i := t.segment(kind, v)
	if len(m) < 4096 {
		m[value] = i
	}
	return i
}

// channel returns the segment of a channel, without a map lookup for the
// four lanes.
func (t *TRSStudy) channel(c string) int {
	switch c {
	case "green":
		return t.cached(&t.chIdx[0], SegChannel, c)
	case "blue":
		return t.cached(&t.chIdx[1], SegChannel, c)
	case "yellow":
		return t.cached(&t.chIdx[2], SegChannel, c)
	case "red":
		return t.cached(&t.chIdx[3], SegChannel, c)
	}
	return t.named(SegChannel, c)
}

// NewTRSStudy returns an empty study.
func NewTRSStudy(opt TRSOptions) *TRSStudy {
	if !(opt.MaxInterval > 0) {
		opt.MaxInterval = 30 * 86400
	}
	if opt.Bootstrap <= 0 {
		opt.Bootstrap = 1000
	}
	t := &TRSStudy{opt: opt, index: map[[2]string]int{}, weeks: map[int64]*trsWeek{},
		samples: map[string]struct{}{}, first: math.Inf(1), last: math.Inf(-1),
		vals: make([]trsValue, 0, NumTRSIntervals)}
	for j, w := range TRSWithin {
		t.withinAt[j] = w.Hours*3600 + 1e-6
	}
	return t
}

func (t *TRSStudy) segment(kind TRSSegmentKind, value string) int {
	key := [2]string{segKindNames[kind], value}
	if i, ok := t.index[key]; ok {
		return i
	}
	limit := 0
	switch kind {
	case SegMode:
		limit = trsMaxModes
	case SegOffice:
		limit = trsMaxOffices
	}
	if limit > 0 && t.nKind[kind] >= limit && value != "other" {
		return t.segment(kind, "other")
	}
	t.nKind[kind]++
	s := &trsSegment{kind: kind, value: value}
	if kind == SegAll || kind == SegChannel {
		s.groupHist = new(groupHists)
		s.fineHist = new(groupHists)
	}
	t.segs = append(t.segs, s)
	t.index[key] = len(t.segs) - 1
	return len(t.segs) - 1
}

// trsValue is one interval of a record, within bounds: its value and
// histogram bin, computed once for the record's eight segments.
type trsValue struct {
	x   float64
	bin uint16
	iv  uint8
}

// Add adds one record.
func (t *TRSStudy) Add(r *datamodel.EventRecord) {
	off := float64(r.Offset) // hours and weekdays are local
	if t.records == 0 {
		t.offset = off
	}
	t.records++
	// Blocks of 64 consecutive records go to the groups in turn: records
	// close in time (which share queues) stay together, as in a block
	// bootstrap, and a block updates one cache line per cell. A study of
	// few blocks resamples single records instead (fine: record k mod 64).
	k := uint16((t.records - 1) % (trsGroups * 64))
	group, fine := int(k>>6), int(k%trsGroups)
	if s := r.Sample; s != t.lastSample || t.records == 1 {
		// Records of one sample come together: the set is looked up only
		// when the sample changes.
		if _, ok := t.samples[s]; !ok && len(t.samples) < trsMaxSamples {
			t.samples[s] = struct{}{}
		}
		t.lastSample = s
	}
	t.seen(r.Arrival)
	t.seen(r.Release)

	// The record's intervals: each one measured (both ends recorded) is
	// in present; those out of bounds in negative or outliers, the others
	// in vals with their histogram bins.
	var present, negative, outliers uint32
	vals := t.vals[:0]
	measure := func(iv TRSInterval, x float64) {
		switch {
		case math.IsNaN(x): // an end is missing
			return
		case x < 0:
			negative |= 1 << iv
		case x > t.opt.MaxInterval:
			outliers |= 1 << iv
		default:
			vals = append(vals, trsValue{x: x, bin: uint16(histBin(x)), iv: uint8(iv)})
		}
		present |= 1 << iv
	}
	ready := r.Ready()
	measure(IvTotal, r.Release-r.Arrival)
	if lead := r.Arrival - r.Lodgement; lead >= 0 {
		measure(IvPreArrival, lead)
	} else if lead < 0 {
		measure(IvPostLodge, -lead)
	}
	measure(IvAssess, r.Assessed-r.Lodgement)
	measure(IvClear, r.Release-ready)
	controlled := false
	for s := range datamodel.NumSteps {
		start, end := r.Start[s], r.End[s]
		if !math.IsNaN(end) {
			controlled = true
		}
		if math.IsNaN(start) {
			continue
		}
		entry := r.Queue[s]
		if math.IsNaN(entry) {
			entry = ready
			for o := range datamodel.NumSteps {
				if e := r.End[o]; o != s && e <= start && (math.IsNaN(entry) || e > entry) {
					entry = e
				}
			}
		}
		measure(StepWait(s), start-entry)
		measure(StepControl(s), end-start)
		if w := start - entry; w >= 0 && w <= t.opt.MaxInterval {
			t.seen(end)
			t.queue(s, entry, start, off)
		}
	}
	t.vals = vals
	released := !math.IsNaN(r.Release)
	if !released {
		t.noRelease++
	}
	// arrival → release, when within bounds: the within-time shares it
	// counts in and its bin.
	total, totalBin, totalOK := 0.0, 0, false
	var within [len(t.withinAt)]int64
	if len(vals) > 0 && vals[0].iv == uint8(IvTotal) {
		total, totalBin, totalOK = vals[0].x, int(vals[0].bin), true
		for j, w := range t.withinAt {
			if total <= w {
				within[j] = 1
			}
		}
	}

	// Segments of this record.
	idx := t.segIdx[:0]
	idx = append(idx, t.cached(&t.fixed[0], SegAll, "all"))
	idx = append(idx, t.channel(r.Channel))
	idx = append(idx, t.named(SegMode, r.Mode))
	switch r.AEO {
	case 1:
		idx = append(idx, t.cached(&t.fixed[1], SegAEO, "AEO"))
	case 0:
		idx = append(idx, t.cached(&t.fixed[2], SegAEO, "non-AEO"))
	default:
		idx = append(idx, t.cached(&t.fixed[3], SegAEO, "unknown"))
	}
	switch {
	case r.Lodgement <= r.Arrival:
		idx = append(idx, t.cached(&t.fixed[4], SegLodgement, "pre-arrival"))
	case r.Lodgement > r.Arrival:
		idx = append(idx, t.cached(&t.fixed[5], SegLodgement, "post-arrival"))
	default:
		idx = append(idx, t.cached(&t.fixed[6], SegLodgement, "unknown"))
	}
	idx = append(idx, t.named(SegOffice, r.Office))
	local := r.Arrival + off
	wd, hr := weekday(local), hourOf(local)
	idx = append(idx, t.cached(&t.wdIdx[wd], SegWeekday, weekdayNames[wd]))
	idx = append(idx, t.cached(&t.hrIdx[hr], SegHour, hourLabel(hr)))

	for _, si := range idx {
		sg := t.segs[si]
		sg.records++
		if released {
			sg.released++
		}
		if controlled {
			sg.controlled++
		}
		if r.Outcome >= 0 {
			sg.known++
			if r.Outcome == 1 {
				sg.irregular++
			}
		}
		if missing := present &^ sg.has; missing != 0 {
			for m := missing; m != 0; m &= m - 1 {
				sg.cells[bits.TrailingZeros32(m)] = new(trsCell)
			}
			sg.has |= missing
		}
		for m := negative; m != 0; m &= m - 1 {
			sg.cells[bits.TrailingZeros32(m)].negative++
		}
		for m := outliers; m != 0; m &= m - 1 {
			sg.cells[bits.TrailingZeros32(m)].outliers++
		}
		for i := range vals {
			v := &vals[i]
			x := v.x
			c := sg.cells[v.iv]
			c.n++
			c.sum += x
			c.sumSq += x * x
			c.hist[v.bin]++
			g := &c.groups[group]
			if g.n == 0 {
				c.filled++
			}
			g.n++
			g.sum += x
			if c.filled < trsGroups/2 {
				c.fine[fine].n++
				c.fine[fine].sum += x
			}
			if !c.spilled {
				if len(c.xs) < trsExact {
					c.xs = append(c.xs, x)
					c.ks = append(c.ks, k)
				} else {
					c.xs, c.ks, c.spilled = nil, nil, true
				}
			}
		}
		if totalOK {
			if sg.groupHist != nil {
				sg.groupHist[totalBin][group]++
				if sg.cells[IvTotal].filled < trsGroups/2 {
					sg.fineHist[totalBin][fine]++
				}
			}
			for j, w := range within {
				sg.within[j] += w
			}
		}
	}

	// The weekly trend of arrival → release.
	wk := weekStart(local)
	w := t.lastWeek
	if w == nil || w.start != wk {
		w = t.weeks[wk]
		if w == nil && len(t.weeks) < trsMaxWeeks {
			w = &trsWeek{start: wk}
			t.weeks[wk] = w
		}
		if w != nil {
			t.lastWeek = w
		}
	}
	if w != nil {
		w.arrive++
		if totalOK {
			w.n++
			w.sum += total
			w.hist[totalBin]++
			if !w.spill {
				if len(w.xs) < trsExact {
					w.xs = append(w.xs, total)
				} else {
					w.xs, w.spill = nil, true
				}
			}
		}
	}
}

func (t *TRSStudy) seen(x float64) {
	if math.IsNaN(x) {
		return
	}
	t.first = math.Min(t.first, x)
	t.last = math.Max(t.last, x)
}

// queue adds a wait from entry to start to the step's hour-of-week figures
// (local time: off seconds from UTC).
func (t *TRSStudy) queue(s datamodel.Step, entry, start, off float64) {
	h := hourOfWeek(entry + off)
	t.waitSum[s][h] += start - entry
	t.waitN[s][h]++
	// Spread the wait over the hours of the week it overlaps: whole weeks
	// at once, then hour by hour.
	d := start - entry
	if weeks := math.Floor(d / (168 * 3600)); weeks >= 1 {
		for i := range t.queueInt[s] {
			t.queueInt[s][i] += weeks * 3600
		}
		entry += weeks * 168 * 3600
	}
	for x := entry; x < start; {
		hb := math.Floor((x+off)/3600)*3600 - off + 3600 // end of x's hour
		y := math.Min(hb, start)
		t.queueInt[s][hourOfWeek(x+off)] += y - x
		x = y
	}
}

func dayOf(x float64) int64 { return int64(math.Floor(x / 86400)) }

// weekday is 0 for Monday (1970-01-01 was a Thursday).
func weekday(x float64) int { return int(((dayOf(x)+3)%7 + 7) % 7) }

func hourOf(x float64) int { return int(((int64(math.Floor(x/3600)))%24 + 24) % 24) }

func hourOfWeek(x float64) int { return weekday(x)*24 + hourOf(x) }

func weekStart(x float64) int64 { return (dayOf(x) - int64(weekday(x))) * 86400 }

func hourLabel(h int) string { return hourLabels[h] }

var hourLabels = func() [24]string {
	var l [24]string
	for h := range l {
		l[h] = twoDigits(h) + "h"
	}
	return l
}()

func twoDigits(h int) string {
	if h < 10 {
		return "0" + strconv.Itoa(h)
	}
	return strconv.Itoa(h)
}

// TRSStat is the summary of one interval of one segment. Times in hours.
type TRSStat struct {
	Kind, Segment string
	Interval      TRSInterval
	N             int64 // intervals counted
	Outliers      int64 // longer than MaxInterval, left out
	Negative      int64 // end before start (inconsistent records), left out
	Mean          float64
	MeanLow       float64 // bootstrap 95% interval of the mean
	MeanHigh      float64
	Median        float64
	MedianLow     float64 // bootstrap interval (arrival → release of all and channels only; NaN elsewhere)
	MedianHigh    float64
	P90           float64
	P90Low        float64
	P90High       float64
	P10, P25, P75 float64
	SD            float64
	IQR           float64
}

// TRSSegmentCounts are a segment's counts.
type TRSSegmentCounts struct {
	Kind, Segment string
	Records       int64
	Released      int64
	Controlled    int64              // at least one control ended
	Known         int64              // with a recorded control outcome
	Irregular     int64              // outcome irregular
	Within        map[string]float64 // share of records released within 1h, 4h, 24h, 48h (a record not released counts as late)
}

// TRSWeek is one week of the trend.
type TRSWeek struct {
	Start    string // Monday, YYYY-MM-DD
	Arrivals int64
	N        int64
	Mean     float64
	Median   float64
	P90      float64
}

// TRSQueue is the waiting for one control step at one hour of the day or
// one day of the week.
type TRSQueue struct {
	Step      string
	By        string  // "hour" or "weekday"
	At        string  // "07h", "Mon" …
	Waits     int64   // waits that began then
	MeanWait  float64 // hours, of those waits
	MeanQueue float64 // mean number of consignments waiting then
}

// TRSResult is a finished study.
type TRSResult struct {
	Records     int64
	NotReleased int64
	Samples     int
	First, Last float64 // seconds
	MaxInterval float64 // seconds
	Bootstrap   int
	Stats       []TRSStat
	Segments    []TRSSegmentCounts
	Weeks       []TRSWeek
	Queues      []TRSQueue
	StepsSeen   []string

	curves []trsCurve // arrival → release histograms of all and the channels, for the report's curves
}

type trsCurve struct {
	kind, seg string
	hist      *logHist
}

// TRSWithin are the times of the within-time shares.
var TRSWithin = []struct {
	Name  string
	Hours float64
}{{"1h", 1}, {"4h", 4}, {"24h", 24}, {"48h", 48}}

// Result summarizes the study: every statistic of every (segment, interval)
// with at least one value, bootstrap intervals, the weekly trend and the
// queue by hour of week.
func (t *TRSStudy) Result() *TRSResult {
	res := &TRSResult{Records: t.records, NotReleased: t.noRelease, Samples: max(1, len(t.samples)),
		First: t.first, Last: t.last, MaxInterval: t.opt.MaxInterval, Bootstrap: t.opt.Bootstrap}
	order := make([]int, len(t.segs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		sa, sb := t.segs[order[a]], t.segs[order[b]]
		if sa.kind != sb.kind {
			return sa.kind < sb.kind
		}
		return segLess(sa, sb)
	})
	// Bootstrap weights per replicate and group, from the seed.
	B := t.opt.Bootstrap
	weights := make([][trsGroups]float64, B)
	rng := rand.New(rand.NewPCG(t.opt.Seed, 0x7452535f626f6f74)) // "TRS_boot"
	for b := range weights {
		for g := range weights[b] {
			weights[b][g] = float64(poisson1(rng))
		}
	}
	stepSeen := [datamodel.NumSteps]bool{}
	for _, si := range order {
		sg := t.segs[si]
		counts := TRSSegmentCounts{Kind: sg.kind.Name(), Segment: sg.value, Records: sg.records, Released: sg.released,
			Controlled: sg.controlled, Known: sg.known, Irregular: sg.irregular, Within: map[string]float64{}}
		if sg.records > 0 {
			// Counted exactly (a release time equal to the target is
			// within it); a record not released counts as late.
			for j, w := range TRSWithin {
				counts.Within[w.Name] = float64(sg.within[j]) / float64(sg.records)
			}
		}
		res.Segments = append(res.Segments, counts)
		for iv, c := range sg.cells {
			if c == nil {
				continue
			}
			if iv >= int(ivSteps) && c.n > 0 {
				stepSeen[(iv-int(ivSteps))/2] = true
			}
			st := TRSStat{Kind: sg.kind.Name(), Segment: sg.value, Interval: TRSInterval(iv), N: c.n,
				Outliers: c.outliers, Negative: c.negative}
			n := float64(c.n)
			h := &c.hist
			q := func(p float64) float64 { return quantileOf(func(i int) float64 { return float64(h[i]) }, n, p) / 3600 }
			if !c.spilled {
				sorted := slices.Sorted(slices.Values(c.xs))
				q = func(p float64) float64 { return quantile7(sorted, p) / 3600 }
			}
			st.Mean = c.sum / n / 3600
			if c.n > 1 {
				st.SD = math.Sqrt(math.Max(0, (c.sumSq-c.sum*c.sum/n)/(n-1))) / 3600
			} else {
				st.SD = math.NaN()
			}
			st.Median, st.P90, st.P10, st.P25, st.P75 = q(0.5), q(0.9), q(0.1), q(0.25), q(0.75)
			st.IQR = st.P75 - st.P25
			blocks := c.blocksFor()
			st.MeanLow, st.MeanHigh = bootMean(c, weights, blocks)
			st.MedianLow, st.MedianHigh, st.P90Low, st.P90High = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			if TRSInterval(iv) == IvTotal && sg.groupHist != nil {
				res.curves = append(res.curves, trsCurve{sg.kind.Name(), sg.value, &c.hist})
				qw := weights[:min(B, max(100, B/5))]
				switch {
				case c.n < 2:
				case !c.spilled:
					st.MedianLow, st.MedianHigh, st.P90Low, st.P90High = bootExact(c, qw, blocks)
				case blocks:
					st.MedianLow, st.MedianHigh, st.P90Low, st.P90High = bootQuantiles(sg.groupHist, qw)
				default:
					st.MedianLow, st.MedianHigh, st.P90Low, st.P90High = bootQuantiles(sg.fineHist, qw)
				}
			}
			if c.n == 0 {
				st.Mean, st.MeanLow, st.MeanHigh = math.NaN(), math.NaN(), math.NaN()
			}
			res.Stats = append(res.Stats, st)
		}
	}
	for s, ok := range stepSeen {
		if ok {
			res.StepsSeen = append(res.StepsSeen, datamodel.Step(s).String())
		}
	}
	wks := make([]int64, 0, len(t.weeks))
	for k := range t.weeks {
		wks = append(wks, k)
	}
	slices.Sort(wks)
	for _, k := range wks {
		w := t.weeks[k]
		n := float64(w.n)
		h := &w.hist
		q := func(p float64) float64 { return quantileOf(func(i int) float64 { return float64(h[i]) }, n, p) / 3600 }
		if !w.spill {
			sorted := slices.Sorted(slices.Values(w.xs))
			q = func(p float64) float64 { return quantile7(sorted, p) / 3600 }
		}
		res.Weeks = append(res.Weeks, TRSWeek{Start: dateString(w.start), Arrivals: w.arrive, N: w.n,
			Mean: w.sum / n / 3600, Median: q(0.5), P90: q(0.9)})
	}
	// Hours of week observed: each hour of week counted once per time it
	// occurs between the first and the last instant, times the samples.
	var occ [168]float64
	if t.last > t.first {
		off := t.offset
		startH := math.Floor((t.first + off) / 3600)
		endH := math.Ceil((t.last + off) / 3600)
		total := endH - startH
		full := math.Floor(total / 168)
		for i := range occ {
			occ[i] = full
		}
		for x := startH + full*168; x < endH; x++ {
			occ[hourOfWeek(x*3600)]++
		}
	}
	for s := range datamodel.NumSteps {
		if !stepSeen[s] {
			continue
		}
		add := func(by, at string, hws func(hw int) bool) {
			q := TRSQueue{Step: datamodel.Step(s).String(), By: by, At: at, MeanWait: math.NaN(), MeanQueue: math.NaN()}
			var wait, queue, seen float64
			for hw := range 168 {
				if hws(hw) {
					q.Waits += t.waitN[s][hw]
					wait += t.waitSum[s][hw]
					queue += t.queueInt[s][hw]
					seen += occ[hw]
				}
			}
			if q.Waits > 0 {
				q.MeanWait = wait / float64(q.Waits) / 3600
			}
			if seen > 0 {
				q.MeanQueue = queue / (seen * 3600 * float64(res.Samples))
			}
			res.Queues = append(res.Queues, q)
		}
		for h := range 24 {
			add("hour", hourLabel(h), func(hw int) bool { return hw%24 == h })
		}
		for d := range 7 {
			add("weekday", weekdayNames[d], func(hw int) bool { return hw/24 == d })
		}
	}
	return res
}

// segLess orders the values of one kind: channels in lane order, weekdays
// and hours in time order, others by name with "other" and "unknown" last.
func segLess(a, b *trsSegment) bool {
	rank := func(s *trsSegment) (int, string) {
		switch s.value {
		case "other":
			return 1000, ""
		case "unknown":
			return 1001, ""
		}
		switch s.kind {
		case SegChannel:
			return map[string]int{"green": 0, "blue": 1, "yellow": 2, "red": 3}[s.value], ""
		case SegWeekday:
			return slices.Index(weekdayNames[:], s.value), ""
		case SegAEO:
			return map[string]int{"AEO": 0, "non-AEO": 1}[s.value], ""
		case SegLodgement:
			return map[string]int{"pre-arrival": 0, "post-arrival": 1}[s.value], ""
		}
		return 0, s.value
	}
	ra, na := rank(a)
	rb, nb := rank(b)
	if ra != rb {
		return ra < rb
	}
	return na < nb
}

// poisson1 draws from Poisson(1) by inversion.
func poisson1(rng *rand.Rand) int {
	u := rng.Float64()
	p := math.Exp(-1)
	cum := p
	k := 0
	for u > cum && k < 20 {
		k++
		p /= float64(k)
		cum += p
	}
	return k
}

// quantile7 is the p-quantile of sorted values, linear between order
// statistics (Hyndman and Fan's type 7: R's default, numpy's and Excel's
// PERCENTILE.INC); NaN when empty.
func quantile7(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	h := p * float64(len(xs)-1)
	lo := int(math.Floor(h))
	hi := min(lo+1, len(xs)-1)
	return xs[lo] + (h-float64(lo))*(xs[hi]-xs[lo])
}

// bootExact is the bootstrap of the median and p90 of a cell that kept its
// values: each replicate weighs every value by its group's Poisson weight
// and reads the quantile (type 7) of the weighted values.
func bootExact(c *trsCell, weights [][trsGroups]float64, blocks bool) (mLo, mHi, pLo, pHi float64) {
	type vk struct {
		x float64
		g int
	}
	vals := make([]vk, len(c.xs))
	for i, k := range c.ks {
		g := int(k % trsGroups)
		if blocks {
			g = int(k >> 6)
		}
		vals[i] = vk{c.xs[i], g}
	}
	slices.SortStableFunc(vals, func(a, b vk) int { return cmpFloat(a.x, b.x) })
	// valueAt is the value at 0-based index j of the replicate's sorted
	// values (each value repeated by its weight).
	valueAt := func(w *[trsGroups]float64, j float64) float64 {
		cum := 0.0
		last := math.NaN()
		for _, v := range vals {
			cnt := w[v.g]
			if cnt == 0 {
				continue
			}
			if j < cum+cnt {
				return v.x
			}
			cum += cnt
			last = v.x
		}
		return last
	}
	at := func(w *[trsGroups]float64, n, p float64) float64 {
		h := p * (n - 1)
		lo := math.Floor(h)
		x0 := valueAt(w, lo)
		if h == lo {
			return x0
		}
		return x0 + (h-lo)*(valueAt(w, lo+1)-x0)
	}
	meds := make([]float64, 0, len(weights))
	p90s := make([]float64, 0, len(weights))
	for i := range weights {
		w := &weights[i]
		n := 0.0
		for _, v := range vals {
			n += w[v.g]
		}
		if n > 0 {
			meds = append(meds, at(w, n, 0.5)/3600)
			p90s = append(p90s, at(w, n, 0.9)/3600)
		}
	}
	mLo, mHi = percentileInterval(meds)
	pLo, pHi = percentileInterval(p90s)
	return
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bootMean is the 95% percentile interval of the mean over the bootstrap
// replicates, in hours: over blocks of records, or single records when the
// cell's values fill too few blocks.
func bootMean(c *trsCell, weights [][trsGroups]float64, blocks bool) (float64, float64) {
	if c.n < 2 {
		return math.NaN(), math.NaN()
	}
	groups := &c.groups
	if !blocks {
		groups = &c.fine
	}
	means := make([]float64, 0, len(weights))
	for _, w := range weights {
		var s, n float64
		for g := range trsGroups {
			if gr := groups[g]; gr.n > 0 {
				s += w[g] * gr.sum
				n += w[g] * float64(gr.n)
			}
		}
		if n > 0 {
			means = append(means, s/n/3600)
		}
	}
	return percentileInterval(means)
}

// groupHists are the histograms of the bootstrap groups, bin by bin: the
// 64 groups' counts of a bin side by side (gh[bin][group]), so that
// consecutive blocks of records, which count in consecutive groups, share
// cache lines.
type groupHists [len(logHist{})][trsGroups]uint32

// bootQuantiles are the 95% intervals of the median and p90 from the
// per-group histograms.
func bootQuantiles(gh *groupHists, weights [][trsGroups]float64) (mLo, mHi, pLo, pHi float64) {
	meds := make([]float64, 0, len(weights))
	p90s := make([]float64, 0, len(weights))
	// Each group's bins with a count, in bin order: the same in every
	// replicate, which weighs them (group by group, bin by bin).
	type binCount struct {
		bin int
		c   float64
	}
	var counts [trsGroups][]binCount
	for i := range gh {
		for g, c := range &gh[i] {
			if c != 0 {
				counts[g] = append(counts[g], binCount{i, float64(c)})
			}
		}
	}
	var merged [len(logHist{})]float64
	for _, w := range weights {
		clear(merged[:])
		n := 0.0
		for g := range trsGroups {
			if w[g] == 0 {
				continue
			}
			for _, bc := range counts[g] {
				merged[bc.bin] += w[g] * bc.c
				n += w[g] * bc.c
			}
		}
		if n > 0 {
			f := func(i int) float64 { return merged[i] }
			meds = append(meds, quantileOf(f, n, 0.5)/3600)
			p90s = append(p90s, quantileOf(f, n, 0.9)/3600)
		}
	}
	mLo, mHi = percentileInterval(meds)
	pLo, pHi = percentileInterval(p90s)
	return
}

func percentileInterval(xs []float64) (float64, float64) {
	if len(xs) < 10 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(xs)
	at := func(p float64) float64 {
		i := p * float64(len(xs)-1)
		lo := int(math.Floor(i))
		hi := min(lo+1, len(xs)-1)
		f := i - float64(lo)
		return xs[lo]*(1-f) + xs[hi]*f
	}
	return at(0.025), at(0.975)
}

func dateString(sec int64) string {
	d := sec / 86400
	y, m, day := civilFromDays(d)
	return strconv.Itoa(y) + "-" + twoDigits(m) + "-" + twoDigits(day)
}

// civilFromDays is the date of a day number since 1970-01-01 (Howard
// Hinnant's algorithm).
func civilFromDays(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}
