package mp

import (
	"context"
	"fmt"
	"sync"
)

// AsyncResult is the future result of ApplyAsync or MapAsync.
type AsyncResult struct {
	done chan struct{}
	val  any
	err  error
}

func newAsyncResult() *AsyncResult { return &AsyncResult{done: make(chan struct{})} }

func (r *AsyncResult) set(v any, err error) {
	r.val, r.err = v, err
	close(r.done)
}

// Get waits for the result: the target's value for ApplyAsync, the []any
// of values for MapAsync. If the current cell is interrupted while Get
// waits, it returns ErrInterrupted (the tasks of the interrupted cell are
// aborted too).
func (r *AsyncResult) Get() (any, error) {
	if err := r.Wait(); err != nil {
		return nil, err
	}
	return r.val, r.err
}

// Wait waits until the result is ready; it fails only when the current
// cell is interrupted.
func (r *AsyncResult) Wait() error {
	select {
	case <-r.done:
		return nil
	case <-currentContext().Done():
		return ErrInterrupted
	}
}

// Ready reports whether the result has arrived.
func (r *AsyncResult) Ready() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Successful reports whether the result has arrived without an error;
// it is false while the result is not ready.
func (r *AsyncResult) Successful() bool { return r.Ready() && r.err == nil }

// currentContext is the context of the cell running now (Background
// without a host).
func currentContext() context.Context {
	if h, _, err := currentHost(); err == nil {
		return contextOf(h.Cell())
	}
	return context.Background()
}

// Item is one result of Imap or ImapUnordered: the index of its input,
// and the target's value or the error that replaced it.
type Item struct {
	Index int
	Value any
	Err   error
}

// gather collects the results of a Map-like call made of chunks: the
// values in input order, and the error of the lowest failing item. The
// pool's worker loops call chunkDone; nothing they call blocks.
type gather struct {
	mu      sync.Mutex
	vals    []any
	err     error
	errAt   int
	pending int // chunks not yet done
	done    chan struct{}
	// For Imap: items go to out, in input order unless unordered.
	out       chan Item
	unordered bool
	ready     []bool // item i has a value or an error
	next      int    // first item not yet sent (ordered)
	errs      []error
	onDone    []func(vals any, err error)
}

// whenDone arranges for f to get the result once every chunk is done (at
// once if they are), before a waiting caller is released. f runs on a
// pool's worker loop and must not block.
func (g *gather) whenDone(f func(vals any, err error)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending > 0 {
		g.onDone = append(g.onDone, f)
		return
	}
	g.finish(f)
}

// finish hands the result to f: the values, or the first error.
func (g *gather) finish(f func(vals any, err error)) {
	if g.err != nil {
		f(nil, g.err)
		return
	}
	f(g.vals, nil)
}

func newGather(n, chunks int) *gather {
	g := &gather{vals: make([]any, n), pending: chunks, done: make(chan struct{}), errAt: n}
	if chunks == 0 {
		close(g.done)
	}
	return g
}

// stream turns g into an Imap source: out can hold every item, so the
// worker loops never wait for the reader.
func (g *gather) stream(unordered bool) <-chan Item {
	g.out = make(chan Item, len(g.vals))
	g.unordered = unordered
	g.ready = make([]bool, len(g.vals))
	g.errs = make([]error, len(g.vals))
	if g.pending == 0 {
		close(g.out)
	}
	return g.out
}

// chunkDone records the results of items first, first+1, ... of a chunk
// of n items; if err is not nil, it belongs to item first+len(vals) and
// the rest of the chunk did not run.
func (g *gather) chunkDone(first, n int, vals []any, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	copy(g.vals[first:], vals)
	if err != nil && first+len(vals) < g.errAt {
		g.err, g.errAt = err, first+len(vals)
	}
	if g.out != nil {
		for i := range n {
			idx := first + i
			switch {
			case i < len(vals):
			case i == len(vals):
				g.errs[idx] = err
			default:
				g.errs[idx] = fmt.Errorf("item %d not run: an earlier item of its chunk failed: %w", idx, err)
			}
			g.ready[idx] = true
			if g.unordered {
				g.send(idx)
			}
		}
		for !g.unordered && g.next < len(g.vals) && g.ready[g.next] {
			g.send(g.next)
			g.next++
		}
	}
	g.pending--
	if g.pending == 0 {
		for _, f := range g.onDone {
			g.finish(f)
		}
		close(g.done)
		if g.out != nil {
			close(g.out)
		}
	}
}

func (g *gather) send(i int) {
	g.out <- Item{Index: i, Value: g.vals[i], Err: g.errs[i]}
}

// wait returns the values in input order, or the first error, or
// ErrInterrupted when ctx is done first.
func (g *gather) wait(ctx context.Context) ([]any, error) {
	select {
	case <-g.done:
	case <-ctx.Done():
		return nil, ErrInterrupted
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return nil, g.err
	}
	return g.vals, nil
}
