package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// runLearnSim is `pilotsim learn SCENARIO.yaml`: run every targeting policy
// of the scenario over --seeds seeds with common random numbers and write
// learn.csv, policies.csv, report.html and the manifest.
func runLearnSim(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "learn", "SCENARIO.yaml")
	out := fs.String("out", "", "output `directory` (default out/<scenario name>-learn)")
	workers := fs.Int("workers", 0, "runs at the same time (default: number of CPUs); results do not depend on it")
	seeds := fs.Int("seeds", 30, "seeds (replications) per policy; every policy runs the same seeds")
	budget := fs.Float64("budget", 0, "fix the inspection budget at this `share` of arrivals, in (0, 1] (default: steered by the targeting lane's queues)")
	policies := fs.String("policies", "", "comma-separated `policies` to run (default: the scenario's targeting.policies)")
	var sets stringList
	fs.Var(&sets, "set", "override a scenario value, `path=value` (repeatable)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	force := fs.Bool("force", false, "replace the output of another study in --out")
	asJSON := fs.Bool("json", false, "print the summary as JSON on stdout (schema_version, scenario, seeds, per policy and metric the mean and interval)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		fs.Usage()
		return badInput(fmt.Errorf("want one scenario file, got %d arguments", len(pos)))
	case *workers < 0:
		return badInput(fmt.Errorf("--workers %d: want 0 (all CPUs) or more", *workers))
	case *seeds < 2 || *seeds > scenarios.MaxReplications:
		return badInput(fmt.Errorf("--seeds %d: want 2 to %d (intervals need two seeds)", *seeds, scenarios.MaxReplications))
	case *budget != 0 && !(*budget > 0 && *budget <= 1):
		return badInput(fmt.Errorf("--budget %g: want a share of arrivals in (0, 1]", *budget))
	}
	if *budget > 0 {
		sets = append(sets, "targeting.budget="+strconv.FormatFloat(*budget, 'g', -1, 64))
	}
	sc, model, err := loadModel(pos[0], sets, nil, 0)
	if err != nil {
		return err
	}
	if !model.Targeting() {
		return badInput(fmt.Errorf("%s: no targeting block; pilotsim learn needs one (see docs/learning.md)", pos[0]))
	}
	pols := model.TargetingPolicies()
	if *policies != "" {
		pols = nil
		for _, p := range strings.Split(*policies, ",") {
			p = strings.TrimSpace(p)
			if !contains(scenarios.TargetingPolicies, p) {
				return badInput(fmt.Errorf("--policies: unknown %q; want some of %s", p, strings.Join(scenarios.TargetingPolicies, ", ")))
			}
			pols = append(pols, p)
		}
	}
	inputs, err := scenarioInputs(pos[0])
	if err != nil {
		return err
	}
	opts := []string{fmt.Sprintf("seeds=%d", *seeds), "policies=" + strings.Join(pols, ",")}
	man := results.NewManifest("learn", inputs, sets, opts)
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", results.SafeName(sc.Name)+"-learn")
	}
	made, err := claimNewResults(dir, man, *force)
	if err != nil {
		return err
	}
	success := false
	defer func() {
		if !success && made {
			os.Remove(dir)
		}
	}()

	var done atomic.Int64
	bar := consignmentBar(e, *quiet, sc, len(pols)*(*seeds), "policy runs")
	reps, err := withProgress(bar, &done, nil, func() ([]sim.LearnRep, error) {
		return sim.Learn(ctx, model, sim.LearnOptions{Policies: pols, Seeds: *seeds, Workers: *workers, Progress: &done})
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing written: %w", err)
		}
		return classifyRunError(err)
	}
	var threats []string
	for _, t := range sc.Threats {
		threats = append(threats, t.Name)
	}
	study, err := results.NewLearnStudy(sc.Name, sc.Seed, pols, threats, reps, *seeds)
	if err != nil {
		return err
	}
	if len(sc.Drift) > 0 {
		first := sc.Drift[0]
		for _, d := range sc.Drift {
			if d.At < first.At {
				first = d
			}
		}
		if first.At < sc.Horizon { // a drift at or after the horizon never starts
			study.DriftWeek = int(float64(first.At) / (7 * 1440))
			for k, t := range sc.Threats {
				if t.Name == first.Threat {
					study.DriftThreat = k
				}
			}
		}
	}
	if err := study.WriteFiles(dir); err != nil {
		return err
	}
	if err := study.WriteReport(dir); err != nil {
		return err
	}
	if err := results.WriteManifest(dir, man); err != nil {
		return err
	}
	success = true
	if *asJSON {
		return study.WriteJSON(e.stdout)
	}
	return writeLearnTable(e, study)
}

// writeLearnTable prints the summary per policy.
func writeLearnTable(e *env, s *results.LearnStudy) error {
	want := []string{"inspection_rate", "precision", "recall", "detection", "oracle_share", "oracle_share_week", "detection_estimate_error", "release_p90_h"}
	if s.DriftWeek > 0 {
		want = append(want, "drift_retained", "weeks_to_recover")
	}
	vals := map[[2]string]results.Interval{}
	for _, r := range s.Summary() {
		vals[[2]string{r.Policy, r.Metric}] = r.Interval
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s", "policy")
	for _, m := range want {
		fmt.Fprintf(&b, " %24s", m)
	}
	b.WriteString("\n")
	for _, p := range s.Policies {
		fmt.Fprintf(&b, "%-16s", p)
		for _, m := range want {
			iv, ok := vals[[2]string{p, m}]
			cell := ""
			if ok {
				cell = fmtInterval(iv)
			}
			fmt.Fprintf(&b, " %24s", cell)
		}
		b.WriteString("\n")
	}
	_, err := fmt.Fprint(e.stdout, b.String())
	return err
}

// fmtInterval writes mean [low, high] with 3 significant digits.
func fmtInterval(iv results.Interval) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }
	if iv.Mean != iv.Mean {
		return "-"
	}
	if iv.Low != iv.Low {
		return f(iv.Mean)
	}
	return f(iv.Mean) + " [" + f(iv.Low) + "," + f(iv.High) + "]"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
