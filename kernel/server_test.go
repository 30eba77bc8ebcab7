package kernel

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-zeromq/zmq4"
)

func TestKernelInfo(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	for _, tc := range []struct {
		name string
		sock zmq4.Socket
	}{
		{"shell", h.shell},
		{"control", h.control},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			r, out := h.request(tc.sock, "kernel_info_request", map[string]any{})
			if r.Header.MsgType != "kernel_info_reply" || r.Header.Version != "5.3" || r.Header.Username != "kernel" {
				t.Fatalf("reply header = %+v", r.Header)
			}
			if r.Header.Session != h.srv.session || r.Parent.Session != h.sess {
				t.Errorf("session = %q, parent session = %q; want kernel's %q and ours %q", r.Header.Session, r.Parent.Session, h.srv.session, h.sess)
			}
			if !strings.HasSuffix(r.Header.Date, "Z") || !strings.Contains(r.Header.Date, "T") {
				t.Errorf("date %q is not ISO 8601 in UTC", r.Header.Date)
			}
			c := r.Content
			li, _ := c["language_info"].(map[string]any)
			if c["status"] != "ok" || c["protocol_version"] != "5.3" || c["implementation"] != "gomp" ||
				c["implementation_version"] != "0.0.1" || c["banner"] != "test banner" ||
				li["name"] != "go" || li["mimetype"] != "text/x-go" || li["file_extension"] != ".go" ||
				li["pygments_lexer"] != "go" || li["codemirror_mode"] != "go" || li["version"] != "1.26" {
				t.Errorf("content = %v", c)
			}
			if links, _ := c["help_links"].([]any); len(links) != 1 {
				t.Errorf("help_links = %v", c["help_links"])
			}
			if got := types(out); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
				t.Errorf("iopub = %v, want busy, idle", got)
			}
		})
	}
}

func TestExecute(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      string
		extra     map[string]any
		status    string
		count     float64
		iopub     []string
		check     func(t *testing.T, reply msg, out []msg)
		engineRan bool
	}{
		{
			name: "stream", code: "print hello", status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "stream", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				if got := streamText(out, "stdout"); got != "hello\n" {
					t.Errorf("stdout = %q", got)
				}
				if out[1].Content["code"] != "print hello" || out[1].Content["execution_count"] != 1.0 {
					t.Errorf("execute_input = %v", out[1].Content)
				}
				if p, ok := r.Content["payload"].([]any); !ok || len(p) != 0 {
					t.Errorf("payload = %v", r.Content["payload"])
				}
			},
		},
		{
			name: "stderr", code: "eprint oops", status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "stream", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				if got := streamText(out, "stderr"); got != "oops\n" {
					t.Errorf("stderr = %q", got)
				}
			},
		},
		{
			name: "result", code: "value 42", status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "execute_result", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				c := out[2].Content
				if c["execution_count"] != 1.0 || c["data"].(map[string]any)["text/plain"] != "42" {
					t.Errorf("execute_result = %v", c)
				}
			},
		},
		{
			name: "display", code: "display <b>x</b>", status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "display_data", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				if out[2].Content["data"].(map[string]any)["text/html"] != "<b>x</b>" {
					t.Errorf("display_data = %v", out[2].Content)
				}
			},
		},
		{
			name: "page", code: "page docs", status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				p, ok := r.Content["payload"].([]any)
				if !ok || len(p) != 1 || fmt.Sprint(p[0]) != "map[data:map[text/plain:docs] source:page start:0]" {
					t.Errorf("payload = %v", r.Content["payload"])
				}
			},
		},
		{
			name: "redraw", code: "redraw x", status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "display_data", "clear_output", "update_display_data", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				for i, want := range map[int]string{2: "x", 4: "x!"} {
					c := out[i].Content
					if c["data"].(map[string]any)["text/plain"] != want || c["transient"].(map[string]any)["display_id"] != "d1" {
						t.Errorf("%s = %v", out[i].Header.MsgType, c)
					}
				}
				if out[3].Content["wait"] != true {
					t.Errorf("clear_output = %v", out[3].Content)
				}
			},
		},
		{
			name: "error", code: "fail", status: "error", count: 1,
			iopub: []string{"status:busy", "execute_input", "error", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				for _, c := range []map[string]any{out[2].Content, r.Content} {
					if c["ename"] != "TestError" || c["evalue"] != "it failed" || fmt.Sprint(c["traceback"]) != "[tb 1 tb 2]" {
						t.Errorf("error content = %v", c)
					}
				}
			},
		},
		{
			name: "engine panic", code: "panic", status: "error", count: 1,
			iopub: []string{"status:busy", "execute_input", "error", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				if r.Content["ename"] != "panic" || r.Content["evalue"] != "boom" {
					t.Errorf("reply = %v", r.Content)
				}
			},
		},
		{
			name: "silent", code: "value 1", extra: map[string]any{"silent": true}, status: "ok", count: 0,
			iopub: []string{"status:busy", "status:idle"},
		},
		{
			name: "silent output still streams", code: "print hi", extra: map[string]any{"silent": true}, status: "ok", count: 0,
			iopub: []string{"status:busy", "stream", "status:idle"},
		},
		{
			name: "no store_history", code: "value 1", extra: map[string]any{"store_history": false}, status: "ok", count: 0,
			iopub: []string{"status:busy", "execute_input", "execute_result", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				if out[1].Content["execution_count"] != 1.0 {
					t.Errorf("execute_input count = %v, want the next number, 1", out[1].Content["execution_count"])
				}
			},
		},
		{
			name: "user_expressions", code: "print x",
			extra:  map[string]any{"user_expressions": map[string]any{"a": "value 7", "b": "fail", "c": "print y"}},
			status: "ok", count: 1,
			iopub: []string{"status:busy", "execute_input", "stream", "status:idle"},
			check: func(t *testing.T, r msg, out []msg) {
				ue := r.Content["user_expressions"].(map[string]any)
				a, b, c := ue["a"].(map[string]any), ue["b"].(map[string]any), ue["c"].(map[string]any)
				if a["status"] != "ok" || a["data"].(map[string]any)["text/plain"] != "7" {
					t.Errorf("a = %v", a)
				}
				if b["status"] != "error" || b["ename"] != "TestError" {
					t.Errorf("b = %v", b)
				}
				if c["status"] != "ok" || len(c["data"].(map[string]any)) != 0 {
					t.Errorf("c = %v", c)
				}
				if got := streamText(out, "stdout"); got != "x\n" {
					t.Errorf("stdout = %q: output of user_expressions must be discarded", got)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startKernel(t, newTestEngine(), nil)
			r, out := h.execute(tc.code, tc.extra)
			if r.Header.MsgType != "execute_reply" || r.Content["status"] != tc.status || r.Content["execution_count"] != tc.count {
				t.Errorf("reply %s = %v, want status %s, execution_count %v", r.Header.MsgType, r.Content, tc.status, tc.count)
			}
			if got := types(out); !slices.Equal(got, tc.iopub) {
				t.Fatalf("iopub = %v, want %v", got, tc.iopub)
			}
			for _, m := range out {
				if m.Parent.MsgID != r.Parent.MsgID || m.Header.Session != h.srv.session {
					t.Errorf("%s has parent %q session %q", m.Header.MsgType, m.Parent.MsgID, m.Header.Session)
				}
			}
			if tc.check != nil {
				tc.check(t, r, out)
			}
		})
	}
}

