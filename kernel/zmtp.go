package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-zeromq/zmq4"
)

// This file reads the parts of ZMTP 3 (https://rfc.zeromq.org/spec/23/)
// that the guard checks before zmq4 sees them: the greeting, the READY
// command of the NULL mechanism, and the frame headers that follow.

const (
	// zmtpGreeting is the length of a ZMTP 3 greeting, which precedes frames.
	zmtpGreeting = 64
	// maxReadySize bounds the READY command a peer may send: a socket type
	// and an identity of at most 255 bytes need far less.
	maxReadySize = 4 << 10
	// maxSubscriptionSize bounds one subscription message from a SUB peer.
	maxSubscriptionSize = 1 << 10

	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
)

// serverGreeting is the greeting zmq4 v0.17.0 sends on a connection it
// accepted (Conn.greet: ZMTP 3.0, mechanism NULL, as-server 0, zero
// padding). The guard sends it before zmq4 runs, because libzmq peers send
// only their 10-byte signature until they have read the other side's, and
// swallows zmq4's own copy of it.
var serverGreeting = func() []byte {
	g := make([]byte, zmtpGreeting)
	g[0], g[9], g[10], g[11] = 0xff, 0x7f, 3, 0
	copy(g[12:32], "NULL")
	return g
}()

// checkGreeting reports what is wrong with a peer's 64-byte greeting, for
// zmq4 as a NULL-mechanism server: the signature, a version of at least
// 3.0 (zmq4 speaks 3.0 and accepts higher), the NULL mechanism and an
// as-server flag of 0 or 1.
func checkGreeting(g []byte) error {
	switch {
	case len(g) != zmtpGreeting:
		return fmt.Errorf("greeting of %d bytes, want %d", len(g), zmtpGreeting)
	case g[0] != 0xff || g[9] != 0x7f:
		return errors.New("no ZMTP signature")
	case g[10] < 3:
		return fmt.Errorf("ZMTP version %d.%d, want 3.0 or later", g[10], g[11])
	case !bytes.Equal(g[12:32], serverGreeting[12:32]):
		return fmt.Errorf("security mechanism %q, want NULL", bytes.TrimRight(g[12:32], "\x00"))
	case g[32] > 1:
		return fmt.Errorf("as-server flag %d, want 0 or 1", g[32])
	}
	return nil
}

// parseReady checks a READY command (its name and properties, the body of
// a command frame) and returns its properties as zmq4 reads them. Every
// length must fit in what is left of the command, which zmq4 v0.17.0's
// Property.Write does not check before slicing (and panics).
func parseReady(cmd []byte) (zmq4.Metadata, error) {
	if len(cmd) == 0 || int(cmd[0]) > len(cmd)-1 {
		return nil, errors.New("command name runs past the command")
	}
	if name := string(cmd[1 : 1+cmd[0]]); name != "READY" {
		return nil, fmt.Errorf("command %q, want READY", name)
	}
	props := cmd[1+cmd[0]:]
	for b := props; len(b) > 0; {
		klen := int(b[0])
		if klen == 0 || 1+klen+4 > len(b) {
			return nil, fmt.Errorf("property at byte %d: name of %d bytes does not fit", len(cmd)-len(b), klen)
		}
		key := b[1 : 1+klen]
		vlen := binary.BigEndian.Uint32(b[1+klen:])
		b = b[1+klen+4:]
		if uint64(vlen) > uint64(len(b)) {
			return nil, fmt.Errorf("property %q: value of %d bytes, %d left", key, vlen, len(b))
		}
		b = b[vlen:]
	}
	// Safe now that every length fits; zmq4's own reading decides which
	// names it finds (it title-cases them).
	md := zmq4.Metadata{}
	if err := md.UnmarshalZMTP(props); err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	return md, nil
}

// checkPeerType reports whether zmq4, as a socket of type local, can take
// a peer whose READY carried props: zmq4 v0.17.0 panics (in
// SocketType.IsCompatible, called on the peer's type) when the peer's
// Socket-Type is missing or unknown.
func checkPeerType(local zmq4.SocketType, props zmq4.Metadata) error {
	peer, ok := props["Socket-Type"]
	if !ok {
		return errors.New("READY has no Socket-Type")
	}
	if !local.IsCompatible(zmq4.SocketType(peer)) {
		return fmt.Errorf("peer socket type %q cannot talk to %s", peer, local)
	}
	return nil
}

