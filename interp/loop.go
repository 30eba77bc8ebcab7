package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"

	yaegi "github.com/traefik/yaegi/interp"
)

// loopCache holds the loops compiled in one interpreter; a Restore or a
// rebuild replaces the interpreter, and with it the cache.
type loopCache struct {
	yi    *yaegi.Interpreter
	loops map[string]reflect.Value
}

// Loop returns, for a Target naming a top-level notebook func of one
// parameter A and results R or (R, error), an interpreted function
//
//	func(xs []A) (out []R, failed bool, recovered any, err error)
//
// that calls the target on each item in turn and stops at the first item
// that panics (failed, with the recovered value) or returns an error
// (failed, with err); out holds the results of the items before it. mp's
// pool workers call it once per chunk instead of once per item: every call
// from compiled code into the interpreter builds a frame through
// reflection, and for a small target that was most of a worker's time. The
// frames the panic unwound are left for Traceback, as with a call through
// Func. Loops are cached per target until the interpreter is replaced.
// Other targets (methods, variadic funcs, other signatures) are an error:
// the caller calls them through Func.
func (s *Session) Loop(target string) (reflect.Value, error) {
	s.run.Lock()
	defer s.run.Unlock()
	if s.loops.yi != s.yi {
		s.loops = loopCache{yi: s.yi, loops: map[string]reflect.Value{}}
	}
	if v, ok := s.loops.loops[target]; ok {
		return v, nil
	}
	s.seq++
	tmp := reserved("Loop" + strconv.Itoa(s.seq))
	fd, err := s.loopDecl(target, tmp)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("loop %s: %w", target, err)
	}
	if err := s.evalDecl(fd); err != nil {
		return reflect.Value{}, fmt.Errorf("loop %s: %w", target, err)
	}
	v, err := s.evalQuiet(tmp)
	if err != nil || !v.IsValid() || v.Kind() != reflect.Func {
		return reflect.Value{}, fmt.Errorf("loop %s: not compiled: %v", target, err)
	}
	v = s.guardDeep(v)
	s.loops.loops[target] = v
	return v, nil
}

