package sim

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// riskModel is the compiled risk engine: rules and selectivity.
type riskModel struct {
	prog  riskProgram
	rules []riskRule
	// byOrigin[o], byChapter[ch] and byHub[h] are the rules that can hold
	// for a consignment of that origin, chapter and hub (NoCountry when not
	// routed): Assess evaluates only the rules in all three.
	byOrigin  [256]RuleSet
	byChapter [100]RuleSet
	byHub     [256]RuleSet
	ids       []string
	hasExpr   bool
	schema    *ExtraSchema // set by CompileRules (extra.go) before compile

	thresh       [NumLanes]float64 // score thresholds of blue, yellow, red; +Inf when absent
	aeoDiscount  float64
	maxHits      int               // rules hit that force selection into maxHitsLane; 0 = off
	maxHitsLane  Lane              // Red or Yellow
	randomCum    [NumLanes]float64 // cumulative random rates in the order red, yellow, blue (index by lane)
	randomAny    bool
	aeoExempt    [NumLanes]bool
	expected     [NumLanes]float64
	hasExpected  bool
	expAEOExempt bool // AEO consignments are never pulled in by expected rates

	assessment scenarios.Sampler
	assessZero bool
}

// riskRule is one compiled rule.
type riskRule struct {
	root  int32       // criteria node, when expr is nil
	expr  *vm.Program // compiled expression, or nil
	score float64
	force int8 // forced lane, or -1
}

func (rm *riskModel) compile(m *Model, sc *scenarios.Scenario, errf compileErrf) error {
	if len(sc.Rules) > MaxRules {
		return errf("rules: at most %d rules, got %d", MaxRules, len(sc.Rules))
	}
	rc := riskCompiler{p: &rm.prog, traderCount: m.traderCount, schema: rm.schema}
	for i := range sc.Rules {
		r := &sc.Rules[i]
		where := fmt.Sprintf("rules[%d]", i)
		if r.ID != "" {
			where = "rule " + r.ID
		}
		if r.Line > 0 {
			where = "line " + strconv.Itoa(r.Line) + ": " + where
		}
		if r.ID == "" {
			return errf("%s: missing id", where)
		}
		for j := range i {
			if sc.Rules[j].ID == r.ID {
				return errf("%s: id %q is already used by rules[%d]", where, r.ID, j)
			}
		}
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			return errf("%s: score must be a number, got %v", where, r.Score)
		}
		rr := riskRule{score: r.Score, force: -1}
		if r.Lane != "" {
			l, ok := ParseLane(r.Lane)
			if !ok {
				return errf("%s: lane %q is not a lane (want red, yellow, blue or green)", where, r.Lane)
			}
			rr.force = int8(l)
		}
		switch {
		case r.When != nil && r.Expr != "":
			return errf("%s: give either when or expr, not both", where)
		case r.When != nil:
			root, err := rc.criteria(r.When, "when")
			if err != nil {
				return errf("%s: %v", where, err)
			}
			rr.root = root
		case r.Expr != "":
			prog, err := expr.Compile(r.Expr, expr.Env(ExprEnv{}), expr.AsBool())
			if err != nil {
				// The first line: the rest is a caret under the column,
				// which the message gives as (line:column) already.
				msg, _, _ := strings.Cut(err.Error(), "\n")
				return errf("%s: expr: %s", where, msg)
			}
			rr.expr = prog
			rm.hasExpr = true
		default:
			return errf("%s: give a condition (when or expr)", where)
		}
		rm.rules = append(rm.rules, rr)
		rm.ids = append(rm.ids, r.ID)
		origins, chapters, hubs := riskAll, riskAll, riskAll
		if rr.expr == nil {
			origins, chapters, hubs = rm.prog.required(rr.root)
		}
		for x := range 256 {
			if riskSetHas(&origins, uint8(x)) {
				rm.byOrigin[x].Add(i)
			}
			// A rule on the routing hub never holds for an unrouted consignment.
			if riskSetHas(&hubs, uint8(x)) && (x != int(datamodel.NoCountry) || hubs == riskAll) {
				rm.byHub[x].Add(i)
			}
			if x < len(rm.byChapter) && riskSetHas(&chapters, uint8(x)) {
				rm.byChapter[x].Add(i)
			}
		}
	}
	return rm.compileSelectivity(sc, errf)
}

