package chart

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// maxEveryInteger is the widest range of whole numbers whose ticks are
// all labelled.
const maxEveryInteger = 10

// integerTicks returns gonum's default ticks with exact labels (see
// exactTicks), except on an axis whose values are all whole numbers
// (workers, sizes, counts): there it labels only whole numbers, and every
// one of them when the range is narrow, so that 1, 2, 3, 4 workers are not
// marked 1.5 and 2.5.
func integerTicks(values ...[]float64) plot.Ticker {
	for _, vs := range values {
		for _, v := range vs {
			if v != math.Trunc(v) {
				return plot.TickerFunc(exactTicks)
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
		ticks := exactTicks(lo, hi)
		for i, t := range ticks {
			if t.Value != math.Trunc(t.Value) {
				ticks[i].Label = ""
			}
		}
		return ticks
	})
}

// exactTicks are gonum's default ticks, relabelled: gonum picks a label's
// digits from the axis's magnitude and can round neighbouring ticks to one
// label (3.1320, 3.1410, 3.1500 labelled 3.13, 3.14, 3.15, and 3.1400,
// 3.1425 both 3.14), so that a line at pi reads wrong. These labels show
// each tick's value exactly and differ from each other.
func exactTicks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	var values []float64
	for _, t := range ticks {
		if t.Label != "" {
			values = append(values, t.Value)
		}
	}
	labels := tickLabels(values)
	for i, j := 0, 0; i < len(ticks); i++ {
		if ticks[i].Label != "" {
			ticks[i].Label = labels[j]
			j++
		}
	}
	return ticks
}

// maxFixedLabel is the longest label written in plain decimals
// (12345678.5, 0.0000125); longer ones are written in exponent form.
const maxFixedLabel = 10

// tickLabels labels ascending tick values with the fewest digits that
// show every value exactly (to a millionth of the smallest gap between
// ticks, which absorbs float noise such as 3.1410000000000005) and tell
// all of them apart: in plain decimals when that is short, else with an
// exponent.
func tickLabels(values []float64) []string {
	gap := math.Inf(1)
	for i := 1; i < len(values); i++ {
		gap = min(gap, values[i]-values[i-1])
	}
	tol := gap * 1e-6
	if math.IsInf(gap, 1) { // one tick: its own size sets the noise
		for _, v := range values {
			tol = max(math.Abs(v), 1) * 1e-9
		}
	}
	try := func(format byte, prec int) []string {
		labels := make([]string, len(values))
		seen := map[string]bool{}
		for i, v := range values {
			l := strconv.FormatFloat(v, format, prec, 64)
			back, err := strconv.ParseFloat(l, 64)
			if err != nil || math.Abs(back-v) > tol || seen[l] {
				return nil
			}
			if l == "-0" || l == "-0.0" {
				l = l[1:]
			}
			labels[i], seen[l] = l, true
		}
		return labels
	}
	for prec := 0; prec <= 15; prec++ {
		if labels := try('f', prec); labels != nil {
			if longest(labels) <= maxFixedLabel {
				return labels
			}
			break
		}
	}
	for prec := 1; prec <= 17; prec++ {
		if labels := try('g', prec); labels != nil {
			return labels
		}
	}
	return try('g', -1)
}

func longest(labels []string) int {
	n := 0
	for _, l := range labels {
		n = max(n, len(l))
	}
	return n
}
