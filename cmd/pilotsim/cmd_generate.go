package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"pilotsim/datamodel"
	"pilotsim/results"
	"pilotsim/sim"
)

// generateExtra are the columns pilotsim generate writes after the
// declaration record: the trader's new-trader flag (which the datamodel
// record lacks but rules test), the risk engine's verdict and the ground
// truth.
var generateExtra = []string{
	"new_trader",  // yes when the declaring trader is new (rules' new_trader criterion), else no
	"score",       // total risk score after the AEO discount
	"lane",        // green, blue, yellow or red
	"reason",      // score, forced, random or expected
	"rules",       // ids of the rules that matched, ';'-separated
	"true_threat", // the threat carried (ground truth), empty when regular
	"true_clean",  // yes when irregular without the threat's signature
	"true_duty",   // duty at stake (revenue threats), empty when none
}

// runGenerate writes the synthetic declarations of one replication of a
// scenario to a CSV file: the datamodel columns, then generateExtra.
func runGenerate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "generate", "SCENARIO.yaml --out FILE.csv")
	out := fs.String("out", "", "write the declarations to this CSV file (- for standard output); required")
	count := fs.Int("count", 0, "write at most this many declarations (0: every consignment up to the horizon)")
	rep := fs.Int("rep", 0, "replication whose consignments to write (0 to replications-1 or beyond)")
	asJSON := fs.Bool("json", false, "print what was written as JSON on stdout (not with --out -)")
	var sets stringList
	fs.Var(&sets, "set", "override a scenario value, e.g. --set traffic.sea.rate=60 (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		fs.Usage()
		return badInput(errors.New("want exactly one scenario file"))
	case *out == "":
		fs.Usage()
		return badInput(errors.New("want --out FILE.csv"))
	case *count < 0:
		return badInput(fmt.Errorf("--count %d: want a number >= 0", *count))
	case *rep < 0:
		return badInput(fmt.Errorf("--rep %d: want a replication >= 0", *rep))
	case *asJSON && *out == "-":
		return badInput(errors.New("--json and --out - both want standard output: give --out a file"))
	}
	sc, m, err := loadModel(pos[0], sets, nil, 0)
	if err != nil {
		return err
	}
	var n int
	write := func(w io.Writer) error {
		var werr error
		n, werr = generateCSV(ctx, w, m, *rep, *count)
		return werr
	}
	if *out == "-" {
		err = write(e.stdout)
	} else {
		// The CSV, then its manifest beside it (FILE.csv.manifest.json),
		// written last; the old manifest goes first, so that until the new
		// one is written nothing says the file is complete.
		if inside := studyAbove(*out); inside != "" {
			return badInput(fmt.Errorf("%s; use another --out", inside))
		}
		if err := results.BeginFileOutput(*out); err != nil {
			return badInput(err)
		}
		err = results.WriteFileAtomic(*out, write)
		if err == nil {
			var inputs []results.ManifestInput
			if inputs, err = scenarioInputs(pos[0]); err == nil {
				opts := []string{"rep=" + strconv.Itoa(*rep), "count=" + strconv.Itoa(*count)}
				err = results.WriteFileManifest(*out, results.NewManifest("generate", inputs, sets, opts))
			}
		}
	}
	if err != nil {
		return classifyRunError(err)
	}
	where := *out
	if where == "-" {
		where = "standard output"
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			SchemaVersion int      `json:"schema_version"`
			Scenario      string   `json:"scenario"`
			Seed          uint64   `json:"seed"`
			Rep           int      `json:"rep"`
			Declarations  int      `json:"declarations"`
			File          string   `json:"file"`
			Columns       []string `json:"columns"`
		}{results.SchemaVersion, sc.Name, sc.Seed, *rep, n, *out, append(datamodel.ColumnNames(), generateExtra...)})
	}
	fmt.Fprintf(e.stderr, "pilotsim generate: %d declarations of %s, replication %d, to %s\n", n, sc.Name, *rep, where)
	return nil
}

// generateCSV writes replication rep of m (at most count consignments, all
// when count is 0) as CSV to w and returns how many it wrote.
func generateCSV(ctx context.Context, w io.Writer, m *sim.Model, rep, count int) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw, err := datamodel.NewWriter(bw, generateExtra...)
	if err != nil {
		return 0, err
	}
	g, s := m.NewGenerator(), m.NewSelector()
	g.Reset(rep)
	s.Reset(rep)
	ids := m.RuleIDs()
	var c sim.Consignment
	var rec datamodel.Consignment
	extra := make([]string, len(generateExtra))
	var rules []string
	n := 0
	for (count == 0 || n < count) && g.Next(&c) {
		if n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		s.Assess(&c)
		g.Record(&c, &rec)
		rules = rules[:0]
		for i, id := range ids {
			if c.Hits.Has(i) {
				rules = append(rules, id)
			}
		}
		extra[0] = "no"
		if c.Flags&sim.FlagNew != 0 {
			extra[0] = "yes"
		}
		extra[1] = strconv.FormatFloat(c.Score, 'f', -1, 64)
		extra[2] = c.Lane.String()
		extra[3] = c.Reason.String()
		extra[4] = strings.Join(rules, ";")
		extra[5], extra[6], extra[7] = "", "", ""
		if c.Irregular() {
			extra[5] = m.Threats[c.Threat].Name
			extra[6] = "no"
			if c.Flags&sim.FlagClean != 0 {
				extra[6] = "yes"
			}
			if m.Threats[c.Threat].Revenue {
				extra[7] = strconv.FormatFloat(c.Duty, 'f', 2, 64)
			}
		}
		if err := cw.WriteExtra(&rec, extra); err != nil {
			return n, err
		}
		n++
	}
	if err := s.Err(); err != nil {
		return n, err
	}
	if err := cw.Flush(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}
