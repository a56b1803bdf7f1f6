package backtest

import (
	"math"
	"math/bits"
	"slices"

	"pilotsim/sim/risk"
)

// Tally is what a backtest counted: declarations, outcomes and revenue per
// lane, per rule and per distinct score. Its size does not grow with the
// number of declarations.
type Tally struct {
	Rules   []string // rule ids, in rule-set order
	Classes []string // outcome class names (Decl.Classes bit order)

	Rows        int64 // declarations scored
	Bad         int64 // bad rows skipped (--skip-bad), history files included
	HistoryRows int64 // declarations read from history files (not scored)
	Unknown     int64 // declarations scored without an outcome (counted as regular)
	Irregular   int64
	Revenue     float64 // of irregular declarations
	ClassN      []int64 // declarations per outcome class

	Lanes   [risk.NumLanes]Cell
	Reasons [risk.NumLanes][risk.NumReasons]int64
	// PerRule[i] counts the declarations rule i fired on (whatever lane they
	// got); Controlled counts those among them in yellow or red.
	PerRule []RuleCell

	// Recorded compares the rule set's lanes with the lanes the declarations
	// actually got, when the mapping has a lane column: Recorded[actual][rules].
	Recorded    [risk.NumLanes][risk.NumLanes]int64
	RecordedAll int64

	// Scores is the histogram of scores.
	Scores ScoreHist

	// Days spans the dated declarations scored (NoDay when none).
	FirstDay, LastDay int32

	// Novelty is the key of Config.Novelty, parts joined by "+" ("" when
	// none); Seen and New tally the declarations whose key was seen before
	// and those whose key was new (nil when none).
	Novelty   string
	Seen, New *Tally
}

// Cell counts declarations and what was found among them.
type Cell struct {
	N         int64
	Irregular int64
	Revenue   float64
	Classes   []int64
}

// RuleCell is a Cell for one rule, with how many of its firings ended in a
// controlled lane.
type RuleCell struct {
	Cell
	Controlled int64
}

func (c *Cell) add(d *Decl) {
	c.N++
	if d.Irregular {
		c.Irregular++
		c.Revenue += d.Revenue
	}
	if d.Classes != 0 {
		for i := range c.Classes {
			if d.Classes&(1<<uint(i)) != 0 {
				c.Classes[i]++
			}
		}
	}
}

func (c *Cell) merge(o *Cell) {
	c.N += o.N
	c.Irregular += o.Irregular
	c.Revenue += o.Revenue
	for i := range c.Classes {
		c.Classes[i] += o.Classes[i]
	}
}

// NewTally returns an empty tally for a rule set and outcome classes.
func NewTally(rules, classes []string) *Tally {
	t := &Tally{Rules: slices.Clone(rules), Classes: slices.Clone(classes), ClassN: make([]int64, len(classes)),
		PerRule: make([]RuleCell, len(rules)), FirstDay: NoDay, LastDay: NoDay}
	for i := range t.Lanes {
		t.Lanes[i].Classes = make([]int64, len(classes))
	}
	for i := range t.PerRule {
		t.PerRule[i].Classes = make([]int64, len(classes))
	}
	t.Scores.nclass = len(classes)
	return t
}

