package datamodel

import (
	"fmt"
	"io"
)

// MaxRecordBytes is the longest CSV record (one row, quoted line breaks
// included) a reader accepts: a declaration row is a few hundred bytes, and
// a bound keeps a file with a 1 GB line (or a small .csv.gz that unpacks to
// one) from filling memory.
const MaxRecordBytes = 1 << 20

// RecordTooLongError is a CSV record longer than the reader's bound.
type RecordTooLongError struct {
	Line  int // the physical line (1-based) where the record starts
	Limit int
}

func (e *RecordTooLongError) Error() string {
	return fmt.Sprintf("line %d: a row longer than %d bytes (a row holds one consignment; is a quote left open, or is this not a CSV file?)", e.Line, e.Limit)
}

// LimitRecords returns a reader of r that fails with a *RecordTooLongError
// once a CSV record (the bytes between two line breaks outside double
// quotes) grows past limit bytes. It reads CSV with " as the quote
// character, as encoding/csv does: a doubled "" inside quotes toggles twice,
// so the count stays right.
func LimitRecords(r io.Reader, limit int) io.Reader {
	return &recordLimiter{r: r, limit: limit, line: 1, start: 1}
}

type recordLimiter struct {
	r      io.Reader
	limit  int
	n      int  // bytes of the current record so far
	quoted bool // inside a quoted field
	line   int  // current physical line
	start  int  // line where the current record started
	err    error
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		switch p[i] {
		case '"':
			l.quoted = !l.quoted
		case '\n':
			l.line++
			if !l.quoted {
				l.n = 0
				l.start = l.line
				continue
			}
		}
		l.n++
		if l.n > l.limit {
			l.err = &RecordTooLongError{Line: l.start, Limit: l.limit}
			// Hand over what came before the record in p, so rows before
			// it are read (and reported) as usual; the error comes next.
			if k := i + 1 - l.n; k > 0 {
				return k, nil
			}
			return 0, l.err
		}
	}
	return n, err
}
