package interp

import "testing"

// TestBoxAny checks that a notebook value stored in an any by
// assignment, declaration, return or conversion keeps its type (the
// wanted outputs are go run's).
func TestBoxAny(t *testing.T) {
	decl := "type Circle struct{ R float64 }\nfunc (c Circle) String() string { return fmt.Sprintf(\"Circle(%g)\", c.R) }\ntype P struct{ N int }\nfunc (p *P) String() string { return fmt.Sprint(\"P\", p.N) }"
	for _, tc := range []struct{ name, code, want string }{
		{"assignment", "func f() { var a any; a = Circle{1}; fmt.Print(a) }\nf()", "Circle(1)"},
		{"declaration", "func f() { var a any = Circle{2}; fmt.Print(a) }\nf()", "Circle(2)"},
		{"top-level declaration", "var a any = Circle{3}\nfmt.Print(a)", "Circle(3)"},
		{"return", "func f() any { return Circle{4} }\nfunc g() (any, error) { return &P{5}, nil }\nv, _ := g()\nfmt.Print(f(), \" \", v)", "Circle(4) P5"},
		{"conversion", "func f() { fmt.Print(any(Circle{6})) }\nf()", "Circle(6)"},
		{"type switch after", "func f() string {\n\tvar a any = Circle{7}\n\tswitch x := a.(type) {\n\tcase fmt.Stringer:\n\t\treturn \"stringer \" + x.String()\n\t}\n\treturn \"other\"\n}\nf()", `="stringer Circle(7)"`},
		{"assertion to the type", "func f() float64 { var a any = Circle{8}; return a.(Circle).R }\nf()", "=8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"fmt\"", decl, tc.code})
			if got[2] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[2], tc.want)
			}
		})
	}
}
