//go:build unix

package results

import (
	"syscall"
	"testing"
)

// cpuClock returns the CPU time of the process so far (user and system),
// in nanoseconds.
func cpuClock() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// reportCPU reports the CPU time per operation since start (cpuClock) as
// cpu-ns/op: on a machine shared with other jobs, wall-clock ns/op grows
// with their load, CPU time much less.
func reportCPU(b *testing.B, start int64) {
	if start > 0 && b.N > 0 {
		b.ReportMetric(float64(cpuClock()-start)/float64(b.N), "cpu-ns/op")
	}
}
