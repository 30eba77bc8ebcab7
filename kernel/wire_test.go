package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// wireFrames returns a well-formed message signed with key, after the
// routing identity "client".
func wireFrames(t testing.TB, key string) [][]byte {
	t.Helper()
	m, err := newMessage("session-1", "execute_request", json.RawMessage(`{"msg_id":"p1"}`), map[string]any{"code": "1+1"})
	if err != nil {
		t.Fatal(err)
	}
	m.ids = [][]byte{[]byte("client")}
	m.metadata = json.RawMessage(`{"cellId":"c"}`)
	m.buffers = [][]byte{[]byte("buf")}
	f, err := codec{signer: newSigner([]byte(key))}.encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// replace returns a copy of f with frame i set to b and, when key is not
// empty, the signature recomputed with it.
func replace(f [][]byte, i int, b []byte, key string) [][]byte {
	out := slices.Clone(f)
	out[i] = b
	if key != "" {
		out[2] = newSigner([]byte(key)).sign([4][]byte{out[3], out[4], out[5], out[6]})
	}
	return out
}

func TestDecode(t *testing.T) {
	const key = "secret"
	good := wireFrames(t, key)
	unsigned := wireFrames(t, "")
	for _, tc := range []struct {
		name    string
		key     string
		maxSize int
		frames  [][]byte
		wantErr error
	}{
		{"good", key, 0, good, nil},
		{"unsigned with empty key", "", 0, unsigned, nil},
		{"empty key ignores a signature", "", 0, good, nil},
		{"unsigned with a key", key, 0, unsigned, errBadSignature},
		{"wrong key", "other", 0, good, errBadSignature},
		{"missing signature", key, 0, replace(good, 2, nil, ""), errBadSignature},
		{"uppercase signature", key, 0, replace(good, 2, bytes.ToUpper(good[2]), ""), errBadSignature},
		{"tampered content", key, 0, replace(good, 6, []byte(`{"code":"evil"}`), ""), errBadSignature},
		{"no delimiter", key, 0, [][]byte{[]byte("client"), []byte("x")}, errMalformed},
		{"no frames", key, 0, nil, errMalformed},
		{"too few frames", key, 0, good[:6], errMalformed},
		{"non-JSON header", key, 0, replace(good, 3, []byte("{msg_id"), key), errMalformed},
		{"header is an array", key, 0, replace(good, 3, []byte("[]"), key), errMalformed},
		{"header field of wrong type", key, 0, replace(good, 3, []byte(`{"msg_type":1}`), key), errMalformed},
		{"no msg_type", key, 0, replace(good, 3, []byte(`{"msg_id":"x"}`), key), errMalformed},
		{"non-JSON parent", key, 0, replace(good, 4, []byte("nope"), key), errMalformed},
		{"content not an object", key, 0, replace(good, 6, []byte(`"x"`), key), errMalformed},
		{"huge frame", key, 0, replace(good, 6, bytes.Repeat([]byte(" "), defaultMaxMessageSize+1), key), errMalformed},
		{"over a set limit", key, 100, good, errMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := codec{signer: newSigner([]byte(tc.key)), maxSize: tc.maxSize}.decode(tc.frames)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("decode error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if m.header.MsgType != "execute_request" || m.header.Session != "session-1" || m.header.Version != "5.3" {
				t.Errorf("header = %+v", m.header)
			}
			if len(m.ids) != 1 || string(m.ids[0]) != "client" {
				t.Errorf("ids = %q", m.ids)
			}
			if string(m.parent) != `{"msg_id":"p1"}` || string(m.metadata) != `{"cellId":"c"}` ||
				string(m.content) != `{"code":"1+1"}` || len(m.buffers) != 1 {
				t.Errorf("parts = %s %s %s %q", m.parent, m.metadata, m.content, m.buffers)
			}
		})
	}
}

func TestEncodeLayout(t *testing.T) {
	f := wireFrames(t, "k")
	if string(f[0]) != "client" || string(f[1]) != "<IDS|MSG>" || len(f[2]) != 64 || string(f[7]) != "buf" {
		t.Fatalf("frames = %q", f)
	}
	var h map[string]any
	if err := json.Unmarshal(f[3], &h); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"msg_id", "session", "username", "date", "msg_type", "version"} {
		if s, _ := h[k].(string); s == "" {
			t.Errorf("header field %s = %v", k, h[k])
		}
	}
	if u := wireFrames(t, ""); len(u[2]) != 0 {
		t.Errorf("unsigned message has signature %q", u[2])
	}
}

func FuzzDecode(f *testing.F) {
	good := wireFrames(f, "k")
	join := func(frames [][]byte) []byte { return bytes.Join(frames, []byte{0}) }
	f.Add(join(good))
	f.Add(join(good[1:]))
	f.Add(join(replace(good, 3, []byte("{"), "k")))
	f.Add([]byte("<IDS|MSG>"))
	f.Add([]byte{})
	f.Add([]byte(strings.Repeat("<IDS|MSG>\x00", 7)))
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := bytes.Split(data, []byte{0})
		for _, key := range []string{"", "k"} {
			c := codec{signer: newSigner([]byte(key))}
			m, err := c.decode(frames)
			if err != nil {
				if !errors.Is(err, errMalformed) && !errors.Is(err, errBadSignature) {
					t.Fatalf("decode error %v wraps neither sentinel", err)
				}
				continue
			}
			if m.header.MsgType == "" || !isObject(m.content) {
				t.Fatalf("accepted message without msg_type or object content: %+v", m)
			}
			// What decodes must survive a round trip.
			m.header.Date = "d"
			out, err := c.encode(m)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.decode(out); err != nil {
				t.Fatalf("re-decode: %v", err)
			}
		}
	})
}

func BenchmarkEncodeSign(b *testing.B) {
	c := codec{signer: newSigner([]byte("0123456789abcdef0123456789abcdef"))}
	content := streamContent{Name: "stdout", Text: strings.Repeat("line of output\n", 20)}
	parent := json.RawMessage(`{"msg_id":"abc","session":"s","username":"u","date":"2026-01-01T00:00:00Z","msg_type":"execute_request","version":"5.3"}`)
	b.ReportAllocs()
	for b.Loop() {
		m, err := newMessage("session", "stream", parent, content)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeVerify(b *testing.B) {
	frames := wireFrames(b, "0123456789abcdef0123456789abcdef")
	c := codec{signer: newSigner([]byte("0123456789abcdef0123456789abcdef"))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.decode(frames); err != nil {
			b.Fatal(err)
		}
	}
}
