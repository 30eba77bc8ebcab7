package interp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
)

// Cells may hold whole Go programs (issue 14): a package clause is dropped
// by splitSpans, func main is an ordinary function (renameMain), and
// os.Args and the flag package are the notebook's own (notebookArgs).

// mainName is what the notebook's func main is called inside yaegi.
var mainName = reserved("Main")

// renameMain renames every use of the name main in n to mainName. yaegi
// v0.16.1 appends a call of main to every program it compiles in package
// main once the package declares func main (CompileAST in its
// program.go), so a cell declaring main made every later cell, and every
// Eval gomp makes, run it again. Under another name main runs only when
// a cell calls it. Names that are not the notebook's identifiers are left
// alone: selectors (x.main), struct and interface fields, method names and
// composite literal keys.
func renameMain(n ast.Node) {
	keep := map[*ast.Ident]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.File:
			keep[x.Name] = true
		case *ast.SelectorExpr:
			keep[x.Sel] = true
		case *ast.StructType:
			markFields(x.Fields, keep)
		case *ast.InterfaceType:
			markFields(x.Methods, keep)
		case *ast.FuncDecl:
			if x.Recv != nil {
				keep[x.Name] = true
			}
		case *ast.KeyValueExpr:
			if id, ok := x.Key.(*ast.Ident); ok {
				keep[id] = true
			}
		case *ast.Ident:
			if x.Name == "main" && !keep[x] {
				x.Name = mainName
			}
		}
		return true
	})
}

func markFields(fl *ast.FieldList, keep map[*ast.Ident]bool) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		for _, id := range f.Names {
			keep[id] = true
		}
	}
}

// notebookArgs is the os.Args a notebook starts with: a program run by
// gomp has no command line of its own.
var notebookArgs = []string{"notebook"}

// flagExports are the flag package's functions bound to the notebook's
// FlagSet and os.Args (s.args) instead of gomp's: flag.Parse in a cell
// parses the notebook's arguments, which a cell may set (os.Args =
// []string{"notebook", "-n", "3"}). A bad flag panics (PanicOnError), so
// the cell fails with flag's message instead of exiting the process.
func (s *Session) flagExports() map[string]reflect.Value {
	if s.flags == nil {
		// Once per session: a rebuilt interpreter keeps what cells set.
		s.args = append([]string(nil), notebookArgs...)
		s.flags = s.newFlagSet()
	}
	fs := func() *flag.FlagSet { return s.flags }
	return map[string]reflect.Value{
		"CommandLine": reflect.ValueOf(&s.flags).Elem(),
		"Parse": reflect.ValueOf(func() {
			if err := fs().Parse(s.args[1:]); err != nil {
				panic(err)
			}
		}),
		"Parsed":        reflect.ValueOf(func() bool { return fs().Parsed() }),
		"Args":          reflect.ValueOf(func() []string { return fs().Args() }),
		"Arg":           reflect.ValueOf(func(i int) string { return fs().Arg(i) }),
		"NArg":          reflect.ValueOf(func() int { return fs().NArg() }),
		"NFlag":         reflect.ValueOf(func() int { return fs().NFlag() }),
		"Lookup":        reflect.ValueOf(func(name string) *flag.Flag { return fs().Lookup(name) }),
		"Set":           reflect.ValueOf(func(name, value string) error { return fs().Set(name, value) }),
		"Visit":         reflect.ValueOf(func(fn func(*flag.Flag)) { fs().Visit(fn) }),
		"VisitAll":      reflect.ValueOf(func(fn func(*flag.Flag)) { fs().VisitAll(fn) }),
		"PrintDefaults": reflect.ValueOf(func() { fs().PrintDefaults() }),
		"Var":           reflect.ValueOf(func(v flag.Value, name, usage string) { fs().Var(v, name, usage) }),
		"Func":          reflect.ValueOf(func(name, usage string, fn func(string) error) { fs().Func(name, usage, fn) }),
		"BoolFunc":      reflect.ValueOf(func(name, usage string, fn func(string) error) { fs().BoolFunc(name, usage, fn) }),
		"Bool":          reflect.ValueOf(func(name string, v bool, usage string) *bool { return fs().Bool(name, v, usage) }),
		"BoolVar":       reflect.ValueOf(func(p *bool, name string, v bool, usage string) { fs().BoolVar(p, name, v, usage) }),
		"Int":           reflect.ValueOf(func(name string, v int, usage string) *int { return fs().Int(name, v, usage) }),
		"IntVar":        reflect.ValueOf(func(p *int, name string, v int, usage string) { fs().IntVar(p, name, v, usage) }),
		"Int64":         reflect.ValueOf(func(name string, v int64, usage string) *int64 { return fs().Int64(name, v, usage) }),
		"Int64Var":      reflect.ValueOf(func(p *int64, name string, v int64, usage string) { fs().Int64Var(p, name, v, usage) }),
		"Uint":          reflect.ValueOf(func(name string, v uint, usage string) *uint { return fs().Uint(name, v, usage) }),
		"UintVar":       reflect.ValueOf(func(p *uint, name string, v uint, usage string) { fs().UintVar(p, name, v, usage) }),
		"Uint64":        reflect.ValueOf(func(name string, v uint64, usage string) *uint64 { return fs().Uint64(name, v, usage) }),
		"Uint64Var":     reflect.ValueOf(func(p *uint64, name string, v uint64, usage string) { fs().Uint64Var(p, name, v, usage) }),
		"String":        reflect.ValueOf(func(name string, v string, usage string) *string { return fs().String(name, v, usage) }),
		"StringVar":     reflect.ValueOf(func(p *string, name string, v string, usage string) { fs().StringVar(p, name, v, usage) }),
		"Float64":       reflect.ValueOf(func(name string, v float64, usage string) *float64 { return fs().Float64(name, v, usage) }),
		"Float64Var":    reflect.ValueOf(func(p *float64, name string, v float64, usage string) { fs().Float64Var(p, name, v, usage) }),
		"Duration":      reflect.ValueOf(func(name string, v time.Duration, usage string) *time.Duration { return fs().Duration(name, v, usage) }),
		"DurationVar": reflect.ValueOf(func(p *time.Duration, name string, v time.Duration, usage string) {
			fs().DurationVar(p, name, v, usage)
		}),
	}
}

