package supervise

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/widgets"
)

// The kernel process and its interpreter exchange frames on two pipes: a
// 4-byte big-endian length of what follows, a 1-byte kind, an 8-byte id
// and a body. The id is a cell's sequence number (execute, interrupt, the
// cell's output, a comm message from the front, which runs as a cell, and
// a widget's message for the cell that owns it) or a request's (complete,
// inspect, is_complete, restore, input), which the reply carries back. Structured bodies are JSON; output bodies are the
// bytes written. Like mp's worker frames, the framing knows nothing of
// pipes: any reader and writer carry it.

// kind says what a frame's body holds.
type kind byte

const (
	// kernel → interpreter
	kindExecute    kind = iota + 1 // id: cell; body: executeMsg
	kindComplete                   // id: request; body: completeMsg
	kindInspect                    // id: request; body: completeMsg
	kindIsComplete                 // id: request; body: completeMsg
	kindInterrupt                  // id: cell
	kindInputReply                 // id: the input request's; body: inputReplyMsg
	kindRestore                    // id: request; body: a snapshot (interp's JSON state)
	kindShutdown                   // end: close the notebook (and its mp children) and exit

	// interpreter → kernel
	kindReply    // id: the request's; body: the answer as JSON
	kindStdout   // id: cell; body: bytes written
	kindStderr   // id: cell; body: bytes written
	kindDisplay  // id: cell; body: display.Output
	kindInput    // id: request; body: inputMsg
	kindSnapshot // id: cell; body: snapshotMsg
	kindStarted  // id: cell; the interpreter begins running it

	// comms (widgets): a frontend's message runs like a cell, answered by
	// kindReply with a commReply; a widget's message goes to the cell
	// that owns the widget.
	kindCommIn  // kernel → interpreter; id: the message's, as a cell's; body: commMsg
	kindCommOut // interpreter → kernel; id: cell; body: widgets.Message
)

// maxFrame bounds a frame so that a corrupt length cannot make the reader
// allocate without limit.
const maxFrame = 1 << 30

const frameHeader = 4 + 1 + 8

// frame is one message.
type frame struct {
	Kind kind
	ID   uint64
	Body []byte
}

// conn reads and writes frames. Writes are serialised; reads belong to one
// goroutine. Output that follows other output within lazyDelay waits in
// the buffer for up to lazyDelay (sendLazy), so that a cell printing in a
// loop costs a write per 64 KiB instead of one per line, while a line
// printed after a pause goes at once (it may be the last words of a
// process about to crash); any other frame flushes the buffer first, so
// the order of output, displays and replies is kept.
type conn struct {
	r  *bufio.Reader
	mu sync.Mutex
	w  *bufio.Writer

	dirty bool        // unflushed frames in w
	timer *time.Timer // flushes dirty frames after lazyDelay
	last  time.Time   // when w was last flushed
}

// lazyDelay bounds how long output waits in the interpreter before it is
// sent to the kernel process (the kernel's publisher batches streams for
// up to 50 ms on its own).
const lazyDelay = 500 * time.Microsecond

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{r: bufio.NewReaderSize(r, 64<<10), w: bufio.NewWriterSize(w, 64<<10)}
}

// write appends one frame to the buffer; the caller holds mu.
func (c *conn) write(k kind, id uint64, body []byte) error {
	if len(body) > maxFrame-frameHeader {
		return fmt.Errorf("send frame of kind %d: body of %d bytes exceeds %d", k, len(body), maxFrame)
	}
	var h [frameHeader]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(1+8+len(body)))
	h[4] = byte(k)
	binary.BigEndian.PutUint64(h[5:13], id)
	c.w.Write(h[:])
	if _, err := c.w.Write(body); err != nil {
		return fmt.Errorf("send frame of kind %d: %w", k, err)
	}
	return nil
}

// send writes one frame and flushes it, with any output before it.
func (c *conn) send(k kind, id uint64, body []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.write(k, id, body); err != nil {
		return err
	}
	c.dirty = false
	c.last = time.Now()
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("send frame of kind %d: %w", k, err)
	}
	return nil
}

