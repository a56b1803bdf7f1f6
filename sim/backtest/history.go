package backtest

import "hash/maphash"

// History is what an administration's database knows of past controls: per
// history key (an importer, an HS code and origin …), how many declarations
// were controlled and how many found irregular. It answers for a declaration
// with the declarations dated strictly before it: outcomes of one day become
// visible only when a later day begins, so declarations of the same date never
// see each other's outcomes. Its memory is bounded by the number of distinct
// keys, not by the number of declarations.
//
// A key is a tuple of values (the converted text of each of its parts). Each
// distinct value of a part gets a small integer id once (interned), and the
// tuple of ids packs into one 64-bit code, so that a row's look-up hashes and
// compares integers, not strings, and finds the key's counts in the same
// table slot as its code.
type History struct {
	// Frozen stops learning: declarations read from then on are answered
	// from what the history holds but their outcomes are not added (the
	// setting of a model trained once and not updated).
	Frozen bool

	keys    []histTable // per history key slot: counts per key code
	pairs   []idTable   // per history key slot: ids of id pairs, for codes that do not pack
	values  []interner  // per key part source (a column, a prefix length): value ids
	day     int32
	started bool
	seed    maphash.Seed
}

// NewHistory returns an empty history.
func NewHistory() *History { return &History{seed: maphash.MakeSeed()} }

