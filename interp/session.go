package interp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomp-kernel/gomp/display"

	yaegi "github.com/traefik/yaegi/interp"
)

// Options configures a Session. The zero value works: no fd capture, logs
// discarded.
type Options struct {
	// CaptureFDs redirects this process's file descriptor 1, os.Stdout and
	// os.Stderr into the current cell, so that compiled code and goroutines
	// writing them reach it. fd 2 stays as it is: the Go runtime writes its
	// fatal errors there (see capture). For the kernel and the notebook
	// runner; false for mp workers and most tests. Only one Session per
	// process may set it.
	CaptureFDs bool
	// Log receives the session's own diagnostics; nil discards them.
	Log *slog.Logger
	// ExitProcess makes os.Exit in cells end this process, for mp workers;
	// otherwise os.Exit ends only the cell, with an "exit" error.
	ExitProcess bool
	// Unchecked runs cells without type checking them first, as when no go
	// command is found: yaegi alone decides what runs. Tests use it to
	// reach code that yaegi runs and the Go compiler rejects.
	Unchecked bool
	// Sources is the source of gomp's own packages that cells import
	// (mp/*.go, display/*.go, ...: a tree laid out as gomp's module), from
	// which the checker learns their types; nil leaves their uses
	// unchecked. The first session of a process that gives it sets it.
	Sources fs.FS
}

// IO is where one cell's output goes and where its input comes from.
type IO struct {
	// Name is the cell's name in positions and tracebacks, e.g. "In[3]"
	// (default "cell").
	Name string
	// Stdout and Stderr receive the cell's output; nil discards it.
	Stdout, Stderr io.Writer
	// Input reads one line typed by the user (without its newline). With
	// Input nil, a cell reading stdin gets errNoInput.
	Input func(prompt string, password bool) (string, error)
	// Display receives what the cell shows with the display package
	// (display_data, updates, clear_output). With Display nil, displays
	// show their text/plain on Stdout.
	Display func(display.Output) error
}

// Session is one interpreter holding a notebook's state. Execute, IsComplete,
// Complete, Inspect, Restore and Func are serialised; Target, Snapshot and
// Current may also be called from code running inside a cell (mp does).
type Session struct {
	log *slog.Logger

	// run serialises the methods that use the interpreter's compiler.
	run sync.Mutex
	yi  *yaegi.Interpreter
	// imports, decls: everything the notebook declared so far, in an order
	// that evaluates (see state.go). They and yi are written only by the
	// goroutine holding run, under stateMu, so that Snapshot (called by mp
	// from inside a running cell) can read them under stateMu alone.
	stateMu sync.RWMutex
	imports []importSpec
	decls   []record
	gen     uint64 // counts setState calls: see DeclarationsVersion

	cell    *cellState // guarded by cellMu
	cellMu  sync.Mutex
	out     *output
	capture *capture
	stdin   *stdinReader
	probe   prober

	named namedCache // namedTypes' last answer, for snapshots after every cell

	deep  atomic.Pointer[RecursionError] // recorded by stopDeep for the boundary that reports it
	calls atomic.Int32                   // calls running through guardDeep

	exitProcess bool         // os.Exit ends the process (Options.ExitProcess)
	seq         int          // counts rebuilt helper variables (Func, Loop)
	blanks      atomic.Int64 // counts renamed blank globals (blankVars)
	loops       loopCache    // compiled by Loop; guarded by run
	checker     checker      // the type checker's state (typecheck.go); guarded by run
	args        []string     // the notebook's os.Args (program.go)
	defersMu    sync.Mutex
	defers      []func()      // the running cell's top-level defers (program.go)
	flags       *flag.FlagSet // the notebook's flag.CommandLine (program.go)

	// Call's state (call.go).
	pending atomic.Pointer[func()] // the function Call runs
	callFor *yaegi.Interpreter     // the interpreter Call's prelude is installed in; guarded by run
}

// cellState is the running (or latest) cell.
type cellState struct {
	ctx context.Context // as the caller gave it (Current)
	// run is ctx while the cell runs, done when it ended or stopDeep
	// cancelled it (with the *RecursionError as its cause); nil before the
	// first cell.
	run    context.Context
	cancel context.CancelCauseFunc
	io     IO
	trace  *traceBuffer
	code   string // the cell's source, for explain
}

var (
	// ErrInterrupted is wrapped by the error Execute returns when the
	// cell's ctx was done before it finished.
	ErrInterrupted = errors.New("interrupted")
	// errNoInput is returned to a cell that reads stdin when its IO has no
	// Input function.
	errNoInput = errors.New("this cell cannot read input: the frontend did not allow stdin")
)

