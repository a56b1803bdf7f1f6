package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"pilotsim/calibrate"
	"pilotsim/results"
	"pilotsim/scenarios"
)

func runCalibrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "calibrate", "--base S.yaml --out SCENARIO.yaml [--mapping MAP.yaml] RECORDS.csv")
	basePath := fs.String("base", "", "the base scenario `S.yaml`: what records cannot show (threats, detection, trade, rules) comes from it (required)")
	out := fs.String("out", "", "write the fitted scenario to `SCENARIO.yaml` (required)")
	mapPath := fs.String("mapping", "", "read a national layout through the column mapping `MAP.yaml`")
	seed := fs.Uint64("seed", 1, "`seed` of the samples kept for the fits")
	workers := fs.Int("workers", 0, "goroutines simulating the check (default: all CPUs)")
	noCheck := fs.Bool("no-check", false, "write the fitted scenario without simulating it against the records")
	asJSON := fs.Bool("json", false, "print the fit and its check as JSON on stdout")
	force := fs.Bool("force", false, "write --out inside another study's folder")
	var sets stringList
	fs.Var(&sets, "set", "override a value of the base scenario: `path=value` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return badInput(fmt.Errorf("expected one records file, got %d arguments", len(pos)))
	}
	if *workers < 0 {
		return badInput(fmt.Errorf("--workers %d: want 0 (all CPUs) or more", *workers))
	}
	if *basePath == "" || *out == "" {
		fs.Usage()
		return badInput(errors.New("want --base S.yaml and --out SCENARIO.yaml"))
	}
	// The fitted scenario is a result set of its own (SCENARIO.yaml and
	// SCENARIO.yaml.manifest.json): not written inside another study's
	// folder, whose manifest would not list it.
	if err := refuseInsideStudy(*out, *force); err != nil {
		return err
	}
	base, err := scenarios.Load(*basePath, sets)
	if err != nil {
		return badInput(err)
	}
	m, err := eventMapping(*mapPath)
	if err != nil {
		return err
	}
	fitter := calibrate.NewFitter(*seed)
	if err := readEvents(ctx, e, pos[0], m, fitter.Add); err != nil {
		return err
	}
	fit, err := fitter.Fit(base, *basePath)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", pos[0], err))
	}
	data, err := fit.YAML()
	if err != nil {
		return err
	}
	// The file must read back as a scenario: a fit the format refuses is a bug.
	if _, err := scenarios.Parse(*out, data, nil); err != nil {
		return fmt.Errorf("internal: the fitted scenario does not load: %w", err)
	}
	inputFiles := []string{*basePath, pos[0]}
	if *mapPath != "" {
		inputFiles = append(inputFiles, *mapPath)
	}
	inputs, err := scenarioInputs(inputFiles...)
	if err != nil {
		return err
	}
	// The scenario, then its manifest beside it, last (the old one first:
	// until the new one is written nothing says the file is complete).
	if err := results.BeginFileOutput(*out); err != nil {
		return badInput(err)
	}
	if err := results.WriteFileAtomic(*out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	if err := results.WriteFileManifest(*out, results.NewManifest("calibrate", inputs, sets, []string{fmt.Sprintf("seed=%d", *seed)})); err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.stdout, "Fitted %s to %d records (%d samples, %.1f days each); wrote %s\n", filepath.Base(*basePath), fit.Records, fit.Samples, fit.Days, *out)
		for _, n := range fit.Notes {
			fmt.Fprintln(e.stdout, "note:", n)
		}
	}
	var checks []calibrate.LaneCheck
	if !*noCheck {
		if checks, err = fitter.Check(ctx, fit, *workers); err != nil {
			return err
		}
	}
	if *asJSON {
		type jsonCheck struct {
			Lane      string              `json:"lane"`
			Records   int                 `json:"records"`
			Simulated int                 `json:"simulated"`
			Quantiles []float64           `json:"quantiles"`
			Recorded  []results.JSONFloat `json:"recorded_h"`
			Simulate  []results.JSONFloat `json:"simulated_h"`
			RecMean   results.JSONFloat   `json:"recorded_mean_h"`
			SimMean   results.JSONFloat   `json:"simulated_mean_h"`
			KS        results.JSONFloat   `json:"ks"`
			Fits      bool                `json:"fits"`
			Why       string              `json:"why,omitempty"`
		}
		floats := func(v []float64) []results.JSONFloat {
			out := make([]results.JSONFloat, len(v))
			for i, x := range v {
				out[i] = results.JSONFloat(x)
			}
			return out
		}
		j := struct {
			SchemaVersion int         `json:"schema_version"`
			Base          string      `json:"base"`
			Out           string      `json:"out"`
			Records       int64       `json:"records"`
			Samples       int         `json:"samples"`
			Days          float64     `json:"days_per_sample"`
			Notes         []string    `json:"notes"`
			Checked       bool        `json:"checked"`
			Checks        []jsonCheck `json:"checks"`
		}{SchemaVersion: 1, Base: *basePath, Out: *out, Records: fit.Records, Samples: fit.Samples, Days: fit.Days,
			Notes: append([]string{}, fit.Notes...), Checked: !*noCheck, Checks: []jsonCheck{}}
		for _, c := range checks {
			j.Checks = append(j.Checks, jsonCheck{c.Lane, c.Records, c.Simulated, c.Quantiles, floats(c.RecQ), floats(c.SimQ),
				results.JSONFloat(c.RecMean), results.JSONFloat(c.SimMean), results.JSONFloat(c.KS), c.Fits, c.Why})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(j)
	}
	if !*noCheck {
		fmt.Fprint(e.stdout, "\n"+calibrate.CheckText(checks))
	}
	return nil
}
