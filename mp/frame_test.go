package mp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames []frame
	}{
		{"one", []frame{{Seq: 1, Kind: kindCall, Body: []byte("hello")}}},
		{"empty body", []frame{{Seq: 0, Kind: kindExit, Body: []byte{}}}},
		{"several", []frame{{Seq: 1, Kind: kindRestore, Body: []byte("a")}, {Seq: 2, Kind: kindCall, Body: bytes.Repeat([]byte("b"), 200000)}, {Seq: 1 << 60, Kind: kindResult, Body: []byte{0}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := newConn(&buf, &buf)
			for _, f := range tc.frames {
				if err := c.send(f); err != nil {
					t.Fatal(err)
				}
			}
			for _, want := range tc.frames {
				got, err := c.recv()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got frame %d/%d of %d bytes, want %d/%d of %d", got.Seq, got.Kind, len(got.Body), want.Seq, want.Kind, len(want.Body))
				}
			}
			if _, err := c.recv(); !errors.Is(err, io.EOF) {
				t.Errorf("recv at end = %v, want io.EOF", err)
			}
		})
	}
}

func TestFrameBadInput(t *testing.T) {
	length := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	for _, tc := range []struct {
		name  string
		input []byte
		want  string
	}{
		{"short length", length(3), "bad length 3"},
		{"huge length", length(maxFrame + 1), "bad length"},
		{"truncated header", append(length(20), 1, 2, 3), "unexpected EOF"},
		{"truncated body", append(append(length(20), make([]byte, 9)...), 1), "unexpected EOF"},
		{"body of 1 GiB announced, 20 bytes sent", append(length(maxFrame), make([]byte, 28)...), "body of 1073741815 bytes: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConn(bytes.NewReader(tc.input), io.Discard)
			_, err := c.recv()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("recv() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestBodyReader(t *testing.T) {
	b := body(nil).uint(300).string("name").bytes([]byte{1, 2})
	r := reader{b: b}
	if n, s, p := r.uint(), r.string(), r.bytes(); n != 300 || s != "name" || !bytes.Equal(p, []byte{1, 2}) || r.err != nil {
		t.Errorf("read %d %q %v %v", n, s, p, r.err)
	}
	bad := reader{b: body(nil).uint(10)}
	if bad.bytes(); bad.err == nil {
		t.Error("bytes longer than the body read without error")
	}
}

func TestHelloRoundTrip(t *testing.T) {
	for _, h := range []hello{
		{Name: "Process-1", ParentName: "MainProcess", ParentPid: 123, Token: "abc", Identity: "1"},
		{Name: "Process-1:2", ParentName: "Process-1", ParentPid: 124, Token: "d", Identity: "1:2"},
		{Name: "PoolWorker-2", ParentName: "MainProcess", ParentPid: 1, Token: "t", Pool: true},
	} {
		t.Run(h.Name, func(t *testing.T) {
			var got hello
			err := got.decode(h.appendBody(nil))
			if err != nil || got != h {
				t.Errorf("got %+v, %v; want %+v", got, err, h)
			}
		})
	}
}
