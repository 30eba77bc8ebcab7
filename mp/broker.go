package mp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// The shared objects (Queue, JoinableQueue, Lock, RLock, Semaphore, Event,
// Condition, Barrier) live in a broker: a goroutine-served unix
// socket in the process that created them (usually the kernel). Every
// other process holding a handle talks to the broker over one connection
// with request and reply frames (frame.go); the creating process calls the
// broker directly, without a socket. A broker is a state machine guarded by
// one mutex, so every operation is atomic, and a connection is an owner:
// when a process dies, its connection ends and the broker releases what it
// held (locks, semaphore units) and forgets its waits. Nothing
// it half-sent is ever seen by anyone, because a frame is applied only once
// it has been read whole.
//
// This costs a hop through the broker for each operation between two
// children, but gives owner-death release and interruption (a cancel
// frame) without shared-memory futexes. Pipes do not use it beyond handing
// their descriptors over (pipe.go, fdpass.go); shared memory does not use
// it at all except for its lock (shared.go).

// Broker operations, carried in the frame's kind.
const (
	opCancel   kind = iota + 1 // cancel a waiting request (body: its seq)
	opPut                      // queue: put an item (no reply when seq is 0)
	opGet                      // queue: take an item, waiting
	opLen                      // queue: number of items
	opTaskDone                 // joinable queue
	opJoin                     // joinable queue: wait until every item is done
	opFetchFD                  // first frame of a connection that fetches a lent pipe end
	opSync                     // answered once every earlier request on the connection is applied
	opAcquire                  // lock, rlock, semaphore
	opRelease                  // lock, rlock, semaphore
	opSet                      // event
	opClear                    // event
	opIsSet                    // event
	opWait                     // event, condition, barrier
	opNotify                   // condition: wake n waiters
	opAbort                    // barrier
	opReset                    // barrier
	opCount                    // barrier: parties waiting
	opFree                     // drop the object (its creator closed it)
)

// Reply statuses, carried in the reply frame's kind.
const (
	stOK        kind = iota + 1
	stCancelled      // the request was cancelled before it was satisfied
	stErr            // body is the message
	stBroken         // barrier broken
)

// peer is one process talking to a broker: a socket connection, or the
// broker's own process.
type peer struct {
	send func(seq uint64, st kind, body []byte)
}

// waiter is a request waiting in an object for a reply.
type waiter struct {
	p   *peer
	seq uint64
	n   int // units to acquire (rlock re-acquiring after a condition wait)
}

// outMsg is a reply decided under the broker's lock and sent after it.
type outMsg struct {
	p    *peer
	seq  uint64
	st   kind
	body []byte
}

// object is the broker-side state of one shared object.
type object interface {
	// do applies op from p; it replies (now or later) through b.reply.
	do(b *broker, p *peer, seq uint64, op kind, r *reader)
	// cancel forgets p's waiting request seq and reports whether it was
	// waiting here.
	cancel(b *broker, p *peer, seq uint64) bool
	// drop forgets p, which is gone, releasing what it held.
	drop(b *broker, p *peer)
	// free fails every waiting request: the object is being discarded.
	free(b *broker)
}

// broker serves this process's shared objects.
type broker struct {
	dir   string // private directory holding the socket
	path  string // socket path: the reference handles carry
	ln    *net.UnixListener
	local *peer          // this process
	wg    sync.WaitGroup // accept loop and connection goroutines

	mu     sync.Mutex
	objs   map[uint64]object
	nextID uint64
	conns  map[net.Conn]bool
	lent   map[uint64]int // pipe-end duplicates by token (fdpass.go)
	out    []outMsg
	closed bool
}

// brokerSlot holds this process's broker, started by the first shared
// object.
type brokerSlot struct {
	sync.Mutex
	b *broker
}

// localBroker returns this process's broker, starting it if needed.
func localBroker() (*broker, error) {
	state.broker.Lock()
	defer state.broker.Unlock()
	if state.broker.b != nil {
		return state.broker.b, nil
	}
	removeStale()
	dir, err := os.MkdirTemp("", fmt.Sprintf("gomp-%d-mp-", os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("start broker: %w", err)
	}
	path := filepath.Join(dir, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start broker: %w", err)
	}
	b := &broker{dir: dir, path: path, ln: ln, objs: map[uint64]object{}, conns: map[net.Conn]bool{}, lent: map[uint64]int{}}
	b.local = &peer{}
	b.local.send = func(seq uint64, st kind, body []byte) { localClient(b).deliver(seq, st, body) }
	b.wg.Add(1)
	go b.accept()
	state.broker.b = b
	return b, nil
}

// add registers a new object and returns its id.
func (b *broker) add(o object) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextID++
	b.objs[b.nextID] = o
	return b.nextID
}

