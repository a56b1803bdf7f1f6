package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"pilotsim/internal/randdist"
)

// Family is one kind of categorical key (HS6, HS6 × origin, declarant …) and
// its place in the shrinkage hierarchy.
type Family struct {
	// Name is for messages and reports ("hs6", "hs6+origin").
	Name string
	// Parent is the index of the coarser family this one shrinks towards
	// (HS6's parent is HS4); -1 shrinks towards the global rate. A parent
	// comes before its children in the schema.
	Parent int
	// Prior is the prior strength (in pseudo-declarations) of the family's
	// cells before empirical Bayes refits it; 0 means DefaultPrior.
	Prior float64
}

// DefaultPrior is a family's prior strength before Refit estimates it.
const DefaultPrior = 10

// Schema lists the key families a Features value carries, in order.
type Schema struct {
	Families []Family
}

// Check reports whether the schema is usable: 1 to MaxKeys families, each
// parent before its child.
func (s Schema) Check() error {
	if len(s.Families) == 0 || len(s.Families) > MaxKeys {
		return fmt.Errorf("learn: schema has %d key families, want 1 to %d", len(s.Families), MaxKeys)
	}
	for i, f := range s.Families {
		if f.Parent < -1 || f.Parent >= i {
			return fmt.Errorf("learn: family %d (%q): parent %d must be -1 or an earlier family", i, f.Name, f.Parent)
		}
		if f.Prior < 0 || math.IsNaN(f.Prior) || math.IsInf(f.Prior, 0) {
			return fmt.Errorf("learn: family %d (%q): prior %v must be a finite number >= 0", i, f.Name, f.Prior)
		}
	}
	return nil
}

// slot is one entry of the model's open-addressing table: a key and what is
// known of it (revealed outcomes n, irregular k). 16 bytes, four to a cache
// line: a look-up costs one memory access.
type slot struct {
	key  uint64
	n, k float32
}

// meta is what Refit needs of a key beyond its counts, kept apart from the
// table so that scoring does not load it.
type meta struct {
	parent uint64
	family int32
	// pslot is the parent key's slot, or -1 (no parent key): kept with
	// the table (set on insert, reset when the table grows) so that Refit
	// does not look parents up.
	pslot int32
}

// Model is the learned scorer: hierarchical Beta–Binomial cell rates with
// empirical-Bayes shrinkage, combined across key families as a sum of
// log-odds lifts with learned weights (see the package documentation). It
// learns only from the outcomes given to Observe. Storage is one
// open-addressing hash table of fixed-size slots (linear probing, at most half
// full): no map, no string, no pointer, no allocation per observation once
// every key has been seen (a table that fills up doubles; the capacity given
// to NewModel avoids it).
type Model struct {
	schema Schema
	m      [MaxKeys]float64 // prior strength per family
	w      [MaxKeys]float64 // weight of each family's lift
	bias   float64
	lr     float64

	n0, k0 float64 // global counts (weighted)
	seen   int     // outcomes learned

	parent [MaxKeys]int8 // each family's parent (schema.Families[i].Parent)
	g0, z0 float64       // Global() and logit(Global()) + bias, valid when baseOK
	baseOK bool

	table []slot
	meta  []meta
	mask  uint64
	used  int

	// Refit's work space, kept between refits: the shrunken rate per slot
	// and the occupied slots grouped by family, in table order.
	est     []float64
	order   []int32
	start   [MaxKeys + 1]int
	grouped bool // order and start hold the current table

	// Width's cache: UCBWidth(widthAt).
	widthAt int
	width   float64

	// Redraw's cell draws (batched Thompson sampling), by slot; NaN for a
	// slot empty at the draw.
	draw  []float64
	gDraw float64
	drawn bool
}

