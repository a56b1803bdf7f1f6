package results

import (
	"fmt"
	"math"
	"strings"

	"pilotsim/metric"
)

// Stability is the verdict on a run: a run is unstable when any of its
// replications is (the engine's metric "unstable": a pool offered more work
// than it can do, window arrivals the drain could not release, or a backlog
// that grows through the window). Its figures then depend on the horizon and
// must not be read as a result; every table, file and report that shows the
// run says so.
type Stability struct {
	Unstable     bool
	UnstableReps int      // replications judged unstable
	Reasons      []string // what shows it, one phrase each
	// Warnings are not instability but weaken the figures: a fixed warm-up
	// shorter than the one MSER finds.
	Warnings []string
}

// Stability judges the run from its per-replication values.
func (r *Report) Stability() Stability {
	var s Stability
	idx := metric.Index(r.Metrics)
	if i, ok := idx[metric.Key{Family: metric.Unstable}]; ok {
		for _, rep := range r.Reps {
			if rep.Values[i] >= 1 {
				s.UnstableReps++
			}
		}
	}
	s.Unstable = s.UnstableReps > 0
	m := indexEstimates(r.Estimates)
	if s.Unstable {
		for _, pool := range subjects(r.Estimates, metric.Pool, metric.OfPool, metric.OfferedLoad) {
			k := key(metric.Pool, pool, metric.OfferedLoad)
			hi := math.Inf(-1)
			for _, rep := range r.Reps {
				if v := rep.Values[idx[k]]; v > hi { // NaN (a pool never open) is no overload
					hi = v
				}
			}
			if hi >= 1 {
				e, _ := m.get(k)
				s.Reasons = append(s.Reasons, fmt.Sprintf("pool %s is offered %.0f%% of its capacity (mean over replications; %.0f%% at most)", pool, 100*e.Mean, 100*hi))
			}
		}
		if e, ok := m.get(key(metric.Unreleased, "", metric.N)); ok && e.Mean > 0 {
			sh, _ := m.get(key(metric.Unreleased, "", metric.Of))
			s.Reasons = append(s.Reasons, fmt.Sprintf("%.0f consignments of the window (%.2g%%) not released by the end of the drain", e.Mean, 100*sh.Mean))
		}
		if e, ok := m.get(key(metric.Backlog, "", metric.Growth)); ok {
			if t, ok := m.get(key(metric.Backlog, "", metric.TrendT)); ok && t.Mean >= 4 {
				s.Reasons = append(s.Reasons, fmt.Sprintf("the backlog grows by %.0f consignments over the window (trend t = %.1f)", e.Mean, t.Mean))
			}
		}
		if len(s.Reasons) == 0 {
			s.Reasons = append(s.Reasons, "queues grow in some replications")
		}
	}
	if w, ok := m.get(key(metric.Warmup, "", metric.Length)); ok {
		if ms, ok := m.get(key(metric.Warmup, "", metric.MSER)); ok && ms.Mean > w.Mean+1e-9 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("the warm-up (%s) looks too short: MSER puts the end of the start-up transient at %s on average over replications; consider warmup: %s or warmup: auto",
				FormatHours(w.Mean), FormatHours(ms.Mean), FormatHours(math.Ceil(ms.Mean/24)*24)))
		}
	}
	return s
}

// FormatHours writes a number of hours as a scenario duration: whole days
// as "7d", otherwise hours.
func FormatHours(h float64) string {
	if d := h / 24; d == math.Trunc(d) {
		return fmt.Sprintf("%gd", d)
	}
	return fmt.Sprintf("%gh", math.Round(h*10)/10)
}

// UnstableBanner is the one-line warning shown above an unstable run's
// figures.
const UnstableBanner = "UNSTABLE: queues grow without bound; these figures depend on the horizon and are not a result"

// alerts are the report banners of one run labelled label ("" for a run
// report): the instability verdict and its reasons, then the warnings.
// warningPrefix starts an alert that is a warning (a warm-up that looks too
// short), not an unstable run: the report shows it in amber, not red.
const warningPrefix = "Warning: "

func (st Stability) alerts(label string) []string {
	var out []string
	if st.Unstable {
		who := ""
		if label != "" {
			who = label + ": "
		}
		out = append(out, who+UnstableBanner+" — "+strings.Join(st.Reasons, "; ")+".")
	}
	for _, w := range st.Warnings {
		if label != "" {
			w = label + ": " + w
		}
		out = append(out, warningPrefix+w+".")
	}
	return out
}
