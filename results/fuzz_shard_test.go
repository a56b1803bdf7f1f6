package results

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzShard reads arbitrary shard files and merges them with a good one: a
// shard either reads back (its hash, kind, shape and folder names checked)
// or is refused with the file named, and a merge never panics, never runs
// for ever and never takes a folder name that leaves its --out.
func FuzzShard(f *testing.F) {
	good := fuzzShardBytes(f)
	f.Add(good, good)
	f.Add([]byte(`{"kind":"pilotsim-batch-shard","schema_version":1,"shards":2000000000}`), good)
	f.Add([]byte("{"), []byte("null"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		pa, pb := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
		os.WriteFile(pa, a, 0o644)
		os.WriteFile(pb, b, 0o644)
		s, err := ReadShardFile(pa)
		if err == nil {
			for _, sc := range s.Batch.Scenarios {
				if !IsSafeName(sc.Dir) {
					t.Fatalf("a shard with folder %q was read", sc.Dir)
				}
			}
		}
		br, err := MergeShards([]string{pa, pb})
		if err != nil {
			return
		}
		out := t.TempDir()
		if err := br.WriteFiles(out); err != nil {
			return
		}
	})
}

// fuzzShardBytes is a good, complete shard file: shard 0 of 1 of a batch of
// one scenario with two replications.
func fuzzShardBytes(f *testing.F) []byte {
	run, metrics, reps := fixture()
	b := NewBatch([]BatchScenario{{Name: run.Scenario, Dir: "000_s", File: "s.yaml", SHA256: "00", Seed: run.Seed, Replications: 2}}, nil)
	s := NewShard(b, 0, 1, [][]Metric{metrics})
	s.Add(0, Replication{Rep: 0, Values: reps[0].Values})
	s.Add(0, Replication{Rep: 1, Values: reps[1].Values})
	p := filepath.Join(f.TempDir(), "s.json")
	if err := WriteShardFile(p, s); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	return data
}
