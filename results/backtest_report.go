package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"pilotsim/sim"
	"pilotsim/sim/backtest"
)

// BacktestSchemaVersion is the schema_version of backtest.json.
const BacktestSchemaVersion = 1

// BacktestInputs names what a backtest read, for the report.
type BacktestInputs struct {
	Rules   string   `json:"rules"`
	Mapping string   `json:"mapping"` // "" for the datamodel's own columns
	File    string   `json:"file"`
	History []string `json:"history,omitempty"`
}

// BacktestReport is everything a backtest reports: the rule set's own
// selection, per lane and per rule, and the targeting curve over the score.
type BacktestReport struct {
	Inputs    BacktestInputs
	Tally     *backtest.Tally
	Selection BacktestSelection
	Lanes     []BacktestLane
	Rules     []BacktestRule
	AtRates   []TargetPoint // at TargetingRates
	Curve     []TargetPoint // at every distinct score
	// AtLow and AtHigh are the precision's 95% bootstrap band at
	// TargetingRates (PrecisionBand).
	AtLow, AtHigh []float64
	// Novelty splits the curve by whether the declaration's novelty key
	// was seen before (backtest --novelty); nil without it.
	Novelty *BacktestNovelty

	bandRates, bandLow, bandHigh []float64 // the band drawn on the chart
}

// NewBacktestReport computes the report's figures from a tally.
func NewBacktestReport(in BacktestInputs, t *backtest.Tally) *BacktestReport {
	r := &BacktestReport{Inputs: in, Tally: t, Selection: SelectionOf(t), Lanes: LanesOf(t), Rules: RulesOf(t),
		Curve: TargetingCurve(t)}
	for _, rate := range TargetingRates {
		r.AtRates = append(r.AtRates, TargetAt(t, rate))
	}
	r.AtLow, r.AtHigh = PrecisionBand(t, TargetingRates)
	if t.Seen != nil && t.New != nil {
		r.Novelty = &BacktestNovelty{Key: t.Novelty, Seen: noveltySubset(t.Seen, t), New: noveltySubset(t.New, t)}
	}
	return r
}

// BacktestNovelty is the targeting curve split by a key (backtest
// --novelty): over the declarations whose key an earlier declaration with a
// known outcome had, and over those whose key was new. Each part is ranked
// by score on its own: at 5%, the top 5% of its own declarations.
type BacktestNovelty struct {
	Key       string // the key's parts joined by "+"
	Seen, New BacktestSubset
}

// BacktestSubset is the targeting curve over part of the declarations.
type BacktestSubset struct {
	Declarations   int64
	Share          float64 // of all declarations scored
	Irregular      int64
	IrregularShare float64       // the precision of random selection within the part
	AtRates        []TargetPoint // at TargetingRates of the part's declarations
	Curve          []TargetPoint // at every distinct score
}

func noveltySubset(sub, all *backtest.Tally) BacktestSubset {
	b := BacktestSubset{Declarations: sub.Rows, Share: btRatio(float64(sub.Rows), float64(all.Rows)), Irregular: sub.Irregular,
		IrregularShare: btRatio(float64(sub.Irregular), float64(sub.Rows)), Curve: TargetingCurve(sub)}
	for _, rate := range TargetingRates {
		b.AtRates = append(b.AtRates, TargetAt(sub, rate))
	}
	return b
}

// noveltyParts names the two parts of a novelty split, in output order.
func (n *BacktestNovelty) parts() []struct {
	Name string
	S    *BacktestSubset
} {
	return []struct {
		Name string
		S    *BacktestSubset
	}{{"seen", &n.Seen}, {"new", &n.New}}
}

func btPct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

