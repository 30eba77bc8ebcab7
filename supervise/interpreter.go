package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/interp"
)

// ServeOptions configures the interpreter end.
type ServeOptions struct {
	// Log receives the interpreter's diagnostics; nil discards them.
	Log *slog.Logger
	// Caps bound what the snapshot after each cell carries (zero: the
	// defaults, DefaultCaps).
	Caps Caps
}

// Server is the interpreter end of the protocol: it runs the notebook's
// cells in this process for a Notebook in the kernel's.
type Server struct {
	c    *conn
	nb   *front.Notebook
	log  *slog.Logger
	opts ServeOptions

	jobs chan func() // cells and restores, run one at a time by run
	seq  atomic.Uint64

	mu      sync.Mutex
	cancels map[uint64]context.CancelFunc // running cells, by id
	inputs  map[uint64]chan inputReplyMsg // input requests waiting for the front

	snap deltaState
}

// NewServer is the interpreter end for nb, talking to the kernel process
// on r and w.
func NewServer(r io.Reader, w io.Writer, nb *front.Notebook, opts ServeOptions) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		c: newConn(r, w), nb: nb, log: opts.Log, opts: opts,
		jobs:    make(chan func(), 16),
		cancels: map[uint64]context.CancelFunc{},
		inputs:  map[uint64]chan inputReplyMsg{},
	}
	s.seq.Store(1 << 62) // the interpreter's own ids, apart from the kernel's
	return s
}

// Serve answers the kernel process until it asks for a shutdown (nil) or
// goes away (an error). The caller then closes the notebook, which ends
// its mp children.
func (s *Server) Serve(ctx context.Context) error {
	// run ends with Serve, once the cell it runs (if any) returns: the
	// caller closes the notebook without waiting for it, which
	// interrupts such a cell's mp work, as a kernel shutdown does.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.run(ctx)
	for {
		f, err := s.c.recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the kernel process closed the connection")
			}
			return fmt.Errorf("read from the kernel process: %w", err)
		}
		switch f.Kind {
		case kindShutdown:
			return nil
		case kindExecute:
			var m executeMsg
			if err := json.Unmarshal(f.Body, &m); err != nil {
				return fmt.Errorf("execute frame: %w", err)
			}
			// The cell's context is never cancelled once the cell has
			// ended, only by an interrupt while it runs: mp's children
			// and other work the cell started watch it (kernel.Engine).
			cctx, cancel := context.WithCancel(ctx)
			s.mu.Lock()
			s.cancels[f.ID] = cancel
			s.mu.Unlock()
			id := f.ID
			if !s.queue(ctx, func() { s.execute(cctx, id, m) }) {
				return nil
			}
		case kindCommIn:
			var m commMsg
			if err := json.Unmarshal(f.Body, &m); err != nil {
				return fmt.Errorf("comm frame: %w", err)
			}
			cctx, cancel := context.WithCancel(ctx)
			s.mu.Lock()
			s.cancels[f.ID] = cancel
			s.mu.Unlock()
			id := f.ID
			if !s.queue(ctx, func() { s.comm(cctx, id, m) }) {
				return nil
			}
		case kindRestore:
			id, body := f.ID, f.Body
			if !s.queue(ctx, func() { s.restore(id, body) }) {
				return nil
			}
		case kindInterrupt:
			s.mu.Lock()
			if cancel := s.cancels[f.ID]; cancel != nil {
				cancel()
			}
			s.mu.Unlock()
		case kindInputReply:
			var m inputReplyMsg
			if err := json.Unmarshal(f.Body, &m); err != nil {
				return fmt.Errorf("input reply frame: %w", err)
			}
			s.mu.Lock()
			ch := s.inputs[f.ID]
			delete(s.inputs, f.ID)
			s.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		case kindComplete, kindInspect, kindIsComplete:
			var m completeMsg
			if err := json.Unmarshal(f.Body, &m); err != nil {
				return fmt.Errorf("frame of kind %d: %w", f.Kind, err)
			}
			// As in the kernel before the split: the session serialises
			// these with cells, on a goroutine of their own so that
			// interrupts and input replies keep flowing.
			go s.introspect(f.Kind, f.ID, m)
		default:
			return fmt.Errorf("unexpected frame of kind %d from the kernel process", f.Kind)
		}
	}
}

// queue hands a job to run, unless the server is stopping.
func (s *Server) queue(ctx context.Context, job func()) bool {
	select {
	case s.jobs <- job:
		return true
	case <-ctx.Done():
		return false
	}
}

// run executes the queued cells and restores one after another until ctx
// is done.
func (s *Server) run(ctx context.Context) {
	for {
		select {
		case job := <-s.jobs:
			job()
		case <-ctx.Done():
			return
		}
	}
}

