package results

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pilotsim/internal/filetest"
)

// TestTraceFilesOrder writes parts from concurrent goroutines in scrambled
// order and checks the file joins them in replication order, once the header.
func TestTraceFilesOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "consignments.csv")
	tf, err := NewTraceFiles(path, []string{"rep", "seq"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for _, rep := range []int{3, 0, 2, 1} {
		wg.Go(func() {
			p, err := tf.Part(rep)
			if err != nil {
				errs[rep] = err
				return
			}
			fmt.Fprintf(p, "rep,seq\n%d,0\n%d,1\n", rep, rep)
			errs[rep] = p.Close()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Replication 2 did not finish (interrupted): it is left out.
	if err := tf.Commit([]int{0, 1, 3}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "rep,seq\n0,0\n0,1\n1,0\n1,1\n3,0\n3,1\n"
	if string(got) != want {
		t.Errorf("trace file:\n%s\nwant:\n%s", got, want)
	}
	if names := filetest.Names(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the trace", names)
	}
}

func TestTraceFilesMissingPart(t *testing.T) {
	dir := t.TempDir()
	tf, err := NewTraceFiles(filepath.Join(dir, "c.csv"), []string{"rep"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.Commit([]int{0}); err == nil {
		t.Error("Commit of a replication without a part succeeded")
	}
	if names := filetest.Names(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v after a failed commit, want nothing", names)
	}
}

// TestTraceFilesBadPart: a part that does not start with the header is an
// error, and no file is written.
func TestTraceFilesBadPart(t *testing.T) {
	dir := t.TempDir()
	tf, err := NewTraceFiles(filepath.Join(dir, "c.csv"), []string{"rep", "seq"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tf.Part(0)
	fmt.Fprintf(p, "seq,rep\n0,0\n")
	p.Close()
	if err := tf.Commit([]int{0}); err == nil {
		t.Error("Commit joined a part with another header")
	}
	if names := filetest.Names(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v after a failed commit, want nothing", names)
	}
}
