package learn_test

import (
	"fmt"

	"pilotsim/sim"
	"pilotsim/sim/learn"
)

// The learning loop on one day: score, choose within a budget, hold the
// outcomes until they are due, learn them, estimate detection.
func Example() {
	schema := learn.Schema{Families: []learn.Family{
		{Name: "hs4", Parent: -1}, {Name: "hs6", Parent: 0}, {Name: "hs6+origin", Parent: 1},
	}}
	model, _ := learn.NewModel(schema, 1024)
	pol, _ := learn.ParsePolicy("learned+random:0.5")
	sel := learn.NewSelector(pol, model, 42, 0)
	queue := learn.NewPending(64)
	var est learn.Estimator

	items := make([]learn.Item, 4)
	for i, origin := range []string{"CN", "MX", "CN", "DE"} {
		hs := uint64(847130 + 10*i)
		items[i].F.Add(learn.Key(0, hs/100))
		items[i].F.Add(learn.Key(1, hs))
		items[i].F.Add(learn.Key(2, hs, learn.Hash(origin)))
	}
	out := make([]learn.Decision, len(items))
	sel.SelectDay(items, 2, out)
	for i, d := range out {
		if d.Inspect {
			// The exam ends the same day; the audit adds 30 days.
			queue.Push(&learn.Label{At: 30, Day: 0, F: items[i].F, Irregular: i == 1, Decision: d})
		}
	}
	fmt.Println("revealed on day 29:", queue.Release(29, sel.Reveal))
	fmt.Println("revealed on day 30:", queue.Release(30, func(l *learn.Label) { sel.Reveal(l); est.Add(l) }))
	fmt.Println("outcomes learned:", model.Observed())
	// Output:
	// revealed on day 29: 0
	// revealed on day 30: 2
	// outcomes learned: 2
}

// An unseen HS6 code takes the rate of its heading (HS4).
func ExampleModel_Rate() {
	schema := learn.Schema{Families: []learn.Family{{Name: "hs4", Parent: -1}, {Name: "hs6", Parent: 0}}}
	model, _ := learn.NewModel(schema, 16)
	model.SetLearningRate(0)
	feat := func(hs uint64) learn.Features {
		var f learn.Features
		f.Add(learn.Key(0, hs/100))
		f.Add(learn.Key(1, hs))
		return f
	}
	seen := feat(610910)
	for i := range 20 {
		model.Observe(&seen, i < 15)
	}
	unseen := feat(610990)
	fmt.Printf("heading 6109: %.3f\n", model.Rate(&unseen, 0))
	fmt.Printf("unseen 610990: %.3f\n", model.Rate(&unseen, 1))
	fmt.Printf("seen 610910: %.3f\n", model.Rate(&seen, 1))
	// The global rate is (15+1)/(20+2) = 0.727; the heading's
	// (15 + 10·0.727)/(20 + 10) = 0.742; the HS6's (15 + 10·0.742)/30.
	// Output:
	// heading 6109: 0.742
	// unseen 610990: 0.742
	// seen 610910: 0.747
}

func ExampleParsePolicy() {
	for _, s := range []string{"learned+random:0.05", "adaptive:0.02-0.4", "thompson/value"} {
		p, _ := learn.ParsePolicy(s)
		fmt.Printf("%s: kind %s, ε %.2f, adaptive %.2f–%.2f, by value %v\n", s, p.Kind, p.Epsilon, p.EpsMin, p.EpsMax, p.ByValue)
	}
	// Output:
	// learned+random:0.05: kind learned+random, ε 0.05, adaptive 0.00–0.00, by value false
	// adaptive:0.02-0.4: kind adaptive, ε 0.00, adaptive 0.02–0.40, by value false
	// thompson/value: kind thompson, ε 0.00, adaptive 0.00–0.00, by value true
}

// The learning streams are derived as the simulator's: the same (seed,
// replication, purpose) gives the same stream.
func ExampleStream() {
	a := learn.Stream(7, 3, learn.PurposeExplore).Uint64()
	b := sim.Stream(7, 3, sim.Purpose(learn.PurposeExplore)).Uint64()
	fmt.Println(a == b)
	// Output: true
}
