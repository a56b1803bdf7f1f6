package sim

import (
	"math"

	"pilotsim/metric"
)

// Stability and warm-up. A replication is unstable when its figures depend
// on the horizon: some pool is offered more work than it can do, the drain
// could not release every window arrival, or the backlog grows through the
// window. Each replication reports the evidence and a 0/1 verdict; the
// results package marks a run unstable when any replication is.
//
// Offered load of a pool: the work that entered it in the window (entries ×
// the mean of its service distribution) / the server time it had (servers ×
// open time in the window). It measures arrival rates and routing shares as
// they happened (lane shares, scan alarms) and accounts for opening hours; a
// pool at 1 or above cannot keep up, whatever the horizon.
//
// Backlog trend: the number of consignments in control at each day boundary
// of the window, regressed on the day with a dummy per weekday when the
// window has two weeks or more (so a weekend backlog is not taken for
// growth). The backlog grows when the slope's t statistic is at least
// stabilityT and the fitted growth over the window is at least half the mean
// backlog and at least stabilityMinGrowth consignments: significant and
// material.
//
// MSER warm-up. Release times averaged per day of arrival, Y_0 … Y_{D-1}
// (days from time 0, all arrivals, followed to release), give the MSER
// statistic for a truncation after d days,
//
//	MSER(d) = Σ_{i≥d} (Y_i − Ȳ_d)² / (D − d)²,
//
// minimised over d ≤ D/2 (in whole weeks when the scenario has a weekly
// pattern). It is MSER-5's rule with batches of one day instead of five
// consignments: consecutive consignments' release times carry the daily
// cycle of arrivals and opening hours, which MSER would read as a transient,
// while daily means average it out, and they need no memory per consignment.
const (
	stabilityT         = 4.0
	stabilityMinGrowth = 10.0
	mserMinDays        = 4   // fewer days give no MSER truncation (NaN)
	stabilityExactT    = 1e6 // the t statistic reported for an exact fit (finite, for JSON)
)

// backlogTrend fits the daily backlog y (one value a day) and returns the
// fitted growth over the window (slope × (len − 1)), the slope's t statistic
// (±stabilityExactT when the points lie exactly on the line) and the mean
// backlog. With fewer points than the fit needs, growth and t are NaN.
func backlogTrend(y []float64) (growth, t, mean float64) {
	n := len(y)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	classes := 1
	if n >= 14 {
		classes = 7
	}
	var ty, tt [7]float64
	var cnt [7]float64
	for i, v := range y {
		c := i % classes
		ty[c] += v
		tt[c] += float64(i)
		cnt[c]++
		mean += v
	}
	mean /= float64(n)
	var sxy, sxx float64
	for i, v := range y {
		c := i % classes
		dx := float64(i) - tt[c]/cnt[c]
		sxy += dx * (v - ty[c]/cnt[c])
		sxx += dx * dx
	}
	df := n - 1 - classes
	if sxx == 0 || df < 1 {
		return math.NaN(), math.NaN(), mean
	}
	slope := sxy / sxx
	var rss float64
	for i, v := range y {
		c := i % classes
		r := v - ty[c]/cnt[c] - slope*(float64(i)-tt[c]/cnt[c])
		rss += r * r
	}
	se := math.Sqrt(rss / float64(df) / sxx)
	switch {
	case se > 0:
		t = slope / se
	case slope != 0: // an exact straight line: as significant as it gets
		t = math.Copysign(stabilityExactT, slope)
	}
	return slope * float64(n-1), t, mean
}

// mserDays returns the MSER truncation point, in days, of the daily means
// sum[i]/n[i] (days with no release are skipped); step is the granularity of
// the candidates (7 for whole weeks). NaN with fewer than mserMinDays days.
func mserDays(sum []float64, n []int64, step int) float64 {
	days := len(sum)
	for days > 0 && n[days-1] == 0 {
		days--
	}
	if days < mserMinDays {
		return math.NaN()
	}
	best, bestD := math.Inf(1), 0
	for d := 0; d <= days/2; d += step {
		var s, ss, k float64
		for i := d; i < days; i++ {
			if n[i] == 0 {
				continue
			}
			y := sum[i] / float64(n[i])
			s += y
			ss += y * y
			k++
		}
		if k < 2 {
			break
		}
		m := s / k
		v := (ss - k*m*m) / (k * k)
		if v < best*(1-1e-12) { // a later point must be clearly better
			best, bestD = v, d
		}
	}
	return float64(bestD)
}

// mserWarmup returns the replication's MSER truncation point in minutes
// (NaN when there are too few days).
func (st *borderStats) mserWarmup(cfg *borderConfig) float64 {
	step := 1
	if cfg.weekly {
		step = 7
	}
	// Days wholly within the window's end only, so that the truncation
	// point (at most half of them) leaves a window.
	days := min(len(st.dayRel), int(cfg.wend/1440))
	return mserDays(st.dayRel[:days], st.dayN[:days], step) * 1440
}

// emitStability writes the warm-up, the pools' offered loads, the backlog
// trend and the verdict (see the top of this file).
func (st *borderStats) emitStability(cfg *borderConfig, w *borderMetricWriter, pools []borderPoolState) {
	w.put(st.warmup/60, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Warmup, Stat: metric.Length}, Unit: metric.Hours,
			Help: "warm-up of this replication (fixed, or chosen by MSER with warmup: auto)"}
	})
	mser := math.NaN()
	if pools != nil {
		mser = st.mserWarmup(cfg)
	}
	w.put(mser/60, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Warmup, Stat: metric.MSER}, Unit: metric.Hours,
			Help: "MSER truncation point of this replication's daily mean release times (whole weeks when the scenario has a weekly pattern)"}
	})
	overloaded := false
	for i := range cfg.pools {
		pc := &cfg.pools[i]
		load := math.NaN()
		if pools != nil {
			if avail := float64(pc.servers) * pc.hours.openTime(st.warmup, cfg.wend); avail > 0 {
				load = float64(pools[i].entries) * pc.service.Mean() / avail
			}
			overloaded = overloaded || load >= 1
		}
		w.put(load, func() metric.Def {
			return metric.Def{Key: metric.Key{Family: metric.Pool, Subject: pc.name, Stat: metric.OfferedLoad}, Of: metric.OfPool, Unit: metric.Load,
				Num: "work that entered the pool in the window (entries × mean service time)", Den: "server time open in the window",
				Help: "work that entered the pool in the window (entries × mean service time) / server time open in the window; 1 or more: the pool cannot keep up"}
		})
	}
	growth, t, mean := math.NaN(), math.NaN(), math.NaN()
	if pools != nil {
		growth, t, mean = backlogTrend(st.backlog)
	}
	w.put(growth, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Backlog, Stat: metric.Growth}, Unit: metric.None,
			Help: "fitted growth over the window of the number of consignments in control, sampled daily (weekday effects removed); negative when it shrinks"}
	})
	w.put(t, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Backlog, Stat: metric.TrendT}, Unit: metric.None,
			Help: "t statistic of that growth's slope"}
	})
	grows := t >= stabilityT && growth >= math.Max(stabilityMinGrowth, 0.5*mean)
	unstable := math.NaN()
	if pools != nil {
		unstable = 0
		if overloaded || st.unreleased > 0 || grows {
			unstable = 1
		}
	}
	w.put(unstable, func() metric.Def {
		return metric.Def{Key: metric.Key{Family: metric.Unstable}, Unit: metric.Count,
			Help: "1 when this replication shows overload: a pool's offered load at 1 or more, window arrivals not released by the end of the drain, or a backlog that grows through the window"}
	})
}
