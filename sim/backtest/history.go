package backtest

// History is what an administration's database knows of past controls: per
// history key (an importer, an HS code and origin …), how many declarations
// were controlled and how many found irregular. It answers for a declaration
// with the declarations dated strictly before it: outcomes of one day become
// visible only when a later day begins, so declarations of the same date never
// see each other's outcomes. Its memory is bounded by the number of distinct
// keys, not by the number of declarations.
type History struct {
	// Frozen stops learning: declarations read from then on are answered
	// from what the history holds but their outcomes are not added (the
	// setting of a model trained once and not updated).
	Frozen bool

	keys    []histIndex
	day     int32
	started bool
}

type histIndex struct {
	index map[string]int32
	stats []histStat
}

// histStat holds the counts of one key: n and k up to the day before day,
// dn and dk of day itself (not yet visible).
type histStat struct {
	n, k   uint32
	dn, dk uint32
	day    int32
}

// NewHistory returns an empty history.
func NewHistory() *History { return &History{} }

// ensure makes room for n keys.
func (h *History) ensure(n int) {
	for len(h.keys) < n {
		h.keys = append(h.keys, histIndex{index: make(map[string]int32)})
	}
}

// advance moves the history to day; false when day is before the current day
// (the rows are out of date order).
func (h *History) advance(day int32) bool {
	if h.started && day < h.day {
		return false
	}
	h.day, h.started = day, true
	return true
}

// observe returns the counts of key (slot i) from days before day, then adds
// the declaration to day's counts (when its outcome is known).
func (h *History) observe(i int, key []byte, day int32, irregular, known bool) (n, k uint32) {
	hi := &h.keys[i]
	j, ok := hi.index[string(key)]
	if !ok && h.Frozen {
		return 0, 0
	}
	if !ok {
		j = int32(len(hi.stats))
		hi.index[string(key)] = j
		hi.stats = append(hi.stats, histStat{day: day})
	}
	s := &hi.stats[j]
	if s.day != day {
		s.n += s.dn
		s.k += s.dk
		s.dn, s.dk, s.day = 0, 0, day
	}
	n, k = s.n, s.k
	if h.Frozen || !known {
		return n, k
	}
	s.dn++
	if irregular {
		s.dk++
	}
	return n, k
}

// Keys returns the number of distinct keys held, per history key slot.
func (h *History) Keys() []int {
	out := make([]int, len(h.keys))
	for i := range h.keys {
		out[i] = len(h.keys[i].stats)
	}
	return out
}
