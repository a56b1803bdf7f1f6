package results

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"pilotsim/results/pilotstat"
	"pilotsim/sim/pilot"
)

// PlanDesign is a pilot design that plan judges (pilotstat's, named once there).
type PlanDesign = pilotstat.Design

// Designs.
const (
	DesignBeforeAfter = pilotstat.BeforeAfterDesign  // one site, interrupted time series
	DesignStratum     = pilotstat.StratumDesign      // one site, random control stratum of consignments
	DesignCluster     = pilotstat.ClusterDesign      // sites randomised to measure or control
	DesignWedge       = pilotstat.SteppedWedgeDesign // sites switched on in random order (stepped wedge)
	NumDesigns        = pilotstat.NumDesigns
)

// PlanConfig sets what plan asks of the simulated pilots.
type PlanConfig struct {
	PreWeeks   int     `json:"pre_weeks"`   // weeks of baseline data before the pilot (before/after, cluster, wedge)
	MaxWeeks   int     `json:"max_weeks"`   // longest pilot judged (power curves run 1 … MaxWeeks)
	Weeks      int     `json:"weeks"`       // the duration whose MDE, power and false-positive rate are reported
	Alpha      float64 `json:"alpha"`       // two-sided level, 0.05
	Power      float64 `json:"power"`       // target power, 0.8
	Sites      int     `json:"sites"`       // sites simulated
	SharedPool bool    `json:"shared_pool"` // the measure changes resources or routes: a random stratum shares queues
	// MixedErr says why the interference of the random stratum was not
	// measured ("" when it was, or when the stratum shares no queue).
	MixedErr string `json:"interference_not_measured,omitempty"`
}

// planEst is one estimate kept per pilot, in float32 to keep 2,000 pilots ×
// designs × figures × durations in memory.
type planEst struct{ eff, se, df float32 }

func (e planEst) estimate() pilotstat.Estimate {
	return pilotstat.Estimate{Effect: float64(e.eff), SE: float64(e.se), DF: float64(e.df)}
}

// PilotEstimates are one simulated pilot's estimates: [design][figure][duration-1][0 A/A, 1 measure].
type PilotEstimates struct {
	est [NumDesigns][pilot.NumFigures][][2]planEst
	// wseq is the stepped wedge as the weekly-look rule sees it: the switch
	// schedule planned for MaxWeeks, looked at after each week (est's wedge
	// is planned anew for each duration, so its looks are not nested).
	wseq  [pilot.NumFigures][][2]planEst
	truth [pilot.NumFigures]float64 // measure − baseline, mean over sites and pilot weeks
	// The random stratum in shared queues (Data.Mixed, all pilot weeks) and
	// the first site's measure − baseline over the same weeks; NaN when
	// there is no mixed run.
	mixed, truth0 [pilot.NumFigures]float64
	// base is the first site's baseline over the pilot weeks (sum and
	// weeks with a value), for the plan's baseline column.
	base  [pilot.NumFigures]float64
	baseN [pilot.NumFigures]int
}