// New returns a Session with an empty notebook.
func New(opts Options) (*Session, error) {
	s := &Session{log: opts.Log, exitProcess: opts.ExitProcess}
	s.checker.off = opts.Unchecked
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// Before the first Execute (an mp worker never calls it), output goes
	// to the process's own stdout and stderr; with capture they are the
	// pipes, so it is discarded instead.
	s.cell = &cellState{ctx: context.Background(), io: IO{Name: "cell"}, trace: &traceBuffer{}}
	if !opts.CaptureFDs {
		s.cell.io.Stdout, s.cell.io.Stderr = os.Stdout, os.Stderr
	}
	s.stdin = &stdinReader{s: s}
	if opts.CaptureFDs {
		c, err := startCapture(s.current)
		if err != nil {
			return nil, fmt.Errorf("capture stdout and stderr: %w", err)
		}
		s.capture = c
	}
	s.out = &output{s: s}
	if opts.Sources != nil {
		stdTypes.useSources(opts.Sources)
	}
	if opts.CaptureFDs {
		// A kernel or a notebook run: its cells will be type-checked.
		stdTypes.warm()
	}
	yi, err := s.newInterpreter()
	if err != nil {
		s.Close()
		return nil, err
	}
	s.yi = yi
	s.probe.onDeep = s.stopDeep
	s.probe.startDepthChecks()
	return s, nil
}

// Close stops the capture of fd 1, os.Stdout and os.Stderr, restoring
// them, stops the depth checks and waits for the capture's goroutines. Goroutines started by cells are not stopped.
func (s *Session) Close() error {
	s.probe.stopDepthChecks()
	if s.capture != nil {
		err := s.capture.close()
		s.capture = nil
		return err
	}
	return nil
}

// current returns the running (or latest) cell.
func (s *Session) current() *cellState {
	s.cellMu.Lock()
	defer s.cellMu.Unlock()
	return s.cell
}

// currentIO returns the running cell's context and writers, or the latest
// cell's when none runs. Writes to them go to that cell whatever runs later.
func (s *Session) currentIO() (ctx context.Context, stdout, stderr io.Writer) {
	c := s.current()
	return c.ctx, writerOrDiscard(c.io.Stdout), writerOrDiscard(c.io.Stderr)
}

func writerOrDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// Execute runs one cell and returns the value of its trailing expression,
// if any. A failed cell returns a *CellError; an interrupted one a
// *CellError for which errors.Is(err, ErrInterrupted) holds, returned soon
// after ctx is done even when compiled code the cell called is still
// blocked (that call is abandoned and finishes on its own). The session
// keeps its state after any error. With CaptureFDs, everything written to
// fd 1, os.Stdout and os.Stderr before Execute returns has been delivered
// to cell's writers, and a cell that closed os.Stdout, os.Stderr or fd 1
// finds them working again in the next cell.
// A cell whose first line is %%time prints its CPU and wall time after
// its output, as IPython's magic does.
func (s *Session) Execute(ctx context.Context, code string, cell IO) (Value, error) {
	s.run.Lock()
	defer s.run.Unlock()
	if cell.Name == "" {
		cell.Name = "cell"
	}
	run, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	st := &cellState{ctx: ctx, run: run, cancel: cancel, io: cell, trace: &traceBuffer{}}
	s.takeDeep()
	s.cellMu.Lock()
	s.cell = st
	s.cellMu.Unlock()
	s.routeDisplays()
	s.stdin.reset()
	if s.capture != nil {
		if err := s.capture.repair(); err != nil {
			s.log.Warn("repair the capture of stdout and stderr", "err", err)
		}
	}
	code, timed := cutTimeMagic(code)
	var timer *cellTimer
	if timed {
		timer = startTimer()
	}
	v, err := s.execute(run, code, st)
	err = s.runCellDefers(err)
	if e := s.takeDeep(); e != nil {
		v, err = Value{}, e.cellError()
	}
	if s.capture != nil {
		if ferr := s.capture.flush(); ferr != nil {
			s.log.Warn("flush captured output", "err", ferr)
		}
	}
	if timer != nil && err == nil {
		timer.report(writerOrDiscard(cell.Stdout))
	}
	return v, err
}

