package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"pilotsim/metric"
	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// TraceFile is the per-consignment trace written with --trace; with
// --trace-format csv.gz it is gzipped under the name traceFile+".gz".
const traceFile = "consignments.csv"

// traceFileNames are the names a trace may have; a run removes those it did
// not write, so that an earlier run's trace never looks like this run's.
var traceFileNames = map[string]string{"csv": traceFile, "csv.gz": traceFile + ".gz", "parquet": "consignments.parquet"}

// progressEvery is how often the progress bar polls the consignment counter
// (a variable for tests).
var progressEvery = 100 * time.Millisecond

// testHookProgress, when set by a test, is called by the coordinating
// goroutine at every poll with the consignments done so far.
var testHookProgress func(done int64)

// runRun is `pilotsim run SCENARIO.yaml`: run the replications, print the
// summary table (or JSON) and write the result files.
func runRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "run", "SCENARIO.yaml")
	out := fs.String("out", "", "output `directory` (default out/<scenario name>)")
	workers := fs.Int("workers", 0, "replications run at the same time (default: number of CPUs)")
	reps := fs.Int("reps", 0, "number of replications (default: the scenario's)")
	var sets stringList
	fs.Var(&sets, "set", "override a scenario value, `path=value` (repeatable)")
	asJSON := fs.Bool("json", false, "print the aggregate as JSON on stdout instead of the table")
	trace := fs.Bool("trace", false, "also write "+traceFile+", one row per consignment")
	traceFormat := fs.String("trace-format", "csv", "format of the --trace file: csv; csv.gz (gzipped, about a fifth of the size); or parquet (typed columns, for pandas, R, DuckDB, Spark)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	force := fs.Bool("force", false, "run what the pre-run estimate says will not fit this machine, and replace the output of another study in --out")
	estimate := fs.Bool("estimate", false, "print the pre-run estimate of memory and time and stop")
	prec := addPrecisionFlags(fs, "each named figure's 95% interval")
	asParquet := fs.Bool("parquet", false, "also write the long table as "+results.LongParquetFile+" (for pandas, R, DuckDB, Spark)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := prec.check(fs, *reps); err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		fs.Usage()
		return badInput(fmt.Errorf("want one scenario file, got %d arguments", len(pos)))
	case *workers < 0:
		return badInput(fmt.Errorf("--workers %d: want 0 (all CPUs) or more", *workers))
	case traceFileNames[*traceFormat] == "":
		return badInput(fmt.Errorf("--trace-format %q: want csv, csv.gz or parquet", *traceFormat))
	}
	if err := scenarios.CheckReplications(*reps); err != nil {
		return badInput(err)
	}

	sc, model, err := loadModel(pos[0], sets, nil, *reps)
	if err != nil {
		return err
	}
	if err := prec.resolve(model.Metrics()); err != nil {
		return err
	}
	if *estimate {
		est := sim.EstimateRun(model, *reps, *workers)
		avail, where := availableMemory()
		_, err := fmt.Fprintf(e.stdout, "%s: up to %s of memory (%.0f bytes), about %s on %d workers; %.4g consignments per replication; this machine: %s (%s)\n",
			sc.Name, formatBytes(est.Bytes), est.Bytes, formatTime(est.Time), est.Workers, est.Consignments, formatBytes(avail), where)
		return err
	}
	if err := checkEstimateRun(e, *force, *reps, *workers, model); err != nil {
		return err
	}
	inputs, err := scenarioInputs(pos[0])
	if err != nil {
		return err
	}
	var opts []string
	if *reps > 0 {
		opts = append(opts, fmt.Sprintf("reps=%d", *reps))
	}
	// --trace adds a file but changes no result: not an option of the
	// study (a run without it into the same --out removes the old trace).
	opts = append(opts, prec.options()...)
	man := results.NewManifest("run", inputs, sets, opts)
	dir := *out
	if dir == "" {
		// The name comes from the file: made safe, it stays inside out/.
		dir = filepath.Join("out", results.SafeName(sc.Name))
	}
	made, err := claimNewResults(dir, man, *force)
	if err != nil {
		return err
	}
	success := false
	defer func() {
		if !success && made {
			os.Remove(dir) // only if still empty
		}
	}()

	var done, repsDone atomic.Int64
	opt := sim.Options{Workers: *workers, Progress: &done, Done: &repsDone, PoolHours: true}
	var tf *results.TraceFiles
	if *trace {
		names := traceNames(sc)
		tf, err = results.NewTraceFiles(filepath.Join(dir, traceFileNames[*traceFormat]), results.TraceHeader(names))
		if err != nil {
			return err
		}
		tf.Gzip = *traceFormat == "csv.gz"
		tf.Parquet = *traceFormat == "parquet"
		defer tf.Discard() // a no-op once committed
		opt.Trace = func(rep int) sim.TraceSink {
			// Each replication's records come from a generator set to it;
			// Record draws from its own stream, so the run is unchanged.
			g := model.NewGenerator()
			g.Reset(rep)
			return results.NewConsignmentTrace(names, tf, rep, g.Record)
		}
	}

	var finished []metric.Rep
	var runErr error
	var precision *results.Precision
	if prec.on() {
		// Replication r draws only from (seed, r): the batches 0…9, 10…19, …
		// give the replications of one fixed run of the final count.
		precision, runErr = prec.sequential(e, prec.first(*reps), func(_, from, to int) error {
			sc.Replications = to // the bar counts toward it (done keeps counting across batches)
			opt.Reps = span(from, to)
			got, err := runWithProgress(ctx, model, opt, &done, newProgress(e, *quiet, sc))
			finished = append(finished, got...)
			return err
		}, func() ([]results.PrecisionCheck, error) {
			r, err := results.NewReport(results.Run{}, model.Metrics(), finished)
			if err != nil {
				return nil, err
			}
			return r.PrecisionChecks(prec.targets, ""), nil
		})
	} else {
		finished, runErr = runWithProgress(ctx, model, opt, &done, newProgress(e, *quiet, sc))
	}
	interrupted := runErr != nil && ctx.Err() != nil
	if runErr != nil && !interrupted {
		if tf != nil {
			tf.Discard()
		}
		return classifyRunError(runErr)
	}

	report, err := results.NewReport(results.Run{
		Scenario:     sc.Name,
		Seed:         sc.Seed,
		Replications: sc.Replications,
		Partial:      interrupted,
	}, model.Metrics(), finished)
	if err != nil {
		return err
	}
	report.Precision = precision
	if len(report.Reps) == 0 {
		if interrupted {
			if tf != nil {
				tf.Discard()
			}
			return fmt.Errorf("interrupted before any replication finished; nothing written: %w", runErr)
		}
		return fmt.Errorf("no replication ran")
	}
	if err := report.WriteFiles(dir); err != nil {
		return err
	}
	if err := results.RunLong(report).WriteFiles(dir); err != nil {
		return err
	}
	if *asParquet {
		if err := results.RunLong(report).WriteParquetFile(dir); err != nil {
			return err
		}
	} else if err := os.Remove(filepath.Join(dir, results.LongParquetFile)); err != nil && !os.IsNotExist(err) {
		return err // an earlier run's table would look like this one's
	}
	if err := report.WriteRunReport(dir); err != nil {
		return err
	}
	if tf != nil {
		done := make([]int, len(report.Reps))
		for i, r := range report.Reps {
			done[i] = r.Rep
		}
		if err := tf.Commit(done); err != nil {
			return err
		}
	}
	for format, name := range traceFileNames {
		if tf != nil && format == *traceFormat {
			continue
		}
		// A trace left by an earlier run would look like this run's.
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	// The manifest, last: an interrupted run's partial results say
	// complete: false.
	man.Partial = interrupted
	if err := results.WriteManifest(dir, man); err != nil {
		return err
	}
	success = true
	if *asJSON {
		err = report.WriteAggregateJSON(e.stdout)
	} else {
		err = report.WriteTable(e.stdout)
	}
	if err != nil {
		return err
	}
	if interrupted {
		return fmt.Errorf("interrupted: %d of %d replications finished; partial results (\"partial\": true) written to %s: %w",
			len(report.Reps), sc.Replications, dir, runErr)
	}
	return nil
}

// runWithProgress runs the replications in a goroutine while this, the
// coordinating goroutine, polls the consignment counter into the progress bar.
func runWithProgress(ctx context.Context, m *sim.Model, opt sim.Options, done *atomic.Int64, bar *progressbar.ProgressBar) ([]metric.Rep, error) {
	return withProgress(bar, done, func(n int64) {
		if bar != nil && opt.Done != nil {
			bar.Describe(fmt.Sprintf("%s: %d/%d replications done, consignments", m.Scenario.Name, opt.Done.Load(), m.Scenario.Replications))
		}
		if testHookProgress != nil {
			testHookProgress(n)
		}
	}, func() ([]metric.Rep, error) { return sim.Run(ctx, m, opt) })
}

// withProgress runs work in a goroutine while this, the coordinating
// goroutine, polls the counter done into the progress bar (nil: none) every
// progressEvery, calling tick (if not nil) with the count after the bar; the
// bar is cleared when work returns.
func withProgress[T any](bar *progressbar.ProgressBar, done *atomic.Int64, tick func(n int64), work func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := work()
		ch <- result{v, err}
	}()
	ticker := time.NewTicker(progressEvery)
	defer ticker.Stop()
	for {
		select {
		case r := <-ch:
			if bar != nil {
				bar.Set64(done.Load())
				bar.Clear()
			}
			return r.v, r.err
		case <-ticker.C:
			n := done.Load()
			if bar != nil {
				bar.Set64(n)
			}
			if tick != nil {
				tick(n)
			}
		}
	}
}

