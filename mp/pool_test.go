package mp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPoolCalls(t *testing.T) {
	newCell(t)
	pool := NewPool(3)
	defer pool.Terminate()
	squares := []any{1, 4, 9, 16, 25, 36, 49, 64, 81}
	xs := []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		name string
		call func() (any, error)
		want any
	}{
		{"Map", func() (any, error) { return pool.Map(square, xs) }, squares},
		{"Map empty", func() (any, error) { return pool.Map(square, []int{}) }, []any{}},
		{"Map array", func() (any, error) { return pool.Map(square, [3]int{1, 2, 3}) }, []any{1, 4, 9}},
		{"Starmap", func() (any, error) { return pool.Starmap(pow, [][]any{{2, 3}, {3, 2}, {2.5, 2}}) }, []any{8.0, 9.0, 6.25}},
		{"Starmap variadic", func() (any, error) { return pool.Starmap(sum, [][]int{{1}, {1, 2, 3}}) }, []any{1, 6}},
		{"Apply", func() (any, error) { return pool.Apply(square, 7) }, 49},
		{"Apply variadic", func() (any, error) { return pool.Apply(sum, 1, 2, 3, 4) }, 10},
		{"Apply two results", func() (any, error) { return pool.Apply(funcs["echoPair"], 1, "a") }, []any{"a", 1}},
		{"ApplyAsync", func() (any, error) {
			r := pool.ApplyAsync(square, 8)
			v, err := r.Get()
			if !r.Ready() || !r.Successful() {
				return nil, errors.New("not ready or not successful after Get")
			}
			return v, err
		}, 64},
		{"MapAsync", func() (any, error) {
			r := pool.MapAsync(square, xs)
			if err := r.Wait(); err != nil {
				return nil, err
			}
			return r.Get()
		}, squares},
		{"Imap", func() (any, error) {
			var out []any
			for it := range pool.Imap(square, xs) {
				if it.Err != nil || it.Index != len(out) {
					return nil, fmt.Errorf("item %d: %v", it.Index, it.Err)
				}
				out = append(out, it.Value)
			}
			return out, nil
		}, squares},
		{"ImapUnordered", func() (any, error) {
			out := make([]any, len(xs))
			n := 0
			for it := range pool.ImapUnordered(square, xs) {
				if it.Err != nil {
					return nil, it.Err
				}
				out[it.Index] = it.Value
				n++
			}
			if n != len(xs) {
				return nil, fmt.Errorf("%d items", n)
			}
			return out, nil
		}, squares},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.call()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestPoolErrors(t *testing.T) {
	newCell(t)
	pool := NewPool(2)
	defer pool.Terminate()
	xs := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		name string
		call func() error
		want []string
	}{
		{"panic", func() error { _, err := pool.Map(panicAt, xs); return err },
			[]string{"panicAt (item 5) panicked: boom at 5", "traceback of boom at 5", "mp.panicAt"}},
		{"error result", func() error { _, err := pool.Map(failAt, xs); return err },
			[]string{"failAt (item 3): three is not allowed"}},
		{"bad item", func() error { _, err := pool.Map(square, []any{1, "two"}); return err },
			[]string{"mp.Pool.Map(square): item 1: argument 1: string does not fit"}},
		{"bad star item", func() error { _, err := pool.Starmap(pow, []any{1}); return err },
			[]string{"item 0: a int, want a slice"}},
		{"items not a slice", func() error { _, err := pool.Map(square, 3); return err },
			[]string{"items is a int, want a slice"}},
		{"chan item", func() error { _, err := pool.Map(funcs["echoChan"], []chan int{nil}); return err },
			[]string{"item 0: argument 1 (chan int) cannot be sent to another process"}},
		{"os.Exit", func() error { _, err := pool.Apply(exitWith, 3); return err },
			[]string{"worker died", "exited with status 3 while running exitWith"}},
		{"closure", func() error { _, err := pool.Apply(func() {}); return err },
			[]string{"closures cannot run"}},
		{"Imap panic", func() error {
			var errs []string
			for it := range pool.Imap(panicAt, xs) {
				if it.Err != nil {
					errs = append(errs, strconv.Itoa(it.Index))
				}
			}
			return errors.New(strings.Join(errs, ","))
		}, []string{"5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// The pool stays usable.
			if v, err := pool.Apply(square, 3); err != nil || v != 9 {
				t.Errorf("Apply after failure = %v, %v", v, err)
			}
		})
	}
}

func TestPoolWorkerKilledMidTask(t *testing.T) {
	stdout, _, _ := newCell(t)
	stdout.watch = "pid "
	pool := NewPool(1)
	defer pool.Terminate()
	r := pool.ApplyAsync(printPid, 0)
	line := <-stdout.seen
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err = r.Get()
	if !errors.Is(err, ErrWorkerDied) || !strings.Contains(err.Error(), "killed by signal 9") {
		t.Fatalf("Get() = %v, want ErrWorkerDied by signal 9", err)
	}
	if _, err := pool.Map(killSelf, []int{1}); !errors.Is(err, ErrWorkerDied) {
		t.Fatalf("Map(killSelf) = %v", err)
	}
	got, err := pool.Map(pid2, []int{1, 2})
	if err != nil || len(got) != 2 || got[0] == pid {
		t.Errorf("Map after kill = %v, %v", got, err)
	}
}

