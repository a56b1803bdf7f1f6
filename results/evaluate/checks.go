package evaluate

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/results/pilotstat"
)

// designChecks returns the tests of the design's assumptions that do not
// belong to one key figure (those are in FigureResult: pre-period trend,
// placebo difference, weekly autocorrelation).
func designChecks(d *Data, cfg Config, p *panel) []Check {
	if cfg.Design != pilotstat.StratumDesign {
		return nil
	}
	// Randomisation: only records of the pilot period (at or after the
	// switch, when one is given) were assigned.
	var recs []*Record
	for i := range d.Records {
		r := &d.Records[i]
		if cfg.Switch.IsZero() || !r.Arrival.Before(cfg.Switch) {
			recs = append(recs, r)
		}
	}
	treated := func(r *Record) bool { return r.Stratum == cfg.TreatedValue }
	var out []Check
	out = append(out, shareCheck(recs, treated, cfg.Share))
	out = append(out, runsCheck(recs, treated))
	for _, cov := range []struct {
		name string
		get  func(*Record) string
	}{
		{"country of origin", func(r *Record) string { return r.Origin }},
		{"HS chapter", func(r *Record) string { return r.Chapter }},
		{"AEO status", func(r *Record) string { return r.AEO }},
		{"trader", func(r *Record) string { return r.Trader }},
		{"weekday", func(r *Record) string { return r.Arrival.Weekday().String() }},
	} {
		out = append(out, balanceCheck(recs, treated, cov.name, cov.get))
	}
	return out
}

// shareCheck tests that the share of treated consignments is the designed
// share (two-sided binomial test, normal approximation).
func shareCheck(recs []*Record, treated func(*Record) bool, share float64) Check {
	n, k := float64(len(recs)), 0.0
	for _, r := range recs {
		if treated(r) {
			k++
		}
	}
	z := (k - n*share) / math.Sqrt(n*share*(1-share))
	return Check{Name: "share assigned to the measure", Test: "binomial z", Statistic: z, DF: math.NaN(),
		P:      2 * distuv.UnitNormal.CDF(-math.Abs(z)),
		Detail: fmt.Sprintf("%.0f of %.0f treated (%.2f%%), designed %.2f%%", k, n, 100*k/n, 100*share)}
}

// runsCheck is the Wald–Wolfowitz runs test on the assignments in order of
// arrival: too few runs mean treated consignments come in clumps (assignment
// by batch, shift or officer), too many an alternation; a random assignment
// has neither.
func runsCheck(recs []*Record, treated func(*Record) bool) Check {
	ord := make([]*Record, len(recs))
	copy(ord, recs)
	sort.SliceStable(ord, func(i, j int) bool {
		if ord[i].Site != ord[j].Site {
			return ord[i].Site < ord[j].Site
		}
		return ord[i].Arrival.Before(ord[j].Arrival)
	})
	var n1, n2, runs float64
	for i, r := range ord {
		t := treated(r)
		if t {
			n1++
		} else {
			n2++
		}
		if i == 0 || t != treated(ord[i-1]) || r.Site != ord[i-1].Site {
			runs++
		}
	}
	n := n1 + n2
	mean := 2*n1*n2/n + 1
	v := 2 * n1 * n2 * (2*n1*n2 - n) / (n * n * (n - 1))
	z := (runs - mean) / math.Sqrt(v)
	return Check{Name: "assignment random in order of arrival", Test: "Wald–Wolfowitz runs z", Statistic: z, DF: math.NaN(),
		P: 2 * distuv.UnitNormal.CDF(-math.Abs(z)), Detail: fmt.Sprintf("%.0f runs, %.0f expected", runs, mean)}
}

// balanceCheck is Pearson's chi-square test of independence of the
// assignment and a covariate: a random assignment does not depend on the
// consignment's origin, goods, trader or status. Categories expected fewer
// than 5 treated or control consignments are pooled into one.
func balanceCheck(recs []*Record, treated func(*Record) bool, name string, get func(*Record) string) Check {
	type cell struct{ t, c float64 }
	cat := map[string]*cell{}
	var nt, nc float64
	for _, r := range recs {
		v := get(r)
		x := cat[v]
		if x == nil {
			x = &cell{}
			cat[v] = x
		}
		if treated(r) {
			x.t++
			nt++
		} else {
			x.c++
			nc++
		}
	}
	n := nt + nc
	keys := make([]string, 0, len(cat))
	for k := range cat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows []cell
	var rest cell
	pooled := 0
	for _, k := range keys {
		x := cat[k]
		m := x.t + x.c
		if m*nt/n < 5 || m*nc/n < 5 {
			rest.t += x.t
			rest.c += x.c
			pooled++
			continue
		}
		rows = append(rows, *x)
	}
	if rest.t+rest.c > 0 {
		rows = append(rows, rest)
	}
	chk := Check{Name: "balance of " + name, Test: "chi-square", DF: float64(len(rows) - 1), Statistic: math.NaN(), P: math.NaN()}
	if len(rows) < 2 || nt == 0 || nc == 0 {
		chk.Detail = fmt.Sprintf("%d categories with data: nothing to compare", len(rows))
		return chk
	}
	x2 := 0.0
	for _, r := range rows {
		m := r.t + r.c
		et, ec := m*nt/n, m*nc/n
		x2 += (r.t-et)*(r.t-et)/et + (r.c-ec)*(r.c-ec)/ec
	}
	chk.Statistic = x2
	chk.P = distuv.ChiSquared{K: chk.DF}.Survival(x2)
	chk.Detail = fmt.Sprintf("%d categories (%d small ones pooled)", len(rows), pooled)
	return chk
}