// NewModel returns an empty model for schema, with room for capacity distinct
// keys before its table grows.
func NewModel(s Schema, capacity int) (*Model, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if capacity < 16 {
		capacity = 16
	}
	size := 1
	for size < 2*capacity {
		size <<= 1
	}
	m := &Model{schema: s, lr: DefaultLearningRate, table: make([]slot, size), meta: make([]meta, size), mask: uint64(size - 1)}
	for i, f := range s.Families {
		m.m[i] = f.Prior
		if m.m[i] == 0 {
			m.m[i] = DefaultPrior
		}
		m.w[i] = 1
		m.parent[i] = int8(f.Parent)
	}
	return m, nil
}

// DefaultLearningRate is the step of the online logistic fit of the family
// weights.
const DefaultLearningRate = 0.01

// SetLearningRate sets the step of the family weights' online logistic fit;
// 0 keeps every weight at 1 (a plain naive-Bayes sum of lifts).
func (m *Model) SetLearningRate(lr float64) { m.lr = lr }

// Schema returns the model's schema.
func (m *Model) Schema() Schema { return m.schema }

// find returns the slot of key, or -1. Keys are never 0 (Key guarantees it),
// so a zero key marks an empty slot; the key's low bits are already mixed
// (Key ends with splitmix64), so they index the table directly.
func (m *Model) find(key uint64) int {
	// Linear probing; the table is at most half full, so a probe ends at
	// an empty slot.
	for i := key & m.mask; ; i = (i + 1) & m.mask {
		switch m.table[i].key {
		case key:
			return int(i)
		case 0:
			return -1
		}
	}
}

// insert returns the slot of key, creating it.
func (m *Model) insert(key, parent uint64, family int) int {
	i := key & m.mask
	for ; m.table[i].key != 0; i = (i + 1) & m.mask {
		if m.table[i].key == key {
			return int(i)
		}
	}
	if 2*(m.used+1) > len(m.table) {
		m.grow()
		return m.insert(key, parent, family)
	}
	m.table[i].key = key
	m.meta[i] = meta{parent: parent, family: int32(family), pslot: m.parentSlot(parent)}
	m.used++
	m.grouped = false
	return int(i)
}

// parentSlot returns the slot of parent key, or -1 for none. A parent is
// learned before its child (Observe goes through the families in schema
// order), so a non-zero parent key is in the table.
func (m *Model) parentSlot(parent uint64) int32 {
	if parent == 0 {
		return -1
	}
	return int32(m.find(parent))
}

func (m *Model) grow() {
	m.grouped = false
	old, oldMeta, oldDraw := m.table, m.meta, m.draw
	m.table = make([]slot, 2*len(old))
	m.meta = make([]meta, 2*len(old))
	m.mask = uint64(len(m.table) - 1)
	// Redraw's draws move with their cells (batched Thompson sampling
	// keeps its draws until the next Redraw, whatever the table does).
	keepDraws := m.drawn && len(oldDraw) == len(old)
	if keepDraws {
		m.draw = make([]float64, len(m.table))
		for i := range m.draw {
			m.draw[i] = math.NaN()
		}
	}
	for j, s := range old {
		if s.key == 0 {
			continue
		}
		i := s.key & m.mask
		for m.table[i].key != 0 {
			i = (i + 1) & m.mask
		}
		m.table[i] = s
		m.meta[i] = oldMeta[j]
		if keepDraws {
			m.draw[i] = oldDraw[j]
		}
	}
	for i := range m.meta {
		if m.table[i].key != 0 {
			m.meta[i].pslot = m.parentSlot(m.meta[i].parent)
		}
	}
}

// Width returns UCBWidth(Observed()), computed once per change of the
// outcomes learned (a logarithm and a square root saved per score).
func (m *Model) Width() float64 {
	if m.widthAt != m.seen || m.width == 0 {
		m.widthAt, m.width = m.seen, UCBWidth(m.seen)
	}
	return m.width
}

// Observed returns the number of outcomes the model has learned.
func (m *Model) Observed() int { return m.seen }

// Keys returns the number of distinct keys the model holds.
func (m *Model) Keys() int { return m.used }