func (rm *riskModel) compileSelectivity(sc *scenarios.Scenario, errf compileErrf) error {
	s := &sc.Selectivity
	for l := range rm.thresh {
		rm.thresh[l] = math.Inf(1)
	}
	for _, t := range []struct {
		lane Lane
		v    *float64
	}{{Red, s.Red}, {Yellow, s.Yellow}, {Blue, s.Blue}} {
		if t.v == nil {
			continue
		}
		if math.IsNaN(*t.v) {
			return errf("selectivity.%s: threshold must be a number", t.lane)
		}
		rm.thresh[t.lane] = *t.v
	}
	if math.IsNaN(s.AEODiscount) || math.IsInf(s.AEODiscount, 0) {
		return errf("selectivity.aeo_discount: must be a number, got %v", s.AEODiscount)
	}
	rm.aeoDiscount = s.AEODiscount
	if mh := s.MaxHits; mh != nil {
		if mh.Count < 1 || mh.Count > len(rm.rules) {
			return errf("selectivity.max_hits.count: must be in [1, %d] (the number of rules), got %d", len(rm.rules), mh.Count)
		}
		rm.maxHits, rm.maxHitsLane = mh.Count, Red
		if mh.Lane != "" {
			l, ok := ParseLane(mh.Lane)
			if !ok || (l != Red && l != Yellow) {
				return errf("selectivity.max_hits.lane: %q is not red or yellow", mh.Lane)
			}
			rm.maxHitsLane = l
		}
	}
	lanes := func(field string, keys []string) error {
		sort.Strings(keys)
		for _, k := range keys {
			if l, ok := ParseLane(k); !ok || l == Green {
				return errf("selectivity.%s.%s: not a lane with a rate (want red, yellow or blue)", field, k)
			}
		}
		return nil
	}
	keys := make([]string, 0, len(s.Random))
	for k := range s.Random {
		keys = append(keys, k)
	}
	if err := lanes("random", keys); err != nil {
		return err
	}
	cum := 0.0
	for _, l := range []Lane{Red, Yellow, Blue} {
		if rr, ok := s.Random[l.String()]; ok {
			if !(rr.Rate >= 0 && rr.Rate <= 1) {
				return errf("selectivity.random.%s.rate: must be in [0,1], got %v", l, rr.Rate)
			}
			cum += rr.Rate
			rm.aeoExempt[l] = rr.AEOExempt
			rm.randomAny = rm.randomAny || rr.Rate > 0
		}
		rm.randomCum[l] = cum
	}
	if cum > 1 {
		return errf("selectivity.random: rates add up to %v; they must not exceed 1", cum)
	}
	keys = keys[:0]
	for k := range s.Expected {
		keys = append(keys, k)
	}
	if err := lanes("expected", keys); err != nil {
		return err
	}
	sum := 0.0
	for _, l := range []Lane{Red, Yellow, Blue} {
		if e, ok := s.Expected[l.String()]; ok {
			if !(e >= 0 && e <= 1) {
				return errf("selectivity.expected.%s: must be in [0,1], got %v", l, e)
			}
			rm.expected[l] = e
			sum += e
			rm.hasExpected = rm.hasExpected || e > 0
		}
	}
	rm.expAEOExempt = s.ExpectedAEOExempt
	if sum > 1 {
		return errf("selectivity.expected: rates add up to %v; they must not exceed 1", sum)
	}
	var err error
	if rm.assessment, err = genSampler(s.Assessment, genConst(0)); err != nil {
		return errf("selectivity.assessment: %v", err)
	}
	rm.assessZero = rm.assessment.IsConst() && rm.assessment.Mean() <= 0
	return nil
}

// RuleIDs returns the ids of the rules in scenario order; bit i of a
// consignment's Hits is rule RuleIDs()[i].
func (m *Model) RuleIDs() []string { return m.risk.ids }

