package interp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const loopDecls = `import (
	"fmt"
	"strconv"
)

type P struct{ X int }

func (p P) Get() int { return p.X }
func square(n int) int { return n * n }
func boom(n int) int {
	if n == 3 {
		panic(fmt.Sprint("bad ", n))
	}
	return n
}
func div(n int) int { return 10 / n }
func parse(s string) (int, error) { return strconv.Atoi(s) }
func inc(p P) (q P) { p.X++; return p }
func variadic(xs ...int) int { return len(xs) }
func two(a, b int) int { return a + b }
func none(n int) {}

type out int

func r(x out) (out, error) { return x + 1, nil }`

// TestLoop checks the per-chunk loops Loop compiles: the results of every
// item, or those before the first failing one with its panic or error.
func TestLoop(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, loopDecls)
	for _, tc := range []struct {
		name, target string
		in           any // []int or []string; nil: three items of 1, 2, 3 (or P{X: 1}, ...)
		want         string
		failed       bool
		panic, err   string // recovered value, error text
		stack        string // in the Traceback after a panic
	}{
		{name: "all succeed", target: "square", in: []int{1, 2, 3}, want: "[1 4 9]"},
		{name: "empty chunk", target: "square", in: []int{}, want: "[]"},
		{name: "panic at item 2", target: "boom", in: []int{1, 2, 3, 4}, want: "[1 2]", failed: true, panic: "bad 3", stack: "main.boom"},
		{name: "runtime error at item 1", target: "div", in: []int{5, 0, 1}, want: "[2]", failed: true, panic: "integer divide by zero", stack: "main.div"},
		{name: "error at item 1", target: "parse", in: []string{"1", "x", "2"}, want: "[1]", failed: true, err: `parsing "x": invalid syntax`},
		{name: "notebook type", target: "inc", want: "[{2} {3} {4}]"},
		{name: "names like the loop's", target: "r", want: "[2 3 4]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loop, err := s.Loop(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			in := reflect.ValueOf(tc.in)
			if tc.in == nil {
				in = reflect.MakeSlice(loop.Type().In(0), 3, 3)
				for i := range 3 {
					if x := in.Index(i); x.Kind() == reflect.Struct {
						x.Field(0).SetInt(int64(i + 1))
					} else {
						x.SetInt(int64(i + 1))
					}
				}
			}
			out := loop.Call([]reflect.Value{in})
			if got := fmt.Sprint(out[0].Interface()); got != tc.want {
				t.Errorf("results = %s, want %s", got, tc.want)
			}
			if failed := out[1].Bool(); failed != tc.failed {
				t.Errorf("failed = %v, want %v", failed, tc.failed)
			}
			if tc.panic != "" {
				if got := fmt.Sprint(out[2].Interface()); !strings.Contains(got, tc.panic) {
					t.Errorf("recovered %q, want %q", got, tc.panic)
				}
				if tb := s.Traceback(out[2].Interface()); !strings.Contains(tb, tc.stack) {
					t.Errorf("traceback %q does not name %s", tb, tc.stack)
				}
			} else if !out[2].IsNil() {
				t.Errorf("recovered %v, want none", out[2].Interface())
			}
			if got := fmt.Sprint(out[3].Interface()); tc.err != "" && !strings.Contains(got, tc.err) || tc.err == "" && !out[3].IsNil() {
				t.Errorf("err = %s, want %q", got, tc.err)
			}
		})
	}
}

// TestLoopRejects checks that targets the loop cannot call are errors,
// for the caller to call them one by one instead.
func TestLoopRejects(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, loopDecls)
	for _, target := range []string{"variadic", "two", "none", "P.Get {\"X\":1}", "nosuch", "P"} {
		t.Run(target, func(t *testing.T) {
			if _, err := s.Loop(target); err == nil {
				t.Errorf("Loop(%q) succeeded", target)
			}
		})
	}
}

// TestLoopRedefined checks that a loop follows a redefined target and a
// restored snapshot, as a pool worker sees them.
func TestLoopRedefined(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "func square(n int) int { return n * n }")
	call := func(s *Session) string {
		t.Helper()
		loop, err := s.Loop("square")
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(loop.Call([]reflect.Value{reflect.ValueOf([]int{2, 3})})[0].Interface())
	}
	if got := call(s); got != "[4 9]" {
		t.Errorf("before = %s", got)
	}
	mustRun(t, s, "func square(n int) int { return -n }")
	if got := call(s); got != "[-2 -3]" {
		t.Errorf("after redefinition = %s", got)
	}
	snap, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	w := newTestSession(t)
	mustRun(t, w, "func square(n int) int { return 0 }")
	if err := w.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := call(w); got != "[-2 -3]" {
		t.Errorf("after restore = %s", got)
	}
}

// TestLoopImportedTypes checks a loop whose target's parameter and result
// are of an imported package's type: the loop, built as an AST from the
// target's declaration, must resolve the package name.
func TestLoopImportedTypes(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"time\"\nfunc half(d time.Duration) (time.Duration, error) { return d / 2, nil }")
	loop, err := s.Loop("half")
	if err != nil {
		t.Fatal(err)
	}
	out := loop.Call([]reflect.Value{reflect.ValueOf([]time.Duration{2, 4})})
	if got := fmt.Sprint(out[0].Interface(), out[1].Interface()); got != "[1ns 2ns] false" {
		t.Errorf("loop = %s, want [1ns 2ns] false", got)
	}
}
