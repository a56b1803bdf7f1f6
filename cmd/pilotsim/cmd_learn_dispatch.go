package main

import "context"

// runLearn is `pilotsim learn`: the simulator arena (SCENARIO.yaml).
func runLearn(ctx context.Context, e *env, args []string) error { return runLearnSim(ctx, e, args) }