// Global returns the shrunken global rate of irregularity, (k+1)/(n+2).
func (m *Model) Global() float64 { return (m.k0 + 1) / (m.n0 + 2) }

// lookup sets at[i] to the slot of f's key of family i, or -1 (missing or
// unseen). The look-ups are independent memory accesses that the processor
// overlaps, instead of waiting for each in turn.
func (m *Model) lookup(f *Features, at *[MaxKeys]int) {
	for i := 0; i < f.N; i++ {
		at[i] = -1
		if key := f.Keys[i]; key != 0 {
			at[i] = m.find(key)
		}
	}
}

// base returns Global() and logit(Global()) + bias, the log-odds every score
// starts from, computed once per change of the global counts or the bias.
func (m *Model) base() (g, z float64) {
	if !m.baseOK {
		m.g0 = m.Global()
		m.z0 = logit(m.g0) + m.bias
		m.baseOK = true
	}
	return m.g0, m.z0
}

// rates fills p[i] with family i's shrunken rate for f's key, and lift[i] with
// logit p[i] − logit p[parent]. It returns the combined log-odds.
func (m *Model) rates(f *Features, p, lift *[MaxKeys]float64) float64 {
	var at [MaxKeys]int
	m.lookup(f, &at)
	return m.combine(f, &at, p, lift)
}

// combine is rates with the keys' slots already looked up.
func (m *Model) combine(f *Features, at *[MaxKeys]int, p, lift *[MaxKeys]float64) float64 {
	g, z := m.base()
	for i := 0; i < f.N; i++ {
		mu := g
		if par := m.parent[i]; par >= 0 {
			mu = p[par]
		}
		p[i] = mu
		lift[i] = 0
		if at[i] < 0 {
			continue
		}
		s := &m.table[at[i]]
		p[i] = shrink(float64(s.k), float64(s.n), m.m[i], mu)
		// logRatio(p[i], mu), written out so that it inlines.
		cp, cq := clampP(p[i]), clampP(mu)
		lift[i] = fastLog(cp * (1 - cq) / (cq * (1 - cp)))
		z += m.w[i] * lift[i]
	}
	return z
}

// Prob returns the model's probability that the declaration f is irregular:
// the posterior-mean cell rates, combined.
func (m *Model) Prob(f *Features) float64 {
	var at [MaxKeys]int
	m.lookup(f, &at)
	// combine without the lifts kept: the same operations in the same
	// order, hence the same bits.
	var p [MaxKeys]float64
	g, z := m.base()
	for i := 0; i < f.N; i++ {
		mu := g
		if par := m.parent[i]; par >= 0 {
			mu = p[par]
		}
		p[i] = mu
		if at[i] < 0 {
			continue
		}
		s := &m.table[at[i]]
		pi := shrink(float64(s.k), float64(s.n), m.m[i], mu)
		p[i] = pi
		cp, cq := clampP(pi), clampP(mu)
		z += m.w[i] * fastLog(cp*(1-cq)/(cq*(1-cp)))
	}
	return sigmoid(z)
}

// Rate returns family i's shrunken rate for f's key (its posterior mean): the
// cell's own outcomes shrunk towards its parent's rate, which an unseen key
// takes whole.
func (m *Model) Rate(f *Features, i int) float64 {
	var p, lift [MaxKeys]float64
	m.rates(f, &p, &lift)
	return p[i]
}

// Sample returns one Thompson draw of the probability that f is irregular:
// each family's cell rate is drawn from its Beta posterior around the drawn
// rate of its parent, and the draws are combined as Prob combines the means.
func (m *Model) Sample(f *Features, r *rand.Rand) float64 {
	var p [MaxKeys]float64
	a0, b0 := m.k0+1, m.n0-m.k0+1
	g := betaDraw(r, a0, b0)
	z := logit(g) + m.bias
	for i := 0; i < f.N; i++ {
		mu := g
		if par := m.parent[i]; par >= 0 {
			mu = p[par]
		}
		p[i] = mu
		key := f.Keys[i]
		if key == 0 {
			continue
		}
		if c := m.find(key); c >= 0 {
			s := &m.table[c]
			a := float64(s.k) + m.m[i]*mu
			b := float64(s.n-s.k) + m.m[i]*(1-mu)
			p[i] = betaDraw(r, a, b)
			z += m.w[i] * logRatio(p[i], mu)
		}
	}
	return sigmoid(z)
}

