package interp

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Stopping runaway recursion cannot use a panic: yaegi recovers and
// re-panics in every interpreted frame, and the Go runtime unwinds such a
// chain in time quadratic in its depth (a panic 8,000 calls deep takes
// 16 s; 100,000 deep, hours). stopDeep therefore stops the interpreter
// the way an interrupt does, which unwinds by plain returns, and records
// the error for the boundary that started the code: Execute turns it into
// the cell's error, and the functions that Func and Loop return panic with it
// once they are back at the top of the stack.

// stopDeep records e and stops all interpreted code of the session: the
// running cell's, as an interrupt would (its context is cancelled with e
// as the cause), or, when no cell runs, goroutines and mp calls.
func (s *Session) stopDeep(e *RecursionError) {
	s.stateMu.RLock()
	if r := s.recordOf(e.Func); r != nil {
		e.Pos = fmt.Sprintf("%s:%d:%d", r.Cell, r.Line, r.Col)
	}
	s.stateMu.RUnlock()
	s.deep.Store(e)
	for {
		c := s.current()
		if c.run != nil && c.run.Err() == nil {
			c.cancel(e)
			return
		}
		if s.run.TryLock() {
			err := s.stopInterpreter()
			s.run.Unlock()
			if err != nil {
				s.log.Error("stop runaway recursion", "err", err)
			}
			if s.calls.Load() == 0 && s.deep.CompareAndSwap(e, nil) {
				// A goroutine of an earlier cell: tell the latest cell.
				s.goPanic(e)
			}
			return
		}
		runtime.Gosched()
	}
}

// stopInterpreter makes every interpreted goroutine return, as yaegi does
// when the context of ExecuteWithContext is done; s.run must be held.
func (s *Session) stopInterpreter() error {
	prog, err := s.yi.Compile("select {}")
	if err != nil {
		return fmt.Errorf("compile the stop program: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.yi.ExecuteWithContext(ctx, prog); !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop the interpreter: %v", err)
	}
	return nil
}

// takeDeep returns and clears the recorded recursion error, if any.
func (s *Session) takeDeep() *RecursionError {
	return s.deep.Swap(nil)
}

// cellError is the error of a cell stopped by e.
func (e *RecursionError) cellError() *CellError {
	ce := &CellError{Name: "panic", Value: e.Error()}
	ce.Traceback = []string{"panic: " + ce.Value}
	if e.Pos != "" {
		ce.Traceback = append(ce.Traceback, "", e.frame())
		if i := strings.LastIndexByte(e.Pos, ':'); i > 0 {
			if j := strings.LastIndexByte(e.Pos[:i], ':'); j > 0 {
				fmt.Sscan(e.Pos[j+1:i], &ce.Line)
				fmt.Sscan(e.Pos[i+1:], &ce.Col)
			}
		}
	}
	return ce
}

// frame is the traceback of e: where its function is declared, as
// frames formats a frame, or "" when that is not known.
func (e *RecursionError) frame() string {
	if e.Pos == "" {
		return ""
	}
	return "main." + e.Func + "(...)\n\t" + e.Pos + " (declared here; the stack was unwound)"
}

// guardDeep wraps fn, a function of the notebook called from compiled
// code outside Execute (mp's workers), so that a call stopped by stopDeep
// panics with the *RecursionError once back at the wrapper, instead of
// returning the zero values the stopped interpreter left.
func (s *Session) guardDeep(fn reflect.Value) reflect.Value {
	return reflect.MakeFunc(fn.Type(), func(args []reflect.Value) []reflect.Value {
		s.calls.Add(1)
		defer s.calls.Add(-1)
		var out []reflect.Value
		if fn.Type().IsVariadic() {
			out = fn.CallSlice(args)
		} else {
			out = fn.Call(args)
		}
		if e := s.takeDeep(); e != nil {
			panic(e)
		}
		return out
	})
}
