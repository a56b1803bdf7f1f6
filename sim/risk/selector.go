package risk

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/vm"

	"pilotsim/datamodel"
	"pilotsim/internal/safefile"
	"pilotsim/scenarios"
)

// ExprEnv is what an expr rule sees: the consignment's fields under their
// names in rules (origin, chapter, value_per_kg, …). It is defined with the
// scenario format, where validation type-checks every expression against it.
type ExprEnv = scenarios.ExprEnv

// Selector assigns lanes: it is the risk engine's per-stream state (its
// random stream for the minimum random rates, the running lane counts of the
// expected rates, the expression VM and its environment). One Selector may
// assess with several Engines (the simulator's phases) and keeps one count
// across them. The zero Selector needs Reset before Assess. It is not safe
// for concurrent use: one per goroutine.
type Selector struct {
	rng   *rand.Rand
	n     uint64
	count [NumLanes]uint64
	env   ExprEnv
	vm    vm.VM
	err   error
	seq   uint64 // the consignment being assessed, for RuleError
}

// Reset starts a new stream of consignments (the simulator's replication)
// drawing the random rates from rng: no consignment assessed, no error.
func (s *Selector) Reset(rng *rand.Rand) {
	s.rng = rng
	s.n = 0
	s.count = [NumLanes]uint64{}
	s.err = nil
}

// Err returns the first error an expr rule gave while running (such a rule
// counts as not matched), or nil.
func (s *Selector) Err() error { return s.err }

// Assess scores c and assigns its lane, in ASYCUDA's precedence:
//
//  1. Score = sum of the scores of the rules that match, minus the AEO
//     discount for AEO traders. If rules that force a lane match, the highest
//     forced lane is taken (reason Forced); otherwise the first of red,
//     yellow, blue whose threshold the score reaches (>=), else green (reason
//     Score). Then, with selectivity.max_hits, a consignment that hit at
//     least max_hits.count rules goes at least to max_hits.lane (reason
//     Forced when this raises its lane): the highest forced lane wins, so
//     a rule forcing green does not keep it green, while a higher lane by
//     score or by a rule is kept. The count is of rules hit, whatever their
//     scores, and the AEO discount does not change it.
//  2. Minimum random rates: one uniform u per consignment splits into red
//     [0, r_red), yellow [r_red, r_red+r_yellow), blue [.., +r_blue). A
//     consignment drawn for a lane moves into it only if it is in a lower
//     lane (reason Random): random selection never lowers a lane, so each
//     lane's random sample is an unbiased sample of all its consignments
//     (the compliance-measurement sample). AEO consignments are not drawn for
//     a lane marked aeo_exempt.
//  3. Expected rates: a consignment still green by its score (not forced
//     green, not drawn) is pulled into red if red's share among the
//     consignments assessed so far in this replication, counting this one,
//     is below its expected rate; else yellow, else blue likewise (reason
//     Expected).
//
// The uniform of step 2 is drawn for every consignment, whatever its lane, so
// that scenarios that differ in rules see the same random draws.
//
// x holds the extra values of a declaration read from a file, which field
// and history criteria test (backtest); nil in simulation.
func (s *Selector) Assess(rm *Engine, c *Consignment, x *Extra) {
	forced := s.score(rm, c, x)
	score := c.Score
	aeo := c.Flags&FlagAEO != 0
	lane, reason := Green, ReasonScore
	switch {
	case forced >= 0:
		lane, reason = Lane(forced), ReasonForced
	case score >= rm.thresh[Red]:
		lane = Red
	case score >= rm.thresh[Yellow]:
		lane = Yellow
	case score >= rm.thresh[Blue]:
		lane = Blue
	}
	if rm.maxHits > 0 && lane < rm.maxHitsLane && c.Hits.Count() >= rm.maxHits {
		lane, reason = rm.maxHitsLane, ReasonForced
	}

	u := s.rng.Float64()
	if rm.randomAny {
		drawn := Green
		switch {
		case u < rm.randomCum[Red]:
			drawn = Red
		case u < rm.randomCum[Yellow]:
			drawn = Yellow
		case u < rm.randomCum[Blue]:
			drawn = Blue
		}
		if drawn > lane && !(aeo && rm.aeoExempt[drawn]) {
			lane, reason = drawn, ReasonRandom
		}
	}

	s.n++
	if rm.hasExpected && lane == Green && reason == ReasonScore && !(aeo && rm.expAEOExempt) {
		n := float64(s.n)
		for _, l := range [3]Lane{Red, Yellow, Blue} {
			if e := rm.expected[l]; e > 0 && float64(s.count[l]) < e*n {
				lane, reason = l, ReasonExpected
				break
			}
		}
	}
	s.count[lane]++
	c.Lane, c.Reason = lane, reason
}

// Score sets c's Hits and Score (after the AEO discount) as Assess does,
// without assigning a lane or drawing: the rules' view of c, for a policy
// that ranks consignments by it. x is as for Assess.
func (s *Selector) Score(rm *Engine, c *Consignment, x *Extra) { s.score(rm, c, x) }

