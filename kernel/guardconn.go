package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// maxSpareBuffer is the largest write buffer a connection keeps for reuse
// once it has been sent; a larger one (after a burst) is left to the GC.
const maxSpareBuffer = 1 << 20

// errBehind reports a peer disconnected for not reading what was sent.
var errBehind = errors.New("peer too far behind")

// guardConn is a connection whose handshake the guard completed, as zmq4
// sees it. Reads first replay the peer's greeting and READY, then follow
// the frames read (inbound) and fail, closing the connection, at the first
// header that breaks a limit, so zmq4 never acts on it. Writes drop zmq4's
// greeting (the guard sent the same bytes already) and queue the rest for
// the connection's writer goroutine, so zmq4 never blocks on a peer that
// stops reading; a peer too far behind (guardLimits.backlog) is
// disconnected.
type guardConn struct {
	net.Conn
	l   *guardListener
	log *slog.Logger

	// Owned by zmq4's reader (the accept loop during Open, then one reader
	// goroutine).
	replay []byte
	in     inbound

	mu      sync.Mutex
	cond    *sync.Cond   // broadcast on data queued, data sent, closing, broken
	swallow int          // bytes of zmq4's greeting still to drop
	out     frameScanner // follows what zmq4 writes
	buf     []byte       // queued, not yet taken by the writer
	queued  uint64       // bytes accepted from zmq4 (after its greeting)
	sent    uint64       // bytes the writer has written
	ends    []uint64     // offsets (in queued) at which unsent messages end
	closing bool         // Close was called: send what is queued, then close
	broken  error        // the connection was dropped; Write fails with it
}

// newGuardConn wraps c, whose peer sent hello, and starts its writer.
func newGuardConn(c net.Conn, hello []byte, sub bool, l *guardListener) *guardConn {
	g := &guardConn{
		Conn:    c,
		l:       l,
		log:     l.log.With("peer", c.RemoteAddr().String()),
		replay:  hello,
		in:      inbound{limits: l.limits.message, sub: sub},
		swallow: len(serverGreeting),
	}
	g.cond = sync.NewCond(&g.mu)
	l.mu.Lock()
	l.live[g] = struct{}{}
	l.mu.Unlock()
	l.wg.Go(g.writeLoop)
	return g
}

// Read replays the handshake, then reads and checks frames.
func (g *guardConn) Read(p []byte) (int, error) {
	if len(g.replay) > 0 {
		n := copy(p, g.replay)
		g.replay = g.replay[n:]
		return n, nil
	}
	n, err := g.Conn.Read(p)
	if n > 0 {
		if serr := g.in.scan(p[:n]); serr != nil {
			g.drop(serr)
			return 0, fmt.Errorf("zmtp peer %s: %w: %w", g.RemoteAddr(), serr, net.ErrClosed)
		}
	}
	return n, err
}

// Write queues p for the writer. It fails once the connection is closed
// or dropped, with an error zmq4 takes for a closed connection.
func (g *guardConn) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.broken != nil {
		return 0, g.broken
	}
	if g.closing {
		return 0, fmt.Errorf("write to closed zmtp peer %s: %w", g.RemoteAddr(), net.ErrClosed)
	}
	n := 0
	if g.swallow > 0 {
		n = min(len(p), g.swallow)
		if !bytes.Equal(p[:n], serverGreeting[len(serverGreeting)-g.swallow:][:n]) {
			return 0, g.dropLocked(errors.New("zmq4 sent a greeting other than the one the guard sent for it"))
		}
		g.swallow -= n
		p = p[n:]
	}
	if err := g.out.scan(p, g.outgoing, nil); err != nil {
		return 0, g.dropLocked(err)
	}
	g.buf = append(g.buf, p...)
	g.queued += uint64(len(p))
	g.cond.Broadcast()
	return n + len(p), nil
}

