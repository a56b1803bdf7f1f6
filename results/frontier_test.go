package results

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// detection (maximize) against mean release time in hours (minimize).
var tradeOff = []Sense{Maximize, Minimize}

func TestParetoHandMade(t *testing.T) {
	points := [][]float64{
		{0.50, 2.0},        // 0 on: the fastest
		{0.60, 3.0},        // 1 on
		{0.55, 3.5},        // 2 dominated by 1: less detection, slower
		{0.70, 5.0},        // 3 on
		{0.70, 6.0},        // 4 dominated by 3: same detection, slower
		{0.40, 2.5},        // 5 dominated by 0
		{0.50, 2.0},        // 6 on: equal to 0, and equal points do not dominate
		{math.NaN(), 1.0},  // 7 off: undefined detection
		{0.80, 9.0},        // 8 on: the most detection
		{0.60, math.NaN()}, // 9 off, and it must not knock out 1
	}
	got := Pareto(points, tradeOff)
	want := []bool{true, true, false, true, false, false, true, false, true, false}
	if !slices.Equal(got, want) {
		t.Errorf("Pareto = %v\nwant     %v", got, want)
	}
	if order := FrontierOrder(points, got); !slices.Equal(order, []int{0, 6, 1, 3, 8}) {
		t.Errorf("FrontierOrder = %v, want [0 6 1 3 8]", order)
	}
	// Against inspection rate (less is better) the same logic applies.
	ins := [][]float64{{0.5, 0.05}, {0.6, 0.04}, {0.7, 0.10}}
	if got := Pareto(ins, tradeOff); !slices.Equal(got, []bool{false, true, true}) {
		t.Errorf("detection vs inspection rate: %v, want [false true true]", got)
	}
}

// On random clouds, check the definition directly: no frontier point is
// dominated by any point, and every other valid point is dominated by a point
// on the frontier.
func TestParetoDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + r.IntN(40)
		points := make([][]float64, n)
		for i := range points {
			// Coarse values so that ties happen.
			points[i] = []float64{float64(r.IntN(8)), float64(r.IntN(8)), float64(r.IntN(3))}
		}
		senses := []Sense{Maximize, Minimize, Maximize}
		on := Pareto(points, senses)
		for i, p := range points {
			var by []int
			for j, q := range points {
				if dominates(q, p, senses) {
					by = append(by, j)
				}
			}
			if on[i] && len(by) > 0 {
				t.Fatalf("trial %d: point %v on the frontier but dominated by %v", trial, p, points[by[0]])
			}
			if !on[i] && !slices.ContainsFunc(by, func(j int) bool { return on[j] }) {
				t.Fatalf("trial %d: point %v off the frontier but no frontier point dominates it", trial, p)
			}
		}
	}
}
