package learn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPurposeValues pins the stream purposes: they seed every random stream.
func TestPurposeValues(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Purpose
		want uint64
	}{
		{"explore", PurposeExplore, 64}, {"thompson", PurposeThompson, 65},
		{"bootstrap", PurposeBootstrap, 66}, {"history", PurposeHistory, 67},
	} {
		if uint64(c.p) != c.want {
			t.Errorf("Purpose %s = %d, want %d", c.name, c.p, c.want)
		}
	}
	for _, c := range []struct {
		k    Kind
		want uint8
	}{{KindRules, 0}, {KindRulesRandom, 1}, {KindLearned, 2}, {KindLearnedRandom, 3}, {KindThompson, 4}, {KindAdaptive, 5}, {KindUCB, 6}} {
		if uint8(c.k) != c.want {
			t.Errorf("Kind %s = %d, want %d", c.k, c.k, c.want)
		}
	}
}

// hsSchema is HS2 → HS4 → HS6 → HS6×origin, and origin alone.
func hsSchema() Schema {
	return Schema{Families: []Family{
		{Name: "hs2", Parent: -1}, {Name: "hs4", Parent: 0}, {Name: "hs6", Parent: 1},
		{Name: "hs6+origin", Parent: 2}, {Name: "origin", Parent: -1},
	}}
}

func hsFeatures(hs6 uint64, origin string) Features {
	var f Features
	f.Add(Key(0, hs6/10000))
	f.Add(Key(1, hs6/100))
	f.Add(Key(2, hs6))
	f.Add(Key(3, hs6, Hash(origin)))
	f.Add(KeyString(4, origin))
	return f
}

// TestShrinkageUnseenHS6: an HS6 never seen takes its heading's rate; a seen
// one moves from it towards its own rate by n/(n+m).
func TestShrinkageUnseenHS6(t *testing.T) {
	m, err := NewModel(hsSchema(), 64)
	if err != nil {
		t.Fatal(err)
	}
	m.SetLearningRate(0)
	// Heading 8471: 40 of 50 irregular over two HS6; heading 8472 (same
	// chapter): 5 of 50.
	for i := range 50 {
		f := hsFeatures(847130+uint64(i%2)*10, "CN")
		m.Observe(&f, i%5 != 0)
		g := hsFeatures(847210, "CN")
		m.Observe(&g, i%10 == 0)
	}
	unseen := hsFeatures(847190, "CN")
	hs4 := m.Rate(&unseen, 1)
	if got := m.Rate(&unseen, 2); got != hs4 {
		t.Errorf("unseen HS6 rate %v, want its HS4 rate %v", got, hs4)
	}
	// The heading's rate is (k + m·μ_chapter)/(n + m) with k/n = 0.8.
	if hs4 < 0.6 || hs4 > 0.8 {
		t.Errorf("HS4 8471 rate %v, want between its chapter's rate and 0.8", hs4)
	}
	other := hsFeatures(847210, "CN")
	if r := m.Rate(&other, 1); r > 0.3 {
		t.Errorf("HS4 8472 rate %v, want near 0.1", r)
	}
	seen := hsFeatures(847130, "CN")
	want := (20 + DefaultPrior*m.Rate(&seen, 1)) / (25 + DefaultPrior)
	if got := m.Rate(&seen, 2); math.Abs(got-want) > 1e-12 {
		t.Errorf("seen HS6 rate %v, want (k + m·μ)/(n + m) = %v", got, want)
	}
	// A missing key contributes nothing: the family takes its parent's rate.
	miss := hsFeatures(847130, "CN")
	miss.Keys[3] = 0
	if got, par := m.Rate(&miss, 3), m.Rate(&miss, 2); got != par {
		t.Errorf("missing key rate %v, want its parent's %v", got, par)
	}
}