// newFlagSet is the notebook's flag.CommandLine: named like os.Args[0],
// writing its usage to the running cell's stderr.
func (s *Session) newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(notebookArgs[0], flag.PanicOnError)
	fs.SetOutput(writerFunc(func(p []byte) (int, error) {
		_, _, stderr := s.currentIO()
		return stderr.Write(p)
	}))
	return fs
}

// writerFunc is an io.Writer made of a func.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

var _ io.Writer = writerFunc(nil)

// argsExports gives os.Args the notebook's arguments.
func (s *Session) argsExports() map[string]reflect.Value {
	return map[string]reflect.Value{"Args": reflect.ValueOf(&s.args).Elem()}
}

// unrenameMain turns mainName back into main in messages.
func unrenameMain(msg string) string { return strings.ReplaceAll(msg, mainName, "main") }

// redeclare runs a, a top-level := that yaegi v0.16.1 gets wrong, when it
// is one, and reports whether it did:
//
//   - some names exist and some are new (`t, err := t.Parse(s)`): Go
//     assigns the existing ones, but yaegi defined them anew, so the
//     right side read a fresh zero t;
//   - a comma-ok form (`v, ok := m[k]`, `_, ok := <-ch`): yaegi fails on
//     it at top level (a panic, "nil type", or reflect.Set on the wrong
//     global).
//
// The new names are declared first by compiling, without running, a :=
// in which the others (existing and blank) get fresh reserved names:
// compiling adds each new name to the globals with its static type and
// settleFrame gives it storage. Then a runs once as an assignment, its
// blanks also renamed (yaegi makes top-level `_` a global of the first
// type assigned to it).
func (s *Session) redeclare(ctx context.Context, a *ast.AssignStmt, phys token.Pos, st *cellState) (reflect.Value, bool, error) {
	g := s.yi.Globals()
	kept := map[string]bool{} // existing names a assigns
	fresh, blanks := 0, 0
	for _, l := range a.Lhs {
		id, ok := l.(*ast.Ident)
		if !ok {
			return reflect.Value{}, false, nil
		}
		switch _, ok := g[id.Name]; {
		case id.Name == "_":
			blanks++
		case ok:
			kept[id.Name] = true
		default:
			fresh++
		}
	}
	if len(kept) > 0 && !s.keepsTypes(a) {
		// A cell declaring a name again with another type makes a new
		// variable, as a later declaration in a notebook does.
		fresh += len(kept)
		clear(kept)
	}
	commaOk := len(a.Lhs) == 2 && len(a.Rhs) == 1 && isCommaOk(a.Rhs[0])
	if !(commaOk && fresh+blanks > 0 || len(kept) > 0 && fresh > 0) {
		return reflect.Value{}, false, nil
	}
	blank := func(pos token.Pos) *ast.Ident {
		return &ast.Ident{Name: reserved("Blank" + strconv.FormatInt(s.blanks.Add(1), 10)), NamePos: pos}
	}
	// The declaring :=, with the names that are not new renamed.
	decl := make([]ast.Expr, len(a.Lhs))
	assign := *a
	assign.Tok = token.ASSIGN
	assign.Lhs = make([]ast.Expr, len(a.Lhs))
	for i, l := range a.Lhs {
		id := l.(*ast.Ident)
		decl[i], assign.Lhs[i] = l, l
		if kept[id.Name] || id.Name == "_" {
			decl[i] = blank(id.Pos())
		}
		if id.Name == "_" {
			assign.Lhs[i] = decl[i]
		}
	}
	var list []ast.Stmt
	if commaOk {
		// yaegi fails on the comma-ok := itself: declare each name alone.
		vals := []ast.Expr{a.Rhs[0], &ast.Ident{Name: "false", NamePos: a.Rhs[0].Pos()}}
		for i := range decl {
			list = append(list, &ast.AssignStmt{Lhs: []ast.Expr{decl[i]}, TokPos: a.TokPos, Tok: token.DEFINE, Rhs: []ast.Expr{vals[i]}})
		}
	} else {
		list = append(list, &ast.AssignStmt{Lhs: decl, TokPos: a.TokPos, Tok: token.DEFINE, Rhs: a.Rhs})
	}
	// a was instrumented with its statement (topLevel).
	if _, err := s.compileQuiet(&ast.BlockStmt{Lbrace: phys, List: list, Rbrace: phys}); err != nil {
		return reflect.Value{}, false, nil
	}
	s.settleFrame()
	v, err := s.compileRun(ctx, &ast.BlockStmt{Lbrace: phys, List: []ast.Stmt{&assign}, Rbrace: phys}, st)
	return v, true, err
}

