package replay

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"pilotsim/sim/backtest"
	"pilotsim/sim/learn"
)

// File is one declarations file, whole in memory (the replay reads each file
// twice: once through backtest's reader for the rules' scores, the dates and
// the outcomes, once for the raw values of the learner's keys).
type File struct {
	Name string
	Data []byte
}

// Row is one declaration of the replay, in the compact form the loop reads.
type Row struct {
	Day       int32 // days since 1970-01-01
	Irregular bool
	Critical  bool    // first outcome class holds (Korean data: critical fraud)
	Classes   uint16  // bit i: outcome class i (Data.ClassNames order) holds
	Revenue   float64 // revenue at stake of an irregular declaration (0 when regular)
	// Duty is the revenue at stake as the mapping's outcome.revenue
	// defines it, computed for every row from its declared values, known
	// before any inspection: what a policy ranking by expected duty may use.
	// Revenue is Duty for an irregular row.
	Duty      float64
	RuleScore float64 // the rules' score, history = every labelled history row, frozen
	// RuleScoreLive is the rules' score with every history row and every
	// earlier replayed day's outcome, inspected or not (pilotsim backtest's
	// default): a reference that knows every label as soon as its day ends.
	RuleScoreLive float64
	// New says the declaration's novelty key (the goods tuple) appears in no
	// history row: the copy effect cannot help on it.
	New bool
	// Tuple is the hash of the novelty key's values.
	Tuple uint64
	// File is the index of the row's file (history files first), and
	// Start, End the row's bytes in it.
	File       int
	Start, End int64
	F          learn.Features
}

// Data is a replay's declarations: the history rows (earlier files, oldest
// first) and the rows replayed, in date order, with the learner's schema.
type Data struct {
	Schema  learn.Schema
	Keys    []Key // the schema's keys as written
	Novelty Key
	History []Row
	Test    []Row
	// Days are the first index in Test of each replayed day, and len(Test)
	// last: day i is Test[Days[i]:Days[i+1]].
	Days []int
	// RulesFamilies are the indexes of the key families with a RulesKey
	// part (the rules' score as a category, alone or crossed with fields).
	// Their keys are completed per replication with the rules' scores on the
	// history the learner starts from (Run); a test row holds the hash of
	// the family's other parts (1 for RulesKey alone, 0 when one is
	// missing), a history row 0 (missing).
	RulesFamilies []int
	// ClassNames are the mapping's outcome classes, in the order of
	// Row.Classes' bits.
	ClassNames []string

	opt     Options
	files   []File
	headEnd []int64 // end of each file's header
}

// Key is a key family written as field names joined by "+", each optionally
// cut to its first n characters ("hs:4"): a key of the mapping's fields and
// columns.
type Key struct {
	Parts []KeyPart
}

// KeyPart is one field of a key and how many leading characters count (0:
// all).
type KeyPart struct {
	Name string
	N    int
}

// String writes the key as parsed.
func (k Key) String() string {
	s := make([]string, len(k.Parts))
	for i, p := range k.Parts {
		s[i] = p.Name
		if p.N > 0 {
			s[i] += ":" + strconv.Itoa(p.N)
		}
	}
	return strings.Join(s, "+")
}

// DefaultKeys are the learner's key families for a file mapped like the
// Korean declarations: the HS code at 2, 4 and 6 digits, crossed with origin,
// departure and tax type, the goods tuple, the countries, and the rules'
// score (RulesKey). The traders (importer, declarant) are left out: on the
// Korean replay they lowered precision on new goods tuples from 0.325 to
// 0.296 and overall precision from 0.705 to 0.698 (docs/learning.md).
const DefaultKeys = "hs:2,hs:4,hs,hs+origin,hs+dispatch,hs+tax_type,hs+origin+dispatch+tax_type," +
	"hs+origin+dispatch+tax_type+tax_rate+gross_weight,origin,dispatch," + RulesKey

