package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"pilotsim/internal/safefile"
)

// Command-line overrides (--set path=value) are applied to the YAML node tree
// before decoding, so their values are checked exactly like values written in
// the file, and problems with them are reported as "--set path".

// setStep is one step of a --set path: a field or map key, a list index, or a
// list element selected by its name or id.
type setStep struct {
	key    string // field or map key ("" for a list step)
	index  int    // list index, when sel == "" and key == ""
	sel    string // name or id of a list element
	isList bool
}

// parseSetPath splits a path such as threats[narcotics].signature.origin.CO or
// resources.pools[0].servers into steps.
func parseSetPath(p string) ([]setStep, error) {
	var steps []setStep
	i := 0
	expectKey := true
	for i < len(p) {
		switch {
		case p[i] == '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unclosed [ in path %q", p)
			}
			inner := strings.TrimSpace(p[i+1 : i+j])
			if inner == "" {
				return nil, fmt.Errorf("empty [] in path %q", p)
			}
			if len(steps) == 0 {
				return nil, fmt.Errorf("path %q starts with [", p)
			}
			st := setStep{isList: true}
			if n, err := strconv.Atoi(inner); err == nil {
				st.index = n
			} else {
				st.sel = inner
			}
			steps = append(steps, st)
			i += j + 1
			expectKey = false
		case p[i] == '.':
			if expectKey {
				return nil, fmt.Errorf("empty field name in path %q", p)
			}
			i++
			expectKey = true
		default:
			if !expectKey {
				return nil, fmt.Errorf("want . or [ after ] in path %q", p)
			}
			j := strings.IndexAny(p[i:], ".[")
			if j < 0 {
				j = len(p) - i
			}
			steps = append(steps, setStep{key: p[i : i+j]})
			i += j
			expectKey = false
		}
	}
	if len(steps) == 0 || expectKey {
		return nil, fmt.Errorf("want a field path such as selectivity.red, got %q", p)
	}
	return steps, nil
}

// deepCopy copies a node tree, following aliases, so that an override reached
// through an alias changes only the place it names.
func deepCopy(n *yaml.Node) *yaml.Node { return deepCopyDepth(n, 0) }

func deepCopyDepth(n *yaml.Node, depth int) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	c := *n
	c.Anchor = ""
	if depth > 10000 {
		c.Content = nil
		return &c
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = deepCopyDepth(x, depth+1)
	}
	return &c
}

// applySets applies the overrides to the document root, a mapping node, and
// records the nodes they bring in d.origin. Problems go to d.errs.
func (d *decoder) applySets(root *yaml.Node, sets []string) {
	if len(sets) > MaxSets {
		d.add(position{}, "", "%d --set overrides: at most %d", len(sets), MaxSets)
		return
	}
	for i, s := range sets {
		path, val, ok := strings.Cut(s, "=")
		path = strings.TrimSpace(path)
		if _, dup := d.setOrder[path]; !dup {
			d.setOrder[path] = i
		}
		if !ok {
			d.setOrder[s] = i
			d.add(position{set: s}, "", "want path=value, e.g. selectivity.red=50")
			continue
		}
		if strings.TrimSpace(val) == "" {
			// An empty value would decode as null and quietly restore the
			// default: almost always a shell variable that was not set.
			d.add(position{set: path}, "", `the value is empty; want path=value (to clear a field write path=null, for an empty text path='""')`)
			continue
		}
		if err := d.applySet(root, path, val); err != nil {
			d.add(position{set: path}, "", "%v", err)
		}
	}
}

