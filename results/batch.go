package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"pilotsim/scenarios"
)

// This file is the batch: many scenarios whose unit of work is one
// (scenario, replication) pair, run whole or as shards that `pilotsim merge`
// joins. A shard file carries everything a merge needs — the batch, the seed,
// its place i of n, each scenario's metrics and the exact values of its pairs
// — so merged shards give byte for byte the files an unsharded batch writes.

// File names of a batch.
const (
	BatchManifestFile = "batch.json"
	batchKind         = "pilotsim-batch"
	shardKind         = "pilotsim-batch-shard"
)

// BatchScenario is one scenario of a batch: where it came from and what it is.
type BatchScenario struct {
	Index        int      `json:"index"`
	Name         string   `json:"name"`           // the scenario's name
	Dir          string   `json:"dir"`            // its output subdirectory
	File         string   `json:"file"`           // its file, as the list names it
	Sets         []string `json:"sets,omitempty"` // --set overrides, PATH=VALUE
	SHA256       string   `json:"sha256"`         // of the file's content
	Seed         uint64   `json:"seed"`           // the seed it ran with
	Replications int      `json:"replications"`
}

// Batch is a list of scenarios run together. Its ID is a hash of the list —
// every scenario's file name, content, overrides and replications — so
// shards of one batch agree on it and shards of another do not. The seed is
// kept apart (SeedOverride, and each scenario's Seed) so that a merge can
// say when shards differ only in their seed.
type Batch struct {
	ID string `json:"id"`
	// SeedOverride is the seed given for the whole batch (nil: every
	// scenario's own seed).
	SeedOverride *uint64         `json:"seed_override"`
	Scenarios    []BatchScenario `json:"scenarios"`
}

// NewBatch returns the batch of scenarios (indexed in order) with its ID.
func NewBatch(scenarios []BatchScenario, seedOverride *uint64) *Batch {
	b := &Batch{SeedOverride: seedOverride, Scenarios: scenarios}
	h := sha256.New()
	for i := range b.Scenarios {
		s := &b.Scenarios[i]
		s.Index = i
		fmt.Fprintf(h, "%q %q %q %d\n", s.File, s.SHA256, s.Sets, s.Replications)
	}
	b.ID = hex.EncodeToString(h.Sum(nil))[:16]
	return b
}

// Pairs returns the number of (scenario, replication) pairs.
func (b *Batch) Pairs() int {
	n := 0
	for _, s := range b.Scenarios {
		n += s.Replications
	}
	return n
}

// ShardPairs returns, for shard i of n, the replications of each scenario it
// runs: pairs are numbered scenario by scenario, replication by replication,
// and shard i runs the pairs whose number modulo n is i. reps[k] lists
// scenario k's replications in increasing order (empty when none).
func (b *Batch) ShardPairs(i, n int) (reps [][]int) {
	reps = make([][]int, len(b.Scenarios))
	idx := 0
	for k, s := range b.Scenarios {
		for r := range s.Replications {
			if idx%n == i {
				reps[k] = append(reps[k], r)
			}
			idx++
		}
	}
	return reps
}

// MaxShards is the most shards a batch may be cut into: more would be
// shards with nothing to do, and a merge names every missing one.
const MaxShards = 100_000

// MaxBatchScenarios is the most scenarios one batch may hold (each one's
// results are kept until the batch is written).
const MaxBatchScenarios = 100_000

// MaxShardBytes is the largest shard file a merge reads (1 GiB: 100,000
// replications of 500 metrics at about 20 bytes a value).
const MaxShardBytes = 1 << 30

// ParseShard parses "i/n" (0 <= i < n <= MaxShards).
func ParseShard(s string) (i, n int, err error) {
	a, c, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(c)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: want i/n with 0 <= i < n, e.g. 0/8", Clip(s, 40))
	}
	if n > MaxShards {
		return 0, 0, fmt.Errorf("--shard %q: at most %d shards, got %d", Clip(s, 40), MaxShards, n)
	}
	return i, n, nil
}

// ShardFileName is the name of shard i of n's file.
func ShardFileName(i, n int) string { return fmt.Sprintf("shard-%04d-of-%04d.json", i, n) }

// ExactFloat is a float64 that JSON carries exactly (the shortest text that
// reads back to the same bits), null when NaN, "+Inf"/"-Inf" when infinite.
type ExactFloat float64

