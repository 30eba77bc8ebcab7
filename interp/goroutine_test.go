package interp

import (
	"strings"
	"sync"
	"testing"
)

// notifyWriter signals when what it received contains want.
type notifyWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.b.String(), w.want)
	w.b.Write(p)
	if !had && strings.Contains(w.b.String(), w.want) {
		close(w.seen)
	}
	return len(p), nil
}

// TestGoroutinePanic checks that a panic in a goroutine a cell started is
// reported on the cell's stderr and the session keeps working.
func TestGoroutinePanic(t *testing.T) {
	s := newTestSession(t)
	stderr := &notifyWriter{want: "panic in goroutine: assignment to entry in nil map\n", seen: make(chan struct{})}
	code := "x := 1\ngo func() {\n\tvar m map[string]int\n\tm[\"a\"] = x\n}()"
	if _, err := s.Execute(t.Context(), code, IO{Name: "c", Stderr: stderr}); err != nil {
		t.Fatal(err)
	}
	<-stderr.seen
	if v := mustRun(t, s, "x + 1"); v.Text != "2" {
		t.Errorf("after the goroutine panicked, x + 1 = %s", v.Text)
	}
}

func TestGuardGoKeepsArguments(t *testing.T) {
	for _, tc := range []struct{ name, code, want string }{
		{"literal args stay", "ch := make(chan int, 1)\nfunc put(c chan int, v int64) { c <- int(v) }\ngo put(ch, 5)\n<-ch", "5"},
		{"func expression evaluated early", "fs := []func(chan int){func(c chan int) { c <- 10 }, func(c chan int) { c <- 20 }}\ni := 0\nres := make(chan int)\ngo fs[i](res)\ni = 1\n<-res", "10"},
		{"argument evaluated early", "v := 1\nres := make(chan int)\ngo func(n int) { res <- n }(v)\nv = 2\n<-res", "1"},
		{"variadic", "func sum(out chan int, xs ...int) { t := 0; for _, x := range xs { t += x }; out <- t }\nxs := []int{1, 2, 3}\nr := make(chan int)\ngo sum(r, xs...)\n<-r", "6"},
		{"builtin", "go println()\n1", "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession(t)
			if v := mustRun(t, s, tc.code); v.Text != tc.want {
				t.Errorf("value = %s, want %s", v.Text, tc.want)
			}
		})
	}
}
