package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim/pilot"
)

// runPlan is `pilotsim plan BASELINE.yaml MEASURE.yaml`: simulate possible
// pilots of the measure and judge each design (before/after, random stratum,
// cluster-randomised sites, stepped wedge): MDE, power, weeks needed, A/A
// false-positive rate and a weekly-look sequential rule.
func runPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "plan", "BASELINE.yaml MEASURE.yaml")
	out := fs.String("out", "", "output `directory` (default out/plan-<baseline>-<measure>)")
	asJSON := fs.Bool("json", false, "print the plan as JSON on stdout instead of the table")
	workers := fs.Int("workers", 0, "pilots simulated at the same time (default: number of CPUs)")
	seed := fs.Uint64("seed", 0, "seed of both scenarios (default: the baseline's)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	pilots := fs.Int("pilots", 400, "simulated pilots at most")
	precision := fs.Float64("precision", 0, "stop adding pilots (in batches of 100) once every power and A/A rate at --weeks has a 95% half-width at most this (0: run --pilots)")
	weeks := fs.Int("weeks", 12, "pilot duration judged, in weeks")
	maxWeeks := fs.Int("max-weeks", 26, "longest pilot simulated, in weeks (power curves run 1 … max-weeks)")
	preWeeks := fs.Int("pre-weeks", 8, "weeks of baseline data before the pilot")
	sites := fs.Int("sites", 8, "offices simulated when the baseline declares no sites")
	shard := fs.String("shard", "", "simulate only shard `i/n`: the pilots whose number modulo n is i, into --out/"+results.PlanShardFileName(0, 1)[:10]+"…bin (for a cluster)")
	merge := fs.String("merge", "", "simulate nothing: summarise the shard files in `DIR` (every shard of this plan, same files, flags and --set)")
	var sets stringList
	fs.Var(&sets, "set", "override a value of both scenarios, `path=value` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	seedSet := false
	fs.Visit(func(fl *flag.Flag) { seedSet = seedSet || fl.Name == "seed" })
	switch {
	case len(pos) != 2:
		fs.Usage()
		return badInput(fmt.Errorf("want BASELINE.yaml and MEASURE.yaml, got %d files", len(pos)))
	case *pilots < 2:
		return badInput(fmt.Errorf("--pilots %d: want at least 2", *pilots))
	case *maxWeeks < 2 || *maxWeeks > 104:
		return badInput(fmt.Errorf("--max-weeks %d: want 2 … 104", *maxWeeks))
	case *weeks < 1 || *weeks > *maxWeeks:
		return badInput(fmt.Errorf("--weeks %d: want 1 … --max-weeks (%d)", *weeks, *maxWeeks))
	case *preWeeks < 4:
		return badInput(fmt.Errorf("--pre-weeks %d: want at least 4 (a before/after fit with a trend needs them)", *preWeeks))
	case *sites < 1:
		return badInput(fmt.Errorf("--sites %d: want at least 1", *sites))
	case *workers < 0:
		return badInput(fmt.Errorf("--workers %d: want 0 (all CPUs) or more", *workers))
	case !(*precision >= 0 && *precision < 0.5):
		return badInput(fmt.Errorf("--precision %v: want 0 (off) or a half-width below 0.5", *precision))
	case *precision > 0 && (*shard != "" || *merge != ""):
		return badInput(fmt.Errorf("--precision decides how many pilots to run from all of them: not with --shard or --merge (give --pilots)"))
	case *shard != "" && *merge != "":
		return badInput(fmt.Errorf("--shard and --merge: want one of them"))
	}
	si, sn := 0, 1
	if *shard != "" {
		if si, sn, err = results.ParseShard(*shard); err != nil {
			return badInput(err)
		}
	}
	var scs [2]*scenarios.Scenario
	for i, p := range pos {
		sc, err := scenarios.Load(p, sets)
		if err != nil {
			return badInput(err)
		}
		if seedSet {
			sc.Seed = *seed
		}
		scs[i] = sc
	}
	if !seedSet {
		scs[1].Seed = scs[0].Seed // common random numbers: the baseline's streams
	}
	shared := pilot.SharesQueues(scs[0], scs[1])
	pc := pilot.Config{Baseline: scs[0], Measure: scs[1], Weeks: *preWeeks + *maxWeeks, Sites: *sites}
	if shared {
		pc.MixFrom = *preWeeks // measure the random stratum's interference in one run
	}
	runner, err := pilot.NewRunner(pc)
	if err != nil {
		return badInput(err)
	}
	cfg := results.PlanConfig{PreWeeks: *preWeeks, MaxWeeks: *maxWeeks, Weeks: *weeks, Alpha: 0.05, Power: 0.8,
		Sites: len(runner.Sites()), SharedPool: shared}
	if err := runner.MixedErr(); err != nil {
		cfg.MixedErr = err.Error()
	}

	inputs, err := scenarioInputs(pos...)
	if err != nil {
		return err
	}
	var opts []string
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "pilots", "precision", "weeks", "max-weeks", "pre-weeks", "sites", "seed":
			opts = append(opts, fl.Name+"="+fl.Value.String())
		}
	})
	// The plan's identity for its shards: inputs, overrides, and every
	// option that changes the pilots' estimates.
	idParts := []string{fmt.Sprintf("pilots=%d pre=%d max=%d weeks=%d sites=%d seed=%d/%t", *pilots, *preWeeks, *maxWeeks, *weeks, *sites, *seed, seedSet)}
	for _, in := range inputs {
		idParts = append(idParts, in.SHA256)
	}
	planID := results.PlanID(append(idParts, sets...)...)
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "plan-"+scs[0].Name+"-"+scs[1].Name)
	}

	nw := *workers
	if nw == 0 {
		nw = runtime.NumCPU()
	}
	start := time.Now()
	var consignments atomic.Int64
	var pes []*results.PilotEstimates
	switch {
	case *merge != "":
		if pes, err = readPlanShards(*merge, planID); err != nil {
			return err
		}
		if len(pes) != *pilots {
			return badInput(fmt.Errorf("--merge %s: %d pilots in the shards, want --pilots %d", *merge, len(pes), *pilots))
		}
	case *shard != "":
		var own []int
		for p := si; p < *pilots; p += sn {
			own = append(own, p)
		}
		bar := countBar(e, *quiet, int64(len(own)), "plan: simulated pilots")
		got, err := simulatePilots(ctx, runner, cfg, own, nw, bar, &consignments)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return badInput(err)
		}
		h := results.PlanShardHeader{Plan: planID, Baseline: scs[0].Name, Measure: scs[1].Name, Config: cfg, Pilots: *pilots, Shard: si, Shards: sn}
		path := filepath.Join(dir, results.PlanShardFileName(si, sn))
		if err := results.WriteFileAtomic(path, func(w io.Writer) error { return results.WritePlanShard(w, h, own, got) }); err != nil {
			return err
		}
		elapsed := time.Since(start)
		n := consignments.Load()
		fmt.Fprintf(e.stderr, "shard %d/%d: %d pilots, %d consignments simulated in %s (%.3g consignments/s); wrote %s\n",
			si, sn, len(own), n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), path)
		return nil
	default:
		bar := countBar(e, *quiet, int64(*pilots), "plan: simulated pilots")
		const batch = 100
		for len(pes) < *pilots {
			first := len(pes)
			ids := make([]int, min(batch, *pilots-first))
			for i := range ids {
				ids[i] = first + i
			}
			got, err := simulatePilots(ctx, runner, cfg, ids, nw, bar, &consignments)
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("interrupted after %d pilots; nothing written: %w", len(pes), ctx.Err())
				}
				return err
			}
			pes = append(pes, got...)
			if *precision > 0 && planPrecise(cfg, pes, *precision) {
				break
			}
		}
		if bar != nil {
			bar.Finish()
		}
	}
	elapsed := time.Since(start)
	plan := results.SummarisePlan(cfg, scs[0].Name, scs[1].Name, pes)
	man := results.NewManifest("plan", inputs, sets, opts)
	if err := results.BeginOutput(dir); err != nil {
		return badInput(err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "plan.csv"), plan.WriteCSV); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "plan.json"), plan.WriteJSON); err != nil {
		return err
	}
	if err := plan.WriteReport(dir); err != nil {
		return err
	}
	if err := results.WriteManifest(dir, man); err != nil {
		return err
	}
	if *asJSON {
		err = plan.WriteJSON(e.stdout)
	} else {
		err = plan.WriteTable(e.stdout)
	}
	if err != nil {
		return err
	}
	if *merge != "" {
		fmt.Fprintf(e.stderr, "%d pilots from the shards in %s; wrote %s\n", len(pes), *merge, dir)
		return nil
	}
	n := consignments.Load()
	fmt.Fprintf(e.stderr, "%d pilots, %d consignments simulated in %s (%.3g consignments/s); wrote %s\n",
		len(pes), n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), dir)
	return nil
}