// AnalysePilot judges one simulated pilot under every design and duration.
func AnalysePilot(cfg PlanConfig, d *pilot.Data) *PilotEstimates {
	pe := &PilotEstimates{}
	g := len(d.Base)
	pre, maxW := cfg.PreWeeks, cfg.MaxWeeks
	nW := pre + maxW
	// Values: [arm][site][strata][figure][week].
	strata := [3]pilot.Strata{pilot.StratumA, pilot.StratumB, pilot.AllStrata}
	var vals [2][][3][pilot.NumFigures][]float64
	for arm, ws := range [2][]*pilot.Weeks{d.Base, d.Measure} {
		vals[arm] = make([][3][pilot.NumFigures][]float64, g)
		for s := range g {
			for k, st := range strata {
				for f := range pilot.NumFigures {
					v := make([]float64, nW)
					for w := range nW {
						v[w] = ws[s].Value(f, w, st)
					}
					vals[arm][s][k][f] = v
				}
			}
		}
	}
	// Random assignment of sites, the same for every figure and duration.
	rng := rand.New(rand.NewPCG(uint64(d.Pilot), 0xa55197))
	order := rng.Perm(g)
	treated := make([]bool, g)
	for i, s := range order {
		treated[s] = i < g/2
	}
	const all, sa, sb = 2, 0, 1
	for f := range pilot.NumFigures {
		for w := pre; w < nW; w++ {
			if v := vals[0][0][all][f][w]; !math.IsNaN(v) {
				pe.base[f] += v
				pe.baseN[f]++
			}
		}
		pe.mixed[f], pe.truth0[f] = math.NaN(), math.NaN()
		if d.Mixed == nil {
			continue
		}
		tr, co := make([]float64, maxW), make([]float64, maxW)
		sum, n := 0.0, 0
		for w := range maxW {
			tr[w], co[w] = d.Mixed.Value(f, pre+w, pilot.StratumA), d.Mixed.Value(f, pre+w, pilot.StratumB)
			if a, b := vals[0][0][all][f][pre+w], vals[1][0][all][f][pre+w]; !math.IsNaN(a) && !math.IsNaN(b) {
				sum += b - a
				n++
			}
		}
		if e, err := pilotstat.Stratum(tr, co); err == nil && n > 0 {
			pe.mixed[f], pe.truth0[f] = e.Effect, sum/float64(n)
		}
	}
	for f := range pilot.NumFigures {
		sum, n := 0.0, 0
		for s := range g {
			for w := pre; w < nW; w++ {
				if a, b := vals[0][s][all][f][w], vals[1][s][all][f][w]; !math.IsNaN(a) && !math.IsNaN(b) {
					sum += b - a
					n++
				}
			}
		}
		pe.truth[f] = sum / float64(max(n, 1))
		if n == 0 {
			pe.truth[f] = math.NaN()
		}
		for dz := range NumDesigns {
			pe.est[dz][f] = make([][2]planEst, maxW)
		}
		pe.wseq[f] = make([][2]planEst, maxW)
		for w := 1; w <= maxW; w++ {
			for eff := range 2 {
				arm := func(on bool) int {
					if on && eff == 1 {
						return 1
					}
					return 0
				}
				put := func(dz PlanDesign, e pilotstat.Estimate, err error) {
					if err != nil {
						pe.est[dz][f][w-1][eff] = planEst{float32(math.NaN()), float32(math.NaN()), 0}
						return
					}
					pe.est[dz][f][w-1][eff] = planEst{float32(e.Effect), float32(e.SE), float32(e.DF)}
				}
				// Before/after at site 0.
				y := make([]float64, pre+w)
				for k := range y {
					y[k] = vals[arm(k >= pre)][0][all][f][k]
				}
				e, err := pilotstat.BeforeAfter(y, pre, true)
				put(DesignBeforeAfter, e, err)
				// Random stratum at site 0: A gets the measure, B is control.
				e, err = pilotstat.Stratum(vals[arm(true)][0][sa][f][pre:pre+w], vals[0][0][sb][f][pre:pre+w])
				put(DesignStratum, e, err)
				if g >= 4 {
					post, prev := make([][]float64, g), make([][]float64, g)
					for s := range g {
						post[s] = vals[arm(treated[s])][s][all][f][pre : pre+w]
						prev[s] = vals[0][s][all][f][:pre]
					}
					if pre == 0 {
						prev = nil
					}
					e, err = pilotstat.Cluster(post, treated, prev)
					put(DesignCluster, e, err)
				} else {
					put(DesignCluster, pilotstat.Estimate{}, pilotstat.ErrTooFew)
				}
				if g >= 3 {
					start := make([]int, g)
					ys := make([][]float64, g)
					for i, s := range order {
						start[s] = pre + int(math.Ceil(float64((i+1)*w)/float64(g+1)))
						ys[s] = make([]float64, pre+w)
						for k := range ys[s] {
							ys[s][k] = vals[arm(k >= start[s])][s][all][f][k]
						}
					}
					e, err = pilotstat.SteppedWedge(ys, start)
					put(DesignWedge, e, err)
					// The schedule of a pilot planned for maxW weeks, seen
					// after w of them.
					for i, s := range order {
						start[s] = pre + int(math.Ceil(float64((i+1)*maxW)/float64(g+1)))
						for k := range ys[s] {
							ys[s][k] = vals[arm(k >= start[s])][s][all][f][k]
						}
					}
					e, err = pilotstat.SteppedWedge(ys, start)
					pe.wseq[f][w-1][eff] = planEst{float32(math.NaN()), float32(math.NaN()), 0}
					if err == nil {
						pe.wseq[f][w-1][eff] = planEst{float32(e.Effect), float32(e.SE), float32(e.DF)}
					}
				} else {
					put(DesignWedge, pilotstat.Estimate{}, pilotstat.ErrTooFew)
					pe.wseq[f][w-1][eff] = planEst{float32(math.NaN()), float32(math.NaN()), 0}
				}
			}
		}
	}
	return pe
}

