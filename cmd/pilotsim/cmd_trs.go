package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"pilotsim/datamodel"
	"pilotsim/results"
	"pilotsim/scenarios"
)

// eventMapping loads the column mapping of event records at path (--mapping
// of trs and calibrate), nil for pilotsim's own columns when path is empty; a
// bad mapping is bad input.
func eventMapping(path string) (*datamodel.EventMapping, error) {
	if path == "" {
		return nil, nil
	}
	m, err := scenarios.LoadEventMapping(path)
	if err != nil {
		return nil, badInput(err)
	}
	return m, nil
}

func runTRS(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "trs", "[--mapping MAP.yaml] [--out DIR] RECORDS.csv")
	mapPath := fs.String("mapping", "", "read a national layout through the column mapping `MAP.yaml` (default: pilotsim's event-record columns, or a run --trace file)")
	out := fs.String("out", "", "write trs.csv, trs-segments.csv, trs-weekly.csv, trs-queues.csv, trs.json, trs.txt and report.html to `DIR` (default out/trs-<file name>)")
	asJSON := fs.Bool("json", false, "print trs.json on stdout instead of the tables")
	seed := fs.Uint64("seed", 1, "`seed` of the bootstrap")
	boot := fs.Int("bootstrap", 1000, "bootstrap `replicates` for the intervals of means (quantiles use a fifth, at least 100)")
	maxIv := fs.String("max-interval", "30d", "intervals longer than this `duration` are outliers, counted and left out")
	force := fs.Bool("force", false, "replace the output of another study in --out")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return badInput(fmt.Errorf("expected one records file, got %d arguments", len(pos)))
	}
	if *boot < 10 || *boot > 100000 {
		return badInput(fmt.Errorf("--bootstrap: want 10 to 100000 replicates, got %d", *boot))
	}
	maxMin, err := scenarios.ParseDuration(*maxIv)
	if err != nil || !(maxMin > 0) {
		return badInput(fmt.Errorf("--max-interval: want a positive duration such as 30d or 72h, got %q", *maxIv))
	}
	m, err := eventMapping(*mapPath)
	if err != nil {
		return err
	}
	name := pos[0]
	study := results.NewTRSStudy(results.TRSOptions{MaxInterval: maxMin * 60, Seed: *seed, Bootstrap: *boot})
	start := time.Now()
	// The file's hash, for the manifest, from the bytes as they are read.
	h := sha256.New()
	if err := streamEvents(ctx, e, name, m, study.Add, h); err != nil {
		return err
	}
	read := time.Since(start)
	res := study.Result()
	dir := *out
	if dir == "" {
		base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(name), ".gz"), ".csv")
		dir = filepath.Join("out", "trs-"+base)
	}
	inputs := []results.ManifestInput{{File: filepath.ToSlash(name), SHA256: hex.EncodeToString(h.Sum(nil))}}
	if *mapPath != "" {
		more, err := scenarioInputs(*mapPath)
		if err != nil {
			return err
		}
		inputs = append(inputs, more...)
	}
	man := results.NewManifest("trs", inputs, nil, []string{
		fmt.Sprintf("seed=%d", *seed), fmt.Sprintf("bootstrap=%d", *boot), "max-interval=" + *maxIv})
	if err := claimResults(dir, man, *force); err != nil {
		return err
	}
	if err := res.WriteFiles(dir, name); err != nil {
		return err
	}
	// The manifest, last.
	if err := results.WriteManifest(dir, man); err != nil {
		return err
	}
	if *asJSON {
		return res.WriteJSON(e.stdout, name)
	}
	if err := res.WriteText(e.stdout, name); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "read %d records in %.1f s (%.0f records/s); wrote %s\n", res.Records, read.Seconds(),
		float64(res.Records)/read.Seconds(), filepath.Join(dir, results.ReportHTMLFile))
	return nil
}

// readEvents streams the event records of a file (gzipped when its name
// ends in .gz) to add, with a progress bar on a terminal. A bad value is bad
// input naming the file, line and column.
func readEvents(ctx context.Context, e *env, name string, m *datamodel.EventMapping, add func(*datamodel.EventRecord)) error {
	return streamEvents(ctx, e, name, m, add, nil)
}