// execute runs one cell, answers with its Outcome and then, if it
// succeeded, sends what changed in the notebook's state: after the reply,
// so that the front never waits for it.
func (s *Server) execute(ctx context.Context, id uint64, m executeMsg) {
	io := interp.IO{
		Stdout: &cellWriter{c: s.c, k: kindStdout, id: id},
		Stderr: &cellWriter{c: s.c, k: kindStderr, id: id},
	}
	if m.Input {
		io.Input = func(prompt string, password bool) (string, error) { return s.input(id, prompt, password) }
	}
	if m.Display {
		io.Display = func(o display.Output) error { return s.c.sendJSON(kindDisplay, id, o) }
	}
	if err := s.c.send(kindStarted, id, nil); err != nil {
		s.log.Warn("tell the kernel process a cell started", "err", err)
	}
	o := s.nb.Execute(ctx, front.Cell{Count: m.Count, Code: m.Code, IO: io, Comm: s.commSender(id)})
	s.mu.Lock()
	delete(s.cancels, id)
	s.mu.Unlock()
	if err := s.c.sendJSON(kindReply, id, o); err != nil {
		s.log.Warn("reply to the kernel process", "err", err)
		return
	}
	if o.Err == nil && !o.Help {
		s.sendSnapshot(id, m.Count)
	}
}

// sendSnapshot sends what changed in the notebook since the last snapshot.
func (s *Server) sendSnapshot(id uint64, count int) {
	full, err := s.nb.Session().SnapshotCapped(s.opts.Caps.value())
	if err != nil {
		s.log.Warn("snapshot for crash recovery", "err", err)
		return
	}
	d, err := s.snap.delta(full, count, s.opts.Caps)
	if err != nil {
		s.log.Warn("snapshot for crash recovery", "err", err)
		return
	}
	if err := s.c.sendJSON(kindSnapshot, id, d); err != nil {
		s.log.Warn("send snapshot", "err", err)
	}
}

// restore evaluates a snapshot in the fresh session.
func (s *Server) restore(id uint64, snapshot []byte) {
	var r restoreReply
	if err := s.nb.Session().Restore(snapshot); err != nil {
		r.Err = err.Error()
	}
	if err := s.c.sendJSON(kindReply, id, r); err != nil {
		s.log.Warn("reply to the kernel process", "err", err)
	}
}

// input asks the front for a line on behalf of cell id.
func (s *Server) input(cell uint64, prompt string, password bool) (string, error) {
	id := s.seq.Add(1)
	ch := make(chan inputReplyMsg, 1)
	s.mu.Lock()
	s.inputs[id] = ch
	s.mu.Unlock()
	if err := s.c.sendJSON(kindInput, id, inputMsg{Cell: cell, Prompt: prompt, Password: password}); err != nil {
		s.mu.Lock()
		delete(s.inputs, id)
		s.mu.Unlock()
		return "", err
	}
	r := <-ch
	switch {
	case r.Interrupted:
		return "", interp.ErrInterrupted
	case r.Err != "":
		return "", errors.New(r.Err)
	}
	return r.Value, nil
}

// introspect answers complete, inspect and is_complete.
func (s *Server) introspect(k kind, id uint64, m completeMsg) {
	sess := s.nb.Session()
	var reply any
	switch k {
	case kindComplete:
		matches, start, end := sess.Complete(m.Code, m.Cursor)
		reply = completeReply{Matches: matches, Start: start, End: end}
	case kindInspect:
		h, found := sess.Inspect(m.Code, m.Cursor, m.Detail)
		reply = inspectReply{Help: h, Found: found}
	default:
		status, indent := sess.IsComplete(m.Code)
		reply = isCompleteReply{Status: status, Indent: indent}
	}
	if err := s.c.sendJSON(kindReply, id, reply); err != nil {
		s.log.Warn("reply to the kernel process", "err", err)
	}
}

// cellIO is where output for cell goes in the kernel process: the
// streams and displays of the front's cell that the id stands for (no
// input).
func (s *Server) cellIO(cell uint64) interp.IO {
	return interp.IO{
		Stdout:  &cellWriter{c: s.c, k: kindStdout, id: cell},
		Stderr:  &cellWriter{c: s.c, k: kindStderr, id: cell},
		Display: func(o display.Output) error { return s.c.sendJSON(kindDisplay, cell, o) },
	}
}

// cellWriter sends what a cell writes to one of its streams.
type cellWriter struct {
	c  *conn
	k  kind
	id uint64
}

func (w *cellWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := w.c.sendLazy(w.k, w.id, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
