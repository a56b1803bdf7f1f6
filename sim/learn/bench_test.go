package learn

import (
	"math/rand/v2"
	"testing"
)

// benchItems makes n declarations over the 12 key families of the Korean
// replay's schema shape (HS2/4/6, HS6 × origin/departure/tax type, origin,
// importer, declarant …) drawn from a few thousand values each.
func benchItems(n int) ([]Item, Schema) {
	s := Schema{Families: []Family{
		{Name: "hs2", Parent: -1}, {Name: "hs4", Parent: 0}, {Name: "hs6", Parent: 1},
		{Name: "hs6+origin", Parent: 2}, {Name: "hs6+dispatch", Parent: 2}, {Name: "hs6+tax", Parent: 2},
		{Name: "hs6+origin+dispatch+tax", Parent: 3}, {Name: "origin", Parent: -1}, {Name: "dispatch", Parent: -1},
		{Name: "importer", Parent: -1}, {Name: "declarant", Parent: -1}, {Name: "office", Parent: -1},
	}}
	r := rand.New(rand.NewPCG(1, 2))
	items := make([]Item, n)
	for i := range items {
		hs := uint64(10000 + r.IntN(5000)*19)
		o, d, tax := uint64(r.IntN(60)), uint64(r.IntN(60)), uint64(r.IntN(5))
		f := &items[i].F
		f.Add(Key(0, hs/10000))
		f.Add(Key(1, hs/100))
		f.Add(Key(2, hs))
		f.Add(Key(3, hs, o))
		f.Add(Key(4, hs, d))
		f.Add(Key(5, hs, tax))
		f.Add(Key(6, hs, o, d, tax))
		f.Add(Key(7, o))
		f.Add(Key(8, d))
		f.Add(Key(9, uint64(r.IntN(20000))))
		f.Add(Key(10, uint64(r.IntN(1000))))
		f.Add(Key(11, uint64(r.IntN(40))))
		items[i].Value = r.Float64() * 1000
	}
	return items, s
}

// benchModel makes n declarations (benchItems), keeps the first keep of
// them, and returns them with a model of the given capacity that has learned
// every one (one in five irregular): the steady state the benchmarks time.
func benchModel(b *testing.B, n, keep, capacity int) ([]Item, *Model) {
	items, s := benchItems(n)
	items = items[:keep]
	m, err := NewModel(s, capacity)
	if err != nil {
		b.Fatal(err)
	}
	for i := range items {
		m.Observe(&items[i].F, i%5 == 0)
	}
	return items, m
}

// BenchmarkScoreUpdate is the learning cost per declaration in steady state
// (every key already seen): score it (Prob) and learn its outcome (Observe).
func BenchmarkScoreUpdate(b *testing.B) { benchScoreUpdate(b, 1<<16, 1<<18) }

// BenchmarkScoreUpdateSmall is BenchmarkScoreUpdate with 2,000 distinct
// declarations (about 15,000 keys, a table that stays in cache): the cost of
// the arithmetic without the memory latency of a large table.
func BenchmarkScoreUpdateSmall(b *testing.B) { benchScoreUpdate(b, 2048, 1<<15) }

// benchScoreUpdate scores and learns declarations in turn, over distinct
// declarations learned beforehand into a table of capacity keys.
func benchScoreUpdate(b *testing.B, distinct, capacity int) {
	items, m := benchModel(b, 1<<16, distinct, capacity)
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b)()
	for i := 0; i < b.N; i++ {
		it := &items[i&(len(items)-1)]
		p := m.Prob(&it.F)
		m.Observe(&it.F, p > 0.5)
	}
}

// BenchmarkScore is Prob alone.
func BenchmarkScore(b *testing.B) {
	items, m := benchModel(b, 1<<16, 1<<16, 1<<18)
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b)()
	sum := 0.0
	for i := 0; i < b.N; i++ {
		sum += m.Prob(&items[i&(len(items)-1)].F)
	}
	_ = sum
}

// BenchmarkSample is one Thompson draw (a Beta draw per family).
func BenchmarkSample(b *testing.B) {
	items, m := benchModel(b, 1<<16, 1<<16, 1<<18)
	r := Stream(1, 0, PurposeThompson)
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b)()
	sum := 0.0
	for i := 0; i < b.N; i++ {
		sum += m.Sample(&items[i&(len(items)-1)].F, r)
	}
	_ = sum
}

// BenchmarkSelectDay is a day of 1,000 declarations chosen under a 10%
// budget with 10% random, then their outcomes queued, revealed and learned;
// ns/op is per day: divide by 1,000 for the cost per declaration.
func BenchmarkSelectDay(b *testing.B) {
	for _, name := range []string{"learned+random", "thompson"} {
		b.Run(name, func(b *testing.B) {
			items, m := benchModel(b, 1<<14, 1<<14, 1<<18)
			pol, _ := ParsePolicy(name)
			sel := NewSelector(pol, m, 1, 0)
			q := NewPending(1024)
			out := make([]Decision, 1000)
			reveal := sel.Reveal // a method value allocates: make it once
			b.ReportAllocs()
			b.ResetTimer()
			defer cpuTimer(b)()
			for i := 0; i < b.N; i++ {
				off := (i % 16) * 1000
				day := items[off : off+1000]
				sel.SelectDay(day, 100, out)
				for j := range day {
					if out[j].Inspect {
						q.Push(&Label{At: float64(i + 2), Day: i, F: day[j].F, Irregular: j%5 == 0, Decision: out[j]})
					}
				}
				q.Release(float64(i), reveal)
			}
		})
	}
}

// BenchmarkDecide is the border's per-consignment path: score one
// declaration and decide on it under a capacity signal.
func BenchmarkDecide(b *testing.B) {
	items, m := benchModel(b, 1<<16, 1<<16, 1<<18)
	pol, _ := ParsePolicy("learned+random")
	sel := NewSelector(pol, m, 1, 0)
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b)()
	n := 0
	for i := 0; i < b.N; i++ {
		if sel.Decide(&items[i&(len(items)-1)], 0.1).Inspect {
			n++
		}
	}
	_ = n
}