// TestRefitPriorStrength: cells drawn from Beta(m·μ, m·(1−μ)) with m = 20
// give an empirical-Bayes m of the right size.
func TestRefitPriorStrength(t *testing.T) {
	for _, c := range []struct {
		name   string
		m      float64
		lo, hi float64
	}{
		{"strong prior", 50, 30, 90},
		{"weak prior", 3, 1.5, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			model, _ := NewModel(Schema{Families: []Family{{Name: "cell", Parent: -1}}}, 4096)
			model.SetLearningRate(0)
			r := rand.New(rand.NewPCG(1, 2))
			for cell := range 2000 {
				p := betaDraw(r, c.m*0.3, c.m*0.7)
				var f Features
				f.Add(Key(0, uint64(cell)))
				for range 20 {
					model.Observe(&f, r.Float64() < p)
				}
			}
			model.Refit()
			if got := model.Priors()[0]; got < c.lo || got > c.hi {
				t.Errorf("refit prior %v, want in [%v, %v] (true %v)", got, c.lo, c.hi, c.m)
			}
		})
	}
}

// TestPendingNeverEarly: labels come out in order of reveal time, never
// before it, and all of them once due.
func TestPendingNeverEarly(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	q := NewPending(8)
	var ats []float64
	for range 500 {
		l := Label{At: math.Floor(r.Float64() * 100)}
		q.Push(&l)
		ats = append(ats, l.At)
	}
	slices.Sort(ats)
	var got []float64
	for now := -1.0; now <= 100; now += 0.5 {
		before := len(got)
		q.Release(now, func(l *Label) {
			if l.At > now {
				t.Fatalf("label due at %v revealed at %v", l.At, now)
			}
			got = append(got, l.At)
		})
		due := 0
		for _, a := range ats {
			if a <= now {
				due++
			}
		}
		if len(got) != due {
			t.Fatalf("at %v: %d revealed, %d due (this release %d)", now, len(got), due, len(got)-before)
		}
	}
	if !slices.Equal(got, ats) {
		t.Error("labels not revealed in order of reveal time")
	}
}

// toyWorld is a day of declarations with known irregularity probabilities:
// 20 categories, rates from 0.02 to 0.6, category weights uneven.
type toyWorld struct {
	rates [20]float64
}

func newToyWorld() *toyWorld {
	w := &toyWorld{}
	for c := range w.rates {
		w.rates[c] = 0.02 + 0.58*float64((c*7)%20)/19
	}
	return w
}

func (w *toyWorld) day(r *rand.Rand, n int, items []Item, truth []bool) {
	for i := range n {
		c := r.IntN(20)
		if r.Float64() < 0.5 {
			c = r.IntN(5) // the first five categories are frequent
		}
		items[i] = Item{RuleScore: float64(c % 3)}
		items[i].F.Add(Key(0, uint64(c)))
		truth[i] = r.Float64() < w.rates[c]
	}
}

// runToy runs a policy for days in the toy world with a label delay of delay
// days, and returns the estimator and the true irregular total.
func runToy(t *testing.T, pol Policy, seed uint64, days, perDay int, delay float64, check func(day int, m *Model, q *Pending)) (*Estimator, float64) {
	t.Helper()
	w := newToyWorld()
	model, _ := NewModel(Schema{Families: []Family{{Name: "cat", Parent: -1}}}, 64)
	sel := NewSelector(pol, model, seed, 0)
	q := NewPending(64)
	est := &Estimator{}
	r := rand.New(rand.NewPCG(seed, 99))
	items := make([]Item, perDay)
	truth := make([]bool, perDay)
	out := make([]Decision, perDay)
	total := 0.0
	for day := range days {
		q.Release(float64(day), func(l *Label) { sel.Reveal(l); est.Add(l) })
		if check != nil {
			check(day, model, q)
		}
		w.day(r, perDay, items, truth)
		sel.SelectDay(items, perDay/10, out)
		est.AddDecisions(day, out)
		for i := range items {
			if truth[i] {
				total++
			}
			if out[i].Inspect {
				q.Push(&Label{At: float64(day) + delay, Day: day, F: items[i].F, Irregular: truth[i], Decision: out[i]})
			}
		}
	}
	q.Release(math.Inf(1), func(l *Label) { est.Add(l) })
	return est, total
}

