package results

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// TraceFiles gathers a CSV trace written by replications running
// concurrently: each replication writes its own part (a complete CSV file with
// the same header) into a temporary directory beside the final file, and
// Commit joins the parts in replication order under one header, atomically.
// The result is the same for any number of workers and any order in which
// replications finish.
type TraceFiles struct {
	path   string // the final file
	dir    string // temporary directory of the parts
	header []byte // the header line every part starts with

	// Gzip compresses the final file (gzip, no name or time in its header,
	// so the same trace gives the same bytes); the parts stay plain.
	Gzip bool
	// Parquet writes the final file as Parquet (typed columns, nulls for
	// empty cells) instead of CSV.
	Parquet bool
}

// NewTraceFiles prepares a trace that Commit will write to path (whose
// directory must exist) with the given CSV header.
func NewTraceFiles(path string, header []string) (*TraceFiles, error) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(header)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("trace %s: header: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.MkdirTemp(dir, "."+base+".parts-*")
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", path, err)
	}
	return &TraceFiles{path: path, dir: tmp, header: b.Bytes()}, nil
}

func (t *TraceFiles) partPath(rep int) string {
	return filepath.Join(t.dir, fmt.Sprintf("rep-%06d.csv", rep))
}

// Part creates the part of replication rep, into which a complete CSV file is
// written: the header given to NewTraceFiles, then the rows. Parts of
// different replications may be written concurrently; one part must not be
// shared between goroutines.
func (t *TraceFiles) Part(rep int) (*TracePart, error) {
	f, err := os.Create(t.partPath(rep))
	if err != nil {
		return nil, fmt.Errorf("trace %s: replication %d: %w", t.path, rep, err)
	}
	return &TracePart{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// Commit writes the final file: the header, then the rows of the parts of
// reps in the order given (normally increasing replication numbers), and
// removes the temporary parts. A part that is missing or does not start with
// the header is an error, and then no file is written.
func (t *TraceFiles) Commit(reps []int) error {
	err := WriteFileAtomic(t.path, func(out io.Writer) error {
		if t.Parquet {
			return t.writeTraceParquet(out, reps)
		}
		w := out
		var zw *gzip.Writer
		if t.Gzip {
			zw = gzip.NewWriter(out)
			w = zw
		}
		if _, err := w.Write(t.header); err != nil {
			return err
		}
		for _, rep := range reps {
			if err := t.copyPart(w, rep); err != nil {
				return fmt.Errorf("replication %d: %w", rep, err)
			}
		}
		if zw != nil {
			return zw.Close()
		}
		return nil
	})
	if rerr := t.Discard(); err == nil {
		err = rerr
	}
	return err
}

// copyPart copies the rows of rep's part (all but its header) to w.
func (t *TraceFiles) copyPart(w io.Writer, rep int) error {
	f, err := os.Open(t.partPath(rep))
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	head := make([]byte, len(t.header))
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head, t.header) {
		return fmt.Errorf("part %s does not start with the trace header", f.Name())
	}
	_, err = io.Copy(w, r)
	return err
}

// Discard removes the temporary parts without writing the final file.
func (t *TraceFiles) Discard() error { return os.RemoveAll(t.dir) }

// TracePart is one replication's part of a trace.
type TracePart struct {
	f *os.File
	w *bufio.Writer
}

// Write implements io.Writer (buffered).
func (p *TracePart) Write(b []byte) (int, error) { return p.w.Write(b) }

// Close flushes and closes the part.
func (p *TracePart) Close() error {
	err := p.w.Flush()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}