func pid2(n int) int { return pid(n) }

func init() { funcs["pid2"] = pid2 }

func TestPoolInterrupt(t *testing.T) {
	stdout, _, interrupt := newCell(t)
	stdout.watch = "pid "
	pool := NewPool(2)
	defer pool.Terminate()
	done := make(chan error, 1)
	go func() {
		_, err := pool.Map(printPid, []int{1, 2, 3, 4})
		done <- err
	}()
	<-stdout.seen
	interrupt()
	if err := <-done; !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Map() = %v, want ErrInterrupted", err)
	}
	newCell(t)
	if got, err := pool.Map(square, []int{1, 2, 3}); err != nil || !reflect.DeepEqual(got, []any{1, 4, 9}) {
		t.Errorf("Map after interrupt = %v, %v", got, err)
	}
}

func TestPoolInitializerAndMaxTasks(t *testing.T) {
	newCell(t)
	pool := NewPool(2, WithInitializer(setGlobal, 42), WithMaxTasksPerChild(1), WithChunkSize(1))
	defer pool.Terminate()
	got, err := pool.Map(getGlobal, []int{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []any{42, 42, 42, 42}) {
		t.Errorf("globals = %v, want the initializer's 42 everywhere", got)
	}
	pids, err := pool.Map(pid, []int{0, 1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(anyInts(pids))))); n != 6 {
		t.Errorf("%d distinct pids for 6 tasks with one task per child: %v", n, pids)
	}
	bad := NewPool(1, WithInitializer(setGlobal, "x"))
	if _, err := bad.Apply(square, 1); err == nil || !strings.Contains(err.Error(), "mp.WithInitializer(setGlobal, ...): argument 1") {
		t.Errorf("bad initializer: %v", err)
	}
}

func anyInts(xs []any) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = x.(int)
	}
	return out
}

func TestPoolChunking(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers int
		n       int
		opt     []Option
		want    int
	}{
		{"python default", 4, 100, nil, 7},
		{"small", 4, 3, nil, 1},
		{"explicit", 2, 100, []Option{WithChunkSize(10)}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newCell(t)
			p := NewPool(tc.workers, tc.opt...)
			defer p.Terminate()
			if got := p.chunkSize(p.opts, tc.n, false); got != tc.want {
				t.Errorf("chunk size = %d, want %d", got, tc.want)
			}
			xs := make([]int, tc.n)
			for i := range xs {
				xs[i] = i
			}
			got, err := p.Map(pid, xs)
			if err != nil || len(got) != tc.n {
				t.Fatalf("Map = %d results, %v", len(got), err)
			}
			for i := tc.want; i < tc.n; i += tc.want {
				// Items of one chunk run on one worker.
				if got[i-1] != got[i-tc.want] {
					t.Fatalf("items %d and %d of one chunk ran on different workers", i-tc.want, i-1)
				}
			}
		})
	}
}

func TestPoolSnapshotAndOutputRouting(t *testing.T) {
	setSnapshot("v1")
	out1, _, _ := newCell(t)
	pool := NewPool(1)
	defer pool.Terminate()
	if got, err := pool.Apply(seen, 0); err != nil || got != "v1" {
		t.Fatalf("first task saw %v, %v", got, err)
	}
	setSnapshot("v2") // a later cell declared something
	out2, _, _ := newCell(t)
	if got, err := pool.Apply(seen, 0); err != nil || got != "v2" {
		t.Fatalf("task after a new cell saw %v, %v", got, err)
	}
	if _, err := pool.Apply(printLines, 2, 500); err != nil {
		t.Fatal(err)
	}
	// The task's output reached its own cell before its result.
	if n := strings.Count(out2.String(), "\n"); n != 500 {
		t.Errorf("cell 2 has %d lines when Apply returned, want 500", n)
	}
	if out1.String() != "" {
		t.Errorf("cell 1 got output of cell 2's task: %q", out1.String())
	}
	setSnapshot("")
}

func TestPoolCloseJoin(t *testing.T) {
	newCell(t)
	pool := NewPool(2)
	if err := pool.Join(); err == nil {
		t.Error("Join of a running pool succeeded")
	}
	r := pool.MapAsync(square, []int{1, 2, 3})
	pool.Close()
	pool.Close()
	if err := pool.Join(); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Get(); err != nil || !reflect.DeepEqual(v, []any{1, 4, 9}) {
		t.Errorf("queued work after Close = %v, %v", v, err)
	}
	if _, err := pool.Apply(square, 1); err == nil {
		t.Error("Apply on a closed pool succeeded")
	}
	pool.Terminate()
	pool.Terminate()
}

