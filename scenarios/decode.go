package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The decoder walks the YAML node tree against the Go types of format.go by
// reflection (loading is not a hot path), so every value keeps its line,
// column and field path, and every problem is collected instead of stopping at
// the first.

// position is where a value came from: a line and column of the file, or a
// --set override.
type position struct {
	line, col int
	set       string // --set path, when the value came from the command line
}

// maxNodes bounds the work of one decode, so that a small file with nested
// aliases ("billion laughs") cannot make the loader run for ever. The largest
// sensible scenario (128 rules, every country weighted) has a few thousand
// values.
const maxNodes = 100_000

type decoder struct {
	file   string
	errs   ErrorList
	pos    map[string]position   // field path → where its value was written
	keys   map[string]position   // map entry path → where its key was written
	origin map[*yaml.Node]string // nodes that came from --set → the set path
	// setOrder gives each --set path its place on the command line, so that
	// its problems are listed in that order.
	setOrder map[string]int
	budget   int
	over     bool // budget exhausted (reported once)
	// decodeErrs is the number of problems found while decoding (before
	// validation); validation stays quiet about values decoding rejected.
	decodeErrs int
	bad        map[string]bool // paths with decoding problems (built on first use)
	warmupAuto bool            // the scenario's warmup is "auto"
	seen       map[string]bool // position and message of each problem reported
	badBelow   map[string]bool // ancestors of those paths
}

func newDecoder(file string) *decoder {
	return &decoder{
		file:     file,
		pos:      make(map[string]position),
		keys:     make(map[string]position),
		origin:   make(map[*yaml.Node]string),
		setOrder: make(map[string]int),
		budget:   maxNodes,
	}
}

// posOf returns the position of node n.
func (d *decoder) posOf(n *yaml.Node) position {
	if s, ok := d.origin[n]; ok {
		return position{set: s}
	}
	return position{line: n.Line, col: n.Column}
}

// add records a problem at position p.
func (d *decoder) add(p position, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.line > 0 {
		// A node reached again through an alias is reported once: one
		// mistake, one message (an alias to its own list would repeat it
		// at every level).
		k := fmt.Sprintf("%d:%d:%s", p.line, p.col, msg)
		if d.seen == nil {
			d.seen = make(map[string]bool)
		}
		if d.seen[k] {
			return
		}
		d.seen[k] = true
	}
	d.errs = append(d.errs, &Error{
		File: d.file, Line: p.line, Column: p.col, Set: p.set,
		Path: path, Msg: msg,
		setOrder: d.setOrder[p.set],
	})
}

// errorf records a problem with node n.
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.add(d.posOf(n), path, format, args...)
}

// at returns the position of the value at path, or of its nearest ancestor
// written in the file when the value itself is absent.
func (d *decoder) at(path string) position {
	for {
		if p, ok := d.pos[path]; ok {
			return p
		}
		if path == "" {
			return position{line: 1, col: 1}
		}
		path = parentPath(path)
	}
}

// has reports whether a value was written at path (null counts as absent).
func (d *decoder) has(path string) bool {
	_, ok := d.pos[path]
	return ok
}

// parentPath strips the last element of a field path: a.b[2].c → a.b[2] →
// a.b → a → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// fieldInfo is one YAML field of a struct type.
type fieldInfo struct {
	name  string
	index int
	dur   bool // a Dist quantity: accepts durations
}

type structInfo struct {
	fields []fieldInfo
	byName map[string]int // name → position in fields
	names  string         // "a, b, c" for messages
}

var structCache sync.Map // reflect.Type → *structInfo

// distDurationFields are the Dist fields that hold a quantity of the
// distribution (a time, when the distribution is of a time) and so accept
// durations; cv, sigma and weights are plain numbers.
var distDurationFields = map[string]bool{
	"mean": true, "median": true, "sd": true, "min": true, "max": true,
	"mode": true, "value": true, "values": true,
}

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: make(map[string]int)}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		si.byName[name] = len(si.fields)
		si.fields = append(si.fields, fieldInfo{
			name: name, index: i,
			dur: t == reflect.TypeFor[Dist]() && distDurationFields[name],
		})
		names = append(names, name)
	}
	si.names = strings.Join(names, ", ")
	structCache.Store(t, si)
	return si
}

var typeDuration = reflect.TypeFor[Duration]()

// describe names what a node holds, for "got …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		if len(n.Value) > 40 {
			return strconv.Quote(n.Value[:37] + "...")
		}
		if n.ShortTag() == "!!str" {
			return strconv.Quote(n.Value)
		}
		return n.Value
	case yaml.AliasNode:
		return "an alias"
	}
	return "an empty document"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// isMerge reports whether a mapping key is the YAML merge key "<<".
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// resolve follows aliases.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// spend takes one node from the budget and reports whether decoding may go on.
func (d *decoder) spend(n *yaml.Node, path string) bool {
	if d.over {
		return false
	}
	d.budget--
	if d.budget < 0 {
		d.over = true
		d.errorf(n, path, "document too large (more than %d values, counting aliases)", maxNodes)
		return false
	}
	return true
}

