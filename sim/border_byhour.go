package sim

import (
	"math"

	"pilotsim/metric"
)

// The pools' profiles by hour of the week (queue length and waiting by hour
// of day and weekday). The week has HoursPerWeek bins, bin 24·d + h being
// hour h of weekday d (d = 0 is Monday: t = 0 is Monday 00:00). Per pool and
// bin the border keeps, over the statistics window of time [warm-up, wend)
// that the pool's other figures cover:
//   - the area under the queue-length curve in the bin (∫ queue dt), added
//     where account already adds the pool's overall area, split at hour
//     boundaries;
//   - the sum and count of the waits of the controls started in the bin,
//     added where start adds the pool's overall wait.
//
// The tables are allocated once per border (so per worker) and cleared per
// replication: nothing is allocated per consignment. A replication's profile
// (metric.PoolHours) is made only when the run asks for it
// (Options.PoolHours).

// HoursPerWeek is the number of hour-of-week bins of the pool profiles.
const HoursPerWeek = metric.HoursPerWeek

// borderByHour is one pool's hour-of-week table.
type borderByHour struct {
	qArea   [HoursPerWeek]float64 // ∫ queue length dt in the bin, minutes
	waitSum [HoursPerWeek]float64 // waits (minutes) of controls started in the bin
	starts  [HoursPerWeek]int64   // controls started in the bin
}

// addQueue adds n waiting over [lo, hi) (minutes, 0 ≤ lo < hi), split at the
// hour boundaries.
func (h *borderByHour) addQueue(lo, hi, n float64) {
	for lo < hi {
		k := math.Floor(lo / 60)
		end := min(hi, (k+1)*60)
		h.qArea[int(k)%HoursPerWeek] += n * (end - lo)
		lo = end
	}
}

// addStart records a control started at t (≥ 0) after waiting w minutes.
func (h *borderByHour) addStart(t, w float64) {
	s := int(t/60) % HoursPerWeek
	h.waitSum[s] += w
	h.starts[s]++
}

// borderBinTime sets out[s] to the time (minutes) of [lo, hi) that falls in
// hour-of-week bin s.
func borderBinTime(lo, hi float64, out *[HoursPerWeek]float64) {
	clear(out[:])
	if !(hi > lo) {
		return
	}
	const week = HoursPerWeek * 60
	// Whole weeks give every bin an hour each.
	if whole := math.Floor((hi - lo) / week); whole > 0 {
		for s := range out {
			out[s] = whole * 60
		}
		lo += whole * week
	}
	for lo < hi {
		k := math.Floor(lo / 60)
		end := min(hi, (k+1)*60)
		out[int(k)%HoursPerWeek] += end - lo
		lo = end
	}
}

// poolHours returns the replication's profile of every pool, in the
// scenario's order of pools.
func (b *border) poolHours() []metric.PoolHours {
	var binTime [HoursPerWeek]float64
	borderBinTime(b.st.warmup, b.cfg.wend, &binTime)
	out := make([]metric.PoolHours, len(b.pools))
	for i := range b.pools {
		h := &b.byHour[i]
		o := &out[i]
		o.Pool = b.cfg.pools[i].name
		for s := range HoursPerWeek {
			o.Queue[s] = metric.Ratio(h.qArea[s], binTime[s])
			o.Wait[s] = metric.Ratio(h.waitSum[s], float64(h.starts[s])) / 60
			o.Starts[s] = metric.Ratio(float64(h.starts[s]), binTime[s]/60)
		}
	}
	return out
}
