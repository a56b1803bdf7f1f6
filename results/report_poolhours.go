package results

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"pilotsim/metric"
)

// The run report's section on the pools by hour of the week: per pool, a
// heat map of the time-average queue and one of the mean wait, weekdays down
// and hours across, every cell labelled with its value; and a table of each
// pool's busiest hour.

// dayNames are the weekdays as the heat maps and tables show them.
var dayNames = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// heatRowH is the height of one heat map (seven rows of cells, title and
// hour axis).
const heatRowH = 2.25 * vg.Inch

// Sequential scales of the heat maps, light (0) to dark (the panel's
// largest value): ColorBrewer's Blues for the queue, Oranges for the wait.
var (
	heatBlues   = [2]color.RGBA{{0xf2, 0xf7, 0xfc, 0xff}, {0x08, 0x40, 0x8c, 0xff}}
	heatOranges = [2]color.RGBA{{0xfe, 0xf4, 0xe8, 0xff}, {0x9a, 0x34, 0x03, 0xff}}
	heatNone    = color.RGBA{0xd9, 0xd9, 0xd9, 0xff} // no value: no control started, or the window misses the hour
)

// heatMap draws 7×24 cells, weekday d at row 6−d (Monday on top), hour h at
// column h, coloured from scale by value over top and labelled with the
// value (a cell of 0 has the lightest colour and no label); NaN cells are
// grey with a dash. It implements plot.Plotter and
// plot.DataRanger.
type heatMap struct {
	v     [metric.HoursPerWeek]float64
	top   float64
	scale [2]color.RGBA
	unit  metric.Unit
}

// heatLabel is a cell's text: two significant digits or so, no unit.
func heatLabel(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case a < 0.005:
		return "<.01"
	case a < 0.095:
		return strconv.FormatFloat(v, 'f', 2, 64)[1:] // ".04"
	case a < 9.95:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func (hm *heatMap) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for s, v := range hm.v {
		d, h := s/24, s%24
		x0, x1 := trX(float64(h)-0.5), trX(float64(h)+0.5)
		y0, y1 := trY(float64(6-d)-0.5), trY(float64(6-d)+0.5)
		fill, ink := color.Color(heatNone), color.Color(chartInk)
		if !math.IsNaN(v) {
			f := 0.0
			if hm.top > 0 {
				f = math.Max(0, math.Min(1, v/hm.top))
			}
			a, b := hm.scale[0], hm.scale[1]
			mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
			fill = color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
			if f > 0.55 {
				ink = color.White
			}
		}
		// Inset by a hair: the white between cells parts them (a stroke per
		// cell would double the SVG).
		const gap = 0.35
		pts := []vg.Point{{X: x0 + gap, Y: y0 + gap}, {X: x0 + gap, Y: y1 - gap}, {X: x1 - gap, Y: y1 - gap}, {X: x1 - gap, Y: y0 + gap}}
		c.FillPolygon(fill, pts)
		if v == 0 {
			continue // the lightest colour, unlabelled: 0 (keeps the SVG small)
		}
		sty := draw.TextStyle{Color: ink, Font: font.From(chartSans, 6.8), XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
		c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, heatLabel(v))
	}
}

func (hm *heatMap) DataRange() (xmin, xmax, ymin, ymax float64) { return -0.5, 23.5, -0.5, 6.5 }

// newHeatChart is one heat map panel with its title.
func newHeatChart(title string, hm *heatMap) *plot.Plot {
	p := newChartGrid(title, "hour of day (h:00 to h+1:00)", "", false, false)
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = fmt.Sprintf("%02d", h)
	}
	days := make([]string, 7)
	for d := range days {
		days[6-d] = dayNames[d]
	}
	p.NominalX(hours...)
	p.NominalY(days...)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.LineStyle.Width, p.Y.LineStyle.Width = 0, 0
	p.Add(hm)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.5, 23.5, -0.5, 6.5
	return p
}

