package supervise

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/interp"
)

// bigNotebook is a cell declaring 25 types, 25 functions and 20
// variables, as bench/supervise_bench.py's notebook does.
func bigNotebook() string {
	lines := []string{"import (\n\t\"fmt\"\n\t\"strings\"\n)", "var x int"}
	for i := range 25 {
		lines = append(lines, fmt.Sprintf("type rec%d struct { A, B int; Name string }", i))
		lines = append(lines, fmt.Sprintf("func f%d(n int) int { return n*%d + len(strings.Repeat(\"a\", %d)) }", i, i, i))
	}
	for i := range 20 {
		lines = append(lines, fmt.Sprintf("v%d := rec%d{A: %d, B: f%d(2), Name: fmt.Sprint(%d)}", i, i%25, i, i, i))
	}
	return strings.Join(lines, "\n")
}

// BenchmarkSnapshotCost measures what the interpreter does after each
// successful cell of that notebook: interp's snapshot, then the delta
// against the previous one.
func BenchmarkSnapshotCost(b *testing.B) {
	s, err := interp.New(interp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Execute(b.Context(), bigNotebook(), interp.IO{}); err != nil {
		b.Fatal(err)
	}
	var d deltaState
	b.Run("SnapshotCapped", func(b *testing.B) {
		for b.Loop() {
			s.SnapshotCapped(1 << 20)
		}
	})
	full, _ := s.SnapshotCapped(1 << 20)
	b.Run("delta", func(b *testing.B) {
		for b.Loop() {
			d.delta(full, 1, Caps{})
		}
	})
}
