package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// Comm message types, in both directions (protocol 5.3, "Custom
// messages").
const (
	CommOpen  = "comm_open"
	CommMsg   = "comm_msg"
	CommClose = "comm_close"
)

// CommMessage is one comm message, from a frontend (given to
// Comms.Comm) or to one (passed to Cell.Comm). The kernel treats Data and
// Metadata as opaque JSON: what they mean is the business of the comm's
// target (ipywidgets' "jupyter.widget", for one).
type CommMessage struct {
	// Type is CommOpen, CommMsg or CommClose.
	Type string
	// CommID names the comm; the side that opens it chooses it.
	CommID string
	// Target is the comm's target_name; set on CommOpen only.
	Target string
	// Data is the content's data object (nil: {}).
	Data json.RawMessage
	// Metadata is the message's metadata, where ipywidgets puts its
	// protocol version (nil: {}).
	Metadata json.RawMessage
	// Buffers are the message's binary buffers, which widget state
	// refers to by buffer_paths.
	Buffers [][]byte
}

// Comms is implemented by an Engine that takes part in comms (widgets).
// An Engine without it has every comm a frontend opens closed at once.
//
// The kernel calls Comm from the shell goroutine, as it calls Execute, so
// comm messages are handled one at a time, in order with cells, while no
// cell runs. ctx is done when the frontend interrupts the kernel (or the
// server stops), and the handling must then return soon. cell is parented
// to the comm message: output written to it, and comm messages sent
// through it, answer that message.
//
// For a CommOpen, an error means the engine does not serve the comm (an
// unknown target, a bad version): the kernel closes the comm and logs the
// error. For a CommMsg or CommClose an error is logged. Comm is never
// called with a CommMsg for a comm that is not open: the kernel keeps the
// table of open comms (those opened by either side and not yet closed),
// answers comm_info_request from it, and drops, with a warning in its log,
// messages for comms that are not in it.
type Comms interface {
	Comm(ctx context.Context, m CommMessage, cell Cell) error
}

// ErrUnknownTarget is what Comms.Comm returns, wrapped, for a CommOpen
// whose target the engine does not serve.
var ErrUnknownTarget = errors.New("unknown comm target")

// commTable is the kernel's record of the comms open now, by id, with
// their target names.
type commTable struct {
	mu   sync.Mutex
	open map[string]string
}

func (t *commTable) add(id, target string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open == nil {
		t.open = map[string]string{}
	}
	t.open[id] = target
}

// remove forgets id and reports whether it was open.
func (t *commTable) remove(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.open[id]
	delete(t.open, id)
	return ok
}

func (t *commTable) isOpen(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.open[id]
	return ok
}

// list returns the comms open now whose target is target ("" for all),
// as comm_info_reply carries them.
func (t *commTable) list(target string) map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]any{}
	for id, tn := range t.open {
		if target == "" || tn == target {
			out[id] = map[string]string{"target_name": tn}
		}
	}
	return out
}

