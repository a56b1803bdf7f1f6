package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pilotsim/internal/filetest"
)

// batchFixture is a batch of two scenarios (the fixture with 5 replications
// and a variant with 4) and their results.
func batchFixture(t *testing.T, seed *uint64) *BatchResults {
	t.Helper()
	run, metrics, reps := fixture()
	b := NewBatch([]BatchScenario{
		{Name: run.Scenario, Dir: "000_a", File: "a.yaml", SHA256: "aa", Seed: run.Seed, Replications: 5},
		{Name: "variant", Dir: "001_b", File: "b.yaml", Sets: []string{"selectivity.red=50"}, SHA256: "bb", Seed: run.Seed, Replications: 4},
	}, seed)
	variant := make([]Replication, 4)
	for i := range variant {
		v := append([]float64(nil), reps[i].Values...)
		for j := range v {
			v[j] *= 1.1 + 1e-13*float64(j) // digits beyond what the CSV shows must survive a shard
		}
		variant[i] = Replication{Rep: i, Values: v}
	}
	return &BatchResults{Batch: b, Metrics: [][]Metric{metrics, metrics}, Reps: [][]Replication{reps, variant}}
}

// writeShards writes the n shards of br into dir, as `pilotsim batch --shard`
// would, and returns their paths.
func writeShards(t *testing.T, br *BatchResults, n int, dir string) []string {
	t.Helper()
	var paths []string
	for i := range n {
		s := NewShard(br.Batch, i, n, br.Metrics)
		for k, reps := range br.Batch.ShardPairs(i, n) {
			for _, r := range reps {
				s.Add(k, br.Reps[k][r])
			}
		}
		p := filepath.Join(dir, s.FileName())
		if err := WriteShardFile(p, s); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// sameTree fails unless dirs a and b hold the same files with the same bytes.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	ta, tb := filetest.Tree(t, a), filetest.Tree(t, b)
	for name, da := range ta {
		db, ok := tb[name]
		if !ok {
			t.Errorf("%s is in %s only", name, a)
			continue
		}
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs between %s and %s", name, a, b)
		}
	}
	for name := range tb {
		if _, ok := ta[name]; !ok {
			t.Errorf("%s is in %s only", name, b)
		}
	}
}

func TestMergeOfThreeShardsEqualsUnsharded(t *testing.T) {
	br := batchFixture(t, nil)
	whole, shards, merged := t.TempDir(), t.TempDir(), t.TempDir()
	if err := br.WriteFiles(whole); err != nil {
		t.Fatal(err)
	}
	paths := writeShards(t, br, 3, shards)
	slices.Reverse(paths) // the order shards are found in does not matter
	got, err := MergeShards(paths)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.WriteFiles(merged); err != nil {
		t.Fatal(err)
	}
	sameTree(t, whole, merged)
	if n := len(filetest.Tree(t, whole)); n != 13 {
		t.Errorf("the batch wrote %d files, want 2 scenarios × 3 + long.csv, results.xlsx, batch.json, the report (2) and its 2 charts", n)
	}
	for k := range br.Reps {
		for r := range br.Reps[k] {
			for j, v := range br.Reps[k][r].Values {
				if w := got.Reps[k][r].Values[j]; math.Float64bits(w) != math.Float64bits(v) && !(math.IsNaN(v) && math.IsNaN(w)) {
					t.Fatalf("scenario %d rep %d value %d: %v after the merge, %v before", k, r, j, w, v)
				}
			}
		}
	}
}

func TestMergeNamesMissingShards(t *testing.T) {
	br := batchFixture(t, nil)
	dir := t.TempDir()
	paths := writeShards(t, br, 4, dir)
	_, err := MergeShards([]string{paths[0], paths[2]})
	var me *MergeError
	if !errors.As(err, &me) {
		t.Fatalf("merge of 2 of 4 shards: %v, want a MergeError", err)
	}
	if want := []string{"shard-0001-of-0004.json", "shard-0003-of-0004.json"}; !slices.Equal(me.Missing, want) {
		t.Errorf("missing %v, want %v", me.Missing, want)
	}
	if !strings.Contains(err.Error(), "shard-0001-of-0004.json, shard-0003-of-0004.json") {
		t.Errorf("error %q does not name the missing shards", err)
	}
	// The same shard twice is fine; it does not stand in for a missing one.
	if _, err := MergeShards([]string{paths[0], paths[0], paths[1], paths[2], paths[3]}); err != nil {
		t.Errorf("a shard given twice: %v", err)
	}
}

