package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// Comm makes the test engine serve comms of target "echo": it prints what
// it gets and answers a comm_msg whose data is {"say": X} with
// {"echo": X} and the same buffers; {"panic": true} panics and
// {"block": true} waits for an interrupt. Other targets are refused.
func (e *testEngine) Comm(ctx context.Context, m CommMessage, cell Cell) error {
	e.mu.Lock()
	e.ran = append(e.ran, m.Type+" "+m.CommID)
	e.mu.Unlock()
	switch m.Type {
	case CommOpen:
		if m.Target != "echo" {
			return fmt.Errorf("%w %q", ErrUnknownTarget, m.Target)
		}
		fmt.Fprintf(cell.Stdout(), "opened %s %s\n", m.CommID, m.Data)
	case CommClose:
		fmt.Fprintf(cell.Stdout(), "closed %s\n", m.CommID)
	case CommMsg:
		var d struct {
			Say   string `json:"say"`
			Panic bool   `json:"panic"`
			Block bool   `json:"block"`
		}
		if err := json.Unmarshal(m.Data, &d); err != nil {
			return err
		}
		switch {
		case d.Panic:
			panic("comm boom")
		case d.Block:
			<-ctx.Done()
			return fmt.Errorf("blocked comm: %w", context.Cause(ctx))
		}
		fmt.Fprintf(cell.Stdout(), "got %s\n", d.Say)
		data, _ := json.Marshal(map[string]string{"echo": d.Say})
		return cell.Comm(CommMessage{Type: CommMsg, CommID: m.CommID, Data: data, Buffers: m.Buffers})
	}
	return nil
}

// sendComm sends a comm message from the client with buffers and returns
// its msg_id.
func (h *harness) sendComm(msgType string, content any, buffers ...[]byte) string {
	h.t.Helper()
	f, id := h.frames(msgType, content)
	h.sendFrames(h.shell, append(f, buffers...))
	return id
}

// commInfo returns the ids and targets comm_info_reply lists for target.
func (h *harness) commInfo(target string) map[string]string {
	h.t.Helper()
	c := map[string]any{}
	if target != "" {
		c["target_name"] = target
	}
	r, _ := h.request(h.shell, "comm_info_request", c)
	if r.Content["status"] != "ok" {
		h.t.Fatalf("comm_info_reply = %v", r.Content)
	}
	out := map[string]string{}
	for id, v := range r.Content["comms"].(map[string]any) {
		out[id] = v.(map[string]any)["target_name"].(string)
	}
	return out
}

func TestCommInfoListsOpenComms(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	if got := h.commInfo(""); len(got) != 0 {
		t.Fatalf("comms before any opened = %v", got)
	}
	id := h.sendComm("comm_open", map[string]any{"comm_id": "f1", "target_name": "echo", "data": map[string]any{"from": "frontend"}})
	if got := streamText(h.outputs(id), "stdout"); got != "opened f1 {\"from\":\"frontend\"}\n" {
		t.Errorf("engine printed %q on open", got)
	}
	_, out := h.execute("open k1", nil)
	var open msg
	for _, m := range out {
		if m.Header.MsgType == "comm_open" {
			open = m
		}
	}
	if open.Content["comm_id"] != "k1" || open.Content["target_name"] != "echo" || open.Metadata["version"] != "1" ||
		open.Content["data"].(map[string]any)["from"] != "kernel" {
		t.Errorf("comm_open from the kernel = %v metadata %v", open.Content, open.Metadata)
	}
	h.sendComm("comm_open", map[string]any{"comm_id": "x1", "target_name": "other", "data": map[string]any{}})
	want := map[string]string{"f1": "echo", "k1": "echo"}
	if got := h.commInfo(""); !maps.Equal(got, want) {
		t.Errorf("comm_info = %v, want %v", got, want)
	}
	if got := h.commInfo("other"); len(got) != 0 {
		t.Errorf("comm_info for target other = %v, want none (x1 was refused)", got)
	}
	id = h.sendComm("comm_close", map[string]any{"comm_id": "f1", "data": map[string]any{}})
	if got := streamText(h.outputs(id), "stdout"); got != "closed f1\n" {
		t.Errorf("engine printed %q on close", got)
	}
	if got := h.commInfo("echo"); !maps.Equal(got, map[string]string{"k1": "echo"}) {
		t.Errorf("comm_info after closing f1 = %v", got)
	}
}