// ExprEnv is what an expr rule sees: the consignment's fields under the names
// below. Example: `origin in ["CO", "EC"] && chapter == 8 && value_per_kg < 1`.
//
// Expression rules are compiled once, but evaluating one costs far more than
// a criteria rule (the expr virtual machine boxes values and reads the
// environment by reflection, and the HS code is formatted as a string): use
// criteria where they can say it, expressions where they cannot.
type ExprEnv struct {
	Origin             string  `expr:"origin"`   // ISO 3166-1 alpha-2
	Dispatch           string  `expr:"dispatch"` // country of dispatch
	Hub                string  `expr:"hub"`      // routing hub, "" when not routed
	Routed             bool    `expr:"routed"`
	HS                 string  `expr:"hs"`      // 6 digits, e.g. "080390"
	Chapter            int     `expr:"chapter"` // 1-97
	Heading            int     `expr:"heading"` // 4 digits as a number, e.g. 803
	ValuePerKg         float64 `expr:"value_per_kg"`
	GrossWeight        float64 `expr:"gross_weight"` // kg
	Value              float64 `expr:"value"`
	AEO                bool    `expr:"aeo"`
	NewTrader          bool    `expr:"new_trader"`
	Trader             string  `expr:"trader"` // trader id, e.g. T000001
	Mode               string  `expr:"mode"`   // sea, air, road, rail, postal
	LodgedAfterArrival bool    `expr:"lodged_after_arrival"`
	LeadHours          float64 `expr:"lead_hours"`      // arrival − lodgement in hours (negative: lodged after)
	ArrivalHour        int     `expr:"arrival_hour"`    // hour of day of arrival, 0-23
	ArrivalWeekday     int     `expr:"arrival_weekday"` // day of week of arrival, 0 = Monday
}

// Selector assigns lanes: it is the risk engine's per-replication state (its
// random stream for PurposeSelection and the running lane counts of the
// expected rates). It is not safe for concurrent use: one per goroutine.
type Selector struct {
	m     *Model
	rng   *rand.Rand
	n     uint64
	count [NumLanes]uint64
	env   ExprEnv
	vm    vm.VM
	err   error
	seq   uint64 // the consignment being assessed, for RuleError
}

// NewSelector returns a selector for m, reset to replication 0.
func (m *Model) NewSelector() *Selector {
	s := &Selector{m: m}
	s.Reset(0)
	return s
}

// Reset starts replication rep: a new selection stream and no consignment
// assessed.
func (s *Selector) Reset(rep int) {
	s.rng = Stream(s.m.Scenario.Seed, rep, PurposeSelection)
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
func (s *Selector) Assess(c *Consignment) { s.assess(c, nil) }

// assess is Assess with the extra values x of a backtest declaration (nil in
// simulation; see AssessExtra).
func (s *Selector) assess(c *Consignment, x *Extra) {
	rm := &s.m.risk
	s.seq = c.Seq
	c.Hits = RuleSet{}
	score := 0.0
	forced := int8(-1)
	if rm.hasExpr {
		s.fillEnv(c)
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
	cand[0] &= bh[0]
	cand[1] &= bh[1]
	for w, word := range cand {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &= word - 1
			i := w<<6 | b
			r := &rm.rules[i]
			var hit bool
			if r.expr == nil {
				hit = rm.prog.evalExtra(r.root, c, x)
			} else {
				hit = s.runExpr(r.expr, i)
			}
			if hit {
				c.Hits.Add(i)
				score += r.score
				if r.force > forced {
					forced = r.force
				}
			}
		}
	}
	aeo := c.Flags&FlagAEO != 0
	if aeo {
		score -= rm.aeoDiscount
	}
	c.Score = score
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

// fillEnv sets the expr environment from c.
func (s *Selector) fillEnv(c *Consignment) {
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
	if t := int(c.Trader); t >= 0 && t < len(s.m.traderIDs) {
		e.Trader = s.m.traderIDs[t]
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
// the rule's id, file and line.
type RuleError struct {
	File string // the scenario file ("" when built in code)
	Line int    // the rule's line in it (0 when unknown)
	ID   string // the rule's id
	Seq  uint64 // the consignment it failed on (0-based, in arrival order)
	Err  error  // what expr-lang reported
}

// Error names file, line and rule, and what failed, on one line.
func (e *RuleError) Error() string {
	where := e.File
	if e.Line > 0 {
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

// runExpr runs rule i's expression on the current environment. A failure
// counts as not matched; the first is kept for Err.
func (s *Selector) runExpr(p *vm.Program, i int) bool {
	out, err := s.vm.Run(p, &s.env)
	if err != nil {
		if s.err == nil {
			sc := s.m.Scenario
			re := &RuleError{File: sc.Path, ID: s.m.risk.ids[i], Seq: s.seq, Err: err}
			if i < len(sc.Rules) {
				re.Line = sc.Rules[i].Line
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
