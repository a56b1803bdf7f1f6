package scenarios

import (
	"fmt"
	"math"
)

// This file is the one place for the upper bounds of a scenario. Each comes
// from memory or time, not taste; docs/robustness.md restates them with the
// reasoning. A value past a bound is bad input (validation error with its
// line or --set). What depends on the machine — the memory and time a run
// will need — is estimated before the run (sim.Estimate) and refused there,
// with --force for a bigger machine.
const (
	// MaxTraders: the population's tables take about 50 bytes a trader
	// (10 million: 0.5 GB), and trader indices are int32 in the engine.
	MaxTraders = 10_000_000
	// MaxReplications: each replication keeps its metric values (a few
	// hundred float64s) until the end, and intervals need no more.
	MaxReplications = 100_000
	// MaxHorizon is ten years of simulated time, in minutes: times stay
	// exact to well under a second in float64, and no pilot runs longer.
	MaxHorizon = 10 * 365 * 24 * 60
	// MaxConsignments bounds the expected consignments of one replication
	// (the arrival rates times the horizon): about 300 ns each is 5 minutes
	// of work, and the border's slot indices are int32.
	MaxConsignments = 1_000_000_000
	// MaxServers bounds one pool's servers (the border counts busy servers
	// in an int32; no office has more officers or scanners).
	MaxServers = 1_000_000
	// MaxWeight bounds every relative weight, likelihood ratio and factor:
	// sums of hundreds of weights times ratios stay finite and exact enough.
	MaxWeight = 1e12
	// MaxScore bounds a rule's score and the AEO discount, so the sum of
	// every rule's score stays finite.
	MaxScore = 1e12
	// MaxQuantity bounds the parameters of a distribution of values (value
	// per kg, gross weight, duty): products of two stay finite.
	MaxQuantity = 1e15
	// MaxSigma bounds a lognormal's sigma (and the cv of the other
	// families): exp(sigma × 8) stays finite, so no draw is infinite.
	MaxSigma = 20.0
	// MaxFileBytes bounds a scenario or rules file: the YAML tree takes
	// several times the file's size in memory.
	MaxFileBytes = 16 << 20
	// MaxSets bounds the --set overrides of one command line.
	MaxSets = 10_000
	// MaxNameBytes bounds a name or id (the scenario's name, a threat's,
	// a pool's, a rule's id): names are labels in tables, reports and
	// metric names, and a folder name is cut to 120 bytes anyway.
	MaxNameBytes = 200
	// MaxTextBytes bounds a description: a paragraph or a page, not a file.
	MaxTextBytes = 64 << 10
)

// CheckReplications checks a number of replications given on the command
// line (--reps) against the same bounds as the file's replications.
func CheckReplications(n int) error {
	switch {
	case n < 0:
		return fmt.Errorf("--reps %d: want 1 or more", n)
	case n > MaxReplications:
		return fmt.Errorf("--reps %d: at most %d replications (each keeps its figures in memory until the end)", n, MaxReplications)
	}
	return nil
}

// ExpectedConsignments returns the expected number of consignments of one
// replication: the sum of the modes' mean rates (per hour) times the
// horizon.
func ExpectedConsignments(sc *Scenario) float64 {
	rate := 0.0
	for _, t := range sc.Traffic {
		rate += t.Rate
	}
	return rate * float64(sc.Horizon) / 60
}

// limits checks the bounds that span fields: consignments per replication.
func (v *validator) limits(sc *Scenario) {
	if v.rulesOnly && len(sc.Traffic) == 0 {
		return
	}
	n := ExpectedConsignments(sc)
	if math.IsNaN(n) || n <= MaxConsignments {
		return
	}
	path := "traffic"
	if len(sc.Traffic) == 1 {
		for mode := range sc.Traffic {
			path = joinPath("traffic", mode) + ".rate"
		}
	}
	v.errf(path, "%.3g consignments expected per replication (rates times a horizon of %s); at most %d (about 5 minutes of work each); shorten the horizon or lower the rates",
		n, FormatDuration(float64(sc.Horizon)), MaxConsignments)
}

// names checks the length of every name, id and description.
func (v *validator) names(sc *Scenario) {
	name := func(path, s string) {
		if len(s) > MaxNameBytes {
			v.errf(path, "a name of %d bytes: at most %d (a short label for tables and reports)", len(s), MaxNameBytes)
		}
	}
	text := func(path, s string) {
		if len(s) > MaxTextBytes {
			v.errf(path, "a description of %d bytes: at most %d", len(s), MaxTextBytes)
		}
	}
	name("name", sc.Name)
	text("description", sc.Description)
	for i, t := range sc.Threats {
		name(indexPath("threats", i)+".name", t.Name)
	}
	for i, r := range sc.Rules {
		name(indexPath("rules", i)+".id", r.ID)
		text(indexPath("rules", i)+".description", r.Description)
	}
	for i, p := range sc.Resources.Pools {
		name(indexPath("resources.pools", i)+".name", p.Name)
	}
}

// upTo checks a number against an upper bound, naming why.
func (v *validator) upTo(path string, x, limit float64, why string) {
	if x > limit {
		v.errf(path, "%g is too large: at most %g (%s)", x, limit, why)
	}
}
