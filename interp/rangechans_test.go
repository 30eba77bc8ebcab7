package interp

import "testing"

// TestRangeChans checks ranges over collections of channels that bind
// the elements (the wanted outputs are go run's).
func TestRangeChans(t *testing.T) {
	lowerCases(t, []struct{ name, code, want string }{
		{"slice", "a, b := make(chan int, 2), make(chan int, 3)\nfor i, c := range []chan int{a, b} { fmt.Print(i, cap(c), \" \") }", "0 2 1 3 "},
		{"blank key", "cs := []chan int{make(chan int, 1)}\nfor _, c := range cs { c <- 4; fmt.Print(<-c) }", "4"},
		{"variadic receive-only", "func sum(cs ...<-chan int) (t int) {\n\tfor _, c := range cs {\n\t\tfor v := range c { t += v }\n\t}\n\treturn\n}\nmk := func(n int) <-chan int { c := make(chan int, 1); c <- n; close(c); return c }\nsum(mk(1), mk(2))", "=3"},
		{"map", "m := map[string]chan bool{\"x\": make(chan bool, 5)}\nfor k, c := range m { fmt.Print(k, cap(c)) }", "x5"},
		{"array pointer", "var arr [2]chan int\narr[1] = make(chan int, 7)\nfor i, c := range &arr { fmt.Print(i, c == nil, \" \") }", "0 true 1 false "},
		{"assign form", "var k int\nvar c chan int\nfor k, c = range []chan int{nil, make(chan int)} {}\nfmt.Print(k, c != nil)", "1 true"},
		{"evaluated once", "cs := []chan int{nil, nil}\nn := 0\nfor _, c := range cs { cs = nil; _ = c; n++ }\nn", "=2"},
		{"label", "out:\nfor _, c := range []chan int{make(chan int), nil} {\n\tfor {\n\t\tif c == nil { break out }\n\t\tfmt.Print(\"x\")\n\t\tcontinue out\n\t}\n}", "x"},
		{"closures per iteration", "var fs []func() chan int\nfor _, c := range []chan int{make(chan int, 1), make(chan int, 2)} { fs = append(fs, func() chan int { return c }) }\nfmt.Print(cap(fs[0]()), cap(fs[1]()))", "1 2"},
	})
}
