package interp

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestTarget(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `
type Acc struct{ Base int }
func (a Acc) Add(n int) int { return a.Base + n }
func (a *Acc) Ptr(n int) int { return a.Base * n }
func square(n int) int { return n * n }
func noArgs() string { return "hello" }
func variadic(xs ...int) int { return len(xs) }
lit := func(n int) int { return n + 1 }
acc := Acc{Base: 10}
`)
	eval := func(expr string) any { return mustRun(t, s, expr).Value.Interface() }
	for _, tc := range []struct {
		name, expr string
		want       string // target, or error substring
		err        bool
	}{
		{"top-level func", "square", "square", false},
		{"no args", "noArgs", "noArgs", false},
		{"variadic", "variadic", "variadic", false},
		{"method value", "acc.Add", `Acc.Add {"Base":10}`, false},
		{"pointer method value", "acc.Ptr", `Acc.Ptr {"Base":10}`, false},
		{"func literal", "lit", "func literals and closures cannot be sent", true},
		{"compiled func", "strings.ToUpper", "compiled Go code", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "compiled func" {
				mustRun(t, s, `import "strings"`)
			}
			got, err := s.Target(eval(tc.expr))
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Target(%s) = %q, %v; want error containing %q", tc.expr, got, err, tc.want)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Target(%s) = %q, %v; want %q", tc.expr, got, err, tc.want)
			}
		})
	}
	t.Run("not a func", func(t *testing.T) {
		if _, err := s.Target(42); err == nil {
			t.Fatal("Target(42) succeeded")
		}
	})
}

// TestTargetConcurrent probes while other goroutines call notebook
// functions: they must run normally, and every probe must succeed.
func TestTargetConcurrent(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "func square(n int) int { return n * n }")
	fn := mustRun(t, s, "square").Value
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 4)
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := fn.Call([]reflect.Value{reflect.ValueOf(7)})[0].Int(); got != 49 {
					errs <- "square(7) returned wrong value during a probe"
					return
				}
			}
		})
	}
	for range 200 {
		name, err := s.Target(fn.Interface())
		if err != nil || name != "square" {
			t.Errorf("Target = %q, %v", name, err)
			break
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestFunc(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "type Acc struct{ Base int }\nfunc (a Acc) Add(n int) int { return a.Base + n }\nfunc square(n int) int { return n * n }")
	for _, tc := range []struct {
		name, target string
		arg          int
		want         int
	}{
		{"func", "square", 6, 36},
		{"method", `Acc.Add {"Base":100}`, 5, 105},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := s.Func(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Call([]reflect.Value{reflect.ValueOf(tc.arg)})[0].Int(); got != int64(tc.want) {
				t.Errorf("%s(%d) = %d, want %d", tc.target, tc.arg, got, tc.want)
			}
		})
	}
	if _, err := s.Func("missing"); err == nil {
		t.Error("Func(missing) succeeded")
	}
}

// TestTraceback checks the stack a worker reports when a Func panics.
func TestTraceback(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "func inner(n int) int {\n\tpanic(\"deep\")\n}\nfunc outer(n int) int {\n\treturn inner(n) + 1\n}")
	f, err := s.Func("outer")
	if err != nil {
		t.Fatal(err)
	}
	var tb string
	func() {
		defer func() {
			if r := recover(); r != nil {
				tb = s.Traceback(r)
			}
		}()
		f.Call([]reflect.Value{reflect.ValueOf(1)})
	}()
	want := "main.inner(...)\n\tsetup:2:2\nmain.outer(...)\n\tsetup:5:2"
	if tb != want {
		t.Errorf("Traceback = %q, want %q", tb, want)
	}
	if again := s.Traceback(nil); again != "" {
		t.Errorf("second Traceback = %q, want empty", again)
	}
}