func TestCommMsgRoundTrip(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	h.outputs(h.sendComm("comm_open", map[string]any{"comm_id": "f1", "target_name": "echo", "data": map[string]any{}}))
	id := h.sendComm("comm_msg", map[string]any{"comm_id": "f1", "data": map[string]any{"say": "héllo"}}, []byte{0, 1, 2}, []byte("buf"))
	out := h.outputs(id)
	if got := types(out); !slices.Equal(got, []string{"status:busy", "stream", "comm_msg", "status:idle"}) {
		t.Fatalf("iopub = %v", got)
	}
	m := out[2]
	if m.Content["comm_id"] != "f1" || m.Content["data"].(map[string]any)["echo"] != "héllo" {
		t.Errorf("answer = %v", m.Content)
	}
	if len(m.Buffers) != 2 || string(m.Buffers[0]) != "\x00\x01\x02" || string(m.Buffers[1]) != "buf" {
		t.Errorf("answer's buffers = %q", m.Buffers)
	}
	if got := streamText(out, "stdout"); got != "got héllo\n" {
		t.Errorf("stdout = %q", got)
	}
}

// TestCommBadInput sends what a broken or stale frontend might; each is
// dropped with a log line and the kernel keeps serving.
func TestCommBadInput(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	h.outputs(h.sendComm("comm_open", map[string]any{"comm_id": "f1", "target_name": "echo", "data": map[string]any{}}))
	for _, tc := range []struct {
		name    string
		msgType string
		content map[string]any
		want    []string // iopub between busy and idle
	}{
		{"msg for a comm never opened", "comm_msg", map[string]any{"comm_id": "nope", "data": map[string]any{"say": "x"}}, nil},
		{"close of a comm never opened", "comm_close", map[string]any{"comm_id": "nope", "data": map[string]any{}}, nil},
		{"no comm id", "comm_msg", map[string]any{"data": map[string]any{}}, nil},
		{"comm id not a string", "comm_msg", map[string]any{"comm_id": 7, "data": map[string]any{}}, nil},
		{"data the engine cannot read", "comm_msg", map[string]any{"comm_id": "f1", "data": map[string]any{"say": 5}}, nil},
		{"engine panics", "comm_msg", map[string]any{"comm_id": "f1", "data": map[string]any{"panic": true}}, nil},
		{"open of an id already open", "comm_open", map[string]any{"comm_id": "f1", "target_name": "echo", "data": map[string]any{}}, nil},
		{"unknown target", "comm_open", map[string]any{"comm_id": "u1", "target_name": "nobody", "data": map[string]any{}}, []string{"comm_close"}},
		{"close", "comm_close", map[string]any{"comm_id": "f1", "data": map[string]any{}}, []string{"stream"}},
		{"msg after close", "comm_msg", map[string]any{"comm_id": "f1", "data": map[string]any{"say": "late"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.engine.codes())
			out := h.outputs(h.sendComm(tc.msgType, tc.content))
			want := append(append([]string{"status:busy"}, tc.want...), "status:idle")
			if got := types(out); !slices.Equal(got, want) {
				t.Errorf("iopub = %v, want %v", got, want)
			}
			if tc.name == "msg for a comm never opened" || tc.name == "msg after close" || tc.name == "no comm id" {
				if got := h.engine.codes()[before:]; len(got) != 0 {
					t.Errorf("the engine was called: %v", got)
				}
			}
		})
	}
	if r, _ := h.request(h.shell, "kernel_info_request", map[string]any{}); r.Content["status"] != "ok" {
		t.Fatalf("kernel_info after bad comms = %v", r.Content)
	}
	if got := h.commInfo(""); len(got) != 0 {
		t.Errorf("comms left open = %v", got)
	}
}

// TestCommHandlerInterrupted: a comm handler that blocks is ended by
// interrupt_request, and the kernel serves the next request.
func TestCommHandlerInterrupted(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	h.outputs(h.sendComm("comm_open", map[string]any{"comm_id": "f1", "target_name": "echo", "data": map[string]any{}}))
	id := h.sendComm("comm_msg", map[string]any{"comm_id": "f1", "data": map[string]any{"block": true}})
	for {
		if m := h.nextIOPub(); m.Header.MsgType == "status" && m.Parent.MsgID == id {
			break
		}
	}
	// busy for the comm_msg was published before the engine ran; the
	// handler may not be blocked yet, so interrupt until it returns.
	done := make(chan []msg)
	go func() { done <- h.outputs(id) }()
	for {
		h.reply(h.control, h.send(h.control, "interrupt_request", map[string]any{}))
		select {
		case out := <-done:
			if got := types(out); !slices.Equal(got, []string{"status:idle"}) {
				t.Errorf("iopub after busy = %v", got)
			}
			if !slices.Contains(h.engine.codes(), "comm_msg f1") {
				t.Errorf("the engine never got the blocking comm_msg: %v", h.engine.codes())
			}
			if _, out := h.execute("print after", nil); streamText(out, "stdout") != "after\n" {
				t.Errorf("next cell printed %q", streamText(out, "stdout"))
			}
			return
		default:
		}
	}
}
