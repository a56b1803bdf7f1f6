package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pilotsim/datamodel"
)

// runValidate checks input files and prints every problem with its position:
// exit code 0 when all are clean, 2 when any has a problem.
func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "validate", "FILE...")
	maxShown := fs.Int("max", 100, "print at most this many problems per file (all are counted); 0 prints all")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return badInput(errors.New("want a file to check"))
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	var failed []string
	for _, name := range files {
		var err error
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			err = validateCSV(ctx, out, name, *maxShown)
		default:
			err = badInput(fmt.Errorf("%s: validate expects a .csv declarations file", name))
		}
		var ie inputError
		switch {
		case err == nil:
		case errors.As(err, &ie) && len(files) > 1:
			fmt.Fprintf(out, "%v\n", err)
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

// validateCSV reads a declarations file row by row, printing each problem as
// FILE:LINE:COL: column: problem (want …), up to maxShown, then a summary.
func validateCSV(ctx context.Context, out *bufio.Writer, name string, maxShown int) error {
	f, err := os.Open(name)
	if err != nil {
		return badInput(err)
	}
	defer f.Close()
	r, err := datamodel.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		var he *datamodel.HeaderError
		if errors.As(err, &he) {
			return badInput(fmt.Errorf("%s:%w", name, err))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
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
		fmt.Fprintf(out, "%s: %d rows read, all valid\n", name, r.Row())
		return nil
	}
	fmt.Fprintf(out, "%s: %d rows read, %d bad (%d problems)\n", name, r.Row(), badRows, problems)
	return badInput(fmt.Errorf("%s: %d of %d rows bad", name, badRows, r.Row()))
}
