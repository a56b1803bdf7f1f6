package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"pilotsim/results"
)

// runMerge is `pilotsim merge DIR…`: join the shard files found in the
// directories (or given as files) into the files an unsharded batch writes.
func runMerge(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "merge", "SHARD_DIR_OR_FILE…")
	out := fs.String("out", "", "output `directory` (default out/batch)")
	asJSON := fs.Bool("json", false, "print the merged batch as JSON on stdout (the batch and every scenario's aggregate)")
	asParquet := fs.Bool("parquet", false, "also write the long table as "+results.LongParquetFile)
	force := fs.Bool("force", false, "replace the output of another study in --out")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return badInput(errors.New("want at least one directory of shard files"))
	}
	paths, err := results.FindShardFiles(pos)
	if err != nil {
		return badInput(err)
	}
	br, err := results.MergeShards(paths)
	if err != nil {
		// Missing, foreign or incomplete shards: the input is wrong, not the run.
		return badInput(err)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "batch")
	}
	// The same manifest an unsharded batch writes: merged shards give the
	// same folder, byte for byte (and the batch's own folder is its study).
	man := batchManifest(br.Batch)
	if err := claimResults(dir, man, *force); err != nil {
		return err
	}
	br.Parquet = *asParquet
	if err := br.WriteFiles(dir); err != nil {
		return err
	}
	if err := results.WriteManifest(dir, man); err != nil {
		return err
	}
	reports, err := br.Reports()
	if err != nil {
		return err
	}
	write := results.WriteBatchTable
	if *asJSON {
		write = results.WriteBatchJSON
	}
	if err := write(e.stdout, br.Batch, reports); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "merged %d shard files into %s\n", len(paths), dir)
	return nil
}
