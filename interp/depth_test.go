package interp

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRecursionOutsideCells covers runaway recursion that no cell is
// running: a call through Func (as mp's workers make) panics with the
// *RecursionError once back at the top, and a goroutine left running by
// an earlier cell is stopped and reported on the latest cell's stderr.
func TestRecursionOutsideCells(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Execute(t.Context(), "func rec(n int) int { return rec(n+1) + 1 }\nfunc ok(n int) int { return n * 2 }", IO{}); err != nil {
		t.Fatal(err)
	}

	fn, err := s.Func("rec")
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			r := recover()
			var re *RecursionError
			if e, ok := r.(error); !ok || !errors.As(e, &re) || re.Func != "rec" || re.Pos != "cell:1:1" {
				t.Errorf("Func(rec) call: recovered %v, want a *RecursionError for rec at cell:1:1", r)
			}
			// mp's worker prints this under the panic.
			if got, want := s.Traceback(r), "main.rec(...)\n\tcell:1:1 (declared here; the stack was unwound)"; got != want {
				t.Errorf("Traceback = %q, want %q", got, want)
			}
		}()
		fn.Interface().(func(int) int)(0)
	}()
	okFn, err := s.Func("ok")
	if err != nil {
		t.Fatal(err)
	}
	if got := okFn.Interface().(func(int) int)(21); got != 42 {
		t.Errorf("after the recursion error, ok(21) = %d, want 42", got)
	}

	stderr := &signalWriter{want: "panic in goroutine: runtime error: maximum recursion depth exceeded in rec", seen: make(chan bool)}
	if _, err := s.Execute(t.Context(), "go func() { rec(0) }()", IO{Stderr: stderr}); err != nil {
		t.Fatal(err)
	}
	// The goroutine outlives its cell; a check stops it and reports it to
	// the latest cell.
	select {
	case <-stderr.seen:
	case <-time.After(time.Minute):
		t.Fatalf("no report of the goroutine's recursion error; stderr = %q", stderr.String())
	}
	if v, err := s.Execute(t.Context(), "ok(1)", IO{}); err != nil || v.Text != "2" {
		t.Errorf("after the goroutine's recursion error, ok(1) = %q, %v", v.Text, err)
	}
}

// signalWriter closes seen once what it was written contains want.
type signalWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.want)
	w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