// PlanRow is plan's verdict on one design and key figure.
type PlanRow struct {
	Design       string  `json:"design"`
	Figure       string  `json:"figure"`
	Unit         string  `json:"unit"`
	Baseline     float64 `json:"baseline"`           // mean weekly value without the measure
	Effect       float64 `json:"effect"`             // what the simulation predicts (measure − baseline)
	Weeks        int     `json:"weeks"`              // the duration judged
	MDE          float64 `json:"mde"`                // minimum detectable effect at Weeks (80% power, 5% two-sided)
	Power        float64 `json:"power"`              // share of simulated pilots of Weeks that detect Effect
	FalsePos     float64 `json:"false_positive"`     // A/A rejection rate at Weeks
	WeeksNeeded  float64 `json:"weeks_needed"`       // shortest pilot whose MDE reaches |Effect|
	Extrapolated bool    `json:"extrapolated"`       // WeeksNeeded beyond MaxWeeks, from 1/sqrt(weeks)
	SeqFalsePos  float64 `json:"seq_false_positive"` // A/A rate of the weekly-look rule
	SeqPower     float64 `json:"seq_power"`          // share of pilots stopped for an effect by MaxWeeks
	SeqMeanStop  float64 `json:"seq_mean_stop"`      // mean week of stopping (MaxWeeks if never)
	// Random stratum only: the effect the design estimates when treated and
	// control consignments share the queues (one run, half of the
	// consignments with the measure), and its bias against the effect
	// without interference (the first site's measure − baseline over the
	// same weeks), with the bias's standard error over the pilots. NaN
	// when not measured.
	SharedEffect       float64   `json:"shared_effect"`
	InterferenceBias   float64   `json:"interference_bias"`
	InterferenceBiasSE float64   `json:"interference_bias_se"`
	Note               string    `json:"note,omitempty"`
	PowerCurve         []float64 `json:"power_curve"` // power at 1 … MaxWeeks weeks
	MDECurve           []float64 `json:"mde_curve"`   // MDE at 1 … MaxWeeks weeks
}

// Plan is plan's result.
type Plan struct {
	Baseline, Measure string
	Config            PlanConfig
	Pilots            int
	Rows              []PlanRow
}

