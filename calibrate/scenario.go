package calibrate

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// Fit is a fitted scenario with what was fitted and what was assumed, as
// comments by field path ("traffic.sea", "resources.pools[1]" …).
type Fit struct {
	Scenario *scenarios.Scenario
	Comments map[string][]string // path → comment lines written above the field
	Header   []string            // comment lines at the top of the file
	Notes    []string            // what does not fit or was not identifiable, for the user
	Records  int64
	Samples  int
	Days     float64 // observed days per sample
	Services map[string]DistFit
}

// methodOf is the control method of a step, as pools name it.
func methodOf(s datamodel.Step) string {
	switch s {
	case datamodel.StepDocument:
		return "document"
	case datamodel.StepScan:
		return "nii"
	case datamodel.StepPhysical:
		return "physical"
	}
	return ""
}

func poolMethod(p scenarios.Pool) string {
	if p.Method != "" {
		return p.Method
	}
	return p.Name
}

var simModes = []string{"sea", "air", "road", "rail", "postal"}

// Fit fits a scenario to the records added, starting from base (a loaded
// scenario, modified in place: pass a fresh copy). Records must hold at
// least one arrival.
func (f *Fitter) Fit(base *scenarios.Scenario, basePath string) (*Fit, error) {
	if f.overSamples > 0 {
		return nil, fmt.Errorf("the sample column has more than %d distinct values (%d records left out): it holds the replication of a simulated record; leave it empty for real records", MaxSamples, f.overSamples)
	}
	if f.records == 0 {
		return nil, fmt.Errorf("no records to fit")
	}
	sc := base
	out := &Fit{Scenario: sc, Comments: map[string][]string{}, Records: f.records, Samples: len(f.spans), Services: map[string]DistFit{}}
	note := func(path string, lines ...string) { out.Comments[path] = append(out.Comments[path], lines...) }

	// Exposure: the observed span per sample, in hours.
	var hours float64
	for _, sp := range f.spans {
		hours += (sp[1] - sp[0]) / 3600
	}
	if !(hours > 0) {
		return nil, fmt.Errorf("the records' arrivals span no time: a rate cannot be fitted")
	}
	// Each record's span [first, last] holds n arrivals of a Poisson process
	// whose first and last are the ends: n-1 gaps per sample.
	gaps := float64(f.records - int64(len(f.spans)))
	out.Days = hours / 24 / float64(len(f.spans))
	// Hours of week observed (summed over samples), for the profiles.
	var occ [168]float64
	for _, sp := range f.spans {
		for h := math.Floor(sp[0] / 3600); h < math.Ceil(sp[1]/3600); h++ {
			occ[hourOfWeek(h*3600+1+f.offset)]++
		}
	}

	// Traffic per mode.
	sc.Traffic = map[string]scenarios.ModeTraffic{}
	for _, name := range slices.Sorted(mapsKeys(f.modes)) {
		m := f.modes[name]
		mode := name
		if !slices.Contains(simModes, mode) {
			if mode == "unknown" {
				mode = "sea"
			} else {
				out.Notes = append(out.Notes, fmt.Sprintf("mode %q is not one of %s: its %d records are counted as sea", name, strings.Join(simModes, ", "), m.n))
				mode = "sea"
			}
		}
		t := sc.Traffic[mode]
		share := float64(m.n) / float64(f.records)
		rate := gaps * share / hours
		t.Rate += round(rate)
		var byH [24]float64
		var occH [24]float64
		var byD [7]float64
		var occD [7]float64
		for hw := range 168 {
			byH[hw%24] += float64(m.byHour[hw])
			occH[hw%24] += occ[hw]
			byD[hw/24] += float64(m.byHour[hw])
			occD[hw/24] += occ[hw]
		}
		t.Hourly = profile(byH[:], occH[:])
		t.Weekly = profile(byD[:], occD[:])
		lead := "lodgement_lead: not in the records (no lodgement times): taken from the base scenario (assumed)"
		if m.lead.m.n > 1 {
			lf := fitLead(m.lead)
			t.LodgementLead = lf.Dist
			pre := 0.0
			for _, x := range m.lead.res.xs {
				if x >= 0 {
					pre++
				}
			}
			lead = fmt.Sprintf("lodgement_lead (minutes before arrival; negative after): %s; %.1f%% lodged at or before arrival",
				lf.Comment("lodgements"), 100*pre/float64(max(1, len(m.lead.res.xs))))
		}
		sc.Traffic[mode] = t
		note("traffic."+mode, fmt.Sprintf("rate: %d %s arrivals over %.1f days x %d samples = %.2f an hour (fitted)", m.n, name, out.Days, len(f.spans), rate),
			"hourly, weekly: arrivals per hour of the day and day of the week over the hours observed, relative to the mean (fitted)", lead)
	}

	// Traders: the AEO share of consignments.
	if k := f.aeo[0] + f.aeo[1]; k > 0 {
		sc.Traders.AEOShare = round(float64(f.aeo[1]) / float64(k))
		note("traders", fmt.Sprintf("aeo_share: %.1f%% of %d consignments with a known AEO status (fitted); count, zipf, new_share and aeo_prevalence_factor from the base (assumed)", 100*sc.Traders.AEOShare, k))
	} else {
		note("traders", "from the base scenario (assumed): the records hold no AEO status")
	}
	note("trade", "from the base scenario (assumed): event records hold no origins, goods or values")
	note("rules", "from the base scenario (assumed): selectivity criteria are not identifiable from release records")

	// Lanes: expected rates = observed shares; random rates from the
	// selection column.
	var laned int64
	for _, n := range f.lanes {
		laned += n
	}
	if laned > 0 {
		if sc.Selectivity.Expected == nil {
			sc.Selectivity.Expected = map[string]float64{}
		}
		var shares []string
		for l := 1; l < 4; l++ {
			share := float64(f.lanes[l]) / float64(laned)
			if share > 0 {
				sc.Selectivity.Expected[laneNames[l]] = round(share)
			} else {
				delete(sc.Selectivity.Expected, laneNames[l])
			}
		}
		for l := range 4 {
			shares = append(shares, fmt.Sprintf("%s %.2f%%", laneNames[l], 100*float64(f.lanes[l])/float64(laned)))
		}
		lines := []string{"lane mix of " + fmt.Sprint(laned) + " records: " + strings.Join(shares, ", ") + "; expected rates set to these shares (fitted), so selection fills them as capacity-driven selection did",
			"red, yellow, blue thresholds and aeo_discount from the base (assumed)"}
		if f.selKnown > 0 {
			if sc.Selectivity.Random == nil {
				sc.Selectivity.Random = map[string]scenarios.RandomRate{}
			}
			var rs []string
			// A random draw for a lane only counts where the rules did not
			// already put the consignment in that lane or a higher one, and
			// where no draw for a higher lane took it: the rate is the
			// random share over the share still open to it.
			for l := 1; l < 4; l++ {
				taken := 0.0
				for h := l; h < 4; h++ {
					taken += float64(f.byRule[h])
					if h > l {
						taken += float64(f.random[h])
					}
				}
				open := 1 - taken/float64(f.selKnown)
				rate := 0.0
				if open > 0 {
					rate = float64(f.random[l]) / float64(f.selKnown) / open
				}
				rr := sc.Selectivity.Random[laneNames[l]]
				rr.Rate = round(rate)
				if rate > 0 {
					sc.Selectivity.Random[laneNames[l]] = rr
				} else {
					delete(sc.Selectivity.Random, laneNames[l])
				}
				rs = append(rs, fmt.Sprintf("%s %.2f%%", laneNames[l], 100*rate))
			}
			lines = append(lines, "random rates: records selected at random per lane over the records not already in that lane or a higher one by the rules or a higher lane's draw: "+strings.Join(rs, ", ")+" (fitted)")
		} else {
			lines = append(lines, "random rates from the base (assumed): the records do not say why a lane was chosen")
		}
		if f.assess.m.n > 1 {
			af := fitPositive(f.assess)
			sc.Selectivity.Assessment = af.Dist
			lines = append(lines, "assessment (lodgement to channel, minutes): "+af.Comment("assessments"))
		}
		note("selectivity", lines...)
	}

	// Irregularity per lane where outcomes exist.
	var irr []string
	for l := range 4 {
		if f.known[l] > 0 {
			irr = append(irr, fmt.Sprintf("%s %d of %d (%.2f%%)", laneNames[l], f.irreg[l], f.known[l], 100*float64(f.irreg[l])/float64(f.known[l])))
		}
	}
	threatNote := []string{"threat signatures and detection probabilities from the base scenario (assumed: not identifiable from release records)"}
	if len(irr) > 0 {
		threatNote = append(threatNote, "irregular outcomes recorded per lane: "+strings.Join(irr, "; "))
		threatNote = append(threatNote, f.scalePrevalence(sc)...)
	}
	note("threats", threatNote...)

	// Pools: service, servers and opening hours per observed step.
	for s := range datamodel.NumSteps {
		st := f.steps[s]
		if st == nil {
			continue
		}
		method := methodOf(s)
		pi := slices.IndexFunc(sc.Resources.Pools, func(p scenarios.Pool) bool { return poolMethod(p) == method && method != "" })
		if pi < 0 {
			out.Notes = append(out.Notes, fmt.Sprintf("%.0f %s controls have no pool with method %q in the base scenario: not simulated", st.service.m.n, s, method))
			continue
		}
		p := &sc.Resources.Pools[pi]
		sf := fitPositive(st.service)
		out.Services[p.Name] = sf
		p.Service = sf.Dist
		servers := 0
		for _, ev := range st.events {
			servers = max(servers, maxConcurrent(ev))
		}
		hrs, hoursText := openingHours(st.starts)
		p.Hours = hrs
		p.Servers = max(1, servers)
		openMin := hours * 60 * openShare(hrs)
		util := st.busy / (float64(p.Servers) * openMin)
		note(fmt.Sprintf("resources.pools[%d]", pi),
			fmt.Sprintf("service (minutes): %s", sf.Comment(s.String()+" controls")),
			fmt.Sprintf("servers: %d, the most %s controls in progress at once (fitted; a lower bound if the pool was never full); busy %.0f%% of its open time", p.Servers, s, 100*util),
			"hours: "+hoursText)
	}
	out.Header = []string{
		fmt.Sprintf("Fitted by pilotsim calibrate to %d event records (%d samples, %.1f days each) on the base scenario %s.", f.records, len(f.spans), out.Days, basePath),
		"Each fitted part says how it was fitted; parts taken from the base are marked assumed.",
		"Durations are minutes (a plain number).",
	}
	return out, nil
}

