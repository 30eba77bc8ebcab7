package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// The kernel listens, on tcp and ipc alike, through a guarded transport
// that sits between the network and zmq4 (v0.17.0). Anyone who can reach
// the kernel's ports can connect without the HMAC key, and zmq4 trusts
// what connecting peers send:
//
//   - it runs each handshake inside its accept loop without a deadline, so
//     one silent connection blocks every later one (go-zeromq/zmq4#131);
//   - it panics, in a goroutine of its own, on a READY property whose
//     length runs past the command (Property.Write), and on a READY
//     without a known Socket-Type (SocketType.IsCompatible);
//   - it allocates whatever a frame header announces (go-zeromq/zmq4#161)
//     and any number of frames per message;
//   - its PUB writes to one subscriber after another, blocking on each, so
//     one subscriber that stops reading stalls iopub for all (#151, #156);
//     its ROUTER likewise blocks on a peer that stops reading replies.
//
// The guarded listener therefore accepts connections itself and runs
// each handshake in its own goroutine under a deadline (guard.handshake),
// validating the greeting and READY command before zmq4 sees them; the
// connections it hands to zmq4 check every frame header read against the
// message limits, and queue writes for a per-connection writer goroutine,
// disconnecting a peer that falls too far behind (guardconn.go).

// guardLimits is what a guarded transport enforces.
type guardLimits struct {
	message   frameLimits   // per incoming message
	handshake time.Duration // from accept to the end of the peer's READY
	backlog   backlog       // per peer, of outgoing data not yet sent
	linger    time.Duration // for unsent data once zmq4 closes a connection
}

// backlog bounds the outgoing data queued for one peer. A peer with more
// than msgs messages or bytes bytes unsent when the kernel starts another
// message has catchUp to get under half of both, or is disconnected (see
// guardConn.outgoing). libzmq's PUB drops messages past its high-water
// mark of 1000 instead; a disconnected libzmq SUB reconnects and
// resubscribes.
type backlog struct {
	msgs    int
	bytes   int
	catchUp time.Duration
}

const (
	defaultHandshakeTimeout = 10 * time.Second
	defaultBacklogMsgs      = 1000
	defaultBacklogBytes     = 64 << 20
	defaultCatchUp          = 5 * time.Second
	defaultLinger           = 2 * time.Second
	// maxPendingHandshakes bounds the handshakes in progress on one port;
	// past it, the oldest is dropped, so that a flood of silent
	// connections delays real clients by no more than it takes to cycle.
	maxPendingHandshakes = 64
)

// zmq4 transports are registered globally and cannot be removed, and each
// guarded one carries its socket's type, limits and logger, so every
// socket a server listens on registers one of its own: five per kernel
// (a test process that starts many servers registers five each).
var guards struct {
	sync.Mutex
	n int // transports registered so far, naming the next
}

// guardedEndpoint returns the zmq4 endpoint for a socket of type local to
// listen on for conn's port, through a transport guarded with limits.
func guardedEndpoint(conn ConnectionInfo, port int, local zmq4.SocketType, limits guardLimits, log *slog.Logger) (string, error) {
	network, addr := "tcp", net.JoinHostPort(conn.IP, strconv.Itoa(port))
	if conn.Transport == "ipc" {
		network, addr = "unix", conn.IP+"-"+strconv.Itoa(port)
	}
	guards.Lock()
	defer guards.Unlock()
	name := fmt.Sprintf("gomp-guarded-%s-%d", network, guards.n)
	t := guardTransport{Transport: transport.New(network), local: local, limits: limits, log: log}
	if err := zmq4.RegisterTransport(name, t); err != nil {
		return "", fmt.Errorf("register zmq4 transport %s: %w", name, err)
	}
	guards.n++
	return name + "://" + addr, nil
}

// guardTransport is one of zmq4's net transports with guarded listeners.
type guardTransport struct {
	transport.Transport
	local  zmq4.SocketType
	limits guardLimits
	log    *slog.Logger
}

// Listen listens on addr and starts the listener's accept loop.
func (t guardTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	inner, err := t.Transport.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	l := &guardListener{
		Listener: inner,
		local:    t.local,
		limits:   t.limits,
		log:      t.log.With("listener", inner.Addr().String()),
		ready:    make(chan *guardConn),
		done:     make(chan struct{}),
		pending:  map[net.Conn]time.Time{},
		live:     map[*guardConn]struct{}{},
	}
	l.wg.Go(l.acceptLoop)
	return l, nil
}

// guardListener accepts connections in its own loop, completes each peer's
// side of the handshake in a goroutine of its own, and hands zmq4 (through
// Accept) only the connections that completed it. It owns every goroutine
// it starts; Close stops them all.
type guardListener struct {
	net.Listener
	local  zmq4.SocketType
	limits guardLimits
	log    *slog.Logger
	ready  chan *guardConn // handshakes done, for Accept
	done   chan struct{}   // closed by Close
	once   sync.Once
	wg     sync.WaitGroup // acceptLoop, handshakes, connection writers

	mu      sync.Mutex
	pending map[net.Conn]time.Time // handshakes in progress, by start
	live    map[*guardConn]struct{}
}

