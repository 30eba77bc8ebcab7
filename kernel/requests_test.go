package kernel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-zeromq/zmq4"
)

func TestBadMessagesNeverReachTheEngine(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	good, _ := h.frames("execute_request", map[string]any{"code": "print bad"})
	wrongKey := codec{signer: newSigner([]byte("not the key"))}
	resign := func(f [][]byte, c codec) [][]byte {
		out := slices.Clone(f)
		out[1] = c.signer.sign([4][]byte{f[2], f[3], f[4], f[5]})
		return out
	}
	for _, tc := range []struct {
		name   string
		frames [][]byte
	}{
		{"wrong key", resign(good, wrongKey)},
		{"no signature", func() [][]byte { f := slices.Clone(good); f[1] = nil; return f }()},
		{"signature of other content", func() [][]byte {
			f := slices.Clone(good)
			f[5] = []byte(`{"code":"print evil"}`)
			return f
		}()},
		{"no delimiter", [][]byte{[]byte("print bad")}},
		{"too few frames", good[:4]},
		{"bad JSON header", resign(append([][]byte{good[0], good[1], []byte("{not json")}, good[3:]...), h.codec)},
		{"header without msg_type", resign(append([][]byte{good[0], good[1], []byte(`{"msg_id":"x"}`)}, good[3:]...), h.codec)},
		{"content not an object", resign(append(slices.Clone(good[:5]), []byte(`"print bad"`)), h.codec)},
		// JSON text is UTF-8: a header or parent header that is not would be
		// copied into replies and iopub messages that clients cannot decode.
		{"invalid UTF-8 in header", resign(append([][]byte{good[0], good[1],
			bytes.Replace(good[2], []byte(`"username":"test"`), []byte("\"username\":\"te\xffst\""), 1)}, good[3:]...), h.codec)},
		{"invalid UTF-8 in parent header", resign(append([][]byte{good[0], good[1], good[2],
			[]byte("{\"msg_id\":\"\xc3\"}")}, good[4:]...), h.codec)},
		{"invalid UTF-8 in metadata", resign(append([][]byte{good[0], good[1], good[2], good[3],
			[]byte("{\"k\":\"\xed\xa0\x80\"}")}, good[5:]...), h.codec)},
		{"invalid UTF-8 in content", resign(append(slices.Clone(good[:5]), []byte("{\"code\":\"print bad\xff\"}")), h.codec)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			h.sendFrames(h.shell, tc.frames)
			// The kernel is still serving, and the bad request left no trace.
			r, out := h.request(h.shell, "kernel_info_request", map[string]any{})
			if r.Content["status"] != "ok" || len(out) != 2 {
				t.Fatalf("after %s: reply %v, iopub %v", tc.name, r.Content, types(out))
			}
			if len(h.backlog) != 0 {
				t.Errorf("bad request published %v", types(h.backlog))
			}
		})
	}
	h.t = t
	if r, _ := h.execute("print good", nil); r.Content["status"] != "ok" || r.Content["execution_count"] != 1.0 {
		t.Errorf("good request after bad ones: %v", r.Content)
	}
	if ran := h.engine.codes(); !slices.Equal(ran, []string{"print good"}) {
		t.Errorf("engine ran %q, want only the good cell", ran)
	}
}

// The same signed frames sent again are dropped, as jupyter_client's
// Session does with its digest history: someone who captured a request
// cannot have it run twice.
func TestReplayedRequestDropped(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	frames, id := h.frames("execute_request", map[string]any{"code": "print once", "silent": false,
		"store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	h.sendFrames(h.shell, frames)
	if r := h.reply(h.shell, id); r.Content["status"] != "ok" {
		t.Fatalf("first execute: %v", r.Content)
	}
	h.outputs(id)
	for _, s := range []zmq4.Socket{h.shell, h.control} {
		h.sendFrames(s, frames)
	}
	// The shell serves requests in order, so when the next one is answered
	// a replay that got through would have run.
	if r, _ := h.execute("print next", nil); r.Content["status"] != "ok" || r.Content["execution_count"] != 2.0 {
		t.Fatalf("execute after the replay: %v", r.Content)
	}
	if ran := h.engine.codes(); !slices.Equal(ran, []string{"print once", "print next"}) {
		t.Errorf("engine ran %q, want the replayed cell once", ran)
	}
	if len(h.backlog) != 0 {
		t.Errorf("the replay published %v", types(h.backlog))
	}
}

func TestUnknownMessageIgnored(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	for _, tc := range []struct{ name, msgType string }{
		{"unknown type", "frobnicate_request"},
		{"wrong socket", "interrupt_request"}, // control only; sent on shell
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			id := h.send(h.shell, tc.msgType, map[string]any{})
			if got := types(h.outputs(id)); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
				t.Errorf("iopub = %v", got)
			}
			r, _ := h.request(h.shell, "kernel_info_request", map[string]any{})
			if r.Header.MsgType != "kernel_info_reply" {
				t.Errorf("next reply is %s: the ignored request was answered", r.Header.MsgType)
			}
		})
	}
}

