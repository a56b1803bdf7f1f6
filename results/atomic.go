package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file through write: the content goes to a
// temporary file in the same directory, which is renamed to path only when
// write returned nil and the data is flushed and synced. On any error (or a
// panic in write) the temporary file is removed and path is left as it was, so
// a reader never sees a half-written file under the final name. Only a
// regular file is replaced: a folder, symlink, device or named pipe at path
// is refused.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := checkReplaceable(path); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var out io.Writer = f
	if writeHook != nil {
		out = writeHook(path, f)
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; results are ordinary files.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Checked again just before the rename: something may have appeared.
	if err := checkReplaceable(path); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	committed = true
	return nil
}

// writeHook, when set by a test, wraps the writer of every file
// WriteFileAtomic writes (to inject a full disk).
var writeHook func(path string, w io.Writer) io.Writer
