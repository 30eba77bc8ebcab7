package mp

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Queue is a first-in first-out queue that any number of processes can put
// to and get from, as Python's multiprocessing.Queue. Create it with
// NewQueue and pass it to NewProcess or Pool tasks like any argument: the
// child gets a handle on the same queue.
//
// The queue lives in the process that created it (see broker.go). Put on
// an unbounded queue does not wait for an answer: in a child, items are
// buffered and written in batches (clientwrite.go), as Python's feeder
// thread does, so a producer streams. Items from one producer arrive in
// the order it put them, and a child's items are in the queue before its
// call is reported done (before Join returns). What the others see when a
// process dies: a Put it had not finished writing never appears (frames
// are applied whole); items still in its buffer when it was killed
// (SIGKILL, os.Exit) are lost; an item whose Get was being answered when
// it died is lost (as in Python); the queue itself stays consistent. A
// Queue's methods fail once its creator has ended or closed it.
type Queue struct {
	r       ref
	bounded bool
}

// NewQueue creates a queue. An optional maxsize > 0 bounds it: Put then
// waits while the queue holds maxsize items.
func NewQueue(maxsize ...int) *Queue {
	n := 0
	if len(maxsize) > 0 && maxsize[0] > 0 {
		n = maxsize[0]
	}
	return &Queue{r: newRef(&queueObj{max: n}), bounded: n > 0}
}

func (q *Queue) appendHandle(dst []byte) ([]byte, error) {
	dst, err := q.r.append(dst)
	if q.bounded {
		return append(dst, 1), err
	}
	return append(dst, 0), err
}

func readQueue(r *reader) (*Queue, error) {
	q := &Queue{r: readRef(r)}
	if len(r.b) > 0 {
		q.bounded = r.b[0] == 1
		r.b = r.b[1:]
	}
	return q, q.r.err
}

func init() {
	registerHandle(reflect.TypeOf((*Queue)(nil)), func(r *reader) (any, error) { return readQueue(r) })
	registerHandle(reflect.TypeOf((*JoinableQueue)(nil)), func(r *reader) (any, error) {
		q, err := readQueue(r)
		if err != nil {
			return nil, err
		}
		return &JoinableQueue{Queue: *q}, nil
	})
}

// Put adds v at the end of the queue, waiting for room in a bounded queue
// (interruptible). nil is a valid item. A value that cannot cross a
// process boundary is an error here, not in the consumer.
func (q *Queue) Put(v any) error { return q.put(v, -1) }

// PutTimeout is Put giving up with ErrTimeout after d when a bounded queue
// stays full.
func (q *Queue) PutTimeout(v any, d time.Duration) error { return q.put(v, d) }

func (q *Queue) put(v any, d time.Duration) error {
	req, err := appendItem(q.r.req(), v)
	if err != nil {
		return fmt.Errorf("queue put: %w", err)
	}
	if !q.bounded {
		return q.r.post(opPut, req)
	}
	t, stop := timer(d)
	defer stop()
	if _, err := q.r.call(opPut, req, t); err != nil {
		return fmt.Errorf("queue put: %w", err)
	}
	return nil
}

// Get removes and returns the item at the front, waiting for one. The
// wait ends with ErrInterrupted when the cell is interrupted. The item
// comes back as the type it was put as (a []int, a notebook struct),
// except values of named compiled types (image.Point), which need GetInto.
func (q *Queue) Get() (any, error) {
	b, err := q.get(-1)
	if err != nil {
		return nil, err
	}
	return decodeItem(b)
}

// GetTimeout is Get giving up with ErrTimeout after d (Python's
// queue.Empty); d == 0 does not wait.
func (q *Queue) GetTimeout(d time.Duration) (any, error) {
	b, err := q.get(d)
	if err != nil {
		return nil, err
	}
	return decodeItem(b)
}

// GetInto is Get storing the item in *ptr, which must be of the item's
// type (or a type a basic item converts to).
func (q *Queue) GetInto(ptr any) error {
	b, err := q.get(-1)
	if err != nil {
		return err
	}
	return decodeItemInto(b, ptr)
}

func (q *Queue) get(d time.Duration) ([]byte, error) {
	t, stop := timer(d)
	defer stop()
	r, err := q.r.call(opGet, q.r.req(), t)
	if err != nil {
		return nil, fmt.Errorf("queue get: %w", err)
	}
	return r.body, nil
}

// Len returns the number of items in the queue; other processes may have
// changed it by the time it returns.
func (q *Queue) Len() int {
	r, err := q.r.call(opLen, q.r.req(), nil)
	if err != nil {
		return 0
	}
	rd := reader{b: r.body}
	return int(rd.uint())
}

// Empty reports whether Len is 0, with the same caveat.
func (q *Queue) Empty() bool { return q.Len() == 0 }