// streamEvents is readEvents; when h is not nil, every byte of the file
// also goes through h (the file's hash for a manifest, without reading the
// file a second time).
func streamEvents(ctx context.Context, e *env, name string, m *datamodel.EventMapping, add func(*datamodel.EventRecord), h hash.Hash) error {
	f, err := results.OpenRegular(name, -1)
	if err != nil {
		return badInput(err)
	}
	defer f.Close()
	var total int64
	if st, err := f.Stat(); err == nil {
		total = st.Size()
	}
	var r io.Reader = f
	if h != nil {
		r = io.TeeReader(f, h)
	}
	bar := newBar(e, total)
	if bar != nil {
		defer bar.Finish()
		r = progressReader(r, bar)
	}
	r, c, err := decompress(name, bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return badInput(err)
	}
	if c != nil {
		defer c.Close()
	}
	er, err := datamodel.NewEventReader(r, m)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", name, err))
	}
	rows := &badRows{}
	// next returns the next record; after a bad row, records are still
	// read (so that every bad row is reported, the first maxBadShown with
	// their line and column) but no longer returned, and the end of the
	// file is the error rows.
	next := func() (*datamodel.EventRecord, error) {
		for {
			rec, err := er.Next()
			if err == nil {
				if rows.n == 0 {
					return rec, nil
				}
				continue
			}
			var ee *datamodel.EventError
			if errors.As(err, &ee) {
				rows.n++
				if len(rows.shown) < maxBadShown {
					rows.shown = append(rows.shown, err.Error())
				}
				continue
			}
			if rows.n > 0 {
				if !errors.Is(err, io.EOF) {
					rows.n++
					rows.shown = append(rows.shown, err.Error())
				}
				return nil, rows
			}
			return nil, err
		}
	}
	// end turns the error that ended the reading into the command's; at
	// the end of the records, what follows them in the file (a gzip
	// stream's trailer) goes through h too.
	end := func(err error, records int) error {
		if errors.Is(err, io.EOF) {
			if records == 0 {
				return badInput(fmt.Errorf("%s: no records after the header line (want one row per consignment)", name))
			}
			if h != nil {
				if _, err := io.Copy(h, f); err != nil {
					return badInput(fmt.Errorf("%s: %w", name, err))
				}
			}
			return nil
		}
		var ee *datamodel.EventError
		var long *datamodel.RecordTooLongError
		var br *badRows
		if errors.As(err, &br) && br.n == 1 {
			return badInput(fmt.Errorf("%s: %s", name, br.shown[0]))
		}
		if errors.As(err, &ee) || errors.As(err, &long) || errors.As(err, &br) {
			return badInput(fmt.Errorf("%s: %w", name, err))
		}
		return badInput(fmt.Errorf("%s: line %d: %w", name, er.Line(), err))
	}
	if serialEvents() {
		for records := 0; ; records++ {
			rec, err := next()
			if err != nil {
				return end(err, records)
			}
			add(rec)
			if records%eventBatch == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	// Parse on one goroutine, add on this one: batches of records go through
	// a channel in file order, so the result does not depend on timing.
	type chunk struct {
		recs []datamodel.EventRecord
		err  error
	}
	ch := make(chan chunk, 4)
	free := make(chan []datamodel.EventRecord, 6)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ch)
		for {
			var recs []datamodel.EventRecord
			select {
			case recs = <-free:
			default:
				recs = make([]datamodel.EventRecord, 0, eventBatch)
			}
			recs = recs[:0]
			var rerr error
			for len(recs) < eventBatch {
				rec, err := next()
				if err != nil {
					rerr = err
					break
				}
				recs = append(recs, *rec)
			}
			select {
			case ch <- chunk{recs, rerr}:
			case <-done:
				return
			}
			if rerr != nil || ctx.Err() != nil {
				return
			}
		}
	}()
	records := 0
	for c := range ch {
		for i := range c.recs {
			add(&c.recs[i])
		}
		records += len(c.recs)
		select {
		case free <- c.recs:
		default:
		}
		if c.err != nil {
			return end(c.err, records)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return ctx.Err()
}

// eventBatch is the number of records the parsing goroutine hands over at
// a time (about 256 KB: they stay in the processor's caches).
const eventBatch = 1024

// serialEvents reports whether the records are parsed and added on one
// goroutine: with one processor, a second goroutine only adds hand-overs.
func serialEvents() bool { return runtime.GOMAXPROCS(0) < 2 }

// badRows are the bad rows of an event-record file: how many, and the
// messages of the first maxBadShown (each with its line and column).
type badRows struct {
	n     int
	shown []string
}

func (b *badRows) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d bad rows:", b.n)
	for _, m := range b.shown {
		sb.WriteString("\n  " + m)
	}
	if more := b.n - len(b.shown); more > 0 {
		fmt.Fprintf(&sb, "\n  … and %d more", more)
	}
	return sb.String()
}
