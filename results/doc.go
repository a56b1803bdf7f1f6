// Package results turns what the engine measured into answers: per-replication
// summaries, aggregation across replications with Student-t confidence
// intervals, paired comparisons, sweeps and Pareto frontiers, and writers for
// CSV, JSON and the Markdown/HTML report. Every file is written to a temporary
// name and renamed when complete.
package results
