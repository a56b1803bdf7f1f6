// Package yamlschema generates a JSON Schema (draft-07, the dialect editors
// such as VS Code's YAML extension read best) from the Go types of a YAML file
// format: structs become objects with their yaml-tagged fields as properties
// and no others, pointers their element, slices arrays, maps objects with
// typed values. A format adds what types cannot say — a type read from a
// string ("20m" for a duration), a field's allowed values, descriptions —
// through Options.
//
// It is for editors and tests, not for loading: the format's own strict
// loader stays the judge, with line-numbered errors and the checks a schema
// cannot express (thresholds in order, names that must exist).
package yamlschema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Schema is a JSON Schema node.
type Schema = map[string]any

// Options adapt the schema to a format.
type Options struct {
	// Type gives the schema of a whole type (a duration written "20m" or as
	// a number); false means the generic rules apply.
	Type func(t reflect.Type) (Schema, bool)
	// Field gives the schema of one field, by "TypeName.yamlname"; false
	// means the field's type decides.
	Field func(key string, t reflect.Type) (Schema, bool)
	// Enum lists the allowed values of string fields and map keys, by
	// "TypeName.yamlname".
	Enum map[string][]string
	// Describe returns the description of a type (key "TypeName") or field
	// ("TypeName.yamlname"); "" for none.
	Describe func(key string) string
}

// Generate returns the schema of root: named struct types under
// "definitions", the root's properties at the top.
func Generate(root reflect.Type, id, title string, opt Options) Schema {
	g := &gen{opt: opt, defs: Schema{}}
	top := g.structSchema(root)
	top["$schema"] = "http://json-schema.org/draft-07/schema#"
	top["$id"] = id
	top["title"] = title
	if len(g.defs) > 0 {
		top["definitions"] = g.defs
	}
	return top
}

// Marshal encodes a schema as indented JSON with a final newline (map keys
// sorted, so the same types give the same bytes).
func Marshal(s Schema) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type gen struct {
	opt  Options
	defs Schema
}

func (g *gen) describe(key string, s Schema) Schema {
	if g.opt.Describe != nil {
		if d := g.opt.Describe(key); d != "" {
			s["description"] = d
		}
	}
	return s
}

// of returns the schema of t, naming struct types in definitions.
func (g *gen) of(t reflect.Type) Schema {
	if g.opt.Type != nil {
		if s, ok := g.opt.Type(t); ok {
			return s
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.Struct:
		name := t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = Schema{} // placeholder: recursive types end here
			g.defs[name] = g.structSchema(t)
		}
		return Schema{"$ref": "#/definitions/" + name}
	case reflect.Slice, reflect.Array:
		return Schema{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Schema{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	}
	panic(fmt.Sprintf("yamlschema: no schema for %v", t))
}

// structSchema is the object schema of a struct: its yaml fields, no others.
func (g *gen) structSchema(t reflect.Type) Schema {
	props := Schema{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		key := t.Name() + "." + name
		var s Schema
		if g.opt.Field != nil {
			if fs, ok := g.opt.Field(key, f.Type); ok {
				s = fs
			}
		}
		if s == nil {
			s = g.of(f.Type)
		}
		if vals, ok := g.opt.Enum[key]; ok {
			s = withEnum(s, f.Type, vals)
		}
		props[name] = g.describe(key, cloneIfRef(s))
	}
	return g.describe(t.Name(), Schema{"type": "object", "properties": props, "additionalProperties": false})
}

// cloneIfRef wraps a $ref so a description can sit beside it (draft-07
// ignores siblings of $ref).
func cloneIfRef(s Schema) Schema {
	if _, ok := s["$ref"]; ok {
		return Schema{"allOf": []any{s}}
	}
	return s
}

// withEnum restricts a string field, the items of a list of strings or the
// keys of a map to vals.
func withEnum(s Schema, t reflect.Type, vals []string) Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	enum := make([]any, len(vals))
	for i, v := range vals {
		enum[i] = v
	}
	switch t.Kind() {
	case reflect.Map:
		s["propertyNames"] = Schema{"enum": enum}
	case reflect.Slice:
		s["items"] = Schema{"type": "string", "enum": enum}
	default:
		s["enum"] = enum
	}
	return s
}
