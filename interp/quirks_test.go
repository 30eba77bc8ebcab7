package interp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// TestYaegiQuirks pins, on a bare yaegi interpreter, each behaviour of
// yaegi v0.16.1 that gomp works around (doc.go lists them, rewrite.go and
// errors.go hold the workarounds). A case that fails after a yaegi upgrade
// means that behaviour changed: check whether its workaround, named in
// the case, is still needed.
func TestYaegiQuirks(t *testing.T) {
	on := false
	quirks := []struct {
		name       string
		workaround string
		cells      []string // evaluated in order; all but the last must succeed
		want       string   // in the last cell's error, or its value with %v ("<no value>" for none) when it succeeds
	}{
		{
			name:       "elided &T of a compiled struct in a named map literal",
			workaround: "elidedptr.go",
			cells:      []string{`import "testing/fstest"`, `m := fstest.MapFS{"a": {Data: nil}}`},
			want:       "CFG post-order panic",
		},
		{
			name:       "nil assigned to two variables at once",
			workaround: "nilassign.go",
			cells:      []string{"a, b := new(int), new(int)", "a, b = nil, nil"},
			want:       "reflect: New(nil)",
		},
		{
			name:       "a method expression of a compiled type lacks its receiver parameter",
			workaround: "methodexpr.go",
			cells:      []string{`import "time"`, "before := time.Time.Before", "before(time.Unix(0, 0), time.Unix(1, 0))"},
			want:       "too many arguments",
		},
		{
			name:       "recover returns the reflect.Value of the panic's argument",
			workaround: "panicnil.go",
			cells:      []string{`import "fmt"`, "func try() (r any) { defer func() { r = recover() }(); panic(\"s\") }", "fmt.Sprintf(\"%T\", try())"},
			want:       "reflect.Value",
		},
		{
			name:       "return <-ch in a func literal with a result",
			workaround: "the templates of stdtemplates.go receive into a variable first",
			cells: []string{
				"ch := make(chan bool, 2)",
				"ch <- true; ch <- true",
				"f := func() bool { return <-ch }",
				"f(); f()",
			},
			want: "unaddressable value",
		},
		{
			name:       "unnamed parameter after a prologue shifts frame slots",
			workaround: "nameParams (probe.go)",
			cells: []string{
				`import "quirk/probe"`,
				"func f(int) int { if *probe.On { println() }; return 7 }",
				"f(1)",
			},
			want: "reflect.Set: value of type int is not assignable to type *bool",
		},
		{
			name:       "assignment of a call's results is not type-checked",
			workaround: "keepsTypes asks for a multi-value := (types.go)",
			cells: []string{
				"func b() (any, error) { return 2, nil }",
				"var out []any",
				"out, _ = b()",
			},
			want: "reflect.Set: value of type interface {} is not assignable to type []interface {}",
		},
		{
			name:       "var _ at top level declares a global named _",
			workaround: "blankVars (rewrite.go)",
			cells: []string{
				"func f(x int) int { return x }",
				"var _ = f",
				"_ = f(1)",
			},
			want: "reflect.Set: value of type int is not assignable to type func(int) int",
		},
		{
			name:       "a loop keeps one variable for all its iterations",
			workaround: "loopVars (loopvars.go)",
			cells: []string{
				"var fs []func() int",
				"func loop() { for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) } }",
				"loop()",
				"fs[0]()",
			},
			want: "3",
		},
		{
			name:       "a defer evaluates its arguments when the deferred call runs",
			workaround: "deferArgs (deferargs.go)",
			cells: []string{
				"var got []int",
				"func d() { for i := 0; i < 2; i++ { defer func(n int) { got = append(got, n) }(i) } }",
				"d()",
				"got",
			},
			want: "[2 2]",
		},
		{
			name:       "every compile runs func main again once it is declared",
			workaround: "renameMain (program.go)",
			cells:      []string{"var runs int", "func main() { runs++ }", "x := 1", "runs"},
			want:       "3",
		},
		{
			name:       "assigning a package's variable leaves it unchanged",
			workaround: "pkgVarAssigns (program.go)",
			cells:      []string{`import "os"`, `os.Args = []string{"a", "b"}`, "len(os.Args) == 2"},
			want:       "false",
		},
		{
			name:       "a var initialiser using an earlier global is a definition loop",
			workaround: "declareApart (program.go)",
			cells:      []string{"x := 1", "var d = x"},
			want:       "variable definition loop",
		},
		{
			name:       "unexported fields are renamed X+name",
			workaround: "fmtExports (fmtnames.go)",
			cells:      []string{`import "fmt"`, "type acct struct{ owner string }", `fmt.Sprintf("%+v", acct{"ann"})`},
			want:       "{Xowner:ann}",
		},
		{
			name:       "errors.As panics for a pointer to a notebook error type",
			workaround: "errorsAs (errorsas.go)",
			cells: []string{
				`import "errors"`, "type E struct{}", `func (*E) Error() string { return "e" }`,
				"func mk() error { return &E{} }", "var e *E", "errors.As(mk(), &e)",
			},
			want: "target must be interface or implement error",
		},
		{
			name:       "comma-ok := at top level",
			workaround: "redeclare (program.go)",
			cells:      []string{"m := map[string]int{}", `v, ok := m["a"]`},
			want:       "nil type",
		},
		{
			name:       "assertion to an interpreted interface inside a func",
			workaround: "assertions (assert.go)",
			cells: []string{
				"type shower interface{ Show() string }",
				"type T struct{}",
				`func (T) Show() string { return "T" }`,
				"func g(v any) shower { return v.(shower) }",
				"g(T{}).Show()",
			},
			want: "reflect.Set: value of type interface {} is not assignable to type interp.valueInterface",
		},
		{
			name:       "type switch without a binding misses interpreted interfaces",
			workaround: "typeSwitch (assert.go)",
			cells: []string{
				"type shower interface{ Show() string }",
				"type T struct{}",
				`func (T) Show() string { return "T" }`,
				`func kind(v any) string { switch v.(type) { case shower: return "shower" }; return "other" }`,
				"kind(T{})",
			},
			want: "other",
		},
		{
			name:       "type switch with a binding matches a value with only some methods",
			workaround: "typeSwitch asks with _, ok := v.(I) (assert.go)",
			cells: []string{
				"type hider interface{ Show() string; Hide() }",
				"type T struct{}",
				`func (T) Show() string { return "T" }`,
				`func kind(v any) string { switch x := v.(type) { case hider: _ = x; return "hider" }; return "other" }`,
				"kind(T{})",
			},
			want: "hider",
		},
		{
			name:       "switch with an init statement and a call as tag takes every case",
			workaround: "typeSwitch declares the subject in a block (assert.go)",
			cells: []string{
				`func kind(v any) string { switch s := v; func(x any) int { return 1 }(s) { case 0: return "zero" }; return "other" }`,
				"kind(1)",
			},
			want: "zero",
		},
		{
			name:       "a := inside a top-level for is undefined at its next use",
			workaround: "scoped (session.go)",
			cells: []string{
				"f := func() (any, error) { return 1, nil }",
				"s := 0",
				"for i := 0; i < 3; i++ { v, _ := f(); s += v.(int) }",
			},
			want: "undefined: v",
		},
		{
			name:       "min, max and clear are missing",
			workaround: "undefinedName and missingBuiltins (errors.go, undefined.go)",
			cells:      []string{"x := min(1, 2)"},
			want:       "constant definition loop",
		},
		{
			name:       "os.Exit panics with its call as text",
			workaround: "exitRE (errors.go)",
			cells:      []string{`import "os"`, "os.Exit(3)"},
			want:       "os.Exit(3)",
		},
		{
			name:       "a conversion asked for more results returns 0 values",
			workaround: "isConversion (state.go) after resultCount (errors.go)",
			cells:      []string{`import "time"`, "_, _ = time.Duration(5)"},
			want:       "returns 0 values",
		},
		{
			name:       "a trailing *p with p nil yields no value",
			workaround: "evalExpr's nil dereference (state.go)",
			cells:      []string{"var p *int", "*p"},
			want:       "<no value>",
		},
		{
			name:       "run-time errors arrive as reflect's panics",
			workaround: "goPanicText (errors.go)",
			cells:      []string{"xs := []int{}", "xs[5]"},
			want:       "reflect: slice index out of range",
		},
		{
			name:       "two notebook types with the same fields share one reflect type",
			workaround: "keepsTypes and Session.define (types.go, session.go)",
			cells: []string{
				`import "fmt"`, "type A struct{ X int }", "type B struct{ X int }",
				`fmt.Sprintf("%T %T", A{}, B{})`,
			},
			want: "struct { X int } struct { X int }",
		},
		{
			name:       "a range over a slice of channels takes the value's type for a channel's",
			workaround: "lowerRangeChans (rangechans.go)",
			cells: []string{
				"func caps(cs []chan int) (t int) { for _, c := range cs { t += cap(c) }; return }",
				"caps([]chan int{make(chan int, 1)})",
			},
			want: "reflect: call of reflect.Value.Len on int Value",
		},
		{
			name:       "a method value reads its receiver when called",
			workaround: "lowerMethodValue (methodvalue.go)",
			cells: []string{
				"type G struct{ s string }", "func (g G) Hi() string { return g.s }",
				"func hi() string { g := G{\"hi\"}; f := g.Hi; g.s = \"bye\"; return f() }",
				"hi()",
			},
			want: "bye",
		},
		{
			name:       "a notebook value assigned to an any loses its methods",
			workaround: "boxany.go",
			cells: []string{
				`import "fmt"`, "type C struct{ R int }", `func (c C) String() string { return "C" }`,
				"func show() string { var a any; a = C{1}; return fmt.Sprint(a) }",
				"show()",
			},
			want: "{1}",
		},
		{
			name:       "a notebook Stringer printed with %d prints yaegi's wrapper",
			workaround: "printargs.go",
			cells:      []string{`import "fmt"`, "type W int", `func (w W) String() string { return "w" }`, `fmt.Sprintf("%d", W(2))`},
			want:       "{2 ",
		},
	}
	for _, q := range quirks {
		t.Run(q.name, func(t *testing.T) {
			yi := yaegi.New(yaegi.Options{})
			if err := yi.Use(stdlib.Symbols); err != nil {
				t.Fatal(err)
			}
			if err := yi.Use(yaegi.Exports{"quirk/probe/probe": {"On": reflect.ValueOf(&on)}}); err != nil {
				t.Fatal(err)
			}
			var got string
			for i, c := range q.cells {
				v, err := evalRecovered(yi, c)
				if i < len(q.cells)-1 {
					if err != nil {
						t.Fatalf("setup %q: %v", c, err)
					}
					continue
				}
				if err != nil {
					got = err.Error()
				} else if v.IsValid() {
					got = fmt.Sprint(v)
				} else {
					got = "<no value>"
				}
			}
			if !strings.Contains(got, q.want) {
				t.Errorf("yaegi no longer shows this quirk: got %q, want it to contain %q; check whether %s is still needed", got, q.want, q.workaround)
			}
		})
	}
}

// evalRecovered evaluates src, turning a panic of yaegi's compiler into an
// error.
func evalRecovered(yi *yaegi.Interpreter, src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return yi.Eval(src)
}
