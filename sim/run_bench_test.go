package sim

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkReferenceRun runs the reference scenario (no trace) on 1 and 2
// workers; one op is one replication per worker (30 days, about 86,000
// consignments each). It reports ns per consignment (wall time × workers /
// consignments, i.e. per core), consignments per second (all workers),
// allocations and bytes per consignment.
func BenchmarkReferenceRun(b *testing.B) {
	m := runLoad(b, "reference")
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var progress atomic.Int64
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				reps := make([]int, workers)
				for w := range reps {
					reps[w] = i*workers + w
				}
				if _, err := Run(context.Background(), m, Options{Workers: workers, Reps: reps, Progress: &progress}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			n := float64(progress.Load())
			b.ReportMetric(float64(elapsed.Nanoseconds())*float64(workers)/n, "ns/consignment/core")
			b.ReportMetric(n/elapsed.Seconds(), "consignments/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/consignment")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/consignment")
		})
	}
}
