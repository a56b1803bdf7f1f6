package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"pilotsim/internal/fault"
	"pilotsim/metric"
)

// Options control Run.
type Options struct {
	// Workers is the number of goroutines running replications; default
	// runtime.NumCPU(). Results do not depend on it.
	Workers int
	// Reps lists the replications to run (indices into the scenario's random
	// streams); nil runs 0 … R-1. Results come back in this order.
	Reps []int
	// Progress, if set, has the number of consignments simulated added to it
	// in batches of borderProgressBatch (and the rest at the end of each
	// replication), never per consignment.
	Progress *atomic.Int64
	// Done, if set, has 1 added to it each time a replication finishes.
	Done *atomic.Int64
	// Trace, if set, gives a sink for replication rep; Run calls it from worker
	// goroutines (so it must be safe for concurrent use), feeds the sink that
	// replication's consignments in the order TraceSink documents (the same
	// for any worker count, not sorted by release) and closes it when the
	// replication ends, also when it fails or is cancelled. nil: no trace.
	Trace func(rep int) TraceSink
	// PoolHours makes every replication's result carry the pools' profiles
	// by hour of the week (metric.Rep.Hours): a few kilobytes per pool and
	// replication, so only runs that write them ask.
	PoolHours bool
}

// borderProgressBatch is how many consignments a worker simulates between
// progress updates and context checks.
const borderProgressBatch = 4096

// borderRepFunc runs one replication on a worker's own generator, selector and
// border and returns its metric values.
type borderRepFunc func(ctx context.Context, rep int, sink TraceSink, progress *atomic.Int64) (metric.Rep, error)

// borderRunReps runs reps on opt.Workers goroutines. Each worker makes its own
// replication runner with newWorker (reused for every replication it takes)
// and takes the next replication from an atomic counter; results land in the
// slot of their position in reps, so the output does not depend on the
// number of workers or on scheduling. On cancellation or failure the other
// workers stop at their next check; the replications finished so far are
// returned, in order, with ctx.Err() or the failure of the first replication
// (in reps order) that failed.
func borderRunReps(ctx context.Context, opt Options, reps []int, newWorker func() borderRepFunc) ([]metric.Rep, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, len(reps))
	results := make([]metric.Rep, len(reps))
	finished := make([]bool, len(reps))
	errs := make([]error, len(reps))
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			run := newWorker()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reps) || wctx.Err() != nil {
					return
				}
				var sink TraceSink
				if opt.Trace != nil {
					sink = opt.Trace(reps[i])
				}
				res, err := runRecovered(run, wctx, reps[i], sink, opt.Progress)
				if sink != nil {
					if cerr := sink.Close(); cerr != nil && err == nil {
						err = fmt.Errorf("replication %d: trace: %w", reps[i], cerr)
					}
				}
				if err != nil {
					errs[i] = err
					cancel()
					return
				}
				results[i] = res
				finished[i] = true
				if opt.Done != nil {
					opt.Done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	var out []metric.Rep
	for i, ok := range finished {
		if ok {
			out = append(out, results[i])
		}
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return out, err
		}
	}
	return out, nil
}

// tick is called every borderProgressBatch consignments: it reports n more
// consignments done and checks for cancellation and trace failures.
func (b *border) tick(ctx context.Context, rep int, progress *atomic.Int64, n int64) error {
	if progress != nil {
		progress.Add(n)
	}
	if b.sinkErr != nil {
		return fmt.Errorf("replication %d: trace: %w", rep, b.sinkErr)
	}
	return ctx.Err()
}

// end finishes replication rep after its last consignment (n of them since the
// last tick) and returns its metric values.
func (b *border) end(rep int, progress *atomic.Int64, n int64) (metric.Rep, error) {
	b.finish()
	if progress != nil {
		progress.Add(n)
	}
	if b.sinkErr != nil {
		return metric.Rep{}, fmt.Errorf("replication %d: trace: %w", rep, b.sinkErr)
	}
	return b.values(rep), nil
}

// runRecovered runs one replication, turning a panic (a bug) into a
// *fault.Panic error, so that it is reported as an internal error instead of
// killing the process from a worker goroutine.
func runRecovered(run borderRepFunc, ctx context.Context, rep int, sink TraceSink, progress *atomic.Int64) (res metric.Rep, err error) {
	defer func() {
		if p := fault.Recovered(recover(), fmt.Sprintf("replication %d", rep)); p != nil {
			res, err = metric.Rep{}, p
		}
	}()
	return run(ctx, rep, sink, progress)
}