// MarshalJSON implements json.Marshaler.
func (f ExactFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte("null"), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *ExactFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = ExactFloat(math.NaN())
		return nil
	case `"+Inf"`:
		*f = ExactFloat(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = ExactFloat(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*f = ExactFloat(v)
	return nil
}

// ShardResult is what one replication of one scenario measured.
type ShardResult struct {
	Scenario int          `json:"scenario"`
	Rep      int          `json:"rep"`
	Values   []ExactFloat `json:"values"`
	Den      []ExactFloat `json:"den,omitempty"` // denominators of the counted ratios (metric.Rep.Den)
}

// convertFloats copies xs converted to To (between float64 and ExactFloat,
// the same bits) into a new slice of its length (never nil).
func convertFloats[To, From ~float64](xs []From) []To {
	out := make([]To, len(xs))
	for i, x := range xs {
		out[i] = To(x)
	}
	return out
}

// Replication returns what r holds as a Replication: values and, for the
// counted ratios, denominators (exactly as written).
func (r ShardResult) Replication() Replication {
	var den []float64
	if r.Den != nil { // nil: no denominators
		den = convertFloats[float64](r.Den)
	}
	return Replication{Rep: r.Rep, Values: convertFloats[float64](r.Values), Den: den}
}

// Shard is the output of one shard of a batch.
type Shard struct {
	SchemaVersion int           `json:"schema_version"`
	Kind          string        `json:"kind"` // "pilotsim-batch-shard"
	Batch         Batch         `json:"batch"`
	Shard         int           `json:"shard"`   // i
	Shards        int           `json:"shards"`  // n
	Metrics       [][]Metric    `json:"metrics"` // typed definitions, so a merge needs no engine
	Results       []ShardResult `json:"results"` // in pair order
	// Build is the pilotsim that ran the shard: a merge refuses shards of
	// different builds (an image changed in the middle of a job).
	Build Build `json:"build"`
	// ContentSHA256 is the SHA-256 of the file's JSON with this field empty:
	// a merge refuses a shard whose content does not give it (edited).
	ContentSHA256 string `json:"content_sha256"`
}

// contentHash is the hash of s with its ContentSHA256 left empty.
func (s *Shard) contentHash() (string, error) {
	c := *s
	c.ContentSHA256 = ""
	data, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	return HashBytes(data), nil
}

// NewShard returns an empty shard i of n of batch b, whose scenarios measure
// metrics[k].
func NewShard(b *Batch, i, n int, metrics [][]Metric) *Shard {
	s := &Shard{SchemaVersion: SchemaVersion, Kind: shardKind, Batch: *b, Shard: i, Shards: n}
	s.Metrics = metrics
	return s
}

// Add records what replication rep of scenario k measured.
func (s *Shard) Add(k int, r Replication) {
	var den []ExactFloat
	if r.Den != nil { // nil: no denominators
		den = convertFloats[ExactFloat](r.Den)
	}
	s.Results = append(s.Results, ShardResult{Scenario: k, Rep: r.Rep, Values: convertFloats[ExactFloat](r.Values), Den: den})
}

// FileName is the shard's file name.
func (s *Shard) FileName() string { return ShardFileName(s.Shard, s.Shards) }

// Complete reports whether the shard holds exactly the pairs shard i of n of
// its batch runs, each with one value per metric; when not, the error says
// what is missing or extra.
func (s *Shard) Complete() error {
	want := s.Batch.ShardPairs(s.Shard, s.Shards)
	got := make([][]int, len(s.Batch.Scenarios))
	for _, r := range s.Results {
		if r.Scenario < 0 || r.Scenario >= len(got) {
			return fmt.Errorf("a result for scenario %d, which the batch does not have", r.Scenario)
		}
		if len(r.Values) != len(s.Metrics[r.Scenario]) || r.Den != nil && len(r.Den) != len(r.Values) {
			return fmt.Errorf("scenario %s replication %d has %d values for %d metrics",
				s.Batch.Scenarios[r.Scenario].Dir, r.Rep, len(r.Values), len(s.Metrics[r.Scenario]))
		}
		got[r.Scenario] = append(got[r.Scenario], r.Rep)
	}
	for k := range want {
		slices.Sort(got[k])
		if !slices.Equal(got[k], want[k]) {
			return fmt.Errorf("scenario %s: replications %v, want %v", s.Batch.Scenarios[k].Dir, got[k], want[k])
		}
	}
	return nil
}

// WriteShardFile writes s to path atomically, stamped with this build and
// its content hash.
func WriteShardFile(path string, s *Shard) error {
	s.Build = CurrentBuild()
	sum, err := s.contentHash()
	if err != nil {
		return err
	}
	s.ContentSHA256 = sum
	return WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		return enc.Encode(s)
	})
}

