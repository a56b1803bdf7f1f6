package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"pilotsim/datamodel"
	"pilotsim/internal/fault"
	"pilotsim/results"
)

// Exit codes, documented in README.md (Exit codes) and docs/robustness.md.
const (
	exitOK          = 0
	exitFailed      = 1   // the run failed (a file could not be written, …)
	exitBadInput    = 2   // bad input or usage
	exitInternal    = 3   // a bug in pilotsim (a recovered panic): please report
	exitInterrupted = 130 // stopped by Ctrl-C (SIGINT): 128 + 2
	exitTerminated  = 143 // stopped by SIGTERM (a scheduler): 128 + 15
)

// debugEnv, when set to 1, makes an internal error print its stack.
const debugEnv = "PILOTSIM_DEBUG"

// env is what a subcommand may touch of the outside world, so tests can call
// run with buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands; each lives in its own file.
var commands = map[string]command{
	"version":   {"print the version", runVersion},
	"backtest":  {"score real declarations with a rule set: what it would have caught", runBacktest},
	"learn":     {"targeting that learns only from its own inspections: SCENARIO.yaml in the simulator, or --replay RECORDS.csv (real declarations day by day)", runLearn},
	"validate":  {"check a declarations CSV or a scenario YAML; every problem with line and column", runValidate},
	"generate":  {"write the synthetic declarations of a scenario to CSV, with lanes and ground truth", runGenerate},
	"run":       {"run a scenario's replications; print the summary and write the results", runRun},
	"compare":   {"run scenarios with the same seeds; paired differences with confidence intervals", runCompare},
	"sweep":     {"run a scenario over a grid of parameter values; trade-off table and Pareto frontier", runSweep},
	"batch":     {"run many scenarios, whole or one shard (--shard i/n) of the (scenario, replication) pairs", runBatch},
	"calibrate": {"fit a scenario to event records (--base for what records cannot show), then check the fit by simulation", runCalibrate},
	"trs":       {"a Time Release Study report from consignment event records (real, or a run --trace)", runTRS},
	"evaluate":  {"the effect of a pilot that was run, from its event records, with the design's checks", runEvaluate},
	"plan":      {"simulate possible pilots of a measure: MDE, power, weeks needed and a sequential rule per design", runPlan},
	"merge":     {"join the shard files of a batch into the files an unsharded batch writes", runMerge},
	"schema":    {"print the JSON Schema of scenario files, for editors that complete and check them", runSchema},
}

// version is set at build time by make (-ldflags "-X main.version=…", from
// git describe); a binary built otherwise takes the module version Go stamped
// into it (go install pilotsim@v1.2.0, or a pseudo-version from the
// commit), see buildVersion.
var version = ""

// buildVersion is the version the binary reports: the one set by make, else
// the main module's version from the build information, else the commit it
// was built from, else "devel" (a build outside version control).
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, st := range info.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.modified":
			dirty = st.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel-" + rev
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "")
	asJSON := fs.Bool("json", false, "print the version, Go version and platform as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return badInput(fmt.Errorf("version takes no arguments, got %q", pos))
	}
	if *asJSON {
		b := results.CurrentBuild()
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			SchemaVersion int    `json:"schema_version"`
			Version       string `json:"version"`
			Revision      string `json:"revision,omitempty"`
			Modified      bool   `json:"modified,omitempty"`
			Go            string `json:"go"`
			Platform      string `json:"platform"`
		}{1, b.Version, b.Revision, b.Modified, runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH})
	}
	_, err = fmt.Fprintln(e.stdout, "pilotsim", versionString())
	return err
}

// versionString is the version and, when the binary knows it and the
// version does not already name it, the build revision:
// "v1.2.0 (rev 0123abcd…)".
func versionString() string {
	b := results.CurrentBuild()
	if b.Revision == "" || strings.Contains(b.Version, b.Revision[:min(12, len(b.Revision))]) {
		return b.Version
	}
	return b.Version + " (rev " + b.Revision + ")"
}

// run is the whole program: it dispatches to a subcommand and maps its error to
// an exit code. A panic (a bug) is recovered here, or in the worker goroutine
// it happened in, and exits with exitInternal.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if err := fault.Recovered(recover(), ""); err != nil {
			name := "pilotsim"
			if len(args) > 0 {
				name = args[0]
			}
			code = reportError(ctx, stderr, name, err)
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	// The manifest's and the version command's version: make's, else the
	// build information's (never "dev").
	results.Version = buildVersion()
	if len(args) == 0 {
		usage(stderr)
		return exitBadInput
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	case "help":
		// pilotsim help [COMMAND]: the overview, or a command's flags.
		if len(rest) == 0 {
			usage(stdout)
			return exitOK
		}
		if len(rest) > 1 {
			fmt.Fprintf(stderr, "pilotsim help: want one command, got %q\n", rest)
			return exitBadInput
		}
		name, rest = rest[0], []string{"-h"}
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "pilotsim: unknown command %q (see 'pilotsim help')\n", name)
		return exitBadInput
	}
	err := cmd.run(ctx, e, rest)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return reportError(ctx, stderr, name, err)
}

// reportError prints err for command name and returns its exit code. An
// internal error asks to be reported, with its stack under PILOTSIM_DEBUG=1.
func reportError(ctx context.Context, stderr io.Writer, name string, err error) int {
	code := exitCode(ctx, err)
	if code != exitInternal {
		fmt.Fprintf(stderr, "pilotsim %s: %v\n", name, err)
		return code
	}
	fmt.Fprintf(stderr, "pilotsim %s: %v\nThis is a bug in pilotsim %s; please report it with the command you ran and its input files.\n",
		name, err, versionString())
	var p *fault.Panic
	if errors.As(err, &p) {
		if os.Getenv(debugEnv) == "1" {
			fmt.Fprintf(stderr, "%s\n", p.Stack)
		} else {
			fmt.Fprintf(stderr, "Run again with %s=1 to print the stack.\n", debugEnv)
		}
	}
	return code
}