// loopDecl builds the loop function, named name, for target:
//
//	func name(_gompXs []A) (_gompOut []R, _gompFailed bool, _gompRecovered any, _gompErr error) {
//		defer func() {
//			if _gompFailed && _gompErr == nil {
//				_gompRecovered = recover()
//			}
//		}()
//		_gompOut = make([]R, 0, len(_gompXs))
//		_gompFailed = true
//		for _, _gompX := range _gompXs {
//			_gompR := target(_gompX)
//			_gompOut = append(_gompOut, _gompR)
//		}
//		_gompFailed = false
//		return
//	}
//
// with, for a target returning (R, error), `_gompR, _gompE := target(_gompX)`
// followed by `if _gompE != nil { _gompErr = _gompE; return }`. A and R
// are the target's declaration's own type expressions. Every name but the
// target's is reserved, so that none shadows a notebook name the types or
// the call use. Failed is set around the loop, not per item: the failing
// item is the first without a result.
func (s *Session) loopDecl(target, name string) (*ast.FuncDecl, error) {
	s.stateMu.RLock()
	r := s.recordOf(target)
	s.stateMu.RUnlock()
	if r == nil || r.Tok != "func" {
		return nil, fmt.Errorf("not a func declared in the notebook")
	}
	f, err := parser.ParseFile(s.yi.FileSet(), physicalFile, r.source(), parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var fd *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.Name == target {
			fd = d
		}
	}
	if fd == nil || fd.Type.TypeParams != nil {
		return nil, fmt.Errorf("not a plain func")
	}
	params := fields(fd.Type.Params)
	results := fields(fd.Type.Results)
	if len(params) != 1 {
		return nil, fmt.Errorf("want one parameter")
	}
	if _, ok := params[0].(*ast.Ellipsis); ok {
		return nil, fmt.Errorf("variadic")
	}
	withErr := len(results) == 2 && isIdent(results[1], "error")
	if len(results) != 1 && !withErr {
		return nil, fmt.Errorf("want results R or (R, error)")
	}
	a, res := params[0], results[0]
	pos := fd.Pos()
	id := func(s string) *ast.Ident { return &ast.Ident{Name: s, NamePos: pos} }
	xs, out, failed, recovered, errv := reserved("Xs"), reserved("Out"), reserved("Failed"), reserved("Recovered"), reserved("Err")
	x, r0, e := reserved("X"), reserved("R"), reserved("E")
	assign := func(tok token.Token, lhs []string, rhs ...ast.Expr) *ast.AssignStmt {
		l := make([]ast.Expr, len(lhs))
		for i, n := range lhs {
			l[i] = id(n)
		}
		return &ast.AssignStmt{Lhs: l, TokPos: pos, Tok: tok, Rhs: rhs}
	}
	call := func(fn ast.Expr, args ...ast.Expr) *ast.CallExpr {
		return &ast.CallExpr{Fun: fn, Lparen: pos, Args: args, Rparen: pos}
	}
	ret := &ast.ReturnStmt{Return: pos}
	field := func(n string, t ast.Expr) *ast.Field { return &ast.Field{Names: []*ast.Ident{id(n)}, Type: t} }
	slice := func(t ast.Expr) ast.Expr { return &ast.ArrayType{Lbrack: pos, Elt: t} }

	body := []ast.Stmt{assign(token.DEFINE, []string{r0}, call(id(target), id(x)))}
	if withErr {
		body = []ast.Stmt{
			assign(token.DEFINE, []string{r0, e}, call(id(target), id(x))),
			&ast.IfStmt{If: pos, Cond: &ast.BinaryExpr{X: id(e), OpPos: pos, Op: token.NEQ, Y: id("nil")},
				Body: &ast.BlockStmt{List: []ast.Stmt{assign(token.ASSIGN, []string{errv}, id(e)), ret}}},
		}
	}
	body = append(body, assign(token.ASSIGN, []string{out}, call(id("append"), id(out), id(r0))))
	deferred := &ast.FuncLit{Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}}, Body: &ast.BlockStmt{List: []ast.Stmt{
		&ast.IfStmt{If: pos,
			Cond: &ast.BinaryExpr{X: id(failed), OpPos: pos, Op: token.LAND, Y: &ast.BinaryExpr{X: id(errv), OpPos: pos, Op: token.EQL, Y: id("nil")}},
			Body: &ast.BlockStmt{List: []ast.Stmt{assign(token.ASSIGN, []string{recovered}, call(id("recover")))}}},
	}}}
	return &ast.FuncDecl{
		Name: id(name),
		Type: &ast.FuncType{Func: pos,
			Params: &ast.FieldList{List: []*ast.Field{field(xs, slice(a))}},
			Results: &ast.FieldList{List: []*ast.Field{
				field(out, slice(res)), field(failed, id("bool")), field(recovered, id("any")), field(errv, id("error")),
			}},
		},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{
			&ast.DeferStmt{Defer: pos, Call: call(deferred)},
			assign(token.ASSIGN, []string{out}, call(id("make"), slice(res), &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: "0"}, call(id("len"), id(xs)))),
			assign(token.ASSIGN, []string{failed}, id("true")),
			&ast.RangeStmt{For: pos, Key: id("_"), Value: id(x), TokPos: pos, Tok: token.DEFINE, X: id(xs), Body: &ast.BlockStmt{List: body}},
			assign(token.ASSIGN, []string{failed}, id("false")),
			ret,
		}},
	}, nil
}

// evalDecl compiles and runs a declaration gomp built, in the session's
// interpreter, with the rewrites notebook code gets.
func (s *Session) evalDecl(d ast.Decl) error {
	// The file takes its name from its package clause: physicalFile's,
	// whose imports (the probe's _gomp) yaegi finds.
	f, err := parser.ParseFile(s.yi.FileSet(), physicalFile, "package main", parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	f.Decls = []ast.Decl{d}
	s.instrument(f)
	prog, err := s.compileQuiet(f)
	if err != nil {
		return err
	}
	_, err = s.yi.Execute(prog)
	return err
}

// fields lists the types of l's entries, one per name.
func fields(l *ast.FieldList) []ast.Expr {
	if l == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range l.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
