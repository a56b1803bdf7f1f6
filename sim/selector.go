package sim

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/vm"

	"pilotsim/datamodel"
	"pilotsim/internal/safefile"
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

// compile compiles the rules and selectivity of sc. bug makes the error of a
// check scenarios validation makes (the scenario was not validated: an
// internal error); user, when not nil, makes the error of a field or history
// criterion the mapping of a backtest does not support (what only the mapping
// knows: user input, named by the rule's file, line and id).
func (rm *riskModel) compile(m *Model, sc *scenarios.Scenario, bug, user compileErrf) error {
	if len(sc.Rules) > MaxRules {
		return bug("%d rules", len(sc.Rules))
	}
	rc := riskCompiler{p: &rm.prog, traderCount: m.traderCount, schema: rm.schema}
	for i := range sc.Rules {
		r := &sc.Rules[i]
		where := fmt.Sprintf("rules[%d] (%s)", i, r.ID)
		rr := riskRule{score: r.Score, force: -1}
		if r.Lane != "" {
			l, ok := ParseLane(r.Lane)
			if !ok {
				return bug("%s: lane %q", where, r.Lane)
			}
			rr.force = int8(l)
		}
		switch {
		case r.When != nil && r.Expr == "":
			root, err := rc.criteria(r.When, "when")
			var se *schemaError
			switch {
			case errors.As(err, &se) && user != nil:
				return user("%s: %v", ruleWhere(sc, i), err)
			case err != nil:
				return bug("%s: %v", where, err)
			}
			rr.root = root
		case r.Expr != "" && r.When == nil:
			prog, err := scenarios.CompileExpr(r.Expr)
			if err != nil {
				return bug("%s: expr: %v", where, err)
			}
			rr.expr = prog
			rm.hasExpr = true
		default:
			return bug("%s: not exactly one of when and expr", where)
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
	return rm.compileSelectivity(sc, bug)
}

// ruleWhere names rule i for a message: its file and line when known, and
// its id ("rules.yaml:12: rule R3").
func ruleWhere(sc *scenarios.Scenario, i int) string {
	r := &sc.Rules[i]
	where := "rule " + r.ID
	if r.Line > 0 {
		where = ":" + strconv.Itoa(r.Line) + ": " + where
	} else {
		where = ": " + where
	}
	name := sc.Path
	if name == "" {
		name = sc.Name
	}
	return name + where
}

func (rm *riskModel) compileSelectivity(sc *scenarios.Scenario, bug compileErrf) error {
	s := &sc.Selectivity
	for l := range rm.thresh {
		rm.thresh[l] = math.Inf(1)
	}
	for _, t := range []struct {
		lane Lane
		v    *float64
	}{{Red, s.Red}, {Yellow, s.Yellow}, {Blue, s.Blue}} {
		if t.v != nil {
			rm.thresh[t.lane] = *t.v
		}
	}
	rm.aeoDiscount = s.AEODiscount
	if mh := s.MaxHits; mh != nil {
		rm.maxHits, rm.maxHitsLane = mh.Count, Red
		if mh.Lane != "" {
			l, ok := ParseLane(mh.Lane)
			if !ok || (l != Red && l != Yellow) {
				return bug("selectivity.max_hits.lane %q", mh.Lane)
			}
			rm.maxHitsLane = l
		}
	}
	lanes := func(field string, keys []string) error {
		sort.Strings(keys)
		for _, k := range keys {
			if l, ok := ParseLane(k); !ok || l == Green {
				return bug("selectivity.%s.%s: not a lane with a rate", field, k)
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
			cum += rr.Rate
			rm.aeoExempt[l] = rr.AEOExempt
			rm.randomAny = rm.randomAny || rr.Rate > 0
		}
		rm.randomCum[l] = cum
	}
	keys = keys[:0]
	for k := range s.Expected {
		keys = append(keys, k)
	}
	if err := lanes("expected", keys); err != nil {
		return err
	}
	for _, l := range []Lane{Red, Yellow, Blue} {
		if e, ok := s.Expected[l.String()]; ok {
			rm.expected[l] = e
			rm.hasExpected = rm.hasExpected || e > 0
		}
	}
	rm.expAEOExempt = s.ExpectedAEOExempt
	var err error
	if rm.assessment, err = genSampler(s.Assessment, genConst(0)); err != nil {
		return bug("selectivity.assessment: %v", err)
	}
	rm.assessZero = rm.assessment.IsConst() && rm.assessment.Mean() <= 0
	return nil
}

// RuleIDs returns the ids of the rules in scenario order; bit i of a
// consignment's Hits is rule RuleIDs()[i].
func (m *Model) RuleIDs() []string { return m.risk.ids }

// ExprEnv is what an expr rule sees: the consignment's fields under their
// names in rules (origin, chapter, value_per_kg, …). It is defined with the
// scenario format, where validation type-checks every expression against it.
type ExprEnv = scenarios.ExprEnv

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
	pm := s.m.phaseModel(c.Phase)
	rm := &pm.risk
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
				hit = s.runExpr(r.expr, pm, i)
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

// runExpr runs rule i of pm (the model of the consignment's phase) on the
// current environment. A failure counts as not matched; the first is kept
// for Err.
func (s *Selector) runExpr(p *vm.Program, pm *Model, i int) bool {
	out, err := s.vm.Run(p, &s.env)
	if err != nil {
		if s.err == nil {
			sc := pm.Scenario
			re := &RuleError{File: sc.Path, ID: pm.risk.ids[i], Seq: s.seq, Err: err}
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
