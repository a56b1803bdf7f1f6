package results

import (
	"math"
	"testing"

	"pilotsim/sim/backtest"
)

// TestPrecisionBand checks the bootstrap band against the binomial standard
// error: 1,000 declarations score 10 (30% irregular), 9,000 score 0 (10%).
// Within the top bin the precision is that bin's irregular share, whose
// standard error is sqrt(p(1-p)/1000); over everything, sqrt(p(1-p)/10000)
// with p = 0.12. The band's half-width must be 1.96 standard errors within
// 20% (400 replicates estimate a 2.5% quantile to a few percent), and the
// band must hold the point estimate.
func TestPrecisionBand(t *testing.T) {
	tl := backtest.NewTally(nil, nil)
	add := func(score float64, n, irregular int) {
		for i := range n {
			d := backtest.Decl{Day: backtest.NoDay, RecordedLane: -1, Known: true, Irregular: i < irregular}
			d.C.Score = score
			tl.Add(&d)
		}
	}
	add(10, 1000, 300)
	add(0, 9000, 900)
	rates := []float64{0.05, 1}
	low, high := PrecisionBand(tl, rates)
	for i, c := range []struct{ p, n float64 }{{0.3, 1000}, {0.12, 10000}} {
		want := 1.96 * math.Sqrt(c.p*(1-c.p)/c.n)
		hw := (high[i] - low[i]) / 2
		if math.Abs(hw/want-1) > 0.2 || low[i] > c.p || high[i] < c.p {
			t.Errorf("rate %v: band [%.4f, %.4f] (half-width %.4f), want about %.2f ± %.4f", rates[i], low[i], high[i], hw, c.p, want)
		}
	}
	// The same tally gives the same band.
	l2, h2 := PrecisionBand(tl, rates)
	if l2[0] != low[0] || h2[1] != high[1] {
		t.Error("the band differs between two calls")
	}
}