func (b *broker) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			c.Close()
			return
		}
		b.conns[c] = true
		b.wg.Add(1)
		b.mu.Unlock()
		go b.serve(c)
	}
}

// serve reads one connection's requests until it ends, then drops its
// peer.
func (b *broker) serve(nc net.Conn) {
	defer b.wg.Done()
	c := newConn(nc, nc)
	p := &peer{}
	p.send = func(seq uint64, st kind, body []byte) {
		if err := c.send(frame{Seq: seq, Kind: st, Body: body}); err != nil {
			nc.Close()
		}
	}
	for first := true; ; first = false {
		f, err := c.recv()
		if err != nil {
			break
		}
		if first && f.Kind == opFetchFD {
			r := reader{b: f.Body}
			b.serveFD(nc, r.uint())
			break
		}
		b.handle(p, f.Seq, f.Kind, f.Body)
	}
	nc.Close()
	b.mu.Lock()
	delete(b.conns, nc)
	for _, o := range b.objs {
		o.drop(b, p)
	}
	b.flush()
}

// handle applies one request.
func (b *broker) handle(p *peer, seq uint64, op kind, body []byte) {
	r := reader{b: body}
	id := r.uint()
	b.mu.Lock()
	switch o := b.objs[id]; {
	case op == opCancel:
		b.cancel(p, id)
	case op == opSync:
		b.reply(p, seq, stOK, nil)
	case r.err != nil:
		b.fail(p, seq, r.err)
	case o == nil:
		b.fail(p, seq, errors.New("the object is closed"))
	case op == opFree:
		o.free(b)
		delete(b.objs, id)
		b.reply(p, seq, stOK, nil)
	default:
		o.do(b, p, seq, op, &r)
	}
	b.flush()
}

// flush sends the replies decided so far and unlocks b.mu.
func (b *broker) flush() {
	out := b.out
	b.out = nil
	b.mu.Unlock()
	for _, m := range out {
		m.p.send(m.seq, m.st, m.body)
	}
}

// cancel answers p's waiting request seq with stCancelled, if it is still
// waiting; otherwise its reply has been sent already.
func (b *broker) cancel(p *peer, seq uint64) {
	for _, o := range b.objs {
		if o.cancel(b, p, seq) {
			b.reply(p, seq, stCancelled, nil)
			return
		}
	}
}

// reply queues a reply; requests with seq 0 want none.
func (b *broker) reply(p *peer, seq uint64, st kind, body []byte) {
	if seq != 0 {
		b.out = append(b.out, outMsg{p, seq, st, body})
	}
}

func (b *broker) fail(p *peer, seq uint64, err error) {
	b.reply(p, seq, stErr, []byte(err.Error()))
}

// close stops the broker: it closes the listener and every connection,
// waits for their goroutines, and removes the socket's directory.
func (b *broker) close() {
	b.mu.Lock()
	b.closed = true
	b.ln.Close()
	for c := range b.conns {
		c.Close()
	}
	for id, o := range b.objs {
		o.free(b)
		delete(b.objs, id)
	}
	b.closeLent()
	b.flush()
	b.wg.Wait()
	os.RemoveAll(b.dir)
}

// closeBroker stops this process's broker, if it has one; Shutdown calls
// it. Handles to its objects fail afterwards.
func closeBroker() {
	state.broker.Lock()
	b := state.broker.b
	state.broker.b = nil
	state.broker.Unlock()
	if b != nil {
		b.close()
		dropLocalClient(b)
	}
}

// removeWaiter removes p's request seq from ws and reports whether it was
// there.
func removeWaiter(ws *[]waiter, p *peer, seq uint64) bool {
	for i, w := range *ws {
		if w.p == p && w.seq == seq {
			*ws = append((*ws)[:i], (*ws)[i+1:]...)
			return true
		}
	}
	return false
}

// dropWaiters removes every request of p from ws.
func dropWaiters(ws *[]waiter, p *peer) {
	out := (*ws)[:0]
	for _, w := range *ws {
		if w.p != p {
			out = append(out, w)
		}
	}
	*ws = out
}