// TestSelectorSeesLabelsOnlyWhenDue: at the start of every day the model has
// learned exactly the inspections of days at least delay days earlier.
func TestSelectorSeesLabelsOnlyWhenDue(t *testing.T) {
	pol, _ := ParsePolicy("learned+random")
	const delay, perDay = 3, 100
	runToy(t, pol, 1, 30, perDay, delay, func(day int, m *Model, q *Pending) {
		want := max(0, day-delay+1) * perDay / 10
		if m.Observed() != want {
			t.Fatalf("day %d: model learned %v outcomes, want %v (inspections of days <= %d)", day, m.Observed(), want, day-delay)
		}
	})
}

// TestIPWUnbiased: over many seeds, the IPW estimate of the irregular total
// errs by zero on average (within 3 standard errors of the mean), while the
// naive estimate (hit rate of inspected declarations × all declarations) is
// biased far upward: selection bias.
func TestIPWUnbiased(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 60
	}
	for _, name := range []string{"learned+random:0.1", "rules+random:0.2", "thompson:0.1", "adaptive"} {
		t.Run(name, func(t *testing.T) {
			pol, err := ParsePolicy(name)
			if err != nil {
				t.Fatal(err)
			}
			var errs, naive, dr []float64
			const days, perDay = 20, 200
			for s := range seeds {
				est, total := runToy(t, pol, uint64(s+1), days, perDay, 2, nil)
				tot := est.Total(0, days)
				errs = append(errs, tot.IPW-total)
				dr = append(dr, tot.DR()-total)
				naive = append(naive, tot.Found/tot.Inspected*days*perDay-total)
			}
			mean, se := meanSE(errs)
			if math.Abs(mean) > 3*se {
				t.Errorf("IPW total: mean error %.2f, standard error %.2f: biased", mean, se)
			}
			if pol.Kind.Learned() {
				if m, se := meanSE(dr); math.Abs(m) > 3*se {
					t.Errorf("doubly robust total: mean error %.2f, standard error %.2f: biased", m, se)
				}
			}
			if nm, _ := meanSE(naive); nm < 10*se {
				t.Errorf("naive total: mean error %.2f; expected a large upward bias (selection)", nm)
			}
		})
	}
}

func meanSE(x []float64) (float64, float64) {
	var s, ss float64
	for _, v := range x {
		s += v
	}
	m := s / float64(len(x))
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)-1) / float64(len(x)))
}

// TestThompsonTwoArms: Thompson sampling through the model, on two Bernoulli
// arms (0.3 and 0.5), converges to the better arm: the worse arm's share of
// pulls falls over time, and its number of pulls after T rounds is of the
// order of Lai and Robbins' bound ln T / KL(0.3 ‖ 0.5) (Thompson sampling is
// asymptotically optimal: Kaufmann, Korda and Munos 2012; Agrawal and Goyal
// 2012).
func TestThompsonTwoArms(t *testing.T) {
	checkTwoArms(t, "thompson")
}

// TestUCBTwoArms: the upper-confidence policy tries the worse arm while its
// bound overlaps the better arm's rate, then leaves it: its pulls of the
// worse arm are of the order of ln T / KL, as UCB1's. (With a fixed width of
// one standard deviation it locked onto the worse arm in about one run in
// five: 405 pulls of 2,000.)
func TestUCBTwoArms(t *testing.T) {
	checkTwoArms(t, "ucb")
}

