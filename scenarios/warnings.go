package scenarios

import (
	"fmt"
	"math"
)

// minutesPerWeek is one week in minutes.
const minutesPerWeek = 7 * 24 * 60

// Warnings returns what is legal in sc but likely to bias its figures, one
// message per problem, each starting with the field at fault. Load accepts
// such a scenario; `pilotsim validate` prints the warnings and still exits 0.
//
// Whole weeks: a scenario whose week is not uniform (weekly traffic weights,
// or a pool open only on some days) measures a statistics window that is not a
// whole number of weeks, or one that does not start on a Monday at 00:00 (a
// warm-up that is not whole weeks), with some weekdays counted more often than
// others: a window ending just after a weekend closure, for example, sees the
// closure's backlog but not its clearing, and Little's law at the pool no
// longer holds for the window. Simulated time starts on a Monday at 00:00.
func (sc *Scenario) Warnings() []string {
	why := sc.WeeklyPattern()
	if why == "" {
		return nil
	}
	var out []string
	whole := func(d float64) bool {
		w := d / minutesPerWeek
		return math.Abs(w-math.Round(w)) < 1e-9
	}
	warmup := float64(sc.Warmup)
	end := float64(sc.Horizon)
	field := "horizon"
	if sc.WindowEnd != 0 {
		end, field = float64(sc.WindowEnd), "window_end"
	}
	if !whole(warmup) {
		out = append(out, fmt.Sprintf("warmup: %s is not a whole number of weeks, and %s: the statistics window starts on another day than Monday 00:00, so some weekdays weigh more than others; use e.g. warmup: 7d",
			FormatDuration(warmup), why))
	}
	if window := end - warmup; window > 0 && !whole(window) {
		out = append(out, fmt.Sprintf("%s: the statistics window (%s − warmup = %s) is not a whole number of weeks, and %s: some weekdays weigh more than others; make it %s",
			field, field, FormatDuration(window), why, FormatDuration(warmup+math.Max(1, math.Round(window/minutesPerWeek))*minutesPerWeek)))
	}
	return out
}

// WeeklyPattern says what makes sc's week not uniform, or "" if nothing does.
func (sc *Scenario) WeeklyPattern() string {
	for _, mode := range sortedKeys(sc.Traffic) {
		w := sc.Traffic[mode].Weekly
		for _, x := range w {
			if x != w[0] {
				return "traffic." + mode + ".weekly has weekly traffic weights"
			}
		}
	}
	for i, p := range sc.Resources.Pools {
		if p.Hours != nil && len(p.Hours.Days) > 0 && len(p.Hours.Days) < 7 {
			return fmt.Sprintf("resources.pools[%d] (%s) is open on %d days of the week", i, p.Name, len(p.Hours.Days))
		}
	}
	return ""
}
