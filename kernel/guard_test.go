package kernel

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
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

// zmtpHello is a ZMTP 3.0 NULL greeting and READY command from a DEALER.
func zmtpHello() []byte {
	g := make([]byte, zmtpGreeting)
	g[0], g[9], g[10] = 0xff, 0x7f, 3
	copy(g[12:], "NULL")
	prop := func(k, v string) []byte {
		b := append([]byte{byte(len(k))}, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		return append(b, v...)
	}
	ready := append([]byte("\x05READY"), prop("Socket-Type", "DEALER")...)
	return append(g, zmtpFrame(0x04, ready)...)
}

func TestGuardScan(t *testing.T) {
	const limit = 1000
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	body := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	for _, tc := range []struct {
		name    string
		stream  []byte
		wantErr bool
	}{
		{"hello only", zmtpHello(), false},
		{"short frames", cat(zmtpHello(), zmtpFrame(0x01, body(10)), zmtpFrame(0, body(200))), false},
		{"long frame at the limit", cat(zmtpHello(), zmtpFrame(0, body(limit))), false},
		{"messages add up separately", cat(zmtpHello(), zmtpFrame(0, body(600)), zmtpFrame(0, body(600))), false},
		{"long frame over the limit", cat(zmtpHello(), zmtpHeader(0, limit+1)), true},
		{"announced 2^62", cat(zmtpHello(), zmtpHeader(0, 1<<62)), true},
		{"frames of one message add up", cat(zmtpHello(), zmtpFrame(0x01, body(600)), zmtpHeader(0, 600)), true},
		{"command over the limit", cat(zmtpHello(), zmtpHeader(0x04, limit+1)), true},
	} {
		for _, chunk := range []int{1, 7, 1 << 20} {
			t.Run(fmt.Sprintf("%s/chunks of %d", tc.name, chunk), func(t *testing.T) {
				g := &guardConn{skip: zmtpGreeting, limit: limit}
				var err error
				for b := tc.stream; len(b) > 0 && err == nil; b = b[min(chunk, len(b)):] {
					err = g.scan(b[:min(chunk, len(b))])
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
