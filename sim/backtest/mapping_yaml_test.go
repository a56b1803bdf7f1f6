package backtest

import (
	"strings"
	"testing"
)

// TestMappingYAMLMessages: a mapping file's YAML and type errors read as
// words with the file and line (and column where the parser knows it), as a
// scenario's do; none holds the YAML package's jargon.
func TestMappingYAMLMessages(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"fields: [a\n", "mapping m.yaml:1:9: a list opened with [ is not closed"},
		{"fields:\n  colour: x\n", "mapping m.yaml:2: want a mapping (key: value), got \"x\""},
		{"delimiter: [1]\n", "mapping m.yaml:1: want text, got a list"},
		{"header_rows: abc\n", "mapping m.yaml:1: unknown field \"header_rows\""},
		{"fields: {hs: a, hs: b}\n", "mapping m.yaml:1: key \"hs\" given twice (first at line 1)"},
		{"\x7fELF", "mapping m.yaml:1:1: control character U+007F"},
		{"fields:\n\ths: x\n", "mapping m.yaml:2:1: a tab in the indentation"},
		{"name: \"x\n", "mapping m.yaml:1:7: a string opened with \" is not closed"},
	} {
		_, err := ParseMapping("m.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.want)
			continue
		}
		for _, j := range []string{"yaml:", "unmarshal", "!!", "did not find", "not found in type", "backtest."} {
			if strings.Contains(strings.ReplaceAll(err.Error(), "m.yaml:", ""), j) {
				t.Errorf("%q: %q holds the YAML package's jargon %q", tc.src, err, j)
			}
		}
	}
}
