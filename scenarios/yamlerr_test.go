package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// yamlJargon are words of the YAML parser's own messages that an analyst
// cannot act on; no message of Parse may hold one.
var yamlJargon = []string{"did not find", "could not find", "mapping values", "yaml:", "octet", "token", "<document", "scanning",
	"parsing", "stream", "indicator", "invalid YAML", "hexdecimal", "node content", "directive name", "tag handle", "max depth"}

// TestYAMLMessagesInWords: every class of YAML syntax error the parser can
// give (its scanner's and parser's messages, one input each) reads as words
// with the line (and the column where the problem is on a line), and none
// holds the parser's jargon.
func TestYAMLMessagesInWords(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unclosed [", "name: x\nhorizon: [1d, 2d\n", "s.yaml:2:10: a list opened with [ is not closed"},
		{"unclosed {", "name: x\ntraffic: {sea: 1\n", "s.yaml:2:10: a map opened with { is not closed"},
		{"unclosed \"", "name: \"x\n", "s.yaml:1:7: a string opened with \" is not closed"},
		{"unclosed '", "name: 'x\n", "s.yaml:1:7: a string opened with ' is not closed"},
		{"tab indentation", "name: x\ntraffic:\n\tsea: 1\n", "s.yaml:3:1: a tab in the indentation"},
		{"two colons", "name: a: b\n", "s.yaml:1:8: a colon where no key can start"},
		{"@ value", "name: @x\n", "s.yaml:1:7: a value cannot start with this character"},
		{"backtick value", "name: `x`\n", "s.yaml:1:7: a value cannot start with this character"},
		{"alias without anchor", "name: *x\n", "s.yaml:1:7: the alias *x names no anchor &x above it"},
		{"unknown escape", "name: \"a\\qb\"\n", "s.yaml:1:9: an unknown escape"},
		{"bad \\u escape", "name: \"\\uZZZZ\"\n", "s.yaml:1:8: an escape \\x, \\u or \\U"},
		{"indented key", "name: x\n  horizon: 1d\n", "s.yaml:2:10: a colon where no key can start"},
		{"list under a key", "name: x\n- y\n", "s.yaml:2:1: a key (name: value) was expected here"},
		{"key after list", "- a\nb: 1\n", "s.yaml:2:1: a list item (- …) was expected here"},
		{"key without colon", "name: x\nhorizon\nseed: 1\n", "s.yaml:2:1: a key without ':' after it"},
		{"empty list item", "name: x\nhorizon: [1, 2,, 3]\n", "s.yaml:2:16: a value was expected on this line"},
		{"dash in a flow list", "name: x\nhorizon: [- 1]\n", "s.yaml:2: a value was expected on this line"},
		{"empty anchor", "name: & x\n", "s.yaml:1:7: &, * and ! start an anchor"},
		{"empty alias", "name: * \n", "s.yaml:1:7: &, * and ! start an anchor"},
		{"tag", "name: !x!y 1\n", "s.yaml:1:7: a value starting with ! is a YAML tag"},
		{"tag uri", "name: !<x 1\n", "s.yaml:1:7: a value starting with ! is a YAML tag"},
		{"directive", "%FOO bar\n---\nname: x\n", "s.yaml:1:1: a line starting with % is a YAML directive"},
		{"YAML 2.0", "%YAML 2.0\n---\nname: x\n", "s.yaml:1:1: a line starting with % is a YAML directive"},
		{"two %YAML", "%YAML 1.1\n%YAML 1.1\n---\nname: x\n", "s.yaml:2:1: a line starting with % is a YAML directive"},
		{"block text indent 0", "name: |0\n  x\n", "s.yaml:1:7: a block of text (| or >) with indentation 0"},
		{"after block text header", "name: |x\n  x\n", "s.yaml:1:7: characters after | or >"},
		{"content after ...", "name: x\n...\nseed: 2\n", "s.yaml:3:1: more content after the document has ended"},
		{"scalar document then a key", "\"name\"\nseed: 1\n", "s.yaml:2:1: more content after the document has ended"},
		{"second document", "name: x\n---\nname: y\n", "s.yaml:2:1: a scenario file holds one YAML document"},
		{"nested 20000 deep", "name: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "s.yaml:1: lists and maps nested more than 10000 deep"},
		{"maps nested 12000 deep", "name: " + strings.Repeat("{a: ", 12000) + "1" + strings.Repeat("}", 12000) + "\n", "nested more than 10000 deep"},
		{"not UTF-8", "name: x\nseed: \xff\n", "s.yaml:2:7: byte 0xFF is not UTF-8 text"},
		{"NUL", "name: x\x00\n", "s.yaml:1:8: a NUL byte"},
		{"C1 control (NEL, a line break to the parser)", "name: \u0085x\nseed: 1\n", "s.yaml:1:7: control character U+0085"},
		{"CRLF line ends", "name: x\r\nhorizon: [1d\r\n", "s.yaml:2:10: a list opened with [ is not closed"},
		{"UTF-16 cut short", "\xff\xfen\x00a\x00m\x00e\x00:\x00 \x00x", "s.yaml:1: the file is UTF-16 text that is cut short or damaged"},
	} {
		_, err := Parse("s.yaml", []byte(tc.src), nil)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q does not say %q", tc.name, msg, tc.want)
		}
		var list *ErrorList
		if !errors.As(err, &list) {
			t.Errorf("%s: %T, want an *ErrorList", tc.name, err)
			continue
		}
		for _, e := range *list {
			for _, j := range yamlJargon {
				if strings.Contains(e.Msg, j) {
					t.Errorf("%s: %q holds the parser's jargon %q", tc.name, e.Msg, j)
				}
			}
		}
	}
}

// TestYAMLJargonNeverLeaks: every message of the parser this package has
// met, fed to explainYAML directly (so also those no small input reaches),
// comes out in words.
func TestYAMLJargonNeverLeaks(t *testing.T) {
	for _, raw := range []string{
		"did not find expected ',' or ']'", "did not find expected ',' or '}'", "found unexpected end of stream",
		"found a tab character that violates indentation", "found a tab character where an indentation space is expected",
		"found character that cannot start any token", "mapping values are not allowed in this context",
		"did not find expected key", "did not find expected node content", "did not find expected '-' indicator",
		"block sequence entries are not allowed in this context", "could not find expected ':'",
		"found unknown escape character", "did not find expected hexdecimal number", "found invalid Unicode character escape code",
		"unknown anchor 'x' referenced", "did not find expected alphabetic or numeric character",
		"found unexpected non-alphabetical character", "exceeded max depth of 10000", "did not find expected <document start>",
		"found unexpected document indicator", "found an indentation indicator equal to 0",
		"did not find expected comment or line break", "did not find expected whitespace or line break", "did not find expected whitespace",
		"found unknown directive name", "could not find expected directive name", "found duplicate %YAML directive",
		"found duplicate %TAG directive", "found incompatible YAML document", "did not find expected version number",
		"found extremely long version number", "did not find expected digit or '.' character", "found undefined tag handle",
		"did not find expected tag URI", "did not find the expected '>'", "did not find expected '!'", "did not find URI escaped octet",
		"incomplete UTF-16 character", "incomplete UTF-16 surrogate pair", "expected low surrogate area",
		"invalid leading UTF-8 octet", "invalid trailing UTF-8 octet", "incomplete UTF-8 octet sequence",
		"invalid length of a UTF-8 sequence", "invalid Unicode character", "control characters are not allowed",
		"found an incorrect leading UTF-8 octet", "found an incorrect trailing UTF-8 octet",
		"did not find expected <stream-start>", "invalid parser state", "some message of a newer parser",
	} {
		for _, text := range []string{"yaml: line 3: " + raw, "yaml: " + raw} {
			p := explainYAML([]byte("a: 1\nb: 2\nc: [x, *x\n"), text)
			if p.msg == "" || p.line == 0 {
				t.Errorf("%q: no message or no line: %+v", text, p)
			}
			for _, j := range yamlJargon {
				if strings.Contains(p.msg, j) {
					t.Errorf("%q gives %q, with the parser's jargon %q", text, p.msg, j)
				}
			}
		}
	}
}
