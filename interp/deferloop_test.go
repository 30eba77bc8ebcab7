package interp

import "testing"

// TestDeferCapture checks func literals deferred in loops: each sees its
// own iteration's variables, as go run shows.
func TestDeferCapture(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"range over int", "func f() {\n\tfor i := range 3 {\n\t\tdefer func() { fmt.Print(i) }()\n\t}\n}\nf()", "210"},
		{"three-clause", "func f() {\n\tfor i := 0; i < 3; i++ {\n\t\tdefer func() { fmt.Print(i) }()\n\t}\n}\nf()", "210"},
		{"body variable", "func f() {\n\tfor _, s := range []string{\"a\", \"b\"} {\n\t\tt := s + \"!\"\n\t\tdefer func() { fmt.Print(t) }()\n\t}\n}\nf()", "b!a!"},
		{"own parameters", "func f() {\n\tfor i := range 2 {\n\t\tdefer func(p string) { fmt.Print(p, i) }(\"x\")\n\t}\n}\nf()", "x1x0"},
		{"nested loops", "func f() {\n\tfor i := range 2 {\n\t\tfor j := range 2 {\n\t\t\tdefer func() { fmt.Print(i, j, \" \") }()\n\t\t}\n\t}\n}\nf()", "1 1 1 0 0 1 0 0 "},
		{"recover", "func f() (n int) {\n\tfor i := range 2 {\n\t\tdefer func() {\n\t\t\tif recover() != nil { n = 10 + i }\n\t\t}()\n\t}\n\tpanic(\"x\")\n}\nf()", "=11"},
		{"at top level", "for i := range 2 { defer func() { fmt.Print(i) }() }", "10"},
	})
}
