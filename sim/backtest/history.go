package backtest

import (
	"bytes"
	"hash/maphash"
)

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
	seed    maphash.Seed
}

// histIndex finds a key's counts: an open-addressing hash table over the
// keys' bytes, kept in one arena (no string per key, no Go map: a lookup
// hashes the bytes once and compares them once in the common case).
type histIndex struct {
	// slots holds per slot 0 when empty, else the key's index in stats plus
	// one in the low 32 bits and the high 32 bits of its hash above (a lookup
	// compares the bytes only of a key whose hash agrees); a power of two long.
	slots []uint64
	hash  []uint64 // per key, to grow
	off   []uint32 // per key: where its bytes start in arena; they end at the next key's start
	arena []byte
	stats []histStat
}

// find returns the index of key (hash h) in stats, or -1 and the empty slot
// where it would go.
func (x *histIndex) find(key []byte, h uint64) (int32, int) {
	mask := len(x.slots) - 1
	tag := h &^ 0xffffffff
	for i := int(h) & mask; ; i = (i + 1) & mask {
		e := x.slots[i]
		if e == 0 {
			return -1, i
		}
		if e&^0xffffffff == tag {
			if j := int32(uint32(e)) - 1; bytes.Equal(x.keyOf(j), key) {
				return j, i
			}
		}
	}
}

func (x *histIndex) keyOf(j int32) []byte {
	end := uint32(len(x.arena))
	if int(j)+1 < len(x.off) {
		end = x.off[j+1]
	}
	return x.arena[x.off[j]:end]
}

// insert adds key (hash h) at slot i and returns its index.
func (x *histIndex) insert(key []byte, h uint64, i int, day int32) int32 {
	j := int32(len(x.stats))
	x.slots[i] = slotOf(j, h)
	x.hash = append(x.hash, h)
	x.off = append(x.off, uint32(len(x.arena)))
	x.arena = append(x.arena, key...)
	x.stats = append(x.stats, histStat{day: day})
	if 2*len(x.stats) > len(x.slots) { // keep the load under one half
		x.grow()
	}
	return j
}

func (x *histIndex) grow() {
	slots := make([]uint64, 2*len(x.slots))
	mask := len(slots) - 1
	for j, h := range x.hash {
		i := int(h) & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = slotOf(int32(j), h)
	}
	x.slots = slots
}

// slotOf is the slot entry of key j with hash h.
func slotOf(j int32, h uint64) uint64 { return h&^0xffffffff | uint64(j+1) }

// histStat holds the counts of one key: n and k up to the day before day,
// dn and dk of day itself (not yet visible).
type histStat struct {
	n, k   uint32
	dn, dk uint32
	day    int32
}

// NewHistory returns an empty history.
func NewHistory() *History { return &History{seed: maphash.MakeSeed()} }

// ensure makes room for n keys.
func (h *History) ensure(n int) {
	if h.seed == (maphash.Seed{}) { // a History made without NewHistory
		h.seed = maphash.MakeSeed()
	}
	for len(h.keys) < n {
		h.keys = append(h.keys, histIndex{slots: make([]uint64, 1024)})
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
	hash := maphash.Bytes(h.seed, key)
	j, slot := hi.find(key, hash)
	if j < 0 && h.Frozen {
		return 0, 0
	}
	if j < 0 {
		j = hi.insert(key, hash, slot, day)
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
