package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"pilotsim/scenarios"
)

// borderTestPool is a pool with exponential service of the given mean.
func borderTestPool(name string, servers int, mean float64) scenarios.Pool {
	return scenarios.Pool{Name: name, Servers: servers, Service: scenarios.Dist{Kind: "exp", Mean: &mean}}
}

// borderTestConstPool is a pool with constant service time.
func borderTestConstPool(name string, servers int, d float64) scenarios.Pool {
	return scenarios.Pool{Name: name, Servers: servers, Service: scenarios.Dist{Kind: "const", Value: &d}}
}

// borderTestScenario is a scenario reduced to what the border reads. With a
// single pool, both yellow and red visit it.
func borderTestScenario(horizon, warmup float64, pools ...scenarios.Pool) *scenarios.Scenario {
	var route []string
	if len(pools) == 1 {
		route = []string{pools[0].Name}
	}
	return &scenarios.Scenario{
		Name:      "border-test",
		Seed:      7,
		Horizon:   scenarios.Duration(horizon),
		Warmup:    scenarios.Duration(warmup),
		Resources: scenarios.Resources{Pools: pools, Yellow: route, Red: route},
		Targets:   scenarios.Targets{Overall: 48 * 60},
	}
}

// borderNoDrain is a drain of 0: the simulation stops at the horizon, and
// what is still in the system stays unreleased.
func borderNoDrain() *scenarios.Duration {
	d := scenarios.Duration(0)
	return &d
}

func borderTestCompile(t testing.TB, sc *scenarios.Scenario) *borderConfig {
	t.Helper()
	cfg, err := compileBorder(sc, borderDetectFromScenario(sc))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// borderTestFeed runs replication rep of cfg with Poisson arrivals at lambda
// per minute up to the horizon; mark sets each consignment's lane, threat and
// times beyond Arrival (it starts with Lodgement = LaneAt = Arrival, green,
// regular). It returns the border after finish.
func borderTestFeed(b *border, rep int, lambda float64, mark func(c *Consignment, r *rand.Rand)) *border {
	b.reset(rep, nil)
	r := Stream(b.cfg.seed, rep, PurposeArrivals)
	var c Consignment
	t := 0.0
	for seq := uint64(0); ; seq++ {
		t += r.ExpFloat64() / lambda
		if t > b.cfg.horizon {
			break
		}
		c = Consignment{Seq: seq, Arrival: t, Lodgement: t, LaneAt: t, Threat: NoThreat}
		if mark != nil {
			mark(&c, r)
		}
		b.add(&c)
	}
	b.finish()
	return b
}

// borderMetric returns the value of the named metric.
func borderMetric(t testing.TB, b *border, name string) float64 {
	t.Helper()
	vals := b.values(0).Values
	for i, d := range b.cfg.defs {
		if d.Name() == name {
			return vals[i]
		}
	}
	t.Fatalf("no metric %q", name)
	return math.NaN()
}

// borderMeanSE returns the mean of xs and its standard error.
func borderMeanSE(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1) / float64(len(xs)))
}

// borderErlangC returns the mean wait in queue of an M/M/c queue with arrival rate
// lambda and service rate mu per server (Erlang C formula).
func borderErlangC(c int, lambda, mu float64) float64 {
	a := lambda / mu
	rho := a / float64(c)
	term, sum := 1.0, 0.0 // a^k/k!
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term / (1 - rho)
	pWait := top / (sum + top)
	return pWait / (float64(c)*mu - lambda)
}
