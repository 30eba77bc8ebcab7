package kernel

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

func TestCheckGreeting(t *testing.T) {
	with := func(f func(g []byte)) []byte { g := zmtpClientGreeting(); f(g); return g }
	for _, tc := range []struct {
		name  string
		g     []byte
		valid bool
	}{
		{"ZMTP 3.0 NULL", zmtpClientGreeting(), true},
		{"ZMTP 3.1 as libzmq sends it", with(func(g []byte) { g[11] = 1 }), true},
		{"as-server set", with(func(g []byte) { g[32] = 1 }), true},
		{"zmq4's own", serverGreeting, true},
		{"short", zmtpClientGreeting()[:63], false},
		{"no signature", with(func(g []byte) { g[0] = 0 }), false},
		{"no signature footer", with(func(g []byte) { g[9] = 0 }), false},
		{"ZMTP 2", with(func(g []byte) { g[10] = 2 }), false},
		{"PLAIN", with(func(g []byte) { copy(g[12:], "PLAIN") }), false},
		{"NULL with trailing junk", with(func(g []byte) { g[17] = 'x' }), false},
		{"as-server 2", with(func(g []byte) { g[32] = 2 }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkGreeting(tc.g); (err == nil) != tc.valid {
				t.Errorf("checkGreeting = %v, want valid %v", err, tc.valid)
			}
		})
	}
}

func TestParseReady(t *testing.T) {
	ready := func(props ...[]byte) []byte { return append([]byte("\x05READY"), bytes.Join(props, nil)...) }
	for _, tc := range []struct {
		name  string
		cmd   []byte
		props map[string]string
	}{
		{"no properties", ready(), map[string]string{}},
		{"socket type and identity", ready(zmtpProperty("Socket-Type", "DEALER"), zmtpProperty("Identity", "me")),
			map[string]string{"Socket-Type": "DEALER", "Identity": "me"}},
		{"names as zmq4 reads them", ready(zmtpProperty("socket-type", "SUB")), map[string]string{"Socket-Type": "SUB"}},
		{"empty value", ready(zmtpProperty("Identity", "")), map[string]string{"Identity": ""}},
		{"the crashing READY of the issue", []byte("\x05READY\x01A"), nil},
		{"name past the end", []byte("\x05READY\x09A"), nil},
		{"value past the end", []byte("\x05READY\x01A\x00\x00\x00\x09xy"), nil},
		{"value length of 2^32-1", []byte("\x05READY\x01A\xff\xff\xff\xff"), nil},
		{"empty name", []byte("\x05READY\x00\x00\x00\x00\x00"), nil},
		{"other command", []byte("\x05HELLO"), nil},
		{"command name past the end", []byte("\x09READY"), nil},
		{"empty", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props, err := parseReady(tc.cmd)
			if (err == nil) != (tc.props != nil) {
				t.Fatalf("parseReady = %v, %v; want %v", props, err, tc.props)
			}
			for k, v := range tc.props {
				if props[k] != v {
					t.Errorf("property %s = %q, want %q", k, props[k], v)
				}
			}
		})
	}
}

// openAsZMQ4 runs zmq4's own server-side handshake (as a ROUTER) over a
// connection whose peer sends hello, as the guard hands connections to
// zmq4, and returns its error. It must never panic.
func openAsZMQ4(hello []byte) error {
	server, peer := net.Pipe()
	defer server.Close()
	defer peer.Close()
	server.SetDeadline(time.Now().Add(5 * time.Second))
	peer.SetDeadline(time.Now().Add(5 * time.Second))
	go func() {
		go io.Copy(io.Discard, peer)
		peer.Write(hello)
	}()
	c, err := zmq4.Open(server, null.Security(), zmq4.Router, zmq4.SocketIdentity("k"), true, nil)
	if c != nil {
		c.Close()
	}
	return err
}

// FuzzHandshake feeds arbitrary bytes to the guard's handshake as a
// peer's, and any handshake the guard accepts to zmq4's. The guard must
// not panic; zmq4 must not panic on what the guard lets through.
func FuzzHandshake(f *testing.F) {
	f.Add(zmtpHello())
	f.Add(zmtpHelloAs("SOCKET"))
	f.Add(append(zmtpClientGreeting(), zmtpFrame(0x04, append([]byte("\x05READY"), zmtpProperty("SOCKET-TYPE", "DEALER")...))...))
	f.Add(zmtpHelloAs("SUB"))
	f.Add(append(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x05READY\x01A"))...))
	f.Add(append(zmtpClientGreeting(), zmtpFrame(0x04, []byte("\x05READY\x09A"))...))
	f.Add(append(zmtpClientGreeting(), zmtpHeader(0x04, 1<<62)...))
	f.Add(append(zmtpClientGreeting(), zmtpFrame(0x04, append([]byte("\x05READY"), zmtpProperty("Identity", "x")...))...))
	f.Add(zmtpClientGreeting()[:10])
	f.Fuzz(func(t *testing.T, data []byte) {
		server, peer := net.Pipe()
		defer server.Close()
		go func() {
			defer peer.Close()
			io.ReadFull(peer, make([]byte, zmtpGreeting))
			peer.Write(data)
		}()
		hello, _, err := readHello(server, zmq4.Router, time.Second)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(data, hello) {
			t.Fatalf("hello %q is not what the peer sent", hello)
		}
		if err := openAsZMQ4(hello); err != nil {
			t.Logf("zmq4 refused a handshake the guard accepted: %v", err)
		}
	})
}

// FuzzInboundChunks checks that the frame checks do not depend on how the
// stream is cut into reads.
func FuzzInboundChunks(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0}, uint8(1), false)
	f.Add(append(zmtpFrame(1, []byte("abc")), zmtpHeader(0, 1<<62)...), uint8(3), false)
	f.Add(zmtpFrame(0, []byte("\x01kernel")), uint8(2), true)
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8, sub bool) {
		limits := frameLimits{bytes: 100, frames: 3}
		whole := &inbound{limits: limits, sub: sub}
		wholeErr := whole.scan(stream)
		cut := &inbound{limits: limits, sub: sub}
		var cutErr error
		step := int(chunk)%16 + 1
		for b := stream; len(b) > 0 && cutErr == nil; b = b[min(step, len(b)):] {
			cutErr = cut.scan(b[:min(step, len(b))])
		}
		if (wholeErr == nil) != (cutErr == nil) {
			t.Fatalf("whole: %v; in chunks of %d: %v", wholeErr, step, cutErr)
		}
	})
}
