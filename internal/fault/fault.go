// Package fault turns a panic — a bug in pilotsim, never the user's input —
// into an error that the command line reports as an internal error (exit
// code 3, "please report"), so that a panic in a worker goroutine does not
// kill the process with a Go stack trace and exit code 2, the code of
// refused input. It is not for expected failures: those are ordinary errors.
package fault

import (
	"fmt"
	"runtime/debug"
)

// Panic is a recovered panic: its value and the stack where it happened.
type Panic struct {
	Value any
	Stack []byte
	Where string // what was running, e.g. "replication 3"; "" when unknown
}

// Error says what panicked, without the stack.
func (p *Panic) Error() string {
	if p.Where != "" {
		return fmt.Sprintf("internal error in %s: %v", p.Where, p.Value)
	}
	return fmt.Sprintf("internal error: %v", p.Value)
}

// Recovered returns r (the value recover returned) as a *Panic with the
// current stack, or nil when r is nil. Call it in the deferred function that
// recovers.
func Recovered(r any, where string) error {
	if r == nil {
		return nil
	}
	if p, ok := r.(*Panic); ok {
		return p
	}
	return &Panic{Value: r, Stack: debug.Stack(), Where: where}
}

// Bug is an error only a bug in pilotsim can cause: an invariant a caller
// had to keep is broken, for example sim.Compile given a scenario that
// scenarios.Load would have refused. Like a Panic, the command line reports
// it as an internal error (exit code 3, "please report"); it is never the
// answer to bad input, which is reported where it is read, with its place.
type Bug struct {
	Msg string
}

// Error says what invariant was broken.
func (b *Bug) Error() string { return "internal error: " + b.Msg }

// Bugf returns a *Bug with a formatted message.
func Bugf(format string, args ...any) error {
	return &Bug{Msg: fmt.Sprintf(format, args...)}
}

// Unvalidated returns the error maker of a compiler handed a scenario that
// validation should have refused: each error is a *Bug naming the scenario
// (its file, or its name when built in code) and what is wrong. sim.Compile
// and risk.Compile trust validated scenarios and share these messages.
func Unvalidated(name string) func(format string, args ...any) error {
	return func(format string, args ...any) error {
		return Bugf("compile %s: %s (scenarios validation refuses this: was the scenario validated?)", name, fmt.Sprintf(format, args...))
	}
}
