package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"pilotsim/internal/safefile"
)

// This file turns the YAML parser's messages into words an analyst can act
// on, with the line and column of the problem ("did not find expected ','
// or ']'" becomes "a list opened with [ at column 10 is not closed"), and
// finds what the parser reports without a place: bytes that are not UTF-8
// text, binary content, an alias with no anchor.

// textProblem reports the first place where data is not YAML text: a byte
// that is not UTF-8, a NUL or another control character. ok is false when
// there is none. A file starting with a UTF-16 byte order mark is left to
// the parser, which reads UTF-16.
func textProblem(data []byte) (line, col int, msg string, bad bool) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return 0, 0, "", false
	}
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, fmt.Sprintf("byte 0x%02X is not UTF-8 text: save the file as UTF-8", data[i]), true
		case r == 0:
			return line, col, "a NUL byte: this looks like a binary file, not YAML text", true
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t', r == 0x7F, r >= 0x80 && r <= 0x9F:
			// C1 controls too: the parser takes U+0085 for a line break,
			// which would put every later line number off by one.
			return line, col, fmt.Sprintf("control character U+%04X: a YAML file is text; is this a binary file?", r), true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0, "", false
}

// emptyItemRE finds an empty item of a flow list or map: a comma followed
// by another comma or a closing bracket.
var emptyItemRE = regexp.MustCompile(`,\s*[,\]}]`)

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlProblem is a parser message in words, at a place.
type yamlProblem struct {
	line, col int
	msg       string
}

