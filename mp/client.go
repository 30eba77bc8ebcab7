package mp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// client is a process's way to one broker: a socket connection, or direct
// calls when the broker is this process's own. Requests carry a sequence
// number and the client's reader goroutine hands each reply to the caller
// waiting for it, so any number of goroutines can wait at once.
type client struct {
	b  *broker // this process's broker, called directly; nil for a socket
	nc net.Conn
	c  *conn

	mu      sync.Mutex
	seq     uint64
	pending map[uint64]chan reply
	err     error         // the connection broke
	posted  bool          // requests were posted since the last sync
	stopped bool          // the flusher was stopped
	done    chan struct{} // closed when the reader goroutine returned

	wmu     sync.Mutex    // held while writing to nc (clientwrite.go)
	bmu     sync.Mutex    // guards buf
	buf     []byte        // frames enqueued, not yet written
	spare   []byte        // the other buffer, owned by the wmu holder
	kick    chan struct{} // wakes the flusher
	flushed chan struct{} // closed when the flusher returned
}

type reply struct {
	st   kind
	body []byte
}

// clientTable holds this process's clients by broker socket path.
type clientTable struct {
	sync.Mutex
	m map[string]*client
}

// clientFor returns the client for the broker at path, dialling it on
// first use.
func clientFor(path string) (*client, error) {
	state.broker.Lock()
	b := state.broker.b
	state.broker.Unlock()
	if b != nil && b.path == path {
		return localClient(b), nil
	}
	state.clients.Lock()
	defer state.clients.Unlock()
	if c := state.clients.m[path]; c != nil {
		return c, nil
	}
	nc, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("reach the process that created it: %w", err)
	}
	c := &client{nc: nc, c: newConn(nc, nc), pending: map[uint64]chan reply{}, done: make(chan struct{}),
		kick: make(chan struct{}, 1), flushed: make(chan struct{})}
	go c.read()
	go c.flusher()
	if state.clients.m == nil {
		state.clients.m = map[string]*client{}
	}
	state.clients.m[path] = c
	return c, nil
}

// localClient returns the client calling b directly.
func localClient(b *broker) *client {
	state.clients.Lock()
	defer state.clients.Unlock()
	if c := state.clients.m[b.path]; c != nil {
		return c
	}
	c := &client{b: b, pending: map[uint64]chan reply{}}
	if state.clients.m == nil {
		state.clients.m = map[string]*client{}
	}
	state.clients.m[b.path] = c
	return c
}

func dropLocalClient(b *broker) {
	state.clients.Lock()
	defer state.clients.Unlock()
	if c := state.clients.m[b.path]; c != nil && c.b == b {
		delete(state.clients.m, b.path)
	}
}

// closeClients closes every socket client and waits for their readers;
// Shutdown calls it.
func closeClients() {
	state.clients.Lock()
	all := state.clients.m
	state.clients.m = nil
	state.clients.Unlock()
	for _, c := range all {
		if c.nc != nil {
			c.stopFlusher()
			c.nc.Close()
			<-c.done
		}
	}
}

// read delivers replies until the connection ends, then fails every
// request still waiting.
func (c *client) read() {
	defer close(c.done)
	for {
		f, err := c.c.recv()
		if err != nil {
			c.mu.Lock()
			c.err = errBrokerGone
			pending := c.pending
			c.pending = map[uint64]chan reply{}
			c.mu.Unlock()
			for _, ch := range pending {
				ch <- reply{st: stErr, body: []byte(errBrokerGone.Error())}
			}
			return
		}
		c.deliver(f.Seq, f.Kind, f.Body)
	}
}

var errBrokerGone = errors.New("the process that created it has ended (or mp was shut down)")

func (c *client) deliver(seq uint64, st kind, body []byte) {
	c.mu.Lock()
	ch := c.pending[seq]
	delete(c.pending, seq)
	c.mu.Unlock()
	if ch != nil {
		ch <- reply{st, body}
	}
}

