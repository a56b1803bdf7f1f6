package backtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"io"
	"math/bits"
	"unsafe"

	"pilotsim/datamodel"
)

// csvReader reads RFC 4180 records as encoding/csv does with its defaults
// (no lazy quotes, no comment character, leading spaces kept, \r\n read as
// \n, empty lines skipped, every record as many fields as the first), but
// without a string per record: the fields of a record are views into a
// buffer that the next call to read overwrites. A record without quotes is
// split where it lies in the bufio buffer, without a copy.
//
// The views are strings made with unsafe.String so that the conversions
// and map look-ups of the reader take them as they are; whatever outlives
// the call to Next (a RowError's value, a cached field value) is cloned.
type csvReader struct {
	br      *bufio.Reader
	comma   byte
	numLine int // physical lines read so far
	nfield  int // fields of the first record; 0 before it

	// The bound on a record's bytes, as datamodel.LimitRecords counts them
	// (the bytes between two line breaks outside quotes, a quote toggling
	// in or out): recBytes so far of the record that starts on line recStart.
	limit    int
	recBytes int
	recStart int
	inQuote  bool
	hasQuote bool  // the line readLine returned last has a quote
	err      error // sticky: the record too long

	raw    []byte   // a line longer than the bufio buffer
	buf    []byte   // the unquoted fields of a quoted record
	ends   []int    // end of each field in buf
	fields []string // the current record
}

// csvError is a bad record: the line where it starts and what is wrong (the
// text of encoding/csv's errors, so messages stay as they were).
type csvError struct {
	line int
	err  error
	n    int // fields read, for csv.ErrFieldCount
}

func (e *csvError) Error() string { return e.err.Error() }

// newCSVReader reads r; a record of more than limit bytes is a
// *datamodel.RecordTooLongError, as datamodel.LimitRecords reports it.
func newCSVReader(r io.Reader, comma byte, limit int) *csvReader {
	return &csvReader{br: bufio.NewReaderSize(r, 64<<10), comma: comma, limit: limit, recStart: 1}
}

func (r *csvReader) tooLong() error {
	r.err = &datamodel.RecordTooLongError{Line: r.recStart, Limit: r.limit}
	return r.err
}

func (r *csvReader) readLine() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.raw = append(r.raw[:0], line...)
		for err == bufio.ErrBufferFull {
			if r.recBytes+len(r.raw) > r.limit {
				return nil, r.tooLong()
			}
			line, err = r.br.ReadSlice('\n')
			r.raw = append(r.raw, line...)
		}
		line = r.raw
	}
	n := len(line)
	// The bound, as LimitRecords counts.
	body := n
	nl := n > 0 && line[n-1] == '\n'
	if nl {
		body--
	}
	if r.recBytes+body > r.limit {
		return nil, r.tooLong()
	}
	nq := bytes.Count(line, quote)
	r.hasQuote = nq > 0
	if nq&1 == 1 {
		r.inQuote = !r.inQuote
	}
	switch {
	case nl && !r.inQuote:
		r.recBytes, r.recStart = 0, r.numLine+2
	case nl:
		r.recBytes += body + 1
		if r.recBytes > r.limit {
			return nil, r.tooLong()
		}
	default:
		r.recBytes += body
	}
	if n > 0 && err == io.EOF {
		err = nil
		if line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	r.numLine++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

var quote = []byte{'"'}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// read returns the next record and the line where it starts; io.EOF at the
// end, a *csvError for a bad record (the next call reads the next one), or
// the error of the underlying reader.
func (r *csvReader) read() ([]string, int, error) {
	var line []byte
	var err error
	for {
		line, err = r.readLine()
		if err == nil && len(line) == lengthNL(line) {
			continue // an empty line
		}
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, err
		}
		break
	}
	start := r.numLine
	r.fields = r.fields[:0]
	if !r.split(line) {
		if e := r.quoted(line, start); e != nil {
			if r.nfield == 0 { // as encoding/csv: the fields before the error count
				r.nfield = len(r.ends)
			}
			return nil, start, e
		}
	}
	if r.nfield == 0 {
		r.nfield = len(r.fields)
	} else if len(r.fields) != r.nfield {
		return r.fields, start, &csvError{line: start, err: csv.ErrFieldCount, n: len(r.fields)}
	}
	return r.fields, start, nil
}

// split splits a line without quotes (the line readLine returned last)
// into r.fields where it lies; false when the line has a quote. It looks for
// the delimiter eight bytes at a time.
func (r *csvReader) split(line []byte) bool {
	if r.hasQuote {
		return false
	}
	body := line[:len(line)-lengthNL(line)]
	const lo7 = 0x7f7f7f7f7f7f7f7f
	pat := uint64(r.comma) * 0x0101010101010101
	start, i := 0, 0
	for ; i+8 <= len(body); i += 8 {
		// m has the top bit of each byte equal to the delimiter set, and no
		// other bit (no carry crosses a byte).
		t := binary.LittleEndian.Uint64(body[i:]) ^ pat
		m := ^(((t & lo7) + lo7) | t | lo7)
		for m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			r.fields = append(r.fields, view(body[start:j]))
			start = j + 1
			m &= m - 1
		}
	}
	for ; i < len(body); i++ {
		if body[i] == r.comma {
			r.fields = append(r.fields, view(body[start:i]))
			start = i + 1
		}
	}
	r.fields = append(r.fields, view(body[start:]))
	return true
}

// quoted parses a record with quotes into r.buf, as encoding/csv's
// readRecord does.
func (r *csvReader) quoted(line []byte, start int) error {
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	var errRead error
field:
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, r.comma)
			f := line
			if i >= 0 {
				f = f[:i]
			} else {
				f = f[:len(f)-lengthNL(f)]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				return &csvError{line: start, err: csv.ErrBareQuote}
			}
			r.buf = append(r.buf, f...)
			r.ends = append(r.ends, len(r.buf))
			if i >= 0 {
				line = line[i+1:]
				continue field
			}
			break field
		}
		line = line[1:]
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.buf = append(r.buf, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					r.buf = append(r.buf, '"')
					line = line[1:]
				case len(line) > 0 && line[0] == r.comma:
					line = line[1:]
					r.ends = append(r.ends, len(r.buf))
					continue field
				case lengthNL(line) == len(line):
					r.ends = append(r.ends, len(r.buf))
					break field
				default:
					return &csvError{line: start, err: csv.ErrQuote}
				}
			case len(line) > 0:
				// The field goes on on the next line.
				r.buf = append(r.buf, line...)
				if errRead != nil {
					break field
				}
				line, errRead = r.readLine()
				if errRead == io.EOF {
					errRead = nil
				}
			default:
				if errRead == nil {
					return &csvError{line: start, err: csv.ErrQuote}
				}
				r.ends = append(r.ends, len(r.buf))
				break field
			}
		}
	}
	if errRead != nil {
		return errRead
	}
	prev := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, view(r.buf[prev:e]))
		prev = e
	}
	return nil
}
