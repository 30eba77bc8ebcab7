package interp

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// callPrelude imports the package through which Call runs a Go function
// inside the interpreter (see Call).
const callPrelude = `package main; import _gompcall "gomp/call"`

// installCallPrelude gives yi the package callPrelude imports, whose Run
// runs the session's pending call.
func (s *Session) installCallPrelude(yi *yaegi.Interpreter) error {
	if err := yi.Use(yaegi.Exports{"gomp/call/call": {"Run": reflect.ValueOf(s.runPending)}}); err != nil {
		return fmt.Errorf("install call: %w", err)
	}
	if err := runPrelude(yi, callPrelude); err != nil {
		return fmt.Errorf("install call: %w", err)
	}
	return nil
}

// runPending runs the function Call is running. It is called from inside
// the interpreter, by the program Call executes.
func (s *Session) runPending() {
	if fn := s.pending.Load(); fn != nil {
		(*fn)()
	}
}

// Call runs fn, a Go function that may call the notebook's functions
// (a widget's callback), as a cell runs: serialised with cells, its
// output going to io, interrupted when ctx is done (Call then returns
// soon, as Execute does, even if fn does not), and a panic in fn returned
// as a *CellError with the notebook's positions. The session's current
// cell is io's while fn runs and the one before afterwards.
func (s *Session) Call(ctx context.Context, io IO, fn func()) error {
	s.run.Lock()
	defer s.run.Unlock()
	if io.Name == "" {
		io.Name = "callback"
	}
	run, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	st := &cellState{ctx: ctx, run: run, cancel: cancel, io: io, trace: &traceBuffer{}}
	s.takeDeep()
	s.cellMu.Lock()
	prev := s.cell
	s.cell = st
	s.cellMu.Unlock()
	s.routeDisplays()
	defer func() {
		if s.capture != nil {
			if err := s.capture.flush(); err != nil {
				s.log.Warn("flush captured output", "err", err)
			}
		}
		s.cellMu.Lock()
		if s.cell == st {
			s.cell = prev
		}
		s.cellMu.Unlock()
	}()
	// The prelude is installed on first use (and again after the notebook
	// rebuilt its interpreter), so that sessions that never call, such as
	// an mp worker's, do not pay for it when they start.
	if s.callFor != s.yi {
		if err := s.installCallPrelude(s.yi); err != nil {
			return err
		}
		s.callFor = s.yi
	}
	s.pending.Store(&fn)
	defer s.pending.Store(nil)
	// Positions in physicalFile, whose imports (_gompcall) yaegi finds.
	f, err := parser.ParseFile(s.yi.FileSet(), physicalFile, "package main", parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}
	pos := f.Package
	call := &ast.ExprStmt{X: &ast.CallExpr{Fun: &ast.SelectorExpr{X: &ast.Ident{Name: "_gompcall", NamePos: pos}, Sel: &ast.Ident{Name: "Run", NamePos: pos}}, Lparen: pos, Rparen: pos}}
	_, err = s.compileRun(run, &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{call}, Rbrace: pos}, st)
	if e := s.takeDeep(); e != nil {
		err = e.cellError()
	}
	return err
}

// Redirect sends the output of the running cell (or Call) to io until
// restore is called: what it prints, writes to fd 1, os.Stdout or
// os.Stderr, and displays. Output written before the call goes where it
// went before, and so does output after restore. Redirects nest.
func (s *Session) Redirect(io IO) (restore func()) {
	s.flushCapture()
	s.cellMu.Lock()
	prev := s.cell
	c := *prev
	if io.Name == "" {
		io.Name = prev.io.Name
	}
	if io.Input == nil {
		io.Input = prev.io.Input
	}
	c.io = io
	s.cell = &c
	s.cellMu.Unlock()
	return func() {
		s.flushCapture()
		s.cellMu.Lock()
		if s.cell == &c {
			s.cell = prev
		}
		s.cellMu.Unlock()
	}
}

// flushCapture delivers what fd 1, os.Stdout and os.Stderr hold to the
// current cell.
func (s *Session) flushCapture() {
	if s.capture != nil {
		if err := s.capture.flush(); err != nil {
			s.log.Warn("flush captured output", "err", err)
		}
	}
}