func (s *Session) execute(ctx context.Context, code string, st *cellState) (Value, error) {
	st.code = code
	items, err := parseCell(s.yi.FileSet(), st.io.Name, code)
	if err != nil {
		return Value{}, compileError(err)
	}
	if err := checkReserved(s.yi.FileSet(), items); err != nil {
		return Value{}, err
	}
	if err := s.checkCell(items, code, st.io.Name); err != nil {
		return Value{}, err
	}
	if err := s.declareInstances(items); err != nil {
		return Value{}, compileError(err)
	}
	items, rebuilt, err := s.prepare(items, st, code, true)
	if err != nil {
		return Value{}, err
	}
	if rebuilt {
		// The new interpreter has the cell's imports and declarations;
		// parse again in its FileSet and run the rest.
		if items, err = parseCell(s.yi.FileSet(), st.io.Name, code); err == nil {
			items, _, err = s.prepare(items, st, code, false)
		}
		if err != nil {
			return Value{}, compileError(err)
		}
	}
	for _, u := range plan(items) {
		if err := ctx.Err(); err != nil {
			return Value{}, interrupted()
		}
		if u.item == nil {
			if err := s.declare(ctx, u.decls, items, code, st); err != nil {
				return Value{}, err
			}
			continue
		}
		if u.item.kind == exprItem {
			return s.evalExpr(ctx, u.item, st)
		}
		if _, err := s.runStmt(ctx, u.item.stmt, u.item.phys, st); err != nil {
			return Value{}, err
		}
	}
	return Value{}, nil
}

// runStmt compiles and runs one top-level statement. A := whose names all
// exist already runs as an assignment when it compiles as one and keeps
// their types, because a new definition would get new storage that
// earlier funcs do not see.
func (s *Session) runStmt(ctx context.Context, stmt ast.Stmt, phys token.Pos, st *cellState) (reflect.Value, error) {
	block := s.topLevel(stmt, phys)
	if a, ok := stmt.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
		assign := *a
		assign.Tok = token.ASSIGN
		asAssign := &ast.BlockStmt{Lbrace: phys, List: []ast.Stmt{&assign}, Rbrace: phys}
		if v, ok, err := s.redeclare(ctx, a, phys, st); ok {
			return v, err
		}
		if s.allGlobals(a.Lhs) && s.keepsTypes(a) {
			if prog, err := s.compile(asAssign); err == nil {
				return s.runProgram(ctx, prog, st)
			}
		}
		return s.defineGlobals(ctx, block, phys, st)
	}
	return s.compileRun(ctx, block, st)
}

// define runs a := of gomp's own variables (_gompR0, _gompV...), which
// hold a cell's trailing value. Unlike runStmt it always defines them
// anew: assigning would constrain each cell's value to the type the
// previous cell's value had.
func (s *Session) define(ctx context.Context, assign *ast.AssignStmt, phys token.Pos, st *cellState) error {
	_, err := s.compileRun(ctx, s.topLevel(assign, phys), st)
	return err
}

// scoped runs a top-level compound statement (for, if, switch, select, a
// block, or one of those with a label) inside `func() { ... }()`. It
// declares nothing at top level, so this changes nothing a cell can see,
// and it avoids a yaegi v0.16.1 bug: a := inside such a statement compiled
// at top level is sometimes "undefined" at its next use (e.g.
// `for ... { v, _ := f(); s += v.(int) }`).
func scoped(stmt ast.Stmt) ast.Stmt {
	switch stmt.(type) {
	case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
		*ast.SelectStmt, *ast.BlockStmt, *ast.LabeledStmt:
	default:
		return stmt
	}
	body := &ast.BlockStmt{Lbrace: stmt.Pos(), List: []ast.Stmt{stmt}, Rbrace: stmt.End()}
	fn := &ast.FuncLit{Type: &ast.FuncType{Func: stmt.Pos(), Params: &ast.FieldList{}}, Body: body}
	return &ast.ExprStmt{X: &ast.CallExpr{Fun: fn, Lparen: stmt.End(), Rparen: stmt.End()}}
}

// allGlobals reports whether every name in lhs is "_" or a global.
func (s *Session) allGlobals(lhs []ast.Expr) bool {
	g := s.yi.Globals()
	for _, e := range lhs {
		id, ok := e.(*ast.Ident)
		if !ok {
			return false
		}
		if _, exists := g[id.Name]; !exists && id.Name != "_" {
			return false
		}
	}
	return true
}

// compileRun compiles n (an *ast.File or *ast.BlockStmt) and runs it with
// ctx, turning every failure into a *CellError.
func (s *Session) compileRun(ctx context.Context, n ast.Node, st *cellState) (v reflect.Value, err error) {
	prog, err := s.compile(n)
	if err != nil {
		return reflect.Value{}, err
	}
	return s.runProgram(ctx, prog, st)
}