func TestMergeRefusesForeignShards(t *testing.T) {
	seven := uint64(7)
	br := batchFixture(t, nil)
	for _, tc := range []struct {
		why   string
		other *BatchResults
		n     int
		want  string
	}{
		{"another batch", func() *BatchResults {
			o := batchFixture(t, nil)
			o.Batch.Scenarios[1].SHA256 = "cc" // b.yaml changed between the shards
			o.Batch = NewBatch(o.Batch.Scenarios, nil)
			return o
		}(), 3, "different batches"},
		{"another seed", batchFixture(t, &seven), 3, "different seeds"},
		{"another shard count", br, 2, "different shardings"},
	} {
		dir := t.TempDir()
		paths := writeShards(t, br, 3, filepath.Join(dir))
		otherDir := t.TempDir()
		other := writeShards(t, tc.other, tc.n, otherDir)
		_, err := MergeShards([]string{paths[0], paths[1], other[len(other)-1]})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.why, err, tc.want)
		}
	}
}

func TestMergeRefusesIncompleteShard(t *testing.T) {
	br := batchFixture(t, nil)
	dir := t.TempDir()
	paths := writeShards(t, br, 3, dir)
	s, err := ReadShardFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	s.Results = s.Results[1:]
	if err := WriteShardFile(paths[1], s); err != nil {
		t.Fatal(err)
	}
	if _, err := MergeShards(paths); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("a shard without one of its pairs: %v", err)
	}
}

// A shard file edited or damaged so that its scenarios no longer match its
// batch id is refused as malformed: a merge must never panic on it (one
// with an extra scenario of no replications used to index past the others).
func TestMergeRefusesShardWhoseScenariosDoNotMatchItsID(t *testing.T) {
	br := batchFixture(t, nil)
	dir := t.TempDir()
	paths := writeShards(t, br, 3, dir)
	s, err := ReadShardFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	extra := s.Batch.Scenarios[1]
	extra.Dir, extra.Replications = "002_c", 0
	s.Batch.Scenarios = append(s.Batch.Scenarios, extra)
	s.Metrics = append(s.Metrics, s.Metrics[1])
	if err := WriteShardFile(paths[1], s); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadShardFile(paths[1]); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("ReadShardFile: %v, want malformed", err)
	}
	if _, err := MergeShards(paths); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("MergeShards: %v, want malformed", err)
	}
}

func TestShardPairsPartition(t *testing.T) {
	br := batchFixture(t, nil)
	for n := 1; n <= 12; n++ {
		seen := map[[2]int]int{}
		for i := range n {
			for k, reps := range br.Batch.ShardPairs(i, n) {
				for _, r := range reps {
					seen[[2]int{k, r}]++
				}
			}
		}
		if len(seen) != br.Batch.Pairs() {
			t.Errorf("n=%d: shards cover %d of %d pairs", n, len(seen), br.Batch.Pairs())
		}
		for p, c := range seen {
			if c != 1 {
				t.Errorf("n=%d: pair %v in %d shards", n, p, c)
			}
		}
	}
	for _, bad := range []string{"3/3", "-1/2", "1", "a/b", "0/0"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): no error", bad)
		}
	}
}

func TestExactFloatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	vals := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, math.MaxFloat64, 0.1, 1.0 / 3}
	for range 1000 {
		vals = append(vals, math.Float64frombits(r.Uint64()), r.NormFloat64()*1e6)
	}
	for _, v := range vals {
		b, err := json.Marshal(ExactFloat(v))
		if err != nil {
			t.Fatal(err)
		}
		var back ExactFloat
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%v → %s: %v", v, b, err)
		}
		if math.Float64bits(float64(back)) != math.Float64bits(v) && !(math.IsNaN(v) && math.IsNaN(float64(back))) {
			t.Fatalf("%v → %s → %v", v, b, float64(back))
		}
	}
}

// The batch report: the study table with the frontiers and the trade-off
// chart, each key figure per scenario; the same for a merged batch (above).
func TestBatchReport(t *testing.T) {
	br := batchFixture(t, nil)
	dir := reportOut(t, "batch")
	if err := br.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	checkReportFiles(t, dir, []string{"study", "intervals"})
	md, err := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if err != nil {
		t.Fatal(err)
	}
	filetest.Golden(t, "batch-report.md", md)
	h, err := os.ReadFile(filepath.Join(dir, ReportHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	html := string(h)
	for _, want := range []string{"000_a", "001_b", "selectivity.red=50", "Detection vs mean release time", "Key figures per scenario", "NII"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
