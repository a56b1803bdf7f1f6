package sim

import (
	"fmt"
	"math"
	"sort"

	"pilotsim/scenarios"
)

// Simulated time is in minutes; t = 0 is Monday 00:00.
const (
	borderMinutesPerDay  = 24 * 60
	borderMinutesPerWeek = 7 * borderMinutesPerDay
)

// borderDayNames are the day names opening hours use, Monday first (t = 0 is
// Monday 00:00).
var borderDayNames = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// borderHours are a pool's opening hours as half-open intervals [start, end)
// of minutes within the week, sorted, disjoint and not touching. A shift that
// runs past Sunday midnight is split at the end of the week. The zero value
// (always == true) is open around the clock.
//
// The rule: a service may start at t only while the pool is open (start <= t <
// end); work that finds the pool closed waits in the queue for the next
// opening; a service in progress at closing time runs to its end (overtime).
type borderHours struct {
	always bool
	iv     [][2]float64
}

// compileBorderHours turns scenario opening hours into weekly intervals. A
// shift opens at h.Open on each listed day and closes at h.Close the same day,
// or the next day when Close <= Open (a night shift; Open == Close is a 24-hour
// shift). nil hours are open around the clock.
func compileBorderHours(h *scenarios.Hours) (borderHours, error) {
	if h == nil {
		return borderHours{always: true}, nil
	}
	open, cl := float64(h.Open), float64(h.Close)
	if !(open >= 0 && open < borderMinutesPerDay) {
		return borderHours{}, fmt.Errorf("hours.open must be a time of day in [0h, 24h), got %v minutes", open)
	}
	if !(cl >= 0 && cl <= borderMinutesPerDay) {
		return borderHours{}, fmt.Errorf("hours.close must be a time of day in [0h, 24h], got %v minutes", cl)
	}
	if cl <= open {
		cl += borderMinutesPerDay
	}
	var days [7]bool
	if len(h.Days) == 0 {
		days = [7]bool{true, true, true, true, true, true, true}
	}
	for i, d := range h.Days {
		k := -1
		for j, n := range borderDayNames {
			if n == d {
				k = j
			}
		}
		if k < 0 {
			return borderHours{}, fmt.Errorf("hours.days[%d]: unknown day %q (want one of mon tue wed thu fri sat sun)", i, d)
		}
		days[k] = true
	}
	var raw [][2]float64
	for d, on := range days {
		if !on {
			continue
		}
		s, e := float64(d)*borderMinutesPerDay+open, float64(d)*borderMinutesPerDay+cl
		if e > borderMinutesPerWeek {
			raw = append(raw, [2]float64{s, borderMinutesPerWeek}, [2]float64{0, e - borderMinutesPerWeek})
		} else {
			raw = append(raw, [2]float64{s, e})
		}
	}
	if len(raw) == 0 {
		return borderHours{}, fmt.Errorf("hours.days: no day open")
	}
	sort.Slice(raw, func(i, j int) bool { return raw[i][0] < raw[j][0] })
	var iv [][2]float64
	for _, r := range raw {
		if n := len(iv); n > 0 && r[0] <= iv[n-1][1] {
			iv[n-1][1] = math.Max(iv[n-1][1], r[1])
			continue
		}
		iv = append(iv, r)
	}
	if len(iv) == 1 && iv[0][0] == 0 && iv[0][1] >= borderMinutesPerWeek {
		return borderHours{always: true}, nil
	}
	return borderHours{iv: iv}, nil
}

// weekStart returns the start of the week containing t and t's offset in it.
func (h *borderHours) weekStart(t float64) (base, w float64) {
	base = math.Floor(t/borderMinutesPerWeek) * borderMinutesPerWeek
	return base, t - base
}

// isOpen reports whether a service may start at t.
func (h *borderHours) isOpen(t float64) bool {
	if h.always {
		return true
	}
	_, w := h.weekStart(t)
	for _, r := range h.iv {
		if w < r[0] {
			return false
		}
		if w < r[1] {
			return true
		}
	}
	return false
}

// nextOpen returns the first instant >= t at which the pool is open.
func (h *borderHours) nextOpen(t float64) float64 {
	if h.always {
		return t
	}
	base, w := h.weekStart(t)
	for _, r := range h.iv {
		if w < r[1] {
			if w >= r[0] {
				return t
			}
			return base + r[0]
		}
	}
	return base + borderMinutesPerWeek + h.iv[0][0]
}

// openTime returns the open minutes within [a, b].
func (h *borderHours) openTime(a, b float64) float64 {
	if b <= a {
		return 0
	}
	if h.always {
		return b - a
	}
	return h.openBefore(b) - h.openBefore(a)
}

// openBefore returns the open minutes in [0, t) (negative for t < 0).
func (h *borderHours) openBefore(t float64) float64 {
	base, w := h.weekStart(t)
	weekly, part := 0.0, 0.0
	for _, r := range h.iv {
		weekly += r[1] - r[0]
		part += max(0, min(w, r[1])-r[0])
	}
	return base/borderMinutesPerWeek*weekly + part
}
