package mp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The parent and a worker exchange frames: a 4-byte big-endian length of
// what follows, an 8-byte sequence number, a 1-byte kind and a body. A reply
// carries the sequence number of its request (net/rpc's Seq); failures travel
// as data inside reply bodies, never as a broken stream. Frames know nothing
// of pipes: any io.Reader/io.Writer pair carries them. Each kind of frame
// between parent and worker has a Go type that encodes and decodes its body
// (message.go); the broker's requests are read by the objects they address.

// kind says what a frame's body holds.
type kind byte

const (
	kindHello   kind = iota + 1 // parent → worker: hello
	kindRestore                 // parent → worker: snapshot version and bytes
	kindInit                    // parent → worker: initializer call, rerun after each restore
	kindCall                    // parent → worker: call a target on a chunk of argument tuples
	kindExit                    // parent → worker: finish and exit 0
	kindResult                  // worker → parent: results of a call, or its error
	kindReady                   // worker → parent: started and waiting for hello
)

// maxFrame bounds a frame's length so a corrupt length cannot make the
// reader allocate without limit.
const maxFrame = 1 << 30

const frameHeader = 4 + 8 + 1

// frame is one message between parent and worker.
type frame struct {
	Seq  uint64
	Kind kind
	Body []byte
}

// conn reads and writes frames. Writes are serialised by a mutex; reads
// belong to a single goroutine.
type conn struct {
	r  *bufio.Reader
	mu sync.Mutex
	w  *bufio.Writer
}

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{r: bufio.NewReaderSize(r, 64<<10), w: bufio.NewWriterSize(w, 64<<10)}
}

// send writes one frame and flushes it.
func (c *conn) send(f frame) error {
	if len(f.Body) > maxFrame-frameHeader {
		return fmt.Errorf("send frame %d: body of %d bytes exceeds %d", f.Seq, len(f.Body), maxFrame)
	}
	var h [frameHeader]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(8+1+len(f.Body)))
	binary.BigEndian.PutUint64(h[4:12], f.Seq)
	h[12] = byte(f.Kind)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.w.Write(h[:]); err != nil {
		return fmt.Errorf("send frame %d: %w", f.Seq, err)
	}
	if _, err := c.w.Write(f.Body); err != nil {
		return fmt.Errorf("send frame %d: %w", f.Seq, err)
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("send frame %d: %w", f.Seq, err)
	}
	return nil
}

// recv reads one frame. It returns io.EOF only at a clean frame boundary.
func (c *conn) recv() (frame, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(c.r, h[:4]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(h[0:4])
	if n < 9 || n > maxFrame {
		return frame{}, fmt.Errorf("recv frame: bad length %d", n)
	}
	if _, err := io.ReadFull(c.r, h[4:]); err != nil {
		return frame{}, fmt.Errorf("recv frame header: %w", unexpected(err))
	}
	f := frame{Seq: binary.BigEndian.Uint64(h[4:12]), Kind: kind(h[12])}
	size := int(n - 9)
	if size <= bigFrame {
		f.Body = make([]byte, size)
		if _, err := io.ReadFull(c.r, f.Body); err != nil {
			return frame{}, fmt.Errorf("recv frame %d body: %w", f.Seq, unexpected(err))
		}
		return f, nil
	}
	// A length is only a claim: grow the body as its bytes arrive rather
	// than allocate what a corrupt length says.
	var buf bytes.Buffer
	buf.Grow(bigFrame)
	if _, err := io.CopyN(&buf, c.r, int64(size)); err != nil {
		return frame{}, fmt.Errorf("recv frame %d body of %d bytes: %w", f.Seq, size, unexpected(err))
	}
	f.Body = buf.Bytes()
	return f, nil
}

// bigFrame is the body size above which recv grows a body as it arrives.
const bigFrame = 1 << 20

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// body builds a frame body from unsigned varints and length-prefixed bytes.
type body []byte

func (b body) uint(v uint64) body   { return binary.AppendUvarint(b, v) }
func (b body) bytes(p []byte) body  { return append(b.uint(uint64(len(p))), p...) }
func (b body) string(s string) body { return append(b.uint(uint64(len(s))), s...) }

// reader takes a frame body apart; the first failure sticks in err. at
// names the field being read, for the error.
type reader struct {
	b   []byte
	err error
	at  string
}

// field names the field the next reads take, for their errors.
func (r *reader) field(name string) *reader {
	r.at = name
	return r
}

func (r *reader) fail(format string, args ...any) {
	if r.err != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if r.at != "" {
		msg = r.at + ": " + msg
	}
	r.err = errors.New("malformed frame body: " + msg)
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		if len(r.b) == 0 {
			r.fail("ends early")
		} else {
			r.fail("bad varint")
		}
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail("%d bytes announced, %d left", n, len(r.b))
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) string() string { return string(r.bytes()) }

// flag reads a boolean written as the varint 0 or 1.
func (r *reader) flag() bool {
	v := r.uint()
	if r.err == nil && v > 1 {
		r.fail("flag is %d, want 0 or 1", v)
	}
	return v == 1
}

// flag appends a boolean as the varint 0 or 1.
func (b body) flag(v bool) body {
	if v {
		return b.uint(1)
	}
	return b.uint(0)
}

// end fails unless the body has been read whole.
func (r *reader) end() {
	if r.err == nil && len(r.b) > 0 {
		r.at = ""
		r.fail("%d bytes left over", len(r.b))
	}
}
