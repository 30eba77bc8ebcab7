package kernel

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// zmtpFrame encodes one ZMTP 3 frame header and body.
func zmtpFrame(flags byte, body []byte) []byte {
	if len(body) > 255 {
		h := make([]byte, 9)
		h[0] = flags | 0x02
		binary.BigEndian.PutUint64(h[1:], uint64(len(body)))
		return append(h, body...)
	}
	return append([]byte{flags, byte(len(body))}, body...)
}

// zmtpHeader is a long frame header announcing size bytes.
func zmtpHeader(flags byte, size uint64) []byte {
	h := make([]byte, 9)
	h[0] = flags | 0x02
	binary.BigEndian.PutUint64(h[1:], size)
	return h
}

// zmtpClientGreeting is a ZMTP 3.0 greeting with the NULL mechanism, as
// a connecting peer sends it.
func zmtpClientGreeting() []byte {
	g := make([]byte, zmtpGreeting)
	g[0], g[9], g[10] = 0xff, 0x7f, 3
	copy(g[12:], "NULL")
	return g
}

// zmtpProperty encodes one ZMTP metadata property.
func zmtpProperty(k, v string) []byte {
	b := append([]byte{byte(len(k))}, k...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

// zmtpHelloAs is a ZMTP 3.0 NULL greeting and READY command from a socket
// of type sockType.
func zmtpHelloAs(sockType string) []byte {
	ready := append([]byte("\x05READY"), zmtpProperty("Socket-Type", sockType)...)
	return append(zmtpClientGreeting(), zmtpFrame(0x04, ready)...)
}

// zmtpHello is a ZMTP 3.0 NULL greeting and READY command from a DEALER.
func zmtpHello() []byte { return zmtpHelloAs("DEALER") }

// peerTypes is the socket type a frontend connects to each port with.
var peerTypes = map[string]string{"shell": "DEALER", "control": "DEALER", "stdin": "DEALER", "iopub": "SUB", "heartbeat": "REQ"}

// dialRaw opens a plain connection to port, outside zmq4, closed on cleanup.
func dialRaw(t *testing.T, c *child, port int) net.Conn {
	t.Helper()
	network, addr := c.address(port)
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitClosed reads conn until the kernel closes it. It fails t if that
// does not happen within 30 seconds.
func waitClosed(t *testing.T, conn net.Conn, what string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	// A reset is a close with unread input on the kernel's side.
	if _, err := io.Copy(io.Discard, conn); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the kernel did not close the connection after %s: %v", what, err)
	}
}

func TestInboundScan(t *testing.T) {
	limits := frameLimits{bytes: 1000, frames: 4}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	body := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	for _, tc := range []struct {
		name    string
		sub     bool
		stream  []byte
		wantErr bool
	}{
		{"nothing", false, nil, false},
		{"short frames", false, cat(zmtpFrame(0x01, body(10)), zmtpFrame(0, body(200))), false},
		{"long frame at the limit", false, zmtpFrame(0, body(1000)), false},
		{"messages add up separately", false, cat(zmtpFrame(0, body(600)), zmtpFrame(0, body(600))), false},
		{"long frame over the limit", false, zmtpHeader(0, 1001), true},
		{"announced 2^62", false, zmtpHeader(0, 1<<62), true},
		{"announced 2^64-1", false, zmtpHeader(0, 1<<64-1), true},
		{"frames of one message add up", false, cat(zmtpFrame(0x01, body(600)), zmtpHeader(0, 600)), true},
		{"command over the limit", false, zmtpHeader(0x04, 1001), true},
		{"frames at the count limit", false, cat(bytes.Repeat([]byte{1, 0}, 3), []byte{0, 0}), false},
		{"empty frames past the count limit", false, bytes.Repeat([]byte{1, 0}, 5), true},
		{"frame counts per message", false, bytes.Repeat([]byte{1, 0, 1, 0, 0, 0}, 5), false},
		{"subscription", true, cat(zmtpFrame(0, []byte("\x01")), zmtpFrame(0, []byte("\x00kernel"))), false},
		{"SUB sends a message", true, zmtpFrame(0, []byte("hello")), true},
		{"SUB sends two frames", true, cat(zmtpFrame(1, []byte("\x01")), zmtpFrame(0, []byte("\x01"))), true},
		{"SUB sends an empty frame", true, zmtpFrame(0, nil), true},
		{"SUB sends a command", true, zmtpFrame(4, []byte("\x04PING")), true},
		{"SUB subscription too long", true, zmtpFrame(0, append([]byte{1}, body(maxSubscriptionSize)...)), true},
	} {
		for _, chunk := range []int{1, 7, 1 << 20} {
			t.Run(fmt.Sprintf("%s/chunks of %d", tc.name, chunk), func(t *testing.T) {
				in := &inbound{limits: limits, sub: tc.sub}
				var err error
				for b := tc.stream; len(b) > 0 && err == nil; b = b[min(chunk, len(b)):] {
					err = in.scan(b[:min(chunk, len(b))])
				}
				if (err != nil) != tc.wantErr {
					t.Errorf("read in chunks of %d: err = %v, want error %v", chunk, err, tc.wantErr)
				}
			})
		}
	}
}

func TestHugeFrameHeaderDisconnectsPeer(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	bound := h.srv.Connection()
	for _, tc := range []struct {
		name   string
		header []byte
	}{
		{"2^62 bytes", zmtpHeader(0, 1<<62)},
		{"just over the limit", zmtpHeader(0, defaultMaxMessageSize+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			c, err := net.Dial("tcp", net.JoinHostPort(bound.IP, strconv.Itoa(bound.ShellPort)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(append(zmtpHello(), tc.header...)); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			if _, err := io.Copy(io.Discard, c); err != nil {
				t.Fatalf("the kernel did not close the connection: %v", err)
			}
			if r, _ := h.request(h.shell, "kernel_info_request", map[string]any{}); r.Content["status"] != "ok" {
				t.Errorf("kernel_info after the huge frame: %v", r.Content)
			}
		})
	}
}

// A peer that gets the handshake wrong is disconnected; the kernel process
// lives on and serves the next client. The first case is the READY whose
// property claims more bytes than the command holds: zmq4 v0.17.0's
// Property.Write panics on it in the accept goroutine, which killed the
// kernel with exit code 2.
func TestBadHandshakeLeavesKernelRunning(t *testing.T) {
	c := startChild(t, "tcp")
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name   string
		stream []byte
	}{
		{"property value length cut off", cat(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x05READY\x01A")))},
		{"property name longer than the command", cat(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x05READY\x09A")))},
		{"property value longer than the command", cat(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x05READY\x01A\x00\x00\x00\x09xy")))},
		{"command name longer than the command", cat(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x09READY")))},
		{"empty command", cat(zmtpClientGreeting(), zmtpFrame(0x04, nil))},
		{"message instead of READY", cat(zmtpClientGreeting(), zmtpFrame(0, []byte("hello")))},
		{"READY of 2^62 bytes", cat(zmtpClientGreeting(), zmtpHeader(0x04, 1<<62))},
		// zmq4 v0.17.0's SocketType.IsCompatible panics on these, which
		// the fuzz target found.
		{"READY without Socket-Type", cat(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x05READY")))},
		{"unknown Socket-Type", zmtpHelloAs("SOCKET")},
		{"Socket-Type in capitals", cat(zmtpClientGreeting(), zmtpFrame(0x04, append([]byte("\x05READY"), zmtpProperty("SOCKET-TYPE", "DEALER")...)))},
		{"not ZMTP", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat(" ", 64))},
		{"CURVE mechanism", func() []byte { g := zmtpClientGreeting(); copy(g[12:], "CURVE"); return g }()},
		{"ZMTP 2", func() []byte { g := zmtpClientGreeting(); g[10] = 1; return g }()},
	} {
		for _, p := range c.ports() {
			t.Run(tc.name+"/"+p.name, func(t *testing.T) {
				conn := dialRaw(t, c, p.port)
				if _, err := conn.Write(tc.stream); err != nil {
					t.Fatal(err)
				}
				waitClosed(t, conn, tc.name)
				c.alive(t)
			})
		}
	}
	c.kernelInfo(t)
	if code := c.exitCode(); code != -1 {
		t.Fatalf("kernel exited with %d", code)
	}
}

// A peer that connects and sends nothing, or too little to finish its
// greeting, must not keep others from connecting: zmq4 v0.17.0 runs each
// handshake inside its accept loop, without a deadline.
func TestStalledHandshakeDoesNotBlockOthers(t *testing.T) {
	c := startInProcess(t, Options{HandshakeTimeout: 500 * time.Millisecond})
	for _, p := range c.ports() {
		t.Run(p.name, func(t *testing.T) {
			silent := dialRaw(t, c, p.port)
			one := dialRaw(t, c, p.port)
			one.Write([]byte{0xff})
			half := dialRaw(t, c, p.port)
			half.Write(zmtpClientGreeting()[:20])
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sock := map[string]func(context.Context, ...zmq4.Option) zmq4.Socket{
				"DEALER": zmq4.NewDealer, "SUB": zmq4.NewSub, "REQ": zmq4.NewReq,
			}[peerTypes[p.name]](ctx)
			defer sock.Close()
			dialed := make(chan error, 1)
			go func() { dialed <- sock.Dial(c.conn.endpoint(p.port)) }()
			select {
			case err := <-dialed:
				if err != nil {
					t.Fatalf("dial %s: %v", p.name, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("a client could not connect to %s while another connection stalled", p.name)
			}
			// Past the handshake deadline, the stalled connections are closed.
			for _, conn := range []net.Conn{silent, one, half} {
				waitClosed(t, conn, "the handshake deadline")
			}
		})
	}
	c.kernelInfo(t)
}

// On ipc as on tcp, a frame header announcing more than the message size
// limit disconnects the peer before zmq4 allocates it: 2^62 bytes killed
// the kernel, 100 MB was allocated and read.
func TestFrameLimitOnIPC(t *testing.T) {
	c := startChild(t, "ipc")
	for _, tc := range []struct {
		name   string
		header []byte
	}{
		{"2^62 bytes", zmtpHeader(0, 1<<62)},
		{"100 MB", zmtpHeader(0, 100<<20)},
	} {
		for _, p := range c.ports() {
			t.Run(tc.name+"/"+p.name, func(t *testing.T) {
				conn := dialRaw(t, c, p.port)
				if _, err := conn.Write(append(zmtpHelloAs(peerTypes[p.name]), tc.header...)); err != nil {
					t.Fatal(err)
				}
				waitClosed(t, conn, "a header of "+tc.name)
				c.alive(t)
			})
		}
	}
	c.kernelInfo(t)
}

// A message of many empty frames is cut off at the frame limit: 4 million
// of them (8 MB on the wire) took the kernel to 349 MB of frame headers.
func TestFrameCountLimit(t *testing.T) {
	c := startInProcess(t, Options{})
	for _, p := range c.ports() {
		t.Run(p.name, func(t *testing.T) {
			conn := dialRaw(t, c, p.port)
			stream := zmtpHelloAs(peerTypes[p.name])
			stream = append(stream, bytes.Repeat([]byte{0x01, 0}, defaultMaxFrames)...)
			stream = append(stream, 0, 0)
			if _, err := conn.Write(stream); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, conn, fmt.Sprintf("%d frames", defaultMaxFrames+1))
		})
	}
	c.kernelInfo(t)
}

// A subscriber that stops reading is disconnected once it is too far
// behind; the frontend that reads gets every message, and the idle status,
// of cells that together publish more than that.
func TestSlowSubscriberDoesNotStallIOPub(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	bound := h.srv.Connection()
	slow, err := net.Dial("tcp", net.JoinHostPort(bound.IP, strconv.Itoa(bound.IOPubPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if _, err := slow.Write(append(zmtpHelloAs("SUB"), zmtpFrame(0, []byte("\x01kernel"))...)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); len(h.srv.iopub.sock.(zmq4.Topics).Topics()) < 2; {
		if time.Now().After(deadline) {
			t.Fatal("the slow subscription never reached the PUB socket")
		}
		time.Sleep(time.Millisecond)
	}
	const size = 50 << 20
	for i := range 2 {
		r, out := h.execute(fmt.Sprintf("bytes %d", size), nil)
		if r.Content["status"] != "ok" {
			t.Fatalf("cell %d: %v", i, r.Content)
		}
		if n := len(streamText(out, "stdout")); n != size {
			t.Fatalf("cell %d: the reading frontend got %d bytes of output, want %d", i, n, size)
		}
	}
	waitClosed(t, slow, "falling behind")
}

// libzmq (pyzmq, so jupyter_client) sends only its 10-byte signature and
// waits for the other side's before sending the rest of its greeting: the
// guard must greet first, with the bytes zmq4 would send, as zmq4 did.
func TestGuardGreetsFirst(t *testing.T) {
	c := startInProcess(t, Options{})
	for _, p := range c.ports() {
		t.Run(p.name, func(t *testing.T) {
			conn := dialRaw(t, c, p.port)
			hello := zmtpHelloAs(peerTypes[p.name])
			if _, err := conn.Write(hello[:10]); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			got := make([]byte, zmtpGreeting)
			if _, err := io.ReadFull(conn, got); err != nil {
				t.Fatalf("no greeting after the signature: %v", err)
			}
			if !bytes.Equal(got, serverGreeting) {
				t.Fatalf("greeting %q, want %q", got, serverGreeting)
			}
			if _, err := conn.Write(hello[10:]); err != nil {
				t.Fatal(err)
			}
			// zmq4's READY follows, once the guard hands the connection over.
			head := make([]byte, 2)
			if _, err := io.ReadFull(conn, head); err != nil || head[0] != 0x04 {
				t.Fatalf("READY header %x, %v", head, err)
			}
			ready := make([]byte, head[1])
			if _, err := io.ReadFull(conn, ready); err != nil {
				t.Fatal(err)
			}
			props, err := parseReady(ready)
			if err != nil || props["Socket-Type"] == "" {
				t.Fatalf("zmq4's READY %q: %v, %v", ready, props, err)
			}
		})
	}
}
