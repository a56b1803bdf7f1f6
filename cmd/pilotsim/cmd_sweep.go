package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// sweepSpec collects --param, --values and --range in the order given: each
// --values or --range belongs to the --param before it.
type sweepSpec struct {
	params []results.SweepParam
	given  []bool // a --values or --range was given for params[i]
}

// sweepFlag is one of the three flags feeding a sweepSpec.
type sweepFlag struct {
	spec *sweepSpec
	kind string // "param", "values" or "range"
}

func (f sweepFlag) String() string { return "" }

func (f sweepFlag) Set(s string) error {
	sp := f.spec
	if f.kind == "param" {
		if s == "" {
			return errors.New("empty path")
		}
		sp.params = append(sp.params, results.SweepParam{Path: s})
		sp.given = append(sp.given, false)
		return nil
	}
	n := len(sp.params)
	if n == 0 {
		return fmt.Errorf("--%s %s comes before any --param", f.kind, s)
	}
	if sp.given[n-1] {
		return fmt.Errorf("--param %s has two value lists; give one --values or --range per --param", sp.params[n-1].Path)
	}
	var vals []string
	var err error
	if f.kind == "values" {
		vals, err = results.ParseValues(s)
	} else {
		vals, err = results.ParseRange(s)
	}
	if err != nil {
		return err
	}
	sp.params[n-1].Values = vals
	sp.given[n-1] = true
	return nil
}

// runSweep is `pilotsim sweep SCENARIO.yaml --param PATH --values …`: the
// scenario at every point of the grid, the trade-off table and the Pareto
// frontier.
func runSweep(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sweep", "SCENARIO.yaml --param PATH (--values v1,v2,… | --range from:to:step) [--param …]")
	spec := &sweepSpec{}
	fs.Var(sweepFlag{spec, "param"}, "param", "scenario `path` to sweep, as --set takes it (repeatable: a grid)")
	fs.Var(sweepFlag{spec, "values"}, "values", "the values of the preceding --param, `v1,v2,…`")
	fs.Var(sweepFlag{spec, "range"}, "range", "the values of the preceding --param, `from:to:step` (both ends included)")
	out := fs.String("out", "", "output `directory` (default out/sweep-<scenario name>)")
	asJSON := fs.Bool("json", false, "print the sweep as JSON on stdout instead of the table")
	list := fs.String("batch-list", "", "write the grid as a batch list `file` for `pilotsim batch` instead of running it")
	f := addStudyFlags(fs, "seed of every point (default: the scenario's)")
	prec := addPrecisionFlags(fs, "each named figure's 95% interval at every point")
	pos, err := f.parse(fs, args)
	if err != nil {
		return err
	}
	if err := prec.check(fs, *f.reps); err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return badInput(fmt.Errorf("want one scenario file, got %d arguments", len(pos)))
	}
	for i, p := range spec.params {
		if !spec.given[i] {
			return badInput(fmt.Errorf("--param %s has no --values or --range after it", p.Path))
		}
	}
	grid, err := results.Grid(spec.params)
	if err != nil {
		return badInput(err)
	}
	if *list != "" {
		if prec.on() {
			return badInput(fmt.Errorf("--precision %s: not with --batch-list (a batch runs a fixed number of replications)", prec.targets[0].Spec))
		}
		if err := writeBatchList(*list, pos[0], f.sets, grid, spec.params); err != nil {
			return err
		}
		_, err := fmt.Fprintf(e.stdout, "wrote the %d points as a batch list to %s; run it with: pilotsim batch %s\n", len(grid), *list, *list)
		return err
	}

	// Load every point first: a bad value fails before any work is done.
	type point struct {
		sc *scenarios.Scenario
		m  *sim.Model
	}
	points := make([]point, len(grid))
	for i, g := range grid {
		sc, m, err := loadModel(pos[0], append(append([]string(nil), f.sets...), g.Sets...), f.seed, *f.reps)
		if err != nil {
			return err
		}
		points[i] = point{sc, m}
	}
	name := points[0].sc.Name
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "sweep-"+results.SafeName(name))
	}
	models := make([]*sim.Model, len(points))
	for i, p := range points {
		models[i] = p.m
	}
	if err := prec.resolve(unionMetrics(models)); err != nil {
		return err
	}
	if err := checkEstimate(e, f, models...); err != nil {
		return err
	}
	inputs, err := scenarioInputs(pos[0])
	if err != nil {
		return err
	}
	var opts []string
	for _, p := range spec.params {
		opts = append(opts, "param="+p.Path+"="+strings.Join(p.Values, ","))
	}
	opts = append(opts, prec.options()...)
	man := results.NewManifest("sweep", inputs, f.sets, studyOptions(f, opts...))
	if err := claimOutput(dir, man, *f.force); err != nil {
		return err
	}
	// Each point's replications are kept in dir as soon as they are done: a
	// sweep run again after an interruption runs only the points not done.
	// With --precision every point runs the same batches, so the points stay
	// paired, until every point's intervals are narrow enough.
	var sp []results.SweepPoint
	var precision *results.Precision
	if prec.on() {
		done := make([][]results.Replication, len(grid))
		precision, err = prec.sequential(e, prec.first(*f.reps), func(batch, from, to int) error {
			for i, g := range grid {
				if !*f.quiet && isTerminal(e.stderr) {
					fmt.Fprintf(e.stderr, "point %d of %d: %s, replications %d–%d\n", i+1, len(grid), g.Name(), from, to-1)
				}
				points[i].sc.Replications = to
				sets := append(append([]string(nil), f.sets...), g.Sets...)
				got, err := runUnitTo(ctx, e, dir, i, batch, pos[0], sets, points[i].sc, points[i].m, f, done[i], from, to)
				if err != nil {
					return err
				}
				done[i] = got
			}
			return nil
		}, func() ([]results.PrecisionCheck, error) {
			sp = sp[:0]
			var cs []results.PrecisionCheck
			for i, g := range grid {
				sc := points[i].sc
				r, err := results.NewReport(results.Run{Scenario: sc.Name, Seed: sc.Seed, Replications: sc.Replications}, points[i].m.Metrics(), done[i])
				if err != nil {
					return nil, err
				}
				sp = append(sp, results.SweepPoint{GridPoint: g, Report: r})
				cs = append(cs, r.PrecisionChecks(prec.targets, g.Name())...)
			}
			return cs, nil
		})
		if err != nil {
			return err
		}
	} else {
		for i, g := range grid {
			if !*f.quiet && isTerminal(e.stderr) {
				fmt.Fprintf(e.stderr, "point %d of %d: %s\n", i+1, len(grid), g.Name())
			}
			sets := append(append([]string(nil), f.sets...), g.Sets...)
			r, err := runUnit(ctx, e, dir, i, pos[0], sets, points[i].sc, points[i].m, f)
			if err != nil {
				return err
			}
			sp = append(sp, results.SweepPoint{GridPoint: g, Report: r})
		}
	}
	s, err := results.NewSweep(name, spec.params, sp)
	if err != nil {
		return err
	}
	s.Precision = precision
	return writeStudy(e, dir, s, s.WriteSweepReport, *asJSON, *f.parquet, man)
}