// checkTwoArms runs policy on a two-arm Bernoulli case (rates 0.3 and 0.5,
// 2,000 rounds, 40 seeds) and checks that the worse arm's share of the pulls
// falls (the last tenth's below a third of the first tenth's) and that its
// pulls are of the order of ln T / KL (within a factor 3 either way).
func checkTwoArms(t *testing.T, policy string) {
	t.Helper()
	const T = 2000
	p := [2]float64{0.3, 0.5}
	kl := p[0]*math.Log(p[0]/p[1]) + (1-p[0])*math.Log((1-p[0])/(1-p[1]))
	bound := math.Log(T) / kl
	worse, earlyShare, lateShare := twoArms(t, policy, p, T, 40)
	if !(lateShare < earlyShare/3) {
		t.Errorf("worse arm's share: first tenth %.3f, last tenth %.3f; want it to fall", earlyShare, lateShare)
	}
	if worse < 0.3*bound || worse > 3*bound {
		t.Errorf("worse arm pulled %.1f times in %d rounds; want the order of ln T / KL = %.1f", worse, T, bound)
	}
	t.Logf("worse arm: %.1f pulls (bound %.1f); share %.3f → %.3f", worse, bound, earlyShare, lateShare)
}

// twoArms runs policy on a two-arm Bernoulli case (rates p) for T rounds of
// one inspection a round, over seeds seeds, and returns the mean pulls of
// the worse arm (arm 0) and its share of the pulls in the first and the last
// tenth of the rounds.
func twoArms(t *testing.T, policy string, p [2]float64, T, seeds int) (worse, earlyShare, lateShare float64) {
	t.Helper()
	var early, late float64
	for s := range seeds {
		model, _ := NewModel(Schema{Families: []Family{{Name: "arm", Parent: -1, Prior: 2}}}, 16)
		model.SetLearningRate(0)
		pol, err := ParsePolicy(policy)
		if err != nil {
			t.Fatal(err)
		}
		sel := NewSelector(pol, model, uint64(s+1), 0)
		r := rand.New(rand.NewPCG(uint64(s), 7))
		items := make([]Item, 2)
		for a := range items {
			items[a].F.Add(Key(0, uint64(a)))
		}
		out := make([]Decision, 2)
		for round := range T {
			sel.SelectDay(items, 1, out)
			a := 0
			if out[1].Inspect {
				a = 1
			}
			if a == 0 {
				worse++
				if round < T/10 {
					early++
				} else if round >= T-T/10 {
					late++
				}
			}
			sel.Reveal(&Label{F: items[a].F, Irregular: r.Float64() < p[a], Decision: out[a]})
		}
	}
	n := float64(seeds)
	return worse / n, early / n / float64(T/10), late / n / float64(T/10)
}

// TestUpper: the upper bound is at least the posterior mean, equals it with
// a width of 0, and is wider for a cell of few outcomes than for one of many
// at the same rate, and widest for a key never observed.
func TestUpper(t *testing.T) {
	m, _ := NewModel(Schema{Families: []Family{{Name: "hs2", Parent: -1, Prior: 4}, {Name: "origin", Parent: -1, Prior: 4}}}, 64)
	m.SetLearningRate(0)
	r := rand.New(rand.NewPCG(3, 4))
	feat := func(hs, origin uint64) Features {
		var f Features
		f.Add(Key(0, hs))
		f.Add(Key(1, origin))
		return f
	}
	// Cell hs 1 (with origin 9) has 20 outcomes at 20%; hs 2 has 500 at 20%;
	// hs 3 is never seen. Background keeps the global rate near 10%.
	for i := range 20 {
		f := feat(1, 9)
		m.Observe(&f, i%5 == 0)
	}
	for i := range 500 {
		f := feat(2, 9)
		m.Observe(&f, i%5 == 0)
	}
	for range 2000 {
		f := feat(uint64(10+r.IntN(50)), 9)
		m.Observe(&f, r.Float64() < 0.05)
	}
	m.Refit()
	few, many, unseen := feat(1, 9), feat(2, 9), feat(3, 9)
	for _, f := range []*Features{&few, &many, &unseen} {
		p, u0, u1 := m.Prob(f), m.Upper(f, 0), m.Upper(f, UCBWidth(m.Observed()))
		if math.Abs(u0-p) > 1e-12 {
			t.Errorf("Upper(width 0) = %v, Prob = %v; want equal", u0, p)
		}
		if !(u1 > p) {
			t.Errorf("Upper = %v, Prob = %v; want the bound above the mean", u1, p)
		}
	}
	bonus := func(f *Features) float64 { return logit(m.Upper(f, 1)) - logit(m.Prob(f)) }
	if !(bonus(&few) > bonus(&many)) {
		t.Errorf("optimism: 20 outcomes %.4f, 500 outcomes %.4f; want more for fewer", bonus(&few), bonus(&many))
	}
	if !(bonus(&unseen) > bonus(&few)) {
		t.Errorf("optimism: unseen %.4f, 20 outcomes %.4f; want the most for unseen", bonus(&unseen), bonus(&few))
	}
}

