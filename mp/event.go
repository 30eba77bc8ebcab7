package mp

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Event is a flag shared by processes, as Python's Event: Wait blocks
// until some process calls Set.
type Event struct{ r ref }

// NewEvent creates a cleared Event.
func NewEvent() *Event { return &Event{r: newRef(&eventObj{})} }

// Set sets the flag and wakes every waiter.
func (e *Event) Set() error { return simple("event set", e.r, opSet) }

// Clear clears the flag.
func (e *Event) Clear() error { return simple("event clear", e.r, opClear) }

// IsSet reports whether the flag is set (false if the event is gone).
func (e *Event) IsSet() bool {
	r, err := e.r.call(opIsSet, e.r.req(), nil)
	return err == nil && len(r.body) == 1 && r.body[0] == 1
}

// Wait blocks until the flag is set (interruptible).
func (e *Event) Wait() error { return simple("event wait", e.r, opWait) }

// WaitTimeout is Wait giving up after d; it reports whether the flag is
// set.
func (e *Event) WaitTimeout(d time.Duration) (bool, error) {
	t, stop := timer(d)
	defer stop()
	_, err := e.r.call(opWait, e.r.req(), t)
	if errors.Is(err, ErrTimeout) {
		return false, nil
	}
	return err == nil, err
}

func (e *Event) appendHandle(dst []byte) ([]byte, error) { return e.r.append(dst) }

// Condition is a condition variable shared by processes, as Python's
// Condition: Wait releases its lock, waits for Notify, and takes the lock
// back before returning. Its lock must have been created in the same
// process as the Condition. A Wait that is interrupted or times out
// returns without the lock held.
type Condition struct {
	r ref
	l lockHandle
}

// lockHandle is a *Lock or *RLock.
type lockHandle interface {
	Acquire() error
	Release() error
	handle
}

// NewCondition creates a Condition over lock, a *Lock or *RLock; nil
// means a new RLock, as in Python.
func NewCondition(lock any) *Condition {
	var l lockHandle
	var lr ref
	switch x := lock.(type) {
	case nil:
		rl := NewRLock()
		l, lr = rl, rl.r
	case *Lock:
		l, lr = x, x.r
	case *RLock:
		l, lr = x, x.r
	default:
		return &Condition{r: ref{err: fmt.Errorf("mp.NewCondition: lock is a %T, want *mp.Lock or *mp.RLock", lock)}}
	}
	if lr.err != nil {
		return &Condition{r: ref{err: lr.err}}
	}
	b, err := localBroker()
	if err != nil {
		return &Condition{r: ref{err: err}}
	}
	b.mu.Lock()
	lo, ok := b.objs[lr.id].(lockObj)
	b.mu.Unlock()
	if lr.path != b.path || !ok {
		return &Condition{r: ref{err: errors.New("mp.NewCondition: the lock was not created in this process")}}
	}
	return &Condition{r: newRef(&condObj{lock: lo}), l: l}
}

// Acquire takes the condition's lock.
func (c *Condition) Acquire() error {
	if c.l == nil {
		return c.r.err
	}
	return c.l.Acquire()
}

// Release releases the condition's lock.
func (c *Condition) Release() error {
	if c.l == nil {
		return c.r.err
	}
	return c.l.Release()
}

// Wait releases the lock, which this process must hold, waits to be
// notified, and takes the lock again.
func (c *Condition) Wait() error {
	_, err := c.WaitTimeout(-1)
	return err
}

// WaitTimeout is Wait giving up after d (d < 0: never); it reports
// whether it was notified.
func (c *Condition) WaitTimeout(d time.Duration) (bool, error) {
	t, stop := timer(d)
	defer stop()
	_, err := c.r.call(opWait, c.r.req(), t)
	if errors.Is(err, ErrTimeout) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("condition wait: %w", err)
	}
	return true, nil
}

// Notify wakes up to n waiters; NotifyAll wakes them all.
func (c *Condition) Notify(n int) error {
	if _, err := c.r.call(opNotify, c.r.req().uint(uint64(n)), nil); err != nil {
		return fmt.Errorf("condition notify: %w", err)
	}
	return nil
}