// RulesKey is the key name of the rules' score as a category: the learner
// learns the fraud rate of each score the rules give, from the outcomes it
// sees, next to the other keys. It may be crossed with fields like any
// part ("hs:2+rules"). The score is the rules' on the history the
// learner starts from (what the administration's rules would say of the
// declaration), so it knows nothing the learner does not.
const RulesKey = "rules"

// DefaultNovelty is the goods tuple the Korean generator fused into one
// column: a declaration is new when no history row has the same tuple.
const DefaultNovelty = "hs+dispatch+origin+tax_rate+tax_type+gross_weight"

// ParseKeys reads a comma-separated list of keys.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for _, ks := range strings.Split(s, ",") {
		k, err := ParseKey(ks)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// ParseKey reads one key, "name[:n]+name[:n]…".
func ParseKey(s string) (Key, error) {
	var k Key
	for _, ps := range strings.Split(strings.TrimSpace(s), "+") {
		name, n, err := backtestKeyPart(strings.TrimSpace(ps))
		if err != nil {
			return Key{}, fmt.Errorf("key %q: %w", s, err)
		}
		if slices.ContainsFunc(k.Parts, func(p KeyPart) bool { return p.Name == name }) {
			return Key{}, fmt.Errorf("key %q: field %q twice; want each field once", s, name)
		}
		if name == RulesKey && n > 0 {
			return Key{}, fmt.Errorf("key %q: %s takes no :n (the rules' score is a category)", s, RulesKey)
		}
		k.Parts = append(k.Parts, KeyPart{Name: name, N: n})
	}
	return k, nil
}

