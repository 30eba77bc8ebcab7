// Package chart draws line and bar charts from Go values as SVG, for
// notebook cells: no Python stack, no browser-side JavaScript. Cells write
// import "chart".
//
//	c := chart.New("Pool speedup", "workers", "speedup")
//	c.Line("measured", workers, speedups)
//	c.Line("ideal", workers, workers)
//	c // a cell ending in a chart shows it
//
//	chart.Bars("Time per job", "seconds", []string{"serial", "pool"}, []float64{2.1, 1.2})
//
// Values are any slices of numbers: []int, []int64, []uint8, []float64,
// []float32, []time.Duration (drawn in seconds), []any holding numbers
// (what mp.Pool.Map returns), and slices of named number types. The API
// has no generic functions, so interpreted cells can call all of it.
//
// A *Chart is displayable (it has a MIMEBundle method): it shows as an
// image/svg+xml picture, with a one-line description as text/plain for
// text-only frontends. A mistake in the data (lengths that differ, NaN,
// an empty series, a slice of strings) does not panic: the chart shows
// the error message instead of the picture, and SVG returns the error.
//
// Drawing is done by gonum.org/v1/plot: a well-kept plotting library
// (part of the Gonum project, released regularly), pure Go (no cgo, so
// gomp stays one static binary), with an SVG backend (vg/vgsvg) that
// writes the same bytes for the same chart, so notebooks that store their
// outputs can be re-run and compared. gonum measures text with the
// Liberation fonts it embeds; the SVG names them first and then their
// metric-compatible stand-ins (Arial, Helvetica), so the text renders in
// a browser without embedding the fonts in every picture.
//
// A Chart is not safe for concurrent use.
package chart

import (
	"fmt"
	"strings"
)

// Default size of a chart in CSS pixels, about 16 by 10 cm.
const (
	DefaultWidth  = 600
	DefaultHeight = 380
)

// Chart is a line or bar chart. Build one with New and Line, or with
// Bars; show it by ending a cell with it or with display.Show(c).
type Chart struct {
	title          string
	xLabel, yLabel string
	width, height  int
	lines          []series
	bars           *bars // set for a bar chart (Bars), nil for a line chart
	// err is the first mistake made building the chart; it is shown
	// instead of the chart.
	err error
}

// New returns an empty line chart with a title and axis labels (each may
// be empty). Add series to it with Line.
func New(title, xLabel, yLabel string) *Chart {
	return &Chart{title: title, xLabel: xLabel, yLabel: yLabel, width: DefaultWidth, height: DefaultHeight}
}

// Size sets the chart's width and height in CSS pixels (the default is
// DefaultWidth by DefaultHeight) and returns c.
func (c *Chart) Size(width, height int) *Chart {
	if width < minSide || height < minSide || width > maxSide || height > maxSide {
		c.fail(fmt.Errorf("Size(%d, %d): width and height must be between %d and %d pixels", width, height, minSide, maxSide))
		return c
	}
	c.width, c.height = width, height
	return c
}

// Limits on a side in pixels: below minSide there is no room for the
// axes, above maxSide the picture is surely a mistake.
const (
	minSide = 100
	maxSide = 10000
)

// Err returns the first mistake made building c, or nil.
func (c *Chart) Err() error {
	if c.err != nil {
		return c.err
	}
	if c.bars == nil && len(c.lines) == 0 {
		return fmt.Errorf("chart %q: no data: add a series with Line", c.title)
	}
	return nil
}

// String describes c in one line, as text-only frontends show it:
// <line chart "Pool speedup": measured (4 points), ideal (4 points)>.
func (c *Chart) String() string {
	if err := c.Err(); err != nil {
		return fmt.Sprintf("<error: %v>", err)
	}
	if c.bars != nil {
		return fmt.Sprintf("<bar chart %q: %d bars>", c.title, len(c.bars.values))
	}
	parts := make([]string, len(c.lines))
	for i, s := range c.lines {
		name := s.name
		if name == "" {
			name = fmt.Sprintf("series %d", i+1)
		}
		parts[i] = fmt.Sprintf("%s (%d points)", name, len(s.xs))
	}
	return fmt.Sprintf("<line chart %q: %s>", c.title, strings.Join(parts, ", "))
}

// fail records err as c's mistake, keeping the first one, wrapped with
// the chart's title.
func (c *Chart) fail(err error) {
	if c.err == nil {
		c.err = fmt.Errorf("chart %q: %w", c.title, err)
	}
}
