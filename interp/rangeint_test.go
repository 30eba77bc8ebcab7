package interp

import "testing"

// lowerCases runs each case's cell, after `import "fmt"` and `import
// "math"`, in a new session and compares what it printed and showed.
func lowerCases(t *testing.T, cases []struct{ name, code, want string }) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{"import \"fmt\"\nimport \"math\"\nvar _ = math.Pi", tc.code})
			if got[1] != tc.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tc.code, got[1], tc.want)
			}
		})
	}
}

// TestRangeInt checks range over an integer as Go 1.22 runs it (the
// wanted outputs are go run's).
func TestRangeInt(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"constant", "for i := range 3 { fmt.Print(i, \" \") }", "0 1 2 "},
		{"no variable", "n := 0\nfor range 4 { n++ }\nn", "=4"},
		{"typed", "var n int8 = 2\nfor i := range n { fmt.Printf(\"%T \", i) }", "int8 int8 "},
		{"named type", "type Count int\nfunc (c Count) Twice() Count { return 2 * c }\nfor i := range Count(3) { fmt.Print(i.Twice()) }", "024"},
		{"evaluated once", "k := 3\nfor i := range k { k = 10; fmt.Print(i) }", "012"},
		{"body changes i", "for i := range 3 { fmt.Print(i); i += 5 }", "012"},
		{"assign form", "var i int64\nfor i = range 3 {}\ni", "=2"},
		{"zero and negative", "for range 0 { fmt.Print(\"x\") }\nfor range -2 { fmt.Print(\"y\") }\nfmt.Print(\"done\")", "done"},
		{"break continue label", "outer:\nfor i := range 3 {\n\tfor j := range 3 {\n\t\tif j == 1 { continue outer }\n\t\tif i == 2 { break outer }\n\t\tfmt.Print(i, j, \" \")\n\t}\n}", "0 0 1 0 "},
		{"closures per iteration", "var fs []func() int\nfor i := range 3 { fs = append(fs, func() int { return i }) }\nfmt.Print(fs[0](), fs[1](), fs[2]())", "0 1 2"},
		{"in a func", "func sum(n int) (s int) {\n\tfor i := range n { s += i }\n\treturn\n}\nsum(5)", "=10"},
		{"shadowed in body", "for i := range 2 { fmt.Print(i); i := \"s\"; fmt.Print(i) }", "0s1s"},
	})
}
