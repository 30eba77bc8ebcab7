package interp

import "testing"

// TestTypedNil checks nil assigned in a tuple assignment (the wanted
// outputs are go run's).
func TestTypedNil(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"two pointers", "type res struct{ n int }\na, b := &res{1}, &res{2}\na, b = nil, nil\nfmt.Print(a == nil, b == nil)", "true true"},
		{"interface and map", "var e error = fmt.Errorf(\"x\")\nm := map[string]int{\"a\": 1}\ne, m = nil, nil\nfmt.Print(e, m, len(m))", "<nil> map[] 0"},
		{"mixed", "p, n := new(int), 4\np, n = nil, 5\nfmt.Print(p, n)", "<nil> 5"},
		{"in a func", "func reset() (s []int, f func()) {\n\ts, f = []int{1}, func() {}\n\ts, f = nil, nil\n\treturn\n}\ns, f := reset()\nfmt.Print(s == nil, f == nil)", "true true"},
		{"swap untouched", "x, y := 1, 2\nx, y = y, x\nfmt.Print(x, y)", "2 1"},
	})
}
