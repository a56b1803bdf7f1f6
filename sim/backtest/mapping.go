package backtest

import (
	"pilotsim/internal/safefile"
	"pilotsim/scenarios"

	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"pilotsim/sim/risk"
)

// Mapping says how a declarations file in a foreign layout maps onto what the
// risk engine reads: which column holds each datamodel field, which extra
// columns rules may test by name, and which columns give the control outcome.
// It is the Go form of a mapping YAML file (see scenarios/examples/kcs/).
type Mapping struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Delimiter is the field separator, one character; default ",".
	Delimiter string `yaml:"delimiter"`
	// Fields maps datamodel field names (see FieldNames) to columns.
	Fields map[string]Column `yaml:"fields"`
	// Columns names further columns (or values derived from them) that rules
	// may test with field criteria and history keys.
	Columns map[string]Column `yaml:"columns"`
	Outcome Outcome           `yaml:"outcome"`

	// Path is the file the mapping was read from ("" when built in code).
	Path string `yaml:"-"`

	lines map[string]int // "fields.hs" → line, for messages
}

// Column is where a value comes from and how it is converted.
type Column struct {
	// Column is the header of the column in the file (required).
	Column string `yaml:"column"`
	// Optional lets the file lack the column: the value is then missing.
	Optional bool `yaml:"optional"`
	// Type is "text" (default) or "number" for entries of Columns; datamodel
	// fields have their own types.
	Type string `yaml:"type"`
	// Codes translates raw values (after trimming spaces) before anything
	// else: national codes to ISO countries or transport modes. A code
	// translated to "" means the value is missing. Values not listed are kept.
	Codes map[string]string `yaml:"codes"`
	// Missing lists raw values that mean "no value" (the empty string always
	// does).
	Missing []string `yaml:"missing"`
	// Upper turns text to upper case.
	Upper bool `yaml:"upper"`
	// Digits keeps the first Digits digits of a code after dropping any other
	// character (HS10 "8471.30.0000" → HS6 "847130" with digits: 6). With
	// Pad, shorter codes are padded with leading zeros (a spreadsheet dropped
	// them); otherwise they are bad values.
	Digits int  `yaml:"digits"`
	Pad    bool `yaml:"pad"`
	// Scale multiplies a number (unit conversion: 1000 for tonnes to kg).
	Scale *float64 `yaml:"scale"`
	// Times and Per multiply and divide a number by the number in another
	// column (a header of the file): duty = value × rate with times.
	Times string `yaml:"times"`
	Per   string `yaml:"per"`
	// Values lists the raw values that mean yes, for yes/no fields (aeo,
	// new_trader, lodged_after_arrival, outcome.irregular, classes).
	Values []string `yaml:"values"`
	// AnyValue, for a yes/no field, means that any value (not missing) is
	// yes: a column that names the threat found, empty when none.
	AnyValue bool `yaml:"any_value"`
	// Layout is the Go time layout of a date (default "2006-01-02") or of
	// the lodgement and arrival times (default RFC 3339,
	// "2006-01-02T15:04:05Z07:00").
	Layout string `yaml:"layout"`

	laneFromControls bool // the datamodel's control column (DatamodelMapping)
}

// Outcome names the columns that hold the result of the control made on each
// declaration.
type Outcome struct {
	// Irregular says whether the control found the declaration irregular
	// (required; Values lists the raw values meaning yes).
	Irregular Column `yaml:"irregular"`
	// Revenue is the duty recovered or the revenue at stake of an irregular
	// declaration (optional; counted for irregular declarations only).
	Revenue *Column `yaml:"revenue"`
	// Classes are further yes/no outcomes reported on their own (a threat
	// category, a critical finding), by name.
	Classes map[string]Column `yaml:"classes"`
	// Lane is the lane the declaration actually got (green, blue, yellow,
	// red after Codes), to compare the rule set's selection with.
	Lane *Column `yaml:"lane"`
	// Unknown says what a declaration without an outcome is (one that was
	// not controlled): "bad" (default), a bad row; or "regular", counted as
	// not irregular (so detection is a lower bound) and kept out of the
	// history, which learns only from known outcomes.
	Unknown string `yaml:"unknown"`
}

// fieldType is how a datamodel field is parsed.
type fieldType uint8

const (
	typeText fieldType = iota
	typeNumber
	typeCountry
	typeHS
	typeMode
	typeBool
	typeDate
	typeTime
)

