package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

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
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return badInput(fmt.Errorf("version takes no arguments, got %q", pos))
	}
	_, err = fmt.Fprintln(e.stdout, "pilotsim", versionString())
	return err
}

// versionString is the version and, when the binary knows it, the build
// revision: "dev (rev 0123abcd…)".
func versionString() string {
	b := results.CurrentBuild()
	if b.Revision == "" {
		return version
	}
	return version + " (rev " + b.Revision + ")"
}

// run is the whole program: it dispatches to a subcommand and maps its error to
// an exit code. A panic (a bug) is recovered here, or in the worker goroutine
// it happened in, and exits with exitInternal.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if err := fault.Recovered(recover(), ""); err != nil {
			code = reportError(ctx, stderr, args[0], err)
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	results.Version = version
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "pilotsim: unknown command %q\n", args[0])
		usage(stderr)
		return exitBadInput
	}
	err := cmd.run(ctx, e, args[1:])
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return reportError(ctx, stderr, args[0], err)
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

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: pilotsim COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'pilotsim COMMAND -h' for a command's flags.")
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

// newFlagSet makes a subcommand's FlagSet that reports errors instead of
// exiting and prints its usage to stderr.
func newFlagSet(e *env, name, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: pilotsim %s [flags] %s\n", name, argsUsage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into bad input. Flags may come
// before or after positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, badInput(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
