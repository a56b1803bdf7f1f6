package results

import (
	"math"

	"pilotsim/sim"
	"pilotsim/sim/backtest"
)

// This file turns a backtest's Tally into the figures a Member asks for
// before a pilot: what the rule set's own selection would have caught, per
// lane and per rule, and the targeting curve over the score (precision, recall
// and revenue share at each inspection rate, with the lift over random
// selection).

// TargetingRates are the inspection rates the backtest reports the targeting
// curve at.
var TargetingRates = []float64{0.01, 0.02, 0.05, 0.10, 0.20}

// TargetPoint is one point of the targeting curve: inspect the declarations
// with the highest scores, a share Rate of all. Where the cut falls inside a
// group of declarations with equal scores, a random part of the group is
// inspected, and the counts are the expected values of that draw (so they
// may be fractional).
type TargetPoint struct {
	Rate      float64 `json:"rate"`      // inspected / all declarations
	Score     float64 `json:"score"`     // lowest score inspected
	Inspected float64 `json:"inspected"` // declarations inspected
	Hits      float64 `json:"hits"`      // irregular among them
	Revenue   float64 `json:"revenue"`   // revenue of those irregular
	// Precision = Hits / Inspected (the hit rate); Recall = Hits / all
	// irregular (the detection rate); RevenueShare = Revenue / all revenue;
	// Lift = Precision / the irregular share of all declarations (1 for
	// random selection).
	Precision    float64   `json:"precision"`
	Recall       float64   `json:"recall"`
	RevenueShare float64   `json:"revenue_share"`
	Lift         float64   `json:"lift"`
	ClassRecall  []float64 `json:"class_recall,omitempty"` // per outcome class: found / all of the class
}

// TargetingCurve returns the curve at every distinct score, from the highest
// score down: point i inspects every declaration scoring at least bins[i].
func TargetingCurve(t *backtest.Tally) []TargetPoint {
	bins := t.Scores.Bins()
	out := make([]TargetPoint, 0, len(bins))
	var acc backtest.Cell
	acc.Classes = make([]int64, len(t.Classes))
	for _, b := range bins {
		acc.N += b.N
		acc.Irregular += b.Irregular
		acc.Revenue += b.Revenue
		for i := range acc.Classes {
			acc.Classes[i] += b.Classes[i]
		}
		classes := make([]float64, len(acc.Classes))
		for i, c := range acc.Classes {
			classes[i] = float64(c)
		}
		out = append(out, btPoint(t, b.Score, float64(acc.N), float64(acc.Irregular), acc.Revenue, classes))
	}
	return out
}

// TargetAt returns the curve at inspection rate rate (0 < rate <= 1),
// splitting the group of equal scores the cut falls in.
func TargetAt(t *backtest.Tally, rate float64) TargetPoint {
	want := rate * float64(t.Rows)
	var n, hits, rev float64
	classes := make([]float64, len(t.Classes))
	score := math.Inf(1)
	for _, b := range t.Scores.Bins() {
		if n >= want {
			break
		}
		f := 1.0
		if left := want - n; float64(b.N) > left {
			f = left / float64(b.N)
		}
		n += f * float64(b.N)
		hits += f * float64(b.Irregular)
		rev += f * b.Revenue
		for i, c := range b.Classes {
			classes[i] += f * float64(c)
		}
		score = b.Score
	}
	p := btPoint(t, score, n, hits, rev, classes)
	p.Rate = rate
	return p
}

func btPoint(t *backtest.Tally, score, n, hits, rev float64, classes []float64) TargetPoint {
	p := TargetPoint{Score: score, Inspected: n, Hits: hits, Revenue: rev,
		Rate: btRatio(n, float64(t.Rows)), Precision: btRatio(hits, n), Recall: btRatio(hits, float64(t.Irregular)),
		RevenueShare: btRatio(rev, t.Revenue)}
	p.Lift = btRatio(p.Precision, btRatio(float64(t.Irregular), float64(t.Rows)))
	if len(classes) > 0 {
		p.ClassRecall = make([]float64, len(classes))
		for i, c := range classes {
			p.ClassRecall[i] = btRatio(c, float64(t.ClassN[i]))
		}
	}
	return p
}