// coreFields are the datamodel fields a mapping may fill, with their types.
var coreFields = map[string]fieldType{
	"id":                   typeText,    // declaration reference, for messages
	"date":                 typeDate,    // date of the declaration (history order)
	"trader":               typeText,    // the declaring trader (importer)
	"origin":               typeCountry, // country of origin
	"dispatch":             typeCountry, // country of dispatch / departure
	"routing":              typeCountry, // country of routing (hub)
	"hs":                   typeHS,      // HS code, 6 digits
	"mode":                 typeMode,    // sea, air, road, rail, postal
	"gross_weight":         typeNumber,  // kg
	"value":                typeNumber,  // customs value
	"aeo":                  typeBool,    // trader is an AEO
	"new_trader":           typeBool,    // trader is new
	"lodged_after_arrival": typeBool,    // declaration lodged after the goods arrived
	"lodgement":            typeTime,    // time the declaration was lodged
	"arrival":              typeTime,    // time the goods arrived
}

// FieldNames returns the datamodel field names a mapping may fill, sorted.
func FieldNames() []string {
	names := make([]string, 0, len(coreFields))
	for n := range coreFields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// maxMappingBytes bounds a mapping file (a few kB in practice).
const maxMappingBytes = 16 << 20

// LoadMapping reads and checks a mapping file (a regular file of at most
// 16 MB).
func LoadMapping(path string) (*Mapping, error) {
	data, err := safefile.ReadRegular(path, maxMappingBytes)
	if err != nil {
		return nil, err
	}
	return ParseMapping(path, data)
}

// ParseMapping decodes a mapping strictly (unknown keys are errors) and checks
// it; name is used in messages.
func ParseMapping(name string, data []byte) (*Mapping, error) {
	m := &Mapping{Path: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("mapping %s: the file is empty", name)
		}
		return nil, fmt.Errorf("mapping %w", scenarios.ExplainYAML(name, data, err))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		m.lines = make(map[string]int)
		collectLines(&root, "", m.lines)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// collectLines records the line of every mapping key by dotted path.
func collectLines(n *yaml.Node, path string, out map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collectLines(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			out[p] = n.Content[i].Line
			collectLines(n.Content[i+1], p, out)
		}
	}
}

// errAt formats a problem at a path of the mapping file.
func (m *Mapping) errAt(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	for p := path; p != ""; {
		if l, ok := m.lines[p]; ok {
			return fmt.Errorf("mapping %s:%d: %s: %s", m.Path, l, path, msg)
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return fmt.Errorf("mapping %s: %s: %s", m.Path, path, msg)
}

// check validates the mapping and applies defaults.
func (m *Mapping) check() error {
	var errs []error
	if m.Delimiter == "" {
		m.Delimiter = ","
	}
	if d := []rune(m.Delimiter); len(d) != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r' {
		errs = append(errs, m.errAt("delimiter", "expected one character other than a quote or newline, got %q", m.Delimiter))
	}
	for _, name := range sortedKeys(m.Fields) {
		t, ok := coreFields[name]
		if !ok {
			errs = append(errs, m.errAt("fields."+name, "unknown field; expected one of %s", strings.Join(FieldNames(), ", ")))
			continue
		}
		c := m.Fields[name]
		errs = append(errs, m.checkColumn("fields."+name, &c, t)...)
		m.Fields[name] = c
	}
	for _, name := range sortedKeys(m.Columns) {
		c := m.Columns[name]
		p := "columns." + name
		if _, ok := coreFields[name]; ok || name == "value_per_kg" {
			errs = append(errs, m.errAt(p, "%q is a datamodel field name; map it under fields, or choose another name", name))
			continue
		}
		t := typeText
		switch c.Type {
		case "", "text":
			c.Type = "text"
		case "number":
			t = typeNumber
		default:
			errs = append(errs, m.errAt(p+".type", "expected text or number, got %q", c.Type))
		}
		errs = append(errs, m.checkColumn(p, &c, t)...)
		m.Columns[name] = c
	}
	if m.Outcome.Irregular.Column == "" {
		errs = append(errs, m.errAt("outcome.irregular", "required: the column that says whether the control found the declaration irregular"))
	} else {
		errs = append(errs, m.checkColumn("outcome.irregular", &m.Outcome.Irregular, typeBool)...)
	}
	switch m.Outcome.Unknown {
	case "":
		m.Outcome.Unknown = "bad"
	case "bad", "regular":
	default:
		errs = append(errs, m.errAt("outcome.unknown", "expected bad or regular, got %q", m.Outcome.Unknown))
	}
	if m.Outcome.Revenue != nil {
		errs = append(errs, m.checkColumn("outcome.revenue", m.Outcome.Revenue, typeNumber)...)
	}
	for _, name := range sortedKeys(m.Outcome.Classes) {
		c := m.Outcome.Classes[name]
		errs = append(errs, m.checkColumn("outcome.classes."+name, &c, typeBool)...)
		m.Outcome.Classes[name] = c
	}
	if len(m.Outcome.Classes) > maxClasses {
		errs = append(errs, m.errAt("outcome.classes", "at most %d classes", maxClasses))
	}
	if m.Outcome.Lane != nil {
		errs = append(errs, m.checkColumn("outcome.lane", m.Outcome.Lane, typeText)...)
	}
	return errors.Join(errs...)
}

// maxClasses bounds the outcome classes (a bit set per declaration).
const maxClasses = 16

func (m *Mapping) checkColumn(path string, c *Column, t fieldType) []error {
	var errs []error
	if c.Column == "" {
		errs = append(errs, m.errAt(path, "column: the header of the column is required"))
	}
	if c.Type != "" && !strings.HasPrefix(path, "columns.") {
		errs = append(errs, m.errAt(path+".type", "only entries of columns have a type"))
	}
	num := t == typeNumber
	if !num && (c.Scale != nil || c.Times != "" || c.Per != "") {
		errs = append(errs, m.errAt(path, "scale, times and per apply to numbers only"))
	}
	if c.Scale != nil && (*c.Scale == 0 || *c.Scale != *c.Scale) {
		errs = append(errs, m.errAt(path+".scale", "expected a non-zero number"))
	}
	switch {
	case t == typeBool && len(c.Values) == 0 && !c.AnyValue:
		errs = append(errs, m.errAt(path, "values (the list of raw values meaning yes) or any_value: true is required"))
	case t == typeBool && len(c.Values) > 0 && c.AnyValue:
		errs = append(errs, m.errAt(path, "give values or any_value, not both"))
	case t != typeBool && (len(c.Values) > 0 || c.AnyValue):
		errs = append(errs, m.errAt(path, "values and any_value apply to yes/no fields only"))
	}
	if c.Digits < 0 || c.Digits > 10 {
		errs = append(errs, m.errAt(path+".digits", "expected 1 to 10, got %d", c.Digits))
	}
	if c.Pad && c.Digits == 0 {
		errs = append(errs, m.errAt(path+".pad", "pad needs digits"))
	}
	if c.Layout != "" && t != typeDate && t != typeTime {
		errs = append(errs, m.errAt(path+".layout", "layout applies to the date and times only"))
	}
	if t == typeDate || t == typeTime {
		if c.Layout == "" {
			c.Layout = "2006-01-02"
			if t == typeTime {
				c.Layout = time.RFC3339
			}
		}
		ref := time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)
		if _, err := time.Parse(c.Layout, ref.Format(c.Layout)); err != nil || !strings.Contains(c.Layout, "2") {
			errs = append(errs, m.errAt(path+".layout", "%q is not a Go time layout with a day (like 2006-01-02 or 02/01/2006)", c.Layout))
		}
	}
	if t == typeHS && c.Digits == 0 {
		c.Digits = 6
	}
	if t == typeHS && c.Digits != 6 {
		errs = append(errs, m.errAt(path+".digits", "the hs field keeps 6 digits (HS6); map longer codes with digits: 6"))
	}
	if t == typeMode {
		for _, raw := range sortedKeys(c.Codes) {
			v := c.Codes[raw]
			if v == "" {
				continue
			}
			if _, ok := parseModeName(v); !ok {
				errs = append(errs, m.errAt(path+".codes", "code %q maps to %q, not a transport mode (sea, air, road, rail, postal)", raw, v))
			}
		}
	}
	if t == typeCountry {
		for _, raw := range sortedKeys(c.Codes) {
			v := c.Codes[raw]
			if v == "" {
				continue
			}
			if _, err := parseCountry(v); err != nil {
				errs = append(errs, m.errAt(path+".codes", "code %q maps to %q: %v", raw, v, err))
			}
		}
	}
	if path == "outcome.lane" {
		for _, raw := range sortedKeys(c.Codes) {
			v := c.Codes[raw]
			if _, ok := risk.ParseLane(v); !ok && v != "" {
				errs = append(errs, m.errAt(path+".codes", "code %q maps to %q, not a lane (green, blue, yellow, red)", raw, v))
			}
		}
	}
	return errs
}

// kind says whether name is a field that criteria may test, and its type. The
// names are the mapped datamodel text and number fields, value_per_kg when
// value and gross_weight are mapped, and every entry of Columns.
func (m *Mapping) kind(name string) risk.FieldKind {
	if c, ok := m.Columns[name]; ok {
		if c.Type == "number" {
			return risk.FieldNumber
		}
		return risk.FieldText
	}
	if name == "value_per_kg" {
		if _, ok := m.Fields["value"]; ok {
			if _, ok := m.Fields["gross_weight"]; ok {
				return risk.FieldNumber
			}
		}
		return risk.FieldUnknown
	}
	if _, ok := m.Fields[name]; !ok {
		return risk.FieldUnknown
	}
	switch coreFields[name] {
	case typeNumber:
		return risk.FieldNumber
	case typeBool, typeDate, typeTime:
		return risk.FieldUnknown
	}
	return risk.FieldText
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
