// Command pilotsim simulates customs pilot projects in supply-chain security and
// facilitation: what a measure buys in detection and costs in release time.
//
// main only sets up signal handling and calls run; each subcommand lives in its
// own file with its own FlagSet. See README.md for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