// ReadShardFile reads a shard file and checks its kind, version, content
// hash and shape. Only a regular file of at most MaxShardBytes is read (a
// named pipe or a link to a device is refused before it is opened).
func ReadShardFile(path string) (*Shard, error) {
	data, err := ReadRegular(path, MaxShardBytes)
	if err != nil {
		return nil, err
	}
	return ParseShardFile(path, data)
}

// ParseShardFile is ReadShardFile for a file held in memory; name is used in
// messages.
func ParseShardFile(path string, data []byte) (*Shard, error) {
	var s Shard
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: not a pilotsim shard file: %s", path, Clip(err.Error(), 200))
	}
	if s.Kind != shardKind {
		return nil, fmt.Errorf("%s: not a pilotsim shard file (kind %q)", path, s.Kind)
	}
	if s.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%s: shard file version %d, this pilotsim reads version %d", path, s.SchemaVersion, SchemaVersion)
	}
	if s.Shards < 1 || s.Shards > MaxShards || s.Shard < 0 || s.Shard >= s.Shards || len(s.Metrics) != len(s.Batch.Scenarios) {
		return nil, fmt.Errorf("%s: malformed shard file", path)
	}
	sum, err := s.contentHash()
	if err != nil {
		return nil, fmt.Errorf("%s: malformed shard file: %v", path, err)
	}
	// The file must be exactly what WriteShardFile writes for what it
	// holds: a field added, renamed or reformatted is an edit too (JSON
	// decoding would pass over an unknown field).
	canon, err := json.Marshal(&s)
	if err != nil || sum != s.ContentSHA256 || !bytes.Equal(bytes.TrimSuffix(data, []byte("\n")), canon) {
		return nil, fmt.Errorf("%s: edited or damaged: its content does not match its hash (content_sha256); run the shard again", path)
	}
	// Scenario folders come from the file: each must be one safe path
	// element, and no two alike, or a merge would write outside --out or
	// mix two scenarios.
	if len(s.Batch.Scenarios) > MaxBatchScenarios {
		return nil, fmt.Errorf("%s: malformed shard file: %d scenarios, at most %d", path, len(s.Batch.Scenarios), MaxBatchScenarios)
	}
	dirs := make(map[string]bool, len(s.Batch.Scenarios))
	for k, sc := range s.Batch.Scenarios {
		if sc.Index != k || !IsSafeName(sc.Dir) || dirs[sc.Dir] || sc.Replications < 0 || sc.Replications > scenarios.MaxReplications {
			return nil, fmt.Errorf("%s: malformed shard file: scenario %d (folder %q)", path, k, Clip(sc.Dir, 60))
		}
		dirs[sc.Dir] = true
	}
	// The id is a hash of the scenarios: a file whose scenarios do not give
	// its id was edited or damaged, and shards agreeing on the id must agree
	// on the scenarios for a merge to index them alike.
	if id := NewBatch(slices.Clone(s.Batch.Scenarios), nil).ID; id != s.Batch.ID {
		return nil, fmt.Errorf("%s: malformed shard file: its scenarios give batch id %s, not %s", path, id, s.Batch.ID)
	}
	return &s, nil
}

// seedText describes a batch's seed for messages.
func seedText(p *uint64) string {
	if p == nil {
		return "each scenario's own seed"
	}
	return "seed " + strconv.FormatUint(*p, 10)
}

// MergeError is the error of a merge that cannot go ahead. Missing lists the
// file names of absent shards (when that is the reason).
type MergeError struct {
	Msg     string
	Missing []string
}

func (e *MergeError) Error() string { return e.Msg }

// BatchResults is a whole batch's results: every scenario's metrics and
// replications.
type BatchResults struct {
	Batch   *Batch
	Metrics [][]Metric      // per scenario
	Reps    [][]Replication // per scenario, in replication order
	// Parquet makes WriteFiles write the long table as long.parquet too.
	Parquet bool
}

