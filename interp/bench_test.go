package interp

import (
	"testing"
)

const fibSrc = "func fib(n int) int {\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}"

// BenchmarkFib27 measures the probe's cost on call-heavy code: "probe" is
// fib as cells get it, "plain" the same source evaluated by yaegi directly.
func BenchmarkFib27(b *testing.B) {
	b.Run("probe", func(b *testing.B) {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Execute(b.Context(), fibSrc, IO{}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if v, err := s.Execute(b.Context(), "fib(27)", IO{}); err != nil || v.Text != "196418" {
				b.Fatal(v.Text, err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if _, err := s.yi.Eval(fibSrc); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if v, err := s.yi.Eval("fib(27)"); err != nil || v.Int() != 196418 {
				b.Fatal(v, err)
			}
		}
	})
}

// BenchmarkTrivialCell measures Execute's overhead on a cell with a
// declaration, a statement and a value.
func BenchmarkTrivialCell(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.Execute(b.Context(), "x := 1\nx + 1", IO{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew measures creating a Session.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkRedeclare measures a cell that declares an existing global
// again with :=, in a notebook with types (see keepsTypes).
func BenchmarkRedeclare(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Execute(b.Context(), "type card struct{ Title string }", IO{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Execute(b.Context(), `c := card{"x"}`, IO{}); err != nil {
			b.Fatal(err)
		}
	}
}