func TestExecutionCount(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	for _, tc := range []struct {
		name       string
		code       string
		extra      map[string]any
		inputCount any // nil: no execute_input
		replyCount float64
	}{
		{"first", "print a", nil, 1.0, 1},
		{"silent", "print b", map[string]any{"silent": true}, nil, 1},
		{"not stored", "print c", map[string]any{"store_history": false}, 2.0, 1},
		{"second", "print d", nil, 2.0, 2},
		{"failure counts", "fail", nil, 3.0, 3},
		{"third", "value 1", nil, 4.0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			r, out := h.execute(tc.code, tc.extra)
			var inputCount any
			for _, m := range out {
				if m.Header.MsgType == "execute_input" {
					inputCount = m.Content["execution_count"]
				}
			}
			if inputCount != tc.inputCount || r.Content["execution_count"] != tc.replyCount {
				t.Errorf("execute_input count %v, reply count %v; want %v, %v", inputCount, r.Content["execution_count"], tc.inputCount, tc.replyCount)
			}
		})
	}
}

func TestManyLinesAllDeliveredInFewMessages(t *testing.T) {
	const n = 100000
	h := startKernel(t, newTestEngine(), nil)
	r, out := h.execute(fmt.Sprintf("lines %d", n), nil)
	if r.Content["status"] != "ok" {
		t.Fatalf("reply = %v", r.Content)
	}
	var want strings.Builder
	for i := range n {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if got := streamText(out, "stdout"); got != want.String() {
		t.Fatalf("stdout has %d bytes, want %d (lost or reordered output)", len(got), want.Len())
	}
	streams := 0
	for _, m := range out {
		if m.Header.MsgType == "stream" {
			streams++
			if len(m.Content["text"].(string)) > maxStreamChunk {
				t.Errorf("stream message of %d bytes, more than %d", len(m.Content["text"].(string)), maxStreamChunk)
			}
		}
	}
	// 1.1 MB in 64 KiB chunks is 18 messages; ticks add a few more.
	t.Logf("%d lines in %d stream messages", n, streams)
	if streams > 200 {
		t.Errorf("%d stream messages for %d lines, want few", streams, n)
	}
	if last := out[len(out)-1]; last.Header.MsgType != "status" {
		t.Errorf("last iopub message is %s, want the idle status after all output", last.Header.MsgType)
	}
}

func TestLateOutputKeepsItsParent(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	r1, _ := h.execute("late", nil)
	r2, _ := h.execute("print now", nil)
	h.engine.open()
	h.engine.lateWG.Wait()
	// A barrier: the late write was queued before this request's busy.
	h.request(h.control, "kernel_info_request", map[string]any{})
	var late []msg
	for _, m := range h.backlog {
		if m.Header.MsgType == "stream" {
			late = append(late, m)
		}
	}
	if len(late) != 1 || late[0].Content["text"] != "late\n" || late[0].Parent.MsgID != r1.Parent.MsgID {
		t.Fatalf("late output = %+v, want one stream \"late\\n\" parented to the first cell %s (not %s)", late, r1.Parent.MsgID, r2.Parent.MsgID)
	}
}