// TestRedrawMatchesSample: batched Thompson sampling draws each cell once per
// Redraw from the same posterior that Sample draws from per declaration:
// over many draws, the two have the same mean and spread (and Drawn is Prob
// before any Redraw).
func TestRedrawMatchesSample(t *testing.T) {
	m, _ := NewModel(hsSchema(), 256)
	m.SetLearningRate(0)
	r := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		hs := uint64(100000 + 100*r.IntN(5) + r.IntN(3))
		f := hsFeatures(hs, []string{"CN", "DE", "CO"}[r.IntN(3)])
		m.Observe(&f, r.Float64() < 0.05+0.1*float64(hs%100))
	}
	m.Refit()
	f := hsFeatures(100102, "CO")
	if got, want := m.Drawn(&f), m.Prob(&f); got != want {
		t.Errorf("Drawn before Redraw = %v, want Prob %v", got, want)
	}
	const n = 4000
	var a, b []float64
	rs, rd := rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(9, 10))
	for range n {
		a = append(a, m.Sample(&f, rs))
		m.Redraw(rd)
		b = append(b, m.Drawn(&f))
	}
	ma, sa := meanSD(a)
	mb, sb := meanSD(b)
	se := math.Hypot(sa, sb) / math.Sqrt(n)
	if math.Abs(ma-mb) > 4*se {
		t.Errorf("mean: Sample %.4f, Drawn %.4f (se %.4f); want equal", ma, mb, se)
	}
	if math.Abs(sa-sb) > 0.1*sa {
		t.Errorf("spread: Sample %.4f, Drawn %.4f; want within 10%%", sa, sb)
	}
	// One Redraw ranks every declaration of a cell by the same draw.
	m.Redraw(rd)
	g := hsFeatures(100102, "CO")
	if m.Drawn(&f) != m.Drawn(&g) {
		t.Error("two declarations of one cell got different draws after one Redraw")
	}
	t.Logf("Sample %.4f ± %.4f, Drawn %.4f ± %.4f", ma, sa, mb, sb)
}

func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// TestBetaDraw checks the Beta sampler's mean and variance (CLT bounds).
func TestBetaDraw(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ a, b float64 }{{0.5, 0.5}, {2, 5}, {30, 3}, {0.2, 8}} {
		const n = 40000
		var s, ss float64
		for range n {
			x := betaDraw(r, c.a, c.b)
			s += x
			ss += x * x
		}
		mean := s / n
		v := ss/n - mean*mean
		wm := c.a / (c.a + c.b)
		wv := c.a * c.b / ((c.a + c.b) * (c.a + c.b) * (c.a + c.b + 1))
		if math.Abs(mean-wm) > 4*math.Sqrt(wv/n) {
			t.Errorf("Beta(%v,%v) mean %v, want %v", c.a, c.b, mean, wm)
		}
		if math.Abs(v-wv) > 0.05*wv+1e-4 {
			t.Errorf("Beta(%v,%v) variance %v, want %v", c.a, c.b, v, wv)
		}
	}
}

