package learn

// MaxKeys is the most key families a Features value holds.
const MaxKeys = 16

// Features is one declaration as the learner sees it: one categorical key per
// key family of the Schema, in the schema's order (Keys[i] belongs to family
// i). A key is a 64-bit hash of the family and the values it crosses (HS6 ×
// origin, trader …), made with Key, KeyString or Hash. A zero key means the
// value is missing: the family then contributes nothing and the model falls
// back to the family's parent. Features is a value type: filling and scoring
// it allocates nothing.
type Features struct {
	Keys [MaxKeys]uint64
	N    int
}

// Reset empties f.
func (f *Features) Reset() { f.N = 0 }

// Add appends the key of the next family. It panics past MaxKeys, a
// programming error (the schema has at most MaxKeys families).
func (f *Features) Add(key uint64) {
	f.Keys[f.N] = key
	f.N++
}

// Key returns the key of family (cross) for values already turned into
// integers (an HS code, a country index, a hashed string from Hash). Keys of
// different families never collide by construction of the family id in the
// hash; two different value tuples of one family collide with probability
// about 2^-64. The result is never 0 (0 means missing).
func Key(family int, values ...uint64) uint64 {
	h := FamilySeed(family)
	for _, v := range values {
		h = mix(h ^ v)
	}
	return nonZero(h)
}

// FamilySeed is the hash of a family id that Key starts from, for a caller
// that makes many keys of one family: Key1(FamilySeed(f), v) is Key(f, v)
// and Key2(FamilySeed(f), a, b) is Key(f, a, b), without hashing the family
// again.
func FamilySeed(family int) uint64 { return mix(uint64(family) + 0x51afd7ed558ccd3f) }

// Key1 is Key of one value, from the family's FamilySeed.
func Key1(seed, v uint64) uint64 { return nonZero(mix(seed ^ v)) }

// Key2 is Key of two values, from the family's FamilySeed.
func Key2(seed, a, b uint64) uint64 { return nonZero(mix(mix(seed^a) ^ b)) }

// nonZero maps the hash 0 (missing) to 1.
func nonZero(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// Hash returns a 64-bit hash of a string value (FNV-1a, then mixed), to feed
// Key. The empty string hashes to 0, which Key treats like any other value;
// callers that mean "missing" should put a zero key instead.
func Hash(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	if len(s) == 0 {
		return 0
	}
	return mix(h)
}

// HashBytes is Hash of a byte string, without converting it.
func HashBytes(b []byte) uint64 {
	h := uint64(0xcbf29ce484222325)
	for _, c := range b {
		h ^= uint64(c)
		h *= 0x100000001b3
	}
	if len(b) == 0 {
		return 0
	}
	return mix(h)
}

// KeyString is Key of one string value; it returns 0 (missing) for "".
func KeyString(family int, s string) uint64 {
	if s == "" {
		return 0
	}
	return Key(family, Hash(s))
}
