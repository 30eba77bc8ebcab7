package chart

import (
	"errors"
	"fmt"
)

// bars is the data of a bar chart: one bar per label.
type bars struct {
	labels []string
	values []float64
}

// Bars returns a bar chart with a title, a label for the value axis, and
// one bar per label, as high as the value at the same index. values is a
// slice of numbers (see the package doc for the types accepted).
func Bars(title, yLabel string, labels []string, values any) *Chart {
	c := &Chart{title: title, yLabel: yLabel, width: DefaultWidth, height: DefaultHeight}
	v, err := floats("values", values)
	switch {
	case err != nil:
	case len(labels) == 0 && len(v) == 0:
		err = errors.New("no bars: labels and values are empty")
	case len(labels) != len(v):
		err = fmt.Errorf("%d labels but %d values", len(labels), len(v))
	}
	if err != nil {
		c.fail(fmt.Errorf("Bars: %w", err))
	}
	c.bars = &bars{labels: append([]string(nil), labels...), values: v}
	return c
}
