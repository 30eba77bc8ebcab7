package interp

import (
	"fmt"
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

// firstCell is a typical first cell of a lesson.
const firstCell = "import (\n\t\"fmt\"\n\t\"strings\"\n)\nwords := strings.Fields(\"a b c\")\nfmt.Println(len(words))"

// BenchmarkFirstCell measures a new session's first cell, including what
// a new process pays once: with "fresh", the checker's cache of the
// standard library's export data starts empty in every iteration, as in
// a new kernel, so each iteration runs `go list` and imports the packages.
func BenchmarkFirstCell(b *testing.B) {
	for _, fresh := range []bool{true, false} {
		name := "cached"
		if fresh {
			name = "fresh"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if fresh {
					stdTypes = &exportImporter{exports: map[string]string{}, failed: map[string]bool{}}
				}
				s, err := New(Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Execute(b.Context(), firstCell, IO{}); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkCheckedCell measures a trivial cell in an empty notebook and
// in ones with 30, 99 and 300 declarations, with the type checker and
// without it: the checker checks the declarations' signatures again with
// every cell (cells named as the kernel names them).
func BenchmarkCheckedCell(b *testing.B) {
	for _, decls := range []int{0, 10, 33, 100} {
		for _, checked := range []bool{true, false} {
			name := fmt.Sprintf("decls=%d/checked=%v", decls*3, checked)
			b.Run(name, func(b *testing.B) {
				s, err := New(Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				s.checker.off = !checked
				if _, err := s.Execute(b.Context(), "import \"fmt\"\nimport \"strings\"", IO{Name: "In[1]"}); err != nil {
					b.Fatal(err)
				}
				for i := range decls {
					src := fmt.Sprintf("type T%d struct{ Name string; N int }\nfunc (t T%d) String() string { return fmt.Sprint(strings.ToUpper(t.Name), t.N) }\nfunc make%d(n int) []T%d {\n\tvar out []T%d\n\tfor i := 0; i < n; i++ {\n\t\tout = append(out, T%d{\"x\", i})\n\t}\n\treturn out\n}\nv%d := make%d(3)", i, i, i, i, i, i, i, i)
					if _, err := s.Execute(b.Context(), src, IO{Name: fmt.Sprintf("In[%d]", i+2)}); err != nil {
						b.Fatal(err)
					}
				}
				for b.Loop() {
					if _, err := s.Execute(b.Context(), "x := 1\nx + 1", IO{Name: fmt.Sprintf("In[%d]", decls+2)}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkGenericTypeCell measures a cell that uses an instance of a
// notebook generic type with methods (its instance made once, then
// reused), against the same cell over a plain type.
func BenchmarkGenericTypeCell(b *testing.B) {
	for _, tt := range []struct{ name, decl, use string }{
		{"generic", "type Stack[T any] struct{ items []T }\nfunc (s *Stack[T]) Push(x T) { s.items = append(s.items, x) }", "var s Stack[int]\ns.Push(1)\nlen(s.items)"},
		{"plain", "type Stack struct{ items []int }\nfunc (s *Stack) Push(x int) { s.items = append(s.items, x) }", "var s Stack\ns.Push(1)\nlen(s.items)"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			s, err := New(Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Execute(b.Context(), tt.decl, IO{Name: "In[1]"}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Execute(b.Context(), tt.use, IO{Name: "In[2]"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckOnly measures the type check of a trivial cell alone
// (checkCell: the synthetic source and go/types), after 30, 99 and 300
// declarations, without the interpreter's run of the cell, whose cost
// (yaegi copies its globals' frame as it grows) would hide the checker's.
func BenchmarkCheckOnly(b *testing.B) {
	for _, decls := range []int{10, 33, 100} {
		b.Run(fmt.Sprintf("decls=%d", decls*3), func(b *testing.B) {
			s, err := New(Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Execute(b.Context(), "import \"fmt\"\nimport \"strings\"", IO{Name: "In[1]"}); err != nil {
				b.Fatal(err)
			}
			for i := range decls {
				src := fmt.Sprintf("type T%d struct{ Name string; N int }\nfunc (t T%d) String() string { return fmt.Sprint(strings.ToUpper(t.Name), t.N) }\nfunc make%d(n int) []T%d {\n\tvar out []T%d\n\tfor i := 0; i < n; i++ {\n\t\tout = append(out, T%d{\"x\", i})\n\t}\n\treturn out\n}\nv%d := make%d(3)", i, i, i, i, i, i, i, i)
				if _, err := s.Execute(b.Context(), src, IO{Name: fmt.Sprintf("In[%d]", i+2)}); err != nil {
					b.Fatal(err)
				}
			}
			const code = "x := len(v0)\nx + 1"
			name := fmt.Sprintf("In[%d]", decls+2)
			items, err := parseCell(s.yi.FileSet(), name, code)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := s.checkCell(items, code, name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