// SummarisePlan turns the pilots' estimates into the plan's rows. Sums run
// over the pilots in the order given (their index order), so the plan is
// the same for any number of workers.
func SummarisePlan(cfg PlanConfig, base, measure string, pes []*PilotEstimates) *Plan {
	p := &Plan{Baseline: base, Measure: measure, Config: cfg, Pilots: len(pes)}
	var baseline [pilot.NumFigures]float64
	for f := range baseline {
		sum, n := 0.0, 0
		for _, pe := range pes {
			sum += pe.base[f]
			n += pe.baseN[f]
		}
		baseline[f] = sum / float64(max(n, 1))
	}
	for dz := range NumDesigns {
		for f := range pilot.NumFigures {
			row := PlanRow{Design: dz.String(), Figure: f.String(), Unit: f.Unit(), Weeks: cfg.Weeks, Baseline: baseline[f]}
			tsum, tn := 0.0, 0
			for _, pe := range pes {
				if !math.IsNaN(pe.truth[f]) {
					tsum += pe.truth[f]
					tn++
				}
			}
			row.Effect = tsum / float64(max(tn, 1))
			if tn == 0 {
				row.Effect = math.NaN()
			}
			grid := make([]int, cfg.MaxWeeks)
			aaAt := make([][]pilotstat.Estimate, cfg.MaxWeeks)
			efAt := make([][]pilotstat.Estimate, cfg.MaxWeeks)
			for w := range cfg.MaxWeeks {
				grid[w] = w + 1
				for _, pe := range pes {
					aaAt[w] = append(aaAt[w], pe.est[dz][f][w][0].estimate())
					efAt[w] = append(efAt[w], pe.est[dz][f][w][1].estimate())
				}
				se, df := pilotstat.SpreadSE(aaAt[w])
				row.MDECurve = append(row.MDECurve, pilotstat.MDE(se, df, cfg.Alpha, cfg.Power))
				row.PowerCurve = append(row.PowerCurve, pilotstat.RejectRate(efAt[w], cfg.Alpha))
			}
			i := cfg.Weeks - 1
			row.MDE, row.Power = row.MDECurve[i], row.PowerCurve[i]
			row.FalsePos = pilotstat.RejectRate(aaAt[i], cfg.Alpha)
			row.WeeksNeeded, row.Extrapolated = pilotstat.WeeksNeeded(grid, row.MDECurve, row.Effect)
			row.SharedEffect, row.InterferenceBias, row.InterferenceBiasSE = math.NaN(), math.NaN(), math.NaN()
			if dz == DesignStratum {
				row.SharedEffect, row.InterferenceBias, row.InterferenceBiasSE = interference(pes, f)
			}
			if dz == DesignWedge {
				// Weekly looks at a wedge follow one schedule, planned for
				// the longest pilot.
				for w := range cfg.MaxWeeks {
					aaAt[w], efAt[w] = aaAt[w][:0:0], efAt[w][:0:0]
					for _, pe := range pes {
						aaAt[w] = append(aaAt[w], pe.wseq[f][w][0].estimate())
						efAt[w] = append(efAt[w], pe.wseq[f][w][1].estimate())
					}
				}
			}
			row.SeqFalsePos, row.SeqPower, row.SeqMeanStop = seqRule(aaAt, efAt, cfg.Alpha)
			switch {
			case dz == DesignStratum && cfg.SharedPool && cfg.MixedErr != "":
				row.Note = "biased by interference: treated and control consignments share queues; not measured (" + cfg.MixedErr + "); power and MDE assume no interference"
			case dz == DesignStratum && cfg.SharedPool:
				row.Note = "biased by interference: treated and control consignments share queues (bias measured in one run, below); power and MDE assume no interference"
			case (dz == DesignCluster && cfg.Sites < 4) || (dz == DesignWedge && cfg.Sites < 3):
				row.Note = fmt.Sprintf("needs sites (%d simulated)", cfg.Sites)
			}
			p.Rows = append(p.Rows, row)
		}
	}
	return p
}

// seqRule sets the weekly-look rule from the A/A estimates at each
// duration (aa[w], w = 0 … MaxWeeks−1) and returns its A/A rate, its power
// on the estimates with the measure (ef) and the mean week of stopping (NaN
// when no rule can be set). Looks start once the estimate has 4 degrees of
// freedom (earlier looks, with a few weeks, only spend α), then every week.
// The information 1/SE² is measured over the simulated pilots and so a
// little noisy: it is kept increasing (a running maximum), as the rule
// needs.
func seqRule(aa, ef [][]pilotstat.Estimate, alpha float64) (fp, power, stop float64) {
	var info, dfs []float64
	firstLook := -1
	for w := range aa {
		se, df := pilotstat.SpreadSE(aa[w])
		if firstLook < 0 && se > 0 && df >= 4 {
			firstLook = w
		}
		if firstLook >= 0 {
			in := 1 / (se * se)
			if !(in > 0) || math.IsInf(in, 0) {
				in = 0
			}
			if len(info) > 0 {
				in = math.Max(in, info[len(info)-1]*(1+1e-9))
			}
			info = append(info, in)
			dfs = append(dfs, math.Max(df, dfs0(dfs)))
		}
	}
	if len(info) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	gs, err := pilotstat.NewGroupSequential(info, dfs, alpha)
	if err != nil {
		return math.NaN(), math.NaN(), math.NaN()
	}
	fp, _ = seqRate(gs, aa[firstLook:], firstLook)
	power, stop = seqRate(gs, ef[firstLook:], firstLook)
	return fp, power, stop
}