func (d *decoder) applySet(root *yaml.Node, path, val string) error {
	steps, err := parseSetPath(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if _, col, msg, bad := textProblem([]byte(val)); bad {
		return fmt.Errorf("value %q, character %d: %s", safefile.Clip(val, 80), col, msg)
	}
	if err := yaml.Unmarshal([]byte(val), &doc); err != nil {
		p := explainYAML([]byte(val), err.Error())
		where := ""
		if p.col > 0 && !strings.Contains(val, "\n") {
			where = fmt.Sprintf(", character %d", p.col)
		}
		return fmt.Errorf("value %q%s: %s", safefile.Clip(val, 80), where, p.msg)
	}
	value := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	if len(doc.Content) > 0 {
		value = doc.Content[0]
	}
	d.markSet(value, path)
	return d.setNode(root, steps, path, value, func(n *yaml.Node) { d.markSet(n, path) })
}

// setNode puts value at path (parsed into steps) in the tree under root,
// making the mappings the path needs; mark is called on every node it makes
// and on the node that takes the value, to record where they came from.
func (d *decoder) setNode(root *yaml.Node, steps []setStep, path string, value *yaml.Node, mark func(*yaml.Node)) error {
	cur := root
	t := reflect.TypeFor[Scenario]()
	done := "" // the part of the path walked so far
	for i, st := range steps {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		last := i == len(steps)-1
		if !st.isList {
			done = joinPath(done, st.key)
			switch t.Kind() {
			case reflect.Struct:
				si := infoOf(t)
				fi, ok := si.byName[st.key]
				if !ok {
					return fmt.Errorf("unknown field %q in %s (want one of %s)", st.key, orWhole(parentPath(done)), si.names)
				}
				t = t.Field(si.fields[fi].index).Type
			case reflect.Map:
				t = t.Elem()
			default:
				return fmt.Errorf("%s holds %s; it has no field %q", orWhole(parentPath(done)), kindName(t), st.key)
			}
			if cur.Kind == yaml.ScalarNode && isNull(cur) {
				*cur = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				mark(cur)
			}
			if cur.Kind != yaml.MappingNode {
				return fmt.Errorf("%s is not a mapping in the file (it is %s)", orWhole(parentPath(done)), describe(cur))
			}
			var next *yaml.Node
			for j := 0; j+1 < len(cur.Content); j += 2 {
				if cur.Content[j].Value == st.key && !isMerge(cur.Content[j]) {
					next = cur.Content[j+1]
				}
			}
			if next == nil {
				next = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
				key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: st.key}
				mark(key)
				mark(next)
				cur.Content = append(cur.Content, key, next)
			} else if next.Kind == yaml.AliasNode && !last {
				*next = *deepCopy(next)
			}
			cur = next
			continue
		}
		// A list step.
		if t.Kind() != reflect.Slice {
			return fmt.Errorf("%s is not a list", orWhole(done))
		}
		t = t.Elem()
		if cur.Kind == yaml.AliasNode {
			*cur = *deepCopy(cur)
		}
		if cur.Kind != yaml.SequenceNode || len(cur.Content) == 0 {
			return fmt.Errorf("%s has no elements to select from", orWhole(done))
		}
		var next *yaml.Node
		if st.sel == "" {
			if st.index < 0 || st.index >= len(cur.Content) {
				return fmt.Errorf("index %d out of range: %s has %s", st.index, done, plural(len(cur.Content), "element"))
			}
			next = cur.Content[st.index]
			done = indexPath(done, st.index)
		} else {
			var have []string
			for j, e := range cur.Content {
				id := elementName(e)
				if id == st.sel {
					next = cur.Content[j]
					break
				}
				if id != "" {
					have = append(have, id)
				}
			}
			if next == nil {
				return fmt.Errorf("%s has no element named %q (have %s)", done, st.sel, strings.Join(have, ", "))
			}
			done = done + "[" + st.sel + "]"
		}
		if next.Kind == yaml.AliasNode && !last {
			*next = *deepCopy(next)
		}
		cur = next
	}
	// Replace the value in place, keeping the node's identity in its parent.
	*cur = *value
	mark(cur)
	return nil
}

// elementName is the name or id of a list element written as a mapping.
func elementName(e *yaml.Node) string {
	for e != nil && e.Kind == yaml.AliasNode {
		e = e.Alias
	}
	if e == nil || e.Kind != yaml.MappingNode {
		return ""
	}
	for j := 0; j+1 < len(e.Content); j += 2 {
		switch e.Content[j].Value {
		case "name", "id":
			return e.Content[j+1].Value
		}
	}
	return ""
}

// markSet records that n and everything under it came from --set path.
func (d *decoder) markSet(n *yaml.Node, path string) {
	if n == nil {
		return
	}
	if _, ok := d.origin[n]; ok {
		return
	}
	d.origin[n] = path
	for _, c := range n.Content {
		d.markSet(c, path)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func orWhole(path string) string {
	if path == "" {
		return "the scenario"
	}
	return path
}

func kindName(t reflect.Type) string {
	switch {
	case t == typeDuration:
		return "a duration"
	case t.Kind() == reflect.Slice:
		return "a list"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	}
	return "a number"
}
