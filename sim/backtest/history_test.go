package backtest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"pilotsim/sim/risk"
)

// refHistory is History written the plain way: a Go map from the key's
// parts to its counts.
type refHistory struct {
	frozen bool
	m      map[string]*histEntry
}

func (r *refHistory) observe(parts []string, day int32, irregular, known bool) (uint32, uint32) {
	key := fmt.Sprintf("%q", parts)
	e := r.m[key]
	if e == nil {
		if r.frozen {
			return 0, 0
		}
		e = &histEntry{day: day}
		r.m[key] = e
	}
	if e.day != day {
		e.n, e.k, e.dn, e.dk, e.day = e.n+e.dn, e.k+e.dk, 0, 0, day
	}
	n, k := e.n, e.k
	if !r.frozen && known {
		e.dn++
		if irregular {
			e.dk++
		}
	}
	return n, k
}

// TestHistoryAsMap checks History's interned ids and packed or chained
// codes against a map keyed by the parts themselves: keys of one to five
// parts, values short (one word) and long (more than seven bytes), several
// rows a day, and a frozen stretch at the end. A small packLimit sends
// three-part keys with larger ids through the chained codes too.
func TestHistoryAsMap(t *testing.T) {
	defer func(l uint32) { packLimit = l }(packLimit)
	for _, limit := range []uint32{1 << 21, 6} {
		packLimit = limit
		r := rand.New(rand.NewPCG(3, uint64(limit)))
		shapes := [][]int{{0}, {0, 1}, {0, 1, 2}, {2, 1, 0, 3}, {4, 3, 2, 1, 0}, {3}}
		const nsrc = 5
		pools := make([][]string, nsrc)
		for s := range pools {
			for range 4 + 6*s {
				n := 1 + r.IntN(12) // 1 to 7 bytes: one word; 8 to 12: bytes
				pools[s] = append(pools[s], strings.Repeat(string(rune('a'+s)), n%3+1)+fmt.Sprint(r.IntN(1000))+strings.Repeat("x", n/2))
			}
		}
		h := NewHistory()
		h.ensure(len(shapes), nsrc)
		ref := &refHistory{m: map[string]*histEntry{}}
		day := int32(0)
		for row := range 8000 {
			if r.IntN(20) == 0 {
				day += int32(1 + r.IntN(3))
			}
			if row == 6500 {
				h.Frozen, ref.frozen = true, true
			}
			irregular, known := r.IntN(4) == 0, r.IntN(10) != 0
			vals := make([]string, nsrc)
			for s := range vals {
				vals[s] = pools[s][r.IntN(len(pools[s]))]
			}
			for i, shape := range shapes {
				parts := make([]string, len(shape))
				ids := make([]uint32, 0, len(shape))
				ok := true
				for j, s := range shape {
					parts[j] = vals[s]
					id, found := h.valueID(s, vals[s])
					ok = ok && found
					ids = append(ids, id)
				}
				var n, k uint32
				if ok {
					var code uint64
					if code, ok = h.code(i, ids); ok {
						n, k = h.observe(i, code, day, irregular, known)
					}
				}
				// The key is in the map under a string of its parts, so
				// i's keys never meet another shape's.
				wn, wk := ref.observe(append(parts, fmt.Sprint("shape", i)), day, irregular, known)
				if n != wn || k != wk {
					t.Fatalf("limit %d, row %d, key %d %q: counts %d/%d, want %d/%d", limit, row, i, parts, k, n, wk, wn)
				}
			}
		}
		if limit < 1<<21 && h.pairs[2].n == 0 {
			t.Errorf("limit %d: no three-part key went through the chained codes", limit)
		}
	}
}

// TestSplitAsStrings: the eight-bytes-at-a-time split finds every
// delimiter, whatever its position in the word.
func TestSplitAsStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, comma := range []byte{',', ';', '\t', '|'} {
		for range 2000 {
			fields := make([]string, 1+r.IntN(30))
			for i := range fields {
				b := make([]byte, r.IntN(19))
				for j := range b {
					b[j] = "ab,;\t| 9\xff\x80"[r.IntN(10)]
					if b[j] == comma {
						b[j] = 'z'
					}
				}
				fields[i] = string(b)
			}
			line := strings.Join(fields, string(comma))
			cr := &csvReader{comma: comma}
			if !cr.split([]byte(line + "\n")) {
				t.Fatalf("%q: split refused a line without quotes", line)
			}
			if got := strings.Join(cr.fields, "\x00"); got != strings.Join(fields, "\x00") {
				t.Fatalf("%q split on %q: %q", line, comma, cr.fields)
			}
		}
	}
}

// TestFastKeyPartsAsText: key parts on the HS code, origin and departure
// take their ids from the parsed fields, not from their text; the counts
// must be those of the same columns mapped as plain text, on every row of
// the Korean training file.
func TestFastKeyPartsAsText(t *testing.T) {
	m, err := LoadMapping("../../scenarios/examples/kcs/kcs-mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m.Columns["hs_text"] = Column{Column: "HS6 Code", Digits: 6, Pad: true}
	m.Columns["origin_text"] = Column{Column: "Country of Origin", Codes: map[string]string{"ZZ": ""}}
	m.Columns["dispatch_text"] = Column{Column: "Country of Departure", Codes: map[string]string{"ZZ": ""}}
	pairs := [][2][]string{
		{{"hs", "origin", "tax_type"}, {"hs_text", "origin_text", "tax_type"}},
		{{"hs:4", "dispatch"}, {"hs_text:4", "dispatch_text"}},
		{{"hs:2"}, {"hs_text:2"}},
		{{"origin", "dispatch", "hs:5", "tax_type"}, {"origin_text", "dispatch_text", "hs_text:5", "tax_type"}},
	}
	schema := &risk.ExtraSchema{}
	for _, p := range pairs {
		schema.Histories = append(schema.Histories, risk.HistoryKey{Parts: p[0]}, risk.HistoryKey{Parts: p[1]})
	}
	rd, err := NewReader("train", bytes.NewReader(kcsData(t, "df_syn_train_eng.csv")), m, schema, NewHistory())
	if err != nil {
		t.Fatal(err)
	}
	if rd.keys[0].parts[0].fast != fastHS || rd.keys[2].parts[1].fast != fastDispatch || rd.keys[1].parts[0].fast != fastNone {
		t.Fatal("the key parts on hs, origin and dispatch do not take the fast path, or the text ones do")
	}
	var d Decl
	seen := 0
	for rows := 0; ; rows++ {
		err := rd.Next(&d)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range pairs {
			a, b := 2*i, 2*i+1
			if d.X.Count[a] != d.X.Count[b] || d.X.Irregular[a] != d.X.Irregular[b] {
				t.Fatalf("row %d, key %v: %d/%d from the parsed fields, %d/%d from the text", rows+2, pairs[i][0],
					d.X.Irregular[a], d.X.Count[a], d.X.Irregular[b], d.X.Count[b])
			}
			if d.X.Count[a] > 0 {
				seen++
			}
		}
	}
	if seen < 10000 {
		t.Errorf("only %d look-ups found earlier declarations: the test compares too little", seen)
	}
}