// TestSelectDay: the budget is met exactly, the random share is the right
// size and drawn from the declarations not targeted, propensities match, and
// the same seed gives the same choice.
func TestSelectDay(t *testing.T) {
	pol, _ := ParsePolicy("rules+random:0.25")
	items := make([]Item, 100)
	for i := range items {
		items[i].RuleScore = float64(i)
	}
	run := func(seed uint64) []Decision {
		out := make([]Decision, len(items))
		NewSelector(pol, nil, seed, 0).SelectDay(items, 20, out)
		return out
	}
	out := run(1)
	var targeted, random int
	for i, d := range out {
		switch {
		case d.Inspect && !d.Random:
			targeted++
			if i < 85 || d.Propensity != 1 {
				t.Errorf("targeted %d (score %v) propensity %v; want the top 15, propensity 1", i, items[i].RuleScore, d.Propensity)
			}
		case d.Random:
			random++
		}
		if i < 85 && d.Propensity != 5.0/85 {
			t.Errorf("declaration %d: propensity %v, want 5/85", i, d.Propensity)
		}
	}
	if targeted != 15 || random != 5 {
		t.Errorf("targeted %d random %d, want 15 and 5", targeted, random)
	}
	if !slices.Equal(out, run(1)) {
		t.Error("same seed, different choice")
	}
	if slices.Equal(out, run(2)) {
		t.Error("different seeds, same random stratum")
	}
}

// TestShortfall: targeted outcomes in line with the model's predictions
// raise no alarm, however low the predictions (a policy exploring where the
// model predicts little); a fall of the hit rate below the predictions
// opens the level fully within a few hundred outcomes; and nothing opens
// before the detector's warm-up.
func TestShortfall(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	var s Shortfall
	for range shortfallWarm {
		s.Add(r.Float64() < 0.05, 0.05)
	}
	for i := range 3000 {
		// Half the inspections now where the model predicts 1%, and
		// the outcomes follow: no shortfall.
		p := 0.05
		if i%2 == 0 {
			p = 0.01
		}
		s.Add(r.Float64() < p, p)
		if s.Level() > 0 {
			t.Fatalf("outcomes as predicted (p %.2f): level %.2f at outcome %d, want 0", p, s.Level(), i)
		}
	}
	opened := -1
	for i := range 2000 {
		s.Add(r.Float64() < 0.01, 0.05) // predicted 5%, found 1%
		if s.Level() == 1 {
			opened = i
			break
		}
	}
	if opened < 0 || opened > 1000 {
		t.Errorf("hit rate 1%% against 5%% predicted: fully open after %d outcomes, want within 1,000", opened)
	}
	// A fall as sharp inside the warm-up opens nothing: the slow mean has
	// no baseline yet.
	var cold Shortfall
	for range 3000 {
		cold.Add(r.Float64() < 0.05, 0.05)
	}
	for range shortfallWarm - 3000 - 1 {
		cold.Add(false, 0.5)
	}
	if cold.Level() != 0 {
		t.Errorf("before the warm-up: level %v, want 0", cold.Level())
	}
	cold.Add(false, 0.5) // the warm-up's last outcome: the same fall now opens it
	if cold.Level() == 0 {
		t.Errorf("at the end of the warm-up, after 1,999 outcomes found 0 against 0.5 predicted: level 0, want open")
	}
}

// TestAdaptiveOpensOnDrift: when the random stratum's hit rate jumps, the
// adaptive share rises towards EpsMax; while it is steady, it stays near
// EpsMin.
func TestAdaptiveOpensOnDrift(t *testing.T) {
	pol, _ := ParsePolicy("adaptive:0.05-0.3")
	sel := NewSelector(pol, nil, 1, 0)
	r := rand.New(rand.NewPCG(1, 1))
	for range 1000 {
		sel.Reveal(&Label{Irregular: r.Float64() < 0.1, Decision: Decision{Random: true}})
	}
	if e := sel.Epsilon(); e > 0.15 {
		t.Errorf("steady random hit rate: share %v, want near 0.05", e)
	}
	// The fast mean weighs about 200 outcomes: a sustained jump opens the
	// share within about a hundred.
	for range 150 {
		sel.Reveal(&Label{Irregular: r.Float64() < 0.4, Decision: Decision{Random: true}})
	}
	if e := sel.Epsilon(); e < 0.25 {
		t.Errorf("after a jump from 0.1 to 0.4: share %v, want near 0.3", e)
	}
}

