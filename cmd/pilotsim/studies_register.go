//go:build pilotsim_sim

package main

// TEMPORARY until sim.Run lands on main: the study commands register here,
// behind the pilotsim_sim build tag like cmd_run.go. When the tag goes, these
// become four lines of the commands map in run.go.
func init() {
	commands["compare"] = command{"run scenarios with the same seeds; paired differences with confidence intervals", runCompare}
	commands["sweep"] = command{"run a scenario over a grid of parameter values; trade-off table and Pareto frontier", runSweep}
	commands["batch"] = command{"run many scenarios, whole or one shard (--shard i/n) of the (scenario, replication) pairs", runBatch}
	commands["merge"] = command{"join the shard files of a batch into the files an unsharded batch writes", runMerge}
}
