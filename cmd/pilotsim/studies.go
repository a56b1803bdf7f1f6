package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sync/atomic"

	"pilotsim/metric"
	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// This file holds what compare, sweep and batch share: their flags, loading a
// scenario as bad input (loadModel, which run and generate use too), and
// running it into a results.Report.

// studyFlags are the flags every study command takes.
type studyFlags struct {
	workers *int
	reps    *int
	seed    *uint64 // nil after parse unless --seed was given
	sets    stringList
	quiet   *bool
	force   *bool
	parquet *bool
	json    bool // --json, for the commands that take it
}

// addStudyFlags adds --workers, --reps, --seed, --set and --quiet to fs.
func addStudyFlags(fs *flag.FlagSet, seedHelp string) *studyFlags {
	f := &studyFlags{
		workers: fs.Int("workers", 0, "replications run at the same time (default: number of CPUs)"),
		reps:    fs.Int("reps", 0, "number of replications (default: the scenario's)"),
		seed:    fs.Uint64("seed", 0, seedHelp),
		quiet:   fs.Bool("quiet", false, "no progress bar"),
		force:   fs.Bool("force", false, "run what the pre-run estimate says will not fit this machine, and replace the output of another study in --out"),
		parquet: fs.Bool("parquet", false, "also write the long table as "+results.LongParquetFile+" (for pandas, R, DuckDB, Spark)"),
	}
	fs.Var(&f.sets, "set", "override a value of every scenario, `path=value` (repeatable)")
	return f
}

// parse parses args with fs, checks the study flags and returns the
// positional arguments.
func (f *studyFlags) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	seedSet := false
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "seed" {
			seedSet = true
		}
	})
	if !seedSet {
		f.seed = nil
	}
	switch {
	case *f.workers < 0:
		return nil, badInput(fmt.Errorf("--workers %d: want 0 (all CPUs) or more", *f.workers))
	}
	if err := scenarios.CheckReplications(*f.reps); err != nil {
		return nil, badInput(err)
	}
	return pos, nil
}

// loadModel loads the scenario at path with the overrides sets and compiles
// it; seed (when not nil) and reps (when > 0) replace the scenario's seed and
// number of replications first. A scenario that does not load or compile is
// bad input.
func loadModel(path string, sets []string, seed *uint64, reps int) (*scenarios.Scenario, *sim.Model, error) {
	sc, err := scenarios.Load(path, sets)
	if err != nil {
		return nil, nil, badInput(err)
	}
	if seed != nil {
		sc.Seed = *seed
	}
	if reps > 0 {
		sc.Replications = reps
	}
	m, err := sim.Compile(sc)
	if err != nil {
		return nil, nil, err // a bug: Compile trusts what Load accepted
	}
	return sc, m, nil
}

// runStudy runs replications reps (nil: all) of a compiled scenario and
// returns its report. An interrupted run is an error: a study with some
// scenarios missing replications would compare unlike with unlike.
func runStudy(ctx context.Context, e *env, sc *scenarios.Scenario, m *sim.Model, reps []int, f *studyFlags) (*results.Report, error) {
	rr, err := runReps(ctx, e, sc, m, reps, f)
	if err != nil {
		return nil, err
	}
	return results.NewReport(results.Run{Scenario: sc.Name, Seed: sc.Seed, Replications: sc.Replications}, m.Metrics(), rr)
}

// runReps runs replications reps (nil: all) of a compiled scenario; an
// interrupt is an error, as in runStudy.
func runReps(ctx context.Context, e *env, sc *scenarios.Scenario, m *sim.Model, reps []int, f *studyFlags) ([]metric.Rep, error) {
	var done, finished atomic.Int64
	bar := newProgress(e, *f.quiet, sc)
	rr, err := runWithProgress(ctx, m, sim.Options{Workers: *f.workers, Reps: reps, Progress: &done, Done: &finished}, &done, bar)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted while running %s; nothing written: %w", sc.Name, err)
		}
		return nil, classifyRunError(fmt.Errorf("%s: %w", sc.Name, err))
	}
	return rr, nil
}

// unionMetrics is every metric of models, the first's first, each once.
func unionMetrics(models []*sim.Model) []metric.Def {
	seen := map[metric.Key]bool{}
	var out []metric.Def
	for _, m := range models {
		for _, d := range m.Metrics() {
			if !seen[d.Key] {
				seen[d.Key] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// study is what compare and sweep write: files, a report, and a table or JSON.
type study interface {
	WriteFiles(dir string) error
	WriteTable(w io.Writer) error
	WriteJSON(w io.Writer) error
	Long() *results.LongTable
}

// writeStudy writes a study's files and report into dir, then its table (or
// JSON with asJSON) to stdout, and names the report on stderr.
// The manifest m is written last, when every file is in place (long.parquet
// too, with parquet).
func writeStudy(e *env, dir string, s study, writeReport func(dir string) error, asJSON, parquet bool, m *results.Manifest) error {
	if err := s.WriteFiles(dir); err != nil {
		return err
	}
	if parquet {
		if err := s.Long().WriteParquetFile(dir); err != nil {
			return err
		}
	}
	if err := writeReport(dir); err != nil {
		return err
	}
	if err := finishOutput(dir, m); err != nil {
		return err
	}
	var err error
	if asJSON {
		err = s.WriteJSON(e.stdout)
	} else {
		err = s.WriteTable(e.stdout)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", filepath.Join(dir, results.ReportHTMLFile))
	return nil
}