// scalePrevalence compares the irregularity found in the random stratum
// with what the base's threats predict for a randomly chosen consignment
// under the lane's controls, and scales every prevalence by their ratio when
// the prediction lies outside the 95% interval of the observed rate.
func (f *Fitter) scalePrevalence(sc *scenarios.Scenario) []string {
	var found, known float64
	var predicted float64
	for _, l := range []int{2, 3} { // yellow, red
		if f.rKnown[l] == 0 {
			continue
		}
		found += float64(f.rIrreg[l])
		known += float64(f.rKnown[l])
		pools := sc.Resources.Yellow
		if l == 3 {
			pools = sc.Resources.Red
		}
		p := 0.0
		for _, th := range sc.Threats {
			best := 0.0
			for _, name := range pools {
				for _, pool := range sc.Resources.Pools {
					if pool.Name != name {
						continue
					}
					switch poolMethod(pool) {
					case "document":
						best = math.Max(best, th.Detection.Document)
					case "nii":
						best = math.Max(best, th.Detection.NII)
					case "physical":
						best = math.Max(best, th.Detection.Physical)
					}
				}
			}
			p += th.Prevalence * best
		}
		predicted += p * float64(f.rKnown[l])
	}
	if known < 30 {
		return []string{"prevalences from the base (assumed): fewer than 30 random-selected controls with an outcome"}
	}
	obs := found / known
	pred := predicted / known
	lo, hi := wilson(found, known)
	line := fmt.Sprintf("random stratum: %d irregular found in %d random controls (%.2f%%, 95%% interval %.2f%% to %.2f%%); the base's threats predict %.2f%% (before the AEO prevalence factor)",
		int(found), int(known), 100*obs, 100*lo, 100*hi, 100*pred)
	if pred >= lo && pred <= hi || pred == 0 {
		return []string{line, "prevalences kept from the base (within the interval)"}
	}
	k := obs / pred
	total := 0.0
	for _, th := range sc.Threats {
		total += th.Prevalence * k
	}
	if total > 1 {
		k /= total
	}
	for i := range sc.Threats {
		sc.Threats[i].Prevalence = round(sc.Threats[i].Prevalence * k)
	}
	return []string{line, fmt.Sprintf("every prevalence scaled by %.3g to match the random stratum (fitted)", k)}
}

