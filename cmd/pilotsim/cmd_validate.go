package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"pilotsim/datamodel"
	"pilotsim/results"
	"pilotsim/sim/backtest"
)

// runValidate checks input files. For each it prints "ok: FILE (N rows)" to
// stdout, or every problem to stderr, one per line as FILE:LINE:COL: column:
// problem (want …), and ends with a bad-input error (exit code 2) that counts
// the bad rows.
func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "validate", "FILE...")
	maxShown := fs.Int("max", 100, "print at most this many problems per file (all are counted); 0 prints all")
	mapPath := fs.String("mapping", "", "check declarations files through the column mapping `MAP.yaml` (as backtest reads them)")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout (every file, its problems with line, column and field)")
	var sets stringList
	fs.Var(&sets, "set", "override a scenario field, `path=value` (repeatable; .yaml files only)")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return badInput(errors.New("want a file to check"))
	}
	var m *backtest.Mapping
	if *mapPath != "" {
		if m, err = backtest.LoadMapping(*mapPath); err != nil {
			return badInput(err)
		}
	}
	var failed []string
	result := validateJSON{SchemaVersion: validateSchemaVersion, OK: true}
	for _, name := range files {
		var err error
		v := &vctx{e: e, json: *asJSON, file: validateFile{File: name, Problems: []validateProblem{}}}
		switch strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(name), ".gz"))) {
		case ".csv":
			v.file.Kind = "declarations"
			if m != nil {
				v.file.Mapping = m.Name
				err = validateMapped(ctx, v, name, m, *maxShown)
			} else {
				err = validateCSV(ctx, v, name, *maxShown)
			}
		case ".yaml", ".yml":
			v.file.Kind = "scenario"
			err = validateScenario(v, name, sets)
		default:
			err = badInput(fmt.Errorf("%s: validate expects a .csv (or .csv.gz) declarations file or a .yaml scenario", name))
		}
		var ie inputError
		v.file.OK = err == nil
		if err != nil && errors.As(err, &ie) {
			v.file.Error = err.Error()
			result.OK = false
		}
		result.Files = append(result.Files, v.file)
		switch {
		case err == nil:
		case errors.As(err, &ie) && (len(files) > 1 || *asJSON):
			if !*asJSON {
				fmt.Fprintln(e.stderr, err)
			}
			failed = append(failed, name)
		default:
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(result); err != nil {
			return err
		}
		if len(failed) == 1 && len(files) == 1 {
			return badInput(errors.New(result.Files[0].Error))
		}
	}
	if len(failed) > 0 {
		return badInput(fmt.Errorf("%d of %d files have problems: %s", len(failed), len(files), strings.Join(failed, ", ")))
	}
	return nil
}

// openValidated opens a file that validate checks (a regular file,
// gunzipped when its name ends in .gz) for buffered reading; closeIn releases
// the decompressor, then the file. A file that cannot be opened or is not
// gzip is bad input.
func openValidated(name string) (in io.Reader, closeIn func(), err error) {
	f, err := results.OpenRegular(name, -1)
	if err != nil {
		return nil, nil, badInput(err)
	}
	in, zc, err := decompress(name, bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		f.Close()
		return nil, nil, badInput(err)
	}
	return in, func() {
		if zc != nil {
			zc.Close()
		}
		f.Close()
	}, nil
}

