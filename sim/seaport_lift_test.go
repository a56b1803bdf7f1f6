package sim

import (
	"context"
	"sync"
	"testing"

	"pilotsim/scenarios"
)

// liftSink counts, for controlled consignments that arrived after the
// warm-up, those selected at random and by risk (every other reason), and
// how many of each a control found irregular.
type liftSink struct {
	mu     *sync.Mutex
	warmup float64
	n      *[4]int64 // random, random found, risk, risk found
}

func (s liftSink) Consignment(c *Consignment, ms *Milestones) error {
	if c.Arrival < s.warmup {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Lane != Yellow && c.Lane != Red {
		return nil
	}
	k := 2
	if c.Reason == ReasonRandom {
		k = 0
	}
	s.n[k]++
	if ms.Found {
		s.n[k+1]++
	}
	return nil
}

func (liftSink) Close() error { return nil }

// TestSeaportLift: the seaport baseline's risk selection finds irregular
// consignments 3 to 5 times as often as its random stratum does (the lift an
// administration can measure; the literature's benchmark is 80% of offences
// in the top 30% of declarations, Grigoriou, World Customs Journal 13(2)),
// pooled over the scenario's replications.
func TestSeaportLift(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the seaport's 10 replications")
	}
	sc, err := scenarios.Load("../scenarios/examples/seaport.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := engCompile(t, sc)
	var n [4]int64
	var mu sync.Mutex
	if _, err := Run(context.Background(), m, Options{Trace: func(int) TraceSink {
		return liftSink{mu: &mu, warmup: float64(sc.Warmup), n: &n}
	}}); err != nil {
		t.Fatal(err)
	}
	random := float64(n[1]) / float64(n[0])
	risk := float64(n[3]) / float64(n[2])
	lift := risk / random
	t.Logf("random stratum: %d found in %d controls (%.3f%%); risk-selected: %d in %d (%.3f%%); lift %.2f",
		n[1], n[0], 100*random, n[3], n[2], 100*risk, lift)
	if lift < 3 || lift > 5 {
		t.Errorf("lift of risk selection over the random stratum %.2f, want 3 to 5", lift)
	}
}
