//go:build !linux

package learn

import "testing"

// cpuTimer reports nothing beyond ns/op where the thread's CPU time is not
// available.
func cpuTimer(*testing.B) func() { return func() {} }
