package interp

import (
	"slices"
	"strings"
	"testing"
)

func TestIsComplete(t *testing.T) {
	s := newTestSession(t)
	for _, tc := range []struct{ name, code, status, indent string }{
		{"empty", "", "complete", ""},
		{"statement", "x := 1", "complete", ""},
		{"open brace", "func f() {", "incomplete", "\t"},
		{"nested", "func f() {\n\tif true {", "incomplete", "\t\t"},
		{"open paren", "fmt.Println(1,", "incomplete", "\t"},
		{"raw string", "s := `abc", "incomplete", ""},
		{"comment", "/* start", "incomplete", ""},
		{"trailing operator", "x := 1 +", "incomplete", ""},
		{"trailing comma in call", "f(a,\n", "incomplete", "\t"},
		{"closed func", "func f() {\n}", "complete", ""},
		{"unbalanced close", "x := 1)", "invalid", ""},
		{"bad syntax", "x := := 1", "invalid", ""},
		{"newline in string", "s := \"abc\ndef\"", "invalid", ""},
		{"increment", "x++", "complete", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, indent := s.IsComplete(tc.code)
			if status != tc.status || indent != tc.indent {
				t.Errorf("IsComplete(%q) = %q, %q; want %q, %q", tc.code, status, indent, tc.status, tc.indent)
			}
		})
	}
}

func TestComplete(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"strings\"\ntype Point struct{ X, Y int }\nfunc (p Point) Norm() int { return p.X }\nfunc helper() {}\npoint := Point{1, 2}\ncounter := 3")
	for _, tc := range []struct {
		name, code string
		cursor     int // -1: end of code
		want       []string
		start      int
	}{
		{"global and decl", "po", -1, []string{"point"}, 0},
		{"func", "hel", -1, []string{"helper"}, 0},
		{"keyword", "x := 1\nfal", -1, []string{"fallthrough", "false"}, 7},
		{"imported package member", "strings.ToU", -1, []string{"ToUpper", "ToUpperSpecial"}, 8},
		{"importable package member", "strconv.Ato", -1, []string{"Atoi"}, 8},
		{"struct fields and methods", "point.", -1, []string{"Norm", "X", "Y"}, 6},
		{"cursor in the middle, runes", "é := co + 1", 7, []string{"comparable", "complex", "complex128", "complex64", "const", "continue", "copy", "counter"}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cursor := tc.cursor
			if cursor < 0 {
				cursor = len([]rune(tc.code))
			}
			got, start, end := s.Complete(tc.code, cursor)
			if !slices.Equal(got, tc.want) || start != tc.start || end != cursor {
				t.Errorf("Complete(%q, %d) = %q, %d, %d; want %q, %d, %d", tc.code, cursor, got, start, end, tc.want, tc.start, cursor)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"strings\"\nfunc add(a, b int) int { return a + b }\nvar total = add(1, 2)\nn := 5\ntype P struct{ X int }\nfunc (p P) Double() int { return 2 * p.X }\npt := P{4}")
	for _, tc := range []struct {
		name, code string
		cursor     int
		want       string // substring; "" means not found
	}{
		{"package func", "strings.ToUpper(x)", 10, "func strings.ToUpper(string) string"},
		{"package type", "strings.Builder", 9, "type strings.Builder struct"},
		{"notebook func", "add(1, 2)", 1, "func add(a, b int) int"},
		{"notebook var", "total", 0, "var total = add(1, 2)\n= 3"},
		{"global", "n + 1", 0, "n int = 5"},
		{"method of a global", "pt.Double()", 4, "func (p P) Double() int"},
		{"field of a global", "pt.X", 3, "pt.X int"},
		{"unknown", "nothing", 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found := s.Inspect(tc.code, tc.cursor)
			if found != (tc.want != "") || !strings.Contains(got, tc.want) {
				t.Errorf("Inspect(%q, %d) = %q, %v; want %q", tc.code, tc.cursor, got, found, tc.want)
			}
		})
	}
}
