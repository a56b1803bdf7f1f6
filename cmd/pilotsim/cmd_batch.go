package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// batchEntry is one scenario of a batch list: its file as listed, the path
// to open and its overrides.
type batchEntry struct {
	file string // as the list names it (slash-separated, relative to the list)
	path string // to open
	sets []string
	line int // in the list file; 0 for a directory
}

// readBatchList reads the scenarios of a batch: a directory (its *.yaml and
// *.yml files, by name), a list file (one scenario a line: FILE
// [PATH=VALUE …], FILE relative to the list; # starts a comment) or a single
// scenario file.
func readBatchList(arg string) ([]batchEntry, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		var out []batchEntry
		ents, err := os.ReadDir(arg)
		if err != nil {
			return nil, err
		}
		for _, d := range ents {
			ext := filepath.Ext(d.Name())
			if d.Type().IsRegular() && (ext == ".yaml" || ext == ".yml") {
				out = append(out, batchEntry{file: d.Name(), path: filepath.Join(arg, d.Name())})
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s: no *.yaml scenario files", arg)
		}
		return out, nil
	}
	if ext := filepath.Ext(arg); ext == ".yaml" || ext == ".yml" {
		return []batchEntry{{file: filepath.Base(arg), path: arg}}, nil
	}
	data, err := results.ReadRegular(arg, maxBatchListBytes)
	if err != nil {
		return nil, err
	}
	base := filepath.Dir(arg)
	var out []batchEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		if len(out) >= maxBatchScenarios {
			return nil, fmt.Errorf("%s:%d: more than %d scenarios in one batch; split the list", arg, n, maxBatchScenarios)
		}
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		for _, s := range fields[1:] {
			if !strings.Contains(s, "=") {
				return nil, fmt.Errorf("%s:%d: %q: want PATH=VALUE overrides after the scenario file", arg, n, s)
			}
		}
		file := filepath.ToSlash(fields[0])
		path := filepath.FromSlash(file)
		if !filepath.IsAbs(path) {
			path = filepath.Join(base, path)
		}
		out = append(out, batchEntry{file: file, path: path, sets: fields[1:], line: n})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s: a line longer than %d bytes; a list holds one scenario file and its overrides a line", arg, bufio.MaxScanTokenSize)
		}
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the list names no scenario", arg)
	}
	return out, nil
}

// Bounds of a batch list: its size and the scenarios it names (each
// scenario's results are kept until the batch is written).
const (
	maxBatchListBytes = 64 << 20
	maxBatchScenarios = results.MaxBatchScenarios
)

// batchManifest is the manifest of a batch's output folder, the same for a
// batch run whole and for its merged shards: every scenario file with its
// hash, every scenario's overrides (k:PATH=VALUE, k its index), the seed and
// the batch id.
func batchManifest(b *results.Batch) *results.Manifest {
	var in []results.ManifestInput
	var sets []string
	for k, s := range b.Scenarios {
		in = append(in, results.ManifestInput{File: s.File, SHA256: s.SHA256})
		for _, set := range s.Sets {
			sets = append(sets, fmt.Sprintf("%d:%s", k, set))
		}
	}
	var opts []string
	if b.SeedOverride != nil {
		opts = append(opts, fmt.Sprintf("seed=%d", *b.SeedOverride))
	}
	opts = append(opts, "batch="+b.ID)
	return results.NewManifest("batch", in, sets, opts)
}

// loadedBatch is a batch ready to run: its description and every scenario
// loaded and compiled.
type loadedBatch struct {
	batch   *results.Batch
	scs     []*scenarios.Scenario
	models  []*sim.Model
	metrics [][]results.Metric
}

