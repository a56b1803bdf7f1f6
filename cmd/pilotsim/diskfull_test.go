package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"pilotsim/results"
)

// TestDiskFull fills a small disk (a 2 MB tmpfs, where the test may mount
// one) in the middle of writing a run's results, over an earlier complete
// run: the run fails (exit 1, the reason named) and nothing in the folder
// says complete. Without the right to mount, the results package's
// TestWriteFilesDiskFull covers the same with an injected failing writer.
func TestDiskFull(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v); TestWriteFilesDiskFull in results covers a full disk with an injected writer", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, 0) })
	out := filepath.Join(mnt, "o")
	// A first, small run fits and is complete.
	if code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--reps", "1", "--out", out, "--quiet"); code != exitOK {
		t.Fatalf("the first run: exit %d\n%s", code, stderr)
	}
	if m, err := results.ReadManifest(out); err != nil || !m.Complete {
		t.Fatalf("the first run's manifest: %v", err)
	}
	// The first run takes about 0.9 MB (its report's heat maps of the pools
	// by hour are 2 × 0.2 MB), its temporary files while writing a little
	// more. The second, with a trace of thousands of rows (4.9 MB), does
	// not fit (another number of replications: another study, so --force).
	code, _, stderr := runCmd(context.Background(), "run", "testdata/small.yaml", "--trace", "--force", "--out", out, "--quiet")
	if code != exitFailed || !strings.Contains(stderr, "no space left on device") {
		t.Fatalf("the run on a full disk: exit %d, want %d and the reason\n%s", code, exitFailed, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, results.ManifestFile)); err == nil {
		m, _ := results.ReadManifest(out)
		if m == nil || m.Complete {
			t.Errorf("after a failed write a manifest says complete: %+v", m)
		}
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("a temporary file is left behind: %s", e.Name())
		}
	}
}
