package evaluate

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"pilotsim/results/pilotstat"
	"pilotsim/sim/pilot"
)

// Week is the length of the weekly unit of analysis.
const Week = 7 * 24 * time.Hour

// weekSlack is how much of a week may lack data at either end of the
// records for the week to count as complete.
const weekSlack = 2 * time.Hour

// Config says how the pilot was run.
type Config struct {
	Design pilotstat.Design
	// Switch is when the measure started: at every site (before-after,
	// cluster) or, for a random stratum, when the randomisation started
	// (zero: the whole file is the pilot period).
	Switch time.Time
	// SiteSwitch is when the measure started at each site (stepped wedge);
	// a site not listed never got it.
	SiteSwitch map[string]time.Time
	// Treated lists the treated sites (cluster).
	Treated []string
	// TreatedValue is the stratum column's value of treated consignments
	// (random stratum); every other value is control.
	TreatedValue string
	// Share is the designed share of treated consignments (random stratum).
	Share float64
	// Target is the overall release-time target (share within target).
	Target time.Duration
	// Level is the confidence level of the intervals (0.95).
	Level float64
}

// FigureResult is the estimated effect of the measure on one key figure.
type FigureResult struct {
	Figure    string  `json:"figure"`
	Unit      string  `json:"unit"`
	Control   float64 `json:"control"`   // mean weekly value without the measure (control weeks or sites)
	Effect    float64 `json:"effect"`    // measure − control
	Lo        float64 `json:"lo"`        // interval at Level
	Hi        float64 `json:"hi"`        //
	SE        float64 `json:"se"`        // standard error
	DF        float64 `json:"df"`        // degrees of freedom of its t reference
	P         float64 `json:"p"`         // two-sided p-value of no effect
	Units     int     `json:"units"`     // independent units (weeks or sites)
	PreTrend  float64 `json:"pre_trend"` // slope per week before the switch (before-after, stepped wedge)
	PreTrendP float64 `json:"pre_trend_p"`
	// Placebo is the difference between the arms before the measure
	// started (random stratum with a switch, cluster): it should be 0.
	Placebo  float64 `json:"placebo"`
	PlaceboP float64 `json:"placebo_p"`
	// Autocorr is the lag-one autocorrelation of the weekly residuals
	// (before-after): well above 2/sqrt(weeks), the interval is too narrow.
	Autocorr float64 `json:"autocorr"`
	Note     string  `json:"note,omitempty"`
}

// Check is one test of the design's assumptions.
type Check struct {
	Name      string  `json:"name"`
	Test      string  `json:"test"`
	Statistic float64 `json:"statistic"`
	DF        float64 `json:"df"`
	P         float64 `json:"p"`
	Detail    string  `json:"detail"`
}

// Result is the evaluation of a pilot.
type Result struct {
	Design   string         `json:"design"`
	Records  int            `json:"records"`
	Sites    []string       `json:"sites"`
	Start    time.Time      `json:"start"`     // first complete week
	Weeks    int            `json:"weeks"`     // complete weeks analysed
	PreWeeks int            `json:"pre_weeks"` // of which before the (first) switch
	Level    float64        `json:"level"`
	Figures  []FigureResult `json:"figures"`
	Checks   []Check        `json:"checks"`
	Truth    bool           `json:"ground_truth"` // detection is known (a simulation's trace)
}

// panel is the records reduced to weekly figures: per site, one Weeks with
// stratum 0 treated and 1 control (random stratum) or everything in 0.
type panel struct {
	sites []string
	weeks []*pilot.Weeks
	start time.Time
	n     int
	pre   int // weeks before the switch (origin)
}