// Add counts one scored declaration (its Lane, Reason, Hits and Score set).
func (t *Tally) Add(d *Decl) {
	c := &d.C
	t.Rows++
	if !d.Known {
		t.Unknown++
	}
	if d.Irregular {
		t.Irregular++
		t.Revenue += d.Revenue
	}
	for i := range t.ClassN {
		if d.Classes&(1<<uint(i)) != 0 {
			t.ClassN[i]++
		}
	}
	t.Lanes[c.Lane].add(d)
	t.Reasons[c.Lane][c.Reason]++
	controlled := c.Lane == risk.Yellow || c.Lane == risk.Red
	for w := range c.Hits { // by index: ranging over an array's values copies it
		set := c.Hits[w]
		for set != 0 {
			b := set & -set
			set ^= b
			i := w*64 + bits.TrailingZeros64(b)
			if i < len(t.PerRule) {
				t.PerRule[i].add(d)
				if controlled {
					t.PerRule[i].Controlled++
				}
			}
		}
	}
	if d.RecordedLane >= 0 {
		t.Recorded[d.RecordedLane][c.Lane]++
		t.RecordedAll++
	}
	if d.Day != NoDay {
		if t.FirstDay == NoDay || d.Day < t.FirstDay {
			t.FirstDay = d.Day
		}
		if t.LastDay == NoDay || d.Day > t.LastDay {
			t.LastDay = d.Day
		}
	}
	t.Scores.add(c.Score, d)
}

// Controlled returns the declarations in yellow or red.
func (t *Tally) Controlled() Cell {
	c := Cell{Classes: make([]int64, len(t.Classes))}
	c.merge(&t.Lanes[risk.Yellow])
	c.merge(&t.Lanes[risk.Red])
	return c
}

// Bin is one distinct score (or, past MaxExactScores distinct values, one
// narrow range of scores) with what was found among its declarations.
type Bin struct {
	Score float64
	Cell
}

// MaxExactScores is how many distinct scores the histogram keeps exactly;
// beyond it, scores are rounded to fewer significant digits and bins merged,
// so memory stays bounded whatever the scores.
const MaxExactScores = 1 << 16

// ScoreHist counts declarations per score.
type ScoreHist struct {
	index  idTable // math.Float64bits of the score → index in bins
	bins   []Bin
	digits int // 0: exact; else scores rounded to this many significant digits
	nclass int
	last   float64
	lastI  int32
}

func (h *ScoreHist) add(score float64, d *Decl) {
	if math.IsNaN(score) {
		score = math.Inf(-1)
	}
	if h.digits > 0 {
		score = roundSig(score, h.digits)
	}
	var i int32
	if len(h.bins) > 0 && score == h.last {
		i = h.lastI
	} else {
		i = h.bin(score)
		h.last, h.lastI = score, i
	}
	h.bins[i].add(d)
	if len(h.bins) > MaxExactScores {
		h.coarsen()
	}
}

// coarsen rounds every bin to fewer significant digits and merges equal ones.
func (h *ScoreHist) coarsen() {
	for len(h.bins) > MaxExactScores/2 {
		if h.digits == 0 {
			h.digits = 6
		} else {
			h.digits--
		}
		old := h.bins
		h.bins = nil
		h.index = idTable{}
		for _, b := range old {
			i := h.bin(roundSig(b.Score, h.digits))
			h.bins[i].merge(&b.Cell)
		}
		if h.digits == 1 {
			break
		}
	}
	h.last, h.lastI = math.NaN(), 0
}

// bin returns the index of score's bin, adding an empty one if it has none.
// Scores are never NaN here, and -0 is taken as 0, so equal scores have
// equal bits.
func (h *ScoreHist) bin(score float64) int32 {
	if score == 0 {
		score = 0
	}
	k := math.Float64bits(score)
	s, found := h.index.find(k)
	if found {
		return int32(h.index.id(s))
	}
	i := int32(len(h.bins))
	h.index.insert(s, k, uint32(i))
	h.bins = append(h.bins, Bin{Score: score, Cell: Cell{Classes: make([]int64, h.nclass)}})
	return i
}

func roundSig(x float64, digits int) float64 {
	if x == 0 || math.IsInf(x, 0) {
		return x
	}
	e := math.Pow(10, float64(digits)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*e) / e
}

// Bins returns the bins from the highest score to the lowest.
func (h *ScoreHist) Bins() []Bin {
	out := slices.Clone(h.bins)
	slices.SortFunc(out, func(a, b Bin) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return out
}

// Exact reports whether every bin is one distinct score.
func (h *ScoreHist) Exact() bool { return h.digits == 0 }
