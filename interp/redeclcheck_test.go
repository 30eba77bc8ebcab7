package interp

import (
	"strings"
	"testing"
)

// TestRedeclareGlobalTypes checks that a top-level := that assigns an
// existing global (and declares a new name) gets Go's compiler message
// when the value's type does not fit, and assigns it when it does.
func TestRedeclareGlobalTypes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []string
		want  string // in the last cell's output
	}{
		{"constant", []string{"x := 1", "x, y := \"s\", 2"}, `In[3]:1:9: cannot use "s" (untyped string constant) as int value in assignment`},
		{"call", []string{"x := 1", "func two() (string, int) { return \"a\", 1 }", "x, z := two()"}, "In[4]:1:9: cannot use two() (value of type string) as int value in assignment"},
		{"comma ok", []string{"v := \"a\"\nm := map[string]int{}", "v, ok := m[\"k\"]"}, `In[3]:1:10: cannot use m["k"] (map index expression of type int) as string value in assignment`},
		{"var global", []string{"var g float64", "g, n := true, 1"}, "In[3]:1:9: cannot use true (untyped bool constant) as float64 value in assignment"},
		{"fits", []string{"x := 1", "x, y := 5, 2", "fmt.Print(x, y)"}, "5 2"},
		{"same cell", []string{"a := 1\na, b := 2, 3\nfmt.Print(a, b)"}, "2 3"},
		{"all names exist", []string{"x, y := 1, 2", "x, y := \"a\", \"b\"", "fmt.Print(x + y)"}, "ab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, append([]string{"import \"fmt\"\nvar _ = fmt.Print"}, tc.cells...))
			if last := got[len(got)-1]; !strings.Contains(last, tc.want) {
				t.Errorf("got %q, want it to hold %q", last, tc.want)
			}
		})
	}
}