func backtestKeyPart(p string) (string, int, error) {
	if p == "" {
		return "", 0, errors.New("empty field name")
	}
	name, ns, ok := strings.Cut(p, ":")
	if !ok {
		return name, 0, nil
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 || n > 64 || name == "" {
		return "", 0, fmt.Errorf("%q: want name or name:n with n from 1 to 64", p)
	}
	return name, n, nil
}

// coarser reports whether key a is coarser than b: every part of a is a part
// of b with as many or fewer leading characters, and a ≠ b.
func coarser(a, b Key) bool {
	if a.String() == b.String() {
		return false
	}
	for _, pa := range a.Parts {
		ok := false
		for _, pb := range b.Parts {
			if pa.Name == pb.Name && (pb.N == 0 || pa.N != 0 && pa.N <= pb.N) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Schema returns the learner's schema for keys: each key's parent is the
// latest earlier key coarser than it with the most parts (HS6 × origin's is
// HS6; HS6's is HS4), or the global rate.
func Schema(keys []Key) (learn.Schema, error) {
	if len(keys) > learn.MaxKeys {
		return learn.Schema{}, fmt.Errorf("%d keys: at most %d", len(keys), learn.MaxKeys)
	}
	var s learn.Schema
	for i, k := range keys {
		parent, best := -1, -1
		for j := range i {
			if coarser(keys[j], k) && len(keys[j].Parts) >= best {
				parent, best = j, len(keys[j].Parts)
			}
		}
		s.Families = append(s.Families, learn.Family{Name: k.String(), Parent: parent})
	}
	return s, s.Check()
}

// Options say how to read the files.
type Options struct {
	Rules   *backtest.Rules
	Mapping *backtest.Mapping
	Keys    []Key
	Novelty Key
}

// Load reads the history files (oldest first) and the replayed file. The
// rules score every row with backtest: each history file with the rows of
// earlier history files and earlier days as its history (what the
// administration's rules saw when those declarations came in), the replayed
// file with the whole labelled history, frozen (the rules do not learn from
// the replayed quarter: they are the reference an administration already
// runs).
func Load(ctx context.Context, opt Options, history []File, test File) (*Data, error) {
	if len(history) == 0 {
		return nil, errors.New("replay: want at least one history file")
	}
	schema, err := Schema(opt.Keys)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(opt.Novelty.Parts, func(p KeyPart) bool { return p.Name == RulesKey }) {
		return nil, fmt.Errorf("novelty key %q: %s is the rules' score, not a field of the declaration; want fields of the mapping", opt.Novelty, RulesKey)
	}
	files := append(slices.Clone(history), test)
	d := &Data{Schema: schema, Keys: opt.Keys, Novelty: opt.Novelty, opt: opt, files: files}
	if opt.Mapping != nil {
		d.ClassNames = opt.Mapping.ClassNames()
	}
	for i, k := range opt.Keys {
		if _, ok := k.withoutRules(); ok {
			d.RulesFamilies = append(d.RulesFamilies, i)
		}
	}
	for i, f := range files {
		rows, err := loadFile(ctx, opt, files[:i], f, i == len(files)-1)
		if err != nil {
			return nil, err
		}
		if i < len(history) {
			d.History = append(d.History, rows...)
		} else {
			d.Test = rows
		}
	}
	live, err := loadFile(ctx, opt, history, test, false)
	if err != nil {
		return nil, err
	}
	for i := range live {
		if i < len(d.Test) {
			d.Test[i].RuleScoreLive = live[i].RuleScore
		}
	}
	if err := d.features(opt, files); err != nil {
		return nil, err
	}
	if len(d.Test) == 0 {
		return nil, fmt.Errorf("%s: no declarations to replay", test.Name)
	}
	for i, r := range d.Test {
		if i == 0 || r.Day != d.Test[i-1].Day {
			d.Days = append(d.Days, i)
		}
	}
	d.Days = append(d.Days, len(d.Test))
	return d, nil
}

// loadFile scores one file with backtest and keeps its rows in file order
// (which must be date order).
func loadFile(ctx context.Context, opt Options, earlier []File, f File, frozen bool) ([]Row, error) {
	cfg := backtest.Config{Rules: opt.Rules, Mapping: opt.Mapping, Input: backtest.Input{Name: f.Name, R: bytes.NewReader(f.Data)},
		FrozenHistory: frozen}
	for _, e := range earlier {
		cfg.History = append(cfg.History, backtest.Input{Name: e.Name, R: bytes.NewReader(e.Data)})
	}
	var rows []Row
	var errOrder error
	cfg.Each = func(dc *backtest.Decl) {
		if dc.Day == backtest.NoDay && errOrder == nil {
			errOrder = fmt.Errorf("%s:%d: the replay needs dates: map a date column", f.Name, dc.Line)
		}
		if len(rows) > 0 && dc.Day < rows[len(rows)-1].Day && errOrder == nil {
			errOrder = fmt.Errorf("%s:%d: date %s before the previous row's %s: the replay needs the file sorted by date",
				f.Name, dc.Line, backtest.DayString(dc.Day), backtest.DayString(rows[len(rows)-1].Day))
		}
		if !dc.Known && errOrder == nil {
			errOrder = fmt.Errorf("%s:%d: no outcome: every row of a replay needs one", f.Name, dc.Line)
		}
		rows = append(rows, Row{Day: dc.Day, Irregular: dc.Irregular, Critical: dc.Classes&1 != 0, Classes: dc.Classes, Revenue: dc.Revenue,
			RuleScore: dc.C.Score})
	}
	if _, err := backtest.Run(ctx, cfg); err != nil {
		return nil, err
	}
	return rows, errOrder
}

// column returns the header a mapping gives a field or column name.
func column(m *backtest.Mapping, name string) (backtest.Column, bool) {
	if c, ok := m.Fields[name]; ok {
		return c, true
	}
	c, ok := m.Columns[name]
	return c, ok
}

// features reads every file again for the raw values of the keys' fields and
// fills each row's Features and novelty.
func (d *Data) features(opt Options, files []File) error {
	// The fields the keys and the novelty key name, in first-use order.
	var names []string
	for _, k := range append(slices.Clone(opt.Keys), opt.Novelty) {
		for _, p := range k.Parts {
			if p.Name == RulesKey {
				continue
			}
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	headers := make([]string, len(names))
	pads := make([]int, len(names))
	for i, n := range names {
		c, ok := column(opt.Mapping, n)
		if !ok {
			return fmt.Errorf("key field %q is not a field or column of the mapping %s", n, opt.Mapping.Path)
		}
		headers[i] = c.Column
		if c.Pad {
			pads[i] = c.Digits
		}
	}
	seen := map[uint64]bool{} // novelty keys of the history rows
	rowAt := 0
	all := len(d.History)
	for fi, f := range files {
		r := csv.NewReader(bytes.NewReader(f.Data))
		if opt.Mapping.Delimiter != "" {
			r.Comma = rune(opt.Mapping.Delimiter[0])
		}
		r.ReuseRecord = true
		r.FieldsPerRecord = -1
		head, err := r.Read()
		if err != nil {
			return fmt.Errorf("%s: header: %w", f.Name, err)
		}
		d.headEnd = append(d.headEnd, r.InputOffset())
		idx := make([]int, len(headers))
		for i, h := range headers {
			idx[i] = slices.IndexFunc(head, func(s string) bool { return strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")) == h })
			if idx[i] < 0 {
				return fmt.Errorf("%s: no column %q (key field %q)", f.Name, h, names[i])
			}
		}
		vals := make([]string, len(names))
		duty, err := dutyColumns(opt.Mapping, head)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		for {
			start := r.InputOffset()
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
			var row *Row
			switch {
			case fi < len(files)-1 && rowAt < all:
				row = &d.History[rowAt]
			case fi == len(files)-1 && rowAt-all < len(d.Test):
				row = &d.Test[rowAt-all]
			default:
				return fmt.Errorf("%s: more rows than backtest read", f.Name)
			}
			rowAt++
			row.File, row.Start, row.End = fi, start, r.InputOffset()
			row.Duty = duty.value(rec)
			for i, j := range idx {
				vals[i] = ""
				if j < len(rec) {
					vals[i] = pad(strings.TrimSpace(rec[j]), pads[i])
				}
			}
			row.F.Reset()
			for ki, k := range opt.Keys {
				rest, ok := k.withoutRules()
				switch {
				case !ok:
					row.F.Add(keyOf(ki, k, names, vals))
				case fi < len(files)-1:
					row.F.Add(0) // the rules' score of a history row is not the learner's
				case len(rest.Parts) == 0:
					row.F.Add(1) // completed per replication (Run)
				default:
					row.F.Add(keyOf(ki, rest, names, vals))
				}
			}
			nk := keyOf(learn.MaxKeys, opt.Novelty, names, vals)
			row.Tuple = nk
			if fi < len(files)-1 {
				seen[nk] = true
			} else {
				row.New = !seen[nk]
			}
		}
		if fi < len(files)-1 && rowAt != all && fi == len(files)-2 {
			return fmt.Errorf("history: backtest read %d rows, the raw pass %d", all, rowAt)
		}
	}
	if rowAt != all+len(d.Test) {
		return fmt.Errorf("%s: backtest read %d rows, the raw pass %d", files[len(files)-1].Name, len(d.Test), rowAt-all)
	}
	return nil
}

// withoutRules returns k without its RulesKey part, and whether it had one.
func (k Key) withoutRules() (Key, bool) {
	i := slices.IndexFunc(k.Parts, func(p KeyPart) bool { return p.Name == RulesKey })
	if i < 0 {
		return k, false
	}
	return Key{Parts: slices.Delete(slices.Clone(k.Parts), i, i+1)}, true
}

// keyOf hashes the values of key k's parts, from the family's seed: the same
// values in two families (origin and dispatch both "CN"; HS × origin and
// HS × dispatch) give two keys. A part with an empty value makes the key
// missing (0).
func keyOf(family int, k Key, names, vals []string) uint64 {
	h := learn.FamilySeed(family)
	for _, p := range k.Parts {
		v := vals[slices.Index(names, p.Name)]
		if p.N > 0 && len(v) > p.N {
			v = v[:p.N]
		}
		if v == "" {
			return 0
		}
		h = learn.Key1(h, learn.Hash(v))
	}
	return h
}

// pad restores the leading zeros a spreadsheet dropped from a code of n
// digits held as a number (the Korean files write 10121 for HS 010121), as
// the mapping's pad: true asks.
func pad(v string, n int) string {
	if len(v) >= n || len(v) == 0 {
		return v
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return v
		}
	}
	return strings.Repeat("0", n-len(v)) + v
}

// RuleScores scores the replayed rows with the rules as they would run on the
// history an earlier policy left: the history files cut down to the rows whose
// outcome is known (known[i] for History[i]), frozen through the quarter. The
// rules then know what the learner knows at the start.
func (d *Data) RuleScores(ctx context.Context, known []float64) ([]float64, error) {
	nh := len(d.files) - 1
	cut := make([]File, nh)
	for fi := range nh {
		var b bytes.Buffer
		b.Write(d.files[fi].Data[:d.headEnd[fi]])
		for i, r := range d.History {
			if r.File == fi && known[i] > 0 {
				b.Write(d.files[fi].Data[r.Start:r.End])
			}
		}
		cut[fi] = File{Name: d.files[fi].Name, Data: b.Bytes()}
	}
	rows, err := loadFile(ctx, d.opt, cut, d.files[nh], true)
	if err != nil {
		return nil, err
	}
	if len(rows) != len(d.Test) {
		return nil, fmt.Errorf("replay: %d rows scored, want %d", len(rows), len(d.Test))
	}
	s := make([]float64, len(rows))
	for i := range rows {
		s[i] = rows[i].RuleScore
	}
	return s, nil
}

// dutyOf computes the mapping's revenue column (Column × Times / Per ×
// Scale) from a raw row.
type dutyOf struct {
	col, times, per int // -1: absent
	scale           float64
}

func dutyColumns(m *backtest.Mapping, head []string) (dutyOf, error) {
	d := dutyOf{col: -1, times: -1, per: -1, scale: 1}
	c := m.Outcome.Revenue
	if c == nil {
		return d, nil
	}
	find := func(h string) (int, error) {
		if h == "" {
			return -1, nil
		}
		i := slices.IndexFunc(head, func(s string) bool { return strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")) == h })
		if i < 0 {
			return -1, fmt.Errorf("no column %q (outcome revenue)", h)
		}
		return i, nil
	}
	var err error
	if d.col, err = find(c.Column); err != nil {
		return d, err
	}
	if d.times, err = find(c.Times); err != nil {
		return d, err
	}
	if d.per, err = find(c.Per); err != nil {
		return d, err
	}
	if c.Scale != nil {
		d.scale = *c.Scale
	}
	return d, nil
}

// value is the row's duty; 0 when a number is missing or bad.
func (d dutyOf) value(rec []string) float64 {
	num := func(i int) (float64, bool) {
		if i < 0 || i >= len(rec) {
			return 0, false
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
		return v, err == nil
	}
	v, ok := num(d.col)
	if !ok {
		return 0
	}
	if d.times >= 0 {
		t, ok := num(d.times)
		if !ok {
			return 0
		}
		v *= t
	}
	if d.per >= 0 {
		p, ok := num(d.per)
		if !ok || p == 0 {
			return 0
		}
		v /= p
	}
	return v * d.scale
}

// TestCounts counts the test quarter's irregular rows, its rows whose goods
// tuple is new, and the irregular ones among those.
func (d *Data) TestCounts() (irregular, newRows, irregularNew float64) {
	for _, r := range d.Test {
		if r.Irregular {
			irregular++
		}
		if r.New {
			newRows++
			if r.Irregular {
				irregularNew++
			}
		}
	}
	return irregular, newRows, irregularNew
}
