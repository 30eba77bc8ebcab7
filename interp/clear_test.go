package interp

import "testing"

// TestClear checks the builtin clear (Go 1.21) on maps and slices, with
// go run's results.
func TestClear(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"map", "m := map[string]int{\"a\": 1, \"b\": 2}\nclear(m)\nfmt.Print(len(m), m)", "0 map[]"},
		{"slice keeps length", "s := []int{1, 2, 3}\nclear(s[1:])\nfmt.Print(len(s), s)", "3 [1 0 0]"},
		{"slice of structs", "type P struct{ X int; S string }\nps := []P{{1, \"a\"}}\nclear(ps)\nfmt.Printf(\"%+v\", ps)", "[{X:0 S:}]"},
		{"shared backing array", "a := []string{\"x\", \"y\"}\nb := a\nclear(b)\nfmt.Printf(\"%q\", a)", `["" ""]`},
		{"evaluated once", "n := 0\nms := []map[int]int{{1: 1}, {2: 2}}\nget := func() map[int]int { n++; return ms[0] }\nclear(get())\nfmt.Print(n, len(ms[0]), len(ms[1]))", "1 0 1"},
		{"in a func", "func reset(m map[int]bool) { clear(m) }\nm := map[int]bool{1: true}\nreset(m)\nlen(m)", "=0"},
	})
}
