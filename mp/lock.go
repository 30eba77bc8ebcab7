package mp

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Lock is a lock shared by processes, as Python's multiprocessing.Lock:
// one holder at a time, and any process may release it. A process that
// dies holding it releases it (its connection to the lock's broker ends),
// so a child killed inside a critical section does not wedge the others;
// they see the lock free, and whatever the dead holder left half-updated.
// Waiting in Acquire ends with ErrInterrupted when the cell is interrupted.
type Lock struct{ r ref }

// NewLock creates an unlocked Lock.
func NewLock() *Lock { return &Lock{r: newRef(&semObj{value: 1, max: 1, held: map[*peer]int{}})} }

// Acquire waits until the lock is free and takes it.
func (l *Lock) Acquire() error { return acquire("lock", l.r, -1) }

// AcquireTimeout is Acquire giving up after d; it reports whether it took
// the lock. d == 0 does not wait.
func (l *Lock) AcquireTimeout(d time.Duration) (bool, error) { return acquireTimeout("lock", l.r, d) }

// Release frees the lock; releasing an unlocked Lock is an error.
func (l *Lock) Release() error { return release("lock", l.r) }

func (l *Lock) appendHandle(dst []byte) ([]byte, error) { return l.r.append(dst) }

// RLock is a reentrant lock shared by processes: the process holding it
// may acquire it again, and must release it as many times. The owner is a
// process, not a goroutine (Go has no goroutine identity): goroutines of
// the owning process all count as the owner. Only the owner may release it;
// an owner that dies releases it.
type RLock struct{ r ref }

// NewRLock creates an unlocked RLock.
func NewRLock() *RLock { return &RLock{r: newRef(&rlockObj{})} }

// Acquire waits until the lock is free or already this process's, and
// takes it (once more).
func (l *RLock) Acquire() error { return acquire("rlock", l.r, -1) }

// AcquireTimeout is Acquire giving up after d.
func (l *RLock) AcquireTimeout(d time.Duration) (bool, error) { return acquireTimeout("rlock", l.r, d) }

// Release undoes one Acquire by this process.
func (l *RLock) Release() error { return release("rlock", l.r) }

func (l *RLock) appendHandle(dst []byte) ([]byte, error) { return l.r.append(dst) }

// Semaphore is a counter shared by processes, as Python's Semaphore:
// Acquire takes one unit, waiting while there are none, and Release gives
// one back. Units taken by a process that dies are given back.
type Semaphore struct {
	r ref
}

// NewSemaphore creates a Semaphore holding value units.
func NewSemaphore(value int) *Semaphore {
	return &Semaphore{r: newRef(&semObj{value: value, held: map[*peer]int{}})}
}

// NewBoundedSemaphore creates a Semaphore holding value units whose
// Release fails when it would hold more than value.
func NewBoundedSemaphore(value int) *Semaphore {
	return &Semaphore{r: newRef(&semObj{value: value, max: value, held: map[*peer]int{}})}
}

// Acquire waits for a unit and takes it.
func (s *Semaphore) Acquire() error { return acquire("semaphore", s.r, -1) }

// AcquireTimeout is Acquire giving up after d.
func (s *Semaphore) AcquireTimeout(d time.Duration) (bool, error) {
	return acquireTimeout("semaphore", s.r, d)
}

// Release gives a unit back.
func (s *Semaphore) Release() error { return release("semaphore", s.r) }

func (s *Semaphore) appendHandle(dst []byte) ([]byte, error) { return s.r.append(dst) }

func init() {
	registerHandle(reflect.TypeOf((*Lock)(nil)), func(r *reader) (any, error) { x := readRef(r); return &Lock{r: x}, x.err })
	registerHandle(reflect.TypeOf((*RLock)(nil)), func(r *reader) (any, error) { x := readRef(r); return &RLock{r: x}, x.err })
	registerHandle(reflect.TypeOf((*Semaphore)(nil)), func(r *reader) (any, error) { x := readRef(r); return &Semaphore{r: x}, x.err })
}

func acquire(what string, r ref, d time.Duration) error {
	t, stop := timer(d)
	defer stop()
	if _, err := r.call(opAcquire, r.req(), t); err != nil {
		return fmt.Errorf("%s acquire: %w", what, err)
	}
	return nil
}

func acquireTimeout(what string, r ref, d time.Duration) (bool, error) {
	err := acquire(what, r, d)
	if errors.Is(err, ErrTimeout) {
		return false, nil
	}
	return err == nil, err
}

func release(what string, r ref) error {
	if _, err := r.call(opRelease, r.req(), nil); err != nil {
		return fmt.Errorf("%s release: %w", what, err)
	}
	return nil
}

