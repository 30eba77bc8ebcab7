package mp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLockReleasedWhenHolderKilled(t *testing.T) {
	newCell(t)
	l, q, held, die := NewLock(), NewQueue(), NewEvent(), NewEvent()
	p := start(t, lockAndDie, l, held, die)
	if ok, err := held.WaitTimeout(time.Minute); !ok {
		t.Fatalf("the child did not take the lock: %v", err)
	}
	// The child holds the lock until die is set: before, it killed itself
	// at once and this check raced with the broker releasing its lock.
	if ok, _ := l.AcquireTimeout(0); ok {
		t.Fatal("took the lock while the child held it")
	}
	die.Set()
	join(t, p)
	if code, _ := p.ExitCode(); code != -9 {
		t.Fatalf("exit code %d, want -9", code)
	}
	ok, err := l.AcquireTimeout(time.Minute)
	if !ok || err != nil {
		t.Fatalf("AcquireTimeout after the holder died = %v, %v", ok, err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	q.Put(1)
	if got := get(t, q); got != 1 {
		t.Errorf("queue after the kill gave %v, want 1", got)
	}
}

func TestQueueVolume(t *testing.T) {
	newCell(t)
	t.Run("100 MiB item", func(t *testing.T) {
		q := NewQueue()
		defer q.Close()
		p := start(t, putBig, q, 100<<20)
		var b []byte
		if err := q.GetInto(&b); err != nil {
			t.Fatal(err)
		}
		join(t, p)
		if len(b) != 100<<20 {
			t.Errorf("got %d bytes", len(b))
		}
	})
	t.Run("1,000,000 ints in order", func(t *testing.T) {
		q := NewQueue()
		defer q.Close()
		const n = 1_000_000
		p := start(t, putMany, q, n)
		for i := 0; ; i++ {
			v := get(t, q)
			if v == nil {
				if i != n {
					t.Fatalf("got %d items, want %d", i, n)
				}
				break
			}
			if v != i {
				t.Fatalf("item %d is %v", i, v)
			}
		}
		join(t, p)
	})
}

func TestWaitInterrupted(t *testing.T) {
	_, _, interrupt := newCell(t)
	q, l, e := NewQueue(), NewLock(), NewEvent()
	a, b := Pipe()
	defer a.Close()
	defer b.Close()
	l.Acquire()
	done := make(chan error, 4)
	go func() { _, err := q.Get(); done <- err }()
	go func() { done <- l.Acquire() }()
	go func() { done <- e.Wait() }()
	go func() { _, err := a.Recv(); done <- err }()
	interrupt()
	for range 4 {
		if err := <-done; !errors.Is(err, ErrInterrupted) {
			t.Errorf("wait = %v, want ErrInterrupted", err)
		}
	}
}

// mpFiles lists this process's mp files in /dev/shm and the temp dir.
func mpFiles(t *testing.T) []string {
	var out []string
	for _, dir := range []string{shmDir, os.TempDir()} {
		m, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("gomp-%d-mp-*", os.Getpid())))
		out = append(out, m...)
	}
	return out
}

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestSharedNoLeaks(t *testing.T) {
	newCell(t)
	Shutdown()
	fds := openFDs(t)
	a, v, q := NewArray([]float64{1, 2}), NewValue(int32(1)), NewQueue()
	c1, c2 := Pipe()
	p := start(t, eventWaiter, NewEvent(), q)
	if len(mpFiles(t)) == 0 {
		t.Fatal("no shared memory or socket files while objects exist")
	}
	p.Kill()
	join(t, p)
	a.Close()
	v.Close()
	c1.Close()
	c2.Close()
	Shutdown()
	if files := mpFiles(t); len(files) != 0 {
		t.Errorf("left behind: %v", files)
	}
	if n := openFDs(t); n != fds {
		t.Errorf("%d fds open after Shutdown, %d before", n, fds)
	}
	stale := filepath.Join(shmDir, "gomp-999999999-mp-x")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	NewValue(1).Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale segment of a dead process not removed: %v", err)
	}
}

func TestHandlesReachGrandchildren(t *testing.T) {
	newCell(t)
	q, a, l := NewQueue(), NewArray([]int{7}), NewLock()
	defer a.Close()
	mine, theirs := Pipe()
	p := start(t, viaChild, q, a, theirs, l)
	theirs.Close()
	// Named as Python names them: the child's identity, then the count.
	if got, want := get(t, q), p.Name+":1, grandchild of "+p.Name; got != want {
		t.Errorf("queue gave %q, want %q", got, want)
	}
	if v, err := mine.Recv(); v != "hello from below" {
		t.Errorf("pipe gave %v, %v", v, err)
	}
	if _, err := mine.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("pipe after the grandchild closed: %v, want EOF", err)
	}
	mine.Close()
	join(t, p)
	if code, _ := p.ExitCode(); code != 0 || a.Get(0) != 49 {
		t.Errorf("exit code %d, array %v", code, a)
	}
}

func TestHandlesInPool(t *testing.T) {
	newCell(t)
	q := NewQueue()
	pool := NewPool(2)
	defer pool.Close()
	out, err := pool.Starmap(poolPut, [][]any{{q, 1}, {q, 2}, {q, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("Starmap = %v", out)
	}
	sum := 0
	for range 3 {
		sum += get(t, q).(int)
	}
	if sum != 14 {
		t.Errorf("squares summed to %d, want 14", sum)
	}
}

func TestHandleInPoolInitializer(t *testing.T) {
	newCell(t)
	q := NewQueue()
	pool := NewPool(1, WithInitializer(poolInit, q))
	defer pool.Close()
	if _, err := pool.Map(square, []int{1, 2}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, q); got != "init" {
		t.Errorf("initializer put %v", got)
	}
}

func TestQueueSurvivesKilledProducer(t *testing.T) {
	newCell(t)
	q, started := NewQueue(), NewQueue()
	defer q.Close()
	p := start(t, putHuge, q, started)
	get(t, started)
	p.Kill()
	join(t, p)
	q.Put(1)
	first, err := q.GetTimeout(time.Minute)
	if errors.Is(err, errNeedsInto) { // the whole []byte arrived before the kill
		first, err = q.GetTimeout(time.Minute)
	}
	if err != nil {
		t.Fatal(err)
	}
	if first != 1 || !q.Empty() {
		t.Errorf("after the killed Put: got %v, %d left; want 1, none", first, q.Len())
	}
}