// seqRate returns the share of pilots whose weekly looks cross the rule and
// their mean stopping week (the last week for those that never cross).
func seqRate(gs *pilotstat.GroupSequential, at [][]pilotstat.Estimate, first int) (rate, meanStop float64) {
	n := len(at[0])
	z := make([]float64, len(at))
	crossed, stopSum := 0, 0.0
	for p := range n {
		for k := range at {
			z[k] = at[k][p].Z()
		}
		k, ok := gs.Stop(z)
		if ok {
			crossed++
		}
		stopSum += float64(first + k + 1)
	}
	return float64(crossed) / float64(n), stopSum / float64(n)
}

// WriteTable writes the plan as an aligned table.
func (p *Plan) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Pilot plan: %s -> %s, %d simulated pilots, %d sites, %d pre-weeks; judged at %d weeks (alpha %.2g, power %.0f%%)\n\n",
		p.Baseline, p.Measure, p.Pilots, p.Config.Sites, p.Config.PreWeeks, p.Config.Weeks, p.Config.Alpha, 100*p.Config.Power)
	head := []string{"design", "figure", "baseline", "effect", "MDE", "power", "A/A", "weeks needed", "seq A/A", "seq power", "seq stop"}
	rows := [][]string{head}
	for _, r := range p.Rows {
		wn := planNum(r.WeeksNeeded, 0)
		if r.Extrapolated && !math.IsInf(r.WeeksNeeded, 1) && !math.IsNaN(r.WeeksNeeded) {
			wn = "~" + wn
		}
		rows = append(rows, []string{r.Design, r.Figure, planNum(r.Baseline, 3), planNum(r.Effect, 3), planNum(r.MDE, 3),
			planPct(r.Power), planPct(r.FalsePos), wn, planPct(r.SeqFalsePos), planPct(r.SeqPower), planNum(r.SeqMeanStop, 1)})
	}
	width := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i < 2 {
				b.WriteString(c + strings.Repeat(" ", width[i]-len(c)+2))
			} else {
				b.WriteString(strings.Repeat(" ", width[i]-len(c)) + c + "  ")
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	var ib [][]string
	for _, r := range p.Rows {
		if r.Design == DesignStratum.String() && !math.IsNaN(r.InterferenceBias) {
			ib = append(ib, []string{r.Figure, planNum(r.Effect, 3), planNum(r.SharedEffect, 3), planNum(r.InterferenceBias, 3), planNum(1.96*r.InterferenceBiasSE, 3)})
		}
	}
	if len(ib) > 0 {
		fmt.Fprintf(w, "\nRandom stratum with treated and control consignments in the same queues (one run, half with the measure):\n")
		rows := append([][]string{{"figure", "effect", "stratum estimates", "interference bias", "± (95%)"}}, ib...)
		width := make([]int, 5)
		for _, r := range rows {
			for i, c := range r {
				width[i] = max(width[i], len(c))
			}
		}
		for _, r := range rows {
			var b strings.Builder
			for i, c := range r {
				if i == 0 {
					b.WriteString(c + strings.Repeat(" ", width[i]-len(c)+2))
				} else {
					b.WriteString(strings.Repeat(" ", width[i]-len(c)) + c + "  ")
				}
			}
			if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
				return err
			}
		}
	}
	for _, r := range p.Rows {
		if r.Note != "" && r.Figure == p.Rows[0].Figure {
			fmt.Fprintf(w, "\n%s: %s", r.Design, r.Note)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

func planNum(x float64, prec int) string {
	switch {
	case math.IsNaN(x):
		return "-"
	case math.IsInf(x, 1):
		return "never"
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

func planPct(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// WriteCSV writes one row per design × key figure.
func (p *Plan) WriteCSV(w io.Writer) error {
	var b strings.Builder
	b.WriteString("design,figure,unit,baseline,effect,weeks,mde,power,false_positive,weeks_needed,extrapolated,seq_false_positive,seq_power,seq_mean_stop,shared_effect,interference_bias,interference_bias_se,note\n")
	g := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		if math.IsInf(x, 1) {
			return "inf"
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	for _, r := range p.Rows {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%t,%s,%s,%s,%s,%s,%s,%q\n", r.Design, r.Figure, r.Unit, g(r.Baseline), g(r.Effect), r.Weeks,
			g(r.MDE), g(r.Power), g(r.FalsePos), g(r.WeeksNeeded), r.Extrapolated, g(r.SeqFalsePos), g(r.SeqPower), g(r.SeqMeanStop),
			g(r.SharedEffect), g(r.InterferenceBias), g(r.InterferenceBiasSE), r.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the plan as JSON (NaN and infinite values as null).
func (p *Plan) WriteJSON(w io.Writer) error {
	opt := func(x float64) *float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return &x
	}
	type out struct {
		SchemaVersion int               `json:"schema_version"`
		Baseline      string            `json:"baseline"`
		Measure       string            `json:"measure"`
		Pilots        int               `json:"pilots"`
		Config        PlanConfig        `json:"config"`
		Rows          []json.RawMessage `json:"rows"`
	}
	o := out{SchemaVersion: 1, Baseline: p.Baseline, Measure: p.Measure, Pilots: p.Pilots, Config: p.Config}
	for _, r := range p.Rows {
		m := map[string]any{
			"design": r.Design, "figure": r.Figure, "unit": r.Unit, "weeks": r.Weeks, "extrapolated": r.Extrapolated,
			"baseline": opt(r.Baseline), "effect": opt(r.Effect), "mde": opt(r.MDE), "power": opt(r.Power),
			"false_positive": opt(r.FalsePos), "weeks_needed": opt(r.WeeksNeeded), "seq_false_positive": opt(r.SeqFalsePos),
			"seq_power": opt(r.SeqPower), "seq_mean_stop": opt(r.SeqMeanStop),
			"shared_effect": opt(r.SharedEffect), "interference_bias": opt(r.InterferenceBias), "interference_bias_se": opt(r.InterferenceBiasSE),
		}
		if r.Note != "" {
			m["note"] = r.Note
		}
		var pc, mc []*float64
		for i := range r.PowerCurve {
			pc = append(pc, opt(r.PowerCurve[i]))
			mc = append(mc, opt(r.MDECurve[i]))
		}
		m["power_curve"], m["mde_curve"] = pc, mc
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		o.Rows = append(o.Rows, b)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(o)
}

// dfs0 is the last of the looks' degrees of freedom so far (0 for none): a
// look never has fewer than the one before.
func dfs0(dfs []float64) float64 {
	if len(dfs) == 0 {
		return 0
	}
	return dfs[len(dfs)-1]
}

// interference returns the mean over pilots of the random stratum's effect
// in shared queues, and the mean and standard error of its difference from
// the effect without interference.
func interference(pes []*PilotEstimates, f pilot.Figure) (shared, bias, se float64) {
	var m, d []float64
	for _, pe := range pes {
		if !math.IsNaN(pe.mixed[f]) && !math.IsNaN(pe.truth0[f]) {
			m = append(m, pe.mixed[f])
			d = append(d, pe.mixed[f]-pe.truth0[f])
		}
	}
	if len(d) < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	shared = stat.Mean(m, nil)
	bias, sd := stat.MeanStdDev(d, nil)
	return shared, bias, sd / math.Sqrt(float64(len(d)))
}
