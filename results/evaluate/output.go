package evaluate

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

func num(x float64, prec int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

func pval(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p < 0.001:
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// WriteTable writes the evaluation as aligned tables: the effect per key
// figure with its interval, then the design's checks.
func (r *Result) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Pilot evaluation (%s): %d records, %d sites, %d complete weeks from %s (%d before the switch)\n\n",
		r.Design, r.Records, len(r.Sites), r.Weeks, r.Start.Format("2006-01-02"), r.PreWeeks)
	ci := fmt.Sprintf("%g%% interval", 100*r.Level)
	rows := [][]string{{"figure", "control", "effect", ci, "p", "units", "pre-trend/wk", "p", "placebo", "p", "autocorr"}}
	for _, f := range r.Figures {
		iv := "-"
		if !math.IsNaN(f.Lo) {
			iv = num(f.Lo, 3) + " … " + num(f.Hi, 3)
		}
		rows = append(rows, []string{f.Figure, num(f.Control, 3), num(f.Effect, 3), iv, pval(f.P), strconv.Itoa(f.Units),
			num(f.PreTrend, 4), pval(f.PreTrendP), num(f.Placebo, 3), pval(f.PlaceboP), num(f.Autocorr, 2)})
	}
	align(&b, rows, 1)
	if len(r.Checks) > 0 {
		b.WriteString("\nChecks of the random assignment\n")
		rows = [][]string{{"check", "test", "statistic", "df", "p", "detail"}}
		for _, c := range r.Checks {
			rows = append(rows, []string{c.Name, c.Test, num(c.Statistic, 2), num(c.DF, 0), pval(c.P), c.Detail})
		}
		align(&b, rows, 2)
	}
	for _, f := range r.Figures {
		if f.Note != "" {
			fmt.Fprintf(&b, "\n%s: %s", f.Figure, f.Note)
		}
	}
	if !r.Truth {
		b.WriteString("\ndetection is not shown: real records tell which consignments were found irregular, not which were irregular\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// align writes rows as columns, the first left columns left-aligned.
func align(b *strings.Builder, rows [][]string, left int) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var l strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i < left || i == len(r)-1 && left > 1 {
				l.WriteString(c + pad + "  ")
			} else {
				l.WriteString(pad + c + "  ")
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
}

// WriteJSON writes the evaluation as JSON (schema_version 1; NaN as null).
func (r *Result) WriteJSON(w io.Writer) error {
	type out struct {
		SchemaVersion int `json:"schema_version"`
		*Result
	}
	b, err := json.Marshal(out{1, r})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteCSV writes one row per key figure.
func (r *Result) WriteCSV(w io.Writer) error {
	var b strings.Builder
	b.WriteString("design,figure,unit,control,effect,lo,hi,se,df,p,units,pre_trend,pre_trend_p,placebo,placebo_p,autocorr,note\n")
	g := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	for _, f := range r.Figures {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%q\n", r.Design, f.Figure, f.Unit, g(f.Control), g(f.Effect),
			g(f.Lo), g(f.Hi), g(f.SE), g(f.DF), g(f.P), f.Units, g(f.PreTrend), g(f.PreTrendP), g(f.Placebo), g(f.PlaceboP), g(f.Autocorr), f.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// opt is x for JSON: null when NaN or infinite.
func opt(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// MarshalJSON writes the figure with null for values that could not be computed.
func (f FigureResult) MarshalJSON() ([]byte, error) {
	m := map[string]any{
		"figure": f.Figure, "unit": f.Unit, "control": opt(f.Control), "effect": opt(f.Effect), "lo": opt(f.Lo), "hi": opt(f.Hi),
		"se": opt(f.SE), "df": opt(f.DF), "p": opt(f.P), "units": f.Units, "pre_trend": opt(f.PreTrend), "pre_trend_p": opt(f.PreTrendP),
		"placebo": opt(f.Placebo), "placebo_p": opt(f.PlaceboP), "autocorr": opt(f.Autocorr),
	}
	if f.Note != "" {
		m["note"] = f.Note
	}
	return json.Marshal(m)
}

// MarshalJSON writes the check with null for values that could not be computed.
func (c Check) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"name": c.Name, "test": c.Test, "statistic": opt(c.Statistic), "df": opt(c.DF), "p": opt(c.P), "detail": c.Detail})
}
