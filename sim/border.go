package sim

import (
	"math"
	"math/rand/v2"

	"pilotsim/metric"
)

// The border is a discrete-event simulation in simulated minutes (t = 0 is
// Monday 00:00). Consignments are fed one at a time in arrival order (add);
// before each is taken in, every event up to its arrival is handled, and
// finish handles the rest up to the horizon, then drains (see Statistics).
//
// Routing. Green and blue consignments are released as soon as they are both
// present and assigned a lane: at max(Arrival, LaneAt). Yellow and red
// consignments become ready for control at max(Arrival, LaneAt) (a late
// lodgement delays release, advance information does not) and visit the pools
// of their lane's route in order, each with one FIFO queue; release is the end
// of the last control.
//
// Random draws. A control's service time (PurposeControls) and its detection
// uniform u (PurposeDetection) are keyed by (replication, consignment Seq,
// method, how many controls of that method the consignment had before), not
// drawn in event order: a consignment controlled in two scenarios gets the
// same service time and the same detection outcome in both (common random
// numbers), however the queues differ.
//
// Detection. Every control performed has its own uniform u. An irregular consignment not yet found is found by the control when
// u < p, p being its threat's probability for the pool's method; found is
// sticky and later stages still take place (the physical examination after a
// scan alarm is how a finding is confirmed and the goods held). An NII scan
// alarms when it finds the threat, when the consignment was already found, or
// as a false alarm with the pool's false_alarm probability (u < p + (1-p)·fa,
// so one draw decides both). With red_physical_on_alarm, a red consignment
// whose latest NII scan did not alarm skips the physical-method stages that
// follow; a red route without an NII stage (e.g. [physical]) always examines.
//
// Opening hours. A service starts only while its pool is open; work that finds
// the pool closed waits for the next opening; a service in progress at closing
// time finishes (overtime). See borderHours.
//
// Statistics. Consignment statistics cover the consignments that arrived in
// the statistics window [warm-up, wend) (wend is the horizon unless the
// scenario's window_end ends it earlier; arrivals go on to the horizon). After
// the horizon the border drains: no new arrivals, events go on until every
// window arrival is released or the drain's cap (horizon + drain) is reached.
// So release times are not censored at the horizon. Lane, reason,
// irregularity and duty-at-stake counts are taken on arrival; release-time
// means, percentiles and TRS figures over the window arrivals released by the
// end of the drain; those the cap leaves unreleased are counted (unreleased)
// and count as late in every within-target and within-T share; "found" means
// found by a control that ended by the end of the drain. Pool statistics are
// time averages over the window of time [warm-up, wend], whatever the
// consignment's arrival, so Little's law holds between a pool's mean queue,
// its entries in the window and their waits. The backlog at the horizon
// (every consignment not yet released then, whenever it arrived) is reported
// as in_system with its mean age; nothing is dropped silently.
//
// Hot path. Consignments in control live in a slab of slots indexed by int32
// with a free list; the event queue is a binary heap of 16-byte events; each
// pool's queue is a ring buffer of slot indices. All are reused across
// replications: nothing is allocated per consignment once they have grown to
// the largest number in the system.

// Milestones are a consignment's Time Release Study milestones, in simulated
// minutes since the start of the replication. Stage k < Stages is the k-th
// control performed: Pools[k] is the pool's index in the scenario's
// resources.pools, Queue[k] when it joined the queue, Start[k] and End[k] the
// service. Entries from Stages on are unused (Pools -1).
type Milestones struct {
	Arrival, Lodgement, LaneAt float64
	Release                    float64 // NaN when not released by the end of the drain
	Queue, Start, End          [MaxStages]float64
	Pools                      [MaxStages]int8
	Stages                     int8 // controls performed (or begun, at the horizon)
	Found                      bool // an irregular consignment found by a control
	FoundStage                 int8 // the stage that found it, -1 if none
	// Route is the index of the route taken among the routes reported
	// (RouteNames of the metrics: the lanes' routes, then unions of rule
	// routes); -1 for a consignment with no control.
	Route int8
}

