package kernel

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// socketSet is a set of the sockets a request may arrive on.
type socketSet uint8

const (
	onShell socketSet = 1 << iota
	onControl
)

func (o socketSet) String() string {
	switch o {
	case onShell:
		return "shell"
	case onControl:
		return "control"
	}
	return "shell|control"
}

// handler answers one message type. fn sends the reply (if any) and may
// publish on iopub; dispatch publishes busy before and idle after it.
type handler struct {
	on socketSet
	fn func(*Server, *request) error
}

// handlers lists every message type the kernel serves, the sockets it is
// accepted on, and the method that answers it, as ipykernel's
// shell_handlers and control_handlers do. Anything else is logged and
// ignored.
var handlers = map[string]handler{
	"kernel_info_request": {onShell | onControl, (*Server).kernelInfo},
	"execute_request":     {onShell, (*Server).execute},
	"is_complete_request": {onShell, (*Server).isComplete},
	"complete_request":    {onShell, (*Server).complete},
	"inspect_request":     {onShell, (*Server).inspect},
	"history_request":     {onShell, (*Server).historyRequest},
	"comm_info_request":   {onShell, (*Server).commInfo},
	"comm_open":           {onShell, (*Server).commOpen},
	"comm_msg":            {onShell, (*Server).commMsg},
	"comm_close":          {onShell, (*Server).commClose},
	"shutdown_request":    {onShell | onControl, (*Server).shutdown},
	"interrupt_request":   {onControl, (*Server).interruptRequest},
}

// request is a decoded message waiting for its handler, with where its
// answer goes.
type request struct {
	message
	from *port     // replies go back on the socket the request came from
	on   socketSet // which socket that is

	// Set by handlers for serveQueue.
	abortQueued bool // a cell failed with stop_on_error: abort queued execute_requests

	queuedAtFailure bool // r was queued when a cell failed with stop_on_error
	stop            bool // shutdown answered: stop the server
}

// reply sends msgType with content to the requester, on the socket the
// request came from, parented to the request.
func (s *Server) reply(r *request, msgType string, content any) error {
	m, err := newMessage(s.session, msgType, r.rawHeader, content)
	if err != nil {
		return err
	}
	m.ids = r.ids
	frames, err := s.codec.encode(m)
	if err != nil {
		return err
	}
	if err := r.from.send(s.ctx, frames); err != nil {
		return fmt.Errorf("send %s: %w", msgType, err)
	}
	return nil
}

// serveQueue handles the requests of one socket in order until the server
// stops. After a cell fails with stop_on_error, the execute_requests that
// were already queued are answered "aborted" without running, as
// ipykernel's _abort_queues does; other requests among them are served.
// A request still in flight at that moment is aborted too when its header
// says the client sent it before the failure (a "Run All" sends every cell
// at once); see sentBefore.
func (s *Server) serveQueue(q *queue) {
	var aborting []*request
	var failedAt time.Time
	for {
		var r *request
		if len(aborting) > 0 {
			r, aborting = aborting[0], aborting[1:]
		} else {
			var ok bool
			if r, ok = q.pop(s.ctx); !ok {
				return
			}
		}
		if r.header.MsgType == "execute_request" && (r.queuedAtFailure || sentBefore(r, failedAt)) {
			s.abort(r)
		} else {
			s.dispatch(r)
		}
		if r.abortQueued {
			failedAt = time.Now()
			for _, queued := range q.drain() {
				queued.queuedAtFailure = true
				aborting = append(aborting, queued)
			}
		}
		if r.stop {
			if err := s.iopub.flush(); err != nil {
				s.log.Warn("flush iopub before stopping", "err", err)
			}
			s.stop()
			return
		}
	}
}

// abortWindow bounds how long after a failure the client's send time is
// trusted to abort a request, so a client whose clock runs behind cannot
// have later cells aborted.
const abortWindow = time.Second

// sentBefore reports whether r was sent (by its header's date) before
// failedAt and reached the kernel within abortWindow of it.
func sentBefore(r *request, failedAt time.Time) bool {
	if failedAt.IsZero() || time.Since(failedAt) > abortWindow {
		return false
	}
	sent, err := time.Parse(time.RFC3339Nano, r.header.Date)
	return err == nil && sent.Before(failedAt)
}

// dispatch handles r between a busy and an idle status parented to it.
func (s *Server) dispatch(r *request) {
	s.iopub.status(r, "busy")
	defer s.iopub.status(r, "idle")
	t := r.header.MsgType
	h, ok := handlers[t]
	switch {
	case !ok:
		s.log.Warn("ignored unknown message type", "msg_type", t, "socket", r.from.name)
	case h.on&r.on == 0:
		s.log.Warn("ignored message on the wrong socket", "msg_type", t, "socket", r.from.name, "accepted_on", h.on.String())
	default:
		if err := h.fn(s, r); err != nil {
			s.log.Error("handle request", "msg_type", t, "msg_id", r.header.MsgID, "err", err)
		}
	}
}

// replyType is the reply's msg_type for request type t.
func replyType(t string) string {
	return strings.TrimSuffix(t, "_request") + "_reply"
}

// decodeContent unmarshals r's content into v. When it does not fit, the
// requester gets an error reply naming the problem and decodeContent
// returns false.
func (s *Server) decodeContent(r *request, v any) (bool, error) {
	err := json.Unmarshal(r.content, v)
	if err == nil {
		return true, nil
	}
	s.log.Warn("bad request content", "msg_type", r.header.MsgType, "err", err)
	return false, s.reply(r, replyType(r.header.MsgType), map[string]any{
		"status": "error", "ename": "BadRequest", "evalue": err.Error(),
		"traceback": []string{"BadRequest: " + err.Error()},
	})
}

// kernelInfo answers kernel_info_request from the Engine's description.
func (s *Server) kernelInfo(r *request) error {
	info := s.engine.Info()
	links := info.HelpLinks
	if links == nil {
		links = []HelpLink{}
	}
	return s.reply(r, "kernel_info_reply", map[string]any{
		"status":                 "ok",
		"protocol_version":       protocolVersion,
		"implementation":         info.Implementation,
		"implementation_version": info.ImplVersion,
		"language_info":          info.Content(),
		"banner":                 info.Banner,
		"help_links":             links,
	})
}

// shutdown answers shutdown_request, echoing restart, and has the server
// stop once the reply is sent. A restart is the frontend's to do: it
// starts a new kernel process.
func (s *Server) shutdown(r *request) error {
	var c struct {
		Restart bool `json:"restart"`
	}
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	r.stop = true
	return s.reply(r, "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart})
}

// interruptRequest answers interrupt_request (interrupt_mode "message").
func (s *Server) interruptRequest(r *request) error {
	s.Interrupt()
	return s.reply(r, "interrupt_reply", map[string]any{"status": "ok"})
}
