package results

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"pilotsim/metric"
)

// This file holds the chart primitives of the reports, drawn with gonum/plot
// into SVG: bars with confidence-interval whiskers placed in data units (so
// groups of bars and their whiskers line up at any size), intervals for
// differences, and the shared look (a sans-serif face, light grid, a
// colour-blind-safe palette).

// Chart sizes in points; report.html scales them to the page width.
const (
	chartW      = 8 * vg.Inch
	chartH      = 4.2 * vg.Inch
	tileRowH    = 2.9 * vg.Inch
	chartPadTop = 0.1 * vg.Inch
)

// chartSans is the face of all chart text (Liberation Sans; the page falls
// back to the metric-compatible Arial or Helvetica).
var chartSans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// The Okabe–Ito palette: distinguishable with every common colour-vision
// deficiency.
var chartPalette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x99, 0x88, 0x22, 0xff}, // olive (a darker stand-in for the yellow)
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
}

func paletteColor(i int) color.Color { return chartPalette[i%len(chartPalette)] }

// laneColors are the colours of the customs channels.
var laneColors = map[string]color.Color{
	"all":    color.RGBA{0x33, 0x33, 0x33, 0xff},
	"green":  color.RGBA{0x00, 0x9E, 0x73, 0xff},
	"blue":   color.RGBA{0x00, 0x72, 0xB2, 0xff},
	"yellow": color.RGBA{0xC8, 0x9A, 0x00, 0xff},
	"red":    color.RGBA{0xD5, 0x5E, 0x00, 0xff},
}

var (
	chartInk   = color.RGBA{0x22, 0x22, 0x22, 0xff}
	chartMuted = color.RGBA{0x99, 0x99, 0x99, 0xff}
	chartGrid  = color.RGBA{0xe4, 0xe4, 0xe4, 0xff}
)

// newChart returns a plot with the reports' look: title, axis labels (which
// name their unit), sans-serif text and a light grid behind the data.
func newChart(title, xLabel, yLabel string) *plot.Plot {
	return newChartGrid(title, xLabel, yLabel, true, true)
}

// newCategoryChart is newChart for a chart with categories along X: grid
// lines along the value axis only.
func newCategoryChart(title, yLabel string, names []string) *plot.Plot {
	p := newChartGrid(title, "", yLabel, false, true)
	p.NominalX(names...)
	return p
}

// padCategories leaves half a category of room at both ends of the category
// axis of a chart with n categories (X, or Y when horizontal).
func padCategories(p *plot.Plot, n int, horizontal bool) {
	a := &p.X
	if horizontal {
		a = &p.Y
	}
	a.Min, a.Max = -0.5, float64(n)-0.5
}

// newChartGrid is newChart with the choice of vertical and horizontal grid
// lines.
func newChartGrid(title, xLabel, yLabel string, vertical, horizontal bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(chartSans, 12)
	p.Title.Padding = 6
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(chartSans, 10.5)
		a.Tick.Label.Font = font.From(chartSans, 9.5)
		a.Padding = 3
	}
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Legend.TextStyle.Font = font.From(chartSans, 9.5)
	p.Legend.Top = true
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = chartGrid, chartGrid
	g.Vertical.Width, g.Horizontal.Width = 0.5, 0.5
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
	return p
}

// niceTicks puts about six labelled ticks at round values (steps of 1, 2,
// 2.5 or 5 times a power of ten), labelled with just the decimals the step
// needs, and an unlabelled minor tick halfway between.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return []plot.Tick{{Value: min, Label: strconv.FormatFloat(min, 'g', 4, 64)}}
	}
	raw := (max - min) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, f := range []float64{1, 2, 2.5, 5} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	dec := max0(int(-math.Floor(math.Log10(step) + 1e-9)))
	if r := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9)); math.Abs(r-2.5) < 1e-9 {
		dec++
	}
	var ticks []plot.Tick
	first := math.Ceil(min/step-1e-9) * step
	for k := 0; ; k++ {
		v := first + float64(k)*step
		if v > max+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', dec, 64)})
		if half := v + step/2; half <= max {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	if first-step/2 >= min {
		ticks = append(ticks, plot.Tick{Value: first - step/2})
	}
	return ticks
}

func max0(i int) int {
	if i < 0 {
		return 0
	}
	return i
}

// renderSVG draws p on a w×h SVG canvas.
func renderSVG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %q: %w", p.Title.Text, err)
	}
	return b.Bytes(), nil
}

// renderTiles draws the plots in rows of cols panels (nil panels stay empty),
// each row rowH high, under a common title.
func renderTiles(title string, plots []*plot.Plot, cols int, rowH vg.Length) ([]byte, error) {
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range cols {
			if i := r*cols + c; i < len(plots) {
				grid[r][c] = plots[i]
			}
		}
	}
	titleH := vg.Length(0)
	if title != "" {
		titleH = 0.35 * vg.Inch
	}
	h := vg.Length(rows)*rowH + titleH
	c := vgsvg.New(chartW, h)
	dc := draw.New(c)
	if title != "" {
		sty := draw.TextStyle{Color: chartInk, Font: font.From(chartSans, 12.5), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		dc.FillText(sty, vg.Point{X: chartW / 2, Y: h - chartPadTop}, title)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: titleH, PadX: 0.3 * vg.Inch, PadY: 0.25 * vg.Inch, PadLeft: 4, PadRight: 8, PadBottom: 4}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for col, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %q: %w", title, err)
	}
	return b.Bytes(), nil
}