// Evaluate estimates the effect of the pilot in d under cfg, with the
// design's checks. Weeks are whole weeks counted from the switch (for a
// stepped wedge, from the first site's switch); incomplete weeks at either
// end of the data are left out, and so is a site's week in which the
// measure started mid-week (stepped wedge).
func Evaluate(d *Data, cfg Config) (*Result, error) {
	if cfg.Level == 0 {
		cfg.Level = 0.95
	}
	if cfg.Target == 0 {
		cfg.Target = 48 * time.Hour
	}
	if cfg.Share == 0 {
		cfg.Share = 0.5
	}
	origin := cfg.Switch
	switch cfg.Design {
	case pilotstat.BeforeAfterDesign, pilotstat.ClusterDesign:
		if origin.IsZero() {
			return nil, fmt.Errorf("%s: want the switch date (--switch)", cfg.Design)
		}
	case pilotstat.SteppedWedgeDesign:
		if len(cfg.SiteSwitch) == 0 {
			return nil, fmt.Errorf("stepped-wedge: want each site's switch date (--switch SITE=DATE,…)")
		}
		for _, t := range cfg.SiteSwitch {
			if origin.IsZero() || t.Before(origin) {
				origin = t
			}
		}
	case pilotstat.StratumDesign:
		if cfg.TreatedValue == "" {
			return nil, fmt.Errorf("random-stratum: want the stratum column's value of treated consignments")
		}
	default:
		return nil, fmt.Errorf("unknown design %d", cfg.Design)
	}
	p, err := buildPanel(d, cfg, origin)
	if err != nil {
		return nil, err
	}
	res := &Result{Design: cfg.Design.String(), Records: len(d.Records), Sites: p.sites, Start: p.start,
		Weeks: p.n, PreWeeks: p.pre, Level: cfg.Level, Truth: d.Truth}
	for f := range pilot.NumFigures {
		if f == pilot.Detection && !d.Truth {
			continue // real data: irregular consignments are known only where found
		}
		res.Figures = append(res.Figures, evalFigure(p, cfg, f))
	}
	res.Checks = designChecks(d, cfg, p)
	return res, nil
}

// buildPanel reduces the records to complete weeks counted from origin.
func buildPanel(d *Data, cfg Config, origin time.Time) (*panel, error) {
	first, last := d.Records[0].Arrival, d.Records[0].Arrival
	siteIdx := map[string]int{}
	for _, r := range d.Records {
		if r.Arrival.Before(first) {
			first = r.Arrival
		}
		if r.Arrival.After(last) {
			last = r.Arrival
		}
		siteIdx[r.Site] = 0
	}
	p := &panel{}
	for s := range siteIdx {
		p.sites = append(p.sites, s)
	}
	sort.Strings(p.sites)
	for i, s := range p.sites {
		siteIdx[s] = i
	}
	if origin.IsZero() {
		origin = first
	}
	// Complete weeks: from the first week boundary (origin + k weeks) at or
	// after the first arrival to the last boundary at or before the last.
	// A gap of up to weekSlack at either end still counts as complete (the
	// first consignment rarely arrives at the stroke of midnight).
	kFirst := int(math.Ceil(float64(first.Sub(origin)-weekSlack) / float64(Week)))
	kLast := int(math.Floor(float64(last.Sub(origin)+weekSlack) / float64(Week))) // exclusive
	p.n = kLast - kFirst
	if p.n < 2 {
		return nil, fmt.Errorf("the records span %s: want at least two complete weeks", last.Sub(first).Round(time.Hour))
	}
	p.start = origin.Add(time.Duration(kFirst) * Week)
	p.pre = max(min(-kFirst, p.n), 0)
	switch cfg.Design {
	case pilotstat.BeforeAfterDesign, pilotstat.ClusterDesign, pilotstat.SteppedWedgeDesign:
		if p.pre < 1 || p.pre >= p.n {
			return nil, fmt.Errorf("%s: %d complete weeks before the switch and %d after: want some of each", cfg.Design, p.pre, p.n-p.pre)
		}
	}
	if cfg.Design == pilotstat.ClusterDesign {
		for _, s := range cfg.Treated {
			if _, ok := siteIdx[s]; !ok {
				return nil, fmt.Errorf("cluster: treated site %q has no records (sites: %v)", s, p.sites)
			}
		}
	}
	if cfg.Design == pilotstat.SteppedWedgeDesign {
		for s := range cfg.SiteSwitch {
			if _, ok := siteIdx[s]; !ok {
				return nil, fmt.Errorf("stepped-wedge: site %q has no records (sites: %v)", s, p.sites)
			}
		}
	}
	for range p.sites {
		p.weeks = append(p.weeks, pilot.NewWeeks(p.n))
	}
	target := cfg.Target.Minutes()
	for i := range d.Records {
		r := &d.Records[i]
		wk := int(math.Floor(float64(r.Arrival.Sub(p.start)) / float64(Week)))
		st := 0
		if cfg.Design == pilotstat.StratumDesign && r.Stratum != cfg.TreatedValue {
			st = 1
		}
		o := r.Obs
		o.WithinTarget = o.Release <= target
		p.weeks[siteIdx[r.Site]].Add(wk, st, &o)
	}
	return p, nil
}

// series returns site s's weekly values of f over the strata.
func (p *panel) series(s int, f pilot.Figure, st pilot.Strata) []float64 {
	y := make([]float64, p.n)
	for w := range y {
		y[w] = p.weeks[s].Value(f, w, st)
	}
	return y
}

