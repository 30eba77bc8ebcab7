package kernel

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func TestInterruptRunningCell(t *testing.T) {
	for _, tc := range []struct {
		name      string
		interrupt func(h *harness)
	}{
		{"interrupt_request", func(h *harness) {
			r, out := h.request(h.control, "interrupt_request", map[string]any{})
			if r.Header.MsgType != "interrupt_reply" || r.Content["status"] != "ok" {
				h.t.Errorf("reply %s %v", r.Header.MsgType, r.Content)
			}
			if got := types(out); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
				h.t.Errorf("control iopub = %v", got)
			}
		}},
		{"Interrupt method (SIGINT)", func(h *harness) { h.srv.Interrupt() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startKernel(t, newTestEngine(), nil)
			id := h.send(h.shell, "execute_request", map[string]any{"code": "sleep"})
			<-h.engine.started
			tc.interrupt(h)
			r := h.reply(h.shell, id)
			if r.Content["status"] != "error" || r.Content["ename"] != "KeyboardInterrupt" {
				t.Errorf("execute_reply = %v, want an interrupted error", r.Content)
			}
			out := h.outputs(id)
			if got := types(out); !slices.Equal(got, []string{"status:busy", "execute_input", "error", "status:idle"}) {
				t.Errorf("iopub = %v", got)
			}
			// The kernel keeps serving.
			if r, _ := h.execute("value 2", nil); r.Content["status"] != "ok" {
				t.Errorf("after interrupt: %v", r.Content)
			}
		})
	}
}

func TestControlServedWhileCellRuns(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	id := h.send(h.shell, "execute_request", map[string]any{"code": "sleep"})
	<-h.engine.started
	r, _ := h.request(h.control, "kernel_info_request", map[string]any{})
	if r.Content["status"] != "ok" {
		t.Errorf("kernel_info on control while busy: %v", r.Content)
	}
	h.srv.Interrupt()
	h.reply(h.shell, id)
}

func TestStopOnErrorAbortsQueued(t *testing.T) {
	for _, tc := range []struct {
		name        string
		stopOnError bool
		wantStatus  []string // replies to: print a, kernel_info, print b
		wantRan     []string
	}{
		{"stop_on_error", true, []string{"aborted", "ok", "aborted"}, []string{"gate", "print c"}},
		{"keep going", false, []string{"ok", "ok", "ok"}, []string{"gate", "print a", "print b", "print c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			queued := make(chan struct{}, 10)
			h := startKernel(t, newTestEngine(), func(s *Server) {
				s.queued = func() { queued <- struct{}{} }
			})
			gate := h.send(h.shell, "execute_request", map[string]any{"code": "gate", "stop_on_error": tc.stopOnError})
			<-h.engine.started
			ids := []string{
				h.send(h.shell, "execute_request", map[string]any{"code": "print a"}),
				h.send(h.shell, "kernel_info_request", map[string]any{}),
				h.send(h.shell, "execute_request", map[string]any{"code": "print b"}),
			}
			for range 1 + len(ids) {
				<-queued // the gate cell's request and the three behind it
			}
			h.engine.open()
			if r := h.reply(h.shell, gate); r.Content["status"] != "error" {
				t.Fatalf("gate cell: %v", r.Content)
			}
			var got []string
			for _, id := range ids {
				r := h.reply(h.shell, id)
				got = append(got, r.Content["status"].(string))
				if r.Content["status"] == "aborted" && (r.Header.MsgType != "execute_reply" || r.Content["execution_count"] != 1.0) {
					t.Errorf("aborted reply %s %v", r.Header.MsgType, r.Content)
				}
				if out := types(h.outputs(id)); out[0] != "status:busy" || out[len(out)-1] != "status:idle" {
					t.Errorf("iopub for queued request = %v", out)
				}
			}
			if !slices.Equal(got, tc.wantStatus) {
				t.Errorf("queued replies = %v, want %v", got, tc.wantStatus)
			}
			if r, _ := h.execute("print c", nil); r.Content["status"] != "ok" {
				t.Errorf("after abort: %v", r.Content)
			}
			if ran := h.engine.codes(); !slices.Equal(ran, tc.wantRan) {
				t.Errorf("engine ran %q, want %q", ran, tc.wantRan)
			}
		})
	}
}

func TestShutdown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sock    func(h *harness) zmq4.Socket
		restart bool
	}{
		{"control", func(h *harness) zmq4.Socket { return h.control }, false},
		{"control restart", func(h *harness) zmq4.Socket { return h.control }, true},
		{"shell", func(h *harness) zmq4.Socket { return h.shell }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startKernel(t, newTestEngine(), nil)
			s := tc.sock(h)
			id := h.send(s, "shutdown_request", map[string]any{"restart": tc.restart})
			r := h.reply(s, id)
			if r.Header.MsgType != "shutdown_reply" || r.Content["status"] != "ok" || r.Content["restart"] != tc.restart {
				t.Errorf("reply %s %v", r.Header.MsgType, r.Content)
			}
			h.waitRun()
		})
	}
}

func TestShutdownInterruptsRunningCell(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	h.send(h.shell, "execute_request", map[string]any{"code": "sleep"})
	<-h.engine.started
	id := h.send(h.control, "shutdown_request", map[string]any{"restart": false})
	if r := h.reply(h.control, id); r.Content["status"] != "ok" {
		t.Errorf("reply %v", r.Content)
	}
	h.waitRun()
}

func TestRunReturnsWhenContextDone(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	h.cancel()
	h.waitRun()
	if err := h.srv.iopub.write(nil, "stdout", []byte("x")); !errors.Is(err, errStopped) {
		t.Errorf("write after stop = %v, want errStopped", err)
	}
	if err := h.srv.Run(context.Background()); err == nil {
		t.Error("second Run returned nil, want an error")
	}
}

func TestHeartbeatEcho(t *testing.T) {
	h := startKernel(t, newTestEngine(), nil)
	for _, tc := range []struct{ name, ping string }{
		{"ping", "ping"},
		{"binary", "\x00\x01\xff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.hb.Send(zmq4.NewMsgString(tc.ping)); err != nil {
				t.Fatal(err)
			}
			got := make(chan zmq4.Msg, 1)
			go func() {
				m, _ := h.hb.Recv()
				got <- m
			}()
			select {
			case m := <-got:
				if len(m.Frames) != 1 || string(m.Frames[0]) != tc.ping {
					t.Errorf("echo = %q, want %q", m.Frames, tc.ping)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("no heartbeat echo")
			}
		})
	}
}
