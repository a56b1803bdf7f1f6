package results

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxGridPoints bounds the number of points a sweep may expand to, so a typo
// in a range (a step of 0.001 for 0.1) is an error and not a week of work.
const MaxGridPoints = 10000

// SweepParam is one swept parameter: a scenario path (as `--set PATH=VALUE`
// takes it) and the values it takes, as text.
type SweepParam struct {
	Path   string
	Values []string
}

// GridPoint is one point of a sweep grid: a value for every parameter.
type GridPoint struct {
	Index  int      // position in the grid, from 0
	Values []string // Values[k] is the value of parameter k
	Sets   []string // "PATH=VALUE" for every parameter, for scenarios.Load
}

// Label returns the point's values joined by ", " ("60" or "60, 3"): the
// short label charts put beside a point.
func (p GridPoint) Label() string { return strings.Join(p.Values, ", ") }

// Name returns "path=value" pairs joined by ", ", for tables and file names.
func (p GridPoint) Name() string { return strings.Join(p.Sets, ", ") }

// Grid expands params into the cartesian product of their values. The first
// parameter varies slowest, the last fastest, as nested loops would run.
func Grid(params []SweepParam) ([]GridPoint, error) {
	if len(params) == 0 {
		return nil, errors.New("a sweep needs at least one parameter")
	}
	total := 1
	seen := map[string]bool{}
	for _, p := range params {
		if p.Path == "" {
			return nil, errors.New("a swept parameter has an empty path")
		}
		if seen[p.Path] {
			return nil, fmt.Errorf("parameter %s is swept twice", p.Path)
		}
		seen[p.Path] = true
		if len(p.Values) == 0 {
			return nil, fmt.Errorf("parameter %s has no values", p.Path)
		}
		total *= len(p.Values)
		if total > MaxGridPoints {
			return nil, fmt.Errorf("the grid has more than %d points", MaxGridPoints)
		}
	}
	points := make([]GridPoint, total)
	for i := range points {
		vals := make([]string, len(params))
		sets := make([]string, len(params))
		rest := i
		for k := len(params) - 1; k >= 0; k-- {
			n := len(params[k].Values)
			vals[k] = params[k].Values[rest%n]
			rest /= n
			sets[k] = params[k].Path + "=" + vals[k]
		}
		points[i] = GridPoint{Index: i, Values: vals, Sets: sets}
	}
	return points, nil
}

// ParseValues splits a --values list "v1,v2,…" into its values, trimmed of
// spaces. Empty values and repeated values are errors.
func ParseValues(s string) ([]string, error) {
	parts := strings.Split(s, ",")
	seen := map[string]bool{}
	vals := make([]string, 0, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("values %q: value %d is empty", s, i+1)
		}
		if seen[p] {
			return nil, fmt.Errorf("values %q: %s appears twice", s, p)
		}
		seen[p] = true
		vals = append(vals, p)
	}
	return vals, nil
}

// ParseRange expands a --range "from:to:step" into its values: from, from+step,
// … up to and including to when the steps land on it. Numbers may carry one
// common duration unit (s, m, h, d), as in "10m:30m:5m", which the values keep.
// Values are formatted with as many decimals as the most precise of the three
// numbers, so 0:0.3:0.1 gives 0, 0.1, 0.2, 0.3 and never 0.30000000000000004.
// The step must be non-zero and point from from towards to.
func ParseRange(s string) ([]string, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("range %q: want from:to:step", s)
	}
	unit := ""
	nums := make([]float64, 3)
	decimals := 0
	for i, p := range parts {
		p = strings.TrimSpace(p)
		u := ""
		if n := len(p); n > 0 && strings.ContainsRune("smhd", rune(p[n-1])) {
			u, p = p[n-1:], p[:n-1]
		}
		if i == 0 {
			unit = u
		} else if u != unit {
			return nil, fmt.Errorf("range %q: from, to and step must have the same unit", s)
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("range %q: %q is not a number", s, parts[i])
		}
		nums[i] = v
		if dot := strings.IndexByte(p, '.'); dot >= 0 && !strings.ContainsAny(p, "eE") {
			decimals = max(decimals, len(p)-dot-1)
		}
	}
	from, to, step := nums[0], nums[1], nums[2]
	if step == 0 {
		return nil, fmt.Errorf("range %q: step is 0", s)
	}
	if (to-from)*step < 0 {
		return nil, fmt.Errorf("range %q: step %g goes away from %g", s, step, to)
	}
	// A relative tolerance so that 0:0.3:0.1 includes 0.3.
	count := math.Floor((to-from)/step+1e-9) + 1
	if count > MaxGridPoints {
		return nil, fmt.Errorf("range %q has more than %d values", s, MaxGridPoints)
	}
	vals := make([]string, int(count))
	for k := range vals {
		v := from + float64(k)*step
		txt := strconv.FormatFloat(v, 'f', decimals, 64)
		if txt == "-0" || strings.Trim(txt, "-0.") == "" {
			txt = strconv.FormatFloat(0, 'f', decimals, 64)
		}
		vals[k] = txt + unit
	}
	return vals, nil
}
