package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"pilotsim/datamodel"
	"pilotsim/internal/safefile"
)

// EventMappingFile is the YAML form of a mapping of a national Time Release
// Study layout onto pilotsim's event records (pilotsim trs and calibrate
// --mapping): which column holds each field, how times are written, which
// codes mean what.
type EventMappingFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Columns maps event-record fields (datamodel.EventColumns) to the
	// headers of the file.
	Columns map[string]string `yaml:"columns"`
	// TimeLayout is the Go layout of every time ("2006-01-02 15:04"); default
	// RFC 3339.
	TimeLayout string `yaml:"time_layout"`
	// TimeZone is the IANA zone of times written without one (default UTC);
	// hours and weekdays of the report are read in it.
	TimeZone string `yaml:"time_zone"`
	// Delimiter is the field separator, one character (default ",").
	Delimiter string `yaml:"delimiter"`
	// Codes translate raw values of a field: channel codes to green, blue,
	// yellow, red; outcome codes to irregular or regular; aeo codes to yes
	// or no; mode codes to sea, air, road, rail, postal.
	Codes map[string]map[string]string `yaml:"codes"`
}

// codeValues are the values the codes of a field may translate to (fields
// of free text, such as office or mode, take any).
var codeValues = map[string][]string{
	"channel": {"green", "blue", "yellow", "red"},
	"aeo":     {"yes", "no", "true", "false", "1", "0", "y", "n"},
	"outcome": {"irregular", "regular", "yes", "no", "true", "false", "1", "0", "found", "clean"},
}

// maxEventMappingBytes bounds a mapping file (a mapping is a few hundred
// bytes; a larger file is a mistake).
const maxEventMappingBytes = 16 << 20

// LoadEventMapping reads and checks a mapping file (a regular file).
func LoadEventMapping(path string) (*datamodel.EventMapping, error) {
	data, err := safefile.ReadRegular(path, maxEventMappingBytes)
	if err != nil {
		return nil, err
	}
	return ParseEventMapping(path, data)
}

// ParseEventMapping decodes a mapping strictly (unknown keys are errors, with
// their line) and turns it into the reader's form; name is used in messages.
func ParseEventMapping(name string, data []byte) (*datamodel.EventMapping, error) {
	var f EventMappingFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("mapping %s: the file is empty", name)
		}
		// The parser's messages in words, with line and column, as for
		// scenarios and backtest mappings.
		return nil, fmt.Errorf("mapping %w", ExplainYAML(name, data, err))
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	lineOf := func(keys ...string) int {
		n := &root
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		line := 0
		for _, k := range keys {
			found := false
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				break
			}
		}
		return line
	}
	known := map[string]bool{}
	for _, c := range datamodel.EventColumns {
		known[c] = true
	}
	m := &datamodel.EventMapping{Columns: f.Columns, Layout: f.TimeLayout, Codes: f.Codes}
	if m.Columns == nil {
		m.Columns = map[string]string{}
	}
	for k, v := range f.Columns {
		if !known[k] {
			return nil, fmt.Errorf("mapping %s: line %d: columns: unknown field %q (want one of the event-record fields, see docs/trs.md)", name, lineOf("columns", k), k)
		}
		if v == "" {
			return nil, fmt.Errorf("mapping %s: line %d: columns.%s: want the header of a column", name, lineOf("columns", k), k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.Codes)) {
		if !known[k] {
			return nil, fmt.Errorf("mapping %s: line %d: codes: unknown field %q (want one of the event-record fields, see docs/trs.md)", name, lineOf("codes", k), k)
		}
		// A code must translate to a value the field can hold: a typo in
		// the mapping is reported here, with its line, not at the first
		// record that uses the code.
		want, ok := codeValues[k]
		if !ok {
			continue
		}
		for _, raw := range slices.Sorted(maps.Keys(f.Codes[k])) {
			if v := strings.ToLower(strings.TrimSpace(f.Codes[k][raw])); !slices.Contains(want, v) {
				return nil, fmt.Errorf("mapping %s: line %d: codes.%s: %q translates to %q (want one of %s)", name, lineOf("codes", k, raw), k, raw, f.Codes[k][raw], strings.Join(want, ", "))
			}
		}
	}
	if f.TimeLayout != "" {
		ref := time.Date(2025, 3, 14, 9, 30, 15, 0, time.UTC)
		if _, err := time.Parse(f.TimeLayout, ref.Format(f.TimeLayout)); err != nil || ref.Format(f.TimeLayout) == f.TimeLayout {
			return nil, fmt.Errorf("mapping %s: line %d: time_layout %q is not a Go time layout (want e.g. \"2006-01-02 15:04\")", name, lineOf("time_layout"), f.TimeLayout)
		}
	}
	if f.TimeZone != "" {
		loc, err := time.LoadLocation(f.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("mapping %s: line %d: time_zone %q is not a known IANA time zone (want e.g. Europe/Brussels)", name, lineOf("time_zone"), f.TimeZone)
		}
		m.Location = loc
	}
	if f.Delimiter != "" {
		if utf8.RuneCountInString(f.Delimiter) != 1 || len(f.Delimiter) != 1 || f.Delimiter == `"` || f.Delimiter == "\n" || f.Delimiter == "\r" {
			return nil, fmt.Errorf("mapping %s: line %d: delimiter %q: want one ASCII character other than a quote or a line break", name, lineOf("delimiter"), f.Delimiter)
		}
		m.Delimiter = f.Delimiter[0]
	}
	return m, nil
}