// explainYAML turns the parser's error text into a yamlProblem, finding the
// line and column in data where the parser gives none.
func explainYAML(data []byte, text string) yamlProblem {
	line, raw := 0, strings.TrimPrefix(text, "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(text); m != nil {
		line, _ = strconv.Atoi(m[1])
		raw = m[2]
		if strings.HasPrefix(raw, "did not find expected") || strings.HasPrefix(raw, "found duplicate") ||
			strings.HasPrefix(raw, "found incompatible") || strings.HasPrefix(raw, "found undefined") {
			// yaml.v3 counts lines from 0 in parser (not scanner) errors.
			line++
		}
	} else if !strings.HasPrefix(raw, "unknown anchor") {
		// yaml.v3 leaves out the line when it is the first.
		line = 1
	}
	lines := strings.Split(string(data), "\n")
	lineText := func(n int) string {
		if n >= 1 && n <= len(lines) {
			return strings.TrimSuffix(lines[n-1], "\r")
		}
		return ""
	}
	// colOf is the 1-based column (in characters) of the first of chars on
	// line n, or 0.
	colOf := func(n int, chars string) int {
		s := lineText(n)
		if i := strings.IndexAny(s, chars); i >= 0 {
			return utf8.RuneCountInString(s[:i]) + 1
		}
		return 0
	}
	p := yamlProblem{line: line}
	switch {
	case strings.HasPrefix(raw, "did not find expected ',' or ']'"):
		if l, c, ok := unclosed(data, '['); ok {
			return yamlProblem{l, c, "a list opened with [ is not closed (or two of its items lack a comma between them)"}
		}
		p.msg = "a list [ … ] is not closed, or two of its items lack a comma between them"
	case strings.HasPrefix(raw, "did not find expected ',' or '}'"):
		if l, c, ok := unclosed(data, '{'); ok {
			return yamlProblem{l, c, "a map opened with { is not closed (or two of its entries lack a comma between them)"}
		}
		p.msg = "a map { … } is not closed, or two of its entries lack a comma between them"
	case strings.HasPrefix(raw, "found unexpected end of stream"):
		if l, c, q, ok := unclosedQuote(data); ok {
			return yamlProblem{l, c, fmt.Sprintf("a string opened with %c is not closed", q)}
		}
		p.msg = "the file ends inside a quoted string or a bracket"
	case strings.HasPrefix(raw, "found a tab character"), strings.Contains(raw, "tab character"):
		p.col = colOf(line, "\t")
		p.msg = "a tab in the indentation; YAML indents with spaces only"
	case strings.HasPrefix(raw, "found character that cannot start any token"):
		p.col = colOf(line, "@`\t%")
		if c := p.col; c > 0 && []rune(lineText(line))[c-1] == '\t' {
			p.msg = "a tab in the indentation; YAML indents with spaces only"
		} else {
			p.msg = "a value cannot start with this character (@, ` or %); put the value in quotes"
		}
	case strings.HasPrefix(raw, "mapping values are not allowed"):
		s := lineText(line)
		if i := strings.Index(s, ": "); i >= 0 {
			if j := strings.Index(s[i+2:], ": "); j >= 0 {
				p.col = utf8.RuneCountInString(s[:i+2+j]) + 1
			} else {
				p.col = utf8.RuneCountInString(s[:i]) + 1
			}
		}
		p.msg = "a colon where no key can start: check the indentation of this line, or put a value holding ': ' in quotes"
	case strings.HasPrefix(raw, "did not find expected key"):
		p.col = firstCol(lineText(line))
		p.msg = "a key (name: value) was expected here: check the indentation of this line against the lines above"
	case strings.HasPrefix(raw, "did not find expected node content"):
		if m := emptyItemRE.FindStringIndex(lineText(line)); m != nil {
			p.col = utf8.RuneCountInString(lineText(line)[:m[1]-1]) + 1
		}
		p.msg = "a value was expected on this line (two commas in a row, a comma or colon with nothing after it, or a - inside [ ]?)"
	case strings.HasPrefix(raw, "did not find expected '-' indicator"):
		p.col = firstCol(lineText(line))
		p.msg = "a list item (- …) was expected here: check the indentation of this line against the items above"
	case strings.HasPrefix(raw, "block sequence entries are not allowed"):
		p.col = colOf(line, "-")
		p.msg = "a list item (- …) where a value was expected: check the indentation, or start the list on the next line"
	case strings.HasPrefix(raw, "could not find expected ':'"):
		p.col = firstCol(lineText(line))
		p.msg = "a key without ':' after it (write name: value), or a line that belongs to the value above and needs quotes or more indentation"
	case strings.HasPrefix(raw, "found unknown escape character"):
		p.col = colOf(line, "\\")
		p.msg = `an unknown escape (\…) in a double-quoted string; use single quotes, or write \\ for a backslash`
	case strings.HasPrefix(raw, "did not find expected hexdecimal number"), strings.HasPrefix(raw, "found invalid Unicode character escape code"):
		p.col = colOf(line, "\\")
		p.msg = `an escape \x, \u or \U in a double-quoted string needs hexadecimal digits (\u00e9); write the character itself, or use single quotes`
	case strings.HasPrefix(raw, "unknown anchor"):
		name := strings.TrimSuffix(strings.TrimPrefix(raw, "unknown anchor '"), "' referenced")
		for i := range lines {
			if c := strings.Index(lines[i], "*"+name); c >= 0 {
				p.line, p.col = i+1, utf8.RuneCountInString(lines[i][:c])+1
				break
			}
		}
		p.msg = fmt.Sprintf("the alias *%s names no anchor &%s above it", name, name)
	case strings.HasPrefix(raw, "did not find expected alphabetic or numeric character"), strings.HasPrefix(raw, "found unexpected non-alphabetical character"):
		p.col = colOf(line, "&*!%")
		p.msg = "&, * and ! start an anchor, an alias or a tag and need a name of letters and digits after them; put a value starting with &, * or ! in quotes"
	case strings.HasPrefix(raw, "exceeded max depth"):
		p.msg = "lists and maps nested more than 10000 deep: this is not a scenario"
	case strings.HasPrefix(raw, "did not find expected <document start>"):
		p.col = firstCol(lineText(line))
		p.msg = "more content after the document has ended: check the indentation of this line, and that no line above is '...' or a value on its own"
	case strings.HasPrefix(raw, "found unexpected document indicator"):
		p.msg = "--- or ... at the start of a line inside a quoted string: close the quote before it"
	case strings.HasPrefix(raw, "found an indentation indicator equal to 0"):
		p.col = colOf(line, "|>")
		p.msg = "a block of text (| or >) with indentation 0: leave out the digit, or give 1 to 9"
	case strings.HasPrefix(raw, "did not find expected comment or line break"):
		p.col = colOf(line, "|>%")
		p.msg = "characters after | or > (a block of text starts on the next line) or after a % directive; put the value in quotes"
	case strings.HasPrefix(raw, "did not find expected whitespace"):
		p.msg = "something follows an anchor (&name), a tag (!name) or --- without a space"
	case strings.HasPrefix(raw, "found unknown directive name"), strings.HasPrefix(raw, "could not find expected directive name"),
		strings.HasPrefix(raw, "found duplicate %YAML directive"), strings.HasPrefix(raw, "found duplicate %TAG directive"),
		strings.HasPrefix(raw, "found incompatible YAML document"), strings.HasPrefix(raw, "did not find expected version number"),
		strings.HasPrefix(raw, "found extremely long version number"), strings.HasPrefix(raw, "did not find expected digit or '.' character"):
		p.col = 1
		p.msg = "a line starting with % is a YAML directive that pilotsim does not read (scenario files need none): remove it, or quote a value starting with %"
	case strings.HasPrefix(raw, "found undefined tag handle"), strings.HasPrefix(raw, "did not find expected tag URI"),
		strings.HasPrefix(raw, "did not find the expected '>'"), strings.HasPrefix(raw, "did not find expected '!'"),
		strings.HasPrefix(raw, "did not find URI escaped octet"):
		p.col = colOf(line, "!")
		p.msg = "a value starting with ! is a YAML tag, which scenario files do not use: put the value in quotes"
	case strings.Contains(raw, "UTF-16"), strings.Contains(raw, "low surrogate"):
		p.msg = "the file is UTF-16 text that is cut short or damaged: save it as UTF-8"
	case strings.Contains(raw, "UTF-8"), strings.Contains(raw, "Unicode character"), strings.Contains(raw, "control characters"):
		p.msg = "the file is not UTF-8 text here: save it as UTF-8"
	default:
		// A message this file does not know (a newer parser): no jargon,
		// the place and what to look at.
		p.col = firstCol(lineText(line))
		p.msg = "this line cannot be read as YAML: check its indentation, quotes and brackets, and those of the line above"
	}
	return p
}

