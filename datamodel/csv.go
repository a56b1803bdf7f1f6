package datamodel

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A declarations CSV file has a header line naming its columns (see Columns)
// and one consignment per row. The header may name the columns in any order
// and leave out optional ones; columns it names that are not part of the
// record are kept aside (Reader.Unknown, Reader.Extra). Lists are separated by
// ';', times are RFC 3339, yes/no fields are "yes" or "no".
//
// Reading and writing go through encoding/csv with a table of columns rather
// than gocsv's reflection: gocsv spends about 4 µs and 41 allocations on each
// row of 38 text columns before any check (BenchmarkGocsvBaseline), which
// alone would cap a reader below 250,000 rows/s. The code types (Country,
// HSCode, Mode, Controls, Result) implement encoding.TextMarshaler and
// encoding.TextUnmarshaler, so they work as fields of gocsv records too.

// HeaderError reports a header line that does not name the columns needed.
// A Reader cannot go on after it.
type HeaderError struct {
	Problem   string   // a problem with the line itself (empty file, bad CSV), or ""
	Missing   []string // required columns the header does not name
	Duplicate []string // columns named more than once
}

func (e *HeaderError) Error() string { return "line 1: " + e.Message() }

// Message is the error without its position: "header: … (want …)".
func (e *HeaderError) Message() string {
	var parts []string
	if e.Problem != "" {
		parts = append(parts, e.Problem)
	}
	if len(e.Missing) > 0 {
		parts = append(parts, "missing required column(s) "+strings.Join(e.Missing, ", "))
	}
	if len(e.Duplicate) > 0 {
		parts = append(parts, "column(s) named twice: "+strings.Join(e.Duplicate, ", "))
	}
	return "header: " + strings.Join(parts, "; ") +
		" (want a first line naming the columns, at least " + strings.Join(requiredNames(), ",") + ")"
}

func requiredNames() []string {
	var out []string
	for _, c := range columns {
		if c.Required {
			out = append(out, c.Name)
		}
	}
	return out
}

const expCSV = "RFC 4180 CSV: a value with a comma, quote or line break in double quotes, quotes doubled"

// Reader reads consignments from a declarations CSV file one row at a time,
// in constant memory.
type Reader struct {
	cr         *csv.Reader
	header     []string
	byFile     []colID      // file column → record column (colUnknown if none)
	byCol      [numCols]int // record column → file column, -1 if absent
	unknownIdx []int        // file columns not in the record
	extra      []string     // their values in the current row
	raw        [numCols]string
	rec        Consignment
	row, line  int
	pos        func(colID) (int, int)
}

// NewReader reads the header line from r and returns a Reader for the rows.
// The header names are matched without regard to case or surrounding spaces,
// and a UTF-8 byte-order mark is ignored. A header that lacks a required
// column or names one twice gives a *HeaderError.
func NewReader(r io.Reader) (*Reader, error) {
	cr := csv.NewReader(LimitRecords(r, MaxRecordBytes))
	cr.FieldsPerRecord = -1 // counted by Next, to report it with the row
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &HeaderError{Problem: "the file is empty"}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, &HeaderError{Problem: "not CSV: " + pe.Err.Error()}
	}
	if err != nil {
		return nil, err
	}
	rd := &Reader{cr: cr, header: make([]string, len(head)), byFile: make([]colID, len(head))}
	for i := range rd.byCol {
		rd.byCol[i] = -1
	}
	he := &HeaderError{}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		rd.header[i] = h
		id := lookupColumn(strings.ToLower(strings.TrimSpace(h)))
		rd.byFile[i] = id
		switch {
		case id == colUnknown:
			rd.unknownIdx = append(rd.unknownIdx, i)
		case rd.byCol[id] >= 0:
			he.Duplicate = append(he.Duplicate, columns[id].Name)
		default:
			rd.byCol[id] = i
		}
	}
	for id, i := range rd.byCol {
		if i < 0 && columns[id].Required {
			he.Missing = append(he.Missing, columns[id].Name)
		}
	}
	if len(he.Missing) > 0 || len(he.Duplicate) > 0 {
		return nil, he
	}
	rd.extra = make([]string, len(rd.unknownIdx))
	rd.pos = rd.position
	return rd, nil
}

// Header returns the column names as the file gives them.
func (r *Reader) Header() []string { return r.header }

// Unknown returns the names of the file's columns that are not part of the
// record (for example the columns a simulator trace adds), in file order.
func (r *Reader) Unknown() []string {
	out := make([]string, len(r.unknownIdx))
	for k, i := range r.unknownIdx {
		out[k] = r.header[i]
	}
	return out
}

// Extra returns the current row's values of the Unknown columns. The slice is
// reused by the next call to Next.
func (r *Reader) Extra() []string { return r.extra }