// validateCSV reads a declarations file row by row in constant memory and
// prints its problems, up to maxShown (all are counted).
func validateCSV(ctx context.Context, v *vctx, name string, maxShown int) error {
	in, closeIn, err := openValidated(name)
	if err != nil {
		return err
	}
	defer closeIn()
	r, err := datamodel.NewReader(in)
	if err != nil {
		var he *datamodel.HeaderError
		if errors.As(err, &he) {
			return badInput(fmt.Errorf("%s:1: %s", name, he.Message()))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	out := bufio.NewWriter(v.e.stderr)
	defer out.Flush()
	if u := r.Unknown(); len(u) > 0 {
		v.file.Unchecked = u
		if !v.json {
			fmt.Fprintf(out, "%s: note: not checked, not part of the declaration record: %s\n", name, strings.Join(u, ", "))
		}
	}
	badRows, problems, shown := 0, 0, 0
	for {
		if r.Row()%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *datamodel.RowError
		if !errors.As(err, &re) {
			if err != nil {
				var cg *corruptGzip
				if errors.As(err, &cg) {
					return badInput(fmt.Errorf("%s: %w", name, err))
				}
				return fmt.Errorf("%s: %w", name, err)
			}
			continue
		}
		badRows++
		for i := range re.Fields {
			problems++
			if maxShown > 0 && shown >= maxShown {
				continue
			}
			shown++
			fe := &re.Fields[i]
			if v.json {
				v.file.Problems = append(v.file.Problems, validateProblem{Line: fe.Line, Column: fe.Col, Field: fe.Column, Value: fe.Value, Message: fe.Message()})
				continue
			}
			out.WriteString(name)
			out.WriteByte(':')
			out.WriteString(strconv.Itoa(fe.Line))
			if fe.Col > 0 {
				out.WriteByte(':')
				out.WriteString(strconv.Itoa(fe.Col))
			}
			out.WriteString(": ")
			out.WriteString(fe.Message())
			out.WriteByte('\n')
		}
	}
	v.file.Rows, v.file.BadRows, v.file.ProblemCount = r.Row(), badRows, problems
	if shown < problems && !v.json {
		fmt.Fprintf(out, "%s: %d more problems not shown (see -max)\n", name, problems-shown)
	}
	if badRows == 0 {
		return v.ok(fmt.Sprintf("ok: %s (%s)", name, plural(r.Row(), "row")))
	}
	return badInput(fmt.Errorf("%s: %d of %s bad, %s", name, badRows, plural(r.Row(), "row"), plural(problems, "problem")))
}

// validateMapped reads a declarations file in a national layout through a
// mapping, as backtest reads it, and prints its bad rows, up to maxShown (all
// are counted): every mapped field, the outcome and every named column is
// converted on every row.
func validateMapped(ctx context.Context, v *vctx, name string, m *backtest.Mapping, maxShown int) error {
	in, closeIn, err := openValidated(name)
	if err != nil {
		return err
	}
	defer closeIn()
	rd, err := backtest.NewCheckReader(name, in, m)
	if err != nil {
		var re *backtest.RowError
		var cg *corruptGzip
		if errors.As(err, &re) || errors.As(err, &cg) {
			return badInput(err)
		}
		return err
	}
	out := bufio.NewWriter(v.e.stderr)
	defer out.Flush()
	var d backtest.Decl
	rows, bad := 0, 0
	for {
		if rows%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		err := rd.Next(&d)
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *backtest.RowError
			if !errors.As(err, &re) {
				var cg *corruptGzip
				if errors.As(err, &cg) {
					return badInput(err)
				}
				return err
			}
			if maxShown == 0 || bad < maxShown {
				if v.json {
					v.file.Problems = append(v.file.Problems, validateProblem{Line: re.Line, Field: re.Column, Value: re.Value, Message: re.Reason})
				} else {
					fmt.Fprintln(out, re)
				}
			}
			bad++
		}
		rows++
	}
	v.file.Rows, v.file.BadRows, v.file.ProblemCount = rows, bad, bad
	if maxShown > 0 && bad > maxShown && !v.json {
		fmt.Fprintf(out, "%s: %d more bad rows not shown (see -max)\n", name, bad-maxShown)
	}
	if bad == 0 {
		return v.ok(fmt.Sprintf("ok: %s (%s, mapping %s)", name, plural(rows, "row"), m.Name))
	}
	return badInput(fmt.Errorf("%s: %d of %s bad (mapping %s)", name, bad, plural(rows, "row"), m.Name))
}

// validateSchemaVersion is the schema_version of validate --json.
const validateSchemaVersion = 1

// validateJSON is what validate --json prints.
type validateJSON struct {
	SchemaVersion int            `json:"schema_version"`
	OK            bool           `json:"ok"`
	Files         []validateFile `json:"files"`
}

// validateFile is the result of one file.
type validateFile struct {
	File    string `json:"file"`
	Kind    string `json:"kind"`              // scenario or declarations
	Mapping string `json:"mapping,omitempty"` // the mapping's name (--mapping)
	OK      bool   `json:"ok"`
	Name    string `json:"name,omitempty"` // a scenario's name
	Rules   int    `json:"rules,omitempty"`
	Threats int    `json:"threats,omitempty"`
	Rows    int    `json:"rows,omitempty"`
	BadRows int    `json:"bad_rows,omitempty"`
	// ProblemCount counts every problem; Problems lists at most --max.
	ProblemCount int               `json:"problem_count"`
	Problems     []validateProblem `json:"problems"`
	Unchecked    []string          `json:"unchecked_columns,omitempty"`
	Warnings     []string          `json:"warnings,omitempty"` // a valid scenario's warnings
	Error        string            `json:"error,omitempty"`
}

// validateProblem is one problem with where it is.
type validateProblem struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"` // byte column, from 1
	Field   string `json:"field,omitempty"`  // the CSV column or the scenario field path
	Set     string `json:"set,omitempty"`    // the --set the value came from
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// vctx is one file's validation: text to the terminal, or collected for
// --json.
type vctx struct {
	e    *env
	json bool
	file validateFile
}

// ok prints the success line (text output only).
func (v *vctx) ok(line string) error {
	if v.json {
		return nil
	}
	_, err := fmt.Fprintln(v.e.stdout, line)
	return err
}

// plural writes n things with the right plural.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