// firstCol is the 1-based column (in characters) of the first character of
// s that is not a space, or 0 for a blank line.
func firstCol(s string) int {
	for i, r := range s {
		if r != ' ' {
			return utf8.RuneCountInString(s[:i]) + 1
		}
	}
	return 0
}

// unclosed finds the innermost flow collection opened with open ([ or {)
// that is not closed, skipping comments and quoted strings; it returns its
// 1-based line and column.
func unclosed(data []byte, open byte) (line, col int, ok bool) {
	type mark struct {
		c         byte
		line, col int
	}
	var stack []mark
	var last *mark
	line, col = 1, 0
	var quote byte
	comment := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line, col, comment = line+1, 0, false
			continue
		}
		if c&0xC0 != 0x80 {
			col++
		}
		switch {
		case comment:
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t'):
			comment = true
		case c == '"' || c == '\'':
			if i == 0 || strings.IndexByte(" \t[{,:-", data[i-1]) >= 0 {
				quote = c
			}
		case c == '[' || c == '{':
			stack = append(stack, mark{c, line, col})
		case c == ']' || c == '}':
			if n := len(stack); n > 0 {
				stack = stack[:n-1]
			}
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].c == open {
			last = &stack[i]
			break
		}
	}
	if last == nil {
		return 0, 0, false
	}
	return last.line, last.col, true
}

