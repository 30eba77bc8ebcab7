package chart

import (
	"fmt"
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sans is the typeface of all text: Liberation Sans, which gonum embeds
// and browsers replace by Arial or Helvetica, which have its metrics.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// palette colours the series in order (matplotlib's tab10 colours), and
// glyphs marks their points, so that lines differ in grey too.
var (
	palette = []color.Color{
		color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
		color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
		color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
		color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
		color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
		color.RGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff},
		color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
		color.RGBA{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff},
		color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff},
	}
	glyphs = []draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{},
		draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{},
	}
	gridColor = color.Gray{Y: 0xdd}
)

// pixel is one CSS pixel: 0.75 point.
const pixel = vg.Length(0.75)

// plot builds the gonum plot that draws c, which has no error.
func (c *Chart) plot() (*plot.Plot, error) {
	p := plot.New()
	style(p)
	p.Title.Text = c.title
	p.X.Label.Text = c.xLabel
	p.Y.Label.Text = c.yLabel
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	p.Add(grid)
	if c.bars != nil {
		return p, c.plotBars(p, grid)
	}
	return p, c.plotLines(p)
}

// style sets the fonts and the legend's place.
func style(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(font.Font{Typeface: sans.Typeface, Variant: sans.Variant, Weight: xfont.WeightBold}, 13)
	p.Title.Padding = 6 * pixel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
		a.Tick.Length = 5 * pixel
	}
	p.Legend.TextStyle.Font = font.From(sans, 10)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = 8*pixel, -6*pixel
}

// plotLines adds c's series to p.
func (c *Chart) plotLines(p *plot.Plot) error {
	var xs, ys [][]float64
	for i, s := range c.lines {
		line, points, err := plotter.NewLinePoints(xys(s.xs, s.ys))
		if err != nil {
			return fmt.Errorf("series %q: %w", s.name, err)
		}
		col := palette[i%len(palette)]
		line.Color = col
		line.Width = 2 * pixel
		points.Color = col
		points.Shape = glyphs[i%len(glyphs)]
		points.Radius = 3.5 * pixel
		p.Add(line, points)
		if s.name != "" {
			p.Legend.Add(s.name, line, points)
		}
		xs, ys = append(xs, s.xs), append(ys, s.ys)
	}
	pad(&p.X)
	pad(&p.Y)
	p.X.Tick.Marker = integerTicks(xs...)
	p.Y.Tick.Marker = integerTicks(ys...)
	return nil
}

// plotBars adds c's bars to p, with only horizontal grid lines.
func (c *Chart) plotBars(p *plot.Plot, grid *plotter.Grid) error {
	grid.Vertical.Color = nil
	n := len(c.bars.values)
	// Bars take 60% of the width each has (the width less about 80 pixels
	// for the value axis), at most 80 pixels.
	width := min(vg.Length(c.width-80)*pixel/vg.Length(n)*0.6, 80*pixel)
	b, err := plotter.NewBarChart(plotter.Values(c.bars.values), width)
	if err != nil {
		return fmt.Errorf("bars: %w", err)
	}
	b.Color = palette[0]
	b.LineStyle.Width = 0
	p.Add(b)
	p.NominalX(c.bars.labels...)
	// Bar i is centred on x = i: half a slot of room on either side.
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	// Room above the highest bar (and below the lowest, when negative).
	d := (p.Y.Max - p.Y.Min) * 0.04
	if p.Y.Max > 0 {
		p.Y.Max += d
	}
	if p.Y.Min < 0 {
		p.Y.Min -= d
	}
	p.Y.Tick.Marker = integerTicks(c.bars.values, []float64{0})
	return nil
}

// pad widens a's range by 4% on each side, so that points at the ends
// are not drawn on the frame.
func pad(a *plot.Axis) {
	d := (a.Max - a.Min) * 0.04
	a.Min, a.Max = a.Min-d, a.Max+d
}

// xys pairs xs and ys, which have the same length.
func xys(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	return pts
}