// writeBatchList writes the grid as a batch list: one line per point, the
// scenario file (relative to the list's directory) and its overrides.
func writeBatchList(path, scenario string, sets []string, grid []results.GridPoint, params []results.SweepParam) error {
	// Every override that goes into a line: the list splits at spaces and
	// drops what follows #.
	check := append([]string(nil), sets...)
	for _, g := range grid {
		check = append(check, g.Sets...)
	}
	for _, s := range check {
		if strings.ContainsAny(s, " \t#") {
			return badInput(fmt.Errorf("%q: a batch list cannot hold spaces or # in an override", s))
		}
	}
	abs, err := filepath.Abs(scenario)
	if err != nil {
		return err
	}
	dirAbs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(dirAbs, abs)
	if err != nil {
		rel = abs
	}
	rel = filepath.ToSlash(rel)
	if strings.ContainsAny(rel, " \t#") {
		return badInput(fmt.Errorf("%q: a batch list cannot hold spaces or # in a scenario file name", rel))
	}
	if err := os.MkdirAll(dirAbs, 0o755); err != nil {
		return err
	}
	var paths []string
	for _, p := range params {
		paths = append(paths, p.Path)
	}
	return results.WriteFileAtomic(path, func(w io.Writer) error {
		fmt.Fprintf(w, "# pilotsim batch list: %s swept over %s (%d points)\n", scenario, strings.Join(paths, " × "), len(grid))
		fmt.Fprintf(w, "# one scenario per line: FILE [PATH=VALUE …]; FILE relative to this list\n")
		for _, g := range grid {
			line := append([]string{rel}, sets...)
			line = append(line, g.Sets...)
			if _, err := fmt.Fprintln(w, strings.Join(line, " ")); err != nil {
				return err
			}
		}
		return nil
	})
}
