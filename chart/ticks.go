package chart

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// maxEveryInteger is the widest range of whole numbers whose ticks are
// all labelled.
const maxEveryInteger = 10

// integerTicks returns gonum's default ticks, except on an axis whose
// values are all whole numbers (workers, sizes, counts): there it labels
// only whole numbers, and every one of them when the range is narrow, so
// that 1, 2, 3, 4 workers are not marked 1.5 and 2.5.
func integerTicks(values ...[]float64) plot.Ticker {
	for _, vs := range values {
		for _, v := range vs {
			if v != math.Trunc(v) {
				return plot.DefaultTicks{}
			}
		}
	}
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		first, last := math.Ceil(lo), math.Floor(hi)
		if last-first <= maxEveryInteger {
			var ticks []plot.Tick
			for v := first; v <= last; v++ {
				if v == 0 {
					v = 0 // math.Ceil(-0.1) is -0, labelled "-0"
				}
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
			}
			return ticks
		}
		ticks := plot.DefaultTicks{}.Ticks(lo, hi)
		for i, t := range ticks {
			if t.Value != math.Trunc(t.Value) {
				ticks[i].Label = ""
			}
		}
		return ticks
	})
}
