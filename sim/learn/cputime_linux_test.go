package learn

import (
	"runtime"
	"syscall"
	"testing"
)

// threadCPU returns the CPU time (user + system) of the calling OS thread in
// nanoseconds.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// cpuTimer reports, besides ns/op (wall time), cpu-ns/op: the CPU time of
// the benchmark's own thread per operation, which other jobs on a loaded
// machine do not inflate (they only take the processor away between
// slices). Call the returned function after the loop.
func cpuTimer(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		end := threadCPU()
		runtime.UnlockOSThread()
		if start >= 0 && end >= start {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
