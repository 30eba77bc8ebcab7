package kernel

import (
	"context"
	"log/slog"
	"sync"

	"github.com/go-zeromq/zmq4"
)

// port owns one ROUTER socket: shell, control, stdin or heartbeat. Its serve goroutine is the only one that sends on the
// socket; other goroutines hand it frames through send. zmq4 has no poller,
// so serve starts one helper goroutine that does nothing but block in Recv
// and pass what arrives back to serve; zmq4 keeps its read and write paths
// apart, so that Recv and serve's Send do not interfere.
type port struct {
	name string
	sock zmq4.Socket
	out  chan outgoing // unbuffered: once taken, a message is sent before serve returns
	log  *slog.Logger
}

// outgoing is a message for a port to send; sent, when not nil, receives
// the result of the send.
type outgoing struct {
	frames [][]byte
	sent   chan<- error
}

func newPort(name string, sock zmq4.Socket, log *slog.Logger) *port {
	return &port{name: name, sock: sock, out: make(chan outgoing), log: log.With("socket", name)}
}

// serve runs until ctx is done, then closes the socket and waits for its
// receiving goroutine. handle runs on serve's goroutine for every message
// received; it must not call p.send (serve would wait for itself), but it
// may call p.sock.Send directly, being on the owning goroutine.
func (p *port) serve(ctx context.Context, handle func(frames [][]byte)) {
	in := make(chan [][]byte)
	var wg sync.WaitGroup
	wg.Go(func() { p.receive(ctx, in) })
	defer wg.Wait()
	defer p.sock.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case frames := <-in:
			handle(frames)
		case o := <-p.out:
			err := p.sock.Send(zmq4.NewMsgFrom(o.frames...))
			if err != nil {
				p.log.Error("send failed", "err", err)
			}
			if o.sent != nil {
				o.sent <- err
			}
		}
	}
}

// receive passes every message the socket receives to in, until ctx is done
// and serve has closed the socket.
func (p *port) receive(ctx context.Context, in chan<- [][]byte) {
	for {
		msg, err := p.sock.Recv()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.log.Warn("receive failed", "err", err)
			continue
		}
		select {
		case in <- msg.Frames:
		case <-ctx.Done():
			return
		}
	}
}

// send hands frames to the port's goroutine. It returns once the port has
// taken them, or ctx's error if the port stopped first.
func (p *port) send(ctx context.Context, frames [][]byte) error {
	select {
	case p.out <- outgoing{frames: frames}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queue is the unbounded list of requests between a port and the goroutine
// that handles them, so that a port never waits for a running cell.
type queue struct {
	mu    sync.Mutex
	items []*request
	ready chan struct{} // holds a token while items may be non-empty
}

func newQueue() *queue {
	return &queue{ready: make(chan struct{}, 1)}
}

// push appends r and wakes the consumer.
func (q *queue) push(r *request) {
	q.mu.Lock()
	q.items = append(q.items, r)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop removes and returns the oldest request, waiting for one; ok is false
// when ctx is done first.
func (q *queue) pop(ctx context.Context) (r *request, ok bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			r = q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			q.mu.Unlock()
			return r, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// drain removes and returns every request queued now.
func (q *queue) drain() []*request {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}
