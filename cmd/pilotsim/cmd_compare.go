package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// runCompare is `pilotsim compare A.yaml B.yaml [more…]`: every scenario runs
// with the same seed and replications (common random numbers); the table
// gives each scenario's figures and the paired difference of each from A.
func runCompare(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "compare", "A.yaml B.yaml [more.yaml…]")
	out := fs.String("out", "", "output `directory` (default out/compare-<A>-<B>…)")
	asJSON := fs.Bool("json", false, "print the comparison as JSON on stdout instead of the table")
	independent := fs.Bool("independent", false, "also run every scenario after A with seeds of its own, to measure how much pairing narrows the intervals (doubles the work)")
	f := addStudyFlags(fs, "seed of every scenario (default: A's seed)")
	prec := addPrecisionFlags(fs, "the 95% interval of each named figure's paired difference from A (for every scenario after A)")
	pos, err := f.parse(fs, args)
	if err != nil {
		return err
	}
	if err := prec.check(fs, *f.reps); err != nil {
		return err
	}
	if len(pos) < 2 {
		fs.Usage()
		return badInput(fmt.Errorf("want at least two scenario files, got %d", len(pos)))
	}

	// Load everything first: a bad file fails before any work is done. Every
	// scenario after A takes A's seed and replications (after the flags').
	scs := make([]*scenarios.Scenario, len(pos))
	models := make([]*sim.Model, len(pos))
	seed, reps := f.seed, *f.reps
	for i, p := range pos {
		sc, m, err := loadModel(p, f.sets, seed, reps)
		if err != nil {
			return err
		}
		scs[i], models[i] = sc, m
		seed, reps = &scs[0].Seed, scs[0].Replications
	}
	labels := compareLabels(pos, scs)
	if err := prec.resolve(unionMetrics(models)); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "compare-"+results.SafeName(strings.Join(labels, "-")))
	}
	if err := checkEstimate(e, f, models...); err != nil {
		return err
	}
	inputs, err := scenarioInputs(pos...)
	if err != nil {
		return err
	}
	opts := studyOptions(f, prec.options()...)
	if *independent {
		opts = append(opts, "independent")
	}
	man := results.NewManifest("compare", inputs, f.sets, opts)
	if err := claimOutput(dir, man, *f.force); err != nil {
		return err
	}

	// Each scenario's replications are kept in dir as soon as they are
	// done: a compare run again after an interruption runs only the rest.
	// With --precision every scenario runs the same batches (replication r
	// of each draws only from (seed, r), so the batches give the
	// replications of one fixed run).
	reports := make([]*results.Report, len(scs))
	var c *results.Comparison
	if prec.on() {
		done := make([][]results.Replication, len(scs))
		precision, err := prec.sequential(e, prec.first(*f.reps), func(batch, from, to int) error {
			for i := range scs {
				scs[i].Replications = to
				got, err := runUnitTo(ctx, e, dir, i, batch, pos[i], f.sets, scs[i], models[i], f, done[i], from, to)
				if err != nil {
					return err
				}
				done[i] = got
			}
			return nil
		}, func() ([]results.PrecisionCheck, error) {
			for i, sc := range scs {
				r, err := results.NewReport(results.Run{Scenario: sc.Name, Seed: sc.Seed, Replications: sc.Replications}, models[i].Metrics(), done[i])
				if err != nil {
					return nil, err
				}
				reports[i] = r
			}
			var err error
			if c, err = results.NewComparison(labels, reports); err != nil {
				return nil, err
			}
			return c.PrecisionChecks(prec.targets), nil
		})
		if err != nil {
			return err
		}
		c.Precision = precision
	} else {
		for i := range scs {
			r, err := runUnit(ctx, e, dir, i, pos[i], f.sets, scs[i], models[i], f)
			if err != nil {
				return err
			}
			reports[i] = r
		}
		if c, err = results.NewComparison(labels, reports); err != nil {
			return err
		}
	}
	if *independent {
		var indep []*results.Report
		for i := 1; i < len(scs); i++ {
			// Another seed: every stream is a hash of (seed, replication,
			// purpose), so these replications share nothing with A's.
			scs[i].Seed = independentSeed(scs[0].Seed, i)
			scs[i].Replications = scs[0].Replications // with --precision: the count reached
			m, err := sim.Compile(scs[i])
			if err != nil {
				return fmt.Errorf("%s: %w", pos[i], err) // a bug: Compile trusts what Load accepted
			}
			r, err := runUnit(ctx, e, dir, len(scs)+i-1, pos[i], f.sets, scs[i], m, f)
			if err != nil {
				return err
			}
			indep = append(indep, r)
		}
		if err := c.SetIndependent(indep); err != nil {
			return err
		}
	}

	return writeStudy(e, dir, c, c.WriteCompareReport, *asJSON, *f.parquet, man)
}

// independentSeed is the seed of scenario k's independent run: far from seed
// in every bit (the streams hash it, so any other value would do).
func independentSeed(seed uint64, k int) uint64 {
	return seed ^ (0x9e3779b97f4a7c15 * uint64(k))
}

// compareLabels names the compared scenarios: by their names, by their file
// names when names repeat, by letters when those repeat too.
func compareLabels(paths []string, scs []*scenarios.Scenario) []string {
	// Labels name sub-folders of --out (through results.SafeName): they
	// must stay apart once made safe.
	unique := func(l []string) bool {
		seen := map[string]bool{}
		for _, s := range l {
			k := results.SafeName(s)
			if s == "" || seen[k] {
				return false
			}
			seen[k] = true
		}
		return true
	}
	names := make([]string, len(scs))
	for i, sc := range scs {
		names[i] = sc.Name
	}
	if unique(names) {
		return names
	}
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	}
	if unique(names) {
		return names
	}
	for i := range names {
		names[i] = string(rune('A' + i%26))
		if i >= 26 {
			names[i] += fmt.Sprint(i / 26)
		}
	}
	return names
}