// newProgress returns a progress bar on stderr when stderr is a terminal and
// not quiet, else nil. Its total is the expected number of consignments: the
// mean arrival rates times the horizon, for every replication.
func newProgress(e *env, quiet bool, sc *scenarios.Scenario) *progressbar.ProgressBar {
	return consignmentBar(e, quiet, sc, sc.Replications, "replications")
}

// consignmentBar returns a progress bar of the consignments of runs
// simulations of sc ("N <what>, consignments"), on stderr when it is a
// terminal and not quiet, else nil: the mean arrival rates times the horizon,
// for every run.
func consignmentBar(e *env, quiet bool, sc *scenarios.Scenario, runs int, what string) *progressbar.ProgressBar {
	if quiet || !isTerminal(e.stderr) {
		return nil
	}
	rate := 0.0 // per hour
	for _, t := range sc.Traffic {
		rate += t.Rate
	}
	total := int64(rate*float64(sc.Horizon)/60*float64(runs)) + 1
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("%s: %d %s, consignments", sc.Name, runs, what)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(progressEvery),
		progressbar.OptionClearOnFinish(),
	)
}

// countBar returns a progress bar over total steps named desc, on stderr when
// it is a terminal and not quiet, else nil.
func countBar(e *env, quiet bool, total int64, desc string) *progressbar.ProgressBar {
	f, ok := e.stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// traceNames gives the trace the scenario's names for the engine's indices.
func traceNames(sc *scenarios.Scenario) results.TraceNames {
	var n results.TraceNames
	for _, r := range sc.Rules {
		n.Rules = append(n.Rules, r.ID)
	}
	for _, t := range sc.Threats {
		n.Threats = append(n.Threats, t.Name)
	}
	for _, p := range sc.Resources.Pools {
		n.Pools = append(n.Pools, p.Name)
		n.PoolMethods = append(n.PoolMethods, p.Method)
	}
	// A consignment hit by routed rules visits the union of their pools.
	union := map[string]bool{}
	for _, r := range sc.Rules {
		for _, p := range r.Route {
			union[p] = true
		}
	}
	n.Stages = max(len(sc.Resources.Yellow), len(sc.Resources.Red), len(union))
	n.Warmup = float64(sc.Warmup)
	return n
}