// wilson is the 95% Wilson interval of a proportion.
func wilson(x, n float64) (float64, float64) {
	z := 1.959963984540054
	p := x / n
	d := 1 + z*z/n
	c := (p + z*z/(2*n)) / d
	h := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / d
	return math.Max(0, c-h), math.Min(1, c+h)
}

// profile is counts per hour observed, relative to their mean (4 digits).
func profile(counts, occ []float64) []float64 {
	rates := make([]float64, len(counts))
	total, k := 0.0, 0
	for i := range counts {
		if occ[i] > 0 {
			rates[i] = counts[i] / occ[i]
			total += rates[i]
			k++
		}
	}
	if total == 0 {
		return nil
	}
	mean := total / float64(k)
	for i := range rates {
		if occ[i] > 0 {
			rates[i] = round(rates[i] / mean)
		} else {
			rates[i] = 1
		}
	}
	return rates
}

// maxConcurrent is the most controls in progress at once; an end and a
// start at the same instant do not overlap.
func maxConcurrent(ev []edge) int {
	slices.SortFunc(ev, func(a, b edge) int {
		if a.t != b.t {
			if a.t < b.t {
				return -1
			}
			return 1
		}
		return int(a.d) - int(b.d) // ends first
	})
	n, best := 0, 0
	for _, e := range ev {
		n += int(e.d)
		best = max(best, n)
	}
	return best
}

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// openingHours reads opening hours from when controls start: a day is open
// when it has at least 5% of the mean day's starts; an hour of the day when
// it has at least 0.2% of all starts. One contiguous block of open hours
// (possibly past midnight) gives open and close; around the clock, or hours
// in several blocks, give nil (24 hours).
func openingHours(starts [168]int64) (*scenarios.Hours, string) {
	var byH [24]float64
	var byD [7]float64
	total := 0.0
	for hw, n := range starts {
		byH[hw%24] += float64(n)
		byD[hw/24] += float64(n)
		total += float64(n)
	}
	if total == 0 {
		return nil, "no control started: 24 hours (assumed)"
	}
	var days []string
	for d, n := range byD {
		if n >= 0.05*total/7 {
			days = append(days, dayNames[d])
		}
	}
	var open [24]bool
	nOpen := 0
	for h, n := range byH {
		open[h] = n >= 0.002*total
		if open[h] {
			nOpen++
		}
	}
	text := func(h *scenarios.Hours) string {
		return fmt.Sprintf("controls start %s (fitted from the hours and days %d controls started)", h2s(h), int(total))
	}
	if nOpen == 24 || nOpen == 0 {
		if len(days) == 7 {
			return nil, fmt.Sprintf("controls start at every hour of every day: 24 hours (fitted from %d starts)", int(total))
		}
		h := &scenarios.Hours{Open: 0, Close: 24 * 60, Days: days}
		return h, text(h)
	}
	// The open block starts after a closed hour.
	first := -1
	for h := range 24 {
		if open[h] && !open[(h+23)%24] {
			if first >= 0 {
				if len(days) == 7 {
					return nil, fmt.Sprintf("controls start in several blocks of hours: 24 hours kept (fitted from %d starts)", int(total))
				}
				break
			}
			first = h
		}
	}
	last := first
	for open[(last+1)%24] && (last+1)%24 != first {
		last = (last + 1) % 24
	}
	h := &scenarios.Hours{Open: scenarios.Duration(first * 60), Close: scenarios.Duration(((last + 1) % 24) * 60), Days: days}
	if h.Close == 0 {
		h.Close = 24 * 60
	}
	if len(days) == 7 {
		h.Days = nil
	}
	return h, text(h)
}

func h2s(h *scenarios.Hours) string {
	d := "every day"
	if len(h.Days) > 0 {
		d = strings.Join(h.Days, ", ")
	}
	return fmt.Sprintf("%02d:00 to %02d:00, %s", int(h.Open)/60, int(h.Close)/60, d)
}

// openShare is the share of the week a pool with these hours is open.
func openShare(h *scenarios.Hours) float64 {
	if h == nil {
		return 1
	}
	length := float64(h.Close - h.Open)
	if length <= 0 {
		length += 24 * 60
	}
	days := len(h.Days)
	if days == 0 {
		days = 7
	}
	return length * float64(days) / (7 * 24 * 60)
}
