package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim/backtest"
	"pilotsim/sim/learn/replay"
)

// runLearn is `pilotsim learn`: targeting that learns only from its own
// inspections. Two arenas share the command: --replay RECORDS.csv replays real
// declarations in date order (this file); `learn SCENARIO.yaml`, the
// simulator arena, runs the loop inside the border (runLearnSim).
func runLearn(ctx context.Context, e *env, args []string) error {
	for _, a := range args {
		if a == "--replay" || a == "-replay" || strings.HasPrefix(a, "--replay=") || strings.HasPrefix(a, "-replay=") {
			return runLearnReplay(ctx, e, args)
		}
	}
	return runLearnSim(ctx, e, args)
}

func runLearnReplay(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "learn", "--replay RECORDS.csv --mapping MAP.yaml --rules RULES.yaml --history FILE [--history FILE …]")
	records := fs.String("replay", "", "replay the declarations of `RECORDS.csv` day by day (dated, with outcomes; .gz read as gzip)")
	mapPath := fs.String("mapping", "", "read the files through the column mapping `MAP.yaml` (default: pilotsim's own CSV columns)")
	rulesPath := fs.String("rules", "", "the rule set `FILE` (rules or a whole scenario): the rules policies and the earlier policy that made the history")
	var history, sets, policyNames, classDelays stringList
	fs.Var(&history, "history", "earlier declarations with outcomes, `FILE` (repeatable, oldest first): only what the earlier policy inspected is known")
	fs.Var(&sets, "set", "override a value of the rules file: `path=value` (repeatable)")
	fs.Var(&policyNames, "policy", "a policy to replay, `NAME` (repeatable; default: rules@full, rules, rules+random, learned, learned+random, learned+random:0.3, learned/value, thompson, adaptive)")
	seeds := fs.Int("seeds", 30, "replications (seeds): the intervals are over them")
	seed := fs.Uint64("seed", 1, "master seed")
	workers := fs.Int("workers", 0, "replications run at the same time (default: number of CPUs)")
	budget := fs.Float64("budget", 0.10, "share of each day's declarations inspected")
	delay := fs.Float64("delay", 1, "days from the inspection to its outcome being known (exam plus audit)")
	fs.Var(&classDelays, "delay-class", "an outcome class's own delay, `CLASS=DAYS` (repeatable): an irregular declaration of that class is known DAYS after its inspection (e.g. found by post-clearance audit); the class is one of the mapping's outcome.classes")
	histTop := fs.Float64("history-top", 0.05, "share of each history day the earlier policy took from the top of the rules' ranking")
	histRand := fs.Float64("history-random", 0.02, "share of each history day the earlier policy drew at random")
	keys := fs.String("keys", replay.DefaultKeys, "the learner's key families: `KEYS`, fields of the mapping joined by + (name:n keeps n characters), comma-separated; rules is the rules' score on the starting history")
	novelty := fs.String("novelty", replay.DefaultNovelty, "the goods tuple: `KEY`; rows whose tuple is in no history row are reported apart")
	out := fs.String("out", "", "write policies.csv, learn.csv, report.html to `DIR`")
	quiet := fs.Bool("quiet", false, "no progress bar")
	force := fs.Bool("force", false, "replace the output of another study in --out")
	asJSON := fs.Bool("json", false, "print the summary as JSON on stdout (schema_version, inputs, per policy and metric the mean and interval, references)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 0:
		fs.Usage()
		return badInput(fmt.Errorf("learn --replay takes no positional arguments, got %q", pos))
	case *records == "":
		return badInput(errors.New("--replay: want a declarations file"))
	case *rulesPath == "":
		return badInput(errors.New("learn --replay: want the rules: --rules RULES.yaml (the rules policies and the earlier policy that made the history)"))
	case len(history) == 0:
		return badInput(errors.New("learn --replay: want at least one --history file: the past the learner starts from"))
	case *seeds < 1:
		return badInput(fmt.Errorf("--seeds %d: want 1 or more", *seeds))
	case *workers < 0:
		return badInput(fmt.Errorf("--workers %d: want 0 (all CPUs) or more", *workers))
	case !(*budget > 0 && *budget <= 1):
		return badInput(fmt.Errorf("--budget %v: want a share in (0, 1]", *budget))
	case !(*delay >= 0):
		return badInput(fmt.Errorf("--delay %v: want days >= 0", *delay))
	case !(*histTop >= 0 && *histRand >= 0 && *histTop+*histRand <= 1 && *histTop+*histRand > 0):
		return badInput(fmt.Errorf("--history-top %v, --history-random %v: want shares >= 0 adding up to (0, 1]", *histTop, *histRand))
	}
	if *workers == 0 {
		*workers = runtime.NumCPU()
	}
	classDelay := map[string]float64{}
	for _, cd := range classDelays {
		name, v, ok := strings.Cut(cd, "=")
		d, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "":
			return badInput(fmt.Errorf("--delay-class %q: want CLASS=DAYS, e.g. critical=0", cd))
		case err != nil || !(d >= 0) || math.IsInf(d, 0):
			return badInput(fmt.Errorf("--delay-class %q: %q: want days >= 0", cd, v))
		}
		if _, dup := classDelay[name]; dup {
			return badInput(fmt.Errorf("--delay-class: class %q given twice", name))
		}
		classDelay[name] = d
	}
	pols := replay.DefaultPolicies()
	if len(policyNames) > 0 {
		pols = nil
		for _, n := range policyNames {
			p, err := replay.ParsePolicy(n)
			if err != nil {
				return badInput(fmt.Errorf("--policy: %w", err))
			}
			pols = append(pols, p)
		}
	}
	keyList, err := replay.ParseKeys(*keys)
	if err != nil {
		return badInput(fmt.Errorf("--keys: %w", err))
	}
	nov, err := replay.ParseKey(*novelty)
	if err != nil {
		return badInput(fmt.Errorf("--novelty: %w", err))
	}
	sc, err := scenarios.LoadRules(*rulesPath, sets)
	if err != nil {
		return badInput(err)
	}
	var m *backtest.Mapping
	if *mapPath != "" {
		if m, err = backtest.LoadMapping(*mapPath); err != nil {
			return badInput(err)
		}
	} else {
		header, err := readHeader(*records)
		if err != nil {
			return badInput(err)
		}
		m = backtest.DefaultMapping(header, nil)
	}
	rules, err := backtest.Compile(sc, m)
	if err != nil {
		return badInput(err)
	}
	var hist []replay.File
	for _, h := range history {
		f, err := readWhole(h)
		if err != nil {
			return err
		}
		hist = append(hist, f)
	}
	test, err := readWhole(*records)
	if err != nil {
		return err
	}
	data, err := replay.Load(ctx, replay.Options{Rules: rules, Mapping: m, Keys: keyList, Novelty: nov}, hist, test)
	if err != nil {
		var re *backtest.RowError
		if errors.As(err, &re) || !errors.Is(err, context.Canceled) {
			return badInput(err)
		}
		return err
	}
	cfg := replay.Config{Budget: *budget, Delay: *delay, HistoryTop: *histTop, HistoryRandom: *histRand, Seed: *seed, ClassDelay: classDelay}
	if err := cfg.CheckClassDelays(data.ClassNames); err != nil {
		return badInput(fmt.Errorf("--delay-class: %w", err))
	}
	var done atomic.Int64
	total := int64(len(pols) * *seeds)
	bar := countBar(e, *quiet, total, "learn: policy × seed runs")
	res, err := withProgress(bar, &done, nil, func() ([][]*replay.Result, error) {
		return replay.Study(ctx, data, pols, cfg, *seeds, *workers, &done)
	})
	if err != nil {
		return err
	}
	in := results.LearnInputs{Records: *records, Mapping: *mapPath, Rules: *rulesPath, History: history, Seed: *seed, Seeds: *seeds,
		Budget: *budget, Delay: *delay, ClassDelay: classDelay, HistoryTop: *histTop, HistoryRand: *histRand, Keys: *keys, Novelty: *novelty,
		FirstDay: data.Test[0].Day, Rows: len(data.Test)}
	irr, nNew, irrNew := data.TestCounts()
	in.Fraud, in.NewRows, in.NewFraud = irr/float64(len(data.Test)), int(nNew), irrNew/max(nNew, 1)
	rep := results.NewLearnReport(in, res, replay.References(data, []float64{0.05, 0.10}))
	var man *results.Manifest
	if *out != "" {
		inputs, err := declarationInputs(*rulesPath, history, *mapPath, *records)
		if err != nil {
			return err
		}
		var names []string
		for _, p := range pols {
			names = append(names, p.Name)
		}
		opts := []string{fmt.Sprintf("seeds=%d", *seeds), fmt.Sprintf("seed=%d", *seed), fmt.Sprintf("budget=%g", *budget),
			fmt.Sprintf("delay=%g", *delay), "delay-class=" + strings.Join(classDelays, ","), fmt.Sprintf("history-top=%g", *histTop), fmt.Sprintf("history-random=%g", *histRand),
			"keys=" + *keys, "novelty=" + *novelty, "policies=" + strings.Join(names, ",")}
		man = results.NewManifest("learn", inputs, sets, opts)
	}
	return writeDeclarationStudy(e, rep, *out, man, *force, *asJSON)
}

// readWhole reads a declarations file (gunzipped when it ends in .gz) into
// memory: the replay reads each file twice.
func readWhole(name string) (replay.File, error) {
	f, err := results.OpenRegular(name, -1)
	if err != nil {
		return replay.File{}, badInput(err)
	}
	defer f.Close()
	r, c, err := decompress(name, bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return replay.File{}, badInput(err)
	}
	if c != nil {
		defer c.Close()
	}
	b, err := io.ReadAll(r)
	if err != nil {
		var cg *corruptGzip
		if errors.As(err, &cg) {
			return replay.File{}, badInput(err)
		}
		return replay.File{}, fmt.Errorf("%s: %w", name, err)
	}
	return replay.File{Name: name, Data: b}, nil
}