// TestPoolReplacesWorkersKilledWhileIdle kills every worker of an idle
// pool with SIGKILL: the next Map must run on fresh workers as if nothing
// had happened (the tasks never started), whether or not the pool noticed
// the deaths before the call, and the pool must be back to its size.
func TestPoolReplacesWorkersKilledWhileIdle(t *testing.T) {
	for _, tc := range []struct {
		name    string
		noticed bool // wait until the pool replaced the workers before the Map
	}{
		{"Map right after the deaths", false},
		{"Map after the pool replaced them", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newCell(t)
			pool := NewPool(2)
			defer pool.Terminate()
			xs := []int{1, 2, 3, 4, 5, 6}
			want := []any{1, 4, 9, 16, 25, 36}
			if got, err := pool.Map(square, xs); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("first Map = %v, %v", got, err)
			}
			killed := pool.workerPids()
			if len(killed) != 2 {
				t.Fatalf("pool of 2 has workers %v", killed)
			}
			for _, pid := range killed {
				killAndWaitExit(t, pid)
			}
			replaced := func() bool {
				pids := pool.workerPids()
				return len(pids) == 2 && !slices.ContainsFunc(pids, func(p int) bool { return slices.Contains(killed, p) })
			}
			if tc.noticed {
				waitUntil(t, "the pool replaced its dead workers", replaced)
			}
			if got, err := pool.Map(square, xs); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Map after the workers were killed = %v, %v; want %v", got, err, want)
			}
			waitUntil(t, "the pool is back to 2 workers", replaced)
			for _, pid := range pool.workerPids() {
				if err := syscall.Kill(pid, 0); err != nil {
					t.Errorf("worker %d: %v", pid, err)
				}
			}
		})
	}
}

// workerPids returns the process ids of the pool's current workers.
func (p *Pool) workerPids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for _, w := range p.workers {
		if w != nil && w.c.alive() {
			pids = append(pids, w.c.pid())
		}
	}
	return pids
}

// killAndWaitExit sends SIGKILL to pid and returns once the process has
// exited (it may not have been waited for yet).
func killAndWaitExit(t *testing.T, pid int) {
	t.Helper()
	fd, err := pidfdOpen(pid)
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", pid, err)
	}
	defer syscall.Close(fd)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !waitReadable(fd, time.Minute) {
		t.Fatalf("worker %d still running a minute after SIGKILL", pid)
	}
}

// waitUntil polls cond until it holds, failing the test if it does not
// within a minute (a bound for a hung test, not a timing assertion).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}

// TestNewPoolWarnsAboutManyWorkers checks the one-line warning for a pool
// of many more workers than cores. The cell is interrupted beforehand, so
// that no worker starts: the warning comes before any.
func TestNewPoolWarnsAboutManyWorkers(t *testing.T) {
	cores := CPUCount()
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"at the limit", manyPerCore * cores, ""},
		{"above it", manyPerCore*cores + 1, fmt.Sprintf("mp: NewPool(%d) starts %[1]d worker processes on %d cores (about 24 MB each)\n", manyPerCore*cores+1, cores)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, interrupt := newCell(t)
			interrupt()
			p := NewPool(tc.n)
			defer p.Terminate()
			if got := stderr.String(); got != tc.want {
				t.Errorf("stderr %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNewPoolInterruptedWhileStarting interrupts the cell while a large
// pool starts: NewPool must stop starting workers, end those it started,
// and leave a pool whose calls say it was interrupted.
func TestNewPoolInterruptedWhileStarting(t *testing.T) {
	Shutdown() // no spare: every child from here on is the pool's
	starts := filepath.Join(t.TempDir(), "starts")
	SetHost(host, Config{Path: os.Args[0], Env: []string{"GOMP_TEST_MODE=worker", "GOMP_TEST_STARTS=" + starts}, NoSpare: true})
	defer SetHost(host, Config{Path: os.Args[0], Env: []string{"GOMP_TEST_MODE=worker"}})
	_, _, interrupt := newCell(t)
	n := 20 * CPUCount()
	started := func() int {
		b, _ := os.ReadFile(starts)
		return strings.Count(string(b), "\n")
	}
	// Interrupt once the first worker runs.
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for started() == 0 {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
		interrupt()
	}()
	pool := NewPool(n)
	defer pool.Terminate()
	close(stop)
	<-watched
	if _, err := pool.Map(square, []int{1}); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Map on a pool interrupted while starting = %v, want ErrInterrupted", err)
	}
	if got := started(); got == 0 || got >= n/2 {
		t.Errorf("%d of %d workers started before the interrupt stopped NewPool", got, n)
	}
	if kids := childPids(t); len(kids) > 0 {
		t.Errorf("children %v still there after the interrupted NewPool returned", kids)
	}
}

// childPids lists the test process's child processes.
func childPids(t *testing.T) []string {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, name := range tasks {
		b, err := os.ReadFile(name)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		pids = append(pids, strings.Fields(string(b))...)
	}
	return pids
}
