package chart

import (
	"math"
	"slices"
	"strconv"
	"testing"
)

// TestTickLabels checks the labels of the ticks a chart draws on axes of
// non-whole values: each shows its tick's value (to a millionth of the
// spacing) and no two are the same, around pi on a narrow range, and on
// wide, large and tiny ranges.
func TestTickLabels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo, hi float64
		want   []string // the labels, when they are worth spelling out
	}{
		{"around pi", 3.1316, 3.1516, []string{"3.132", "3.141", "3.150"}},
		{"pi, narrower", 3.14, 3.145, []string{"3.1400", "3.1425", "3.1450"}},
		{"pi, narrowest", 3.141, 3.1425, []string{"3.1410", "3.1415", "3.1420", "3.1425"}},
		{"halves", 0.9, 2.1, nil},
		{"wide", -0.5, 2.5e7, []string{"0", "10000000", "20000000"}},
		{"large, narrow", 1.2345e9, 1.2346e9, []string{"1234500000", "1234550000", "1234600000"}},
		{"huge", 0.5, 3.5e12, []string{"5e+11", "2e+12", "3.5e+12"}},
		{"tiny", 1e-5, 3e-5, []string{"0.000012", "0.000020", "0.000028"}},
		{"negative", -3.15, -3.13, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ticks := integerTicks([]float64{tc.lo + 0.1*(tc.hi-tc.lo)}).Ticks(tc.lo, tc.hi)
			var labels []string
			gap := math.Inf(1)
			var prev float64
			for _, tk := range ticks {
				if tk.Label == "" {
					continue
				}
				if len(labels) > 0 {
					gap = min(gap, tk.Value-prev)
				}
				prev = tk.Value
				labels = append(labels, tk.Label)
			}
			if len(labels) < 2 {
				t.Fatalf("labels %q: want at least two", labels)
			}
			for _, tk := range ticks {
				if tk.Label == "" {
					continue
				}
				v, err := strconv.ParseFloat(tk.Label, 64)
				if err != nil || math.Abs(v-tk.Value) > gap*1e-6 {
					t.Errorf("tick at %v labelled %q", tk.Value, tk.Label)
				}
			}
			if sorted := slices.Compact(slices.Clone(labels)); len(sorted) != len(labels) {
				t.Errorf("labels %q repeat", labels)
			}
			if tc.want != nil && !slices.Equal(labels, tc.want) {
				t.Errorf("labels %q, want %q", labels, tc.want)
			}
		})
	}
}

// TestLineAtPi draws a line at pi on a narrow axis and checks the SVG's
// labels: distinct, with enough digits to place pi between two of them.
func TestLineAtPi(t *testing.T) {
	c := New("pi", "n", "estimate").Line("estimate", []int{1, 2, 3, 4}, []float64{3.1316, 3.14159, 3.1416, 3.1516})
	_, doc := renderOK(t, c)
	for _, want := range []string{"3.132", "3.141", "3.150"} {
		if !slices.Contains(doc.texts, want) {
			t.Errorf("SVG texts %q lack the tick label %q", doc.texts, want)
		}
	}
	for _, bad := range []string{"3.13", "3.14", "3.15"} {
		if slices.Contains(doc.texts, bad) {
			t.Errorf("SVG texts %q hold the rounded label %q", doc.texts, bad)
		}
	}
}