// lockObj is a lock's state in its broker, as a Condition uses it.
type lockObj interface {
	object
	// holds reports how many times p holds the lock.
	holds(p *peer) int
	// releaseAll releases p's n holds.
	releaseAll(b *broker, p *peer, n int)
	// enqueue makes w wait for the lock (w.n holds), or grants it now.
	enqueue(b *broker, w waiter)
}

// semObj is a Lock's or Semaphore's state: value units free, max bounding
// Release (0: unbounded), and who holds how many.
type semObj struct {
	value   int
	max     int
	waiters []waiter
	held    map[*peer]int
}

var errOverRelease = errors.New("released too many times")

func (s *semObj) do(b *broker, p *peer, seq uint64, op kind, r *reader) {
	switch op {
	case opAcquire:
		s.enqueue(b, waiter{p: p, seq: seq, n: 1})
	case opRelease:
		if s.max > 0 && s.value >= s.max {
			b.fail(p, seq, errOverRelease)
			return
		}
		s.give(b, p, 1)
		b.reply(p, seq, stOK, nil)
	default:
		b.fail(p, seq, fmt.Errorf("lock: bad operation %d", op))
	}
}

func (s *semObj) enqueue(b *broker, w waiter) {
	if s.value >= w.n && len(s.waiters) == 0 {
		s.value -= w.n
		s.held[w.p] += w.n
		b.reply(w.p, w.seq, stOK, nil)
		return
	}
	s.waiters = append(s.waiters, w)
}

// give returns n units taken by p (or, for a Lock released by another
// process, by whoever holds them) and grants waiters.
func (s *semObj) give(b *broker, p *peer, n int) {
	for range n {
		if s.held[p] > 0 {
			s.held[p]--
		} else {
			for q, k := range s.held {
				if k > 0 {
					s.held[q]--
					break
				}
			}
		}
		s.value++
	}
	for len(s.waiters) > 0 && s.value >= s.waiters[0].n {
		w := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.value -= w.n
		s.held[w.p] += w.n
		b.reply(w.p, w.seq, stOK, nil)
	}
}

func (s *semObj) holds(p *peer) int { return s.held[p] }

func (s *semObj) releaseAll(b *broker, p *peer, n int) { s.give(b, p, n) }

func (s *semObj) cancel(b *broker, p *peer, seq uint64) bool {
	return removeWaiter(&s.waiters, p, seq)
}

func (s *semObj) drop(b *broker, p *peer) {
	dropWaiters(&s.waiters, p)
	if n := s.held[p]; n > 0 {
		s.give(b, p, n)
	}
	delete(s.held, p)
}

func (s *semObj) free(b *broker) {
	for _, w := range s.waiters {
		b.fail(w.p, w.seq, errors.New("the lock was discarded"))
	}
	s.waiters = nil
}

// rlockObj is an RLock's state: its owner and how many times it holds it.
type rlockObj struct {
	owner   *peer
	count   int
	waiters []waiter
}

func (l *rlockObj) do(b *broker, p *peer, seq uint64, op kind, r *reader) {
	switch op {
	case opAcquire:
		l.enqueue(b, waiter{p: p, seq: seq, n: 1})
	case opRelease:
		if l.owner != p {
			b.fail(p, seq, errors.New("cannot release an RLock this process does not hold"))
			return
		}
		l.releaseAll(b, p, 1)
		b.reply(p, seq, stOK, nil)
	default:
		b.fail(p, seq, fmt.Errorf("rlock: bad operation %d", op))
	}
}

func (l *rlockObj) enqueue(b *broker, w waiter) {
	if l.owner == nil || l.owner == w.p {
		l.owner = w.p
		l.count += w.n
		b.reply(w.p, w.seq, stOK, nil)
		return
	}
	l.waiters = append(l.waiters, w)
}

func (l *rlockObj) holds(p *peer) int {
	if l.owner == p {
		return l.count
	}
	return 0
}

func (l *rlockObj) releaseAll(b *broker, p *peer, n int) {
	if l.owner != p {
		return
	}
	l.count -= n
	if l.count > 0 {
		return
	}
	l.owner, l.count = nil, 0
	if len(l.waiters) > 0 {
		w := l.waiters[0]
		l.waiters = l.waiters[1:]
		l.enqueue(b, w)
	}
}

func (l *rlockObj) cancel(b *broker, p *peer, seq uint64) bool {
	return removeWaiter(&l.waiters, p, seq)
}

func (l *rlockObj) drop(b *broker, p *peer) {
	dropWaiters(&l.waiters, p)
	if l.owner == p {
		l.releaseAll(b, p, l.count)
	}
}

func (l *rlockObj) free(b *broker) {
	for _, w := range l.waiters {
		b.fail(w.p, w.seq, errors.New("the lock was discarded"))
	}
	l.waiters = nil
}