// pkgVarAssigns rewrites each assignment to a package's variable,
// `os.Args = x`, as `*&os.Args = x`. yaegi v0.16.1 compiles the first
// form into a write to a slot of its own (the result of a call or
// composite literal lands there), so os.Args and flag.CommandLine kept
// their values; through the pointer it sets the variable.
func (s *Session) pkgVarAssigns(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok || a.Tok != token.ASSIGN {
			return true
		}
		for i, l := range a.Lhs {
			sel, ok := l.(*ast.SelectorExpr)
			if !ok {
				continue
			}
			if x, ok := sel.X.(*ast.Ident); ok && s.isPackage(x.Name) {
				a.Lhs[i] = &ast.StarExpr{Star: sel.Pos(), X: &ast.UnaryExpr{OpPos: sel.Pos(), Op: token.AND, X: sel}}
			}
		}
		return true
	})
}

// isLoopError reports yaegi's "variable definition loop" or "constant
// definition loop".
func isLoopError(err error) bool {
	return strings.Contains(err.Error(), "definition loop")
}

// declareApart compiles f, an instrumented group of a cell's
// declarations that yaegi v0.16.1 refused with a definition loop, with
// its initialised vars apart: the other declarations as one file and each
// var declaration as a top-level statement, which yaegi compiles as it
// compiles a :=. yaegi orders a file's var initialisers only among the
// file's own vars, and counts a global an earlier cell (or statement)
// declared as never initialised: `x := 1; var d = x` was a "definition
// loop", as were some uses of a package's variables (`var n =
// os.Args[0]`). The vars go after the rest, ordered by the names they use
// (as Go's package initialisation orders them), or before it when the
// rest does not compile without them.
func (s *Session) declareApart(ctx context.Context, f *ast.File, st *cellState) error {
	var vars []*ast.GenDecl
	rest := *f
	rest.Decls = nil
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR && hasValues(g) {
			vars = append(vars, g)
		} else {
			rest.Decls = append(rest.Decls, d)
		}
	}
	if len(vars) == 0 {
		return errors.New("no initialised vars to declare apart")
	}
	vars = initOrder(vars)
	runVars := func() error {
		for _, g := range vars {
			for _, stmt := range varStmts(g) {
				block := &ast.BlockStmt{Lbrace: g.Pos(), List: []ast.Stmt{stmt}, Rbrace: g.End()}
				if _, err := s.defineGlobals(ctx, block, g.Pos(), st); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if len(rest.Decls) == 0 {
		return runVars()
	}
	if _, err := s.compileQuiet(&rest); err != nil {
		if err := runVars(); err != nil {
			return err
		}
		_, err := s.compileRun(ctx, &rest, st)
		return err
	}
	_, err := s.compileRun(ctx, &rest, st)
	if err != nil {
		return err
	}
	return runVars()
}

// hasValues reports whether a var declaration initialises something.
func hasValues(g *ast.GenDecl) bool {
	for _, sp := range g.Specs {
		if len(sp.(*ast.ValueSpec).Values) > 0 {
			return true
		}
	}
	return false
}

// initOrder orders var declarations so that each comes after those
// declaring names it uses, keeping source order otherwise (a cycle keeps
// it too: yaegi then reports it).
func initOrder(vars []*ast.GenDecl) []*ast.GenDecl {
	declares := map[string]int{}
	for i, g := range vars {
		for _, sp := range g.Specs {
			for _, id := range sp.(*ast.ValueSpec).Names {
				declares[id.Name] = i
			}
		}
	}
	var out []*ast.GenDecl
	state := make([]int, len(vars)) // 0 new, 1 visiting, 2 done
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		ast.Inspect(vars[i], func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if j, ok := declares[id.Name]; ok && j != i {
					visit(j)
				}
			}
			return true
		})
		state[i] = 2
		out = append(out, vars[i])
	}
	for i := range vars {
		visit(i)
	}
	return out
}