// Upper returns an optimistic probability that f is irregular, for
// upper-confidence-bound (UCB) targeting: each family's cell rate is replaced
// by its posterior mean plus c posterior standard deviations (a Beta
// posterior around its parent's rate; an unseen key has the prior's spread,
// so the less a cell is known the higher it ranks), and the optimistic
// rates are combined as Prob combines the means. The hierarchy's chain uses
// the means, so each family adds its own optimism once.
func (m *Model) Upper(f *Features, c float64) float64 {
	var at [MaxKeys]int
	m.lookup(f, &at)
	var p [MaxKeys]float64
	g, z := m.base()
	for i := 0; i < f.N; i++ {
		mu := g
		if par := m.parent[i]; par >= 0 {
			mu = p[par]
		}
		p[i] = mu
		if f.Keys[i] == 0 {
			continue
		}
		n, k := 0.0, 0.0
		if at[i] >= 0 {
			s := &m.table[at[i]]
			n, k = float64(s.n), float64(s.k)
		}
		a := n + m.m[i]
		pi := shrink(k, n, m.m[i], mu)
		p[i] = pi
		up := pi + c*math.Sqrt(pi*(1-pi)/(a+1))
		cp, cq := clampP(up), clampP(mu)
		z += m.w[i] * fastLog(cp*(1-cq)/(cq*(1-cp)))
	}
	return sigmoid(z)
}

// Redraw draws one value of every cell's rate from its posterior (parents
// first, each cell's Beta posterior centred on its parent's drawn rate), for
// batched Thompson sampling: Drawn then ranks every declaration of a cell by
// the same draw until the next Redraw (typically at each refit). Drawing per
// cell and period rather than per declaration is the usual form of
// Thompson sampling when outcomes arrive late and in batches, and costs a
// look-up per declaration instead of two gamma draws per family.
func (m *Model) Redraw(r *rand.Rand) {
	if len(m.draw) != len(m.table) {
		m.draw = make([]float64, len(m.table))
	}
	m.groupByFamily()
	m.gDraw = betaDraw(r, m.k0+1, m.n0-m.k0+1)
	for j := range m.draw {
		m.draw[j] = math.NaN() // empty now: a key inserted later counts as unseen
	}
	for fam := 0; fam < len(m.schema.Families); fam++ {
		for _, j := range m.order[m.start[fam]:m.start[fam+1]] {
			s := &m.table[j]
			mu := m.gDraw
			if pj := m.meta[j].pslot; pj >= 0 && m.parent[fam] >= 0 && !math.IsNaN(m.draw[pj]) {
				mu = m.draw[pj]
			}
			a := float64(s.k) + m.m[fam]*mu
			b := float64(s.n-s.k) + m.m[fam]*(1-mu)
			m.draw[j] = betaDraw(r, a, b)
		}
	}
	m.drawn = true
}

// Drawn returns the probability that f is irregular from the cell rates
// drawn by the last Redraw, combined as Prob combines the means (an unseen
// key, or one first seen after the draw, takes its parent's draw). Before
// any Redraw it returns Prob.
func (m *Model) Drawn(f *Features) float64 {
	if !m.drawn || len(m.draw) != len(m.table) {
		return m.Prob(f)
	}
	var at [MaxKeys]int
	m.lookup(f, &at)
	var p [MaxKeys]float64
	g := m.gDraw
	z := logit(g) + m.bias
	for i := 0; i < f.N; i++ {
		mu := g
		if par := m.parent[i]; par >= 0 {
			mu = p[par]
		}
		p[i] = mu
		if at[i] < 0 || math.IsNaN(m.draw[at[i]]) {
			continue
		}
		p[i] = m.draw[at[i]]
		cp, cq := clampP(p[i]), clampP(mu)
		z += m.w[i] * fastLog(cp*(1-cq)/(cq*(1-cp)))
	}
	return sigmoid(z)
}

