package interp

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomp-kernel/gomp/display"
	yaegi "github.com/traefik/yaegi/interp"
)

// The display package publishes through one process-wide hook; interp
// installs a publisher that sends each display to the cell running now in
// the session that ran a cell last (as output written to fd 1 goes to the
// running cell). An mp worker replaces it with its own (mp.ServeWorker).
var (
	displayOnce    sync.Once
	displaySession atomic.Pointer[Session]
)

// routeDisplays makes s the session whose cells receive displays.
func (s *Session) routeDisplays() {
	displaySession.Store(s)
	displayOnce.Do(func() {
		display.SetPublisher(func(o display.Output) error {
			if s := displaySession.Load(); s != nil {
				return s.publish(s.current(), o)
			}
			return nil
		})
	})
}

// publish sends o to cell c after what the cell wrote to fd 1, os.Stdout
// and os.Stderr so far, so that a display follows the lines printed before it. A cell
// whose IO has no Display gets the text/plain representation on Stdout.
func (s *Session) publish(c *cellState, o display.Output) error {
	if s.capture != nil {
		if err := s.capture.flush(); err != nil {
			return fmt.Errorf("display: %w", err)
		}
	}
	if c.io.Display != nil {
		return c.io.Display(o)
	}
	return display.PrintText(writerOrDiscard(c.io.Stdout), o)
}

// cellDisplay returns the display function pinned to cell c, for mp
// children started from it. A cell without one (an mp worker's session,
// which runs no cells) forwards to the process's publisher, so that a
// grandchild's displays travel up through its parent worker.
func (s *Session) cellDisplay(c *cellState) func(display.Output) error {
	if c.io.Display == nil {
		return display.Publish
	}
	return c.io.Display
}

// displayPrelude imports the display package under a name cells cannot
// collide with, for representing trailing values (see represent).
const displayPrelude = `package main; import _gompdisplay "github.com/gomp-kernel/gomp/display"`

func installDisplayPrelude(yi *yaegi.Interpreter) error {
	if err := runPrelude(yi, displayPrelude); err != nil {
		return fmt.Errorf("install display: %w", err)
	}
	return nil
}

// runPrelude evaluates src, a file of gomp's own declarations (names
// starting with _gomp), in yi before any cell runs.
func runPrelude(yi *yaegi.Interpreter, src string) error {
	f, err := parser.ParseFile(yi.FileSet(), physicalFile, src, 0)
	if err != nil {
		return err
	}
	prog, err := yi.CompileAST(f)
	if err != nil {
		return err
	}
	_, err = yi.Execute(prog)
	return err
}

// richMethods are the methods that give a notebook type a rich
// representation: those of display.Interfaces but String, which gives
// only text.
var richMethods = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range display.Interfaces {
		for i := range t.NumMethod() {
			if name := t.Method(i).Name; name != "String" {
				m[name] = true
			}
		}
	}
	return m
}()

// hasRichMethods reports whether the notebook declares a method that gives
// a type a rich representation. Only then does a trailing value take the
// slower path through the interpreter (represent), which is the only way
// to see interpreted methods: compiled code sees a notebook type's value
// without them.
func (s *Session) hasRichMethods() bool {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, d := range s.decls {
		for _, n := range d.Names {
			if _, m, ok := strings.Cut(n, "."); ok && richMethods[m] {
				return true
			}
		}
	}
	return false
}

// represent evaluates x into a global and asks display.Represent about it
// (see ask).
func (s *Session) represent(ctx context.Context, x ast.Expr, phys token.Pos, st *cellState) (reflect.Value, display.Bundle, error) {
	if _, undefined := s.undefinedName(x); undefined {
		// yaegi compiles _gompV := missing and gives it a bogus value;
		// the caller's plain evaluation reports the name.
		return reflect.Value{}, nil, &CellError{Name: "CompileError", Value: "undefined name"}
	}
	pos := x.Pos()
	assign := &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{Name: reserved("V"), NamePos: pos}}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{x}}
	if err := s.define(ctx, assign, phys, st); err != nil {
		return reflect.Value{}, nil, err
	}
	b := s.ask(ctx, reserved("V"), pos, phys, st)
	return take(s.yi.Globals()[reserved("V")]), b, nil
}

