package kernel

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
)

// executeRequest is the content of execute_request. Pointers tell a
// missing field from false, for the fields whose default is true.
type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"` // default: not silent
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`   // default false, as in ipykernel
	StopOnError     *bool             `json:"stop_on_error"` // default true
}

// execute answers execute_request: count and record the cell, publish
// execute_input, run it, publish its result or error, then reply. Output
// the cell writes is flushed before the result, so it precedes the reply.
func (s *Server) execute(r *request) error {
	var c executeRequest
	if ok, err := s.decodeContent(r, &c); !ok {
		return err
	}
	store := !c.Silent && (c.StoreHistory == nil || *c.StoreHistory)
	// Like IPython: the counter moves only for cells that store history;
	// execute_input shows the number the cell gets if it does.
	count := s.count + 1
	if store {
		s.count = count
		s.history.add(count, c.Code)
	}
	if !c.Silent {
		s.iopub.publish(r, "execute_input", map[string]any{"code": c.Code, "execution_count": count})
	}

	ctx, done := s.cellContext()
	cell := newCell(s, r, ctx, count, c.AllowStdin)
	res, err := s.run(ctx, c.Code, cell)
	cell.finished.Store(true)
	done()
	cell.Flush()

	if err != nil {
		e := execError(err)
		s.iopub.publish(r, "error", errorContent(e))
		r.abortQueued = c.StopOnError == nil || *c.StopOnError
		reply := errorContent(e)
		reply["status"] = "error"
		reply["execution_count"] = s.count
		reply["user_expressions"] = map[string]any{}
		reply["payload"] = []any{}
		return s.reply(r, "execute_reply", reply)
	}
	payload := []any{}
	if res != nil && res.Page != nil {
		payload = append(payload, map[string]any{"source": "page", "data": res.Page, "start": 0})
	}
	if res != nil && res.Data != nil && !c.Silent {
		s.iopub.publish(r, "execute_result", map[string]any{
			"execution_count": count,
			"data":            res.Data,
			"metadata":        orEmptyMap(res.Metadata),
		})
		if store {
			s.history.setOutput(count, res.Data["text/plain"])
		}
	}
	return s.reply(r, "execute_reply", map[string]any{
		"status":           "ok",
		"execution_count":  s.count,
		"user_expressions": s.userExpressions(c.UserExpressions),
		"payload":          payload,
	})
}

// abort answers an execute_request queued behind a failed cell without
// running it.
func (s *Server) abort(r *request) {
	s.iopub.status(r, "busy")
	defer s.iopub.status(r, "idle")
	s.log.Info("aborted execute_request after a failed cell", "msg_id", r.header.MsgID)
	if err := s.reply(r, "execute_reply", map[string]any{"status": "aborted", "execution_count": s.count}); err != nil {
		s.log.Error("reply aborted", "err", err)
	}
}

// cellContext returns the context for one Execute call and a func to call
// when Execute has returned. Interrupt cancels the context while the call
// runs; after that only the server stopping does, so that work the cell
// started may keep watching it. (Each such context stays registered with
// the server's until the server stops: a few hundred bytes per cell.)
func (s *Server) cellContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	s.mu.Lock()
	s.cancelCell = cancel
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		s.cancelCell = nil
		s.mu.Unlock()
	}
}

// run calls Engine.Execute. This is the cell boundary: a panic escaping
// the engine becomes the cell's error instead of ending the kernel.
func (s *Server) run(ctx context.Context, code string, cell Cell) (res *Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			stack := string(debug.Stack())
			s.log.Error("engine panicked", "panic", v, "stack", stack)
			err = &ExecError{
				Name:      "panic",
				Value:     fmt.Sprint(v),
				Traceback: append([]string{fmt.Sprintf("panic: %v", v)}, strings.Split(stack, "\n")...),
			}
		}
	}()
	return s.engine.Execute(ctx, code, cell)
}

// userExpressions evaluates each expression after a successful cell, with
// output discarded, and reports its value or error.
func (s *Server) userExpressions(exprs map[string]string) map[string]any {
	out := make(map[string]any, len(exprs))
	names := make([]string, 0, len(exprs))
	for name := range exprs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ctx, done := s.cellContext()
		res, err := s.run(ctx, exprs[name], quietCell{s.count})
		done()
		if err != nil {
			c := errorContent(execError(err))
			c["status"] = "error"
			out[name] = c
			continue
		}
		if res == nil {
			res = &Result{}
		}
		out[name] = map[string]any{"status": "ok", "data": orEmptyMap(res.Data), "metadata": orEmptyMap(res.Metadata)}
	}
	return out
}

// execError is err as the frontend shows it.
func execError(err error) *ExecError {
	if e, ok := errors.AsType[*ExecError](err); ok {
		return e
	}
	name := "Error"
	if errors.Is(err, ErrInterrupted) {
		name = "KeyboardInterrupt"
	}
	return &ExecError{Name: name, Value: err.Error(), Traceback: []string{name + ": " + err.Error()}}
}

// errorContent is the ename/evalue/traceback part of error messages and
// replies.
func errorContent(e *ExecError) map[string]any {
	tb := e.Traceback
	if tb == nil {
		tb = []string{}
	}
	return map[string]any{"ename": e.Name, "evalue": e.Value, "traceback": tb}
}
