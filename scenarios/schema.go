package scenarios

import (
	"reflect"
	"strings"

	"pilotsim/internal/yamlschema"
)

// SchemaID is the $id of the scenario schema (shipped as docs/scenario.schema.json).
const SchemaID = "urn:pilotsim:scenario"

// durationSchema is a span of time as scenario files write it: a number of
// minutes, or numbers with units s, m, h, d ("90s", "20m", "1h30m", "2d").
var durationSchema = yamlschema.Schema{"anyOf": []any{
	yamlschema.Schema{"type": "number"},
	yamlschema.Schema{"type": "string", "pattern": `^\s*[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)|(([0-9]+\.?[0-9]*|\.[0-9]+)[smhd])+)\s*$`},
}}

// Allowed values the types do not say, by "Type.field".
var schemaEnums = map[string][]string{
	"Dist.dist":            DistKinds,
	"Scenario.traffic":     {"sea", "air", "road", "rail", "postal"},
	"Criteria.mode":        {"sea", "air", "road", "rail", "postal"},
	"Rule.lane":            {"red", "yellow", "blue", "green"},
	"MaxHits.lane":         {"red", "yellow"},
	"Pool.method":          {"document", "nii", "physical"},
	"Hours.days":           {"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
	"Selectivity.random":   {"red", "yellow", "blue"},
	"Selectivity.expected": {"red", "yellow", "blue"},
	"Targets.lanes":        {"red", "yellow", "blue", "green"},
	"Targeting.policy":     TargetingPolicies,
	"Targeting.policies":   TargetingPolicies,
	"Targeting.keys":       TargetingKeys,
	"Targeting.lane":       {"red", "yellow"},
	"Displacement.over":    {"origin", "hs_chapter"},
}

// JSONSchema returns the JSON Schema (draft-07) of scenario files, generated
// from the Go types of this package: every field with its type, the allowed
// values of enumerations, durations written as text, and each field's
// description from its Go comment. Editors use it to complete and check
// fields as one types (docs/scenarios.md says how); the loader stays the
// judge of what a schema cannot say (required fields, ranges, names that
// must exist).
func JSONSchema() ([]byte, error) {
	s := yamlschema.Generate(reflect.TypeFor[Scenario](), SchemaID, "pilotsim scenario", yamlschema.Options{
		Type: func(t reflect.Type) (yamlschema.Schema, bool) {
			if t == typeDuration {
				return cloneSchema(durationSchema), true
			}
			return nil, false
		},
		Field: func(key string, t reflect.Type) (yamlschema.Schema, bool) {
			if key == "Phase.set" {
				// --set paths to any YAML value, checked by the loader.
				return yamlschema.Schema{"type": "object", "description": "--set paths and their values, e.g. resources.red: [nii, physical]"}, true
			}
			typ, name, _ := strings.Cut(key, ".")
			if typ != "Dist" || !distDurationFields[name] {
				return nil, false
			}
			if t.Kind() == reflect.Slice {
				return yamlschema.Schema{"type": "array", "items": cloneSchema(durationSchema)}, true
			}
			return cloneSchema(durationSchema), true
		},
		Enum:     schemaEnums,
		Describe: func(key string) string { return schemaDocs[key] },
	})
	return yamlschema.Marshal(s)
}

func cloneSchema(s yamlschema.Schema) yamlschema.Schema {
	c := make(yamlschema.Schema, len(s))
	for k, v := range s {
		c[k] = v
	}
	return c
}
