package kernel

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// The kernel listens on tcp through a guarded transport. zmq4 (v0.17.0)
// allocates whatever size a peer's frame header announces before reading
// the body, so a single header claiming 2^62 bytes panics inside zmq4's
// reader goroutine and kills the process, before any signature could be
// checked. A guarded connection reads the ZMTP stream's frame headers as
// the bytes go by and drops a connection whose message would exceed the
// limit, so zmq4 never acts on such a header.
//
// zmq4 transports are registered globally and cannot be removed, so there
// is one per limit in use, registered on first use.
var guards = struct {
	sync.Mutex
	names map[uint64]string
}{names: map[uint64]string{}}

// guardedEndpoint returns the zmq4 endpoint to listen on for conn's port:
// for tcp, through a guarded transport that lets a peer send messages of at
// most limit bytes.
func guardedEndpoint(conn ConnectionInfo, port int, limit uint64) (string, error) {
	if conn.Transport == "ipc" {
		return conn.endpoint(port), nil
	}
	guards.Lock()
	defer guards.Unlock()
	name, ok := guards.names[limit]
	if !ok {
		name = fmt.Sprintf("gomp-tcp-max-%d", limit)
		if err := zmq4.RegisterTransport(name, guardTransport{transport.New("tcp"), limit}); err != nil {
			return "", fmt.Errorf("register zmq4 transport %s: %w", name, err)
		}
		guards.names[limit] = name
	}
	return name + "://" + net.JoinHostPort(conn.IP, strconv.Itoa(port)), nil
}

// guardTransport is zmq4's tcp transport with guarded connections.
type guardTransport struct {
	transport.Transport
	limit uint64
}

func (t guardTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := t.Transport.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	return guardListener{l, t.limit}, nil
}

// guardListener hands out guarded connections.
type guardListener struct {
	net.Listener
	limit uint64
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardConn{Conn: c, skip: zmtpGreeting, limit: l.limit}, nil
}

// zmtpGreeting is the length of a ZMTP 3 greeting, which precedes frames.
const zmtpGreeting = 64

// guardConn follows the ZMTP 3 frame structure of what it reads: each
// frame is a flags byte (0x01 more frames follow, 0x02 long size, 0x04
// command), a size of 1 or 8 bytes, and the body.
type guardConn struct {
	net.Conn
	limit   uint64
	skip    uint64 // bytes of greeting or frame body still to pass
	hdrLeft int    // size bytes still to read; 0: the next byte is flags
	more    bool   // the frame being read is not its message's last
	size    uint64 // the size being read
	total   uint64 // bytes in the message so far
}

// Read passes bytes through, failing (and closing the connection) at the
// header of a frame that would take its message past the limit.
func (g *guardConn) Read(p []byte) (int, error) {
	n, err := g.Conn.Read(p)
	if serr := g.scan(p[:n]); serr != nil {
		g.Conn.Close()
		return 0, fmt.Errorf("zmtp peer %s: %w", g.RemoteAddr(), serr)
	}
	return n, err
}

func (g *guardConn) scan(b []byte) error {
	for i := 0; i < len(b); {
		switch {
		case g.skip > 0:
			k := min(g.skip, uint64(len(b)-i))
			g.skip -= k
			i += int(k)
		case g.hdrLeft == 0:
			flags := b[i]
			i++
			g.hdrLeft, g.size = 1, 0
			if flags&0x02 != 0 {
				g.hdrLeft = 8
			}
			if !g.more {
				g.total = 0
			}
			g.more = flags&0x01 != 0
		default:
			g.size = g.size<<8 | uint64(b[i])
			i++
			g.hdrLeft--
			if g.hdrLeft > 0 {
				continue
			}
			if g.size > g.limit || g.total+g.size > g.limit {
				return fmt.Errorf("frame of %d bytes takes its message past the limit of %d bytes", g.size, g.limit)
			}
			g.total += g.size
			g.skip = g.size
		}
	}
	return nil
}