// Observe adds one revealed outcome. The family weights take one online
// logistic step on the lifts as they were before this outcome (a prequential
// fit: the outcome is predicted before it is learned).
func (m *Model) Observe(f *Features, irregular bool) { m.ObserveWeighted(f, irregular, 1) }

// ObserveWeighted is Observe for an outcome that stands for w declarations
// in the global rate (w = 1/propensity): the global rate, which every unseen
// key falls back to, is then the inverse-propensity estimate of the base rate
// rather than the hit rate of past targeting, which selection inflates. Cells
// count the outcome once (weighting them by 1/propensity would let one random
// inspection outweigh dozens of targeted ones in its cell).
func (m *Model) ObserveWeighted(f *Features, irregular bool, w float64) {
	y := 0.0
	if irregular {
		y = 1
	}
	// The slots looked up for the weights' step serve the counts too,
	// unless an insertion grows (rehashes) the table.
	var at [MaxKeys]int
	looked := false
	if m.lr > 0 {
		var p, lift [MaxKeys]float64
		m.lookup(f, &at)
		looked = true
		g := y - sigmoid(m.combine(f, &at, &p, &lift))
		for i := 0; i < f.N; i++ {
			m.w[i] += m.lr * g * lift[i]
		}
		m.bias += m.lr * g
	}
	m.seen++
	m.n0 += w
	m.k0 += w * y
	m.baseOK = false
	size := len(m.table)
	for i := 0; i < f.N; i++ {
		key := f.Keys[i]
		if key == 0 {
			continue
		}
		j := -1
		if looked && len(m.table) == size {
			j = at[i]
		}
		if j < 0 {
			var parent uint64
			if par := m.parent[i]; par >= 0 {
				parent = f.Keys[par]
			}
			j = m.insert(key, parent, i)
		}
		s := &m.table[j]
		s.n++
		s.k += float32(y)
	}
}

// Weights returns the current weight of each family's lift.
func (m *Model) Weights() []float64 { return append([]float64(nil), m.w[:len(m.schema.Families)]...) }

// Priors returns the current prior strength of each family.
func (m *Model) Priors() []float64 { return append([]float64(nil), m.m[:len(m.schema.Families)]...) }