// commContent is the content of comm_open, comm_msg and comm_close.
type commContent struct {
	CommID     string          `json:"comm_id"`
	TargetName string          `json:"target_name,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// commInfo answers comm_info_request: the comms open now, all of them or
// those of the requested target.
func (s *Server) commInfo(r *request) error {
	var c struct {
		TargetName string `json:"target_name"`
	}
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	return s.reply(r, "comm_info_reply", map[string]any{"status": "ok", "comms": s.comms.list(c.TargetName)})
}

// readComm decodes a frontend's comm message; a malformed one is logged
// and reported as not ok.
func (s *Server) readComm(r *request) (CommMessage, bool) {
	var c commContent
	if err := json.Unmarshal(r.content, &c); err != nil || c.CommID == "" {
		if err == nil {
			err = errors.New("no comm_id")
		}
		s.log.Warn("dropped malformed comm message", "msg_type", r.header.MsgType, "msg_id", r.header.MsgID, "err", err)
		return CommMessage{}, false
	}
	if len(c.Data) == 0 || string(c.Data) == "null" {
		c.Data = json.RawMessage("{}")
	}
	return CommMessage{Type: r.header.MsgType, CommID: c.CommID, Target: c.TargetName, Data: c.Data,
		Metadata: r.metadata, Buffers: r.buffers}, true
}

// commOpen answers a frontend's comm_open: the engine serves the target
// or the kernel closes the comm, as ipykernel does for an unknown target.
func (s *Server) commOpen(r *request) error {
	m, ok := s.readComm(r)
	if !ok {
		return nil
	}
	if s.comms.isOpen(m.CommID) {
		s.log.Warn("dropped comm_open for a comm id already open", "comm_id", m.CommID, "target_name", m.Target)
		return nil
	}
	// Recorded first, so that what the engine sends on the comm while it
	// opens (ipywidgets' control comm answers at once) is allowed.
	s.comms.add(m.CommID, m.Target)
	err := s.toEngine(r, m)
	if err == nil {
		return nil
	}
	s.comms.remove(m.CommID)
	s.log.Warn("closed comm the engine does not serve", "target_name", m.Target, "comm_id", m.CommID, "err", err)
	return s.iopub.publish(r, CommClose, commContent{CommID: m.CommID, Data: json.RawMessage("{}")})
}

// commMsg hands a frontend's comm_msg to the engine, if the comm is open.
func (s *Server) commMsg(r *request) error {
	m, ok := s.readComm(r)
	if !ok {
		return nil
	}
	if !s.comms.isOpen(m.CommID) {
		s.log.Warn("dropped comm_msg for a comm that is not open", "comm_id", m.CommID, "msg_id", r.header.MsgID)
		return nil
	}
	if err := s.toEngine(r, m); err != nil {
		s.log.Warn("comm_msg failed", "comm_id", m.CommID, "err", err)
	}
	return nil
}

// commClose forgets a comm the frontend closed and tells the engine.
func (s *Server) commClose(r *request) error {
	m, ok := s.readComm(r)
	if !ok {
		return nil
	}
	if !s.comms.remove(m.CommID) {
		s.log.Warn("dropped comm_close for a comm that is not open", "comm_id", m.CommID)
		return nil
	}
	if err := s.toEngine(r, m); err != nil {
		s.log.Warn("comm_close failed", "comm_id", m.CommID, "err", err)
	}
	return nil
}

// toEngine calls the engine's Comm with a context that an interrupt
// cancels and a Cell parented to r. A panic escaping the engine becomes
// the error.
func (s *Server) toEngine(r *request, m CommMessage) (err error) {
	ce, ok := s.engine.(Comms)
	if !ok {
		return fmt.Errorf("%w %q: the engine serves no comms", ErrUnknownTarget, m.Target)
	}
	ctx, done := s.cellContext()
	cell := newCell(s, r, ctx, s.count, false)
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("engine panicked handling a comm message", "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("engine panicked: %v", v)
		}
		cell.finished.Store(true)
		done()
		cell.Flush()
	}()
	return ce.Comm(ctx, m, cell)
}

// sendComm publishes a comm message from the engine, parented to parent,
// and keeps the table of open comms.
func (s *Server) sendComm(parent *request, m CommMessage) error {
	if m.CommID == "" {
		return errors.New("send comm message: no comm id")
	}
	c := commContent{CommID: m.CommID, Data: m.Data}
	if len(c.Data) == 0 {
		c.Data = json.RawMessage("{}")
	}
	switch m.Type {
	case CommOpen:
		if m.Target == "" {
			return fmt.Errorf("open comm %s: no target name", m.CommID)
		}
		c.TargetName = m.Target
		s.comms.add(m.CommID, m.Target)
	case CommMsg:
		if !s.comms.isOpen(m.CommID) {
			return fmt.Errorf("send on comm %s: it is not open (closed by the frontend?)", m.CommID)
		}
	case CommClose:
		if !s.comms.remove(m.CommID) {
			return nil
		}
	default:
		return fmt.Errorf("send comm message: unknown type %q", m.Type)
	}
	var extra *messageExtra
	if len(m.Metadata) > 0 || len(m.Buffers) > 0 {
		extra = &messageExtra{metadata: m.Metadata, buffers: m.Buffers}
	}
	return s.iopub.publishExtra(parent, m.Type, c, extra)
}