// MergeShards joins the shard files at paths into the batch's results. It
// refuses shards of different batches, seeds or shard counts, names the
// shards that are missing, and checks every shard holds all its pairs. The
// same shard given twice is used once when both copies agree.
func MergeShards(paths []string) (*BatchResults, error) {
	if len(paths) == 0 {
		return nil, &MergeError{Msg: "no shard files to merge"}
	}
	var first *Shard
	var firstPath string
	byIndex := map[int]*Shard{}
	where := map[int]string{}
	for _, p := range paths {
		s, err := ReadShardFile(p)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first, firstPath = s, p
		}
		switch {
		case s.Batch.ID != first.Batch.ID:
			return nil, &MergeError{Msg: fmt.Sprintf("%s is from batch %s but %s is from batch %s: refusing to merge shards of different batches",
				p, s.Batch.ID, firstPath, first.Batch.ID)}
		case !equalSeed(s.Batch.SeedOverride, first.Batch.SeedOverride):
			return nil, &MergeError{Msg: fmt.Sprintf("%s was run with %s but %s with %s: refusing to merge shards of different seeds",
				p, seedText(s.Batch.SeedOverride), firstPath, seedText(first.Batch.SeedOverride))}
		case s.Shards != first.Shards:
			return nil, &MergeError{Msg: fmt.Sprintf("%s is shard %d of %d but %s is shard %d of %d: refusing to merge different shardings",
				p, s.Shard, s.Shards, firstPath, first.Shard, first.Shards)}
		case s.Build.ID() != first.Build.ID():
			return nil, &MergeError{Msg: fmt.Sprintf("%s was run by pilotsim %s (build %s) but %s by pilotsim %s (build %s): refusing to merge shards of different builds; run every shard with one build",
				p, s.Build.Version, s.Build.ID(), firstPath, first.Build.Version, first.Build.ID())}
		}
		if prev, ok := byIndex[s.Shard]; ok {
			if !sameShard(prev, s) {
				return nil, &MergeError{Msg: fmt.Sprintf("%s and %s are both shard %d of %d and differ", where[s.Shard], p, s.Shard, s.Shards)}
			}
			continue
		}
		if err := s.Complete(); err != nil {
			return nil, &MergeError{Msg: fmt.Sprintf("%s is incomplete: %v", p, err)}
		}
		byIndex[s.Shard] = s
		where[s.Shard] = p
	}
	var missing []string
	for i := range first.Shards {
		if _, ok := byIndex[i]; !ok {
			missing = append(missing, ShardFileName(i, first.Shards))
		}
	}
	if len(missing) > 0 {
		return nil, &MergeError{
			Msg:     fmt.Sprintf("%d of %d shards missing: %s", len(missing), first.Shards, strings.Join(missing, ", ")),
			Missing: missing,
		}
	}
	b := first.Batch
	out := &BatchResults{Batch: &b, Metrics: make([][]Metric, len(b.Scenarios)), Reps: make([][]Replication, len(b.Scenarios))}
	copy(out.Metrics, first.Metrics)
	for i := range first.Shards {
		s := byIndex[i]
		for k := range s.Metrics {
			if !slices.Equal(s.Metrics[k], first.Metrics[k]) {
				return nil, &MergeError{Msg: fmt.Sprintf("%s and %s disagree on the metrics of scenario %s", where[i], firstPath, b.Scenarios[k].Dir)}
			}
		}
		for _, r := range s.Results {
			out.Reps[r.Scenario] = append(out.Reps[r.Scenario], r.Replication())
		}
	}
	for k := range out.Reps {
		sort.Slice(out.Reps[k], func(a, c int) bool { return out.Reps[k][a].Rep < out.Reps[k][c].Rep })
	}
	return out, nil
}

func equalSeed(a, b *uint64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// sameShard reports whether two copies of a shard hold the same results.
func sameShard(a, b *Shard) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// Reports returns each scenario's Report, as the batch writes them.
func (br *BatchResults) Reports() ([]*Report, error) {
	out := make([]*Report, len(br.Batch.Scenarios))
	for k, s := range br.Batch.Scenarios {
		r, err := NewReport(Run{Scenario: s.Name, Seed: s.Seed, Replications: s.Replications}, br.Metrics[k], br.Reps[k])
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Dir, err)
		}
		out[k] = r
	}
	return out, nil
}

// batchManifest is the document batch.json holds.
type batchManifest struct {
	SchemaVersion int    `json:"schema_version"`
	Kind          string `json:"kind"`
	Batch
	Pairs int `json:"pairs"`
}

