// Package deploy holds the manifests that run a large pilotsim batch on an
// existing scheduler: a Kubernetes Indexed Job (kubernetes/indexed-job.yaml)
// and a Slurm job array (slurm/batch.sbatch), each followed by a merge step.
// It has no Go code of its own; its tests parse the manifests and run the
// Slurm script with stand-ins for sbatch and pilotsim, so a manifest that a
// scheduler would reject, or that shards the work wrongly, fails `go test`.
// docs/batch.md explains how to use them.
package deploy