// f2 formats a ratio such as a lift with two decimals.
func btF2(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// amount formats a sum of money or a score without needless digits.
func btAmount(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 0):
		return FormatFloat(v)
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func btDayRange(t *backtest.Tally) string {
	if t.FirstDay == backtest.NoDay {
		return ""
	}
	return fmt.Sprintf(" dated %s to %s", backtest.DayString(t.FirstDay), backtest.DayString(t.LastDay))
}

// WriteText writes the report as tables for a terminal.
func (r *BacktestReport) WriteText(w io.Writer) error {
	t := r.Tally
	s := r.Selection
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: %d declarations%s", r.Inputs.File, t.Rows, btDayRange(t))
	if t.Bad > 0 {
		fmt.Fprintf(&b, "; %d bad rows skipped", t.Bad)
	}
	if t.Unknown > 0 {
		fmt.Fprintf(&b, "; %d without an outcome, counted as regular", t.Unknown)
	}
	fmt.Fprintf(&b, "\nirregular: %d (%s)", t.Irregular, btPct(s.IrregularShare))
	if t.Revenue > 0 {
		fmt.Fprintf(&b, "; revenue at stake %s", btAmount(t.Revenue))
	}
	for i, c := range t.Classes {
		fmt.Fprintf(&b, "; %s %d", c, t.ClassN[i])
	}
	fmt.Fprintf(&b, "\n\nThe rule set's own selection (yellow + red)\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  inspection rate\t%s\t(%d controlled)\n", btPct(s.InspectionRate), s.Controlled)
	fmt.Fprintf(tw, "  hit rate\t%s\t(%d irregular found; lift %s over random)\n", btPct(s.HitRate), s.Hits, btF2(s.Lift))
	fmt.Fprintf(tw, "  detection rate\t%s\t\n", btPct(s.DetectionRate))
	if t.Revenue > 0 {
		fmt.Fprintf(tw, "  revenue captured\t%s\t(%s of %s)\n", btPct(s.RevenueShare), btAmount(s.RevenueFound), btAmount(s.Revenue))
	}
	for i, c := range t.Classes {
		fmt.Fprintf(tw, "  detection of %s\t%s\t\n", c, btPct(s.ClassDetection[i]))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "lane\tdeclarations\tshare\tirregular\thit rate\tby score\tforced\trandom\texpected\t\n")
	for i := len(r.Lanes) - 1; i >= 0; i-- {
		l := r.Lanes[i]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t\n", l.Lane, l.N, btPct(l.Share), l.Irregular, btPct(l.HitRate),
			l.Reasons["score"], l.Reasons["forced"], l.Reasons["random"], l.Reasons["expected"])
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "rule\tfired\tshare\thits\thit rate\tlift\trecall\tcontrolled\t\n")
	for _, ru := range r.Rules {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%s\t%d\t\n", ru.ID, ru.Fired, btPct(ru.FiredShare), ru.Hits, btPct(ru.HitRate),
			btF2(ru.Lift), btPct(ru.Recall), ru.Controlled)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nTargeting curve over the score (random selection: precision %s, recall = inspection rate)\n", btPct(s.IrregularShare))
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "inspected\tscore >=\tprecision\trecall\trevenue\tlift\t")
	for _, c := range t.Classes {
		fmt.Fprintf(tw, "%s recall\t", c)
	}
	fmt.Fprintf(tw, "\n")
	for _, p := range r.AtRates {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t", btPct(p.Rate), btAmount(p.Score), btPct(p.Precision), btPct(p.Recall), btPct(p.RevenueShare), btF2(p.Lift))
		for _, c := range p.ClassRecall {
			fmt.Fprintf(tw, "%s\t", btPct(c))
		}
		fmt.Fprintf(tw, "\n")
	}
	tw.Flush()
	if n := r.Novelty; n != nil {
		fmt.Fprintf(&b, "\nTargeting curve by novelty of %s: seen before (an earlier declaration with an outcome had the key) or new; each part ranked on its own\n", n.Key)
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "key\tdeclarations\tshare\tirregular share\tinspected\tscore >=\tprecision\trecall\tlift\t\n")
		for _, part := range n.parts() {
			sp := part.S
			for i, p := range sp.AtRates {
				if i == 0 {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t", part.Name, sp.Declarations, btPct(sp.Share), btPct(sp.IrregularShare))
				} else {
					fmt.Fprintf(tw, "\t\t\t\t")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", btPct(p.Rate), btAmount(p.Score), btPct(p.Precision), btPct(p.Recall), btF2(p.Lift))
			}
		}
		tw.Flush()
	}
	if t.RecordedAll > 0 {
		agree := int64(0)
		for l := range t.Recorded {
			agree += t.Recorded[l][l]
		}
		fmt.Fprintf(&b, "\nlanes recorded in the file: %d of %d declarations got the same lane from the rule set (%s)\n",
			agree, t.RecordedAll, btPct(float64(agree)/float64(t.RecordedAll)))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// btJSONPoint is a TargetPoint for JSON (null where undefined).
type btJSONPoint struct {
	Rate         JSONFloat   `json:"rate"`
	Score        JSONFloat   `json:"score"`
	Inspected    JSONFloat   `json:"inspected"`
	Hits         JSONFloat   `json:"hits"`
	Revenue      JSONFloat   `json:"revenue"`
	Precision    JSONFloat   `json:"precision"`
	Recall       JSONFloat   `json:"recall"`
	RevenueShare JSONFloat   `json:"revenue_share"`
	Lift         JSONFloat   `json:"lift"`
	ClassRecall  []JSONFloat `json:"class_recall,omitempty"`
	// The precision's 95% bootstrap band, at the fixed rates only.
	PrecisionLow  *JSONFloat `json:"precision_low,omitempty"`
	PrecisionHigh *JSONFloat `json:"precision_high,omitempty"`
}

// btJSONLane is a lane's row of BacktestJSON.
type btJSONLane struct {
	Lane      string           `json:"lane"`
	N         int64            `json:"declarations"`
	Share     JSONFloat        `json:"share"`
	Irregular int64            `json:"irregular"`
	HitRate   JSONFloat        `json:"hit_rate"`
	Revenue   JSONFloat        `json:"revenue"`
	Reasons   map[string]int64 `json:"reasons"`
}

// btJSONRule is a rule's row of BacktestJSON.
type btJSONRule struct {
	ID         string    `json:"id"`
	Fired      int64     `json:"fired"`
	FiredShare JSONFloat `json:"fired_share"`
	Hits       int64     `json:"hits"`
	HitRate    JSONFloat `json:"hit_rate"`
	Lift       JSONFloat `json:"lift"`
	Recall     JSONFloat `json:"recall"`
	Revenue    JSONFloat `json:"revenue"`
	Controlled int64     `json:"controlled"`
}

func btJSONPoints(ps []TargetPoint) []btJSONPoint {
	out := make([]btJSONPoint, len(ps))
	for i, p := range ps {
		out[i] = btJSONPoint{JSONFloat(p.Rate), JSONFloat(p.Score), JSONFloat(p.Inspected), JSONFloat(p.Hits), JSONFloat(p.Revenue),
			JSONFloat(p.Precision), JSONFloat(p.Recall), JSONFloat(p.RevenueShare), JSONFloat(p.Lift), btJSONFloats(p.ClassRecall), nil, nil}
	}
	return out
}

func btJSONFloats(v []float64) []JSONFloat {
	if v == nil {
		return nil
	}
	out := make([]JSONFloat, len(v))
	for i, x := range v {
		out[i] = JSONFloat(x)
	}
	return out
}

// BacktestJSON is the document WriteJSON writes (schema version
// BacktestSchemaVersion). Numbers are null where undefined.
type BacktestJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Inputs        BacktestInputs `json:"inputs"`
	Declarations  int64          `json:"declarations"`
	BadRows       int64          `json:"bad_rows"`
	Unknown       int64          `json:"unknown_outcome"` // scored without an outcome, counted as regular
	FirstDate     string         `json:"first_date,omitempty"`
	LastDate      string         `json:"last_date,omitempty"`
	Classes       []string       `json:"classes,omitempty"`
	Selection     struct {
		Declarations   int64       `json:"declarations"`
		Irregular      int64       `json:"irregular"`
		IrregularShare JSONFloat   `json:"irregular_share"`
		Controlled     int64       `json:"controlled"`
		InspectionRate JSONFloat   `json:"inspection_rate"`
		Hits           int64       `json:"hits"`
		HitRate        JSONFloat   `json:"hit_rate"`
		DetectionRate  JSONFloat   `json:"detection_rate"`
		Revenue        JSONFloat   `json:"revenue"`
		RevenueFound   JSONFloat   `json:"revenue_found"`
		RevenueShare   JSONFloat   `json:"revenue_share"`
		Lift           JSONFloat   `json:"lift"`
		ClassDetection []JSONFloat `json:"class_detection,omitempty"`
	} `json:"selection"`
	Lanes       []btJSONLane  `json:"lanes"`
	Rules       []btJSONRule  `json:"rules"`
	AtRates     []btJSONPoint `json:"targeting"`
	ExactScores bool          `json:"exact_scores"` // false: scores were rounded into bins
	// RecordedLanes[actual][rules] compares with the lanes in the file.
	RecordedLanes *[sim.NumLanes][sim.NumLanes]int64 `json:"recorded_lanes,omitempty"`
	// Novelty is the curve split by the novelty key (--novelty).
	Novelty *btJSONNovelty `json:"novelty,omitempty"`
}