// frameLimits bounds what a peer may send in one message.
type frameLimits struct {
	bytes  uint64 // sum of the frame sizes
	frames int
}

// frameScanner follows the frame structure of a ZMTP byte stream after the
// handshake, however the stream is cut into reads or writes: each frame is
// a flags byte (flagMore, flagLong, flagCommand), a size of 1 or 8 bytes,
// and the body.
type frameScanner struct {
	skip    uint64 // body bytes still to pass
	hdrLeft int    // size bytes still to read; 0: the next byte is flags
	flags   byte   // of the frame whose header is being read
	more    bool   // the frame before was not its message's last
	size    uint64 // the size being read
	first   bool   // the next body byte is its frame's first
}

// frameHeader describes a frame whose header has been read.
type frameHeader struct {
	flags byte
	size  uint64
	start bool // the frame starts a message
	end   int  // offset, in the chunk scanned, just past the header
}

// scan follows b, calling onHeader with each frame header completed in b
// and onFirst with the first body byte of each non-empty frame (when not
// nil). It stops at the first error either returns.
func (s *frameScanner) scan(b []byte, onHeader func(frameHeader) error, onFirst func(byte) error) error {
	for i := 0; i < len(b); {
		switch {
		case s.skip > 0:
			if s.first && onFirst != nil {
				if err := onFirst(b[i]); err != nil {
					return err
				}
			}
			s.first = false
			k := min(s.skip, uint64(len(b)-i))
			s.skip -= k
			i += int(k)
		case s.hdrLeft == 0:
			s.flags = b[i]
			i++
			s.hdrLeft, s.size = 1, 0
			if s.flags&flagLong != 0 {
				s.hdrLeft = 8
			}
		default:
			s.size = s.size<<8 | uint64(b[i])
			i++
			s.hdrLeft--
			if s.hdrLeft > 0 {
				continue
			}
			h := frameHeader{flags: s.flags, size: s.size, start: !s.more, end: i}
			s.more = s.flags&flagMore != 0
			s.skip, s.first = s.size, true
			if err := onHeader(h); err != nil {
				return err
			}
		}
	}
	return nil
}

// inbound checks the frames a peer sends against limits: no message above
// limits.bytes in total or limits.frames in number, and, from a SUB peer,
// nothing but subscription messages (one frame starting with 0 or 1: zmq4's
// PUB queues anything else for a Recv that the kernel never calls, and
// blocks that peer's reader forever once ten are queued).
type inbound struct {
	frameScanner
	limits frameLimits
	sub    bool
	bytes  uint64 // in the message so far
	frames int
}

// scan follows b, failing at the first frame header that breaks a limit.
func (in *inbound) scan(b []byte) error {
	var onFirst func(byte) error
	if in.sub {
		onFirst = func(c byte) error {
			if c > 1 {
				return fmt.Errorf("message from a SUB peer is not a subscription (starts with %#x)", c)
			}
			return nil
		}
	}
	return in.frameScanner.scan(b, in.header, onFirst)
}

func (in *inbound) header(h frameHeader) error {
	if h.start {
		in.bytes, in.frames = 0, 0
	}
	in.frames++
	if in.frames > in.limits.frames {
		return fmt.Errorf("message of more than %d frames", in.limits.frames)
	}
	if h.size > in.limits.bytes || in.bytes+h.size > in.limits.bytes {
		return fmt.Errorf("frame of %d bytes takes its message past the limit of %d bytes", h.size, in.limits.bytes)
	}
	in.bytes += h.size
	if in.sub && (h.flags&(flagMore|flagCommand) != 0 || h.size == 0 || h.size > maxSubscriptionSize) {
		return fmt.Errorf("frame (flags %#x, %d bytes) from a SUB peer is not a subscription", h.flags, h.size)
	}
	return nil
}