// Accept returns the next connection whose handshake completed.
func (l *guardListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting, drops handshakes in progress, and closes the
// connections handed out, waiting (at most the linger time) for what they
// still have to send.
func (l *guardListener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
		l.mu.Lock()
		for c := range l.pending {
			c.Close()
		}
		live := make([]*guardConn, 0, len(l.live))
		for c := range l.live {
			live = append(live, c)
		}
		l.mu.Unlock()
		for _, c := range live {
			c.Close()
		}
		l.wg.Wait()
	})
	return err
}

// acceptLoop accepts connections until Close, starting a handshake for
// each. Errors other than the listener's closing (running out of file
// descriptors, say) are retried after a pause, as net/http does.
func (l *guardListener) acceptLoop() {
	var pause time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			l.log.Warn("accept failed", "err", err, "retry_in", pause)
			select {
			case <-time.After(pause):
			case <-l.done:
				return
			}
			continue
		}
		pause = 0
		if !l.addPending(c) {
			c.Close()
			return
		}
		l.wg.Go(func() { l.handshake(c) })
	}
}

// addPending records c as handshaking, dropping the oldest handshake past
// maxPendingHandshakes. It reports false once the listener is closed.
func (l *guardListener) addPending(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.done:
		return false
	default:
	}
	if len(l.pending) >= maxPendingHandshakes {
		var oldest net.Conn
		var at time.Time
		for p, t := range l.pending {
			if oldest == nil || t.Before(at) {
				oldest, at = p, t
			}
		}
		oldest.Close()
		delete(l.pending, oldest)
		l.log.Warn("too many handshakes in progress; dropped the oldest", "peer", oldest.RemoteAddr())
	}
	l.pending[c] = time.Now()
	return true
}

// handshake does the peer's side of the handshake zmq4 will do: it sends
// zmq4's greeting, then reads and checks the peer's greeting and READY
// command, all under the handshake deadline. It hands a connection that
// passes to Accept, wrapped so that zmq4 reads those bytes again and its
// own greeting goes unsent.
func (l *guardListener) handshake(c net.Conn) {
	hello, sub, err := readHello(c, l.local, l.limits.handshake)
	l.mu.Lock()
	_, stillPending := l.pending[c]
	delete(l.pending, c)
	l.mu.Unlock()
	if err != nil || !stillPending {
		c.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			l.log.Warn("handshake refused", "peer", c.RemoteAddr(), "err", err)
		}
		return
	}
	g := newGuardConn(c, hello, sub, l)
	select {
	case l.ready <- g:
	case <-l.done:
		g.Close()
	}
}

// readHello sends zmq4's greeting on c, reads the peer's greeting and READY
// command within timeout, checks them for a zmq4 socket of type local, and
// returns the bytes read and whether the peer is a SUB socket.
func readHello(c net.Conn, local zmq4.SocketType, timeout time.Duration) ([]byte, bool, error) {
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, false, err
	}
	if _, err := c.Write(serverGreeting); err != nil {
		return nil, false, fmt.Errorf("send greeting: %w", err)
	}
	hello := make([]byte, zmtpGreeting, zmtpGreeting+9+64)
	if _, err := io.ReadFull(c, hello); err != nil {
		return nil, false, fmt.Errorf("read greeting: %w", err)
	}
	if err := checkGreeting(hello); err != nil {
		return nil, false, err
	}
	hello = hello[:zmtpGreeting+2]
	if _, err := io.ReadFull(c, hello[zmtpGreeting:]); err != nil {
		return nil, false, fmt.Errorf("read READY: %w", err)
	}
	flags, size := hello[zmtpGreeting], uint64(hello[zmtpGreeting+1])
	if flags&^flagLong != flagCommand {
		return nil, false, fmt.Errorf("first frame has flags %#x, want a READY command", flags)
	}
	if flags&flagLong != 0 {
		hello = append(hello, make([]byte, 7)...)
		if _, err := io.ReadFull(c, hello[zmtpGreeting+2:]); err != nil {
			return nil, false, fmt.Errorf("read READY: %w", err)
		}
		size = 0
		for _, b := range hello[zmtpGreeting+1:] {
			size = size<<8 | uint64(b)
		}
	}
	if size > maxReadySize {
		return nil, false, fmt.Errorf("READY of %d bytes, more than %d", size, maxReadySize)
	}
	head := len(hello)
	hello = append(hello, make([]byte, size)...)
	if _, err := io.ReadFull(c, hello[head:]); err != nil {
		return nil, false, fmt.Errorf("read READY: %w", err)
	}
	props, err := parseReady(hello[head:])
	if err == nil {
		err = checkPeerType(local, props)
	}
	if err != nil {
		return nil, false, fmt.Errorf("READY: %w", err)
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		return nil, false, err
	}
	typ := zmq4.SocketType(props["Socket-Type"])
	return hello, typ == zmq4.Sub || typ == zmq4.XSub, nil
}