// ask calls display.Represent on the global name from inside the
// interpreter, where yaegi wraps its value in the interface its methods
// implement: those of the variable's static type, the type the notebook
// declared (the reflect type may be shared by notebook types with the
// same fields). It returns nil when the value has no rich
// representation.
func (s *Session) ask(ctx context.Context, name string, pos, phys token.Pos, st *cellState) display.Bundle {
	id := func(n string) *ast.Ident { return &ast.Ident{Name: n, NamePos: pos} }
	q := &ast.AssignStmt{
		Lhs: []ast.Expr{id(reserved("B")), id(reserved("OK"))}, TokPos: pos, Tok: token.DEFINE,
		Rhs: []ast.Expr{&ast.CallExpr{
			Fun: &ast.SelectorExpr{X: id(reserved("display")), Sel: id("Represent")}, Lparen: pos, Rparen: pos,
			Args: []ast.Expr{id(name)},
		}},
	}
	if err := s.define(ctx, q, phys, st); err != nil {
		s.log.Debug("represent trailing value", "err", err)
		return nil
	}
	g := s.yi.Globals()
	ok, b := take(g[reserved("OK")]), take(g[reserved("B")])
	if ok.IsValid() && ok.Kind() == reflect.Bool && ok.Bool() && b.IsValid() {
		if b, isBundle := b.Interface().(display.Bundle); isBundle {
			return b
		}
	}
	return nil
}

// richValue returns v's rich representation when it is a compiled value
// that has one (display.HTML, an image.Image, a chart...).
func richValue(v reflect.Value) display.Bundle {
	if !v.IsValid() || !v.CanInterface() {
		return nil
	}
	if b, ok := display.Represent(v.Interface()); ok {
		return withText(b, renderText(v))
	}
	return nil
}

// withText gives b a text/plain, as frontends without the rich types
// need, when its value did not supply one.
func withText(b display.Bundle, text string) display.Bundle {
	if _, ok := b[display.MIMEText]; !ok {
		b[display.MIMEText] = text
	}
	return b
}

// isHandle reports whether v is a *display.Handle, which display.Show
// returns and which, like Python's display(), shows nothing as a value.
func isHandle(v reflect.Value) bool {
	if v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	return v.IsValid() && v.Type() == handleType
}

// handleType is the type of the handles display.Show returns.
var handleType = reflect.TypeFor[*display.Handle]()

// rewriteUpdates turns h.Update(v) in a top-level statement, where h is a
// global *display.Handle that the statement does not declare again, into
// _gompdisplay.Update(h, v). The two do the same, but yaegi keeps a
// notebook type's methods (HTML, MIMEBundle...) only when the value goes
// to a package function it knows (displayMapTypes), never to a method of
// a compiled value; without this, h.Update(table) would show table as
// text. Inside functions the type of h is not known, and they are left
// alone (display.Update(h, v) works there).
func (s *Session) rewriteUpdates(stmt ast.Node) {
	var calls []*ast.CallExpr
	ast.Inspect(stmt, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && len(c.Args) == 1 && c.Ellipsis == token.NoPos {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Update" {
				if _, ok := sel.X.(*ast.Ident); ok {
					calls = append(calls, c)
				}
			}
		}
		return true
	})
	if len(calls) == 0 {
		return
	}
	local := localNames(stmt)
	globals := s.yi.Globals()
	for _, c := range calls {
		sel := c.Fun.(*ast.SelectorExpr)
		h := sel.X.(*ast.Ident)
		if v, ok := globals[h.Name]; local[h.Name] || !ok || !isHandle(v) {
			continue
		}
		c.Fun = &ast.SelectorExpr{X: &ast.Ident{Name: reserved("display"), NamePos: h.Pos()}, Sel: &ast.Ident{Name: "Update", NamePos: sel.Sel.Pos()}}
		c.Args = []ast.Expr{h, c.Args[0]}
	}
}
