package interp

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/gomp-kernel/gomp/mp"
)

// workerEnv marks the test binary re-executed as an mp worker (the
// helper-process pattern): TestMPWorkerProcess then serves its parent as
// `gomp worker` does, with an interpreter Session of its own.
const workerEnv = "GOMP_INTERP_TEST_WORKER=1"

// TestMPWorkerProcess is the worker's main when the test binary runs as
// one; in a normal run it returns at once.
func TestMPWorkerProcess(t *testing.T) {
	if os.Getenv("GOMP_INTERP_TEST_WORKER") != "1" {
		return
	}
	signal.Ignore(syscall.SIGINT)
	sess, err := New(Options{ExitProcess: true})
	if err != nil {
		os.Exit(2)
	}
	mp.SetHost(sess, workerConfig())
	err = mp.ServeWorker(context.Background(), sess)
	mp.Shutdown()
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

func workerConfig() mp.Config {
	return mp.Config{Path: os.Args[0], Args: []string{"-test.run=^TestMPWorkerProcess$"}, Env: []string{workerEnv}, NoSpare: true}
}

// TestMPTrailingValues runs cells that use mp with real worker processes
// and checks their trailing values: each cell's value has its own type,
// whatever the previous cell's was.
func TestMPTrailingValues(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mp.SetHost(s, workerConfig())
	defer mp.Shutdown()
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
	mp.SetHost(s, workerConfig())
	defer mp.Shutdown()
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