// score sets c's Hits and Score and returns the highest lane a rule that
// holds forces, or -1.
func (s *Selector) score(rm *Engine, c *Consignment, x *Extra) int8 {
	s.seq = c.Seq
	c.Hits = RuleSet{}
	score := 0.0
	forced := int8(-1)
	if rm.hasExpr {
		s.fillEnv(rm, c)
	}
	if x != nil {
		rm.prog.setRates(x)
		// The rules that are one history test alone, whatever the
		// candidates (they have no condition on origin, chapter or hub):
		// by slot, from threshold tables (histSlot).
		var h0, h1 uint64
		if rm.histSlots != nil {
			for i := range rm.histSlots {
				w0, w1 := rm.histSlots[i].hits(x)
				h0 |= w0
				h1 |= w1
			}
		} else {
			h0, h1 = histHits(rm.hist, x)
		}
		c.Hits[0] |= h0
		c.Hits[1] |= h1
	}
	// Candidate rules: those whose origin, chapter and hub conditions admit
	// the consignment's; the others cannot hold.
	cand := rm.byOrigin[c.Origin]
	if ch := c.HS / 10000; ch < uint32(len(rm.byChapter)) {
		bc := &rm.byChapter[ch]
		cand[0] &= bc[0]
		cand[1] &= bc[1]
	}
	bh := &rm.byHub[c.Hub]
	cand[0] &= bh[0] &^ rm.histMask[0]
	cand[1] &= bh[1] &^ rm.histMask[1]
	// First which rules hold, then their scores in rule order (the order
	// of the sum is the rules').
	for w := range cand { // by index: ranging over an array's values copies it
		word := cand[w]
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &= word - 1
			i := w<<6 | b
			r := &rm.rules[i]
			var hit bool
			switch {
			case r.extra >= 0: // a rule of one field or history test, as most of a backtest's
				hit = x != nil && rm.prog.extra[r.extra].match(x)
			case r.expr == nil:
				hit = rm.prog.evalExtra(r.root, c, x)
			default:
				hit = s.runExpr(r.expr, rm, i)
			}
			if hit {
				c.Hits[w] |= 1 << b
			}
		}
	}
	for w := range c.Hits {
		word := c.Hits[w]
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &= word - 1
			r := &rm.rules[w<<6|b]
			score += r.score
			if r.force > forced {
				forced = r.force
			}
		}
	}
	if c.Flags&FlagAEO != 0 {
		score -= rm.aeoDiscount
	}
	c.Score = score
	return forced
}

// fillEnv sets the expr environment from c.
func (s *Selector) fillEnv(rm *Engine, c *Consignment) {
	e := &s.env
	e.Origin = c.Origin.String()
	e.Dispatch = c.Dispatch.String()
	e.Hub = c.Hub.String()
	e.Routed = c.Hub != datamodel.NoCountry
	e.HS = riskHSString(c.HS)
	e.Chapter = int(c.HS / 10000)
	e.Heading = int(c.HS / 100)
	e.ValuePerKg, e.GrossWeight, e.Value = c.ValuePerKg, c.GrossWeight, c.Value
	e.AEO = c.Flags&FlagAEO != 0
	e.NewTrader = c.Flags&FlagNew != 0
	e.Trader = ""
	if t := int(c.Trader); t >= 0 && t < len(rm.traderIDs) {
		e.Trader = rm.traderIDs[t]
	}
	e.Mode = c.Mode.String()
	e.LodgedAfterArrival = c.Lodgement > c.Arrival
	e.LeadHours = (c.Arrival - c.Lodgement) / 60
	e.ArrivalHour = int(math.Floor(c.Arrival/60)) % 24
	e.ArrivalWeekday = int(math.Floor(c.Arrival/(24*60))) % 7
	if e.ArrivalHour < 0 {
		e.ArrivalHour += 24
	}
	if e.ArrivalWeekday < 0 {
		e.ArrivalWeekday += 7
	}
}

// RuleError is an expression rule that failed while running on a
// consignment (int("CN"), an integer division by zero, an index out of
// range): what the type check at compile time cannot rule out. It is the
// scenario's fault, so the command line reports it as bad input, once, with
// the rule's id, file and line, or the --set that gave the expression.
type RuleError struct {
	File string // the scenario file ("" when built in code)
	Line int    // the rule's line in it (0 when unknown)
	Set  string // the --set the expression came from ("" when from the file)
	ID   string // the rule's id
	Seq  uint64 // the consignment it failed on (0-based, in arrival order)
	Err  error  // what expr-lang reported
}

// Error names file, line (or --set) and rule, and what failed, on one line:
// "small.yaml:50: rule R3: …" or "small.yaml: --set rules[R3].expr: rule R3: …".
func (e *RuleError) Error() string {
	where := e.File
	switch {
	case e.Set != "":
		if where != "" {
			where += ": "
		}
		where += "--set " + safefile.Clip(e.Set, 160)
	case e.Line > 0:
		where += ":" + strconv.Itoa(e.Line)
	}
	if where != "" {
		where += ": "
	}
	msg, _, _ := strings.Cut(e.Err.Error(), "\n")
	return fmt.Sprintf("%srule %s: its expression failed on consignment %d: %s", where, e.ID, e.Seq, msg)
}

// Unwrap returns what expr-lang reported.
func (e *RuleError) Unwrap() error { return e.Err }

// runExpr runs rule i of rm on the current environment. A failure counts as
// not matched; the first is kept for Err.
func (s *Selector) runExpr(p *vm.Program, rm *Engine, i int) bool {
	out, err := s.vm.Run(p, &s.env)
	if err != nil {
		if s.err == nil {
			sc := rm.sc
			re := &RuleError{File: sc.Path, ID: rm.ids[i], Seq: s.seq, Err: err}
			if i < len(sc.Rules) {
				re.Line, re.Set = sc.Rules[i].Line, sc.Rules[i].Set
			}
			s.err = re
		}
		return false
	}
	b, _ := out.(bool)
	return b
}

// riskHSString formats a 6-digit HS code with leading zeros.
func riskHSString(hs uint32) string {
	var b [6]byte
	for i := 5; i >= 0; i-- {
		b[i] = byte('0' + hs%10)
		hs /= 10
	}
	return string(b[:])
}

// This fails to compile when RuleSet is not the two words that score and
// histSlot.hits handle.
var _ [2]uint64 = RuleSet{}