// WriteFiles writes the batch's results into dir: every scenario's
// summary.csv, aggregate.csv and aggregate.json in its subdirectory, the
// long table of the whole batch (long.csv, one parameter column per --set
// path), results.xlsx and the report (report.html, report.md and its
// charts: the study table, the trade-off and each figure per scenario), then
// batch.json, the manifest, last — so a batch.json means the batch is
// complete. Unsharded and merged batches write the same bytes.
func (br *BatchResults) WriteFiles(dir string) error {
	reports, err := br.Reports()
	if err != nil {
		return err
	}
	for k, s := range br.Batch.Scenarios {
		if len(br.Reps[k]) != s.Replications {
			return fmt.Errorf("scenario %s: %d of %d replications", s.Dir, len(br.Reps[k]), s.Replications)
		}
		sub := filepath.Join(dir, s.Dir)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := reports[k].WriteFiles(sub); err != nil {
			return err
		}
	}
	long := LongBatch(br.Batch, reports)
	if err := long.WriteFiles(dir); err != nil {
		return err
	}
	if br.Parquet {
		if err := long.WriteParquetFile(dir); err != nil {
			return err
		}
	}
	doc, err := batchReportDoc(br.Batch, reports)
	if err != nil {
		return err
	}
	if err := writeReport(dir, doc); err != nil {
		return err
	}
	m := batchManifest{SchemaVersion: SchemaVersion, Kind: batchKind, Batch: *br.Batch, Pairs: br.Batch.Pairs()}
	return WriteFileAtomic(filepath.Join(dir, BatchManifestFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}

// ReadBatchManifest reads dir/batch.json: the batch a complete output
// directory holds.
func ReadBatchManifest(dir string) (*Batch, error) {
	data, err := os.ReadFile(filepath.Join(dir, BatchManifestFile))
	if err != nil {
		return nil, err
	}
	var m batchManifest
	if err := json.Unmarshal(data, &m); err != nil || m.Kind != batchKind {
		return nil, fmt.Errorf("%s: not a pilotsim batch manifest", filepath.Join(dir, BatchManifestFile))
	}
	return &m.Batch, nil
}

// WriteBatchTable writes one line per scenario of a batch: its directory and
// its key figures (mean ± half-width of the 95% interval).
func WriteBatchTable(w io.Writer, b *Batch, reports []*Report) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Batch %s: %d scenarios, %d (scenario, replication) pairs, %s.\n", b.ID, len(b.Scenarios), b.Pairs(), seedText(b.SeedOverride))
	sb.WriteString("Each figure: mean across replications ± half-width of the 95% confidence interval.\n\n")
	cols := []sweepColumn{
		{metricInspection, "inspection rate"}, {metricHit, "hit rate"}, {metricDetection, "detection"},
		{metricRelease, "mean release h"}, {metricReleaseP90, "p90 release h"},
	}
	header := []string{"scenario", "reps"}
	for _, c := range cols {
		header = append(header, c.title)
	}
	rows := [][]string{header}
	for k, s := range b.Scenarios {
		m := indexEstimates(reports[k].Estimates)
		row := []string{s.Dir, strconv.Itoa(len(reports[k].Reps))}
		for _, c := range cols {
			e, _ := m.get(c.metric)
			row = append(row, cellSized(e, math.Abs(e.Mean)))
		}
		rows = append(rows, row)
	}
	writeAligned(&sb, rows, func(col int) bool { return col > 0 })
	_, err := io.WriteString(w, sb.String())
	return err
}

var errNoShards = errors.New("no shard files")

// FindShardFiles returns the shard files (shard-*-of-*.json) in dirs, sorted
// by name within each directory. A path that is itself a shard file is taken
// as is.
func FindShardFiles(dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, d)
			continue
		}
		m, err := filepath.Glob(filepath.Join(d, "shard-*-of-*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w in %s", errNoShards, strings.Join(dirs, ", "))
	}
	return out, nil
}

// JSONBatch is what batch and merge print with --json: the batch (its id,
// seed and scenarios with their files' SHA-256 and --set lists) and every
// scenario's aggregate, in batch order.
type JSONBatch struct {
	SchemaVersion int             `json:"schema_version"`
	Kind          string          `json:"kind"`
	Batch         Batch           `json:"batch"`
	Pairs         int             `json:"pairs"`
	Results       []JSONBatchItem `json:"results"`
}

// JSONBatchItem is one scenario's aggregate in a batch.
type JSONBatchItem struct {
	Dir string `json:"dir"`
	JSONReport
}

// WriteBatchJSON writes the batch and its scenarios' aggregates as JSON.
func WriteBatchJSON(w io.Writer, b *Batch, reports []*Report) error {
	j := JSONBatch{SchemaVersion: SchemaVersion, Kind: batchKind, Batch: *b, Pairs: b.Pairs()}
	for k, s := range b.Scenarios {
		j.Results = append(j.Results, JSONBatchItem{Dir: s.Dir, JSONReport: reports[k].JSON()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}
