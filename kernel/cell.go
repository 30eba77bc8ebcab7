package kernel

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
)

// cell is the Cell given to Engine.Execute for one execute_request. All it
// publishes is parented to that request, also after the request has been
// answered (late output from goroutines the cell started). Its methods are
// safe for concurrent use.
type cell struct {
	s          *Server
	req        *request
	ctx        context.Context // done when the cell is interrupted or the server stops
	allowStdin bool
	count      int         // the execution count the frontend shows for req
	finished   atomic.Bool // Execute has returned
	stdout     *stream
	stderr     *stream
}

func newCell(s *Server, r *request, ctx context.Context, count int, allowStdin bool) *cell {
	c := &cell{s: s, req: r, ctx: ctx, count: count, allowStdin: allowStdin}
	c.stdout = &stream{c: c, name: "stdout"}
	c.stderr = &stream{c: c, name: "stderr"}
	return c
}

// ExecutionCount is the count execute_input showed for the request.
func (c *cell) ExecutionCount() int { return c.count }

// Stdout returns the writer whose bytes become stdout stream messages.
func (c *cell) Stdout() io.Writer { return c.stdout }

// Stderr returns the writer whose bytes become stderr stream messages.
func (c *cell) Stderr() io.Writer { return c.stderr }

// Display publishes display_data, or update_display_data.
func (c *cell) Display(d Display) error {
	transient := map[string]any{}
	if d.ID != "" {
		transient["display_id"] = d.ID
	}
	msgType := "display_data"
	if d.Update {
		if d.ID == "" {
			return errors.New("update_display_data needs a display id")
		}
		msgType = "update_display_data"
	}
	return c.s.iopub.publish(c.req, msgType, map[string]any{
		"data":      orEmptyMap(d.Data),
		"metadata":  orEmptyMap(d.Metadata),
		"transient": transient,
	})
}

// ClearOutput publishes clear_output.
func (c *cell) ClearOutput(wait bool) error {
	return c.s.iopub.publish(c.req, "clear_output", map[string]any{"wait": wait})
}

// Flush returns when everything written before the call has been handed to
// the iopub socket: a barrier through the publisher's queue.
func (c *cell) Flush() {
	c.s.iopub.flush()
}

// Comm publishes a comm message parented to the request.
func (c *cell) Comm(m CommMessage) error {
	return c.s.sendComm(c.req, m)
}

// Input asks the frontend for a line (see Server.input).
func (c *cell) Input(prompt string, password bool) (string, error) {
	return c.s.input(c, prompt, password)
}

// stream is one of a cell's output writers.
type stream struct {
	c    *cell
	name string
}

// Write queues a copy of p for publication; it fails only once the server
// has stopped.
func (w *stream) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := w.c.s.iopub.write(w.c.req, w.name, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// quietCell is the Cell for user_expressions: output is discarded and
// there is no stdin.
type quietCell struct{ count int }

func (q quietCell) ExecutionCount() int              { return q.count }
func (quietCell) Stdout() io.Writer                  { return io.Discard }
func (quietCell) Stderr() io.Writer                  { return io.Discard }
func (quietCell) Input(string, bool) (string, error) { return "", ErrNoStdin }
func (quietCell) Display(Display) error              { return nil }
func (quietCell) ClearOutput(bool) error             { return nil }
func (quietCell) Flush()                             {}
func (quietCell) Comm(CommMessage) error             { return errNoComms }

// errNoComms is what user_expressions get when they send a comm message.
var errNoComms = errors.New("user_expressions cannot send comm messages")
