// Package safefile is how pilotsim touches the paths it is given: it reads
// only regular files of bounded size (never a named pipe or a device, which
// could hang a read or never end it) and clips what it echoes of a file's
// content in messages. The results package builds its writing rules (only
// regular files replaced, temporary file and rename) on it.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// DescribeMode names what a file of mode m is, for messages.
func DescribeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a regular file"
}

// NotRegularError is a path that is not a regular file where pilotsim reads
// or writes one: a folder, symlink, named pipe, device or socket. It is the
// user's input at fault (exit code 2).
type NotRegularError struct {
	Path string
	Mode fs.FileMode
	Want string // what pilotsim wanted, e.g. "want a regular file"
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s; %s", e.Path, DescribeMode(e.Mode), e.Want)
}

// ErrTooLarge is the error of a file larger than its reader allows.
var ErrTooLarge = errors.New("file too large")

// OpenRegular opens path for reading when it is a regular file (a symlink
// to one is followed) of at most max bytes (max < 0: any size); a named
// pipe, device (/dev/zero), folder or socket is refused before it is opened,
// so reading it can neither hang nor run for ever.
func OpenRegular(path string, max int64) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, PathError(path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: st.Mode(), Want: "want a regular file"}
	}
	if max >= 0 && st.Size() > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", path, ErrTooLarge, st.Size(), max)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, PathError(path, err)
	}
	// The file may have been swapped between Stat and Open: check again.
	if st2, err := f.Stat(); err != nil || !st2.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s changed while being opened; want a regular file", path)
	}
	return f, nil
}

// PathError says in words why path cannot be read: "PATH: no such file",
// "PATH: permission denied", without the system call's name ("stat …",
// "open …"). The error still matches fs.ErrNotExist and fs.ErrPermission.
func PathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return &wordsError{msg: path + ": no such file (check the name and the folder)", err: err}
		case errors.Is(err, fs.ErrPermission):
			return &wordsError{msg: path + ": permission denied (this user may not read it)", err: err}
		}
		return &wordsError{msg: path + ": " + pe.Err.Error(), err: err}
	}
	return err
}

// wordsError is an error with a message in words that unwraps to the
// system's error.
type wordsError struct {
	msg string
	err error
}

func (e *wordsError) Error() string { return e.msg }
func (e *wordsError) Unwrap() error { return e.err }

// ReadRegular reads a regular file of at most max bytes (see OpenRegular);
// a file that grows past max while being read is refused too.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, err := OpenRegular(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return data, nil
}

// Clip shortens s for an error message: at most n bytes (cut at a rune
// boundary) and, when cut, its full length in bytes, so a huge field is
// never echoed whole.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	var b strings.Builder
	b.WriteString(s[:cut])
	fmt.Fprintf(&b, "… (%d bytes)", len(s))
	return b.String()
}

func utf8Start(c byte) bool { return c&0xC0 != 0x80 }
