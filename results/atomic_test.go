package results

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"pilotsim/internal/filetest"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "a,b\n1,2\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "a,b\n1,2\n" {
		t.Fatalf("file holds %q (%v), want the written content", got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if names := filetest.Names(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only out.csv", names)
	}
}

func TestWriteFileAtomicError(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		why      string
		existing bool
	}{
		{"a failed write creates no file", false},
		{"a failed write leaves the previous file as it was", true},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "aggregate.json")
		if tc.existing {
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := WriteFileAtomic(path, func(w io.Writer) error {
			// Enough to pass the buffer, so part of it reaches the temporary file.
			if _, err := w.Write(make([]byte, 200<<10)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("%s: error %v, want it to wrap %v", tc.why, err, boom)
		}
		got, rerr := os.ReadFile(path)
		switch {
		case tc.existing && string(got) != "old":
			t.Errorf("%s: file holds %d bytes (%v), want %q", tc.why, len(got), rerr, "old")
		case !tc.existing && !errors.Is(rerr, os.ErrNotExist):
			t.Errorf("%s: file exists (%d bytes), want none", tc.why, len(got))
		}
		want := 0
		if tc.existing {
			want = 1
		}
		if names := filetest.Names(t, dir); len(names) != want {
			t.Errorf("%s: directory holds %v, want %d file(s) and no temporary", tc.why, names, want)
		}
	}
}

func TestWriteFileAtomicPanic(t *testing.T) {
	dir := t.TempDir()
	func() {
		defer func() { recover() }()
		WriteFileAtomic(filepath.Join(dir, "x"), func(w io.Writer) error { panic("writer bug") })
	}()
	if names := filetest.Names(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v after a panic, want nothing", names)
	}
}

func TestWriteFileAtomicNoDir(t *testing.T) {
	err := WriteFileAtomic(filepath.Join(t.TempDir(), "missing", "x"), func(io.Writer) error { return nil })
	if err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