// btRatio is a/b, NaN when b is 0 (undefined, as with a hit rate of no
// controls).
func btRatio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// BacktestSelection is what the rule set's own selection (its lanes, random
// and expected rates included) would have done.
type BacktestSelection struct {
	Declarations   int64   `json:"declarations"`
	Irregular      int64   `json:"irregular"`
	IrregularShare float64 `json:"irregular_share"` // base rate: the precision of random selection
	Controlled     int64   `json:"controlled"`      // yellow + red
	InspectionRate float64 `json:"inspection_rate"` // controlled / all
	Hits           int64   `json:"hits"`            // irregular among controlled
	HitRate        float64 `json:"hit_rate"`        // hits / controlled
	DetectionRate  float64 `json:"detection_rate"`  // hits / irregular
	Revenue        float64 `json:"revenue"`         // revenue of all irregular declarations
	RevenueFound   float64 `json:"revenue_found"`   // revenue of the hits
	RevenueShare   float64 `json:"revenue_share"`   // revenue_found / revenue
	Lift           float64 `json:"lift"`            // hit rate / base rate
	// ClassDetection is, per outcome class, the share of the class's
	// declarations that were controlled.
	ClassDetection []float64 `json:"class_detection,omitempty"`
}

// BacktestLane is one lane of the selection.
type BacktestLane struct {
	Lane      string           `json:"lane"`
	N         int64            `json:"declarations"`
	Share     float64          `json:"share"`
	Irregular int64            `json:"irregular"`
	HitRate   float64          `json:"hit_rate"` // irregular / declarations of the lane
	Revenue   float64          `json:"revenue"`
	Reasons   map[string]int64 `json:"reasons"` // score, forced, random, expected
}

// BacktestRule is one rule: how often it fired and how often it was right, so
// weak rules can be dropped.
type BacktestRule struct {
	ID         string  `json:"id"`
	Fired      int64   `json:"fired"`
	FiredShare float64 `json:"fired_share"` // fired / all declarations
	Hits       int64   `json:"hits"`        // irregular among the declarations it fired on
	HitRate    float64 `json:"hit_rate"`    // hits / fired
	Lift       float64 `json:"lift"`        // hit rate / base rate
	Recall     float64 `json:"recall"`      // hits / all irregular
	Revenue    float64 `json:"revenue"`     // revenue of its hits
	Controlled int64   `json:"controlled"`  // of its firings, in yellow or red
}

// SelectionOf summarizes the rule set's own selection.
func SelectionOf(t *backtest.Tally) BacktestSelection {
	c := t.Controlled()
	s := BacktestSelection{
		Declarations: t.Rows, Irregular: t.Irregular, IrregularShare: btRatio(float64(t.Irregular), float64(t.Rows)),
		Controlled: c.N, InspectionRate: btRatio(float64(c.N), float64(t.Rows)),
		Hits: c.Irregular, HitRate: btRatio(float64(c.Irregular), float64(c.N)),
		DetectionRate: btRatio(float64(c.Irregular), float64(t.Irregular)),
		Revenue:       t.Revenue, RevenueFound: c.Revenue, RevenueShare: btRatio(c.Revenue, t.Revenue),
	}
	s.Lift = btRatio(s.HitRate, s.IrregularShare)
	for i := range t.Classes {
		s.ClassDetection = append(s.ClassDetection, btRatio(float64(c.Classes[i]), float64(t.ClassN[i])))
	}
	return s
}

// LanesOf returns one row per lane, green to red.
func LanesOf(t *backtest.Tally) []BacktestLane {
	out := make([]BacktestLane, 0, sim.NumLanes)
	for l := sim.Lane(0); l < sim.NumLanes; l++ {
		c := &t.Lanes[l]
		r := BacktestLane{Lane: l.String(), N: c.N, Share: btRatio(float64(c.N), float64(t.Rows)), Irregular: c.Irregular,
			HitRate: btRatio(float64(c.Irregular), float64(c.N)), Revenue: c.Revenue, Reasons: map[string]int64{}}
		for why := sim.Reason(0); why < sim.NumReasons; why++ {
			r.Reasons[why.String()] = t.Reasons[l][why]
		}
		out = append(out, r)
	}
	return out
}

// RulesOf returns one row per rule, in rule-set order.
func RulesOf(t *backtest.Tally) []BacktestRule {
	base := btRatio(float64(t.Irregular), float64(t.Rows))
	out := make([]BacktestRule, 0, len(t.Rules))
	for i, id := range t.Rules {
		c := &t.PerRule[i]
		r := BacktestRule{ID: id, Fired: c.N, FiredShare: btRatio(float64(c.N), float64(t.Rows)), Hits: c.Irregular,
			HitRate: btRatio(float64(c.Irregular), float64(c.N)), Recall: btRatio(float64(c.Irregular), float64(t.Irregular)),
			Revenue: c.Revenue, Controlled: c.Controlled}
		r.Lift = btRatio(r.HitRate, base)
		out = append(out, r)
	}
	return out
}
