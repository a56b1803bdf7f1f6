package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"pilotsim/internal/safefile"
)

// This file is how pilotsim touches paths it is given: it writes only
// regular files and folders (never through or over a symlink, device or
// named pipe) and reads only regular files, of bounded size.

// checkReplaceable refuses to write path when something other than a
// regular file is there: a folder, symlink, device, named pipe or socket.
// An absent path is fine.
func checkReplaceable(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.Mode().IsRegular():
		return nil
	}
	return &safefile.NotRegularError{Path: path, Mode: st.Mode(), Want: "refusing to replace it with a file"}
}

// MakeOutputDir makes dir and its parents, refusing a path that exists and
// is not a folder (a symlink to a folder is followed: it is the user's
// choice of where results go).
func MakeOutputDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return &safefile.NotRegularError{Path: dir, Mode: st.Mode(), Want: "want a folder for the results"}
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	return nil
}

// ErrTooLarge is the error of a file larger than its reader allows.
var ErrTooLarge = safefile.ErrTooLarge

// NotRegularError is a path that is not what pilotsim reads or writes there
// (a regular file, or a folder for results): safefile.NotRegularError.
type NotRegularError = safefile.NotRegularError

// OpenRegular opens a regular file of at most max bytes: safefile.OpenRegular.
func OpenRegular(path string, max int64) (*os.File, error) { return safefile.OpenRegular(path, max) }

// ReadRegular reads a regular file of at most max bytes: safefile.ReadRegular.
func ReadRegular(path string, max int64) ([]byte, error) { return safefile.ReadRegular(path, max) }

// Clip shortens s for a message: safefile.Clip.
func Clip(s string, n int) string { return safefile.Clip(s, n) }
