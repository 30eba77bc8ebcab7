package interp

import "testing"

// TestNewExpr checks new(expr) (Go 1.26): a pointer to a new variable
// holding the value; new(T) is unchanged.
func TestNewExpr(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"constant", "p := new(42)\nfmt.Printf(\"%T %d\", p, *p)", "*int 42"},
		{"float constant", "p := new(1.5)\nfmt.Printf(\"%T %v\", p, *p)", "*float64 1.5"},
		{"expression", "x := \"hi\"\np := new(x + \"!\")\nx = \"changed\"\n*p", `="hi!"`},
		{"type", "p := new(int)\n*p", "=0"},
		{"named", "type Age int\nfunc (a Age) Next() Age { return a + 1 }\np := new(Age(7))\np.Next()", "=8"},
		{"distinct variables", "a, b := new(1), new(1)\n*a = 5\nfmt.Print(*a, *b, a != b)", "5 1 true"},
		{"in a struct literal", "type Opt struct{ N *int }\no := Opt{N: new(3)}\n*o.N", "=3"},
	})
}
