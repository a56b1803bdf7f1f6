package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildID: a clean revision identifies a build; without one (a build
// without version control) or with uncommitted changes the executable's
// SHA-256 does, so two different binaries never share an ID.
func TestBuildID(t *testing.T) {
	for _, tc := range []struct {
		a, b Build
		same bool
	}{
		{Build{Revision: "r1", Binary: "aa"}, Build{Revision: "r1", Binary: "bb"}, true}, // one revision, built twice
		{Build{Revision: "r1"}, Build{Revision: "r2"}, false},
		{Build{Binary: "aa"}, Build{Binary: "bb"}, false},                                                                 // no VCS: two binaries
		{Build{Binary: "aa"}, Build{Binary: "aa"}, true},                                                                  // no VCS: one binary
		{Build{Revision: "r1", Modified: true, Binary: "aa"}, Build{Revision: "r1", Modified: true, Binary: "bb"}, false}, // two edits of r1
		{Build{Revision: "r1", Modified: true, Binary: "aa"}, Build{Revision: "r1", Binary: "aa"}, false},
	} {
		if got := tc.a.ID() == tc.b.ID(); got != tc.same {
			t.Errorf("%+v (%s) and %+v (%s): same ID %v, want %v", tc.a, tc.a.ID(), tc.b, tc.b.ID(), got, tc.same)
		}
	}
	if id := (Build{}).ID(); id != "unknown" {
		t.Errorf("a build with nothing known: ID %q, want unknown", id)
	}
}

// TestCurrentBuildHashesExecutable: the running binary's SHA-256 is in its
// build, whatever version control says.
func TestCurrentBuildHashesExecutable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	exe, _ = filepath.EvalSymlinks(exe)
	want, err := HashFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if got := CurrentBuild().Binary; got != want {
		t.Errorf("CurrentBuild().Binary = %q, want the executable's SHA-256 %q", got, want)
	}
	if b := CurrentBuild(); b.Revision == "" && !strings.Contains(b.ID(), want) {
		t.Errorf("a build without a revision: ID %q does not name the executable's hash", b.ID())
	}
}

// TestMergeRefusesShardOfAnotherBinary: shards written by two binaries built
// without version control (the same version string, no revision) are told
// apart by the executables' hashes, and merge refuses them, naming both
// files; shards of one binary merge.
func TestMergeRefusesShardOfAnotherBinary(t *testing.T) {
	br := batchFixture(t, nil)
	dir := t.TempDir()
	paths := writeShards(t, br, 3, dir)
	// restamp rewrites the shard at p as written by a binary with hash bin,
	// with a correct content hash: only the build tells it apart.
	restamp := func(p, bin string) {
		s, err := ReadShardFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s.Build = Build{Version: "dev", Go: "go1.26", Binary: bin}
		s.ContentSHA256 = ""
		if s.ContentSHA256, err = s.contentHash(); err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	one := strings.Repeat("a", 64)
	for _, p := range paths {
		restamp(p, one)
	}
	if _, err := MergeShards(paths); err != nil {
		t.Fatalf("shards of one binary: %v", err)
	}
	restamp(paths[2], strings.Repeat("b", 64))
	_, err := MergeShards(paths)
	if err == nil || !strings.Contains(err.Error(), "different builds") || !strings.Contains(err.Error(), filepath.Base(paths[2])) {
		t.Errorf("shards of two binaries: %v; want a refusal naming %s", err, filepath.Base(paths[2]))
	}
}
