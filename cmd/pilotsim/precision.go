package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"

	"pilotsim/metric"
	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// precisionFlags are --precision (repeatable) and --max-reps, which run,
// compare and sweep share: replications are added in batches until every
// target is reached (the procedure is results.NextReplications).
type precisionFlags struct {
	targets []results.PrecisionTarget
	maxReps *int
	maxSet  bool
}

// precisionFlag is the flag.Value of --precision: each value is parsed
// (syntax, number, unit) as it is given.
type precisionFlag struct{ p *precisionFlags }

func (f precisionFlag) String() string { return "" }

func (f precisionFlag) Set(s string) error {
	t, err := results.ParsePrecision(s)
	if err != nil {
		return err
	}
	f.p.targets = append(f.p.targets, t)
	return nil
}

// addPrecisionFlags adds --precision and --max-reps to fs; what names the
// interval (a figure, a paired difference) is the command's help.
func addPrecisionFlags(fs *flag.FlagSet, of string) *precisionFlags {
	p := &precisionFlags{}
	fs.Var(precisionFlag{p}, "precision", fmt.Sprintf("add replications in batches until %s reaches no further than `METRIC=HALFWIDTH` from its mean "+
		"(repeatable; e.g. release.red.mean=0.1h, detection=0.5pp, hit_rate=5%% of the mean); starts with --reps (default %d)",
		of, results.PrecisionFirst))
	p.maxReps = fs.Int("max-reps", results.PrecisionMaxReps, "with --precision: the most replications to run")
	return p
}

// on reports whether --precision was given.
func (p *precisionFlags) on() bool { return len(p.targets) > 0 }

// check checks the flags after parsing: --max-reps only with --precision and
// no smaller than the first batch. reps is --reps (0 when not given).
func (p *precisionFlags) check(fs *flag.FlagSet, reps int) error {
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "max-reps" {
			p.maxSet = true
		}
	})
	switch {
	case p.maxSet && !p.on():
		return badInput(fmt.Errorf("--max-reps %d: only with --precision", *p.maxReps))
	case !p.on():
		return nil
	case *p.maxReps < 2:
		return badInput(fmt.Errorf("--max-reps %d: want 2 or more (an interval needs two replications)", *p.maxReps))
	case *p.maxReps > scenarios.MaxReplications:
		return badInput(fmt.Errorf("--max-reps %d: at most %d replications (each keeps its figures in memory until the end)", *p.maxReps, scenarios.MaxReplications))
	case p.first(reps) > *p.maxReps:
		return badInput(fmt.Errorf("--max-reps %d: want at least the first batch, %d replications (--reps)", *p.maxReps, p.first(reps)))
	}
	return nil
}

// first is the first batch: --reps when given (at least 2), else
// results.PrecisionFirst.
func (p *precisionFlags) first(reps int) int {
	if reps > 0 {
		return max(reps, 2)
	}
	return results.PrecisionFirst
}

// resolve finds every target's metric among metrics (bad input when one is
// not there or its unit does not fit).
func (p *precisionFlags) resolve(metrics []metric.Def) error {
	var errs []error
	for i := range p.targets {
		if err := p.targets[i].Resolve(metrics); err != nil {
			errs = append(errs, err)
		}
	}
	return badInput(errors.Join(errs...))
}

// sequential runs the batches: first, then as results.NextReplications
// projects, until every check is reached or --max-reps. runTo(batch, from,
// to) runs replications from … to−1 (batch 0, 1, …) and adds them to the
// study; checks() holds the
// study as it stands to the targets. It returns the record of the procedure
// and warns on stderr when --max-reps stopped it first (the results stand,
// with their wider intervals: exit code 0); on an error (an interrupt) the
// study holds the replications finished.
func (p *precisionFlags) sequential(e *env, first int, runTo func(batch, from, to int) error, checks func() ([]results.PrecisionCheck, error)) (*results.Precision, error) {
	var batches []int
	r := 0
	next := first
	for {
		if err := runTo(len(batches), r, next); err != nil {
			return nil, err
		}
		r = next
		batches = append(batches, r)
		cs, err := checks()
		if err != nil {
			return nil, err
		}
		next = results.NextReplications(r, *p.maxReps, cs)
		if next == r {
			rec := results.NewPrecision(p.targets, first, *p.maxReps, batches, cs)
			if !rec.Reached {
				fmt.Fprintf(e.stderr, "warning: --max-reps %d reached before every --precision target; the figures are those of %d replications, with the intervals shown\n", *p.maxReps, r)
			}
			return rec, nil
		}
	}
}

// span is the replications from … to−1.
func span(from, to int) []int {
	out := make([]int, 0, to-from)
	for r := from; r < to; r++ {
		out = append(out, r)
	}
	return out
}

// options are the precision flags as a study's manifest records them (a
// folder holding a precision study is not resumed by another study).
func (p *precisionFlags) options() []string {
	var o []string
	for _, t := range p.targets {
		o = append(o, "precision="+t.Spec)
	}
	if p.on() {
		o = append(o, "max-reps="+strconv.Itoa(*p.maxReps))
	}
	return o
}

// precisionUnits separates the resume files of a precision study's batches:
// batch b of unit k is kept as unit k + precisionUnits·(b+1).
const precisionUnits = 10000

// runUnitTo extends unit k of a study (scenario sc from file path with the
// overrides sets, compiled as m; have holds its replications 0 … from−1)
// to replications 0 … to−1, as batch number batch of --precision. Like
// runUnit it takes them from an earlier, interrupted run of the same study
// in dir, or keeps them there (all of 0 … to−1, one file per batch) as soon
// as they are done.
func runUnitTo(ctx context.Context, e *env, dir string, k, batch int, path string, sets []string, sc *scenarios.Scenario, m *sim.Model, f *studyFlags, have []results.Replication, from, to int) ([]results.Replication, error) {
	sha, err := results.HashFile(path)
	if err != nil {
		return nil, badInput(err)
	}
	key := k + precisionUnits*(batch+1)
	b := unitBatch(key, filepath.ToSlash(path), sha, sets, sc.Seed, to)
	if reps, ok := loadUnit(dir, key, b); ok {
		fmt.Fprintf(e.stderr, "%s: replications 0–%d finished in an earlier run into %s, not run again\n", sc.Name, to-1, dir)
		return reps, nil
	}
	got, err := runReps(ctx, e, sc, m, span(from, to), f)
	if err != nil {
		return nil, err
	}
	all := append(append([]results.Replication(nil), have...), got...)
	if err := saveUnit(dir, key, b, m, all); err != nil {
		return nil, err
	}
	if testHookUnitSaved != nil {
		testHookUnitSaved(key)
	}
	return all, nil
}