// loadBatch loads and compiles every scenario of the list; any bad one is
// bad input, named with the list line it came from.
func loadBatch(arg string, f *studyFlags) (*loadedBatch, error) {
	entries, err := readBatchList(arg)
	if err != nil {
		return nil, badInput(err)
	}
	lb := &loadedBatch{}
	var bs []results.BatchScenario
	seed := f.seed
	width := len(strconv.Itoa(len(entries) - 1))
	width = max(width, 3)
	for k, en := range entries {
		data, err := results.ReadRegular(en.path, scenarios.MaxFileBytes)
		if err != nil {
			return nil, badInput(listErr(arg, en, err))
		}
		sets := append(append([]string(nil), f.sets...), en.sets...)
		sc, err := scenarios.Parse(en.path, data, sets)
		if err != nil {
			return nil, badInput(listErr(arg, en, err))
		}
		if seed != nil {
			sc.Seed = *seed
		}
		if *f.reps > 0 {
			sc.Replications = *f.reps
		}
		m, err := sim.Compile(sc)
		if err != nil {
			return nil, listErr(arg, en, err) // a bug: Compile trusts what Load accepted
		}
		sum := sha256.Sum256(data)
		base := strings.TrimSuffix(filepath.Base(en.path), filepath.Ext(en.path))
		name := []string{base}
		for _, set := range en.sets {
			name = append(name, shortSet(set))
		}
		dir := fmt.Sprintf("%0*d_%s", width, k, results.SafeName(strings.Join(name, "_")))
		bs = append(bs, results.BatchScenario{
			Name: sc.Name, Dir: dir, File: en.file, Sets: sets,
			SHA256: hex.EncodeToString(sum[:]), Seed: sc.Seed, Replications: sc.Replications,
		})
		lb.scs = append(lb.scs, sc)
		lb.models = append(lb.models, m)
		lb.metrics = append(lb.metrics, m.Metrics())
	}
	lb.batch = results.NewBatch(bs, seed)
	return lb, nil
}

// shortSet shortens PATH=VALUE for a directory name to the last two steps of
// the path: resources.pools[physical].servers=30 → physical.servers=30. (The
// directory's index keeps names unique; batch.json has the full overrides.)
func shortSet(set string) string {
	path, val, _ := strings.Cut(set, "=")
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	steps := strings.Split(path, ".")
	if len(steps) > 2 {
		steps = steps[len(steps)-2:]
	}
	return strings.Join(steps, ".") + "=" + val
}

func listErr(arg string, en batchEntry, err error) error {
	if en.line > 0 {
		return fmt.Errorf("%s:%d: %w", arg, en.line, err)
	}
	return err
}

// partialDir holds an unsharded batch's finished scenarios until the whole
// batch is written, so an interrupted batch resumes where it stopped.
const partialDir = ".pilotsim-partial"

// runBatch is `pilotsim batch LIST_OR_DIR [--shard i/n]`.
func runBatch(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "batch", "LIST_OR_DIR")
	out := fs.String("out", "", "output `directory` (default out/batch)")
	shard := fs.String("shard", "", "run only shard `i/n`: the (scenario, replication) pairs whose number modulo n is i")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout (the batch and every scenario's aggregate; a shard's summary with --shard)")
	f := addStudyFlags(fs, "seed of every scenario (default: each scenario's own)")
	pos, err := f.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return badInput(fmt.Errorf("want one list file or directory, got %d arguments", len(pos)))
	}
	si, sn := 0, 0
	if *shard != "" {
		if si, sn, err = results.ParseShard(*shard); err != nil {
			return badInput(err)
		}
	}
	lb, err := loadBatch(pos[0], f)
	if err != nil {
		return err
	}
	if err := checkEstimate(e, f, lb.models...); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "batch")
	}
	if err := results.MakeOutputDir(dir); err != nil {
		return badInput(err)
	}
	f.json = *asJSON
	if sn > 0 {
		return runShard(ctx, e, lb, si, sn, dir, f)
	}
	return runWholeBatch(ctx, e, lb, dir, f)
}

// runShard runs shard i of n into dir/shard-i-of-n.json, unless a complete
// file of the same batch is already there.
func runShard(ctx context.Context, e *env, lb *loadedBatch, i, n int, dir string, f *studyFlags) error {
	b := lb.batch
	path := filepath.Join(dir, results.ShardFileName(i, n))
	if old, err := results.ReadShardFile(path); err == nil {
		if old.Batch.ID != b.ID {
			return badInput(fmt.Errorf("%s belongs to batch %s, not %s: use another --out", path, old.Batch.ID, b.ID))
		}
		if !sameSeed(old.Batch.SeedOverride, b.SeedOverride) {
			return badInput(fmt.Errorf("%s was run with another seed: use another --out", path))
		}
		if old.Complete() == nil {
			if f.json {
				return writeShardJSON(e, b, i, n, path, 0, true)
			}
			fmt.Fprintf(e.stdout, "shard %d/%d of batch %s: complete output exists, skipped (%s)\n", i, n, b.ID, path)
			return nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "%v; running the shard again\n", err)
	}
	s := results.NewShard(b, i, n, lb.metrics)
	pairs := 0
	for k, reps := range b.ShardPairs(i, n) {
		if len(reps) == 0 {
			continue
		}
		rr, err := runBatchReps(ctx, e, lb, k, reps, f)
		if err != nil {
			return err
		}
		for _, r := range rr {
			s.Add(k, r)
		}
		pairs += len(reps)
	}
	if err := results.WriteShardFile(path, s); err != nil {
		return err
	}
	if f.json {
		return writeShardJSON(e, b, i, n, path, pairs, false)
	}
	fmt.Fprintf(e.stdout, "shard %d/%d of batch %s: %d of %d (scenario, replication) pairs written to %s\n", i, n, b.ID, pairs, b.Pairs(), path)
	return nil
}

