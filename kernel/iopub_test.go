package kernel

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-zeromq/zmq4"
)

func TestCompleteUTF8(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "abc", 3},
		{"complete 2-byte", "aé", 3},
		{"cut 2-byte", "a\xc3", 1},
		{"cut 3-byte after 1", "a\xe2", 1},
		{"cut 3-byte after 2", "a\xe2\x82", 1},
		{"complete 3-byte", "a€", 4},
		{"cut 4-byte after 3", "a\xf0\x9f\x98", 1},
		{"complete 4-byte", "a😀", 5},
		{"invalid stays whole", "a\x80\x80\x80\x80", 5},
		{"only a start byte", "\xe2", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := completeUTF8([]byte(tc.in)); got != tc.want {
				t.Errorf("completeUTF8(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

// pubHarness is a publisher on a real PUB socket with a subscriber. The
// test drives the publisher's handle method itself, standing in for its run
// goroutine, so that no timer tick takes part.
type pubHarness struct {
	t   *testing.T
	p   *publisher
	sub zmq4.Socket
	c   codec
}

func newPubHarness(t *testing.T) *pubHarness {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pub := zmq4.NewPub(ctx)
	if err := pub.Listen("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	sub := zmq4.NewSub(ctx)
	if err := sub.Dial("tcp://" + pub.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	waitSubscribed(t, pub)
	c := codec{signer: newSigner([]byte("k"))}
	p := newPublisher(pub, c, "s", ctx.Done(), slog.New(slog.DiscardHandler))
	t.Cleanup(func() { pub.Close(); sub.Close() })
	return &pubHarness{t: t, p: p, sub: sub, c: c}
}

// recv returns the next message's parent msg_id, type and content.
func (h *pubHarness) recv() (string, string, map[string]any) {
	h.t.Helper()
	zm, err := h.sub.Recv()
	if err != nil {
		h.t.Fatal(err)
	}
	m, err := h.c.decode(zm.Frames)
	if err != nil {
		h.t.Fatal(err)
	}
	var parent header
	var content map[string]any
	json.Unmarshal(m.parent, &parent)
	json.Unmarshal(m.content, &content)
	return parent.MsgID, m.header.MsgType, content
}

func parentReq(id string) *request {
	return &request{message: message{rawHeader: json.RawMessage(`{"msg_id":"` + id + `"}`)}}
}

func TestPublisherCoalescesInOrder(t *testing.T) {
	h := newPubHarness(t)
	a, b := parentReq("A"), parentReq("B")
	stream := func(r *request, name, text string) pubItem {
		return pubItem{kind: pubStream, parent: r, name: name, text: []byte(text)}
	}
	for _, it := range []pubItem{
		stream(a, "stdout", "a1 "), stream(a, "stdout", "a2 "), stream(a, "stderr", "e1"),
		stream(b, "stdout", "b1"), stream(a, "stdout", "a3"),
		{kind: pubMessage, parent: a, msgType: "display_data", content: map[string]any{"data": map[string]any{}}},
		stream(a, "stdout", "a4"),
		{kind: pubBarrier, done: make(chan struct{})},
	} {
		h.p.handle(it)
	}
	for _, want := range []struct{ parent, msgType, name, text string }{
		{"A", "stream", "stdout", "a1 a2 "},
		{"A", "stream", "stderr", "e1"},
		{"B", "stream", "stdout", "b1"},
		{"A", "stream", "stdout", "a3"},
		{"A", "display_data", "", ""},
		{"A", "stream", "stdout", "a4"},
	} {
		parent, typ, c := h.recv()
		if parent != want.parent || typ != want.msgType || (typ == "stream" && (c["name"] != want.name || c["text"] != want.text)) {
			t.Errorf("got %s %s %v, want %+v", parent, typ, c, want)
		}
	}
}

func TestPublisherNeverSplitsUTF8(t *testing.T) {
	h := newPubHarness(t)
	a := parentReq("A")
	write := func(s string) { h.p.handle(pubItem{kind: pubStream, parent: a, name: "stdout", text: []byte(s)}) }
	big := strings.Repeat("x", maxStreamChunk-1) + "é" + "end"
	write(big)          // the size bound falls inside é
	write("ab\xe2\x82") // a tick comes while € is half written
	h.p.flushPending(false)
	write("\xac")
	h.p.handle(pubItem{kind: pubBarrier, done: make(chan struct{})})
	var got strings.Builder
	for range 3 {
		_, _, c := h.recv()
		text := c["text"].(string)
		if !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) {
			t.Errorf("message text is not clean UTF-8: ...%q", text[max(0, len(text)-8):])
		}
		if len(text) > maxStreamChunk {
			t.Errorf("message of %d bytes", len(text))
		}
		got.WriteString(text)
	}
	if want := big + "ab€"; got.String() != want {
		t.Errorf("text differs: got %d bytes, want %d", got.Len(), len(want))
	}
}
