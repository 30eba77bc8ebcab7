package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/go-zeromq/zmq4"
)

const (
	// maxStreamChunk bounds the text of one stream message. Coalescing up to
	// this size keeps a cell that prints a million short lines to a few
	// dozen messages, which frontends render far faster than many tiny ones.
	maxStreamChunk = 64 << 10
	// streamFlushInterval is the longest stream text waits for more text
	// before it is published. ipykernel waits 200 ms; 50 ms keeps progress
	// output looking live while still merging the many writes a loop makes
	// (a tight loop of Println fills 64 KiB well within it).
	streamFlushInterval = 50 * time.Millisecond
)

// errStopped is returned by output methods once the server has stopped.
var errStopped = errors.New("kernel stopped")

// pubKind says what a pubItem asks of the publisher.
type pubKind int

const (
	pubMessage pubKind = iota // publish msgType/content
	pubStream                 // append text to the stream name
	pubBarrier                // flush, then close done
)

// pubItem is one unit of work for the publisher.
type pubItem struct {
	kind    pubKind
	parent  *request // nil: no parent (status "starting")
	msgType string
	content any
	name    string // stream name, "stdout" or "stderr"
	text    []byte
	done    chan struct{}
	// extra is the metadata and binary buffers of a message (comms);
	// nil for most.
	extra *messageExtra
}

// messageExtra is what some messages carry besides content: metadata
// (a comm_open's protocol version) and binary buffers (widget state).
type messageExtra struct {
	metadata json.RawMessage
	buffers  [][]byte
}

// publisher owns the iopub socket: its run goroutine is the only one that
// sends on it. Everything published (status, execute_input, results,
// errors, streams) goes through its one queue, so messages keep the order
// they were handed over in.
//
// Stream text is coalesced: adjacent chunks for the same (parent, name)
// are merged up to maxStreamChunk or streamFlushInterval; any other item
// first publishes pending text. zmq4's PUB socket (v0.17.0) queues without
// bound unless a high-water mark is set, in which case it drops silently,
// so the kernel sets none and keeps the message count down instead.
type publisher struct {
	sock    zmq4.Socket
	codec   codec
	session string
	items   chan pubItem
	done    <-chan struct{} // closed when the server stops
	log     *slog.Logger

	// Owned by run.
	pending      pubItem // stream text not yet sent; kind pubStream when non-empty
	timer        *time.Timer
	timerRunning bool
}

func newPublisher(sock zmq4.Socket, c codec, session string, done <-chan struct{}, log *slog.Logger) *publisher {
	p := &publisher{
		sock:    sock,
		codec:   c,
		session: session,
		items:   make(chan pubItem, 256),
		done:    done,
		log:     log.With("socket", "iopub"),
		timer:   time.NewTimer(streamFlushInterval),
	}
	p.timer.Stop()
	return p
}

// put queues it, or fails once the server has stopped.
func (p *publisher) put(it pubItem) error {
	select {
	case <-p.done:
		return errStopped
	default:
	}
	select {
	case p.items <- it:
		return nil
	case <-p.done:
		return errStopped
	}
}

// publish queues a message of type msgType parented to parent.
func (p *publisher) publish(parent *request, msgType string, content any) error {
	return p.put(pubItem{kind: pubMessage, parent: parent, msgType: msgType, content: content})
}

// publishExtra queues a message that carries metadata or buffers.
func (p *publisher) publishExtra(parent *request, msgType string, content any, extra *messageExtra) error {
	return p.put(pubItem{kind: pubMessage, parent: parent, msgType: msgType, content: content, extra: extra})
}

// status queues a status message.
func (p *publisher) status(parent *request, state string) error {
	return p.publish(parent, "status", map[string]string{"execution_state": state})
}

// write queues a copy of text for the stream name parented to parent.
func (p *publisher) write(parent *request, name string, text []byte) error {
	return p.put(pubItem{kind: pubStream, parent: parent, name: name, text: append([]byte(nil), text...)})
}

// flush returns when everything queued before the call has been handed to
// the iopub socket.
func (p *publisher) flush() error {
	done := make(chan struct{})
	if err := p.put(pubItem{kind: pubBarrier, done: done}); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-p.done:
		return errStopped
	}
}

// run publishes queued items until ctx is done, then closes the socket.
func (p *publisher) run(ctx context.Context) {
	defer p.sock.Close()
	defer p.timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.timer.C:
			p.timerRunning = false
			p.flushPending(false)
		case it := <-p.items:
			p.handle(it)
		}
	}
}

// handle applies one item.
func (p *publisher) handle(it pubItem) {
	switch it.kind {
	case pubStream:
		if len(p.pending.text) > 0 && (p.pending.parent != it.parent || p.pending.name != it.name) {
			p.flushPending(true)
		}
		if len(p.pending.text) == 0 {
			p.pending = pubItem{kind: pubStream, parent: it.parent, name: it.name, text: p.pending.text[:0]}
		}
		p.pending.text = append(p.pending.text, it.text...)
		for len(p.pending.text) >= maxStreamChunk {
			p.sendPending(completeUTF8(p.pending.text[:maxStreamChunk]))
		}
		if len(p.pending.text) > 0 && !p.timerRunning {
			p.timer.Reset(streamFlushInterval)
			p.timerRunning = true
		}
	case pubMessage:
		p.flushPending(true)
		p.send(it.parent, it.msgType, it.content, it.extra)
	case pubBarrier:
		p.flushPending(true)
		close(it.done)
	}
}

// flushPending publishes pending stream text. Unless all is set, a UTF-8
// sequence cut short at the end stays pending, to be completed by the next
// write; all is set whenever something else is about to be published.
func (p *publisher) flushPending(all bool) {
	n := len(p.pending.text)
	if !all {
		n = completeUTF8(p.pending.text)
	}
	if n > 0 {
		p.sendPending(n)
	}
	if len(p.pending.text) == 0 && p.timerRunning {
		p.timer.Stop()
		p.timerRunning = false
	}
}

// sendPending publishes the first n bytes of pending text and keeps the rest.
func (p *publisher) sendPending(n int) {
	text := string(p.pending.text[:n])
	p.pending.text = append(p.pending.text[:0], p.pending.text[n:]...)
	p.send(p.pending.parent, "stream", streamContent{Name: p.pending.name, Text: text}, nil)
}

// streamContent is the content of a stream message.
type streamContent struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// send encodes and publishes one message. Failures are logged: there is
// nobody to return them to.
func (p *publisher) send(parent *request, msgType string, content any, extra *messageExtra) {
	var parentHeader json.RawMessage
	if parent != nil {
		parentHeader = parent.rawHeader
	}
	m, err := newMessage(p.session, msgType, parentHeader, content)
	if err != nil {
		p.log.Error("publish", "msg_type", msgType, "err", err)
		return
	}
	m.ids = [][]byte{[]byte("kernel." + p.session + "." + msgType)}
	if extra != nil {
		m.metadata, m.buffers = extra.metadata, extra.buffers
	}
	frames, err := p.codec.encode(m)
	if err != nil {
		p.log.Error("publish", "msg_type", msgType, "err", err)
		return
	}
	if err := p.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		p.log.Error("publish", "msg_type", msgType, "err", err)
	}
}

// completeUTF8 returns the length of the longest prefix of b that does not
// end inside a UTF-8 sequence, so that no message splits a character.
func completeUTF8(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}