// varStmts is a var declaration as statements: `var a, b = x, y` as
// `a, b := x, y` (yaegi takes `var n = os.Args[0]` for a definition loop
// even as a statement), a spec with a type as it is.
func varStmts(g *ast.GenDecl) []ast.Stmt {
	var list []ast.Stmt
	for _, sp := range g.Specs {
		vs := sp.(*ast.ValueSpec)
		if vs.Type != nil || len(vs.Values) == 0 {
			list = append(list, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: g.TokPos, Tok: token.VAR, Specs: []ast.Spec{vs}}})
			continue
		}
		a := &ast.AssignStmt{TokPos: vs.Pos(), Tok: token.DEFINE, Rhs: vs.Values}
		for _, id := range vs.Names {
			a.Lhs = append(a.Lhs, id)
		}
		list = append(list, a)
	}
	return list
}

// cellDefers turns each defer among stmt's top-level statements (those
// outside any func literal) into a call registered to run when the cell
// ends, as a defer in main's body runs when main returns: a notebook
// holds main's body as a cell, and yaegi ran such a defer when its own
// statement ended (so `defer cancel()` cancelled at once). The function
// value and arguments are evaluated at the statement and kept by the
// compiled side:
//
//	defer f(x, y)     becomes  _gomp.Defer(f, x, y)
//	defer f(xs...)    becomes  _gomp.DeferSlice(f, xs)
//	defer close(ch)   becomes  _gomp.Defer(func() { close(ch) })
//
// Builtins, which are no values, and a call of a single call argument
// (f(g()), where g may return several values) run in a func literal, so
// their arguments are read when the cell ends. Run it on a top-level
// statement before scoped wraps it in a func literal.
func (s *Session) cellDefers(stmt ast.Stmt) ast.Stmt {
	lower := func(st ast.Stmt) ast.Stmt {
		d, ok := st.(*ast.DeferStmt)
		if !ok {
			return st
		}
		pos := d.Defer
		sel := func(name string) ast.Expr {
			return &ast.SelectorExpr{X: &ast.Ident{Name: reservedPrefix, NamePos: pos}, Sel: &ast.Ident{Name: name, NamePos: pos}}
		}
		call := &ast.CallExpr{Fun: sel("Defer"), Lparen: pos, Rparen: pos}
		_, builtin := universe[identName(d.Call.Fun)]
		single := false
		if len(d.Call.Args) == 1 {
			_, single = ast.Unparen(d.Call.Args[0]).(*ast.CallExpr)
		}
		if builtin || single {
			call.Args = []ast.Expr{&ast.FuncLit{
				Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
				Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.ExprStmt{X: d.Call}}},
			}}
		} else {
			if d.Call.Ellipsis.IsValid() {
				call.Fun = sel("DeferSlice")
			}
			call.Args = append([]ast.Expr{d.Call.Fun}, d.Call.Args...)
		}
		return &ast.ExprStmt{X: call}
	}
	stmt = lower(stmt)
	replaceStmts(stmt, true, lower)
	return stmt
}