// unclosedQuote finds a quoted string that is never closed: its line,
// column and quote character.
func unclosedQuote(data []byte) (line, col int, q byte, ok bool) {
	l, c := 1, 0
	var quote byte
	var ql, qc int
	comment := false
	for i := 0; i < len(data); i++ {
		ch := data[i]
		if ch == '\n' {
			l, c, comment = l+1, 0, false
			continue
		}
		if ch&0xC0 != 0x80 {
			c++
		}
		switch {
		case comment:
		case quote != 0:
			if ch == '\\' && quote == '"' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t'):
			comment = true
		case ch == '"' || ch == '\'':
			if i == 0 || strings.IndexByte(" \t[{,:-", data[i-1]) >= 0 {
				quote, ql, qc = ch, l, c
			}
		}
	}
	if quote == 0 {
		return 0, 0, 0, false
	}
	return ql, qc, quote, true
}

// ExplainYAML turns an error of the YAML package (go.yaml.in/yaml/v3) met
// while decoding data, a YAML file other than a scenario (a backtest
// mapping), into words with the line and column: "NAME:2:10: a list opened
// with [ is not closed", "NAME:4: unknown field \"colour\"", "NAME:7: want
// a whole number, got \"abc\"". Bytes that are not text are named at the
// byte. Any other error is returned as it is, after NAME.
func ExplainYAML(name string, data []byte, err error) error {
	if line, col, msg, bad := textProblem(data); bad {
		return fmt.Errorf("%s:%d:%d: %s", name, line, col, msg)
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, 0, len(te.Errors))
		for _, e := range te.Errors {
			msgs = append(msgs, name+":"+explainTypeError(e))
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	text := err.Error()
	if !strings.HasPrefix(text, "yaml: ") {
		return fmt.Errorf("%s: %w", name, err)
	}
	p := explainYAML(data, text)
	switch {
	case p.col > 0:
		return fmt.Errorf("%s:%d:%d: %s", name, p.line, p.col, p.msg)
	case p.line > 0:
		return fmt.Errorf("%s:%d: %s", name, p.line, p.msg)
	}
	return fmt.Errorf("%s: %s", name, p.msg)
}

var (
	typeLineRE     = regexp.MustCompile(`^line (\d+): (.*)$`)
	typeFieldRE    = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	typeUnmarshaRE = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (.+)$")
	typeKindRE     = regexp.MustCompile(`^cannot unmarshal !!(\w+) into (.+)$`)
	typeDupRE      = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// explainTypeError puts one message of a yaml.TypeError in words: "LINE:
// what".
func explainTypeError(e string) string {
	line := "1"
	if m := typeLineRE.FindStringSubmatch(e); m != nil {
		line, e = m[1], m[2]
	}
	want := func(goType string) string {
		switch {
		case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
			return "a whole number"
		case strings.HasPrefix(goType, "float"):
			return "a number"
		case goType == "bool":
			return "true or false"
		case goType == "string":
			return "text"
		case strings.HasPrefix(goType, "[]"):
			return "a list"
		}
		return "a mapping (key: value)"
	}
	got := func(tag, value string) string {
		switch tag {
		case "seq":
			return "a list"
		case "map":
			return "a mapping"
		case "null":
			return "nothing"
		}
		return safefile.Clip(strconv.Quote(value), 80)
	}
	switch {
	case typeFieldRE.MatchString(e):
		return fmt.Sprintf("%s: unknown field %q", line, typeFieldRE.FindStringSubmatch(e)[1])
	case typeUnmarshaRE.MatchString(e):
		m := typeUnmarshaRE.FindStringSubmatch(e)
		return fmt.Sprintf("%s: want %s, got %s", line, want(m[3]), got(m[1], m[2]))
	case typeKindRE.MatchString(e):
		m := typeKindRE.FindStringSubmatch(e)
		return fmt.Sprintf("%s: want %s, got %s", line, want(m[2]), got(m[1], ""))
	case typeDupRE.MatchString(e):
		m := typeDupRE.FindStringSubmatch(e)
		return fmt.Sprintf("%s: key %q given twice (first at line %s)", line, m[1], m[2])
	}
	return fmt.Sprintf("%s: this value does not fit here", line)
}