// TraceSink receives every consignment of one replication with its
// milestones, once its outcome is known. c and ms are only valid during the
// call. Calls are not in order of release: a green or blue consignment (no
// control) is traced as soon as the border takes it in, in arrival order,
// with its release max(Arrival, LaneAt) already decided (or Release NaN when
// that is past the end of the drain), even when consignments traced after it
// were released earlier; a yellow or red consignment is traced when its last
// control ends, or when the simulation stops (the drain is over or hit its
// cap) if it is still in the system (Release NaN; Stages counts controls
// begun). The order depends only on the replication's
// consignments, so it is the same for any worker count. The first error
// stops tracing for the replication and fails the run.
type TraceSink interface {
	Consignment(c *Consignment, ms *Milestones) error
	Close() error
}

type borderEventKind uint8

const (
	borderEvReady borderEventKind = iota // consignment ready for its first control
	borderEvDone                         // a service ended
	borderEvOpen                         // a pool opens
	borderEvPhase                        // a scenario phase starts: server counts change
)

// borderEvent is one scheduled event.
type borderEvent struct {
	t    float64
	slot int32
	pool int16
	kind borderEventKind
}

// borderSlot holds one consignment in control.
type borderSlot struct {
	c       Consignment
	ms      Milestones
	ri      int8              // position in the route of the current or next control
	route   borderRoute       // the pools to visit: the lane's route or its routed rules' union
	visits  [NumMethods]uint8 // controls done per method
	cleared bool              // the latest NII scan did not alarm
	live    bool
	window  bool // arrived in the statistics window
}

// borderDrawKey is the 64 random bits of the draw for consignment seq's
// visit-th control of method m.
func borderDrawKey(key, seq uint64, m Method, visit uint8) uint64 {
	return mix(key ^ mix(seq^uint64(uint8(m))<<56^uint64(visit)<<48))
}

// borderRing is a FIFO queue of slot indices (power-of-two ring buffer).
type borderRing struct {
	buf  []int32
	head int
	n    int
}

