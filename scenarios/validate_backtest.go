package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseKeyPart splits a history key part "name" or "name:n" into the field
// name and the number of leading characters kept (0: all).
func ParseKeyPart(p string) (name string, n int, err error) {
	name, ns, ok := strings.Cut(p, ":")
	if name == "" {
		return "", 0, fmt.Errorf("empty field name in history key part %q", p)
	}
	if !ok {
		return name, 0, nil
	}
	n, err = strconv.Atoi(ns)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("history key part %q: after ':' expected a number of characters >= 1", p)
	}
	return name, n, nil
}

// backtestCriteria checks the field and history criteria of c (see
// format_backtest.go) and reports whether c has any. Whether a field name is
// a column of the mapping is known only to pilotsim backtest, which checks it
// when it compiles the rules.
func (v *validator) backtestCriteria(path string, c *Criteria) bool {
	if !v.rulesOnly {
		// A simulated consignment has no mapped columns and no history.
		for _, k := range []struct {
			name string
			set  bool
		}{{"field", c.Field != nil}, {"history", c.History != nil}} {
			if k.set {
				v.errf(joinPath(path, k.name), "%s criteria test the columns of real declarations: they work in pilotsim backtest (--rules) only, not in a simulation", k.name)
			}
		}
		return c.Field != nil || c.History != nil
	}
	if c.Field != nil {
		p := joinPath(path, "field")
		f := c.Field
		if f.Name == "" {
			v.errf(joinPath(p, "name"), "missing; want the name of a column of the mapping")
		}
		text := v.has(joinPath(p, "in")) || v.has(joinPath(p, "prefix"))
		num := f.Min != nil || f.Max != nil
		switch {
		case text && num:
			v.errf(p, "give in/prefix (text) or min/max (numbers), not both")
		case !text && !num:
			v.errf(p, "want in, prefix, min or max")
		case text && len(f.In) == 0 && len(f.Prefix) == 0:
			v.errf(p, "empty list matches nothing; give at least one value")
		case num && f.Min != nil && f.Max != nil && !(*f.Min < *f.Max):
			v.errf(p, "want min < max, got min %g, max %g", *f.Min, *f.Max)
		}
	}
	if c.History != nil {
		p := joinPath(path, "history")
		h := c.History
		if len(h.Key) == 0 {
			v.errf(joinPath(p, "key"), "missing; want a list of field names, e.g. [importer] or [hs, origin]")
		}
		for i, k := range h.Key {
			if k == "" {
				v.errf(indexPath(joinPath(p, "key"), i), "want a field name, got an empty string")
			} else if _, _, err := ParseKeyPart(k); err != nil {
				v.errf(indexPath(joinPath(p, "key"), i), "%v", err)
			}
		}
		for _, n := range []struct {
			name string
			v    *int
		}{{"min_count", h.MinCount}, {"max_count", h.MaxCount}, {"min_irregular", h.MinIrregular}} {
			if n.v != nil && *n.v < 0 {
				v.errf(joinPath(p, n.name), "want a count >= 0, got %d", *n.v)
			}
		}
		for _, r := range []struct {
			name string
			v    *float64
		}{{"min_rate", h.MinRate}, {"max_rate", h.MaxRate}} {
			if r.v != nil && !(*r.v >= 0 && *r.v <= 1) {
				v.errf(joinPath(p, r.name), "want a rate in [0,1], got %g", *r.v)
			}
		}
		if h.MinRate != nil && h.MaxRate != nil && !(*h.MinRate < *h.MaxRate) {
			v.errf(p, "want min_rate < max_rate, got %g and %g", *h.MinRate, *h.MaxRate)
		}
		if h.MinCount != nil && h.MaxCount != nil && *h.MinCount > *h.MaxCount {
			v.errf(p, "want min_count <= max_count, got %d and %d", *h.MinCount, *h.MaxCount)
		}
		if h.MinCount == nil && h.MaxCount == nil && h.MinIrregular == nil && h.MinRate == nil && h.MaxRate == nil {
			v.errf(p, "want min_count, max_count, min_irregular, min_rate or max_rate")
		}
	}
	return c.Field != nil || c.History != nil
}