// simulatePilots simulates and judges the pilots ids on nw goroutines; the
// estimates come back in the order of ids, whatever the order they finish in.
func simulatePilots(ctx context.Context, runner *pilot.Runner, cfg results.PlanConfig, ids []int, nw int,
	bar *progressbar.ProgressBar, consignments *atomic.Int64) ([]*results.PilotEstimates, error) {
	n := len(ids)
	got := make([]*results.PilotEstimates, n)
	errs := make([]error, n)
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(nw, n) {
		wg.Go(func() {
			d := runner.NewData()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := runner.Run(ctx, ids[i], d); err != nil {
					errs[i] = err
					return
				}
				consignments.Add(d.Consignments)
				got[i] = results.AnalysePilot(cfg, d)
				if bar != nil {
					mu.Lock()
					bar.Add(1)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return got, nil
}

// readPlanShards reads every plan shard file in dir and returns the pilots'
// estimates in pilot order, after checking that the shards are of this plan
// (planID) and hold every pilot once.
func readPlanShards(dir, planID string) ([]*results.PilotEstimates, error) {
	files, err := filepath.Glob(filepath.Join(dir, "plan-shard-*-of-*.bin"))
	if err != nil || len(files) == 0 {
		return nil, badInput(fmt.Errorf("--merge %s: no plan shard files (plan-shard-*-of-*.bin)", dir))
	}
	var heads []*results.PlanShardHeader
	var pilots [][]int
	var pes [][]*results.PilotEstimates
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, badInput(err)
		}
		h, ps, es, err := results.ReadPlanShard(f, data)
		if err != nil {
			return nil, badInput(err)
		}
		if h.Plan != planID {
			return nil, badInput(fmt.Errorf("%s: a shard of another plan (%s; this plan with these files, flags and --set is %s)", f, h.Plan, planID))
		}
		heads, pilots, pes = append(heads, h), append(pilots, ps), append(pes, es)
	}
	all, err := results.MergePlanShards(heads, pilots, pes)
	if err != nil {
		return nil, badInput(fmt.Errorf("--merge %s: %w", dir, err))
	}
	return all, nil
}

// planPrecise reports whether every power and A/A rate at the judged
// duration is known to within half-width h (95%, binomial) from the pilots so far.
func planPrecise(cfg results.PlanConfig, pes []*results.PilotEstimates, h float64) bool {
	p := results.SummarisePlan(cfg, "", "", pes)
	n := float64(len(pes))
	for _, r := range p.Rows {
		for _, x := range []float64{r.Power, r.FalsePos} {
			if math.IsNaN(x) {
				continue
			}
			if 1.96*math.Sqrt(math.Max(x*(1-x), 0.01)/n) > h {
				return false
			}
		}
	}
	return true
}