// identName is e's name when e is an identifier.
func identName(e ast.Expr) string {
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// deferAtCellEnd registers a call of fn with args, which a cell's
// top-level defer evaluated (see cellDefers), to run when the cell ends.
// With slice, the last argument is the variadic parameter's slice.
func (s *Session) deferAtCellEnd(slice bool, fn any, args []any) {
	s.defersMu.Lock()
	defer s.defersMu.Unlock()
	s.defers = append(s.defers, func() { callWith(slice, fn, args) })
}

// callWith calls fn with args, each converted to its parameter's type
// (an untyped constant argument arrives with its default type).
func callWith(slice bool, fn any, args []any) {
	f := reflect.ValueOf(fn)
	t := f.Type()
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		var pt reflect.Type
		switch {
		case t.IsVariadic() && i >= t.NumIn()-1 && !slice:
			pt = t.In(t.NumIn() - 1).Elem()
		case i < t.NumIn():
			pt = t.In(i)
		}
		v := reflect.ValueOf(a)
		switch {
		case pt == nil:
		case !v.IsValid():
			v = reflect.Zero(pt)
		case !v.Type().AssignableTo(pt) && v.Type().ConvertibleTo(pt):
			v = v.Convert(pt)
		}
		in[i] = v
	}
	if slice {
		f.CallSlice(in)
		return
	}
	f.Call(in)
}

// runCellDefers runs the calls the cell deferred, last first, as Go runs
// a function's deferred calls, also when the cell failed; but not when it
// was interrupted, so that an interrupt always ends the cell (a deferred
// wg.Wait() would block it). A panic in one becomes the cell's error when
// it had none.
func (s *Session) runCellDefers(err error) error {
	s.defersMu.Lock()
	defers := s.defers
	s.defers = nil
	s.defersMu.Unlock()
	if errors.Is(err, ErrInterrupted) {
		return err
	}
	for i := len(defers) - 1; i >= 0; i-- {
		if perr := callDeferred(defers[i]); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// callDeferred calls f, turning a panic into a *CellError.
func callDeferred(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("panic: %v", r)
			err = &CellError{Name: "panic", Value: msg, Traceback: []string{msg + " (in a call the cell deferred)"}}
		}
	}()
	f()
	return nil
}

// installCellDefers gives cells _gomp.Defer (see cellDefers).
func (s *Session) installCellDefers(yi *yaegi.Interpreter) error {
	err := yi.Use(yaegi.Exports{probePath + "/probe": {
		"Defer":      reflect.ValueOf(func(fn any, args ...any) { s.deferAtCellEnd(false, fn, args) }),
		"DeferSlice": reflect.ValueOf(func(fn any, args ...any) { s.deferAtCellEnd(true, fn, args) }),
	}})
	if err != nil {
		return fmt.Errorf("install cell defers: %w", err)
	}
	return nil
}

