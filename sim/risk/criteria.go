package risk

import (
	"fmt"
	"math"
	"strconv"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// riskOp is the operation of one node of a compiled criterion.
type riskOp uint8

const (
	riskTrue        riskOp = iota // always holds (empty criteria)
	riskAnd                       // all children hold
	riskOr                        // any child holds
	riskNot                       // the child does not hold
	riskOrigin                    // origin in set
	riskDispatch                  // dispatch in set
	riskRouting                   // routing hub in set (false when not routed)
	riskChapter                   // HS chapter in set (2-digit prefixes)
	riskHSRange                   // HS code in any of the ranges
	riskTrader                    // trader in bit set
	riskMode                      // mode in set
	riskAEO                       // AEO flag equals want
	riskNew                       // new-trader flag equals want
	riskLodgedAfter               // lodged after arrival equals want
	riskValuePerKg                // lo <= value per kg < hi
	riskWeight                    // lo <= gross weight < hi
	riskValue                     // lo <= value < hi
	riskExtra                     // field or history criterion of a backtest: extra[a] (extra.go)
)

// riskNode is one node of a compiled criterion. Country, chapter and mode
// sets are 256-bit masks; HS prefixes are integer ranges; trader lists are
// bit sets over the population. Children of and/or/not are the nodes
// kids[a:a+n] of the program.
type riskNode struct {
	op     riskOp
	want   bool
	a, n   int32
	lo, hi float64
	set    [4]uint64
}

// riskProgram holds the compiled criteria of all rules: a flat array of
// nodes evaluated with a switch, no allocation, interface call or map look-up.
type riskProgram struct {
	nodes   []riskNode
	kids    []int32
	hs      [][2]uint32 // [lo, hi) ranges of 6-digit HS codes
	traders [][]uint64  // bit sets over trader indices
	extra   []extraTest // field and history tests (backtest only, extra.go)
	// rateSlots are the history slots that rate tests read (setRates).
	rateSlots []uint8
}

func riskSetHas(s *[4]uint64, i uint8) bool { return s[i>>6]&(1<<(i&63)) != 0 }

// eval reports whether node i holds for c.
func (p *riskProgram) eval(i int32, c *Consignment) bool { return p.evalExtra(i, c, nil) }

// evalExtra is eval with the extra values x of a backtest declaration (nil
// in simulation; see extra.go).
func (p *riskProgram) evalExtra(i int32, c *Consignment, x *Extra) bool {
	n := &p.nodes[i]
	switch n.op {
	case riskTrue:
		return true
	case riskAnd:
		for _, k := range p.kids[n.a : n.a+n.n] {
			if !p.evalExtra(k, c, x) {
				return false
			}
		}
		return true
	case riskOr:
		for _, k := range p.kids[n.a : n.a+n.n] {
			if p.evalExtra(k, c, x) {
				return true
			}
		}
		return false
	case riskNot:
		return !p.evalExtra(p.kids[n.a], c, x)
	case riskOrigin:
		return riskSetHas(&n.set, uint8(c.Origin))
	case riskDispatch:
		return riskSetHas(&n.set, uint8(c.Dispatch))
	case riskRouting:
		return c.Hub != datamodel.NoCountry && riskSetHas(&n.set, uint8(c.Hub))
	case riskChapter:
		return riskSetHas(&n.set, uint8(c.HS/10000))
	case riskHSRange:
		for _, r := range p.hs[n.a : n.a+n.n] {
			if c.HS >= r[0] && c.HS < r[1] {
				return true
			}
		}
		return false
	case riskTrader:
		s := p.traders[n.a]
		i := int(c.Trader)
		return i >= 0 && i>>6 < len(s) && s[i>>6]&(1<<(uint(i)&63)) != 0
	case riskMode:
		return riskSetHas(&n.set, uint8(c.Mode))
	case riskAEO:
		return (c.Flags&FlagAEO != 0) == n.want
	case riskNew:
		return (c.Flags&FlagNew != 0) == n.want
	case riskLodgedAfter:
		return (c.Lodgement > c.Arrival) == n.want
	case riskValuePerKg:
		return c.ValuePerKg >= n.lo && c.ValuePerKg < n.hi
	case riskWeight:
		return c.GrossWeight >= n.lo && c.GrossWeight < n.hi
	case riskValue:
		return c.Value >= n.lo && c.Value < n.hi
	case riskExtra:
		return x != nil && p.extra[n.a].match(x)
	}
	return false
}

// riskCompiler turns scenarios.Criteria into nodes of a riskProgram.
type riskCompiler struct {
	p           *riskProgram
	traderCount int
	schema      *ExtraSchema // field and history criteria (backtest); nil in simulation
}

func (rc *riskCompiler) add(n riskNode) int32 {
	rc.p.nodes = append(rc.p.nodes, n)
	return int32(len(rc.p.nodes) - 1)
}

// group adds an and/or node over children (a single child stands alone; no
// children is an and that always holds: callers reject an empty any).
func (rc *riskCompiler) group(op riskOp, children []int32) int32 {
	if len(children) == 1 {
		return children[0]
	}
	if len(children) == 0 { // only for and: an empty condition always holds
		return rc.add(riskNode{op: riskTrue})
	}
	a := int32(len(rc.p.kids))
	rc.p.kids = append(rc.p.kids, children...)
	return rc.add(riskNode{op: op, a: a, n: int32(len(children))})
}

// criteria compiles c; path names it in errors (e.g. "when.any[1].origin").
func (rc *riskCompiler) criteria(c *scenarios.Criteria, path string) (int32, error) {
	var parts []int32
	countries := func(op riskOp, field string, codes []string) error {
		if codes == nil {
			return nil
		}
		if len(codes) == 0 {
			return fmt.Errorf("%s.%s: empty list (it would never match)", path, field)
		}
		var n riskNode
		n.op = op
		for i, code := range codes {
			ct, err := datamodel.ParseCountry(code)
			if err != nil {
				return fmt.Errorf("%s.%s[%d]: %v", path, field, i, err)
			}
			n.set[ct>>6] |= 1 << (ct & 63)
		}
		parts = append(parts, rc.add(n))
		return nil
	}
	if err := countries(riskOrigin, "origin", c.Origin); err != nil {
		return 0, err
	}
	if err := countries(riskDispatch, "dispatch", c.Dispatch); err != nil {
		return 0, err
	}
	if err := countries(riskRouting, "routing", c.Routing); err != nil {
		return 0, err
	}
	if c.HS != nil {
		if len(c.HS) == 0 {
			return 0, fmt.Errorf("%s.hs: empty list (it would never match)", path)
		}
		ranges := make([][2]uint32, 0, len(c.HS))
		chapters := true
		var set [4]uint64
		for i, pre := range c.HS {
			lo, hi, err := riskHSPrefix(pre)
			if err != nil {
				return 0, fmt.Errorf("%s.hs[%d]: %v", path, i, err)
			}
			ranges = append(ranges, [2]uint32{lo, hi})
			if len(pre) == 2 {
				ch := lo / 10000
				set[ch>>6] |= 1 << (ch & 63)
			} else {
				chapters = false
			}
		}
		if chapters {
			parts = append(parts, rc.add(riskNode{op: riskChapter, set: set}))
		} else {
			a := int32(len(rc.p.hs))
			rc.p.hs = append(rc.p.hs, ranges...)
			parts = append(parts, rc.add(riskNode{op: riskHSRange, a: a, n: int32(len(ranges))}))
		}
	}
	if c.Trader != nil {
		if len(c.Trader) == 0 {
			return 0, fmt.Errorf("%s.trader: empty list (it would never match)", path)
		}
		set := make([]uint64, (rc.traderCount+63)/64)
		for i, id := range c.Trader {
			t, err := scenarios.ParseTraderID(id, rc.traderCount)
			if err != nil {
				return 0, fmt.Errorf("%s.trader[%d]: %v", path, i, err)
			}
			set[t>>6] |= 1 << (uint(t) & 63)
		}
		rc.p.traders = append(rc.p.traders, set)
		parts = append(parts, rc.add(riskNode{op: riskTrader, a: int32(len(rc.p.traders) - 1)}))
	}
	if c.Mode != nil {
		if len(c.Mode) == 0 {
			return 0, fmt.Errorf("%s.mode: empty list (it would never match)", path)
		}
		var n riskNode
		n.op = riskMode
		for i, name := range c.Mode {
			md, err := datamodel.ParseMode(name)
			if err != nil {
				return 0, fmt.Errorf("%s.mode[%d]: %v", path, i, err)
			}
			n.set[0] |= 1 << md
		}
		parts = append(parts, rc.add(n))
	}
	for _, f := range []struct {
		op riskOp
		v  *bool
	}{{riskAEO, c.AEO}, {riskNew, c.NewTrader}, {riskLodgedAfter, c.LodgedAfterArrival}} {
		if f.v != nil {
			parts = append(parts, rc.add(riskNode{op: f.op, want: *f.v}))
		}
	}
	for _, f := range []struct {
		op    riskOp
		field string
		r     *scenarios.Range
	}{{riskValuePerKg, "value_per_kg", c.ValuePerKg}, {riskWeight, "gross_weight", c.GrossWeight}, {riskValue, "value", c.Value}} {
		if f.r == nil {
			continue
		}
		n := riskNode{op: f.op, lo: math.Inf(-1), hi: math.Inf(1)}
		if f.r.Min != nil {
			n.lo = *f.r.Min
		}
		if f.r.Max != nil {
			n.hi = *f.r.Max
		}
		if math.IsNaN(n.lo) || math.IsNaN(n.hi) {
			return 0, fmt.Errorf("%s.%s: min and max must be numbers", path, f.field)
		}
		if f.r.Min == nil && f.r.Max == nil {
			return 0, fmt.Errorf("%s.%s: give min, max or both", path, f.field)
		}
		if n.lo >= n.hi {
			return 0, fmt.Errorf("%s.%s: min %v must be below max %v (the range is min <= x < max)", path, f.field, n.lo, n.hi)
		}
		parts = append(parts, rc.add(n))
	}
	if err := rc.extraCriteria(c, path, &parts); err != nil { // field, history: extra.go
		return 0, err
	}
	if c.All != nil {
		kids := make([]int32, 0, len(c.All))
		for i := range c.All {
			k, err := rc.criteria(&c.All[i], path+".all["+strconv.Itoa(i)+"]")
			if err != nil {
				return 0, err
			}
			kids = append(kids, k)
		}
		parts = append(parts, rc.group(riskAnd, kids))
	}
	if c.Any != nil {
		if len(c.Any) == 0 {
			return 0, fmt.Errorf("%s.any: empty list (it would never match)", path)
		}
		kids := make([]int32, 0, len(c.Any))
		for i := range c.Any {
			k, err := rc.criteria(&c.Any[i], path+".any["+strconv.Itoa(i)+"]")
			if err != nil {
				return 0, err
			}
			kids = append(kids, k)
		}
		parts = append(parts, rc.group(riskOr, kids))
	}
	if c.Not != nil {
		k, err := rc.criteria(c.Not, path+".not")
		if err != nil {
			return 0, err
		}
		a := int32(len(rc.p.kids))
		rc.p.kids = append(rc.p.kids, k)
		parts = append(parts, rc.add(riskNode{op: riskNot, a: a, n: 1}))
	}
	return rc.group(riskAnd, parts), nil
}

// riskHSPrefix turns an HS code prefix of 2 to 6 digits into the range of
// 6-digit codes that start with it.
func riskHSPrefix(pre string) (lo, hi uint32, err error) {
	if len(pre) < 2 || len(pre) > 6 {
		return 0, 0, fmt.Errorf("%q is not an HS code prefix (want 2 to 6 digits)", pre)
	}
	v := uint32(0)
	for i := 0; i < len(pre); i++ {
		if pre[i] < '0' || pre[i] > '9' {
			return 0, 0, fmt.Errorf("%q is not an HS code prefix (want 2 to 6 digits)", pre)
		}
		v = v*10 + uint32(pre[i]-'0')
	}
	if _, err := datamodel.ParseHSChapter(pre[:2]); err != nil {
		return 0, 0, fmt.Errorf("%q: %v", pre, err)
	}
	scale := uint32(1)
	for i := len(pre); i < 6; i++ {
		scale *= 10
	}
	return v * scale, (v + 1) * scale, nil
}

// riskAll is a 256-bit set with every element.
var riskAll = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// required returns the sets of origins, HS chapters and routing hubs outside
// which node i cannot hold, from the node and the conjuncts at its top level
// (sets with every element where the node says nothing).
func (p *riskProgram) required(i int32) (origins, chapters, hubs [4]uint64) {
	origins, chapters, hubs = riskAll, riskAll, riskAll
	n := &p.nodes[i]
	switch n.op {
	case riskOrigin:
		origins = n.set
	case riskChapter:
		chapters = n.set
	case riskHSRange:
		chapters = [4]uint64{}
		for _, r := range p.hs[n.a : n.a+n.n] {
			for ch := r[0] / 10000; ch <= (r[1]-1)/10000 && ch < 256; ch++ {
				chapters[ch>>6] |= 1 << (ch & 63)
			}
		}
	case riskRouting:
		hubs = n.set
	case riskAnd:
		for _, k := range p.kids[n.a : n.a+n.n] {
			o, c, h := p.required(k)
			for w := range 4 {
				origins[w] &= o[w]
				chapters[w] &= c[w]
				hubs[w] &= h[w]
			}
		}
	}
	return origins, chapters, hubs
}
