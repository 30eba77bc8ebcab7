package interp

import (
	"testing"
)

// snapshotNotebook declares twenty globals of the kinds notebooks hold,
// all of which JSON could carry too, for comparing snapshot encodings.
const snapshotNotebook = `import "strings"
type Point struct {
	X, Y float64
	Name string
}
type Config struct {
	Workers int
	Verbose bool
	Tags    []string
	Limits  map[string]int
}
var n1, n2, n3 = 1, -2, 1 << 40
var f1, f2 = 3.25, 1e-9
var s1 = "a label"
var s2 = strings.Repeat("text ", 200)
var ok = true
var xs = make([]float64, 1000)
var ys = make([]int, 1000)
var words = strings.Fields(strings.Repeat("alpha beta gamma delta ", 50))
var counts = map[string]int{"a": 1, "b": 2, "c": 3}
var grid [8][8]int
var p = Point{1, 2, "origin"}
var pts = make([]Point, 100)
var pp = &Point{3, 4, "ptr"}
var cfg = Config{Workers: 4, Tags: []string{"x", "y"}, Limits: map[string]int{"mem": 1 << 30}}
var nested = map[string][]Point{"a": {{1, 2, "p"}}, "b": nil}
var matrix = [][]float64{{1, 2}, {3, 4}}
func init() {
	for i := range xs {
		xs[i] = float64(i) / 7
		ys[i] = i * i
	}
	for i := range pts {
		pts[i] = Point{float64(i), float64(-i), "pt"}
	}
}`

// BenchmarkSnapshot measures Snapshot and Restore of snapshotNotebook's
// twenty globals, and reports the snapshot's size.
func BenchmarkSnapshot(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Execute(b.Context(), snapshotNotebook, IO{}); err != nil {
		b.Fatal(err)
	}
	snap, err := s.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Snapshot(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(snap)), "bytes")
	})
	b.Run("restore", func(b *testing.B) {
		child, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer child.Close()
		for b.Loop() {
			if err := child.Restore(snap); err != nil {
				b.Fatal(err)
			}
		}
	})
}
