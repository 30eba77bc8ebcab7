package mp

import (
	"strings"
	"testing"
)

// TestWorkersOptions checks how a Process takes WithWorkers from among its
// arguments, refuses the pool-only options there, and that without a
// Builder every kind runs (interpreted) workers as before.
func TestWorkersOptions(t *testing.T) {
	stdout, _, _ := newCell(t)
	for _, k := range []Workers{Auto, Compiled, Interpreted} {
		p := NewProcess(printNumber, 7, WithWorkers(k))
		if err := p.Start(); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Count(stdout.String(), "prints 7\n"); got != 3 {
		t.Errorf("stdout %q, want three calls with 7", stdout.String())
	}
	p := NewProcess(printNumber, 7, WithChunkSize(2))
	if err := p.Start(); err == nil || !strings.Contains(err.Error(), "only WithWorkers is an option of a Process") {
		t.Errorf("WithChunkSize on a Process: %v", err)
	}
	pool := NewPool(1, WithWorkers(Interpreted))
	defer pool.Terminate()
	if out, err := pool.Map(square, []int{3}, WithWorkers(Compiled)); err != nil || out[0] != any(9) {
		t.Errorf("Map with WithWorkers: %v, %v", out, err)
	}
	for k, want := range map[Workers]string{Auto: "Auto", Compiled: "Compiled", Interpreted: "Interpreted", Workers(9): "Workers(9)"} {
		if k.String() != want {
			t.Errorf("%d.String() = %s", int(k), k)
		}
	}
}

// TestWorkersFromEnv checks GOMP_WORKERS, the notebook-wide default.
func TestWorkersFromEnv(t *testing.T) {
	for env, want := range map[string]Workers{"compiled": Compiled, "Interpreted": Interpreted, "auto": Auto, "": Auto, "bogus": Auto} {
		t.Setenv("GOMP_WORKERS", env)
		if got := workersFromEnv(); got != want {
			t.Errorf("GOMP_WORKERS=%q: %s, want %s", env, got, want)
		}
	}
}
