package scenarios

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
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
			return line, col, fmt.Sprintf("byte 0x%02X is not UTF-8 text; a scenario is a text file: save it as UTF-8", data[i]), true
		case r == 0:
			return line, col, "a NUL byte: this looks like a binary file, not a YAML scenario", true
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t', r == 0x7F:
			return line, col, fmt.Sprintf("control character U+%04X: a scenario is a text file (YAML); is this a binary file?", r), true
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
		p.msg = "a value cannot start with this character (@, ` or a tab); put the value in quotes"
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
		p.msg = "a key (name: value) was expected here: check the indentation"
	case strings.HasPrefix(raw, "did not find expected node content"):
		p.msg = "a value was expected here"
	case strings.HasPrefix(raw, "did not find expected '-' indicator"):
		p.msg = "a list item (- …) was expected here: check the indentation"
	case strings.HasPrefix(raw, "block sequence entries are not allowed"):
		p.col = colOf(line, "-")
		p.msg = "a list item (- …) where a value was expected: check the indentation, or start the list on the next line"
	case strings.HasPrefix(raw, "could not find expected ':'"):
		p.msg = "a key without ':' after it"
	case strings.HasPrefix(raw, "found unknown escape character"):
		p.col = colOf(line, "\\")
		p.msg = `an unknown escape (\…) in a double-quoted string; use single quotes, or write \\ for a backslash`
	case strings.HasPrefix(raw, "unknown anchor"):
		name := strings.TrimSuffix(strings.TrimPrefix(raw, "unknown anchor '"), "' referenced")
		for i := range lines {
			if c := strings.Index(lines[i], "*"+name); c >= 0 {
				p.line, p.col = i+1, utf8.RuneCountInString(lines[i][:c])+1
				break
			}
		}
		p.msg = fmt.Sprintf("the alias *%s names no anchor &%s above it", name, name)
	default:
		p.msg = "invalid YAML: " + raw
	}
	return p
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
