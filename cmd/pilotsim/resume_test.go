package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pilotsim/internal/filetest"
	"pilotsim/results"
)

// TestMain lets a test run this binary as pilotsim itself (the signal tests
// need a process of their own).
func TestMain(m *testing.M) {
	if os.Getenv("PILOTSIM_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestResumeSweepAndCompare: a sweep or compare stopped after its first
// point keeps that point; run again into the same --out it runs only the
// rest, and the folder is byte for byte what an uninterrupted run writes.
// Other inputs into the used folder are refused unless --force.
func TestResumeSweepAndCompare(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"sweep", []string{"sweep", "testdata/small.yaml", "--param", "selectivity.red", "--values", "40,60,80", "--reps", "2", "--quiet"}},
		{"compare", []string{"compare", "testdata/small.yaml", "testdata/studies/small-variant.yaml", "--reps", "2", "--quiet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, resumed := t.TempDir(), t.TempDir()
			if code, _, stderr := runCmd(context.Background(), append(tc.args, "--out", whole)...); code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			ctx, cancel := context.WithCancel(context.Background())
			testHookUnitSaved = func(k int) {
				if k == 0 {
					cancel()
				}
			}
			code, _, _ := runCmd(ctx, append(tc.args, "--out", resumed)...)
			testHookUnitSaved = nil
			if code != exitInterrupted {
				t.Fatalf("interrupted run: exit %d, want %d", code, exitInterrupted)
			}
			if _, err := os.Stat(filepath.Join(resumed, results.ManifestFile)); err == nil {
				t.Error("an interrupted study wrote a manifest")
			}
			code, _, stderr := runCmd(context.Background(), append(tc.args, "--out", resumed)...)
			if code != 0 || strings.Count(stderr, "not run again") != 1 {
				t.Fatalf("resumed run: exit %d, want 0 and one unit taken from the first run\n%s", code, stderr)
			}
			a, b := filetest.Tree(t, whole), filetest.Tree(t, resumed)
			if len(a) != len(b) {
				t.Errorf("%d files after a resume, %d without", len(b), len(a))
			}
			for name, da := range a {
				if !bytes.Equal(da, b[name]) {
					t.Errorf("%s differs after a resume", name)
				}
			}
			// Another study into the used folder: refused, then --force.
			var other []string
			if tc.name == "sweep" {
				other = []string{"sweep", "testdata/small.yaml", "--param", "selectivity.red", "--values", "50,70", "--reps", "2", "--quiet", "--out", whole}
			} else {
				other = []string{"compare", "testdata/small.yaml", "testdata/studies/small-variant.yaml", "--reps", "3", "--quiet", "--out", whole}
			}
			if code, _, stderr := runCmd(context.Background(), other...); code != exitBadInput || !strings.Contains(stderr, "--force") {
				t.Errorf("another study into a used --out: exit %d, want %d and --force named\n%s", code, exitBadInput, stderr)
			}
			if code, _, stderr := runCmd(context.Background(), append(other, "--force")...); code != 0 {
				t.Errorf("with --force: exit %d\n%s", code, stderr)
			}
		})
	}
}

// TestSignals runs pilotsim as a process: SIGTERM stops a run cleanly with
// exit 143; a second SIGINT stops a huge run at once with exit 130.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	start := func(args ...string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "PILOTSIM_TEST_MAIN=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		return cmd, &stderr
	}
	long := []string{"run", "testdata/small.yaml", "--reps", "100000", "--quiet", "--workers", "1"}

	cmd, stderr := start(append(long, "--out", t.TempDir())...)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitTerminated {
		t.Errorf("SIGTERM: exit %d, want %d\n%s", code, exitTerminated, stderr)
	}

	// A horizon of ten years at 3,000 consignments an hour: a replication
	// of 2.6e8 consignments, far from done when the signals come.
	huge := []string{"run", "testdata/small.yaml", "--set", "horizon=3650d", "--set", "traffic.sea.rate=3000", "--reps", "1", "--quiet", "--force", "--out", t.TempDir()}
	cmd, stderr = start(huge...)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatal("two Ctrl-C did not stop the run within 5 s")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("two SIGINT: exit %d, want %d\n%s", code, exitInterrupted, stderr)
	}
}
