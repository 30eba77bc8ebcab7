package interp

import "testing"

// TestMinMax checks the builtins min and max (Go 1.21) with go run's
// results: any number of arguments, typed and untyped, constants folded,
// strings, and the spec's rules for NaN and signed zeros.
func TestMinMax(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"ints", "a, b, c := 3, 1, 2\nfmt.Print(min(a, b, c), max(a, b, c), min(a))", "1 3 3"},
		{"constant", "const c = max(1, 7, 3)\nvar arr [c]int\nlen(arr)", "=7"},
		{"constant float", "fmt.Print(min(1, 2.5), max(1, 2.5))", "1 2.5"},
		{"typed", "var x int8 = 5\ny := max(x, 9)\nfmt.Printf(\"%T %v\", y, y)", "int8 9"},
		{"named", "type Celsius float64\nfunc (c Celsius) String() string { return fmt.Sprint(float64(c), \"°C\") }\nvar a, b Celsius = 20, 18.5\nmin(a, b).String()", `="18.5°C"`},
		{"strings", "s, u := \"pear\", \"apple\"\nfmt.Print(min(s, u), max(s, u, \"zoo\"))", "applezoo"},
		{"NaN wins", "x := math.NaN()\nfmt.Print(min(1.0, x), max(x, 1.0), min(2.0, 1.0, x))", "NaN NaN NaN"},
		{"signed zeros", "z := 0.0\nn := math.Copysign(0, -1)\nfmt.Print(math.Signbit(min(z, n)), math.Signbit(min(n, z)), math.Signbit(max(n, z)), math.Signbit(max(z, n)))", "true true false false"},
		{"arguments evaluated once in order", "i := 0\nnext := func() int { i++; return i }\nfmt.Print(max(next(), next(), next()), i)", "3 3"},
		{"user min shadows builtin", "func min(a, b int) string { return \"mine\" }\nmin(1, 2)", `="mine"`},
	})
}
