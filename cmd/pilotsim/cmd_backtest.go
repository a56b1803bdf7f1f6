package main

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim/backtest"
)

// maxBadShown is how many bad rows --skip-bad prints before only counting.
const maxBadShown = 20

func runBacktest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backtest", "--rules RULES.yaml [--mapping MAP.yaml] DECLARATIONS.csv  (or: RULES.yaml DECLARATIONS.csv)")
	rulesPath := fs.String("rules", "", "the rules and selectivity `FILE` (a rules file or a whole scenario; required)")
	mapPath := fs.String("mapping", "", "read the file through the column mapping `MAP.yaml` (default: pilotsim's own CSV columns)")
	var history, sets stringList
	fs.Var(&history, "history", "load the earlier declarations with outcomes of `FILE` into the history before scoring (repeatable, oldest first)")
	fs.Var(&sets, "set", "override a value of the rules file: `path=value` (repeatable)")
	frozen := fs.Bool("frozen-history", false, "score with the history of the --history files only: the scored file's own outcomes are not added as it goes")
	skipBad := fs.Bool("skip-bad", false, "go on past bad rows and count them (default: the first bad row stops the run, exit 2)")
	out := fs.String("out", "", "write backtest.json, curve.csv, rules.csv and report.html to `DIR`")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout")
	force := fs.Bool("force", false, "replace the output of another study in --out")
	rep := fs.Int("rep", 0, "random stream of the selectivity's random and expected rates (the simulator's replication)")
	novelty := fs.String("novelty", "", "also report the targeting curve split by whether the declaration's `KEY,…` (mapped field names, as a history key: hs,origin,tax_type) was seen before in a declaration with an outcome, or is new")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	// docs/design.md writes `backtest RULES.yaml DECLARATIONS.csv`: take the rules
	// file as the first argument when --rules is not given.
	if *rulesPath == "" && len(pos) == 2 {
		*rulesPath, pos = pos[0], pos[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		return badInput(fmt.Errorf("expected one declarations file, got %d arguments", len(pos)))
	}
	if *rulesPath == "" {
		fs.Usage()
		return badInput(errors.New("want the rules: --rules RULES.yaml (or RULES.yaml before the declarations file)"))
	}
	if *rep < 0 {
		return badInput(fmt.Errorf("--rep must be >= 0, got %d", *rep))
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
		header, err := readHeader(pos[0])
		if err != nil {
			return badInput(err)
		}
		var threats []string
		for _, th := range sc.Threats {
			threats = append(threats, th.Name)
		}
		m = backtest.DefaultMapping(header, threats)
	}
	rules, err := backtest.Compile(sc, m)
	if err != nil {
		return badInput(err)
	}

	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	// Open every file first (a missing one is bad input before any work), so
	// the progress bar knows the total of bytes on disk; then read each through
	// the bar, a buffer and, for .gz files, gzip.
	var total int64
	names := append(append([]string(nil), history...), pos[0])
	files := make([]*os.File, len(names))
	for i, name := range names {
		f, err := results.OpenRegular(name, -1)
		if err != nil {
			return badInput(err)
		}
		closers = append(closers, f)
		if st, err := f.Stat(); err == nil {
			total += st.Size()
		}
		files[i] = f
	}
	bar := newBar(e, total)
	if bar != nil {
		defer bar.Finish()
	}
	cfg := backtest.Config{Rules: rules, Mapping: m, Rep: *rep, SkipBad: *skipBad, FrozenHistory: *frozen}
	if *novelty != "" {
		cfg.Novelty = strings.Split(*novelty, ",")
		for i, p := range cfg.Novelty {
			cfg.Novelty[i] = strings.TrimSpace(p)
		}
		if _, err := rules.Schema.AddHistory(cfg.Novelty); err != nil {
			return badInput(fmt.Errorf("--novelty %s: %v", *novelty, err))
		}
	}
	for i, f := range files {
		var r io.Reader = f
		if bar != nil {
			r = progressReader(r, bar)
		}
		r, c, err := decompress(names[i], bufio.NewReaderSize(r, 1<<16))
		if err != nil {
			return badInput(err)
		}
		if c != nil {
			closers = append(closers, c)
		}
		in := backtest.Input{Name: names[i], R: r}
		if i < len(history) {
			cfg.History = append(cfg.History, in)
		} else {
			cfg.Input = in
		}
	}
	shown := 0
	cfg.OnBad = func(re *backtest.RowError) {
		if shown < maxBadShown {
			fmt.Fprintf(e.stderr, "pilotsim backtest: skipped %v\n", re)
		}
		shown++
	}

	tally, err := backtest.Run(ctx, cfg)
	if err != nil {
		var re *backtest.RowError
		if errors.As(err, &re) {
			return badInput(fmt.Errorf("%w (--skip-bad goes on past bad rows)", err))
		}
		var cg *corruptGzip
		if errors.As(err, &cg) {
			return badInput(err)
		}
		return err
	}
	if shown > maxBadShown {
		fmt.Fprintf(e.stderr, "pilotsim backtest: %d more bad rows skipped\n", shown-maxBadShown)
	}
	if tally.Rows == 0 {
		return badInput(fmt.Errorf("%s: no declarations to score", pos[0]))
	}
	rep2 := results.NewBacktestReport(results.BacktestInputs{Rules: *rulesPath, Mapping: *mapPath, File: pos[0], History: history}, tally)
	var man *results.Manifest
	if *out != "" {
		inputs, err := declarationInputs(*rulesPath, history, *mapPath, pos[0])
		if err != nil {
			return err
		}
		opts := []string{fmt.Sprintf("rep=%d", *rep)}
		if *frozen {
			opts = append(opts, "frozen-history")
		}
		if *skipBad {
			opts = append(opts, "skip-bad")
		}
		if *novelty != "" {
			opts = append(opts, "novelty="+strings.Join(cfg.Novelty, ","))
		}
		man = results.NewManifest("backtest", inputs, sets, opts)
	}
	return writeDeclarationStudy(e, rep2, *out, man, *force, *asJSON)
}