// Close discards the queue for every process: items still in it are
// dropped, waiting Gets and Puts fail, and later calls fail. Queues are
// also discarded when their creator ends or mp shuts down.
func (q *Queue) Close() error {
	if _, err := q.r.call(opFree, q.r.req(), nil); err != nil {
		return fmt.Errorf("queue close: %w", err)
	}
	return nil
}

// String describes the queue.
func (q *Queue) String() string { return fmt.Sprintf("<Queue %d>", q.r.id) }

// JoinableQueue is a Queue that also counts unfinished items, as Python's
// JoinableQueue: every Put adds one, TaskDone removes one, and Join waits
// until none are left.
type JoinableQueue struct {
	Queue
}

// NewJoinableQueue creates a JoinableQueue, bounded as NewQueue.
func NewJoinableQueue(maxsize ...int) *JoinableQueue {
	return &JoinableQueue{Queue: *NewQueue(maxsize...)}
}

// TaskDone says one item taken with Get has been processed. Calling it
// more times than items were put is an error.
func (q *JoinableQueue) TaskDone() error {
	if _, err := q.r.call(opTaskDone, q.r.req(), nil); err != nil {
		return fmt.Errorf("queue task done: %w", err)
	}
	return nil
}

// Join waits until every item put has been marked done with TaskDone
// (interruptible).
func (q *JoinableQueue) Join() error {
	if _, err := q.r.call(opJoin, q.r.req(), nil); err != nil {
		return fmt.Errorf("queue join: %w", err)
	}
	return nil
}

// queueObj is a queue's state in its broker.
type queueObj struct {
	items      [][]byte
	max        int
	getters    []waiter
	putters    []waiter
	putItems   [][]byte // items of putters, in the same order
	unfinished int
	joiners    []waiter
}

var errTooManyDone = errors.New("TaskDone called more times than items were put")

func (q *queueObj) do(b *broker, p *peer, seq uint64, op kind, r *reader) {
	switch op {
	case opPut:
		item := r.b
		if q.max > 0 && len(q.items) >= q.max {
			q.putters = append(q.putters, waiter{p: p, seq: seq})
			q.putItems = append(q.putItems, item)
			return
		}
		q.accept(b, item)
		b.reply(p, seq, stOK, nil)
	case opGet:
		if len(q.items) == 0 {
			q.getters = append(q.getters, waiter{p: p, seq: seq})
			return
		}
		item := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		if len(q.putters) > 0 {
			w, it := q.putters[0], q.putItems[0]
			q.putters, q.putItems = q.putters[1:], q.putItems[1:]
			q.accept(b, it)
			b.reply(w.p, w.seq, stOK, nil)
		}
		b.reply(p, seq, stOK, item)
	case opLen:
		b.reply(p, seq, stOK, body(nil).uint(uint64(len(q.items))))
	case opTaskDone:
		if q.unfinished == 0 {
			b.fail(p, seq, errTooManyDone)
			return
		}
		q.unfinished--
		if q.unfinished == 0 {
			for _, w := range q.joiners {
				b.reply(w.p, w.seq, stOK, nil)
			}
			q.joiners = nil
		}
		b.reply(p, seq, stOK, nil)
	case opJoin:
		if q.unfinished == 0 {
			b.reply(p, seq, stOK, nil)
			return
		}
		q.joiners = append(q.joiners, waiter{p: p, seq: seq})
	default:
		b.fail(p, seq, fmt.Errorf("queue: bad operation %d", op))
	}
}

// accept adds an item: straight to the first waiting getter, else at the
// end.
func (q *queueObj) accept(b *broker, item []byte) {
	q.unfinished++
	if len(q.getters) > 0 {
		w := q.getters[0]
		q.getters = q.getters[1:]
		b.reply(w.p, w.seq, stOK, item)
		return
	}
	q.items = append(q.items, item)
}

func (q *queueObj) cancel(b *broker, p *peer, seq uint64) bool {
	for i, w := range q.putters {
		if w.p == p && w.seq == seq {
			q.putters = append(q.putters[:i], q.putters[i+1:]...)
			q.putItems = append(q.putItems[:i], q.putItems[i+1:]...)
			return true
		}
	}
	return removeWaiter(&q.getters, p, seq) || removeWaiter(&q.joiners, p, seq)
}

func (q *queueObj) drop(b *broker, p *peer) {
	for i := 0; i < len(q.putters); {
		if q.putters[i].p == p {
			q.putters = append(q.putters[:i], q.putters[i+1:]...)
			q.putItems = append(q.putItems[:i], q.putItems[i+1:]...)
			continue
		}
		i++
	}
	dropWaiters(&q.getters, p)
	dropWaiters(&q.joiners, p)
}

func (q *queueObj) free(b *broker) {
	for _, ws := range [][]waiter{q.getters, q.putters, q.joiners} {
		for _, w := range ws {
			b.fail(w.p, w.seq, errors.New("the queue was closed"))
		}
	}
	*q = queueObj{}
}
