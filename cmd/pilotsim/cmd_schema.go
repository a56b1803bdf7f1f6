package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"pilotsim/results"
	"pilotsim/scenarios"
)

// runSchema is `pilotsim schema`: print the JSON Schema of scenario files,
// for editors (docs/scenarios.md, "Editor support"), or write it to --out.
func runSchema(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "schema", "")
	out := fs.String("out", "", "write the schema to `FILE` instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return badInput(fmt.Errorf("schema takes no arguments, got %q", pos))
	}
	b, err := scenarios.JSONSchema()
	if err != nil {
		return err
	}
	if *out != "" {
		return results.WriteFileAtomic(filepath.Clean(*out), func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		})
	}
	_, err = e.stdout.Write(b)
	return err
}
