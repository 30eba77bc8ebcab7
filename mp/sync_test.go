package mp

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSeedQueue(t *testing.T) {
	stdout, _, _ := newCell(t)
	q := NewQueue()
	m1 := start(t, qProducer, q)
	m2 := start(t, qConsume, q)
	join(t, m1)
	q.Put("Rohan")
	q.Put(nil)
	join(t, m2)
	if got, want := stdout.String(), "Rahim\nKarim\nFahim\nRohan\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestSeedArray(t *testing.T) {
	stdout, _, _ := newCell(t)
	arr := NewArray([]int{2, 3, 4, 5, 6, 7, 8})
	defer arr.Close()
	var ps []*Process
	for i := range 7 {
		ps = append(ps, start(t, arrSquare, i, arr))
	}
	join(t, ps...)
	fmt.Fprintln(stdout, arr)
	if got, want := stdout.String(), "[4 9 16 25 36 49 64]\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestSeedPipe(t *testing.T) {
	stdout, _, _ := newCell(t)
	msg := []string{"my name is pcu", "this is my msg to students", "i am taking class for multiprocssing "}
	parent, child := Pipe()
	m1 := start(t, pipeSender, child, msg)
	m2 := start(t, pipeReceive, parent)
	join(t, m1)
	child.Close()
	join(t, m2)
	parent.Close()
	want := strings.Join(msg, "\n") + "\nrecv: EOF\n"
	if got := stdout.String(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestRaceLesson(t *testing.T) {
	// The unlocked and atomic loops are long (tens of milliseconds) so that
	// the processes overlap however the scheduler starts them; the locked
	// loop pays a broker round trip per Acquire and stays short.
	const procs = 4
	for _, tc := range []struct {
		name     string
		fn       any
		n        int
		wantLoss bool
	}{
		{name: "no lock loses updates", fn: incrUnsafe, n: 1_000_000, wantLoss: true},
		{name: "lock", fn: incrLocked, n: 300},
		{name: "atomic add", fn: addValue, n: 100_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newCell(t)
			v := NewValue(0)
			defer v.Close()
			b := NewBarrier(procs)
			var ps []*Process
			for range procs {
				ps = append(ps, start(t, tc.fn, v, b, tc.n))
			}
			join(t, ps...)
			total := procs * tc.n
			got := v.Get().(int)
			if tc.wantLoss && got >= total {
				t.Errorf("counter = %d, want fewer than %d (lost updates)", got, total)
			}
			if !tc.wantLoss && got != total {
				t.Errorf("counter = %d, want %d", got, total)
			}
		})
	}
}

func TestPrimitivesAcrossProcesses(t *testing.T) {
	t.Run("event", func(t *testing.T) {
		newCell(t)
		e, q := NewEvent(), NewQueue()
		p := start(t, eventWaiter, e, q)
		if _, err := q.GetTimeout(50 * time.Millisecond); !errors.Is(err, ErrTimeout) {
			t.Fatalf("waiter did not wait: %v", err)
		}
		e.Set()
		if got := get(t, q); got != "woke" || !e.IsSet() {
			t.Errorf("got %v, IsSet %v", got, e.IsSet())
		}
		join(t, p)
	})
	t.Run("semaphore", func(t *testing.T) {
		newCell(t)
		s, q, e := NewBoundedSemaphore(2), NewQueue(), NewEvent()
		ps := []*Process{start(t, semHolder, s, q, e), start(t, semHolder, s, q, e)}
		get(t, q)
		get(t, q)
		if ok, _ := s.AcquireTimeout(0); ok {
			t.Fatal("acquired a third unit of a semaphore of 2")
		}
		e.Set()
		join(t, ps...)
		if ok, err := s.AcquireTimeout(time.Minute); !ok {
			t.Fatal(err)
		}
		s.Release()
		if err := s.Release(); err == nil {
			t.Error("over-release of a bounded semaphore succeeded")
		}
	})
	t.Run("barrier", func(t *testing.T) {
		newCell(t)
		b, q := NewBarrier(3), NewQueue()
		ps := []*Process{start(t, barrierParty, b, q), start(t, barrierParty, b, q)}
		i, err := b.Wait()
		if err != nil {
			t.Fatal(err)
		}
		got := []int{i, get(t, q).(int), get(t, q).(int)}
		slices.Sort(got)
		if !reflect.DeepEqual(got, []int{0, 1, 2}) {
			t.Errorf("indexes %v", got)
		}
		join(t, ps...)
	})
	t.Run("condition", func(t *testing.T) {
		newCell(t)
		c, q := NewCondition(nil), NewQueue()
		p := start(t, condWaiter, c, q)
		if got := get(t, q); got != "waiting" {
			t.Fatal(got)
		}
		if err := c.Acquire(); err != nil { // granted once the child waits
			t.Fatal(err)
		}
		c.NotifyAll()
		c.Release()
		if got := get(t, q); got != "notified" {
			t.Fatal(got)
		}
		join(t, p)
	})
	t.Run("rlock", func(t *testing.T) {
		newCell(t)
		l, q := NewRLock(), NewQueue()
		l.Acquire()
		p := start(t, rlockTwice, l, q)
		if _, err := q.GetTimeout(50 * time.Millisecond); !errors.Is(err, ErrTimeout) {
			t.Fatalf("child took an RLock the parent holds: %v", err)
		}
		l.Release()
		if got := get(t, q); got != "reentered" {
			t.Fatal(got)
		}
		join(t, p)
		if err := l.Release(); err == nil {
			t.Error("release of an unheld RLock succeeded")
		}
	})
	t.Run("joinable queue", func(t *testing.T) {
		newCell(t)
		q, out := NewJoinableQueue(), NewQueue()
		p := start(t, jqWorker, q, out)
		for i := range 5 {
			q.Put(i)
		}
		if err := q.Join(); err != nil {
			t.Fatal(err)
		}
		if n := out.Len(); n != 5 {
			t.Errorf("Join returned with %d results out", n)
		}
		q.Put(nil)
		join(t, p)
	})
	t.Run("struct item and unsendable item", func(t *testing.T) {
		newCell(t)
		q := NewQueue()
		join(t, start(t, putPoint, q))
		if _, err := q.Get(); !errors.Is(err, errNeedsInto) {
			t.Fatalf("Get of a struct: %v", err)
		}
		q.Put(point{X: 3})
		var pt point
		if err := q.GetInto(&pt); err != nil || pt.X != 3 {
			t.Fatalf("GetInto = %v, %+v", err, pt)
		}
		if err := q.Put(make(chan int)); err == nil || !strings.Contains(err.Error(), "chan int") {
			t.Errorf("Put(chan) = %v", err)
		}
	})
	t.Run("bounded queue", func(t *testing.T) {
		newCell(t)
		q := NewQueue(1)
		q.Put(1)
		if err := q.PutTimeout(2, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
			t.Fatalf("Put on a full queue: %v", err)
		}
		if get(t, q) != 1 || !q.Empty() {
			t.Error("bounded queue lost its item")
		}
	})
}

func TestPipeEOFAndOneWay(t *testing.T) {
	newCell(t)
	r, w := OneWayPipe()
	if err := r.Send(1); err == nil {
		t.Error("Send on a read-only end succeeded")
	}
	w.Send("x")
	w.Close()
	if v, err := r.Recv(); v != "x" || err != nil {
		t.Fatalf("Recv = %v, %v", v, err)
	}
	if _, err := r.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after close = %v, want EOF", err)
	}
	r.Close()
}