// NotifyAll wakes every waiter.
func (c *Condition) NotifyAll() error { return c.Notify(1 << 30) }

func (c *Condition) appendHandle(dst []byte) ([]byte, error) {
	dst, err := c.r.append(dst)
	if err != nil {
		return dst, err
	}
	_, isR := c.l.(*RLock)
	if isR {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	return c.l.appendHandle(dst)
}

// Barrier makes a fixed number of parties wait for each other, as Python's
// Barrier. If a waiting party times out, is interrupted or dies, the
// barrier breaks: every waiter gets ErrBrokenBarrier until Reset.
type Barrier struct {
	r       ref
	parties int
}

// ErrBrokenBarrier is returned by Barrier.Wait on a broken barrier.
var ErrBrokenBarrier = errors.New("mp: broken barrier")

// NewBarrier creates a barrier for parties processes (or goroutines).
func NewBarrier(parties int) *Barrier {
	return &Barrier{r: newRef(&barrierObj{parties: parties}), parties: parties}
}

// Wait waits until parties callers are waiting and returns a different
// index in [0, parties) to each.
func (br *Barrier) Wait() (int, error) { return br.WaitTimeout(-1) }

// WaitTimeout is Wait giving up after d, which breaks the barrier.
func (br *Barrier) WaitTimeout(d time.Duration) (int, error) {
	t, stop := timer(d)
	defer stop()
	r, err := br.r.call(opWait, br.r.req(), t)
	if err != nil {
		if errors.Is(err, ErrTimeout) || errors.Is(err, ErrInterrupted) {
			br.r.call(opAbort, br.r.req(), nil)
		}
		return 0, fmt.Errorf("barrier wait: %w", err)
	}
	rd := reader{b: r.body}
	return int(rd.uint()), nil
}

// Abort breaks the barrier.
func (br *Barrier) Abort() error { return simple("barrier abort", br.r, opAbort) }

// Reset breaks the barrier for the current waiters and makes it usable
// again.
func (br *Barrier) Reset() error { return simple("barrier reset", br.r, opReset) }

// Parties is the number of parties the barrier waits for.
func (br *Barrier) Parties() int { return br.parties }

// NWaiting is the number of parties waiting now.
func (br *Barrier) NWaiting() int {
	r, err := br.r.call(opCount, br.r.req(), nil)
	if err != nil {
		return 0
	}
	rd := reader{b: r.body}
	return int(rd.uint())
}

func (br *Barrier) appendHandle(dst []byte) ([]byte, error) {
	dst, err := br.r.append(dst)
	return body(dst).uint(uint64(br.parties)), err
}

func init() {
	registerHandle(reflect.TypeOf((*Event)(nil)), func(r *reader) (any, error) { x := readRef(r); return &Event{r: x}, x.err })
	registerHandle(reflect.TypeOf((*Barrier)(nil)), func(r *reader) (any, error) {
		x := readRef(r)
		n := r.uint()
		return &Barrier{r: x, parties: int(n)}, errors.Join(x.err, r.err)
	})
	registerHandle(reflect.TypeOf((*Condition)(nil)), func(r *reader) (any, error) {
		x := readRef(r)
		if x.err != nil || len(r.b) == 0 {
			return nil, errors.Join(x.err, errCorrupt)
		}
		isR := r.b[0] == 1
		r.b = r.b[1:]
		lr := readRef(r)
		c := &Condition{r: x}
		if isR {
			c.l = &RLock{r: lr}
		} else {
			c.l = &Lock{r: lr}
		}
		return c, lr.err
	})
}

func simple(what string, r ref, op kind) error {
	if _, err := r.call(op, r.req(), nil); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// eventObj is an Event's state.
type eventObj struct {
	set     bool
	waiters []waiter
}

func (e *eventObj) do(b *broker, p *peer, seq uint64, op kind, r *reader) {
	switch op {
	case opSet:
		e.set = true
		for _, w := range e.waiters {
			b.reply(w.p, w.seq, stOK, nil)
		}
		e.waiters = nil
	case opClear:
		e.set = false
	case opIsSet:
		if e.set {
			b.reply(p, seq, stOK, []byte{1})
		} else {
			b.reply(p, seq, stOK, []byte{0})
		}
		return
	case opWait:
		if !e.set {
			e.waiters = append(e.waiters, waiter{p: p, seq: seq})
			return
		}
	default:
		b.fail(p, seq, fmt.Errorf("event: bad operation %d", op))
		return
	}
	b.reply(p, seq, stOK, nil)
}

func (e *eventObj) cancel(b *broker, p *peer, seq uint64) bool {
	return removeWaiter(&e.waiters, p, seq)
}
func (e *eventObj) drop(b *broker, p *peer) { dropWaiters(&e.waiters, p) }
func (e *eventObj) free(b *broker)          { failAll(b, e.waiters); e.waiters = nil }

func failAll(b *broker, ws []waiter) {
	for _, w := range ws {
		b.fail(w.p, w.seq, errors.New("the object was discarded"))
	}
}

// condObj is a Condition's state: the lock's state (in the same broker)
// and the waiters with the holds they gave up.
type condObj struct {
	lock    lockObj
	waiters []waiter
}

func (c *condObj) do(b *broker, p *peer, seq uint64, op kind, r *reader) {
	switch op {
	case opWait:
		n := c.lock.holds(p)
		if n == 0 {
			b.fail(p, seq, errors.New("wait on a condition whose lock this process does not hold"))
			return
		}
		c.lock.releaseAll(b, p, n)
		c.waiters = append(c.waiters, waiter{p: p, seq: seq, n: n})
	case opNotify:
		n := int(r.uint())
		for ; n > 0 && len(c.waiters) > 0; n-- {
			w := c.waiters[0]
			c.waiters = c.waiters[1:]
			c.lock.enqueue(b, w)
		}
		b.reply(p, seq, stOK, nil)
	default:
		b.fail(p, seq, fmt.Errorf("condition: bad operation %d", op))
	}
}

func (c *condObj) cancel(b *broker, p *peer, seq uint64) bool {
	return removeWaiter(&c.waiters, p, seq)
}
func (c *condObj) drop(b *broker, p *peer) { dropWaiters(&c.waiters, p) }
func (c *condObj) free(b *broker)          { failAll(b, c.waiters); c.waiters = nil }

// barrierObj is a Barrier's state.
type barrierObj struct {
	parties int
	waiters []waiter
	broken  bool
}

func (br *barrierObj) do(b *broker, p *peer, seq uint64, op kind, r *reader) {
	switch op {
	case opWait:
		if br.broken {
			b.reply(p, seq, stBroken, nil)
			return
		}
		br.waiters = append(br.waiters, waiter{p: p, seq: seq})
		if len(br.waiters) == br.parties {
			for i, w := range br.waiters {
				b.reply(w.p, w.seq, stOK, body(nil).uint(uint64(br.parties-1-i)))
			}
			br.waiters = nil
		}
	case opAbort:
		br.breakAll(b)
		b.reply(p, seq, stOK, nil)
	case opReset:
		br.breakAll(b)
		br.broken = false
		b.reply(p, seq, stOK, nil)
	case opCount:
		b.reply(p, seq, stOK, body(nil).uint(uint64(len(br.waiters))))
	default:
		b.fail(p, seq, fmt.Errorf("barrier: bad operation %d", op))
	}
}

func (br *barrierObj) breakAll(b *broker) {
	br.broken = true
	for _, w := range br.waiters {
		b.reply(w.p, w.seq, stBroken, nil)
	}
	br.waiters = nil
}

func (br *barrierObj) cancel(b *broker, p *peer, seq uint64) bool {
	return removeWaiter(&br.waiters, p, seq)
}

func (br *barrierObj) drop(b *broker, p *peer) {
	n := len(br.waiters)
	dropWaiters(&br.waiters, p)
	if len(br.waiters) != n {
		br.breakAll(b)
	}
}

func (br *barrierObj) free(b *broker) { failAll(b, br.waiters); br.waiters = nil }
