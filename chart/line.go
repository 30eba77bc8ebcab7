package chart

import "fmt"

// series is one line of a line chart.
type series struct {
	name   string
	xs, ys []float64
}

// Line adds a series named name (shown in the legend unless empty) to a
// line chart, drawn as points joined by a line, and returns c. xs and ys
// are slices of numbers of the same length (see the package doc for the
// types accepted); with xs nil the points are numbered 0, 1, 2...
func (c *Chart) Line(name string, xs, ys any) *Chart {
	if c.bars != nil {
		c.fail(fmt.Errorf("Line %q: a bar chart cannot have lines; use New for a line chart", name))
		return c
	}
	s, err := newSeries(name, xs, ys)
	if err != nil {
		c.fail(fmt.Errorf("Line %q: %w", name, err))
		return c
	}
	c.lines = append(c.lines, s)
	return c
}

// newSeries converts xs and ys and checks that they make a series.
func newSeries(name string, xs, ys any) (series, error) {
	y, err := floats("ys", ys)
	if err != nil {
		return series{}, err
	}
	if len(y) == 0 {
		return series{}, fmt.Errorf("ys is empty")
	}
	var x []float64
	if xs == nil {
		x = make([]float64, len(y))
		for i := range x {
			x[i] = float64(i)
		}
	} else if x, err = floats("xs", xs); err != nil {
		return series{}, err
	}
	if len(x) != len(y) {
		return series{}, fmt.Errorf("xs has %d values but ys has %d", len(x), len(y))
	}
	return series{name: name, xs: x, ys: y}, nil
}
