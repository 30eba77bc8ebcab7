package interp

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"strings"
	"testing"
)

// rewritten parses body as a func body, applies rewrite and prints the
// body's statements on one line each.
func rewritten(t *testing.T, body string, rewrite func(ast.Node)) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", "package main\nconst K = 3\nfunc f() {\n"+body+"\n}", 0)
	if err != nil {
		t.Fatal(err)
	}
	rewrite(f)
	var b strings.Builder
	if err := printer.Fprint(&b, fset, f.Decls[1].(*ast.FuncDecl).Body); err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestDeferArgs(t *testing.T) {
	s := &Session{imports: []importSpec{{Path: "math"}}}
	for _, tc := range []struct{ in, want string }{
		{"defer fmt.Println(i)", "{ { _gompD0 := i; defer fmt.Println(_gompD0) } }"},
		{"defer f(x, 1, K, math.Pi, nil, 2*K)", "{ { _gompD0 := x; defer f(_gompD0, 1, K, math.Pi, nil, 2*K) } }"},
		{"defer wg.Done()", "{ defer wg.Done() }"},
		{"defer s.mu.Unlock()", "{ defer s.mu.Unlock() }"},
		{"defer recover()", "{ defer recover() }"},
		{"defer un(trace(x))", "{ defer un(trace(x)) }"},
		{"defer timer(x)()", "{ { _gompD0 := timer(x); defer _gompD0() } }"},
		{"defer xs[i].Close()", "{ { _gompD0 := xs[i].Close; defer _gompD0() } }"},
		{"defer func(n int) { g(n) }(i)", "{ { _gompD0 := i; defer func(n int) { g(n) }(_gompD0) } }"},
		{"for i := range 3 { defer g(&i) }", "{ for i := range 3 { { _gompD0 := &i; defer g(_gompD0) } } }"},
	} {
		if got := rewritten(t, tc.in, s.deferArgs); got != strings.ReplaceAll(tc.want, ";", "") {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
