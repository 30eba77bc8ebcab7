package mp

import (
	"context"
	"testing"
)

func init() {
	funcs["putManyAfter"] = putManyAfter
}

func putManyAfter(e *Event, q *Queue, n int) {
	e.Wait()
	putMany(q, n)
}

// BenchmarkQueueChildToParent measures messages per second through a Queue
// from a child to the parent, as bench/mp_bench.py does for Python.
func BenchmarkQueueChildToParent(b *testing.B) {
	benchCell(b)
	e, q := NewEvent(), NewQueue()
	defer q.Close()
	p := start(b, putManyAfter, e, q, b.N)
	b.ResetTimer()
	e.Set()
	for {
		v, err := q.Get()
		if err != nil {
			b.Fatal(err)
		}
		if v == nil {
			break
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	join(b, p)
}

// BenchmarkPipeRoundTrip measures a Send to a child that echoes and the
// Recv of its answer.
func BenchmarkPipeRoundTrip(b *testing.B) {
	benchCell(b)
	a, c := Pipe()
	p := start(b, echo, c)
	c.Close()
	a.Send(0)
	a.Recv()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Send(i)
		if _, err := a.Recv(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	a.Close()
	join(b, p)
}

// benchCell makes a fresh cell current for a benchmark. Its context can
// be cancelled, as a kernel cell's, so waits take their interruptible path.
func benchCell(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	host.mu.Lock()
	host.cell = Cell{Context: ctx, Stdout: &recorder{}, Stderr: &recorder{}}
	host.mu.Unlock()
}