// btJSONNovelty is BacktestNovelty in BacktestJSON.
type btJSONNovelty struct {
	Key  string       `json:"key"`
	Seen btJSONSubset `json:"seen"`
	New  btJSONSubset `json:"new"`
}

// btJSONSubset is a BacktestSubset in BacktestJSON (its fixed rates only;
// novelty.csv has the curve at every score).
type btJSONSubset struct {
	Declarations   int64         `json:"declarations"`
	Share          JSONFloat     `json:"share"`
	Irregular      int64         `json:"irregular"`
	IrregularShare JSONFloat     `json:"irregular_share"`
	AtRates        []btJSONPoint `json:"targeting"`
}

func btJSONSubsetOf(s *BacktestSubset) btJSONSubset {
	return btJSONSubset{s.Declarations, JSONFloat(s.Share), s.Irregular, JSONFloat(s.IrregularShare), btJSONPoints(s.AtRates)}
}

// JSON returns the report's JSON document (without the full curve, which
// WriteCurveCSV writes).
func (r *BacktestReport) JSON() BacktestJSON {
	t := r.Tally
	var j BacktestJSON
	j.SchemaVersion = BacktestSchemaVersion
	j.Inputs = r.Inputs
	j.Declarations, j.BadRows, j.Unknown, j.Classes = t.Rows, t.Bad, t.Unknown, t.Classes
	if t.FirstDay != backtest.NoDay {
		j.FirstDate, j.LastDate = backtest.DayString(t.FirstDay), backtest.DayString(t.LastDay)
	}
	s := r.Selection
	js := &j.Selection
	js.Declarations, js.Irregular, js.IrregularShare = s.Declarations, s.Irregular, JSONFloat(s.IrregularShare)
	js.Controlled, js.InspectionRate, js.Hits = s.Controlled, JSONFloat(s.InspectionRate), s.Hits
	js.HitRate, js.DetectionRate = JSONFloat(s.HitRate), JSONFloat(s.DetectionRate)
	js.Revenue, js.RevenueFound, js.RevenueShare = JSONFloat(s.Revenue), JSONFloat(s.RevenueFound), JSONFloat(s.RevenueShare)
	js.Lift, js.ClassDetection = JSONFloat(s.Lift), btJSONFloats(s.ClassDetection)
	for _, l := range r.Lanes {
		j.Lanes = append(j.Lanes, btJSONLane{l.Lane, l.N, JSONFloat(l.Share), l.Irregular, JSONFloat(l.HitRate), JSONFloat(l.Revenue), l.Reasons})
	}
	for _, ru := range r.Rules {
		j.Rules = append(j.Rules, btJSONRule{ru.ID, ru.Fired, JSONFloat(ru.FiredShare), ru.Hits, JSONFloat(ru.HitRate), JSONFloat(ru.Lift), JSONFloat(ru.Recall),
			JSONFloat(ru.Revenue), ru.Controlled})
	}
	j.AtRates = btJSONPoints(r.AtRates)
	for i := range j.AtRates {
		if i < len(r.AtLow) {
			lo, hi := JSONFloat(r.AtLow[i]), JSONFloat(r.AtHigh[i])
			j.AtRates[i].PrecisionLow, j.AtRates[i].PrecisionHigh = &lo, &hi
		}
	}
	j.ExactScores = t.Scores.Exact()
	if t.RecordedAll > 0 {
		rec := t.Recorded
		j.RecordedLanes = &rec
	}
	if n := r.Novelty; n != nil {
		j.Novelty = &btJSONNovelty{Key: n.Key, Seen: btJSONSubsetOf(&n.Seen), New: btJSONSubsetOf(&n.New)}
	}
	return j
}