// siteStart returns the week index from which site s had the measure
// (stepped wedge): −1 for its partial switch week, p.n when never.
func siteStart(p *panel, cfg Config, s int) (start int, partial int) {
	t, ok := cfg.SiteSwitch[p.sites[s]]
	if !ok {
		return p.n, -1
	}
	x := float64(t.Sub(p.start)) / float64(Week)
	k := int(math.Ceil(x))
	if float64(k) != x {
		return k, k - 1
	}
	return k, -1
}

func evalFigure(p *panel, cfg Config, f pilot.Figure) FigureResult {
	fr := FigureResult{Figure: f.String(), Unit: f.Unit(), PreTrend: math.NaN(), PreTrendP: math.NaN(),
		Placebo: math.NaN(), PlaceboP: math.NaN(), Autocorr: math.NaN()}
	var e pilotstat.Estimate
	var err error
	switch cfg.Design {
	case pilotstat.BeforeAfterDesign:
		// All sites pooled into one series: the measure started everywhere at once.
		y := p.pooled(f)
		e, err = pilotstat.BeforeAfter(y, p.pre, true)
		fr.Control = meanOf(y[:p.pre])
		if t, terr := pilotstat.PreTrend(y, p.pre); terr == nil {
			fr.PreTrend, fr.PreTrendP = t.Effect, t.P()
		}
		fr.Autocorr, _ = pilotstat.WeekAutocorr(y, p.pre)
	case pilotstat.StratumDesign:
		var tr, co, trPre, coPre []float64
		for s := range p.sites {
			a, b := p.series(s, f, pilot.StratumA), p.series(s, f, pilot.StratumB)
			tr, co = append(tr, a[p.pre:]...), append(co, b[p.pre:]...)
			trPre, coPre = append(trPre, a[:p.pre]...), append(coPre, b[:p.pre]...)
		}
		e, err = pilotstat.Stratum(tr, co)
		fr.Control = meanOf(co)
		if pl, perr := pilotstat.Stratum(trPre, coPre); perr == nil {
			fr.Placebo, fr.PlaceboP = pl.Effect, pl.P()
		}
	case pilotstat.ClusterDesign:
		treated := make([]bool, len(p.sites))
		post, pre := make([][]float64, len(p.sites)), make([][]float64, len(p.sites))
		var ctl []float64
		for s, name := range p.sites {
			treated[s] = slices.Contains(cfg.Treated, name)
			y := p.series(s, f, pilot.AllStrata)
			post[s], pre[s] = y[p.pre:], y[:p.pre]
			if !treated[s] {
				ctl = append(ctl, post[s]...)
			}
		}
		e, err = pilotstat.Cluster(post, treated, pre)
		fr.Control = meanOf(ctl)
		if pl, perr := pilotstat.Cluster(pre, treated, nil); perr == nil {
			fr.Placebo, fr.PlaceboP = pl.Effect, pl.P()
		}
	case pilotstat.SteppedWedgeDesign:
		ys := make([][]float64, len(p.sites))
		starts := make([]int, len(p.sites))
		var ctl []float64
		for s := range p.sites {
			ys[s] = p.series(s, f, pilot.AllStrata)
			start, partial := siteStart(p, cfg, s)
			if partial >= 0 && partial < p.n {
				ys[s][partial] = math.NaN()
			}
			starts[s] = start
			ctl = append(ctl, ys[s][:max(min(start, p.n), 0)]...)
		}
		e, err = pilotstat.SteppedWedge(ys, starts)
		fr.Control = meanOf(ctl)
		if t, terr := pilotstat.PreTrend(p.pooled(f), p.pre); terr == nil {
			fr.PreTrend, fr.PreTrendP = t.Effect, t.P()
		}
	}
	if err != nil {
		fr.Effect, fr.Lo, fr.Hi, fr.SE, fr.DF, fr.P = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		fr.Note = err.Error()
		return fr
	}
	fr.Effect, fr.SE, fr.DF, fr.P, fr.Units = e.Effect, e.SE, e.DF, e.P(), e.N
	fr.Lo, fr.Hi = e.CI(cfg.Level)
	return fr
}

// pooled returns the weekly values of f over all sites' consignments.
func (p *panel) pooled(f pilot.Figure) []float64 {
	all := pilot.NewWeeks(p.n)
	for _, w := range p.weeks {
		all.Merge(w)
	}
	y := make([]float64, p.n)
	for w := range y {
		y[w] = all.Value(f, w, pilot.AllStrata)
	}
	return y
}

func meanOf(x []float64) float64 {
	s, n := 0.0, 0
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
