package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"pilotsim/results"
	"pilotsim/results/evaluate"
	"pilotsim/results/pilotstat"
)

// runEvaluate is `pilotsim evaluate RECORDS.csv --design …`: the effect of a
// pilot that was run, per key figure with its interval, and the checks of
// the design's assumptions.
func runEvaluate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "evaluate", "RECORDS.csv")
	design := fs.String("design", "", "the pilot's design: "+pilotstat.DesignNames(", "))
	sw := fs.String("switch", "", "when the measure started: a `DATE` (2025-03-03 or RFC 3339; before-after, cluster, and the start of a random stratum), or SITE=DATE,… per site (stepped-wedge)")
	treated := fs.String("treated-sites", "", "comma-separated `SITES` that got the measure (cluster)")
	siteCol := fs.String("site-column", "", "`COLUMN` naming each consignment's site (cluster, stepped-wedge; optional otherwise)")
	stratumCol := fs.String("stratum-column", "", "`COLUMN` holding each consignment's randomised stratum (random-stratum)")
	treatedValue := fs.String("treated-value", "treated", "the stratum column's `VALUE` of consignments that got the measure")
	share := fs.Float64("share", 0.5, "designed share of consignments randomised to the measure (random-stratum)")
	target := fs.Duration("target", 48*time.Hour, "overall release-time target (share within target)")
	out := fs.String("out", "", "also write evaluate.csv and evaluate.json to `DIR`")
	asJSON := fs.Bool("json", false, "print the evaluation as JSON on stdout instead of the tables")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return badInput(fmt.Errorf("want one RECORDS.csv, got %d files", len(pos)))
	}
	d, ok := pilotstat.ParseDesign(*design)
	if !ok {
		return badInput(fmt.Errorf("--design %q: want one of %s", *design, pilotstat.DesignNames(", ")))
	}
	cfg := evaluate.Config{Design: d, TreatedValue: *treatedValue, Share: *share, Target: *target}
	if !(*share > 0 && *share < 1) {
		return badInput(fmt.Errorf("--share %v: want a share between 0 and 1", *share))
	}
	if *target <= 0 {
		return badInput(fmt.Errorf("--target %v: want a positive duration", *target))
	}
	cols := evaluate.DefaultColumns()
	cols.Site, cols.Stratum = *siteCol, *stratumCol
	switch d {
	case pilotstat.SteppedWedgeDesign:
		if *siteCol == "" {
			return badInput(errors.New("stepped-wedge: want --site-column"))
		}
		cfg.SiteSwitch = map[string]time.Time{}
		for _, part := range strings.Split(*sw, ",") {
			site, date, ok := strings.Cut(part, "=")
			if !ok {
				return badInput(fmt.Errorf("--switch %q: want SITE=DATE,… for a stepped wedge", *sw))
			}
			t, err := parseDate(date)
			if err != nil {
				return badInput(fmt.Errorf("--switch %s: %w", part, err))
			}
			cfg.SiteSwitch[strings.TrimSpace(site)] = t
		}
	case pilotstat.StratumDesign:
		if *stratumCol == "" {
			return badInput(errors.New("random-stratum: want --stratum-column"))
		}
		fallthrough
	default:
		if *sw != "" {
			if cfg.Switch, err = parseDate(*sw); err != nil {
				return badInput(fmt.Errorf("--switch: %w", err))
			}
		} else if d != pilotstat.StratumDesign {
			return badInput(fmt.Errorf("%s: want --switch DATE", d))
		}
		if d == pilotstat.ClusterDesign {
			if *siteCol == "" || *treated == "" {
				return badInput(errors.New("cluster: want --site-column and --treated-sites"))
			}
			for _, s := range strings.Split(*treated, ",") {
				cfg.Treated = append(cfg.Treated, strings.TrimSpace(s))
			}
		}
	}

	name := pos[0]
	f, err := results.OpenRegular(name, -1)
	if err != nil {
		return badInput(err)
	}
	defer f.Close()
	r, zc, err := decompress(name, f)
	if err != nil {
		return badInput(err)
	}
	if zc != nil {
		defer zc.Close()
	}
	// The layout: the event-record CSV of trs and calibrate, or run's trace.
	br := bufio.NewReader(r)
	head, _ := br.Peek(64 << 10)
	line, _, _ := strings.Cut(string(head), "\n")
	if hr, herr := csv.NewReader(strings.NewReader(line)).Read(); herr == nil {
		base := evaluate.ColumnsFor(hr)
		base.Site, base.Stratum = cols.Site, cols.Stratum
		cols = base
	}
	data, err := evaluate.ReadRecords(br, name, cols)
	if err != nil {
		return badInput(err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	res, err := evaluate.Evaluate(data, cfg)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", name, err))
	}
	if *out != "" {
		inputs, err := scenarioInputs(name)
		if err != nil {
			return err
		}
		var opts []string
		fs.Visit(func(fl *flag.Flag) {
			if fl.Name != "out" && fl.Name != "json" {
				opts = append(opts, fl.Name+"="+fl.Value.String())
			}
		})
		man := results.NewManifest("evaluate", inputs, nil, opts)
		if err := results.BeginOutput(*out); err != nil {
			return badInput(err)
		}
		if err := results.WriteFileAtomic(filepath.Join(*out, "evaluate.csv"), res.WriteCSV); err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(*out, "evaluate.json"), res.WriteJSON); err != nil {
			return err
		}
		if err := results.WriteManifest(*out, man); err != nil { // last
			return err
		}
	}
	if *asJSON {
		return res.WriteJSON(e.stdout)
	}
	return res.WriteTable(e.stdout)
}

// parseDate reads 2025-03-03 (midnight UTC) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a date such as 2025-03-03 or an RFC 3339 time", s)
	}
	return t, nil
}