// runProgram runs a compiled program with ctx, turning failures into *CellError.
func (s *Session) runProgram(ctx context.Context, prog *yaegi.Program, st *cellState) (v reflect.Value, err error) {
	st.trace.reset()
	v, err = s.yi.ExecuteWithContext(ctx, prog)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return reflect.Value{}, interrupted()
		}
		lines := st.trace.lines()
		err = runtimeError(err, lines)
		if ce := (*CellError)(nil); errors.As(err, &ce) {
			s.explain(ctx, ce, lines, st)
		}
		return reflect.Value{}, err
	}
	return v, nil
}

// settleFrame gives the globals of a failed compile their storage. yaegi
// adds a new top-level name (z in `z := undefinedName`) to the package
// scope before it finds the error, but sizes the frame of globals only when
// a program runs, so every later Globals() call indexes past the frame and
// panics: trailing values, completion, help and mp's snapshots all failed
// after one such typo. Running an empty program sizes the frame (yaegi's
// Execute calls resizeFrame); the name stays, holding its type's zero value.
func (s *Session) settleFrame() {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("yaegi panicked while settling globals after a failed compile", "panic", r)
		}
	}()
	prog, err := s.yi.CompileAST(&ast.File{Name: ast.NewIdent("main")})
	if err != nil {
		s.log.Warn("settle globals after a failed compile", "err", err)
		return
	}
	if _, err := s.yi.Execute(prog); err != nil {
		s.log.Warn("settle globals after a failed compile", "err", err)
	}
}

// compile compiles n, recovering from yaegi's own panics.
func (s *Session) compile(n ast.Node) (*yaegi.Program, error) {
	prog, panicked, err := s.compileAST(n)
	if panicked != nil {
		s.log.Error("yaegi panicked while compiling", "panic", panicked)
	}
	return prog, err
}

// compileQuiet is compile for gomp's own probes (staticType, peek), which
// expect failures: yaegi's panics are errors, not logged.
func (s *Session) compileQuiet(n ast.Node) (*yaegi.Program, error) {
	prog, _, err := s.compileAST(n)
	return prog, err
}

// compileAST compiles n, turning yaegi's own panics into errors (and
// returning the panic value).
func (s *Session) compileAST(n ast.Node) (prog *yaegi.Program, panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
			err = &CellError{Name: "CompileError", Value: fmt.Sprintf("the interpreter failed on this code: %v", r)}
		}
	}()
	renameMain(n)
	prog, err = s.yi.CompileAST(n)
	if err != nil {
		s.settleFrame()
		if isDefinitionLoop(err) {
			if id, ok := s.undefinedName(n); ok {
				p := s.yi.FileSet().Position(id.Pos())
				what := "undefined: " + id.Name
				if hint := missingBuiltins[id.Name]; hint != "" {
					what = hint
				}
				msg := fmt.Sprintf("%s:%d:%d: %s", strings.TrimSuffix(p.Filename, fileSuffix), p.Line, p.Column, what)
				return nil, nil, &CellError{Name: "CompileError", Value: msg, Traceback: []string{msg}, Line: p.Line, Col: p.Column}
			}
		}
		return nil, nil, compileError(err)
	}
	return prog, nil, nil
}

// newInterpreter builds a yaegi interpreter with the session's symbols and
// writers, and the probe import.
func (s *Session) newInterpreter() (*yaegi.Interpreter, error) {
	yi := yaegi.New(yaegi.Options{
		Stdin:  s.stdin,
		Stdout: s.out.stdout(),
		Stderr: s.out.stderr(),
		Args:   notebookArgs,
		// Cells see and change the real environment, as a Go program
		// does, so that os/exec's children inherit what a cell set.
		Unrestricted: true,
	})
	for _, ex := range s.exports() {
		if err := yi.Use(ex); err != nil {
			return nil, fmt.Errorf("load symbols: %w", err)
		}
	}
	if err := yi.Use(fatalExports(yi)); err != nil {
		return nil, fmt.Errorf("load symbols: %w", err)
	}
	if err := s.probe.install(yi, s.goPanic); err != nil {
		return nil, err
	}
	if err := s.installCellDefers(yi); err != nil {
		return nil, err
	}
	if err := installDisplayPrelude(yi); err != nil {
		return nil, err
	}
	if err := installRichPrelude(yi); err != nil {
		return nil, err
	}
	if err := installFmtArgPrelude(yi); err != nil {
		return nil, err
	}
	return yi, nil
}

// setState runs f, which changes yi, imports or decls, under stateMu.
func (s *Session) setState(f func()) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	s.gen++
	f()
}

// DeclarationsVersion changes whenever the notebook's imports or
// declarations may have: a front asks it after each cell, so that a cell
// that declared nothing costs nothing more (Declarations takes about a
// millisecond for a notebook of a few dozen declarations).
func (s *Session) DeclarationsVersion() uint64 {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	return s.gen
}