// ensure makes room for keys history keys and sources part sources.
func (h *History) ensure(keys, sources int) {
	if h.seed == (maphash.Seed{}) { // a History made without NewHistory
		h.seed = maphash.MakeSeed()
	}
	for len(h.keys) < keys {
		h.keys = append(h.keys, histTable{})
		h.pairs = append(h.pairs, idTable{})
	}
	for len(h.values) < sources {
		h.values = append(h.values, interner{})
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

// valueID returns the id of value v of part source src, giving it one if it
// has none (false when frozen and v was never seen: no key holds it).
func (h *History) valueID(src int, v string) (uint32, bool) {
	in := &h.values[src]
	if w, short := wordOf(v); short {
		i, found := in.short.find(w)
		if found {
			return in.short.id(i), true
		}
		if h.Frozen {
			return 0, false
		}
		id := in.n
		in.n++
		in.short.insert(i, w, id)
		return id, true
	}
	hash := maphash.String(h.seed, v)
	j, slot := in.long.find(v, hash)
	if j >= 0 {
		return in.long.ids[j], true
	}
	if h.Frozen {
		return 0, false
	}
	id := in.n
	in.n++
	in.long.insert(v, hash, slot, id)
	return id, true
}

// code packs the value ids of a key's parts into the key's code (false when
// frozen and the combination was never seen). One part is its id; two, the
// ids side by side; three, 21 bits each when every id fits. Otherwise the
// ids are chained through pairs ((a, b) gets an id, then (that, c) …) and
// the code is the last pair's id with the top bit set, apart from the packed
// codes (which never set it).
func (h *History) code(key int, ids []uint32) (uint64, bool) {
	switch len(ids) {
	case 1:
		return uint64(ids[0]), true
	case 2:
		return uint64(ids[0])<<32 | uint64(ids[1]), true
	case 3:
		if ids[0]|ids[1]|ids[2] < packLimit {
			return uint64(ids[0])<<42 | uint64(ids[1])<<21 | uint64(ids[2]), true
		}
	}
	t := &h.pairs[key]
	c := ids[0]
	for _, id := range ids[1:] {
		p := uint64(c)<<32 | uint64(id)
		i, found := t.find(p)
		switch {
		case found:
			c = t.id(i)
		case h.Frozen:
			return 0, false
		default:
			next := uint32(t.n)
			t.insert(i, p, next)
			c = next
		}
	}
	return 1<<63 | uint64(c), true
}

// packLimit bounds the ids that three-part codes pack: 21 bits each (a
// variable so that tests can reach the chained codes without two million
// values).
var packLimit uint32 = 1 << 21

// observe returns the counts of the key with code (history key slot i) from
// days before day, then adds the declaration to day's counts (when its
// outcome is known).
func (h *History) observe(i int, code uint64, day int32, irregular, known bool) (n, k uint32) {
	t := &h.keys[i]
	s, found := t.find(code)
	if !found {
		if h.Frozen {
			return 0, 0
		}
		s = t.insert(s, code, day)
	}
	e := &t.e[s]
	// Without a branch on the data: whether the entry's pending counts are
	// of an earlier day, and whether a declaration is irregular, are as good
	// as random, and a mispredicted branch would discard the look-ups of
	// the row's other keys under way.
	old := -uint32(bit(e.day != day)) // all ones: fold the pending counts
	e.n += e.dn & old
	e.k += e.dk & old
	e.dn &^= old
	e.dk &^= old
	e.day = day
	n, k = e.n, e.k
	if h.Frozen || !known {
		return n, k
	}
	e.dn++
	e.dk += bit(irregular)
	return n, k
}

// touch loads the first slot where key slot i's code would be, so that the
// cache misses of a row's look-ups overlap before observe's work on each;
// the result means nothing.
func (h *History) touch(i int, code uint64) uint64 {
	t := &h.keys[i]
	if len(t.e) == 0 {
		return 0
	}
	return t.e[int(mix64(code))&(len(t.e)-1)].key
}

// bit is 1 for true, 0 for false (the compiler makes it a set instruction,
// not a branch).
func bit(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Keys returns the number of distinct keys held, per history key slot.
func (h *History) Keys() []int {
	out := make([]int, len(h.keys))
	for i := range h.keys {
		out[i] = h.keys[i].n
	}
	return out
}

// wordOf returns a value of at most 7 bytes as one word: its bytes, and its
// length in the top byte (so "A" and "A\x00" differ).
func wordOf(v string) (uint64, bool) {
	if len(v) > 7 {
		return 0, false
	}
	w := uint64(len(v)) << 56
	for i := 0; i < len(v); i++ {
		w |= uint64(v[i]) << (8 * i)
	}
	return w, true
}

// mix64 spreads the bits of a key over the word (murmur3's finalizer), so
// that the low bits index a table well.
func mix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// histEntry is the counts of one key in its table slot: n and k up to the
// day before day, dn and dk of day itself (not yet visible).
type histEntry struct {
	key    uint64 // the key's code plus one; 0: an empty slot
	n, k   uint32
	dn, dk uint32
	day    int32
}

// histTable maps key codes to their counts: open addressing with linear
// probing, the counts in the slot, kept under half full.
type histTable struct {
	e []histEntry
	n int
}

// find returns the slot of code, or the empty slot where it would go and
// false.
func (t *histTable) find(code uint64) (int, bool) {
	if len(t.e) == 0 {
		t.e = make([]histEntry, 1024)
	}
	mask := len(t.e) - 1
	key := code + 1
	for i := int(mix64(code)) & mask; ; i = (i + 1) & mask {
		switch t.e[i].key {
		case key:
			return i, true
		case 0:
			return i, false
		}
	}
}

// insert puts code at the empty slot i (from find) and returns its slot,
// which growing the table may have moved.
func (t *histTable) insert(i int, code uint64, day int32) int {
	t.e[i] = histEntry{key: code + 1, day: day}
	t.n++
	if 2*t.n <= len(t.e) {
		return i
	}
	old := t.e
	t.e = make([]histEntry, 2*len(old))
	mask := len(t.e) - 1
	for _, e := range old {
		if e.key == 0 {
			continue
		}
		j := int(mix64(e.key-1)) & mask
		for t.e[j].key != 0 {
			j = (j + 1) & mask
		}
		t.e[j] = e
	}
	i, _ = t.find(code)
	return i
}

// idTable maps 64-bit keys to ids: open addressing with linear probing, a
// key and its id side by side, kept under half full.
type idTable struct {
	e []idEntry
	n int
}

type idEntry struct {
	key uint64
	val uint32 // the id plus one; 0: an empty slot
}

// find returns the slot of k, or the empty slot where it would go and false.
func (t *idTable) find(k uint64) (int, bool) {
	if len(t.e) == 0 {
		t.e = make([]idEntry, 256)
	}
	mask := len(t.e) - 1
	for i := int(mix64(k)) & mask; ; i = (i + 1) & mask {
		e := &t.e[i]
		switch {
		case e.val == 0:
			return i, false
		case e.key == k:
			return i, true
		}
	}
}

// id returns the id at slot i (found by find).
func (t *idTable) id(i int) uint32 { return t.e[i].val - 1 }

// insert puts k with id at the empty slot i (from find).
func (t *idTable) insert(i int, k uint64, id uint32) {
	t.e[i] = idEntry{k, id + 1}
	t.n++
	if 2*t.n <= len(t.e) {
		return
	}
	old := t.e
	t.e = make([]idEntry, 2*len(old))
	mask := len(t.e) - 1
	for _, e := range old {
		if e.val == 0 {
			continue
		}
		s := int(mix64(e.key)) & mask
		for t.e[s].val != 0 {
			s = (s + 1) & mask
		}
		t.e[s] = e
	}
}

// interner gives the distinct values of one key part ids 0, 1, 2 …: values
// of at most 7 bytes by their word, longer ones by their bytes.
type interner struct {
	short idTable
	long  byteIndex
	n     uint32
}

// byteIndex finds the id of a longer value: an open-addressing hash table
// over the values' bytes, kept in one arena (no string per value, no Go map:
// a lookup hashes the bytes once and compares them once in the common case).
type byteIndex struct {
	// slots holds per slot 0 when empty, else the value's index plus one in
	// the low 32 bits and the high 32 bits of its hash above (a lookup
	// compares the bytes only of a value whose hash agrees); a power of two
	// long.
	slots []uint64
	hash  []uint64 // per value, to grow
	off   []uint32 // per value: where its bytes start in arena; they end at the next value's start
	arena []byte
	ids   []uint32 // per value
}

// find returns the index of key (hash h), or -1 and the empty slot where it
// would go.
func (x *byteIndex) find(key string, h uint64) (int32, int) {
	if len(x.slots) == 0 {
		x.slots = make([]uint64, 256)
	}
	mask := len(x.slots) - 1
	tag := h &^ 0xffffffff
	for i := int(h) & mask; ; i = (i + 1) & mask {
		e := x.slots[i]
		if e == 0 {
			return -1, i
		}
		if e&^0xffffffff == tag {
			if j := int32(uint32(e)) - 1; string(x.keyOf(j)) == key {
				return j, i
			}
		}
	}
}

func (x *byteIndex) keyOf(j int32) []byte {
	end := uint32(len(x.arena))
	if int(j)+1 < len(x.off) {
		end = x.off[j+1]
	}
	return x.arena[x.off[j]:end]
}

// insert adds key (hash h) with id at slot i.
func (x *byteIndex) insert(key string, h uint64, i int, id uint32) {
	j := int32(len(x.ids))
	x.slots[i] = slotOf(j, h)
	x.hash = append(x.hash, h)
	x.off = append(x.off, uint32(len(x.arena)))
	x.arena = append(x.arena, key...)
	x.ids = append(x.ids, id)
	if 2*len(x.ids) > len(x.slots) { // keep the load under one half
		x.grow()
	}
}

func (x *byteIndex) grow() {
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

// slotOf is the slot entry of value j with hash h.
func slotOf(j int32, h uint64) uint64 { return h&^0xffffffff | uint64(j+1) }
