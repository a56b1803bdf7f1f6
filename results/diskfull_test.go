package results

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// fullWriter fails with ENOSPC once n bytes are written across all files.
type fullWriter struct {
	w    io.Writer
	left *int
}

func (f fullWriter) Write(p []byte) (int, error) {
	if len(p) > *f.left {
		n, _ := f.w.Write(p[:*f.left])
		*f.left = 0
		return n, &os.PathError{Op: "write", Path: "disk", Err: syscall.ENOSPC}
	}
	*f.left -= len(p)
	return f.w.Write(p)
}

// TestWriteFilesDiskFull: a disk that fills up at any point of writing a
// result set (every budget from 0 bytes to the whole set) leaves no
// manifest that says complete, and no half-written file under a final name.
func TestWriteFilesDiskFull(t *testing.T) {
	r := fixtureReport(t)
	write := func(dir string) error {
		if err := BeginOutput(dir); err != nil {
			return err
		}
		if err := r.WriteFiles(dir); err != nil {
			return err
		}
		return WriteManifest(dir, NewManifest("run", []ManifestInput{{File: "s.yaml", SHA256: "00"}}, nil, nil))
	}
	full := t.TempDir()
	if err := write(full); err != nil {
		t.Fatal(err)
	}
	var total int64
	filepath.Walk(full, func(_ string, fi os.FileInfo, _ error) error {
		if fi.Mode().IsRegular() {
			total += fi.Size()
		}
		return nil
	})
	defer func() { writeHook = nil }()
	for budget := 0; budget < int(total); budget += max(1, int(total)/40) {
		dir := t.TempDir()
		// An earlier complete set in the folder: its manifest must go.
		if err := write(dir); err != nil {
			t.Fatal(err)
		}
		left := budget
		writeHook = func(_ string, w io.Writer) io.Writer { return fullWriter{w, &left} }
		err := write(dir)
		writeHook = nil
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("budget %d of %d bytes: error %v, want no space left", budget, total, err)
		}
		if m, err := ReadManifest(dir); err == nil && m.Complete {
			t.Errorf("budget %d: a manifest says complete after the disk filled up", budget)
		}
	}
}