// chartBar is one bar from Bottom to Top, centred on X with a Width in data
// units, an optional whisker from Low to High (NaN: none) and an optional
// value label written beyond the bar's end (and its whisker): a bar of a
// tiny value is a sliver, its label says what it is.
type chartBar struct {
	X, Width    float64
	Bottom, Top float64
	Low, High   float64
	Color       color.Color
	Label       string
}

// barsPlotter draws chartBars, upright or, when horizontal, lying with the
// categories along Y (X in chartBar is then the position on Y). It
// implements plot.Plotter and plot.DataRanger.
type barsPlotter struct {
	bars       []chartBar
	horizontal bool
}

func (b *barsPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if b.horizontal {
		// Draw on a canvas whose axes are swapped back afterwards: map the
		// category to Y and the value to X.
		trCat, trVal := trY, trX
		b.draw(c, trCat, trVal, func(cat, val vg.Length) vg.Point { return vg.Point{X: val, Y: cat} })
		return
	}
	b.draw(c, trX, trY, func(cat, val vg.Length) vg.Point { return vg.Point{X: cat, Y: val} })
}

// draw draws the bars with trCat along the category axis, trVal along the
// value axis and at making the canvas point.
func (b *barsPlotter) draw(c draw.Canvas, trCat, trVal func(float64) vg.Length, at func(cat, val vg.Length) vg.Point) {
	whisker := draw.LineStyle{Color: chartInk, Width: 1}
	outline := draw.LineStyle{Color: color.RGBA{0xff, 0xff, 0xff, 0xff}, Width: 0.5}
	for _, bar := range b.bars {
		if math.IsNaN(bar.Top) || math.IsNaN(bar.Bottom) {
			continue
		}
		x0, x1 := trCat(bar.X-bar.Width/2), trCat(bar.X+bar.Width/2)
		y0, y1 := trVal(bar.Bottom), trVal(bar.Top)
		pts := []vg.Point{at(x0, y0), at(x0, y1), at(x1, y1), at(x1, y0)}
		c.FillPolygon(bar.Color, c.ClipPolygonXY(pts))
		c.StrokeLines(outline, c.ClipLinesXY(append(pts, pts[0]))...)
	}
	for _, bar := range b.bars {
		if math.IsNaN(bar.Low) || math.IsNaN(bar.High) || math.IsNaN(bar.Top) {
			continue
		}
		x := trCat(bar.X)
		capW := (trCat(bar.X+bar.Width/2) - trCat(bar.X-bar.Width/2)) * 0.35
		if capW < 0 {
			capW = -capW
		}
		capW = min(capW, 6)
		lo, hi := trVal(bar.Low), trVal(bar.High)
		c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{at(x, lo), at(x, hi)})...)
		c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{at(x-capW, lo), at(x+capW, lo)})...)
		c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{at(x-capW, hi), at(x+capW, hi)})...)
	}
	b.drawLabels(c, trCat, trVal, at)
}

// barLabelFont is the size of the value labels on bars.
const barLabelFont = 9

// drawLabels writes each bar's Label beyond its end: above an upright bar
// (and its whisker), right of a lying one; where that would leave the plot
// (a bar reaching the axis's end), just inside the bar's end instead.
func (b *barsPlotter) drawLabels(c draw.Canvas, trCat, trVal func(float64) vg.Length, at func(cat, val vg.Length) vg.Point) {
	for _, bar := range b.bars {
		if bar.Label == "" || math.IsNaN(bar.Top) {
			continue
		}
		end := bar.Top
		if !math.IsNaN(bar.High) && bar.High > end {
			end = bar.High
		}
		sty := draw.TextStyle{Color: chartInk, Font: font.From(chartSans, barLabelFont), Handler: plot.DefaultTextHandler}
		pos := trVal(end)
		const pad = 3
		w, h := sty.Width(bar.Label), sty.Height(bar.Label)
		var p vg.Point
		if b.horizontal {
			sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
			p = at(trCat(bar.X), pos+pad)
			if p.X+w > c.Max.X {
				sty.XAlign = draw.XRight
				p = at(trCat(bar.X), trVal(bar.Top)-pad)
			}
		} else {
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
			p = at(trCat(bar.X), pos+pad)
			if p.Y+h > c.Max.Y {
				sty.YAlign = draw.YTop
				p = at(trCat(bar.X), trVal(bar.Top)-pad)
			}
		}
		c.FillText(sty, p, bar.Label)
	}
}

