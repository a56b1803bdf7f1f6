package results

import (
	"math"
	"sort"
)

// Sense says whether more of an objective is better (Maximize) or less is.
type Sense int8

// Senses of an objective.
const (
	Maximize Sense = iota
	Minimize
)

// better reports whether a is strictly better than b in sense s.
func (s Sense) better(a, b float64) bool {
	if s == Maximize {
		return a > b
	}
	return a < b
}

// Pareto marks the points of a trade-off that no other point beats.
// points[i][k] is point i's value of objective k, senses[k] its sense. Point p
// dominates q when p is at least as good as q in every objective and strictly
// better in one; onFrontier[i] is true when no point dominates point i. Equal
// points do not dominate each other, so both stay on the frontier. A point
// with a NaN value (an objective undefined there) is never on the frontier and
// dominates nothing.
//
// Pareto is O(n²·k), which is nothing for the points of a sweep.
func Pareto(points [][]float64, senses []Sense) (onFrontier []bool) {
	onFrontier = make([]bool, len(points))
	valid := func(p []float64) bool {
		if len(p) != len(senses) {
			return false
		}
		for _, v := range p {
			if math.IsNaN(v) {
				return false
			}
		}
		return true
	}
	for i, p := range points {
		if !valid(p) {
			continue
		}
		onFrontier[i] = true
		for j, q := range points {
			if i != j && valid(q) && dominates(q, p, senses) {
				onFrontier[i] = false
				break
			}
		}
	}
	return onFrontier
}

// dominates reports whether p dominates q.
func dominates(p, q []float64, senses []Sense) bool {
	strictly := false
	for k, s := range senses {
		if s.better(q[k], p[k]) {
			return false
		}
		if s.better(p[k], q[k]) {
			strictly = true
		}
	}
	return strictly
}

// FrontierOrder returns the indices of the points on the frontier sorted by
// objective 0 (then by objective 1, then by index), the order in which a
// chart draws the frontier as a line.
func FrontierOrder(points [][]float64, onFrontier []bool) []int {
	var idx []int
	for i, on := range onFrontier {
		if on {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := points[idx[a]], points[idx[b]]
		for k := range pa {
			if pa[k] != pb[k] {
				return pa[k] < pb[k]
			}
		}
		return false
	})
	return idx
}