// decode stores node n into v (addressable), whose field path is path. dur
// says whether a number may be written as a duration.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, dur bool) {
	n = d.resolve(n)
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	if !d.spend(n, path) {
		return
	}
	if isNull(n) {
		// An empty value leaves the field at its zero value (absent).
		return
	}
	d.pos[path] = d.posOf(n)
	t := v.Type()
	switch {
	case t == typeDuration && path == "warmup" && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value == "auto":
		d.warmupAuto = true // each replication's warm-up chosen by MSER
		return
	case t == typeDuration:
		f, ok := d.duration(n, path)
		if ok {
			v.SetFloat(f)
		}
		return
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), path, dur)
		if len(d.errs) == before || t.Elem().Kind() == reflect.Struct {
			// A number that failed to decode stays absent, so that checks
			// against other values do not see a made-up zero; a section
			// is kept, so that its other values are still checked.
			v.Set(p)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), indexPath(path, i), dur)
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v, path, dur)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want a string, got %s", describe(n))
			return
		}
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!timestamp":
			// Numbers and dates are read as written: ids such as 2024-01
			// or HS prefixes such as 0901 need no quotes.
			v.SetString(n.Value)
		default:
			d.errorf(n, path, "want a string, got %s (quote it)", describe(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.errorf(n, path, "want true or false, got %s", describe(n))
			return
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			d.errorf(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Float64:
		if dur {
			if f, ok := d.duration(n, path); ok {
				v.SetFloat(f)
			}
			return
		}
		if f, ok := d.number(n, path, "a number"); ok {
			v.SetFloat(f)
		}
	case reflect.Int, reflect.Uint64:
		want := "a whole number"
		if t.Kind() == reflect.Uint64 {
			want = "a whole number >= 0"
		}
		f, ok := d.number(n, path, want)
		if !ok {
			return
		}
		if f != math.Trunc(f) {
			d.errorf(n, path, "want %s, got %s", want, describe(n))
			return
		}
		if t.Kind() == reflect.Uint64 {
			// Read the text again so large seeds keep every digit.
			u, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil {
				if f < 0 || f >= 1<<64 {
					d.errorf(n, path, "want %s below 2^64, got %s", want, describe(n))
					return
				}
				u = uint64(f)
			}
			v.SetUint(u)
			return
		}
		if math.Abs(f) > 1<<53 {
			d.errorf(n, path, "want %s of at most 2^53, got %s", want, describe(n))
			return
		}
		v.SetInt(int64(f))
	default:
		d.errorf(n, path, "internal error: cannot decode into %s", t)
	}
}

// number reads a scalar number. YAML infinities and NaN are refused: every
// quantity of a scenario is finite.
func (d *decoder) number(n *yaml.Node, path, want string) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "want %s, got %s", want, describe(n))
		return 0, false
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
	default:
		if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) && n.ShortTag() == "!!str" {
			// 1e309: YAML reads a number past float64 as text.
			d.errorf(n, path, "want %s, got %s, beyond the largest number (about 1.8e308)", want, n.Value)
			return 0, false
		}
		d.errorf(n, path, "want %s, got %s", want, describe(n))
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		// Integers too large for int64 come here.
		f, err = strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			d.errorf(n, path, "want %s, got %s, beyond the largest number (about 1.8e308)", want, describe(n))
			return 0, false
		}
		if err != nil {
			d.errorf(n, path, "want %s, got %s", want, describe(n))
			return 0, false
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.errorf(n, path, "want %s (finite), got %s", want, describe(n))
		return 0, false
	}
	return f, true
}

// duration reads a time span: a number of minutes, or a string such as
// "90s", "20m", "3h", "2d", "1h30m", "-2h".
func (d *decoder) duration(n *yaml.Node, path string) (float64, bool) {
	want := "a duration like 90s, 20m, 3h, 2d or a number of minutes"
	if path == "warmup" {
		want += ", or auto"
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		f, err := ParseDuration(n.Value)
		if err != nil {
			d.errorf(n, path, "want %s, got %s", want, describe(n))
			return 0, false
		}
		return f, true
	}
	return d.number(n, path, want)
}

