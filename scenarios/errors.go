package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"pilotsim/internal/safefile"
)

// Error is one problem in a scenario: where it is and what was expected.
type Error struct {
	File   string // the file name as given to Load or Parse
	Line   int    // 1-based line of the offending value; 0 when unknown or from --set
	Column int    // 1-based column; 0 when unknown
	// Set is the path of the --set override the value came from ("" when it
	// came from the file).
	Set  string
	Path string // field path, e.g. threats[2].prevalence; "" for the whole file
	Msg  string // what is wrong and what was expected

	setOrder int // place of the --set on the command line, for sorting
}

// Error formats the problem as FILE:LINE:COLUMN: PATH: MSG, or
// FILE: --set SET: PATH: MSG for a value given on the command line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Set != "":
		b.WriteString(": --set ")
		b.WriteString(safefile.Clip(e.Set, maxEcho))
	case e.Line > 0 && e.Column > 0:
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Path != "" && e.Path != e.Set {
		b.WriteString(": ")
		b.WriteString(safefile.Clip(e.Path, maxEcho))
	}
	b.WriteString(": ")
	b.WriteString(safefile.Clip(e.Msg, 8*maxEcho))
	return b.String()
}

// maxEcho is the most bytes of a path or --set an error message repeats: a
// huge value is cut and its length given instead.
const maxEcho = 160

// ErrorList is every problem found in a scenario, in file order (problems in
// --set values last). Load and Parse return it as their error.
type ErrorList []*Error

// Error prints one problem per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// sort orders the list by position: file problems by line and column, then
// --set problems in the order the overrides were given. The sort is stable, so problems at the
// same place keep the order they were found in.
func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		ka, kb := a.Set != "", b.Set != ""
		if ka != kb {
			if ka {
				return 1
			}
			return -1
		}
		if ka {
			return cmp.Compare(a.setOrder, b.setOrder)
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