// WriteJSON writes the report as JSON.
func (r *BacktestReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.JSON())
}

// WriteNoveltyCSV writes the targeting curve of each part of the novelty
// split (seen, then new), one row per distinct score from the highest down,
// with the part's random baseline beside it; rates are of the part's own
// declarations.
func (r *BacktestReport) WriteNoveltyCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"key", "part", "declarations", "rate", "score", "inspected", "hits", "precision", "recall", "revenue_share", "lift",
		"random_precision"})
	if n := r.Novelty; n != nil {
		for _, part := range n.parts() {
			sp := part.S
			for _, p := range sp.Curve {
				cw.Write([]string{n.Key, part.Name, strconv.FormatInt(sp.Declarations, 10), FormatFloat(p.Rate), FormatFloat(p.Score),
					FormatFloat(p.Inspected), FormatFloat(p.Hits), FormatFloat(p.Precision), FormatFloat(p.Recall),
					FormatFloat(p.RevenueShare), FormatFloat(p.Lift), FormatFloat(sp.IrregularShare)})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCurveCSV writes the full targeting curve, one row per distinct score
// from the highest down, with the random baseline beside it.
func (r *BacktestReport) WriteCurveCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"rate", "score", "inspected", "hits", "precision", "recall", "revenue_share", "lift",
		"random_precision", "random_recall"}
	for _, c := range r.Tally.Classes {
		head = append(head, c+"_recall")
	}
	cw.Write(head)
	base := r.Selection.IrregularShare
	for _, p := range r.Curve {
		row := []string{FormatFloat(p.Rate), FormatFloat(p.Score), FormatFloat(p.Inspected), FormatFloat(p.Hits),
			FormatFloat(p.Precision), FormatFloat(p.Recall), FormatFloat(p.RevenueShare), FormatFloat(p.Lift),
			FormatFloat(base), FormatFloat(p.Rate)}
		for _, c := range p.ClassRecall {
			row = append(row, FormatFloat(c))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// WriteRulesCSV writes the per-rule table.
func (r *BacktestReport) WriteRulesCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"rule", "fired", "fired_share", "hits", "hit_rate", "lift", "recall", "revenue", "controlled"})
	for _, ru := range r.Rules {
		cw.Write([]string{ru.ID, strconv.FormatInt(ru.Fired, 10), FormatFloat(ru.FiredShare), strconv.FormatInt(ru.Hits, 10),
			FormatFloat(ru.HitRate), FormatFloat(ru.Lift), FormatFloat(ru.Recall), FormatFloat(ru.Revenue),
			strconv.FormatInt(ru.Controlled, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// curveSVG draws precision, recall and revenue share against the inspection
// rate, with random selection for comparison.
func (r *BacktestReport) curveSVG() ([]byte, error) {
	p := newChart("Targeting curve over the score", "inspection rate (share of declarations inspected)", "share")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	// The precision's 95% bootstrap band, shaded under the curves.
	rates, low, high := r.band()
	var poly plotter.XYs
	for i, x := range rates {
		if !math.IsNaN(high[i]) {
			poly = append(poly, plotter.XY{X: x, Y: high[i]})
		}
	}
	for i := len(rates) - 1; i >= 0; i-- {
		if !math.IsNaN(low[i]) {
			poly = append(poly, plotter.XY{X: rates[i], Y: low[i]})
		}
	}
	if len(poly) >= 3 {
		band, err := plotter.NewPolygon(poly)
		if err != nil {
			return nil, err
		}
		band.Color = color.RGBA{R: 0x9e, G: 0xc3, B: 0xe6, A: 0xff}
		band.LineStyle.Width = 0
		p.Add(band)
		p.Legend.Add("precision: 95% bootstrap band", swatch{fill: band.Color})
	}
	mk := func(f func(TargetPoint) float64) plotter.XYs {
		xy := plotter.XYs{{X: 0, Y: f(TargetPoint{Precision: math.NaN()})}}
		for _, pt := range r.Curve {
			if v := f(pt); !math.IsNaN(v) {
				xy = append(xy, plotter.XY{X: pt.Rate, Y: v})
			}
		}
		return xy
	}
	type series struct {
		name string
		xy   plotter.XYs
		c    color.Color
		dash bool
	}
	base := r.Selection.IrregularShare
	recallC, precC, revC := paletteColor(3), paletteColor(0), paletteColor(2)
	all := []series{
		{"recall (detection)", mk(func(p TargetPoint) float64 { return btZeroIfNaN(p.Recall) }), recallC, false},
		{"precision (hit rate)", mk(func(p TargetPoint) float64 { return p.Precision })[1:], precC, false},
		{"random: recall", plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, recallC, true},
		{"random: precision", plotter.XYs{{X: 0, Y: base}, {X: 1, Y: base}}, precC, true},
	}
	if r.Tally.Revenue > 0 {
		all = append(all, series{"revenue share", mk(func(p TargetPoint) float64 { return btZeroIfNaN(p.RevenueShare) }), revC, false})
	}
	for _, s := range all {
		if len(s.xy) == 0 || math.IsNaN(s.xy[0].Y) {
			continue
		}
		l, err := plotter.NewLine(s.xy)
		if err != nil {
			return nil, err
		}
		l.Color = s.c
		l.Width = vg.Points(1.5)
		if s.dash {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			l.Width = vg.Points(1)
		}
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	// Top right, below the recall and revenue curves that end near 1.
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(10)
	p.Legend.YOffs = -1.1 * vg.Inch
	return renderSVG(p, chartW, chartH)
}

// bandRates are the inspection rates the precision band is drawn at.
func bandRates() []float64 {
	var rates []float64
	for i := 1; i <= 200; i++ {
		rates = append(rates, float64(i)/200)
	}
	return rates
}

// band is the precision's bootstrap band at bandRates, computed once.
func (r *BacktestReport) band() (rates, low, high []float64) {
	if r.bandRates == nil {
		r.bandRates = bandRates()
		r.bandLow, r.bandHigh = PrecisionBand(r.Tally, r.bandRates)
	}
	return r.bandRates, r.bandLow, r.bandHigh
}

func btZeroIfNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// doc is the backtest report as the common report document: the same look
// as the run, compare and sweep reports.
func (r *BacktestReport) doc() (*reportDoc, error) {
	t, sel := r.Tally, r.Selection
	sub := fmt.Sprintf("%d declarations from %s%s", t.Rows, r.Inputs.File, btDayRange(t))
	if r.Inputs.Mapping != "" {
		sub += ", read through " + r.Inputs.Mapping
	}
	if len(r.Inputs.History) > 0 {
		sub += ", with the history of " + strings.Join(r.Inputs.History, ", ")
	}
	intro := fmt.Sprintf("Irregular: %d (%s)", t.Irregular, btPct(sel.IrregularShare))
	if t.Revenue > 0 {
		intro += "; revenue at stake " + btAmount(t.Revenue)
	}
	intro += "."
	if t.Bad > 0 {
		intro += fmt.Sprintf(" %d bad rows were skipped.", t.Bad)
	}
	if t.Unknown > 0 {
		intro += fmt.Sprintf(" %d declarations have no outcome (not controlled) and count as regular.", t.Unknown)
	}
	doc := &reportDoc{Title: "pilotsim backtest: " + r.Inputs.Rules, Subtitle: sub + ".",
		Intro: []string{intro, "What the rule set would have caught, scored on declarations whose control results are known: at its own selection (its thresholds, random and expected rates), and along the targeting curve, inspecting the declarations with the highest scores first."}}

	st := reportTable{Caption: "The rule set's own selection", Header: []string{"figure", "value", ""}, Numeric: []bool{false, true, false}}
	st.Rows = append(st.Rows,
		[]string{"inspection rate", btPct(sel.InspectionRate), fmt.Sprintf("%d controlled (yellow + red)", sel.Controlled)},
		[]string{"hit rate", btPct(sel.HitRate), fmt.Sprintf("%d irregular found; lift %s over random", sel.Hits, btF2(sel.Lift))},
		[]string{"detection rate", btPct(sel.DetectionRate), ""})
	if t.Revenue > 0 {
		st.Rows = append(st.Rows, []string{"revenue captured", btPct(sel.RevenueShare), btAmount(sel.RevenueFound) + " of " + btAmount(sel.Revenue)})
	}
	for i, c := range t.Classes {
		st.Rows = append(st.Rows, []string{"detection of " + c, btPct(sel.ClassDetection[i]), ""})
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "selection", Title: "The rule set's own selection", Tables: []reportTable{st}})

	svg, err := r.curveSVG()
	if err != nil {
		return nil, err
	}
	ct := reportTable{Caption: "At fixed inspection rates (precision with its 95% bootstrap band)",
		Header:  []string{"inspected", "score ≥", "precision", "95% band", "random", "recall", "random", "revenue share", "lift"},
		Numeric: []bool{true, true, true, true, true, true, true, true, true}}
	for _, c := range t.Classes {
		ct.Header = append(ct.Header, c+" recall")
		ct.Numeric = append(ct.Numeric, true)
	}
	for i, a := range r.AtRates {
		row := []string{btPct(a.Rate), btAmount(a.Score), btPct(a.Precision), "[" + btPct(r.AtLow[i]) + ", " + btPct(r.AtHigh[i]) + "]",
			btPct(sel.IrregularShare), btPct(a.Recall), btPct(a.Rate), btPct(a.RevenueShare), btF2(a.Lift)}
		for _, c := range a.ClassRecall {
			row = append(row, btPct(c))
		}
		ct.Rows = append(ct.Rows, row)
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "targeting", Title: "Targeting curve",
		Text: []string{"Inspect the declarations with the highest scores. Random selection finds irregular declarations at the base rate (" + btPct(sel.IrregularShare) + ") and recalls as much as it inspects. Declarations with equal scores are split at random: counts at a cut inside such a group are expected values.",
			fmt.Sprintf("The shaded band is the precision's 95%% bootstrap interval (%d Poisson-bootstrap replicates of the declarations): how far the curve could move on another sample of the same kind. A narrow band at a small inspection rate needs many declarations there.", BandReplicates)},
		Chart:  &reportChart{SVG: svg, Caption: "Precision (hit rate), recall (detection) and revenue share against the share of declarations inspected, highest scores first; dashed: random selection. Shaded: the precision's 95% bootstrap band."},
		Tables: []reportTable{ct}})

	if n := r.Novelty; n != nil {
		nt := reportTable{Caption: "At fixed inspection rates of each part's own declarations",
			Header:  []string{"key", "declarations", "share", "irregular share", "inspected", "score ≥", "precision", "recall", "lift"},
			Numeric: []bool{false, true, true, true, true, true, true, true, true}}
		for _, part := range n.parts() {
			sp := part.S
			for i, p := range sp.AtRates {
				row := []string{"", "", "", ""}
				if i == 0 {
					row = []string{part.Name, strconv.FormatInt(sp.Declarations, 10), btPct(sp.Share), btPct(sp.IrregularShare)}
				}
				nt.Rows = append(nt.Rows, append(row, btPct(p.Rate), btAmount(p.Score), btPct(p.Precision), btPct(p.Recall), btF2(p.Lift)))
			}
		}
		doc.Sections = append(doc.Sections, reportSection{ID: "novelty", Title: "Seen before or new: " + n.Key,
			Text: []string{"The targeting curve split by whether an earlier declaration with a known outcome had the same " + n.Key +
				" (seen) or none did (new; also a declaration with a part of the key missing). Each part is ranked by score on its own. A rule set that only recognises what it has seen before does well on the first and no better than random (the part's irregular share) on the second: the second is what it would do on trade it has not met."},
			Tables: []reportTable{nt}})
	}

	lt := reportTable{Header: []string{"lane", "declarations", "share", "irregular", "hit rate", "by score", "forced", "random", "expected"},
		Numeric: []bool{false, true, true, true, true, true, true, true, true}}
	for _, l := range btReverse(r.Lanes) {
		lt.Rows = append(lt.Rows, []string{l.Lane, strconv.FormatInt(l.N, 10), btPct(l.Share), strconv.FormatInt(l.Irregular, 10), btPct(l.HitRate),
			strconv.FormatInt(l.Reasons["score"], 10), strconv.FormatInt(l.Reasons["forced"], 10), strconv.FormatInt(l.Reasons["random"], 10), strconv.FormatInt(l.Reasons["expected"], 10)})
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "lanes", Title: "Lanes", Tables: []reportTable{lt}})

	rt := reportTable{Header: []string{"rule", "fired", "share", "hits", "hit rate", "lift", "recall", "controlled"},
		Numeric: []bool{false, true, true, true, true, true, true, true}}
	for _, ru := range r.Rules {
		rt.Rows = append(rt.Rows, []string{ru.ID, strconv.FormatInt(ru.Fired, 10), btPct(ru.FiredShare), strconv.FormatInt(ru.Hits, 10), btPct(ru.HitRate),
			btF2(ru.Lift), btPct(ru.Recall), strconv.FormatInt(ru.Controlled, 10)})
	}
	doc.Sections = append(doc.Sections, reportSection{ID: "rules", Title: "Rules",
		Text: []string{"How often each rule fired and its own hit rate: a rule with a lift near 1 selects no better than chance."}, Tables: []reportTable{rt}})
	doc.Notes = []string{"Made by pilotsim backtest. Files beside this report: backtest.json (everything here), curve.csv (the curve at every distinct score), rules.csv."}
	if r.Novelty != nil {
		doc.Notes[0] = strings.TrimSuffix(doc.Notes[0], ".") + ", novelty.csv (the curve of each part at every distinct score)."
	}
	return doc, nil
}

// WriteHTML writes the self-contained HTML report (the curve inline as SVG).
func (r *BacktestReport) WriteHTML(w io.Writer) error {
	doc, err := r.doc()
	if err != nil {
		return err
	}
	return doc.writeHTML(w)
}

func btReverse(ls []BacktestLane) []BacktestLane {
	out := make([]BacktestLane, len(ls))
	for i, l := range ls {
		out[len(ls)-1-i] = l
	}
	return out
}

// WriteFiles writes backtest.json, curve.csv, rules.csv, novelty.csv (with
// --novelty), report.html and report.md (with its charts in
// report-charts/) into dir (created if needed), each atomically.
func (r *BacktestReport) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"backtest.json", r.WriteJSON}, {"curve.csv", r.WriteCurveCSV}, {"rules.csv", r.WriteRulesCSV}, {"novelty.csv", r.WriteNoveltyCSV}} {
		if f.name == "novelty.csv" && r.Novelty == nil {
			continue
		}
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	doc, err := r.doc()
	if err != nil {
		return err
	}
	return writeReport(dir, doc)
}