// defineGlobals compiles and runs block, a top-level statement, and when
// it is a := that yaegi v0.16.1 refuses with a "definition loop" or
// crashes on, runs it through values of known type instead. yaegi types a
// top-level := before compiling it and cannot type an index of a global
// whose type is a compiled one (`first := fields[0]` with fields from
// strings.Fields, `n := os.Args[0]`), and its compiler crashes on some
// calls of generic funcs there (`evens := Filter(xs, even)`). So each
// value is first boxed in a func body, `_gompAny0 := func() any { return
// fields[0] }()`, which yaegi compiles; its dynamic type, written as Go
// (string), then declares the name: `first := _gompAny0.(string)`. Only
// types that read the same in Go and in reflect are written (predeclared
// ones, and slices, arrays, maps, pointers and funcs of those, and a
// package's exported types); otherwise the first error stands.
func (s *Session) defineGlobals(ctx context.Context, block *ast.BlockStmt, phys token.Pos, st *cellState) (reflect.Value, error) {
	prog, err := s.compile(block)
	if err == nil {
		return s.runProgram(ctx, prog, st)
	}
	a, ok := block.List[0].(*ast.AssignStmt)
	if !ok || a.Tok != token.DEFINE || len(a.Lhs) != len(a.Rhs) || !isLoopError(err) && !isCompilerPanic(err) {
		return reflect.Value{}, err
	}
	boxes := make([]string, len(a.Rhs))
	types := make([]string, len(a.Rhs))
	for i, x := range a.Rhs {
		boxes[i] = reserved("Any" + strconv.FormatInt(s.blanks.Add(1), 10))
		// func() any { return x }(): inside a func body yaegi compiles
		// what it cannot at top level (a generic call, an index).
		fn := &ast.FuncLit{
			Type: &ast.FuncType{Func: x.Pos(), Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: &ast.Ident{Name: "any", NamePos: x.Pos()}}}}},
			Body: &ast.BlockStmt{Lbrace: x.Pos(), Rbrace: x.End(), List: []ast.Stmt{&ast.ReturnStmt{Return: x.Pos(), Results: []ast.Expr{x}}}},
		}
		box := &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{Name: boxes[i], NamePos: x.Pos()}}, TokPos: a.TokPos, Tok: token.DEFINE,
			Rhs: []ast.Expr{&ast.CallExpr{Fun: fn, Lparen: x.End(), Rparen: x.End()}}}
		if _, berr := s.compileRun(ctx, &ast.BlockStmt{Lbrace: phys, List: []ast.Stmt{box}, Rbrace: phys}, st); berr != nil {
			return reflect.Value{}, berr
		}
		v := s.yi.Globals()[boxes[i]]
		for v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
			v = v.Elem()
		}
		if !v.IsValid() || v.Kind() == reflect.Interface {
			return reflect.Value{}, err
		}
		t, ok := s.goTypeName(v.Type())
		if !ok {
			return reflect.Value{}, err
		}
		types[i] = t
	}
	list := make([]ast.Stmt, 0, 2*len(a.Lhs))
	for i, l := range a.Lhs {
		te, perr := parser.ParseExpr(types[i])
		if perr != nil {
			return reflect.Value{}, err
		}
		list = append(list, &ast.AssignStmt{Lhs: []ast.Expr{l}, TokPos: a.TokPos, Tok: token.DEFINE,
			Rhs: []ast.Expr{&ast.TypeAssertExpr{X: &ast.Ident{Name: boxes[i], NamePos: l.Pos()}, Type: te}}})
	}
	for _, b := range boxes {
		list = append(list, &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{Name: b, NamePos: phys}}, TokPos: phys, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.Ident{Name: "nil", NamePos: phys}}})
	}
	return s.compileRun(ctx, &ast.BlockStmt{Lbrace: phys, List: list, Rbrace: phys}, st)
}

// goTypeName writes t as Go source when reflect writes it as Go does:
// predeclared types, composites of such types, and exported types of
// packages the notebook imported under their own names.
func (s *Session) goTypeName(t reflect.Type) (string, bool) {
	switch t.Kind() {
	case reflect.Pointer:
		e, ok := s.goTypeName(t.Elem())
		return "*" + e, ok
	case reflect.Slice:
		e, ok := s.goTypeName(t.Elem())
		return "[]" + e, ok
	case reflect.Array:
		e, ok := s.goTypeName(t.Elem())
		return "[" + strconv.Itoa(t.Len()) + "]" + e, ok
	case reflect.Map:
		k, ok1 := s.goTypeName(t.Key())
		e, ok2 := s.goTypeName(t.Elem())
		return "map[" + k + "]" + e, ok1 && ok2
	}
	if t.Name() == "" {
		return "", false
	}
	if t.PkgPath() == "" {
		return t.Name(), universe[t.Name()] == "type"
	}
	if !token.IsExported(t.Name()) || !s.Imports(t.PkgPath()) {
		return "", false
	}
	// Only a package imported under its own name reads pkg.T.
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, im := range s.imports {
		if im.Path == t.PkgPath() && im.Name == "" {
			return importedName(im) + "." + t.Name(), true
		}
	}
	return "", false
}

// isCompilerPanic reports an error compileAST made of a panic of yaegi's
// compiler.
func isCompilerPanic(err error) bool {
	return strings.Contains(err.Error(), "the interpreter failed on this code")
}