func TestIntrospection(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	for _, tc := range []struct {
		name, msgType string
		content       map[string]any
		want          map[string]any
	}{
		{"complete", "complete_request", map[string]any{"code": "fmt.Print", "cursor_pos": 9},
			map[string]any{"status": "ok", "matches": []any{"Println", "Printf"}, "cursor_start": 4.0, "cursor_end": 9.0, "metadata": map[string]any{}}},
		{"complete default cursor in code points", "complete_request", map[string]any{"code": "é.Print"},
			map[string]any{"status": "ok", "matches": []any{"Println", "Printf"}, "cursor_start": 2.0, "cursor_end": 7.0, "metadata": map[string]any{}}},
		{"inspect found", "inspect_request", map[string]any{"code": "fmt", "cursor_pos": 2, "detail_level": 1},
			map[string]any{"status": "ok", "found": true, "data": map[string]any{"text/plain": "doc of fmt at 2 (1)"}, "metadata": map[string]any{}}},
		{"inspect not found", "inspect_request", map[string]any{"code": "", "cursor_pos": 0},
			map[string]any{"status": "ok", "found": false, "data": map[string]any{}, "metadata": map[string]any{}}},
		{"is_complete", "is_complete_request", map[string]any{"code": "x := 1"}, map[string]any{"status": "complete"}},
		{"is_complete incomplete", "is_complete_request", map[string]any{"code": "func f() {"}, map[string]any{"status": "incomplete", "indent": "\t"}},
		{"is_complete invalid", "is_complete_request", map[string]any{"code": "}"}, map[string]any{"status": "invalid"}},
		{"comm_info", "comm_info_request", map[string]any{}, map[string]any{"status": "ok", "comms": map[string]any{}}},
		{"bad content", "complete_request", map[string]any{"code": 42},
			map[string]any{"status": "error", "ename": "BadRequest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			r, _ := h.request(h.shell, tc.msgType, tc.content)
			if r.Header.MsgType != replyType(tc.msgType) {
				t.Errorf("reply type %s", r.Header.MsgType)
			}
			for k, v := range tc.want {
				if fmt.Sprint(r.Content[k]) != fmt.Sprint(v) {
					t.Errorf("%s = %v, want %v", k, r.Content[k], v)
				}
			}
		})
	}
}

func TestCommOpenClosedForUnknownTarget(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	id := h.send(h.shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "jupyter.widget", "data": map[string]any{}})
	out := h.outputs(id)
	if got := types(out); !slices.Equal(got, []string{"status:busy", "comm_close", "status:idle"}) {
		t.Fatalf("iopub = %v", got)
	}
	if out[1].Content["comm_id"] != "c1" {
		t.Errorf("comm_close = %v", out[1].Content)
	}
}

