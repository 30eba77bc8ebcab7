package interp

import "testing"

// iterCell declares iterators as plain funcs (yaegi has no iter package).
const iterCell = `func count(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				fmt.Print("[stopped]")
				return
			}
		}
	}
}
func pairs(m []string) func(func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, s := range m {
			if !yield(i, s) {
				return
			}
		}
	}
}
func three(yield func() bool) { _ = yield() && yield() && yield() }`

// TestRangeFunc checks range over func (Go 1.23) with go run's results:
// one, two and no values, break, continue, return (with values, bare,
// from nested loops), labels of outer loops, per-iteration variables.
func TestRangeFunc(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"values", iterCell + "\nfor i := range count(3) { fmt.Print(i) }", "012"},
		{"two values", iterCell + "\nfor i, s := range pairs([]string{\"a\", \"b\"}) { fmt.Print(i, s) }", "0a1b"},
		{"no values", iterCell + "\nn := 0\nfor range three { n++ }\nn", "=3"},
		{"key only", iterCell + "\nfor i := range pairs([]string{\"a\", \"b\"}) { fmt.Print(i) }", "01"},
		{"break", iterCell + "\nfor i := range count(10) { if i == 2 { break }; fmt.Print(i) }", "01[stopped]"},
		{"continue", iterCell + "\nfor i := range count(4) { if i%2 == 0 { continue }; fmt.Print(i) }", "13"},
		{"return a value", iterCell + "\nfunc find(x int) (int, bool) {\n\tfor i := range count(10) {\n\t\tif i*i == x {\n\t\t\treturn i, true\n\t\t}\n\t}\n\treturn -1, false\n}\nfmt.Print(find(9))\nfmt.Print(find(7))", "[stopped]3 true-1 false"},
		{"bare return", iterCell + "\nfunc firstOdd() (n int) {\n\tfor i := range count(5) {\n\t\tif i%2 == 1 {\n\t\t\tn = i\n\t\t\treturn\n\t\t}\n\t}\n\treturn\n}\nfirstOdd()", "[stopped]=1"},
		{"break in an inner switch and loop", iterCell + "\nfor i := range count(3) {\n\tswitch i {\n\tcase 1:\n\t\tbreak\n\tdefault:\n\t\tfor j := 0; j < 5; j++ { if j == 1 { break } }\n\t}\n\tfmt.Print(i)\n}", "012"},
		{"labeled outer loop", iterCell + "\nouter:\nfor i := 0; i < 3; i++ {\n\tfor j := range count(3) {\n\t\tif j == 1 { continue outer }\n\t\tif i == 2 { break outer }\n\t\tfmt.Print(i, j, \" \")\n\t}\n}", "0 0 [stopped]1 0 [stopped][stopped]"},
		{"labeled own loop", iterCell + "\nloop:\nfor i := range count(5) {\n\tfor j := 0; j < 3; j++ {\n\t\tif i == 2 { break loop }\n\t\tif j == 1 { continue loop }\n\t}\n\tfmt.Print(i)\n}", "[stopped]"},
		{"nested range funcs with return", iterCell + "\nfunc grid() string {\n\tfor i := range count(3) {\n\t\tfor j := range count(3) {\n\t\t\tif i+j == 3 {\n\t\t\t\treturn fmt.Sprint(i, j)\n\t\t\t}\n\t\t}\n\t}\n\treturn \"none\"\n}\ngrid()", "[stopped][stopped]=\"1 2\""},
		{"closures per iteration", iterCell + "\nvar fs []func() int\nfor i := range count(3) { fs = append(fs, func() int { return i }) }\nfmt.Print(fs[0](), fs[1](), fs[2]())", "0 1 2"},
		{"assign form", iterCell + "\nvar last int\nfor last = range count(4) {}\nlast", "=3"},
		{"defer is not supported yet", iterCell + "\nfunc f() {\n\tfor i := range count(2) {\n\t\tdefer fmt.Print(i)\n\t}\n}", "!In[2]:22:2: defer in the body of a range over func is not supported yet"},
	})
}
