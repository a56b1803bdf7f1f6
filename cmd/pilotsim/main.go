// Command pilotsim simulates customs pilot projects in supply-chain security and
// facilitation: what a measure buys in detection and costs in release time.
//
// main only sets up signal handling and calls run; each subcommand lives in its
// own file with its own FlagSet. See README.md for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal asks the run to stop cleanly (finished work is
		// kept); a second one stops at once.
		first := <-sigs
		cancel(signalCause{first})
		<-sigs
		fmt.Fprintln(os.Stderr, "pilotsim: stopped at once (second interrupt); files being written are left as temporary files")
		os.Exit(signalExitCode(first))
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}

// signalCause is the cause of a context cancelled by a signal.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string { return "stopped by " + s.sig.String() }

// signalExitCode is the conventional exit code of a process stopped by sig:
// 128 + its number (130 for SIGINT, 143 for SIGTERM).
func signalExitCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}