func TestParsePolicy(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Policy
		bad  bool
	}{
		{in: "rules", want: Policy{Name: "rules", Kind: KindRules}},
		{in: "rules+random", want: Policy{Name: "rules+random", Kind: KindRulesRandom, Epsilon: 0.1}},
		{in: "learned+random:0.05", want: Policy{Name: "learned+random:0.05", Kind: KindLearnedRandom, Epsilon: 0.05}},
		{in: "thompson", want: Policy{Name: "thompson", Kind: KindThompson}},
		{in: "thompson:0.1/value", want: Policy{Name: "thompson:0.1/value", Kind: KindThompson, Epsilon: 0.1, ByValue: true}},
		{in: "adaptive", want: Policy{Name: "adaptive", Kind: KindAdaptive, EpsMin: 0.05, EpsMax: 0.3}},
		{in: "adaptive:0.02-0.4", want: Policy{Name: "adaptive:0.02-0.4", Kind: KindAdaptive, EpsMin: 0.02, EpsMax: 0.4}},
		{in: "ucb", want: Policy{Name: "ucb", Kind: KindUCB}},
		{in: "ucb:0.05/value", want: Policy{Name: "ucb:0.05/value", Kind: KindUCB, Epsilon: 0.05, ByValue: true}},
		{in: "learned:0.1", bad: true},      // exploit has no random share
		{in: "rules/value", bad: true},      // rules rank by score
		{in: "adaptive:0-0.3", bad: true},   // needs a random stratum
		{in: "adaptive:0.1", bad: true},     // needs MIN-MAX
		{in: "learned+random:1", bad: true}, // share below 1
		{in: "oracle", bad: true},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParsePolicy(c.in)
			if c.bad {
				if err == nil {
					t.Errorf("ParsePolicy(%q) = %+v, want an error", c.in, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			}
		})
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{"rules", "adaptive:0.1-0.2", "learned+random:0.3/value", "thompson:", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy(s)
		if err != nil {
			return
		}
		if p.Epsilon < 0 || p.Epsilon >= 1 || p.EpsMin > p.EpsMax || (p.Kind == KindAdaptive && p.EpsMin <= 0) {
			t.Errorf("ParsePolicy(%q) = %+v: shares out of range", s, p)
		}
	})
}

// TestBootstrapCovers: the detection estimate's bootstrap interval holds the
// estimate and has positive width.
func TestBootstrapCovers(t *testing.T) {
	pol, _ := ParsePolicy("learned+random")
	est, _ := runToy(t, pol, 3, 40, 200, 1, nil)
	iv := est.BootstrapDetection(0, 40, 400, 1, 0)
	if !(iv.Lo < iv.Est && iv.Est < iv.Hi) || iv.Hi-iv.Lo > 0.5 {
		t.Errorf("interval %+v", iv)
	}
	if iv != est.BootstrapDetection(0, 40, 400, 1, 0) {
		t.Error("same seed, different interval")
	}
}

