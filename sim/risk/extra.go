package risk

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"pilotsim/scenarios"
)

// This file is the risk engine's extension point for real declarations
// (pilotsim backtest): criteria on any column of a mapped file ("field") and on
// a key's past irregularity ("history"), which the simulator's compact
// Consignment does not carry. The backtest reader fills an Extra per
// declaration; the rule evaluator reads it by slot indices resolved when the
// rules are compiled, so scoring a row does no look-up by name. The
// simulator calls Selector.Assess with a nil Extra, and such criteria do not
// compile without a schema.

// Limits of the extension point.
const (
	MaxExtraFields = 32 // distinct mapped columns that criteria may test
	MaxHistories   = 16 // distinct history keys that criteria may test
	MaxFieldConds  = 64 // distinct string conditions on one column
)

// Extra holds the values of one declaration beyond the compact Consignment, in
// the slots an ExtraSchema assigned.
type Extra struct {
	// Num is the value of a numeric field; NaN when missing.
	Num [MaxExtraFields]float64
	// Bits is, for a text field, the set of the field's string conditions that
	// its value meets: bit i for ExtraField.Conds[i].
	Bits [MaxExtraFields]uint64
	// Count is, per history key, the number of earlier declarations with the
	// same key (dated strictly before this one); Irregular how many of those
	// were found irregular.
	Count     [MaxHistories]uint32
	Irregular [MaxHistories]uint32

	// rate is Irregular/Count of the history slots that rate criteria test,
	// set by Selector.Assess and Score before the rules run (each slot's
	// rate divided once, whatever the number of rules on it).
	rate [MaxHistories]float64
}

// ExtraField is one mapped column that criteria test.
type ExtraField struct {
	Name    string
	Numeric bool
	// Conds are the distinct string conditions rules test on the field (text
	// fields only); Extra.Bits of the field's slot has bit i set when the value
	// meets Conds[i].
	Conds []StringCond
}

// StringCond is a condition on a text value: it is in a list, or starts with
// one of some prefixes (either suffices).
type StringCond struct {
	In     []string
	Prefix []string
}