func TestHistory(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	for _, c := range []struct {
		code  string
		extra map[string]any
	}{
		{"print a", nil}, {"print b", nil}, {"value 3", nil},
		{"print hidden", map[string]any{"silent": true}},
		{"print unstored", map[string]any{"store_history": false}},
		{"print a", nil}, {"fail", nil},
	} {
		h.execute(c.code, c.extra)
	}
	for _, tc := range []struct {
		name    string
		content map[string]any
		want    string
	}{
		{"tail", map[string]any{"hist_access_type": "tail", "n": 2, "raw": true, "output": false},
			`[[1,4,"print a"],[1,5,"fail"]]`},
		{"tail default n", map[string]any{"hist_access_type": "tail", "raw": true},
			`[[1,1,"print a"],[1,2,"print b"],[1,3,"value 3"],[1,4,"print a"],[1,5,"fail"]]`},
		{"range", map[string]any{"hist_access_type": "range", "session": 0, "start": 2, "stop": 4, "raw": true},
			`[[0,2,"print b"],[0,3,"value 3"]]`},
		{"range to the end", map[string]any{"hist_access_type": "range", "session": 0, "start": 4, "stop": nil, "raw": false},
			`[[0,4,"print a"],[0,5,"fail"]]`},
		{"range negative start", map[string]any{"hist_access_type": "range", "session": 0, "start": -1, "raw": true},
			`[[0,5,"fail"]]`},
		{"range other session", map[string]any{"hist_access_type": "range", "session": -1, "start": 1, "raw": true},
			`[]`},
		{"range with output", map[string]any{"hist_access_type": "range", "session": 1, "start": 1, "stop": 4, "output": true, "raw": true},
			`[[1,1,["print a",null]],[1,2,["print b",null]],[1,3,["value 3","3"]]]`},
		{"search", map[string]any{"hist_access_type": "search", "pattern": "print*", "raw": true},
			`[[1,1,"print a"],[1,2,"print b"],[1,4,"print a"]]`},
		{"search unique", map[string]any{"hist_access_type": "search", "pattern": "print*", "unique": true, "raw": true},
			`[[1,2,"print b"],[1,4,"print a"]]`},
		{"search last n", map[string]any{"hist_access_type": "search", "pattern": "*a", "n": 1, "raw": true},
			`[[1,4,"print a"]]`},
		{"search class", map[string]any{"hist_access_type": "search", "pattern": "print [ab]", "raw": true},
			`[[1,1,"print a"],[1,2,"print b"],[1,4,"print a"]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			r, _ := h.request(h.shell, "history_request", tc.content)
			got, err := json.Marshal(r.Content["history"])
			if err != nil {
				t.Fatal(err)
			}
			if r.Content["status"] != "ok" || string(got) != tc.want {
				t.Errorf("history = %s (status %v), want %s", got, r.Content["status"], tc.want)
			}
		})
	}
}

func TestInput(t *testing.T) {
	t.Run("round trip", func(t *testing.T) {
		h := startKernel(t, newTestEngine(), nil)
		id := h.send(h.shell, "execute_request", map[string]any{"code": "input name?", "allow_stdin": true})
		req := h.next(h.stdin)
		if req.Header.MsgType != "input_request" || req.Parent.MsgID != id ||
			req.Content["prompt"] != "name?" || req.Content["password"] != false {
			t.Fatalf("input_request = %s %v parent %s", req.Header.MsgType, req.Content, req.Parent.MsgID)
		}
		inputReply := func(parentID, value string) {
			m, err := newMessage(h.sess, "input_reply", json.RawMessage(fmt.Sprintf(`{"msg_id":%q}`, parentID)), map[string]any{"value": value})
			if err != nil {
				t.Fatal(err)
			}
			f, _ := h.codec.encode(m)
			h.sendFrames(h.stdin, f)
		}
		inputReply("some-older-input-request", "stale") // not taken for ours
		inputReply(req.Header.MsgID, "bob")
		r := h.reply(h.shell, id)
		out := h.outputs(id)
		if r.Content["status"] != "ok" || streamText(out, "stdout") != "got: bob\n" {
			t.Errorf("reply %v, stdout %q", r.Content, streamText(out, "stdout"))
		}
	})
	t.Run("allow_stdin false", func(t *testing.T) {
		h := startKernel(t, newTestEngine(), nil)
		r, _ := h.execute("input name?", map[string]any{"allow_stdin": false})
		if r.Content["status"] != "error" || !strings.Contains(r.Content["evalue"].(string), "allow_stdin") {
			t.Errorf("reply = %v, want ErrNoStdin", r.Content)
		}
	})
	t.Run("interrupted while waiting", func(t *testing.T) {
		h := startKernel(t, newTestEngine(), nil)
		id := h.send(h.shell, "execute_request", map[string]any{"code": "input name?", "allow_stdin": true})
		h.next(h.stdin)
		h.srv.Interrupt()
		r := h.reply(h.shell, id)
		if r.Content["status"] != "error" || r.Content["ename"] != "KeyboardInterrupt" {
			t.Errorf("reply = %v, want ErrInterrupted", r.Content)
		}
	})
}