// TestDecideStreaming: declarations decided one at a time under a capacity
// signal: the inspected share follows the rate, the targeted ones are the
// high scores, the random stratum is ε of it, and IPW stays unbiased.
func TestDecideStreaming(t *testing.T) {
	pol, _ := ParsePolicy("rules+random:0.2")
	var errs []float64
	for seed := range 60 {
		sel := NewSelector(pol, nil, uint64(seed+1), 0)
		r := rand.New(rand.NewPCG(uint64(seed), 3))
		var inspected, random, n, truth, ipw, lowTargeted float64
		for i := range 20000 {
			rate := 0.1
			if i >= 10000 {
				rate = 0.05 // capacity falls
			}
			x := r.NormFloat64()
			it := Item{RuleScore: x}
			d := sel.Decide(&it, rate)
			y := r.Float64() < 1/(1+math.Exp(-(x-2)))
			if i < 1000 {
				continue // the threshold is settling
			}
			n++
			if y {
				truth++
			}
			if !d.Inspect {
				continue
			}
			inspected++
			if d.Random {
				random++
			} else if x < 0.5 {
				lowTargeted++
			}
			if y {
				ipw += 1 / d.Propensity
			}
		}
		if seed == 0 {
			if share := inspected / n; math.Abs(share-(0.1*9+0.05*10)/19) > 0.01 {
				t.Errorf("inspected share %.4f, want about %.4f", share, (0.1*9+0.05*10)/19)
			}
			if rs := random / inspected; math.Abs(rs-0.2) > 0.03 {
				t.Errorf("random share of inspections %.3f, want 0.2", rs)
			}
			if lowTargeted > 0 {
				t.Errorf("%v targeted declarations with low scores (x < 0.5)", lowTargeted)
			}
		}
		errs = append(errs, ipw-truth)
	}
	if m, se := meanSE(errs); math.Abs(m) > 3*se {
		t.Errorf("IPW total under Decide: mean error %.1f, standard error %.1f", m, se)
	}
}

// TestKeyFromSeed checks that the keys made from a family's seed are Key's.
func TestKeyFromSeed(t *testing.T) {
	for fam := 0; fam < 20; fam++ {
		s := FamilySeed(fam)
		for _, v := range []uint64{0, 1, 42, 1 << 40, ^uint64(0)} {
			if got, want := Key1(s, v), Key(fam, v); got != want {
				t.Fatalf("Key1(FamilySeed(%d), %d) = %x, want Key's %x", fam, v, got, want)
			}
			if got, want := Key2(s, v, 7), Key(fam, v, 7); got != want {
				t.Fatalf("Key2(FamilySeed(%d), %d, 7) = %x, want Key's %x", fam, v, got, want)
			}
		}
	}
}

// TestProbIsRates checks that Prob's loop (the scorer's hot path, written
// out) gives exactly the bits of the combined rates Observe and Rate use.
func TestProbIsRates(t *testing.T) {
	items, s := benchItems(4096)
	m, err := NewModel(s, 1<<10) // small: the table grows while learning
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		f := &items[i].F
		var p, lift [MaxKeys]float64
		if got, want := m.Prob(f), sigmoid(m.rates(f, &p, &lift)); got != want {
			t.Fatalf("item %d: Prob = %v, rates give %v", i, got, want)
		}
		m.Observe(f, i%7 == 0)
		if i%500 == 499 {
			m.Refit()
		}
	}
}

// TestDrawnSurvivesGrowth: the cells' draws of the last Redraw stay with
// their cells when new keys make the table grow (before, Drawn fell back to
// Prob until the next Redraw: batched Thompson sampling stopped exploring).
func TestDrawnSurvivesGrowth(t *testing.T) {
	m, _ := NewModel(hsSchema(), 16)
	m.SetLearningRate(0)
	r := rand.New(rand.NewPCG(11, 12))
	for range 200 {
		f := hsFeatures(uint64(100000+100*r.IntN(3)+r.IntN(2)), "CN")
		m.Observe(&f, r.Float64() < 0.2)
	}
	m.Refit()
	m.Redraw(rand.New(rand.NewPCG(13, 14)))
	f := hsFeatures(100101, "CN")
	before, size := m.Drawn(&f), m.Keys()
	for i := range 500 { // new keys: the table grows
		g := hsFeatures(uint64(200000+i), "DE")
		m.Observe(&g, false)
	}
	if m.Keys() <= size {
		t.Fatalf("the table did not take new keys (%d, then %d)", size, m.Keys())
	}
	if after := m.Drawn(&f); after != before {
		t.Errorf("Drawn %v before the table grew, %v after (Prob %v): want the same draws kept", before, after, m.Prob(&f))
	}
}