// Refit re-estimates each family's prior strength by empirical Bayes (the
// method of moments of the Beta–Binomial): from the spread of its cells'
// observed rates around their parents' shrunken rates, beyond what binomial
// noise explains. A family whose cells differ little from their parents gets
// a strong prior (its cells are pulled to the parent), one whose cells differ
// much a weak one. It runs over the cells (not the observations): call it
// periodically, for instance nightly in simulated time. Families with fewer
// than minCells cells of 2 or more outcomes keep their prior.
func (m *Model) Refit() {
	const minCells = 5
	nf := len(m.schema.Families)
	if len(m.est) != len(m.table) {
		m.est = make([]float64, len(m.table)) // shrunken rate per slot, parents first
	}
	est := m.est
	m.groupByFamily()
	g := m.Global()
	for fam := 0; fam < nf; fam++ {
		cellsOf := m.order[m.start[fam]:m.start[fam+1]]
		var num, noise, den float64
		cells := 0
		hasParent := m.schema.Families[fam].Parent >= 0
		parFam := m.schema.Families[fam].Parent
		grandParent := hasParent && m.schema.Families[parFam].Parent >= 0
		// above is the shrunken rate of the cell's parent's own parent (the
		// global rate for a top family's parent).
		above := func(pj int32) float64 {
			if !grandParent {
				return g
			}
			if gj := m.meta[pj].pslot; gj >= 0 {
				return est[gj]
			}
			return g
		}
		// looRate is the parent's rate without the cell's own outcomes:
		// a cell that is its parent's only child would otherwise agree
		// with its parent by construction and hide the spread between
		// cells.
		looRate := func(j int32) float64 {
			if !hasParent {
				return g
			}
			pj := m.meta[j].pslot
			if pj < 0 {
				return g
			}
			p, c := &m.table[pj], &m.table[j]
			return (float64(p.k-c.k) + m.m[parFam]*above(pj)) / (float64(p.n-c.n) + m.m[parFam])
		}
		for _, j := range cellsOf {
			s := &m.table[j]
			if s.n < 2 {
				continue
			}
			mu := looRate(j)
			n := float64(s.n)
			r := float64(s.k) / n
			v := mu * (1 - mu)
			num += (r - mu) * (r - mu)
			noise += v / n
			den += (1 - 1/n) * v
			cells++
		}
		if cells >= minCells && den > 0 {
			inv := (num - noise) / den // 1/(m+1)
			mm := 1000.0
			if inv > 1.0/1001 {
				mm = 1/inv - 1
			}
			m.m[fam] = math.Min(1000, math.Max(0.5, mm))
		}
		for _, j := range cellsOf {
			s := &m.table[j]
			mu := g
			if hasParent {
				if pj := m.meta[j].pslot; pj >= 0 {
					mu = est[pj]
				}
			}
			est[j] = shrink(float64(s.k), float64(s.n), m.m[fam], mu)
		}
	}
}

// groupByFamily sets m.order to the occupied slots grouped by family, each
// group in table order (a counting sort), and m.start to the groups' bounds:
// each family's pass visits its own cells only, in the order (hence with
// the sums) of a scan of the whole table.
func (m *Model) groupByFamily() {
	if m.grouped {
		return // no key added since (Redraw after Refit)
	}
	m.grouped = true
	nf := len(m.schema.Families)
	m.start = [MaxKeys + 1]int{}
	for j := range m.table {
		if m.table[j].key != 0 {
			m.start[m.meta[j].family+1]++
		}
	}
	for fam := 0; fam < nf; fam++ {
		m.start[fam+1] += m.start[fam]
	}
	m.order = slices.Grow(m.order[:0], m.used)[:m.used]
	next := m.start
	for j := range m.table {
		if m.table[j].key != 0 {
			f := m.meta[j].family
			m.order[next[f]] = int32(j)
			next[f]++
		}
	}
}

// shrink returns the shrunken rate of a cell of k irregular in n outcomes
// under a Beta prior of strength m around mu: its posterior mean.
func shrink(k, n, m, mu float64) float64 { return (k + m*mu) / (n + m) }

func logit(p float64) float64 {
	p = clampP(p)
	return fastLog(p / (1 - p))
}

// logRatio is logit(p) − logit(q) with one logarithm.
func logRatio(p, q float64) float64 {
	return fastLog(clampP(p) * (1 - clampP(q)) / (clampP(q) * (1 - clampP(p))))
}

// clampP keeps a probability in [1e-6, 1 − 1e-6] so that its log-odds stay
// finite (plain comparisons: math.Min and Max handle NaN and signed zeros,
// which cost more and cannot occur here).
func clampP(p float64) float64 {
	const eps = 1e-6
	if p < eps {
		return eps
	}
	if p > 1-eps {
		return 1 - eps
	}
	return p
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// betaDraw draws from Beta(a, b) as X/(X+Y) with X, Y Gamma draws.
func betaDraw(r *rand.Rand, a, b float64) float64 {
	if a <= 0 || b <= 0 {
		if a <= 0 {
			return 0
		}
		return 1
	}
	x := randdist.Gamma(r, a)
	y := randdist.Gamma(r, b)
	if x+y == 0 {
		return a / (a + b)
	}
	return x / (x + y)
}