// ParseDuration reads a time span written as in scenario files and returns it
// in minutes: a sequence of numbers each followed by a unit s, m, h or d
// ("90s", "20m", "3h", "2d", "1h30m"), with an optional sign, or a plain number
// of minutes ("45", "2.5").
func ParseDuration(s string) (float64, error) {
	orig := s
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration (want e.g. 90s, 20m, 3h, 2d, or minutes)", orig)
	if s == "" {
		return 0, bad
	}
	sign := 1.0
	switch s[0] {
	case '-':
		sign, s = -1, s[1:]
	case '+':
		s = s[1:]
	}
	if s == "" {
		return 0, bad
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && isPlainNumber(s) {
		return sign * f, nil
	}
	total := 0.0
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, bad
		}
		f, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, bad
		}
		var unit float64
		switch s[i] {
		case 's':
			unit = 1.0 / 60
		case 'm':
			unit = 1
		case 'h':
			unit = 60
		case 'd':
			unit = 24 * 60
		default:
			return 0, bad
		}
		total += f * unit
		s = s[i+1:]
	}
	if math.IsInf(total, 0) {
		return 0, bad
	}
	return sign * total, nil
}

// isPlainNumber reports whether s is digits with at most one decimal point
// (ParseFloat also accepts "inf", "1e5", hex, which are not durations).
func isPlainNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
		case s[i] == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return s != "."
}

// mappingPairs returns the key/value pairs of mapping n with merge keys ("<<")
// expanded: merged pairs first, so that keys written in n itself override
// them.
func (d *decoder) mappingPairs(n *yaml.Node, path string) (keys, vals []*yaml.Node) {
	var own []int
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !isMerge(k) {
			own = append(own, i)
			continue
		}
		m := d.resolve(n.Content[i+1])
		var srcs []*yaml.Node
		switch {
		case m.Kind == yaml.MappingNode:
			srcs = []*yaml.Node{m}
		case m.Kind == yaml.SequenceNode:
			for _, c := range m.Content {
				srcs = append(srcs, d.resolve(c))
			}
		}
		for _, src := range srcs {
			if src.Kind != yaml.MappingNode {
				d.errorf(k, path, "want a mapping or a list of mappings after <<, got %s", describe(src))
				continue
			}
			if !d.spend(src, path) {
				return keys, vals
			}
			k2, v2 := d.mappingPairs(src, path)
			keys, vals = append(keys, k2...), append(vals, v2...)
		}
		if len(srcs) == 0 {
			d.errorf(k, path, "want a mapping or a list of mappings after <<, got %s", describe(m))
		}
	}
	// Keys given in n override merged ones: drop merged duplicates.
	if len(keys) > 0 {
		mine := make(map[string]bool, len(own))
		for _, i := range own {
			mine[n.Content[i].Value] = true
		}
		j := 0
		seen := make(map[string]bool)
		for i := range keys {
			if mine[keys[i].Value] || seen[keys[i].Value] {
				continue
			}
			seen[keys[i].Value] = true
			keys[j], vals[j] = keys[i], vals[i]
			j++
		}
		keys, vals = keys[:j], vals[:j]
	}
	for _, i := range own {
		keys, vals = append(keys, n.Content[i]), append(vals, n.Content[i+1])
	}
	return keys, vals
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	si := infoOf(v.Type())
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping with fields %s; got %s", si.names, describe(n))
		return
	}
	keys, vals := d.mappingPairs(n, path)
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		k = d.resolve(k)
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errorf(k, path, "want a field name, got %s", describe(k))
			continue
		}
		fi, ok := si.byName[k.Value]
		if !ok {
			d.errorf(k, joinPath(path, k.Value), "unknown field %q (want one of %s)", k.Value, si.names)
			continue
		}
		if seen[k.Value] {
			d.errorf(k, joinPath(path, k.Value), "field %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		f := si.fields[fi]
		d.decode(vals[i], v.Field(f.index), joinPath(path, f.name), f.dur)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string, dur bool) {
	t := v.Type()
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping, got %s", describe(n))
		return
	}
	keys, vals := d.mappingPairs(n, path)
	m := reflect.MakeMapWithSize(t, len(keys))
	for i, k := range keys {
		k = d.resolve(k)
		if k.Kind != yaml.ScalarNode || isNull(k) || k.Value == "" {
			d.errorf(k, path, "want a key, got %s", describe(k))
			continue
		}
		kp := joinPath(path, k.Value)
		key := reflect.ValueOf(k.Value).Convert(t.Key())
		if m.MapIndex(key).IsValid() {
			d.errorf(k, kp, "key %q given twice", k.Value)
			continue
		}
		d.keys[kp] = d.posOf(k)
		e := reflect.New(t.Elem()).Elem()
		d.decode(vals[i], e, kp, dur)
		if _, ok := d.pos[kp]; !ok {
			// A key with an empty value: remember where it was written.
			d.pos[kp] = d.posOf(k)
		}
		m.SetMapIndex(key, e)
	}
	v.Set(m)
}