// sendLazy writes one frame, to be flushed within lazyDelay.
func (c *conn) sendLazy(k kind, id uint64, body []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.write(k, id, body); err != nil {
		return err
	}
	if now := time.Now(); !c.dirty && now.Sub(c.last) > lazyDelay {
		c.last = now
		if err := c.w.Flush(); err != nil {
			return fmt.Errorf("send frame of kind %d: %w", k, err)
		}
		return nil
	}
	if !c.dirty && c.w.Buffered() > 0 {
		c.dirty = true
		if c.timer == nil {
			c.timer = time.AfterFunc(lazyDelay, c.flushLazy)
		} else {
			c.timer.Reset(lazyDelay)
		}
	}
	return nil
}

// flushLazy sends what sendLazy left in the buffer.
func (c *conn) flushLazy() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirty {
		c.dirty = false
		c.last = time.Now()
		c.w.Flush()
	}
}

// sendJSON sends v encoded as JSON.
func (c *conn) sendJSON(k kind, id uint64, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode frame of kind %d: %w", k, err)
	}
	return c.send(k, id, b)
}

// recv reads one frame; io.EOF only at a frame boundary.
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
		return frame{}, fmt.Errorf("recv frame header: %w", io.ErrUnexpectedEOF)
	}
	f := frame{Kind: kind(h[4]), ID: binary.BigEndian.Uint64(h[5:13]), Body: make([]byte, n-9)}
	if _, err := io.ReadFull(c.r, f.Body); err != nil {
		return frame{}, fmt.Errorf("recv frame body of %d bytes: %w", n-9, io.ErrUnexpectedEOF)
	}
	return f, nil
}

// executeMsg asks for one cell to run.
type executeMsg struct {
	Count int    `json:"count"`
	Code  string `json:"code"`
	// Input and Display say whether the front gave the cell those
	// (interp falls back to text on stdout without Display, and to an
	// error for reads of stdin without Input).
	Input   bool `json:"input,omitempty"`
	Display bool `json:"display,omitempty"`
}

// completeMsg is a complete, inspect or is_complete request.
type completeMsg struct {
	Code   string `json:"code"`
	Cursor int    `json:"cursor,omitempty"`
	Detail int    `json:"detail,omitempty"`
}

// inputMsg asks the front for a line typed by the user.
type inputMsg struct {
	Cell     uint64 `json:"cell"`
	Prompt   string `json:"prompt"`
	Password bool   `json:"password,omitempty"`
}

// inputReplyMsg is the line, or why there is none.
type inputReplyMsg struct {
	Value       string `json:"value"`
	Err         string `json:"err,omitempty"`
	Interrupted bool   `json:"interrupted,omitempty"`
}

// commMsg is a frontend's comm message for the interpreter's widgets, and
// what the front's cell it came with offers (as in executeMsg).
type commMsg struct {
	Count   int             `json:"count"`
	Message widgets.Message `json:"message"`
	Display bool            `json:"display,omitempty"`
}

// commReply answers a kindCommIn: the error front.Notebook.Comm returned,
// and whether it was widgets.ErrUnknownTarget.
type commReply struct {
	Err           string `json:"err,omitempty"`
	UnknownTarget bool   `json:"unknown_target,omitempty"`
}

// completeReply answers kindComplete.
type completeReply struct {
	Matches []interp.Completion `json:"matches"`
	Start   int                 `json:"start"`
	End     int                 `json:"end"`
}

// inspectReply answers kindInspect.
type inspectReply struct {
	Help  interp.Help `json:"help"`
	Found bool        `json:"found"`
}

// isCompleteReply answers kindIsComplete.
type isCompleteReply struct {
	Status string `json:"status"`
	Indent string `json:"indent,omitempty"`
}

// restoreReply answers kindRestore.
type restoreReply struct {
	Err string `json:"err,omitempty"`
}