// newBar returns a progress bar over total bytes when stderr is a terminal,
// else nil (the command stays quiet).
func newBar(e *env, total int64) *progressbar.ProgressBar {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || total <= 0 {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("backtest"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func progressReader(r io.Reader, bar *progressbar.ProgressBar) io.Reader {
	pr := progressbar.NewReader(r, bar)
	return &pr
}

// readHeader returns the header row of a CSV file.
func readHeader(name string) ([]string, error) {
	f, err := results.OpenRegular(name, -1)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, c, err := decompress(name, bufio.NewReader(f))
	if err != nil {
		return nil, err
	}
	if c != nil {
		defer c.Close()
	}
	h, err := csv.NewReader(r).Read()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: line 1: %w", name, err)
	}
	return h, nil
}

// decompress returns r itself, or for a file whose name ends in .gz a gzip
// reader on it (buffered) and the reader to close.
func decompress(name string, r io.Reader) (io.Reader, io.Closer, error) {
	if !strings.HasSuffix(strings.ToLower(name), ".gz") {
		return r, nil, nil
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return bufio.NewReaderSize(gzipReader{zr}, 1<<16), zr, nil
}

// gzipReader marks the errors of gzip data cut short or damaged as
// *corruptGzip, so that such a file is bad input (exit code 2), not a failed
// run.
type gzipReader struct{ r io.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	var ce flate.CorruptInputError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &ce) {
		err = &corruptGzip{err}
	}
	return n, err
}

// corruptGzip is the error of a gzipped file that is truncated or corrupt.
type corruptGzip struct{ err error }

func (e *corruptGzip) Error() string { return "truncated or corrupt gzip file: " + e.err.Error() }
func (e *corruptGzip) Unwrap() error { return e.err }