// poolHoursSection shows when in the week each pool's queue builds up (zero
// section when the report has no profiles).
func poolHoursSection(r *Report, _ estimates) (reportSection, error) {
	if len(r.PoolHours) == 0 {
		return reportSection{}, nil
	}
	s := reportSection{ID: "pool-hours", Title: "Queues and waiting by hour of the week"}
	s.Text = []string{"When in the week each pool's queue builds up and how long the controls that start then have waited, hour by hour (simulated time starts on a Monday at 00:00; every week of the statistics window adds to the same 168 hours). For each pool, the upper map is the time-average number waiting in the queue and the lower one the mean wait in hours of the controls started in that hour; each map has its own colour scale, from light (0) to dark (its largest value), and every cell but those of 0 (the lightest, unlabelled) is labelled with its value. A grey cell with a dash: no control started in that hour (the pool was closed, or had nothing to do).",
		"Means over the replications; pools_by_hour.csv, the sheet pools_by_hour of results.xlsx and pools_by_hour.json have every hour with its 95% confidence interval and the controls started per hour."}
	t := reportTable{Caption: "Busiest hour of the week per pool (95% confidence intervals; wait n/a: no control started in that hour)",
		Header:  []string{"pool", "busiest hour", "mean queue then", "mean wait then h", "mean queue Mon–Fri", "mean queue Sat–Sun", "longest mean wait h"},
		Numeric: []bool{false, false, true, true, true, true, true}}
	var panels []*plot.Plot
	for i := range r.PoolHours {
		p := &r.PoolHours[i]
		var q, w heatMap
		q.scale, w.scale, q.unit, w.unit = heatBlues, heatOranges, metric.Count, metric.Hours
		best, longest := -1, -1
		var week, weekend [2]float64 // sum, count
		for s := range metric.HoursPerWeek {
			q.v[s], w.v[s] = math.NaN(), math.NaN()
			if iv := p.Queue[s]; iv.N > 0 {
				q.v[s] = iv.Mean
				q.top = math.Max(q.top, iv.Mean)
				if best < 0 || iv.Mean > p.Queue[best].Mean {
					best = s
				}
				acc := &week
				if s >= 5*24 {
					acc = &weekend
				}
				acc[0] += iv.Mean
				acc[1]++
			}
			if iv := p.Wait[s]; iv.N > 0 {
				w.v[s] = iv.Mean
				w.top = math.Max(w.top, iv.Mean)
				if longest < 0 || iv.Mean > p.Wait[longest].Mean {
					longest = s
				}
			}
		}
		panels = append(panels,
			newHeatChart(fmt.Sprintf("%s: mean number waiting (darkest %s)", p.Pool, heatLabel(q.top)), &q),
			newHeatChart(fmt.Sprintf("%s: mean wait in hours of the controls started in the hour (darkest %s h)", p.Pool, heatLabel(w.top)), &w))
		row := []string{p.Pool, "n/a", "n/a", "n/a", value(metric.Ratio(week[0], week[1]), metric.Count), value(metric.Ratio(weekend[0], weekend[1]), metric.Count), "n/a"}
		switch {
		case best >= 0 && q.top == 0:
			row[1], row[2] = "none (never a queue)", "0"
		case best >= 0:
			row[1] = hourOfWeekLabel(best)
			row[2] = cell(Estimate{Metric: Metric{Unit: metric.Count}, Interval: p.Queue[best]}, true)
			row[3] = cell(Estimate{Metric: Metric{Unit: metric.Hours}, Interval: p.Wait[best]}, p.Wait[best].N > 0)
		}
		switch {
		case longest >= 0 && w.top == 0:
			row[6] = "0"
		case longest >= 0:
			row[6] = cell(Estimate{Metric: Metric{Unit: metric.Hours}, Interval: p.Wait[longest]}, true) + " (" + hourOfWeekLabel(longest) + ")"
		}
		t.Rows = append(t.Rows, row)
	}
	s.Tables = append(s.Tables, t)
	// No common title: each map's own names its pool and figure.
	svg, err := renderTiles("", panels, 1, heatRowH)
	if err != nil {
		return s, err
	}
	s.Chart = &reportChart{SVG: svg, Caption: "Rows: weekdays, Monday on top; columns: hours of the day. Per pool, blue: time-average number waiting in the queue; orange: mean queue wait (hours) of the controls started in the hour. Each map's colour runs from light at 0 (unlabelled) to dark at its own largest value (in its title); grey with a dash: no control started. Means over the replications; the 95% confidence intervals are in pools_by_hour.csv."}
	return s, nil
}

// hourOfWeekLabel names bin s: "Tue 09:00–10:00".
func hourOfWeekLabel(s int) string {
	h := s % 24
	return fmt.Sprintf("%s %02d:00–%02d:00", dayNames[s/24], h, h+1)
}
