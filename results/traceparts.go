package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// TraceFiles gathers a CSV trace written by replications running
// concurrently: each replication writes its own part (no header) into a
// temporary directory beside the final file, and Commit joins the parts in
// replication order under one header, atomically. The result is the same for
// any number of workers and any order in which replications finish.
type TraceFiles struct {
	path   string   // the final file
	dir    string   // temporary directory of the parts
	header []string // CSV header written once by Commit
}

// NewTraceFiles prepares a trace that Commit will write to path (whose
// directory must exist) with the given CSV header.
func NewTraceFiles(path string, header []string) (*TraceFiles, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.MkdirTemp(dir, "."+base+".parts-*")
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", path, err)
	}
	return &TraceFiles{path: path, dir: tmp, header: header}, nil
}

func (t *TraceFiles) partPath(rep int) string {
	return filepath.Join(t.dir, fmt.Sprintf("rep-%06d.csv", rep))
}

// Part creates the part of replication rep. Parts of different replications
// may be written concurrently; one part must not be shared between goroutines.
func (t *TraceFiles) Part(rep int) (*TracePart, error) {
	f, err := os.Create(t.partPath(rep))
	if err != nil {
		return nil, fmt.Errorf("trace %s: replication %d: %w", t.path, rep, err)
	}
	return &TracePart{f: f, w: csv.NewWriter(f)}, nil
}

// Commit writes the final file: the header, then the parts of reps in the
// order given (normally increasing replication numbers), and removes the
// temporary parts. A part that was never created is an error.
func (t *TraceFiles) Commit(reps []int) error {
	err := WriteFileAtomic(t.path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(t.header); err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		for _, rep := range reps {
			f, err := os.Open(t.partPath(rep))
			if err != nil {
				return fmt.Errorf("replication %d: %w", rep, err)
			}
			_, err = io.Copy(w, f)
			f.Close()
			if err != nil {
				return fmt.Errorf("replication %d: %w", rep, err)
			}
		}
		return nil
	})
	if rerr := t.Discard(); err == nil {
		err = rerr
	}
	return err
}

// Discard removes the temporary parts without writing the final file.
func (t *TraceFiles) Discard() error { return os.RemoveAll(t.dir) }

// TracePart is one replication's part of a trace: CSV records without header.
type TracePart struct {
	f *os.File
	w *csv.Writer
}

// Write adds one record.
func (p *TracePart) Write(record []string) error { return p.w.Write(record) }

// Close flushes and closes the part.
func (p *TracePart) Close() error {
	p.w.Flush()
	err := p.w.Error()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}
