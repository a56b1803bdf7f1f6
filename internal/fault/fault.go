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