func (b *barsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), 0, 0
	for _, bar := range b.bars {
		xmin = math.Min(xmin, bar.X-bar.Width/2)
		xmax = math.Max(xmax, bar.X+bar.Width/2)
		for _, v := range []float64{bar.Bottom, bar.Top, bar.Low, bar.High} {
			if !math.IsNaN(v) {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	// Headroom beyond the longest bar or whisker, so that its end (and the
	// whisker's cap) is not drawn on the edge of the plot.
	if span := ymax - ymin; span > 0 {
		if ymax > 0 {
			ymax += 0.04 * span
		}
		if ymin < 0 {
			ymin -= 0.04 * span
		}
	}
	if b.horizontal {
		return ymin, ymax, xmin, xmax
	}
	return xmin, xmax, ymin, ymax
}

// chartInterval is a point estimate with its interval, at position At on the
// category axis.
type chartInterval struct {
	At              float64
	Mean, Low, High float64
	Color           color.Color
	Hollow          bool // drawn as an open circle (e.g. not significant)
}

// intervalsPlotter draws point estimates with interval lines, horizontally
// (the value on the X axis, positions on Y: a forest plot) or vertically.
type intervalsPlotter struct {
	items      []chartInterval
	horizontal bool
}

func (ip *intervalsPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pt := func(at, v float64) vg.Point {
		if ip.horizontal {
			return vg.Point{X: trX(v), Y: trY(at)}
		}
		return vg.Point{X: trX(at), Y: trY(v)}
	}
	for _, it := range ip.items {
		if math.IsNaN(it.Mean) {
			continue
		}
		line := draw.LineStyle{Color: it.Color, Width: 1.6}
		if !math.IsNaN(it.Low) && !math.IsNaN(it.High) {
			lo, hi := pt(it.At, it.Low), pt(it.At, it.High)
			c.StrokeLines(line, c.ClipLinesXY([]vg.Point{lo, hi})...)
			for _, e := range []vg.Point{lo, hi} {
				d := vg.Length(4)
				if ip.horizontal {
					c.StrokeLines(line, c.ClipLinesXY([]vg.Point{{X: e.X, Y: e.Y - d}, {X: e.X, Y: e.Y + d}})...)
				} else {
					c.StrokeLines(line, c.ClipLinesXY([]vg.Point{{X: e.X - d, Y: e.Y}, {X: e.X + d, Y: e.Y}})...)
				}
			}
		}
		g := draw.GlyphStyle{Color: it.Color, Radius: 3.2, Shape: draw.CircleGlyph{}}
		if it.Hollow {
			c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: 3.2, Shape: draw.CircleGlyph{}}, pt(it.At, it.Mean))
			g.Shape = draw.RingGlyph{}
		}
		c.DrawGlyph(g, pt(it.At, it.Mean))
	}
}

func (ip *intervalsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	amin, amax, vmin, vmax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, it := range ip.items {
		amin, amax = math.Min(amin, it.At), math.Max(amax, it.At)
		for _, v := range []float64{it.Mean, it.Low, it.High} {
			if !math.IsNaN(v) {
				vmin, vmax = math.Min(vmin, v), math.Max(vmax, v)
			}
		}
	}
	if ip.horizontal {
		return vmin, vmax, amin, amax
	}
	return amin, amax, vmin, vmax
}

// swatch is a legend entry: a filled square, a line or a glyph.
type swatch struct {
	fill  color.Color
	line  *draw.LineStyle
	glyph *draw.GlyphStyle
}

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	if s.fill != nil {
		pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}
		c.FillPolygon(s.fill, pts)
	}
	if s.line != nil {
		y := c.Center().Y
		c.StrokeLine2(*s.line, c.Min.X, y, c.Max.X, y)
	}
	if s.glyph != nil {
		c.DrawGlyph(*s.glyph, c.Center())
	}
}

// zeroLine is a dashed reference line at value v (horizontal unless vertical).
type refLine struct {
	v        float64
	vertical bool
}

func (r refLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: chartMuted, Width: 1, Dashes: []vg.Length{4, 3}}
	if r.vertical {
		x := trX(r.v)
		c.StrokeLines(sty, c.ClipLinesXY([]vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})...)
		return
	}
	y := trY(r.v)
	c.StrokeLines(sty, c.ClipLinesXY([]vg.Point{{X: c.Min.X, Y: y}, {X: c.Max.X, Y: y}})...)
}

// scaleOf returns the factor that turns a unit's values into what the axes
// show (fractions as percentages) and the axis unit text.
func scaleOf(unit metric.Unit) (factor float64, axis string) {
	switch unit {
	case UnitFraction, metric.Load:
		return 100, "%"
	case UnitHours:
		return 1, "hours"
	case UnitCount:
		return 1, "count"
	case UnitCurrency:
		return 1, "currency units"
	}
	return 1, string(unit)
}

// scaled returns e's mean and bounds multiplied by f.
func scaled(iv Interval, f float64) (mean, low, high float64) {
	return iv.Mean * f, iv.Low * f, iv.High * f
}
