package risk

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/expr-lang/expr/vm"

	"pilotsim/datamodel"
	"pilotsim/internal/fault"
	"pilotsim/scenarios"
)

// Engine is a compiled rule set and selectivity: the criteria in their fast
// form, the expressions, the scores, the lane thresholds and rates. Compile
// builds it once; afterwards it is read-only and safe to share across
// goroutines (a Selector holds the per-stream state).
type Engine struct {
	sc    *scenarios.Scenario // for RuleError: file, lines and --set of the rules
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
	// hist are the rules that are one history test alone (most of a
	// backtest's), evaluated in one tight loop; histMask is their set.
	hist     []histRule
	histMask RuleSet
	// histSlots are the rules of hist by slot as threshold tables (nil
	// when hist is empty or a bound is NaN: then hist's loop).
	histSlots []histSlot
	traderIDs []string // the expression environment's trader, by index

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
}

// riskRule is one compiled rule.
type riskRule struct {
	root  int32       // criteria node, when expr is nil
	extra int32       // >= 0: the criteria are this one field or history test alone (prog.extra)
	expr  *vm.Program // compiled expression, or nil
	score float64
	force int8 // forced lane, or -1
}

// histRule is a rule that is one history test: where its hit bit goes, and
// the test.
type histRule struct {
	w, b uint8 // Hits word and bit
	extraTest
}

// Config is what compiling a rule set needs beyond the scenario.
type Config struct {
	// Traders is the size of the trader population: trader criteria are bit
	// sets over trader indices 0 to Traders-1, and trader ids beyond it are
	// refused. Below 1: scenarios.BacktestTraders.
	Traders int
	// TraderIDs are the ids an expression rule sees as trader, by trader
	// index ("T000001" …); nil: trader is "" (a backtest, whose trader
	// criteria read the index its reader derives from the id).
	TraderIDs []string
	// Schema, when not nil, resolves field and history criteria (backtest)
	// and is filled with the fields and history keys they use; nil refuses
	// them (simulation).
	Schema *ExtraSchema
}

// Compile compiles the rules and selectivity of sc (a full scenario, or a
// rules file as scenarios.LoadRules returns it). Like sim.Compile it trusts
// a validated sc: what fails a check validation makes is a *fault.Bug. What
// only a backtest's mapping knows (a field that is not one of its columns, a
// text column tested with min/max, more columns than Extra holds) is bad
// input, named by the rule's file, line and id. The Engine keeps sc to name
// the file and line of an expression rule that fails while running: the
// caller must not change it afterwards.
func Compile(sc *scenarios.Scenario, cfg Config) (*Engine, error) {
	if sc == nil {
		return nil, fault.Bugf("compile: nil scenario")
	}
	name := sc.Name
	if sc.Path != "" {
		name = sc.Path
	}
	bug := fault.Unvalidated(name)
	user := func(format string, args ...any) error { return fmt.Errorf(format, args...) }
	if cfg.Traders < 1 {
		cfg.Traders = scenarios.BacktestTraders
	}
	e := &Engine{sc: sc, traderIDs: cfg.TraderIDs}
	if err := e.compile(sc, cfg.Traders, cfg.Schema, bug, user); err != nil {
		return nil, err
	}
	return e, nil
}

// compile compiles the rules and selectivity of sc. bug makes the error of a
// check scenarios validation makes (the scenario was not validated: an
// internal error); user, when not nil, makes the error of a field or history
// criterion the mapping of a backtest does not support (what only the mapping
// knows: user input, named by the rule's file, line and id).
func (rm *Engine) compile(sc *scenarios.Scenario, traders int, schema *ExtraSchema, bug, user func(string, ...any) error) error {
	if len(sc.Rules) > MaxRules {
		return bug("%d rules", len(sc.Rules))
	}
	rc := riskCompiler{p: &rm.prog, traderCount: traders, schema: schema}
	for i := range sc.Rules {
		r := &sc.Rules[i]
		where := fmt.Sprintf("rules[%d] (%s)", i, r.ID)
		rr := riskRule{extra: -1, score: r.Score, force: -1}
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
			if n := &rm.prog.nodes[root]; n.op == riskExtra {
				rr.extra = n.a
				if t := rm.prog.extra[n.a]; t.kind == extraHistory {
					rm.hist = append(rm.hist, histRule{w: uint8(i >> 6), b: uint8(i & 63), extraTest: t})
					rm.histMask.Add(i)
				}
			}
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
	if slots, ok := histSlots(rm.hist); ok {
		rm.histSlots = slots
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

func (rm *Engine) compileSelectivity(sc *scenarios.Scenario, bug func(string, ...any) error) error {
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
	return nil
}

// RuleIDs returns the ids of the rules in scenario order; bit i of a
// consignment's Hits is rule RuleIDs()[i].
func (rm *Engine) RuleIDs() []string { return rm.ids }

// HasExpr reports whether some rule is an expression (whose failure while
// running a Selector reports with Err).
func (rm *Engine) HasExpr() bool { return rm.hasExpr }
