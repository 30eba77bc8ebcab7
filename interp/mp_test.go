//go:build linux

package interp

import (
	"strings"
	"testing"
)

// These tests start real mp children: the test binary re-executed as the
// worker (see TestMain in mpchild_test.go).

// TestMPTrailingValues runs cells that use mp with real worker processes
// and checks their trailing values: each cell's value has its own type,
// whatever the previous cell's was.
func TestMPTrailingValues(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	useMP(t, s)
	cells := []struct{ code, want string }{
		{`import "mp"
func square(n int) int { return n * n }
pool := mp.NewPool(2)
q := mp.NewQueue()
q.Put("hello")`, ""},
		{`pool.Map(square, []int{1, 2, 3})`, "[value] [1 4 9]\n"},
		{`q.Get()`, "[value] \"hello\"\n"},
		{`pool.Map(square, []int{4})`, "[value] [16]\n"},
		{`pool.Close()`, ""},
	}
	for i, c := range cells {
		name := "In[" + string(rune('1'+i)) + "]"
		got := runCell(t, s, name, c.code, nil, false)
		if got != c.want {
			t.Errorf("%s:\n%s\ngot:\n%s\nwant:\n%s", name, c.code, got, strings.TrimSpace(c.want))
		}
	}
}

// TestMPPanicText checks that a pool task's run-time error reads as Go's
// own, on the cell's stderr and in the error the call returns.
func TestMPPanicText(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	useMP(t, s)
	got := runCell(t, s, "In[1]", `import "mp"
func at(i int) int { return []int{1, 2}[i] }
pool := mp.NewPool(1)
_, err := pool.Map(at, []int{0, 5})
pool.Close()
err`, nil, false)
	want := "runtime error: index out of range"
	if !strings.Contains(got, "[stderr]\npanic: "+want) || !strings.Contains(got, "[value] mp: at (item 1) panicked: "+want) {
		t.Errorf("got:\n%s\nwant the panic and the error to read %q", got, want)
	}
	if strings.Contains(got, "reflect") {
		t.Errorf("got:\n%s\nwant no reflect message", got)
	}
}
