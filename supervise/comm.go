package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/widgets"
)

// Comms cross the process boundary in both directions. A frontend's comm
// message (a slider moved, a button clicked) runs in the interpreter like
// a cell: one at a time with cells, interrupted as they are, its
// callbacks' output going to the front's cell it came with. A widget's
// own messages (a new widget, a value set from Go) go back tagged with the
// cell that owns the widget, so that they stay parented to it after the
// cell has ended, as late output does.

// Comm hands a frontend's comm message to the interpreter's widgets, as
// front.Notebook.Comm does in one process. An error for which
// errors.Is(err, widgets.ErrUnknownTarget) holds refuses a comm_open.
func (n *Notebook) Comm(ctx context.Context, m widgets.Message, c front.Cell) error {
	n.run.Lock()
	defer n.run.Unlock()
	p := n.current()
	if !p.alive() {
		return errors.New("the interpreter process is being restarted; the comm message was dropped")
	}
	id := n.seq.Add(1)
	reply := make(chan frame, 1)
	p.mu.Lock()
	p.cells[id] = &cellSink{io: c}
	if p.pending != nil {
		p.pending[id] = reply
	}
	p.mu.Unlock()
	if err := p.c.sendJSON(kindCommIn, id, commMsg{Count: c.Count, Message: m, Display: c.IO.Display != nil}); err != nil {
		return fmt.Errorf("send a comm message to the interpreter: %w", err)
	}
	done := ctx.Done()
	for {
		select {
		case f := <-reply:
			var r commReply
			if err := json.Unmarshal(f.Body, &r); err != nil {
				return fmt.Errorf("the interpreter's reply to a comm message: %w", err)
			}
			switch {
			case r.UnknownTarget:
				return fmt.Errorf("%w (%s)", widgets.ErrUnknownTarget, r.Err)
			case r.Err != "":
				return errors.New(r.Err)
			}
			return nil
		case <-done:
			done = nil
			if err := p.c.send(kindInterrupt, id, nil); err != nil {
				p.log.Debug("send interrupt", "err", err)
			}
		case <-p.dead:
			// The supervisor's watch replaces it once this returns.
			p.waitStderr()
			return fmt.Errorf("the interpreter process died while handling a comm message: %s",
				firstLine(deathCause(p.state, p.stderr.String())))
		}
	}
}

// comm runs a frontend's comm message (id) in the notebook and answers
// with a commReply.
func (s *Server) comm(ctx context.Context, id uint64, m commMsg) {
	io := s.cellIO(id)
	if !m.Display {
		io.Display = nil
	}
	err := s.nb.Comm(ctx, m.Message, front.Cell{Count: m.Count, IO: io, Comm: s.commSender(id)})
	s.mu.Lock()
	delete(s.cancels, id)
	s.mu.Unlock()
	var r commReply
	if err != nil {
		r.Err, r.UnknownTarget = err.Error(), errors.Is(err, widgets.ErrUnknownTarget)
	}
	if err := s.c.sendJSON(kindReply, id, r); err != nil {
		s.log.Warn("reply to the kernel process", "err", err)
	}
}

// commSender sends the widgets' messages on behalf of cell (its
// front.Cell.Comm).
func (s *Server) commSender(cell uint64) func(widgets.Message) error {
	return func(m widgets.Message) error { return s.c.sendJSON(kindCommOut, cell, m) }
}
