package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"pilotsim/internal/safefile"
	"pilotsim/sim"
)

// maxRunTime is the longest run accepted without --force: a week of work.
const maxRunTime = 7 * 24 * time.Hour

// memoryLimitEnv, when set (bytes, or with a suffix K, M, G), replaces the
// memory the machine has for the pre-run check: for a shared machine, a job
// scheduler's limit, or tests.
const memoryLimitEnv = "PILOTSIM_MEMORY"

// availableMemory is the memory a run may use: PILOTSIM_MEMORY when set,
// else the smaller of the cgroup's limit and the memory the kernel reports
// available; 0 when unknown.
func availableMemory() (float64, string) {
	if s := os.Getenv(memoryLimitEnv); s != "" {
		if v, ok := parseBytes(s); ok {
			return v, memoryLimitEnv
		}
	}
	avail, where := 0.0, ""
	if data, err := safefile.ReadRegular("/proc/meminfo", 1<<20); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemAvailable:" {
				if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
					avail, where = kb*1024, "available memory (/proc/meminfo)"
				}
			}
		}
	}
	if data, err := safefile.ReadRegular("/sys/fs/cgroup/memory.max", 1<<10); err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(data)), 64); err == nil && (avail == 0 || v < avail) {
			avail, where = v, "the cgroup's memory limit (memory.max)"
		}
	}
	return avail, where
}

// parseBytes reads 123, 512M, 8G, 2T.
func parseBytes(s string) (float64, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "T"):
		mult, s = 1<<40, strings.TrimSuffix(s, "T")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, false
	}
	return v * mult, true
}

// formatBytes writes a size as 12 MB, 3.4 GB.
func formatBytes(b float64) string {
	switch {
	case b >= 1<<40:
		return fmt.Sprintf("%.3g TB", b/(1<<40))
	case b >= 1<<30:
		return fmt.Sprintf("%.3g GB", b/(1<<30))
	default:
		return fmt.Sprintf("%.3g MB", b/(1<<20))
	}
}

// formatTime writes a duration for an estimate: 40s, 12 min, 3.5 h, 9 days.
func formatTime(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.3g days", d.Hours()/24)
	case d >= time.Hour:
		return fmt.Sprintf("%.2g h", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.2g min", d.Minutes())
	}
	return fmt.Sprintf("%.2g s", d.Seconds())
}

// checkEstimate estimates the memory and time of running models one after
// another (the largest sets the memory) and refuses, as bad input, a run
// that will not fit this machine's memory or that would take longer than a
// week, unless --force; the message gives the figure and the limit. Within
// the estimate it sets the Go memory limit, so the collector keeps the
// process under it.
func checkEstimate(e *env, f *studyFlags, models ...*sim.Model) error {
	return checkEstimateRun(e, *f.force, *f.reps, *f.workers, models...)
}

// checkEstimateRun is checkEstimate with the flags' values.
func checkEstimateRun(e *env, force bool, reps, workers int, models ...*sim.Model) error {
	var peak float64
	var total time.Duration
	var big sim.Estimate
	for _, m := range models {
		est := sim.EstimateRun(m, reps, workers)
		if est.Bytes > peak {
			peak, big = est.Bytes, est
		}
		total += est.Time
		if total < 0 {
			total = time.Duration(math.MaxInt64)
		}
	}
	avail, where := availableMemory()
	fix := "use a machine with more memory (and --force), fewer --workers, a shorter horizon or lower rates"
	switch {
	case avail > 0 && peak > avail && !force:
		return badInput(fmt.Errorf("this run may need up to %s of memory (%.3g consignments per replication, %d at once on %d workers), more than %s (%s); %s",
			formatBytes(peak), big.Consignments, big.Workers, big.Workers, formatBytes(avail), where, fix))
	case total > maxRunTime && !force:
		return badInput(fmt.Errorf("this run would take about %s (%.3g consignments per replication), more than the %s accepted without --force; use more cores (--workers), fewer replications or a shorter horizon, or --force",
			formatTime(total), big.Consignments, formatTime(maxRunTime)))
	}
	if total > 10*time.Minute {
		fmt.Fprintf(e.stderr, "pilotsim: this run may take about %s and up to %s of memory\n", formatTime(total), formatBytes(peak))
	}
	if !force && peak < math.MaxInt64/2 {
		// The bound holds for live data; the limit makes the collector
		// return garbage before the process grows past it.
		debug.SetMemoryLimit(int64(peak))
	}
	return nil
}
