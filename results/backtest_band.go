package results

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/sim/backtest"
)

// Bootstrap bands of the targeting curve: how much the precision at an
// inspection rate would move had another sample of declarations of the same
// kind been scored. The Poisson bootstrap resamples each declaration a
// Poisson(1) number of times, so the irregular and the regular declarations
// of each score bin are redrawn as Poisson(count) independently; the curve
// is recomputed on every replicate, and the band is its 2.5% and 97.5%
// quantiles at each rate.

const (
	// BandReplicates is the number of bootstrap replicates of a band.
	BandReplicates = 400
	// BandSeed seeds the replicates, so the same tally gives the same band
	// (and the same report bytes).
	BandSeed = 20260101
	// maxBandBins bounds the bins a replicate redraws: beyond it, runs of
	// adjacent scores are pooled (the band is then that of a slightly
	// coarser score).
	maxBandBins = 4096
)

// PrecisionBand returns the 95% bootstrap band of the precision at each rate
// (ascending, in (0, 1]); NaN where a replicate inspects nothing.
func PrecisionBand(t *backtest.Tally, rates []float64) (low, high []float64) {
	type bin struct{ pos, neg float64 }
	var bins []bin
	src := t.Scores.Bins()
	per := max(1, (len(src)+maxBandBins-1)/maxBandBins)
	for i := 0; i < len(src); i += per {
		var b bin
		for _, s := range src[i:min(i+per, len(src))] {
			b.pos += float64(s.Irregular)
			b.neg += float64(s.N - s.Irregular)
		}
		bins = append(bins, b)
	}
	low, high = make([]float64, len(rates)), make([]float64, len(rates))
	for i := range low {
		low[i], high[i] = math.NaN(), math.NaN()
	}
	if len(bins) == 0 || !slices.IsSorted(rates) {
		return low, high
	}
	rng := rand.New(rand.NewPCG(BandSeed, uint64(len(bins))))
	draw := func(lambda float64) float64 {
		if lambda == 0 {
			return 0
		}
		return distuv.Poisson{Lambda: lambda, Src: rng}.Rand()
	}
	vals := make([][]float64, len(rates))
	pos, neg := make([]float64, len(bins)), make([]float64, len(bins))
	for range BandReplicates {
		total := 0.0
		for i, b := range bins {
			pos[i], neg[i] = draw(b.pos), draw(b.neg)
			total += pos[i] + neg[i]
		}
		// One walk down the scores serves every rate: the rates ascend.
		n, hits, i := 0.0, 0.0, 0
		for r, rate := range rates {
			want := rate * total
			for i < len(bins) && n+pos[i]+neg[i] <= want {
				n += pos[i] + neg[i]
				hits += pos[i]
				i++
			}
			nn, hh := n, hits
			if i < len(bins) && want > n {
				// The cut falls inside a bin of equal scores: a random part
				// of it is inspected (expected counts, as TargetAt).
				f := (want - n) / (pos[i] + neg[i])
				nn += f * (pos[i] + neg[i])
				hh += f * pos[i]
			}
			if nn > 0 {
				vals[r] = append(vals[r], hh/nn)
			}
		}
	}
	for r, v := range vals {
		if len(v) < BandReplicates/2 {
			continue
		}
		slices.Sort(v)
		low[r], high[r] = quantileSorted(v, 0.025), quantileSorted(v, 0.975)
	}
	return low, high
}

// quantileSorted is the p-quantile of sorted x by linear interpolation.
func quantileSorted(x []float64, p float64) float64 {
	h := p * float64(len(x)-1)
	i := int(h)
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[i] + (h-float64(i))*(x[i+1]-x[i])
}
