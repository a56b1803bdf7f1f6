package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"pilotsim/datamodel"
	"pilotsim/results"
)

// runValidate checks input files. For each it prints "ok: FILE (N rows)" to
// stdout, or every problem to stderr, one per line as FILE:LINE:COL: column:
// problem (want …), and ends with a bad-input error (exit code 2) that counts
// the bad rows.
func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "validate", "FILE...")
	maxShown := fs.Int("max", 100, "print at most this many problems per file (all are counted); 0 prints all")
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
	var failed []string
	for _, name := range files {
		var err error
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			err = validateCSV(ctx, e, name, *maxShown)
		case ".yaml", ".yml":
			err = validateScenario(e, name, sets)
		default:
			err = badInput(fmt.Errorf("%s: validate expects a .csv declarations file or a .yaml scenario", name))
		}
		var ie inputError
		switch {
		case err == nil:
		case errors.As(err, &ie) && len(files) > 1:
			fmt.Fprintln(e.stderr, err)
			failed = append(failed, name)
		default:
			return err
		}
	}
	if len(failed) > 0 {
		return badInput(fmt.Errorf("%d of %d files have problems: %s", len(failed), len(files), strings.Join(failed, ", ")))
	}
	return nil
}

// validateCSV reads a declarations file row by row in constant memory and
// prints its problems, up to maxShown (all are counted).
func validateCSV(ctx context.Context, e *env, name string, maxShown int) error {
	f, err := results.OpenRegular(name, -1)
	if err != nil {
		return badInput(err)
	}
	defer f.Close()
	r, err := datamodel.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		var he *datamodel.HeaderError
		if errors.As(err, &he) {
			return badInput(fmt.Errorf("%s:1: %s", name, he.Message()))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	out := bufio.NewWriter(e.stderr)
	defer out.Flush()
	if u := r.Unknown(); len(u) > 0 {
		fmt.Fprintf(out, "%s: note: not checked, not part of the declaration record: %s\n", name, strings.Join(u, ", "))
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
	if shown < problems {
		fmt.Fprintf(out, "%s: %d more problems not shown (see -max)\n", name, problems-shown)
	}
	if badRows == 0 {
		_, err := fmt.Fprintf(e.stdout, "ok: %s (%s)\n", name, plural(r.Row(), "row"))
		return err
	}
	return badInput(fmt.Errorf("%s: %d of %s bad, %s", name, badRows, plural(r.Row(), "row"), plural(problems, "problem")))
}

// plural writes n things with the right plural.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