// Row returns the number of data rows read so far, good or bad: after Next,
// the current row's number (the first row after the header is 1).
func (r *Reader) Row() int { return r.row }

// Line returns the line where the current row starts (the header is line 1).
func (r *Reader) Line() int { return r.line }

// Next reads the next row. It returns io.EOF after the last row. For a row
// with problems it returns no record and a *RowError listing all of them,
// and the Reader can go on to the next row; any other error (from the
// underlying reader) is final.
//
// The Consignment returned is reused by the next call to Next: its strings
// stay valid, but its slices are overwritten. Clone it to keep it.
func (r *Reader) Next() (*Consignment, error) {
	rec, err := r.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.row++
			r.line = pe.StartLine
			return nil, &RowError{Row: r.row, Line: pe.StartLine, Fields: []FieldError{{
				Line: pe.Line, Col: pe.Column, Problem: "row is not CSV: " + pe.Err.Error(), Expected: expCSV}}}
		}
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("after row %d: %w", r.row, err)
	}
	r.row++
	r.line, _ = r.cr.FieldPos(0)
	if len(rec) != len(r.header) {
		return nil, &RowError{Row: r.row, Line: r.line, Fields: []FieldError{{
			Line: r.line, Col: 1, Problem: "row has " + strconv.Itoa(len(rec)) + " fields",
			Expected: strconv.Itoa(len(r.header)) + " fields, one per header column"}}}
	}
	c := &r.rec
	c.Reset()
	var errs []FieldError
	var bad uint64
	for i, s := range rec {
		id := r.byFile[i]
		if id == colUnknown {
			continue
		}
		r.raw[id] = s
		if p := parseField(c, id, s); p.msg != "" {
			bad |= 1 << id
			errs = append(errs, r.fieldError(i, id, s, p))
		}
	}
	for k, i := range r.unknownIdx {
		r.extra[k] = rec[i]
	}
	errs = checkRecord(c, &r.raw, bad, errs, r.pos)
	if errs != nil {
		return nil, &RowError{Row: r.row, Line: r.line, Fields: errs}
	}
	return c, nil
}

func (r *Reader) fieldError(i int, id colID, s string, p problem) FieldError {
	line, col := r.cr.FieldPos(i)
	fe := FieldError{Line: line, Col: col, Column: columns[id].Name, Value: s, Problem: p.msg, Expected: columns[id].Expected}
	if p.item > 0 {
		fe.Item, fe.Value = p.item, p.value
	}
	return fe
}

// position returns where column id of the current row starts; the start of
// the row when the file has no such column.
func (r *Reader) position(id colID) (int, int) {
	if i := r.byCol[id]; i >= 0 {
		return r.cr.FieldPos(i)
	}
	return r.line, 1
}

// Writer writes consignments as a declarations CSV file: a header with the
// record's columns (Columns) and any extra columns, then one row per record.
// It buffers; call Flush at the end.
type Writer struct {
	cw     *csv.Writer
	nExtra int
	buf    []byte
	f      [numCols]string
	row    []string
}

// NewWriter returns a Writer to w whose header names the record's columns
// followed by the extra columns, for example a simulator trace's "score",
// "lane". An extra name may not repeat a column name or another extra.
func NewWriter(w io.Writer, extra ...string) (*Writer, error) {
	head := ColumnNames()
	seen := make(map[string]bool, len(head)+len(extra))
	for _, h := range head {
		seen[h] = true
	}
	for _, x := range extra {
		n := strings.ToLower(strings.TrimSpace(x))
		if x == "" || seen[n] {
			return nil, fmt.Errorf("extra column %q: want a new, non-empty column name", x)
		}
		seen[n] = true
	}
	head = append(head, extra...)
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return nil, err
	}
	return &Writer{cw: cw, nExtra: len(extra), row: make([]string, len(head))}, nil
}

// Write writes c as one row; extra columns, if any, are left empty. It does
// not validate c (see Consignment.Validate): zero values are written as empty
// cells.
func (w *Writer) Write(c *Consignment) error { return w.WriteExtra(c, nil) }

// WriteExtra writes c and the values of the extra columns given to NewWriter:
// extra must hold one value per extra column, or be nil to leave them empty.
func (w *Writer) WriteExtra(c *Consignment, extra []string) error {
	if extra != nil && len(extra) != w.nExtra {
		return fmt.Errorf("writing %s: %d extra values for %d extra columns", c.UCR, len(extra), w.nExtra)
	}
	w.buf = c.format(w.buf, &w.f)
	copy(w.row, w.f[:])
	x := w.row[numCols:]
	if extra == nil {
		clear(x)
	} else {
		copy(x, extra)
	}
	return w.cw.Write(w.row)
}

// Flush writes any buffered rows to the underlying writer and returns the
// first error met while writing.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}