// commandOrder lists the commands in the order a user meets them; commands
// not listed follow in alphabetical order.
var commandOrder = []string{"validate", "generate", "run", "compare", "sweep", "batch", "merge", "trs", "calibrate",
	"backtest", "learn", "plan", "evaluate", "schema", "version"}

// commandExamples gives each command a one-line example for the overview.
var commandExamples = map[string]string{
	"validate":  "pilotsim validate scenarios/examples/seaport.yaml",
	"generate":  "pilotsim generate scenarios/examples/seaport.yaml --out decl.csv --count 1000",
	"run":       "pilotsim run scenarios/examples/seaport.yaml --out out/seaport",
	"compare":   "pilotsim compare scenarios/examples/seaport.yaml scenarios/examples/nii-pilot.yaml",
	"sweep":     "pilotsim sweep scenarios/examples/seaport.yaml --param selectivity.expected.red --values 0.02,0.04,0.06",
	"batch":     "pilotsim batch grid.list --shard 0/3 --out out/shards",
	"merge":     "pilotsim merge out/shards --out out/merged",
	"backtest":  "pilotsim backtest --rules rules.yaml --mapping map.yaml declarations.csv",
	"learn":     "pilotsim learn --replay test.csv --mapping map.yaml --rules rules.yaml --history train.csv --out out/learn",
	"trs":       "pilotsim trs out/seaport/consignments.csv --out out/trs",
	"calibrate": "pilotsim calibrate records.csv --base scenarios/examples/seaport.yaml --out fitted.yaml",
	"plan":      "pilotsim plan scenarios/examples/seaport.yaml scenarios/examples/nii-pilot.yaml --pilots 400 --out out/plan-nii",
	"evaluate":  "pilotsim evaluate out/seaport/consignments.csv --design before-after --switch 2025-02-03",
	"schema":    "pilotsim schema --out scenario.schema.json",
	"version":   "pilotsim version",
}

// orderedCommands returns the command names in commandOrder, then the rest
// sorted.
func orderedCommands() []string {
	var names []string
	seen := map[string]bool{}
	for _, n := range commandOrder {
		if _, ok := commands[n]; ok {
			names = append(names, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range commands {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: pilotsim COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands, in the order you will meet them:")
	for _, n := range orderedCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
		if ex := commandExamples[n]; ex != "" {
			fmt.Fprintf(w, "  %-10s   e.g. %s\n", "", ex)
		}
	}
	fmt.Fprintln(w, "\nRun 'pilotsim help COMMAND' (or 'pilotsim COMMAND -h') for a command's flags.")
	fmt.Fprintln(w, "Flags may come before or after the arguments; '--' ends the flags.")
}

// inputError marks an error caused by the user's input (a bad file, a bad flag):
// exit code 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// badInput wraps err as bad input (exit code 2); nil stays nil.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return inputError{err}
}

// exitCode maps an error to the process exit code in one place: a bug first
// (whatever else went wrong), then an interruption (its signal's code), then
// bad input, else a failed run.
func exitCode(ctx context.Context, err error) int {
	var ie inputError
	var p *fault.Panic
	var bug *fault.Bug
	var sc signalCause
	var nr *results.NotRegularError
	var long *datamodel.RecordTooLongError
	switch {
	case errors.As(err, &p), errors.As(err, &bug):
		// A bug, even where the caller called it bad input (a scenario
		// validation passed that the engine could not compile).
		return exitInternal
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		if errors.As(context.Cause(ctx), &sc) {
			return signalExitCode(sc.sig)
		}
		return exitInterrupted
	case errors.As(err, &ie), errors.As(err, &nr), errors.As(err, &long), errors.Is(err, results.ErrTooLarge):
		// A path the user gave that is a device, pipe or link, or a file
		// past its size bound, is bad input wherever it is found.
		return exitBadInput
	default:
		return exitFailed
	}
}

// stringList is a repeatable string flag (for example --set k=v).
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// usageOut is the output of every FlagSet: it writes to stderr (a usage
// printed after a wrong argument) and remembers stdout, where -h prints.
type usageOut struct{ stdout, stderr io.Writer }

func (u usageOut) Write(p []byte) (int, error) { return u.stderr.Write(p) }

// newFlagSet makes a subcommand's FlagSet that reports errors instead of
// exiting; its usage goes to stderr, or to stdout when asked for with -h.
func newFlagSet(e *env, name, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usageOut{stdout: e.stdout, stderr: e.stderr})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: pilotsim %s [flags] %s\n", name, argsUsage)
		if ex := commandExamples[name]; ex != "" {
			fmt.Fprintf(fs.Output(), "e.g.   %s\n", ex)
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into bad input reported once
// (by run, not also by the flag package). Flags may come before or after
// positional arguments; "--" ends the flags: everything after it is an
// argument. -h and --help print the usage to stdout and return flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	out := fs.Output()
	usage := fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			if u, ok := out.(usageOut); ok {
				fs.SetOutput(u.stdout)
			} else {
				fs.SetOutput(out)
			}
			usage()
			return nil, err
		}
		if err != nil {
			return nil, badInput(fmt.Errorf("%w (see 'pilotsim help %s')", err, fs.Name()))
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