func (q *borderRing) push(x int32) {
	if q.n == len(q.buf) {
		nb := make([]int32, max(16, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = x
	q.n++
}

func (q *borderRing) pop() int32 {
	x := q.buf[q.head]
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return x
}

// borderPoolState is a pool's state and its statistics over [warm-up, wend].
type borderPoolState struct {
	busy        int32
	q           borderRing
	openPending bool
	last        float64 // time of the last state change accounted for
	qArea       float64 // ∫ queue length dt over the window
	busyArea    float64 // ∫ busy servers dt over the window
	overArea    float64 // the part of busyArea outside opening hours (overtime)
	hours       *borderHours
	servers     int32 // in force now (phases change it)
	maxQ        int
	waitSum     float64 // waits of services started in the window
	starts      int64   // services started in the window
	entries     int64   // queue entries (arrivals at the pool) in the window
	// byHour: the queue area and the waits by hour of the week (border_byhour.go).
	byHour *borderByHour
}

// borderStats are a replication's consignment statistics.
type borderStats struct {
	n           int64
	lane        [NumLanes]int64
	reason      [NumLanes][NumReasons]int64
	irregular   int64
	irrThreat   []int64
	foundThreat []int64
	foundLane   [NumLanes]int64
	// By reason of selection, over controlled (yellow or red) consignments:
	// controlled, irregular among them (ground truth), found.
	ctlReason   [NumReasons]int64
	irrReason   [NumReasons]int64
	foundReason [NumReasons]int64
	dutyAtStake float64
	release     [NumLanes]borderDist // release times in minutes, per lane
	withinAll   int64
	withinLane  [NumLanes]int64
	lateAll     int64           // window arrivals not released by the end of the drain (late for every target)
	lateLane    [NumLanes]int64 // … per lane
	// relBy[l][k] counts lane l's releases whose release time is at most
	// borderWithin[k] and above the ladder time before it (k = len: above
	// all); ageBy is the same for window arrivals not released by the end of
	// the drain (all above every time: late). Cumulative sums give
	// release.<lane>.within.<T> exactly.
	relBy [NumLanes][len(borderWithin) + 1]int64
	ageBy [NumLanes][len(borderWithin) + 1]int64
	// Groups (see borderGroupsConfig): arrivals, controlled and found per
	// fixed group (arrival counts); release times of the tracked groups and
	// within-target and late counts against the overall target.
	grpN        [borderGroupModes]int64
	grpCtl      [borderGroupModes]int64
	grpFound    [borderGroupModes]int64
	grpRelease  []borderDist
	grpWithin   [borderMaxGroups]int64
	grpLate     [borderMaxGroups]int64
	trs         [3]float64 // sums of the three TRS intervals
	wait        []float64  // per pool: waits of released consignments' visits
	service     []float64
	visits      []int64
	inSystem    int64   // backlog at the horizon, whenever they arrived
	inSystemAge float64 // sum of their ages at the horizon
	// The drain: window arrivals not released by its end, and how long
	// after the horizon the last window arrival was released (minutes).
	unreleased int64
	drainLen   float64

	// Stability and warm-up (stability.go): the warm-up this replication
	// uses (minutes), the backlog (consignments in control) at each day
	// boundary warmup + k·1440 within the window, and the sum and count of
	// release times per day of arrival from time 0 (for MSER).
	warmup  float64
	backlog []float64
	dayRel  []float64
	dayN    []int64
	// per reported route (borderConfig.routeSets): consignments, irregular
	// ones and found ones
	routeN, routeIrr, routeFound []int64

	dutyRecovered float64
}

func (st *borderStats) init(cfg *borderConfig) {
	st.irrThreat = make([]int64, len(cfg.threatNames))
	st.foundThreat = make([]int64, len(cfg.threatNames))
	st.wait = make([]float64, len(cfg.pools))
	st.service = make([]float64, len(cfg.pools))
	st.visits = make([]int64, len(cfg.pools))
	st.routeN = make([]int64, len(cfg.routeSets))
	st.routeIrr = make([]int64, len(cfg.routeSets))
	st.routeFound = make([]int64, len(cfg.routeSets))
	st.grpRelease = make([]borderDist, cfg.groups.tracked)
	days := int(cfg.horizon/1440) + 1
	st.backlog = make([]float64, 0, days+1)
	st.dayRel = make([]float64, days)
	st.dayN = make([]int64, days)
	st.reset()
}

func (st *borderStats) reset() {
	irr, fnd, wait, svc, vis, grp := st.irrThreat, st.foundThreat, st.wait, st.service, st.visits, st.grpRelease
	bl, dr, dn := st.backlog[:0], st.dayRel, st.dayN
	rn, ri, rf := st.routeN, st.routeIrr, st.routeFound
	*st = borderStats{irrThreat: irr, foundThreat: fnd, wait: wait, service: svc, visits: vis, grpRelease: grp,
		backlog: bl, dayRel: dr, dayN: dn, routeN: rn, routeIrr: ri, routeFound: rf}
	clear(dr)
	clear(dn)
	clear(rn)
	clear(ri)
	clear(rf)
	clear(irr)
	clear(fnd)
	clear(wait)
	clear(svc)
	clear(vis)
	for l := range st.release {
		st.release[l].reset()
	}
	for g := range st.grpRelease {
		st.grpRelease[g].reset()
	}
}

// border is the discrete-event simulation of one replication at a time. It is
// single-threaded and reused across the replications a worker runs.
type border struct {
	cfg     *borderConfig
	ctrlKey uint64     // key of the replication's PurposeControls draws
	detKey  uint64     // key of its PurposeDetection draws
	svcSrc  *rand.PCG  // re-seeded for each service-time draw
	svcRand *rand.Rand // draws from svcSrc
	events  []borderEvent
	slots   []borderSlot
	free    []int32
	pools   []borderPoolState
	byHour  []borderByHour // per pool, pointed to by pools[i].byHour
	hours   bool           // values returns the pools' hour-of-week profiles
	st      borderStats
	scratch Milestones
	sink    TraceSink
	sinkErr error
	pending int64      // window arrivals in control, not released yet
	nextDay float64    // the next day boundary at which to sample the backlog
	learn   *learnLoop // the targeting loop told of every outcome (learnloop.go), or nil
}

var borderNoPools = func() (p [MaxStages]int8) {
	for i := range p {
		p[i] = -1
	}
	return
}()

func newBorder(cfg *borderConfig) *border {
	b := &border{cfg: cfg, pools: make([]borderPoolState, len(cfg.pools)), byHour: make([]borderByHour, len(cfg.pools)), svcSrc: rand.NewPCG(0, 0)}
	b.svcRand = rand.New(b.svcSrc)
	b.st.init(cfg)
	return b
}

// reset starts replication rep; sink may be nil.
func (b *border) reset(rep int, sink TraceSink) {
	b.ctrlKey = StreamKey(b.cfg.seed, rep, PurposeControls)
	b.detKey = StreamKey(b.cfg.seed, rep, PurposeDetection)
	b.events = b.events[:0]
	b.slots = b.slots[:0]
	b.free = b.free[:0]
	for i := range b.pools {
		q := b.pools[i].q
		q.head, q.n = 0, 0
		b.byHour[i] = borderByHour{}
		b.pools[i] = borderPoolState{q: q, hours: &b.cfg.pools[i].hours, servers: b.cfg.pools[i].servers, byHour: &b.byHour[i]}
	}
	for k := 1; k < len(b.cfg.phases); k++ {
		b.push(borderEvent{t: b.cfg.phases[k].at, pool: int16(k), kind: borderEvPhase})
	}
	b.st.reset()
	b.sink, b.sinkErr = sink, nil
	b.pending = 0
	b.setWarmup(b.cfg.warmup)
}

// push adds an event to the heap.
func (b *border) push(e borderEvent) {
	b.events = append(b.events, e)
	h := b.events
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].t <= e.t {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// pop removes and returns the earliest event.
func (b *border) pop() borderEvent {
	h := b.events
	top := h[0]
	n := len(h) - 1
	last := h[n]
	b.events = h[:n]
	h = h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].t < h[c].t {
			c++
		}
		if last.t <= h[c].t {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = last
	}
	return top
}

// advance handles every event at or before t.
func (b *border) advance(t float64) {
	for len(b.events) > 0 && b.events[0].t <= t {
		b.handle(b.pop())
	}
}

// handle handles one event.
func (b *border) handle(e borderEvent) {
	switch e.kind {
	case borderEvReady:
		b.slots[e.slot].ri = 0
		b.route(e.slot, e.t)
	case borderEvDone:
		b.done(e.slot, int(e.pool), e.t)
	case borderEvOpen:
		b.open(int(e.pool), e.t)
	case borderEvPhase:
		b.phase(int(e.pool), e.t)
	}
}

// inWindow reports whether a consignment arriving at t is measured.
func (b *border) inWindow(t float64) bool { return t >= b.st.warmup && t < b.cfg.wend }

// inPoolWindow reports whether a pool event at t counts in the pool
// statistics (the window of time [warm-up, wend)).
func (b *border) inPoolWindow(t float64) bool { return t >= b.st.warmup && t < b.cfg.wend }

// setWarmup sets the warm-up of the replication just reset (a fixed one, or
// the one MSER chose).
func (b *border) setWarmup(w float64) {
	b.st.warmup = w
	b.nextDay = w
}

// sampleBacklog records the backlog (consignments in control) at every day
// boundary of the window up to t, handling the events before each first.
func (b *border) sampleBacklog(t float64) {
	for b.nextDay <= t && b.nextDay <= b.cfg.wend {
		b.advance(b.nextDay)
		b.st.backlog = append(b.st.backlog, float64(len(b.slots)-len(b.free)))
		b.nextDay += 1440
	}
}

// upTo handles every event at or before t (an arrival), sampling the
// backlog at the day boundaries on the way.
func (b *border) upTo(t float64) {
	if t >= b.nextDay {
		b.sampleBacklog(t)
	}
	if len(b.events) > 0 && b.events[0].t <= t {
		b.advance(t)
	}
}

// add takes in the next consignment in arrival order, with its lane assigned.
func (b *border) add(c *Consignment) {
	b.upTo(c.Arrival)
	st := &b.st
	win := b.inWindow(c.Arrival)
	if win {
		st.n++
		st.lane[c.Lane]++
		st.reason[c.Lane][c.Reason]++
		a, p, _ := b.cfg.groups.of(c)
		st.grpN[a]++
		st.grpN[p]++
		if c.Lane == Yellow || c.Lane == Red {
			st.grpCtl[a]++
			st.ctlReason[c.Reason]++
			if c.Threat != NoThreat {
				st.irrReason[c.Reason]++
			}
		}
		if c.Threat != NoThreat {
			st.irregular++
			st.irrThreat[c.Threat]++
			st.dutyAtStake += c.Duty
		}
	}
	ready := max(c.Arrival, c.LaneAt)
	rt, ri := b.cfg.routeOf(c)
	if c.Phase > 0 {
		// The route of the consignment's phase; its index in the
		// scenario's routes for the metrics by route.
		ph := &b.cfg.phases[c.Phase]
		rt, ri = ph.cfg.routeOf(c)
		if ri >= 0 {
			ri = ph.routeMap[ri]
		}
	}
	if win && ri >= 0 {
		b.st.routeN[ri]++
		if c.Threat != NoThreat {
			b.st.routeIrr[ri]++
		}
	}
	if rt.n == 0 {
		ms := &b.scratch
		*ms = Milestones{Arrival: c.Arrival, Lodgement: c.Lodgement, LaneAt: c.LaneAt, Release: math.NaN(), Pools: borderNoPools, FoundStage: -1, Route: -1}
		if ready > b.cfg.horizon {
			st.inSystem++
			st.inSystemAge += b.cfg.horizon - c.Arrival
		}
		if ready <= b.cfg.end {
			ms.Release = ready
			b.complete(c, ms)
			if win && ready > b.cfg.horizon {
				st.drainLen = max(st.drainLen, ready-b.cfg.horizon)
			}
		} else {
			b.stillIn(c, ms)
		}
		return
	}
	if win {
		b.pending++
	}
	var slot int32
	if n := len(b.free); n > 0 {
		slot = b.free[n-1]
		b.free = b.free[:n-1]
	} else {
		b.slots = append(b.slots, borderSlot{})
		slot = int32(len(b.slots) - 1)
	}
	s := &b.slots[slot]
	s.c = *c
	s.ms = Milestones{Arrival: c.Arrival, Lodgement: c.Lodgement, LaneAt: c.LaneAt, Release: math.NaN(), Pools: borderNoPools, FoundStage: -1, Route: ri}
	s.ri, s.cleared, s.live, s.window, s.visits = 0, false, true, win, [NumMethods]uint8{}
	s.route = *rt
	b.push(borderEvent{t: ready, slot: slot, kind: borderEvReady})
}

// route sends the consignment in slot to its next control at t, or releases it.
func (b *border) route(slot int32, t float64) {
	s := &b.slots[slot]
	ph := &b.cfg.phases[s.c.Phase]
	r := &s.route
	for s.ri < r.n {
		p := int(r.pools[s.ri])
		// Physical examination after a scan only on alarm: on the red
		// lane's route and on any rule route (of the consignment's phase).
		if s.cleared && ph.onAlarm && b.cfg.pools[p].method == MethodPhysical &&
			(s.c.Lane == Red || s.route != ph.cfg.routes[s.c.Lane]) {
			s.ri++
			continue
		}
		b.enter(slot, p, t)
		return
	}
	s.ms.Release = t
	if s.window {
		b.pending--
		if t > b.cfg.horizon {
			b.st.drainLen = max(b.st.drainLen, t-b.cfg.horizon)
		}
	}
	b.complete(&s.c, &s.ms)
	s.live = false
	b.free = append(b.free, slot)
}

// account brings pool p's time integrals up to t; they cover the window of
// time [warm-up, wend] only.
func (b *border) account(ps *borderPoolState, t float64) {
	lo, hi := max(ps.last, b.st.warmup), min(t, b.cfg.wend)
	if hi > lo {
		dt := hi - lo
		ps.qArea += float64(ps.q.n) * dt
		if ps.q.n > 0 {
			ps.byHour.addQueue(lo, hi, float64(ps.q.n))
		}
		ps.busyArea += float64(ps.busy) * dt
		if ps.busy > 0 && !ps.hours.always {
			ps.overArea += float64(ps.busy) * (dt - ps.hours.openTime(lo, hi))
		}
		if ps.q.n > ps.maxQ {
			ps.maxQ = ps.q.n
		}
	}
	ps.last = t
}

// enter puts the consignment in slot into pool p's queue at t, or straight
// into service.
func (b *border) enter(slot int32, p int, t float64) {
	s := &b.slots[slot]
	k := s.ms.Stages
	s.ms.Pools[k] = int8(p)
	s.ms.Queue[k] = t
	s.ms.Start[k], s.ms.End[k] = math.NaN(), math.NaN() // until they happen
	ps := &b.pools[p]
	pc := &b.cfg.pools[p]
	if b.inPoolWindow(t) {
		ps.entries++
	}
	open := pc.hours.isOpen(t)
	if ps.q.n == 0 && ps.busy < ps.servers && open {
		b.start(slot, p, t)
		return
	}
	b.account(ps, t)
	ps.q.push(slot)
	if ps.q.n > ps.maxQ && b.inPoolWindow(t) {
		ps.maxQ = ps.q.n
	}
	if !open && !ps.openPending {
		ps.openPending = true
		b.push(borderEvent{t: pc.hours.nextOpen(t), pool: int16(p), kind: borderEvOpen})
	}
}

// start begins the service of the consignment in slot at pool p at t.
func (b *border) start(slot int32, p int, t float64) {
	ps := &b.pools[p]
	b.account(ps, t)
	ps.busy++
	s := &b.slots[slot]
	k := s.ms.Stages
	s.ms.Start[k] = t
	if b.inPoolWindow(t) {
		ps.waitSum += t - s.ms.Queue[k]
		ps.starts++
		ps.byHour.addStart(t, t-s.ms.Queue[k])
	}
	pc := &b.cfg.pools[p]
	h := borderDrawKey(b.ctrlKey, s.c.Seq, pc.method, s.visits[pc.method])
	b.svcSrc.Seed(h, mix(h))
	d := b.cfg.phases[s.c.Phase].service[p].Sample(b.svcRand)
	if !(d > 0) {
		d = 0
	}
	b.push(borderEvent{t: t + d, slot: slot, pool: int16(p), kind: borderEvDone})
}

// serve starts queued work at pool p while servers are free and it is open.
func (b *border) serve(p int, t float64) {
	ps := &b.pools[p]
	pc := &b.cfg.pools[p]
	for ps.q.n > 0 && ps.busy < ps.servers {
		if !pc.hours.isOpen(t) {
			if !ps.openPending {
				ps.openPending = true
				b.push(borderEvent{t: pc.hours.nextOpen(t), pool: int16(p), kind: borderEvOpen})
			}
			return
		}
		b.account(ps, t)
		b.start(ps.q.pop(), p, t)
	}
}

// done ends the service of the consignment in slot at pool p at t: detection,
// the next queued consignment, and the consignment's next control.
func (b *border) done(slot int32, p int, t float64) {
	ps := &b.pools[p]
	pc := &b.cfg.pools[p]
	b.account(ps, t)
	ps.busy--
	s := &b.slots[slot]
	k := s.ms.Stages
	s.ms.End[k] = t
	s.ms.Stages++

	u := float64(borderDrawKey(b.detKey, s.c.Seq, pc.method, s.visits[pc.method])>>11) * 0x1p-53
	s.visits[pc.method]++
	var alarm bool
	ph := &b.cfg.phases[s.c.Phase]
	if th := s.c.Threat; th != NoThreat {
		pd := ph.detect[th][pc.method]
		switch {
		case s.ms.Found:
			alarm = true
		case u < pd:
			s.ms.Found, s.ms.FoundStage, alarm = true, k, true
		default:
			alarm = u < pd+(1-pd)*ph.falseAlarm[p]
		}
	} else {
		alarm = u < ph.falseAlarm[p]
	}
	if pc.method == MethodNII {
		s.cleared = !alarm
	}

	b.serve(p, t)
	s.ri++
	b.route(slot, t)
}

// phase starts scenario phase k at t: every pool gets the phase's number of
// servers (a pool with fewer lets the services under way finish and starts
// no more until it is below the new count).
func (b *border) phase(k int, t float64) {
	for p := range b.pools {
		ps := &b.pools[p]
		if n := b.cfg.phases[k].servers[p]; n != ps.servers {
			b.account(ps, t)
			ps.servers = n
			b.serve(p, t)
		}
	}
}

// open is pool p's opening at t.
func (b *border) open(p int, t float64) {
	b.pools[p].openPending = false
	b.serve(p, t)
}

// complete records a released consignment.
func (b *border) complete(c *Consignment, ms *Milestones) {
	if d := int(c.Arrival / 1440); d < len(b.st.dayRel) {
		b.st.dayRel[d] += ms.Release - c.Arrival
		b.st.dayN[d]++
	}
	if b.inWindow(c.Arrival) {
		st := &b.st
		rt := ms.Release - c.Arrival
		st.release[c.Lane].add(rt)
		a, p, md := b.cfg.groups.of(c)
		st.grpRelease[a].add(rt)
		st.grpRelease[p].add(rt)
		if md >= 0 {
			st.grpRelease[md].add(rt)
		}
		if rt <= b.cfg.targetAll {
			st.withinAll++
			st.grpWithin[a]++
			st.grpWithin[p]++
			if md >= 0 {
				st.grpWithin[md]++
			}
		}
		if rt <= b.cfg.targetLane[c.Lane] { // false for NaN
			st.withinLane[c.Lane]++
		}
		st.relBy[c.Lane][borderWithinIndex(rt)]++
		lodged := max(c.Arrival, c.Lodgement)
		ready := max(c.Arrival, c.LaneAt)
		st.trs[0] += lodged - c.Arrival
		st.trs[1] += ready - lodged
		st.trs[2] += ms.Release - ready
		for k := int8(0); k < ms.Stages; k++ {
			p := ms.Pools[k]
			st.wait[p] += ms.Start[k] - ms.Queue[k]
			st.service[p] += ms.End[k] - ms.Start[k]
			st.visits[p]++
		}
		b.found(c, ms)
	}
	b.trace(c, ms)
}

// found counts a found consignment (one that arrived in the window).
func (b *border) found(c *Consignment, ms *Milestones) {
	if ms.Found {
		st := &b.st
		st.foundThreat[c.Threat]++
		st.foundLane[c.Lane]++
		if ms.Route >= 0 {
			st.routeFound[ms.Route]++
		}
		st.foundReason[c.Reason]++
		a, _, _ := b.cfg.groups.of(c)
		st.grpFound[a]++
		st.dutyRecovered += c.Duty
	}
}

// stillIn records a consignment not released when the simulation stops
// (the end of the drain). One that arrived in the window is unreleased: its
// release time is unknown and at least the drain's length, so it counts as
// late against every target and every time of the within ladder.
func (b *border) stillIn(c *Consignment, ms *Milestones) {
	st := &b.st
	if b.inWindow(c.Arrival) {
		st.unreleased++
		st.lateAll++
		a, p, md := b.cfg.groups.of(c)
		st.grpLate[a]++
		st.grpLate[p]++
		if md >= 0 {
			st.grpLate[md]++
		}
		st.lateLane[c.Lane]++
		st.ageBy[c.Lane][len(borderWithin)]++
		b.found(c, ms)
	}
	b.trace(c, ms)
}

func (b *border) trace(c *Consignment, ms *Milestones) {
	if b.learn != nil {
		b.learn.released(c, ms)
	}
	if b.sink != nil && b.sinkErr == nil {
		b.sinkErr = b.sink.Consignment(c, ms)
	}
}

// finish runs the simulation to the horizon, records the backlog there, then
// drains: it handles events, without new arrivals, until every window
// arrival is released or the drain's cap is reached, and reports what is
// still in the system.
func (b *border) finish() {
	b.sampleBacklog(b.cfg.wend)
	b.advance(b.cfg.horizon)
	st := &b.st
	for i := range b.slots {
		if s := &b.slots[i]; s.live {
			st.inSystem++
			st.inSystemAge += b.cfg.horizon - s.c.Arrival
		}
	}
	for b.pending > 0 && len(b.events) > 0 && b.events[0].t <= b.cfg.end {
		b.handle(b.pop())
	}
	if b.pending > 0 {
		st.drainLen = b.cfg.end - b.cfg.horizon // the cap was hit
	}
	for i := range b.pools {
		b.account(&b.pools[i], b.cfg.wend)
	}
	for i := range b.slots {
		s := &b.slots[i]
		if s.live {
			if s.ms.Stages < MaxStages && s.ms.Pools[s.ms.Stages] >= 0 {
				s.ms.Stages++ // the control begun: queued (Start NaN) or in service (End NaN)
			}
			b.stillIn(&s.c, &s.ms)
			s.live = false
		}
	}
}

// values returns replication rep's metric values (and the denominators of
// its counted ratios), in borderMetricDefs order.
func (b *border) values(rep int) metric.Rep {
	n := len(b.cfg.defs)
	w := borderMetricWriter{vals: make([]float64, 0, n), dens: make([]float64, 0, n)}
	b.st.emit(b.cfg, &w, b.pools)
	r := metric.Rep{Rep: rep, Values: w.vals, Den: w.dens}
	if b.hours {
		r.Hours = b.poolHours()
	}
	return r
}