// outgoing notes the frame headers zmq4 writes: where each message ends,
// and, as each starts, whether the peer is too far behind to take it. A
// peer past its backlog limit is given the catch-up time to get back under
// half of it, while zmq4 waits (pacing the kernel's output to what its
// readers take); one that cannot is disconnected. So a reader that drains
// a burst at a fair rate (with the defaults, 32 MiB within 5 s) is never
// cut off, and one that stops reading, or reads at a trickle, holds the
// others up for at most the catch-up time, once.
func (g *guardConn) outgoing(h frameHeader) error {
	at := g.queued + uint64(h.end)
	if h.start && g.behind(at, 1) {
		var timedOut bool
		t := time.AfterFunc(g.l.limits.backlog.catchUp, func() {
			g.mu.Lock()
			timedOut = true
			g.cond.Broadcast()
			g.mu.Unlock()
		})
		for g.behind(at, 2) && !timedOut && g.broken == nil && !g.closing {
			g.cond.Wait()
		}
		t.Stop()
		if g.broken != nil {
			return g.broken
		}
		if g.closing {
			return fmt.Errorf("write to closed zmtp peer %s: %w", g.RemoteAddr(), net.ErrClosed)
		}
		if g.behind(at, 2) {
			msgs, bytes := g.unsent(at)
			return fmt.Errorf("%w: %d messages (%d bytes) unsent; the limit is %d messages or %d bytes, to get under half of within %v",
				errBehind, msgs, bytes, g.l.limits.backlog.msgs, g.l.limits.backlog.bytes, g.l.limits.backlog.catchUp)
		}
	}
	if h.flags&flagMore == 0 {
		g.ends = append(g.ends, at+h.size)
	}
	return nil
}

// unsent returns how many messages and bytes queued before offset at the
// writer has not sent yet.
func (g *guardConn) unsent(at uint64) (msgs int, bytes uint64) {
	for len(g.ends) > 0 && g.ends[0] <= g.sent {
		g.ends = g.ends[1:]
	}
	return len(g.ends), at - g.sent
}

// behind reports whether the peer has more than 1/div of its backlog
// limit unsent (in messages or bytes) before offset at.
func (g *guardConn) behind(at uint64, div int) bool {
	msgs, bytes := g.unsent(at)
	b := g.l.limits.backlog
	return msgs > b.msgs/div || bytes > uint64(b.bytes/div)
}

// writeLoop sends what Write queued until the connection is dropped, or
// closed with nothing left to send (or the linger time spent), then closes
// the network connection.
func (g *guardConn) writeLoop() {
	defer g.l.forget(g)
	defer g.Conn.Close()
	var out []byte
	for {
		g.mu.Lock()
		for len(g.buf) == 0 && !g.closing && g.broken == nil {
			g.cond.Wait()
		}
		if g.broken != nil || len(g.buf) == 0 {
			g.mu.Unlock()
			return
		}
		out, g.buf = g.buf, out[:0]
		g.mu.Unlock()
		n, err := g.Conn.Write(out)
		g.mu.Lock()
		g.sent += uint64(n)
		g.cond.Broadcast()
		if err != nil && g.broken == nil {
			g.broken = fmt.Errorf("write to zmtp peer %s: %w: %w", g.RemoteAddr(), err, net.ErrClosed)
		}
		g.mu.Unlock()
		if cap(out) > maxSpareBuffer {
			out = nil
		}
	}
}

// Close makes the writer send what is queued, within the linger time, and
// close the connection; a read in progress returns at once.
func (g *guardConn) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return nil
	}
	g.closing = true
	g.cond.Broadcast()
	g.Conn.SetReadDeadline(time.Now())
	g.Conn.SetWriteDeadline(time.Now().Add(g.l.limits.linger))
	return nil
}

// drop disconnects the peer for err, discarding what is queued.
func (g *guardConn) drop(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropLocked(err)
}

// dropLocked is drop with g.mu held. It returns the error Write reports
// from now on.
func (g *guardConn) dropLocked(err error) error {
	if g.broken == nil {
		g.log.Warn("disconnected zmtp peer", "err", err)
		g.broken = fmt.Errorf("zmtp peer %s: %w: %w", g.RemoteAddr(), err, net.ErrClosed)
		g.buf = nil
		g.Conn.Close()
		g.cond.Broadcast()
	}
	return g.broken
}

// forget removes a connection whose writer has ended from the listener.
func (l *guardListener) forget(g *guardConn) {
	l.mu.Lock()
	delete(l.live, g)
	l.mu.Unlock()
}
