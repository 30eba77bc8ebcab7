package mp

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// decodable is a message that decodes itself; newMessage makes an empty
// one for a kind.
type decodable interface {
	message
	decode(p []byte) error
}

func newMessage(k kind) decodable {
	switch k {
	case kindHello:
		return &hello{}
	case kindRestore:
		return &restoreFrame{}
	case kindInit:
		return &initFrame{}
	case kindCall:
		return &callFrame{}
	case kindExit:
		return &exitFrame{}
	case kindResult:
		return &resultFrame{}
	case kindReady:
		return &readyFrame{}
	}
	return nil
}

// messageSamples has at least one message of every kind, with the edge
// values of their fields.
var messageSamples = []struct {
	name string
	m    message
}{
	{"hello", hello{Name: "PoolWorker-2", ParentName: "MainProcess", ParentPid: 4242, Token: "0123abcd", Pool: true, Identity: "1:2"}},
	{"hello empty", hello{}},
	{"restore", restoreFrame{Version: 7, Snapshot: []byte(`{"vars":[]}`)}},
	{"restore empty", restoreFrame{Version: 0, Snapshot: []byte{}}},
	{"init", initFrame{Target: "setup", Args: []byte{1, 2}}},
	{"call of a Process", callFrame{Target: "work", First: -1, Items: [][]byte{{1, 2}}}},
	{"call of a chunk", callFrame{Target: "square", First: 40, Items: [][]byte{{1, 2}, {1, 4}, {}}}},
	{"call of nothing", callFrame{Target: "f", First: 0, Items: [][]byte{}}},
	{"result", resultFrame{Results: [][]byte{{2}, {8}}}},
	{"result with error", resultFrame{Results: [][]byte{{2}}, Err: &RemoteError{Item: 41, Message: "bad"}}},
	{"result with panic", resultFrame{Results: [][]byte{}, Err: &RemoteError{Item: -1, Panic: true, Message: "boom", Stack: "goroutine 1\n"}}},
	{"ready", readyFrame{}},
	{"exit", exitFrame{}},
}

// TestMessageRoundTrip sends each kind of message through a conn and
// decodes it with the type of the kind the frame says.
func TestMessageRoundTrip(t *testing.T) {
	for _, tc := range messageSamples {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := newConn(&buf, &buf)
			if err := c.sendMsg(9, tc.m); err != nil {
				t.Fatal(err)
			}
			f, err := c.recv()
			if err != nil {
				t.Fatal(err)
			}
			got := newMessage(f.Kind)
			if f.Seq != 9 || got == nil {
				t.Fatalf("frame %d of kind %d", f.Seq, f.Kind)
			}
			if err := got.decode(f.Body); err != nil {
				t.Fatal(err)
			}
			if g := reflect.ValueOf(got).Elem().Interface(); !equalMessages(g, tc.m) {
				t.Errorf("got %+v, want %+v", g, tc.m)
			}
		})
	}
}

// equalMessages compares messages, nil and empty byte slices alike (a
// body cannot tell them apart).
func equalMessages(a, b any) bool {
	norm := func(m any) any {
		switch m := m.(type) {
		case restoreFrame:
			if len(m.Snapshot) == 0 {
				m.Snapshot = nil
			}
			return m
		case callFrame:
			m.Items = normList(m.Items)
			return m
		case resultFrame:
			m.Results = normList(m.Results)
			return m
		}
		return m
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func normList(l [][]byte) [][]byte {
	if len(l) == 0 {
		return nil
	}
	out := make([][]byte, len(l))
	for i, p := range l {
		if len(p) > 0 {
			out[i] = p
		}
	}
	return out
}

// TestMessageDecodeErrors feeds each decoder bodies that are cut short,
// too long or out of range: each is an error naming the frame and the
// field, never a panic or a silently wrong message.
func TestMessageDecodeErrors(t *testing.T) {
	enc := func(m message) []byte { return m.appendBody(nil) }
	for _, tc := range []struct {
		name string
		k    kind
		body []byte
		want string
	}{
		{"hello cut in the token", kindHello, enc(hello{Name: "P", Token: "abcdef"})[:6], "hello frame: malformed frame body: token: 6 bytes announced, 1 left"},
		{"hello pool flag 2", kindHello, body(nil).string("P").string("M").uint(1).string("t").uint(2).string("1"), "hello frame: malformed frame body: pool: flag is 2"},
		{"hello left over", kindHello, append(enc(hello{Name: "P"}), 0), "hello frame: malformed frame body: 1 bytes left over"},
		{"restore empty", kindRestore, nil, "restore frame: malformed frame body: version: ends early"},
		{"restore short snapshot", kindRestore, body(nil).uint(1).uint(10).bytes(nil), "restore frame: malformed frame body: snapshot: 10 bytes announced, 1 left"},
		{"init without args", kindInit, body(nil).string("setup"), "init frame: malformed frame body: args: ends early"},
		{"call with bad varint", kindCall, body(nil).string("f").uint(0).uint(1).append(0xff), "call frame: malformed frame body: items"},
		{"call announcing 1000 items", kindCall, body(nil).string("f").uint(0).uint(1000).bytes([]byte{1}), "call frame: malformed frame body: items: 1000 entries announced, 2 bytes left"},
		{"call with huge first", kindCall, body(nil).string("f").uint(1<<63 + 5).uint(0), "call frame: malformed frame body: first item: index 9223372036854775812 out of range"},
		{"result without flag", kindResult, body(nil).uint(1).bytes([]byte{4}), "result frame: malformed frame body: failed: ends early"},
		{"result cut in the error", kindResult, body(nil).uint(0).uint(1).uint(0).uint(1).string("boom"), "result frame: malformed frame body: error stack: ends early"},
		{"ready with a body", kindReady, []byte{1}, "ready frame: malformed frame body: 1 bytes left over"},
		{"exit with a body", kindExit, []byte{1, 2}, "exit frame: malformed frame body: 2 bytes left over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := newMessage(tc.k).decode(tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decode = %v, want %q", err, tc.want)
			}
		})
	}
}

// append adds raw bytes to a body, for malformed ones.
func (b body) append(p ...byte) body { return append(b, p...) }