// Match reports whether v meets the condition.
func (c *StringCond) Match(v string) bool {
	for _, s := range c.In {
		if v == s {
			return true
		}
	}
	for _, p := range c.Prefix {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

func (c *StringCond) equal(o StringCond) bool {
	return slices.Equal(c.In, o.In) && slices.Equal(c.Prefix, o.Prefix)
}

// HistoryKey is what a history is kept per: one or more mapped field names. A
// part written "name:n" uses the first n characters of the value (for example
// "hs:4", the HS heading).
type HistoryKey struct {
	Parts []string
}

// String returns the key as written, parts joined by "+".
func (k HistoryKey) String() string { return strings.Join(k.Parts, "+") }

// ParseKeyPart splits a history key part "name" or "name:n" into the field
// name and the number of leading characters kept (0: all); see
// scenarios.ParseKeyPart.
func ParseKeyPart(p string) (name string, n int, err error) { return scenarios.ParseKeyPart(p) }

// FieldKind says whether a mapped field exists and whether it holds numbers.
type FieldKind uint8

// Field kinds.
const (
	FieldUnknown FieldKind = iota
	FieldText
	FieldNumber
)

// ExtraSchema assigns slots in Extra to the fields and history keys that a
// rule set tests. It is filled while the rules compile (CompileExtra) and then
// tells the reader which values to put where.
type ExtraSchema struct {
	Fields    []ExtraField
	Histories []HistoryKey

	kind func(name string) FieldKind
}

// NewExtraSchema returns an empty schema; kind says which field names exist
// (the columns of the mapping) and what they hold.
func NewExtraSchema(kind func(name string) FieldKind) *ExtraSchema {
	return &ExtraSchema{kind: kind}
}

func (s *ExtraSchema) field(name string, numeric bool) (int, error) {
	if name == "" {
		return 0, fmt.Errorf("field: name is required")
	}
	k := FieldUnknown
	if s.kind != nil {
		k = s.kind(name)
	}
	switch {
	case k == FieldUnknown:
		return 0, fmt.Errorf("field %q is not a column of the mapping", name)
	case numeric && k != FieldNumber:
		return 0, fmt.Errorf("field %q holds text: min/max need a numeric column (type: number in the mapping)", name)
	case !numeric && k == FieldNumber:
		return 0, fmt.Errorf("field %q holds numbers: use min/max, not in/prefix", name)
	}
	for i, f := range s.Fields {
		if f.Name == name {
			return i, nil
		}
	}
	if len(s.Fields) == MaxExtraFields {
		return 0, fmt.Errorf("field %q: rules test more than %d distinct columns", name, MaxExtraFields)
	}
	s.Fields = append(s.Fields, ExtraField{Name: name, Numeric: numeric})
	return len(s.Fields) - 1, nil
}

// stringCond registers a string condition on a text field and returns its slot
// and bit.
func (s *ExtraSchema) stringCond(name string, c StringCond) (int, uint64, error) {
	slot, err := s.field(name, false)
	if err != nil {
		return 0, 0, err
	}
	f := &s.Fields[slot]
	for i, o := range f.Conds {
		if o.equal(c) {
			return slot, 1 << uint(i), nil
		}
	}
	if len(f.Conds) == MaxFieldConds {
		return 0, 0, fmt.Errorf("field %q: more than %d distinct conditions", name, MaxFieldConds)
	}
	f.Conds = append(f.Conds, c)
	return slot, 1 << uint(len(f.Conds)-1), nil
}

// AddHistory registers a history key that no rule tests (a key the caller
// reads Extra.Count of, such as backtest's novelty key) and returns its
// slot; the same parts give the same slot as a rule's key.
func (s *ExtraSchema) AddHistory(parts []string) (int, error) { return s.history(parts) }

// history registers a history key and returns its slot.
func (s *ExtraSchema) history(parts []string) (int, error) {
	if len(parts) == 0 {
		return 0, fmt.Errorf("history: key is required (one or more field names)")
	}
	for _, p := range parts {
		name, _, err := ParseKeyPart(p)
		if err != nil {
			return 0, err
		}
		if s.kind == nil || s.kind(name) == FieldUnknown {
			return 0, fmt.Errorf("history key %q: %q is not a column of the mapping", strings.Join(parts, "+"), name)
		}
	}
	for i, h := range s.Histories {
		if slices.Equal(h.Parts, parts) {
			return i, nil
		}
	}
	if len(s.Histories) == MaxHistories {
		return 0, fmt.Errorf("history: rules use more than %d distinct keys", MaxHistories)
	}
	s.Histories = append(s.Histories, HistoryKey{Parts: slices.Clone(parts)})
	return len(s.Histories) - 1, nil
}

// extraKind is what an extraTest checks.
type extraKind uint8

const (
	extraNum     extraKind = iota // lo <= Num[slot] < hi
	extraBits                     // Bits[slot] & bit != 0
	extraHistory                  // count and rate bounds on history slot
)

// extraTest is a compiled field or history condition: slot indices and bounds,
// no names.
type extraTest struct {
	kind     extraKind
	slot     uint8
	bit      uint64
	lo, hi   float64 // numeric range, or rate range for history
	minCount uint32
	maxCount uint32
	minIrr   uint32
	rate     bool // history: the rate bounds apply
}

// matchHistory is match for a test of kind extraHistory, small enough to be
// inlined in the rule loop.
func (t *extraTest) matchHistory(x *Extra) bool {
	n, k := x.Count[t.slot], x.Irregular[t.slot]
	if n < t.minCount || n > t.maxCount || k < t.minIrr {
		return false
	}
	return !t.rate || (n > 0 && x.rate[t.slot] >= t.lo && x.rate[t.slot] < t.hi)
}

// bit is 1 for true, 0 for false (compiled without a branch).
func bit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// match evaluates the test on x. NaN (a missing number) meets no range.
func (t *extraTest) match(x *Extra) bool {
	switch t.kind {
	case extraNum:
		v := x.Num[t.slot]
		return v >= t.lo && v < t.hi
	case extraBits:
		return x.Bits[t.slot]&t.bit != 0
	default:
		return t.matchHistory(x)
	}
}

// numRange compiles lo <= x < hi from optional bounds.
func numRange(min, max *float64) (lo, hi float64) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if min != nil {
		lo = *min
	}
	if max != nil {
		hi = *max
	}
	return lo, hi
}

// compileField compiles a field criterion into one test: a numeric range, or a
// string condition (a bit of the field's slot).
func (s *ExtraSchema) compileField(f *scenarios.FieldCriteria) (extraTest, error) {
	numeric := f.Min != nil || f.Max != nil
	text := len(f.In) > 0 || len(f.Prefix) > 0
	switch {
	case numeric && text:
		return extraTest{}, fmt.Errorf("field %q: give either in/prefix (text) or min/max (numbers), not both", f.Name)
	case !numeric && !text:
		return extraTest{}, fmt.Errorf("field %q: expected in, prefix, min or max", f.Name)
	}
	if numeric {
		slot, err := s.field(f.Name, true)
		if err != nil {
			return extraTest{}, err
		}
		lo, hi := numRange(f.Min, f.Max)
		if !(lo < hi) {
			return extraTest{}, fmt.Errorf("field %q: min %v must be below max %v", f.Name, lo, hi)
		}
		return extraTest{kind: extraNum, slot: uint8(slot), lo: lo, hi: hi}, nil
	}
	c := StringCond{In: slices.Clone(f.In), Prefix: slices.Clone(f.Prefix)}
	slices.Sort(c.In)
	c.In = slices.Compact(c.In)
	slices.Sort(c.Prefix)
	c.Prefix = slices.Compact(c.Prefix)
	slot, bit, err := s.stringCond(f.Name, c)
	if err != nil {
		return extraTest{}, err
	}
	return extraTest{kind: extraBits, slot: uint8(slot), bit: bit}, nil
}

// compileHistory compiles a history criterion.
func (s *ExtraSchema) compileHistory(h *scenarios.HistoryCriteria) (extraTest, error) {
	slot, err := s.history(h.Key)
	if err != nil {
		return extraTest{}, err
	}
	key := strings.Join(h.Key, "+")
	t := extraTest{kind: extraHistory, slot: uint8(slot), maxCount: math.MaxUint32}
	count := func(name string, p *int) (uint32, error) {
		if *p < 0 {
			return 0, fmt.Errorf("history %s: %s must be >= 0, got %d", key, name, *p)
		}
		return uint32(min(*p, math.MaxUint32)), nil
	}
	if h.MinRate != nil || h.MaxRate != nil {
		t.rate = true
		t.minCount = 1
		t.lo, t.hi = numRange(h.MinRate, h.MaxRate)
		if !(t.lo < t.hi) {
			return extraTest{}, fmt.Errorf("history %s: min_rate %v must be below max_rate %v", key, t.lo, t.hi)
		}
	}
	if h.MinCount != nil {
		if t.minCount, err = count("min_count", h.MinCount); err != nil {
			return extraTest{}, err
		}
		if t.rate && t.minCount == 0 {
			t.minCount = 1 // a rate needs at least one earlier declaration
		}
	}
	if h.MaxCount != nil {
		if t.maxCount, err = count("max_count", h.MaxCount); err != nil {
			return extraTest{}, err
		}
	}
	if h.MinIrregular != nil {
		if t.minIrr, err = count("min_irregular", h.MinIrregular); err != nil {
			return extraTest{}, err
		}
	}
	if !t.rate && h.MinCount == nil && h.MaxCount == nil && h.MinIrregular == nil {
		return extraTest{}, fmt.Errorf("history %s: expected min_count, max_count, min_irregular, min_rate or max_rate", key)
	}
	if t.minCount > t.maxCount {
		return extraTest{}, fmt.Errorf("history %s: min_count %d is above max_count %d", key, t.minCount, t.maxCount)
	}
	return t, nil
}

// extraCriteria compiles the field and history criteria of c (if any) into
// riskExtra nodes appended to parts.
func (rc *riskCompiler) extraCriteria(c *scenarios.Criteria, path string, parts *[]int32) error {
	if c.Field == nil && c.History == nil {
		return nil
	}
	if rc.schema == nil {
		return fmt.Errorf("%s: field and history criteria test the columns of real declarations: they work in pilotsim backtest only", path)
	}
	add := func(t extraTest) {
		if t.kind == extraHistory && t.rate && !slices.Contains(rc.p.rateSlots, t.slot) {
			rc.p.rateSlots = append(rc.p.rateSlots, t.slot)
		}
		rc.p.extra = append(rc.p.extra, t)
		*parts = append(*parts, rc.add(riskNode{op: riskExtra, a: int32(len(rc.p.extra) - 1)}))
	}
	if c.Field != nil {
		t, err := rc.schema.compileField(c.Field)
		if err != nil {
			return &schemaError{fmt.Errorf("%s.field: %v", path, err)}
		}
		add(t)
	}
	if c.History != nil {
		t, err := rc.schema.compileHistory(c.History)
		if err != nil {
			return &schemaError{fmt.Errorf("%s.history: %v", path, err)}
		}
		add(t)
	}
	return nil
}

// schemaError is a field or history criterion that the mapping of a
// backtest does not support (a name that is not a column, a text column
// tested with min/max, too many columns): what only the mapping knows, so
// user input, reported with the rule's file, line and id.
type schemaError struct{ err error }

func (e *schemaError) Error() string { return e.err.Error() }
func (e *schemaError) Unwrap() error { return e.err }

// setRates sets x.rate of the history slots that rate criteria test.
func (p *riskProgram) setRates(x *Extra) {
	for _, i := range p.rateSlots {
		if n := x.Count[i]; n > 0 {
			x.rate[i] = float64(x.Irregular[i]) / float64(n)
		}
	}
}