// writeShardJSON prints what a shard run did, for batch --shard --json.
func writeShardJSON(e *env, b *results.Batch, i, n int, path string, pairs int, skipped bool) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		SchemaVersion int    `json:"schema_version"`
		Kind          string `json:"kind"`
		Batch         string `json:"batch"`
		Shard         int    `json:"shard"`
		Shards        int    `json:"shards"`
		Pairs         int    `json:"pairs"`       // written by this run
		BatchPairs    int    `json:"batch_pairs"` // of the whole batch
		File          string `json:"file"`
		Skipped       bool   `json:"skipped"` // the complete shard file existed
	}{results.SchemaVersion, "shard", b.ID, i, n, pairs, b.Pairs(), path, skipped})
}

func sameSeed(a, b *uint64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// runBatchReps runs replications reps of scenario k.
func runBatchReps(ctx context.Context, e *env, lb *loadedBatch, k int, reps []int, f *studyFlags) ([]results.Replication, error) {
	var done, finished atomic.Int64
	// The bar counts this run's replications, fewer than the scenario's in a shard.
	barSc := *lb.scs[k]
	if reps != nil {
		barSc.Replications = len(reps)
	}
	bar := newProgress(e, *f.quiet, &barSc)
	rr, err := runWithProgress(ctx, lb.models[k], sim.Options{Workers: *f.workers, Reps: reps, Progress: &done, Done: &finished}, &done, bar)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted in scenario %s; finished scenarios are kept and a rerun resumes: %w", lb.batch.Scenarios[k].Dir, err)
		}
		return nil, fmt.Errorf("scenario %s: %w", lb.batch.Scenarios[k].Dir, err)
	}
	return rr, nil
}

// runWholeBatch runs every pair and writes the batch's files into dir. Each
// finished scenario is kept in dir/.pilotsim-partial until the end, so a
// rerun after an interruption runs only the scenarios not yet finished.
func runWholeBatch(ctx context.Context, e *env, lb *loadedBatch, dir string, f *studyFlags) error {
	b := lb.batch
	if old, err := results.ReadBatchManifest(dir); err == nil && old.ID == b.ID && sameSeed(old.SeedOverride, b.SeedOverride) {
		_, err := fmt.Fprintf(e.stdout, "batch %s: complete output exists in %s (%d scenarios, %d pairs); nothing to run\n", b.ID, dir, len(b.Scenarios), b.Pairs())
		return err
	}
	part := filepath.Join(dir, partialDir)
	if err := os.MkdirAll(part, 0o755); err != nil {
		return err
	}
	br := &results.BatchResults{Batch: b, Metrics: lb.metrics, Reps: make([][]results.Replication, len(b.Scenarios))}
	for k, s := range b.Scenarios {
		cp := filepath.Join(part, fmt.Sprintf("scenario-%04d.json", k))
		if old, err := results.ReadShardFile(cp); err == nil && old.Batch.ID == b.ID && sameSeed(old.Batch.SeedOverride, b.SeedOverride) && len(old.Results) == s.Replications {
			for _, r := range old.Results {
				br.Reps[k] = append(br.Reps[k], r.Replication())
			}
			sort.Slice(br.Reps[k], func(a, c int) bool { return br.Reps[k][a].Rep < br.Reps[k][c].Rep })
			fmt.Fprintf(e.stderr, "scenario %s: finished before, not run again\n", s.Dir)
			continue
		}
		rr, err := runBatchReps(ctx, e, lb, k, nil, f)
		if err != nil {
			return err
		}
		br.Reps[k] = rr
		ckpt := results.NewShard(b, 0, 1, lb.metrics)
		for _, r := range rr {
			ckpt.Add(k, r)
		}
		if err := results.WriteShardFile(cp, ckpt); err != nil {
			return err
		}
	}
	if err := results.BeginOutput(dir); err != nil {
		return err
	}
	br.Parquet = *f.parquet
	if err := br.WriteFiles(dir); err != nil {
		return err
	}
	if err := os.RemoveAll(part); err != nil {
		return err
	}
	if err := results.WriteManifest(dir, batchManifest(lb.batch)); err != nil {
		return err
	}
	reports, err := br.Reports()
	if err != nil {
		return err
	}
	if f.json {
		return results.WriteBatchJSON(e.stdout, b, reports)
	}
	return results.WriteBatchTable(e.stdout, b, reports)
}
