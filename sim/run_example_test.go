package sim_test

import (
	"context"
	"fmt"
	"math"
	"strings"

	"pilotsim/scenarios"
	"pilotsim/sim"
)

// Run a scenario's replications concurrently and read figures by metric name.
func ExampleRun() {
	sc, err := scenarios.Load("../scenarios/examples/reference.yaml",
		[]string{"horizon=3d", "warmup=1d", "replications=3"})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := sim.Compile(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := sim.Run(context.Background(), m, sim.Options{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	index := map[string]int{}
	for i, d := range m.Metrics() {
		index[d.Name()] = i
		if strings.HasPrefix(d.Name(), "release.red.") {
			fmt.Printf("%s (%s)\n", d.Name(), d.Unit)
		}
	}
	for _, r := range res {
		shares := 0.0
		for _, l := range []string{"green", "blue", "yellow", "red"} {
			shares += r.Values[index["lane."+l+".share"]]
		}
		// Declarations are lodged 24 h ahead: green goods leave on arrival.
		fmt.Printf("rep %d: lane shares add to %.0f; green release %.0f h\n",
			r.Rep, math.Round(shares), r.Values[index["release.green.mean"]])
	}
	// Output:
	// release.red.mean (h)
	// release.red.median (h)
	// release.red.p90 (h)
	// release.red.p95 (h)
	// release.red.max (h)
	// release.red.within.15m (fraction)
	// release.red.within.30m (fraction)
	// release.red.within.1h (fraction)
	// release.red.within.2h (fraction)
	// release.red.within.4h (fraction)
	// release.red.within.8h (fraction)
	// release.red.within.12h (fraction)
	// release.red.within.24h (fraction)
	// release.red.within.48h (fraction)
	// release.red.within.72h (fraction)
	// release.red.within.120h (fraction)
	// rep 0: lane shares add to 1; green release 0 h
	// rep 1: lane shares add to 1; green release 0 h
	// rep 2: lane shares add to 1; green release 0 h
}