// post sends a request; with seq 0 it asks for no reply and may sit in
// the buffer until the flusher writes it (clientwrite.go).
func (c *client) post(seq uint64, op kind, req []byte) error {
	if c.b != nil {
		c.b.handle(c.b.local, seq, op, req)
		return nil
	}
	if err := c.enqueue(seq, op, req); err != nil {
		return err
	}
	if seq == 0 {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.stopped {
			return errBrokerGone
		}
		c.posted = true
		c.kickFlusher()
		return nil
	}
	return c.flush()
}

// syncBrokers waits until every broker this process posted to (Puts that
// do not wait for an answer) has applied those posts. A worker calls it
// after each call, before reporting the call done or exiting, so that
// what a child put before Join returned comes before anything put after
// it, as with Python's queue feeder thread joined at exit.
func syncBrokers() {
	state.clients.Lock()
	var posted []*client
	for _, c := range state.clients.m {
		c.mu.Lock()
		if c.posted && c.b == nil {
			posted = append(posted, c)
			c.posted = false
		}
		c.mu.Unlock()
	}
	state.clients.Unlock()
	for _, c := range posted {
		c.call(opSync, body(nil).uint(0), nil)
	}
}

// call sends a request and waits for its reply. While it waits, an
// interrupt of the current cell or the timeout (nil: none) cancels the
// request; if the broker had already satisfied it, the result wins, so an
// item is never taken and then dropped.
func (c *client) call(op kind, req []byte, timeout <-chan time.Time) (reply, error) {
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return reply{}, c.err
	}
	c.seq++
	seq := c.seq
	c.pending[seq] = ch
	c.mu.Unlock()
	if err := c.post(seq, op, req); err != nil {
		c.mu.Lock()
		delete(c.pending, seq)
		c.mu.Unlock()
		return reply{}, err
	}
	var r reply
	var stopped error
	select {
	case r = <-ch:
	case <-waitContext().Done():
		stopped = ErrInterrupted
	case <-timeout:
		stopped = ErrTimeout
	}
	if stopped != nil {
		if err := c.post(0, opCancel, body(nil).uint(seq)); err != nil {
			return reply{}, err
		}
		r = <-ch
		if r.st == stCancelled {
			return r, stopped
		}
	}
	switch r.st {
	case stOK:
		return r, nil
	case stBroken:
		return r, ErrBrokenBarrier
	}
	return r, errors.New(string(r.body))
}

// waitContext is what a wait watches: the current cell's context in the
// kernel. A child has no cells; interrupting it is its parent's job
// (terminating it).
func waitContext() context.Context {
	state.children.mu.Lock()
	h := state.children.host
	state.children.mu.Unlock()
	if h == nil {
		return context.Background()
	}
	return contextOf(h.Cell())
}

// timer returns a channel that fires after d, or nil for d < 0 (no
// timeout), and its stop func.
func timer(d time.Duration) (<-chan time.Time, func() bool) {
	if d < 0 {
		return nil, func() bool { return false }
	}
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// ref names one object in one broker: what a handle carries.
type ref struct {
	path string
	id   uint64
	err  error // from the constructor, returned by every method
}

// newRef registers o in this process's broker.
func newRef(o object) ref {
	b, err := localBroker()
	if err != nil {
		return ref{err: err}
	}
	return ref{path: b.path, id: b.add(o)}
}

func (r ref) append(dst []byte) ([]byte, error) {
	if r.err != nil {
		return dst, r.err
	}
	return body(dst).string(r.path).uint(r.id), nil
}

func readRef(rd *reader) ref {
	return ref{path: rd.string(), id: rd.uint(), err: rd.err}
}

// req starts a request body for the object: its id, to which the
// operation's arguments are appended.
func (r ref) req() body { return body(nil).uint(r.id) }

// call runs op with req (from r.req) and waits for the reply.
func (r ref) call(op kind, req body, timeout <-chan time.Time) (reply, error) {
	c, err := r.client()
	if err != nil {
		return reply{}, err
	}
	return c.call(op, req, timeout)
}

// post runs op with req without waiting for a reply.
func (r ref) post(op kind, req body) error {
	c, err := r.client()
	if err != nil {
		return err
	}
	return c.post(0, op, req)
}

func (r ref) client() (*client, error) {
	if r.err != nil {
		return nil, r.err
	}
	return clientFor(r.path)
}
