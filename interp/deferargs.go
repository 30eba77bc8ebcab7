package interp

import (
	"go/ast"
	"go/token"
	"strconv"
)

// deferArgs evaluates the function value and arguments of every defer
// statement in n where the statement runs, as Go does; yaegi v0.16.1
// evaluates them when the deferred call runs, so
// `for i := 0; i < 3; i++ { defer fmt.Println(i) }` printed 3 3 3. Each
// defer becomes a block that first copies them into new variables:
//
//	defer f(x, g(y))
//
// becomes
//
//	{ _gompD0, _gompD1 := x, g(y); defer f(_gompD0, _gompD1) }
//
// (a block runs afresh each time, so a defer in a loop keeps each
// iteration's values). What cannot change, or whose type a copy would
// change, is used as it is: constants (literals, the notebook's and the
// function's named constants, pkg.Name, and expressions of those), nil,
// true and false; so are func literals, names of funcs, and x.M or
// pkg.F, whose receiver yaegi binds late anyway (the receiver of
// `defer wg.Done()` or `defer mu.Unlock()` is a variable's address,
// which does not change). A call of a single call argument, `defer
// f(g())`, is left alone: g may return several values, which a copy
// cannot hold without knowing their number. Run it once per parsed AST
// (the copies' names are not idempotent).
func (s *Session) deferArgs(n ast.Node) {
	consts := s.constNames(n)
	count := 0
	done := map[*ast.DeferStmt]bool{} // the defer statements deferArgs wrote
	lower := func(st ast.Stmt) ast.Stmt {
		d, ok := st.(*ast.DeferStmt)
		if !ok || done[d] {
			return st
		}
		st = lowerDefer(d, consts, &count)
		if b, ok := st.(*ast.BlockStmt); ok {
			done[b.List[1].(*ast.DeferStmt)] = true
		}
		return st
	}
	replaceStmts(n, false, lower)
}

// lowerDefer returns d, or a block that copies what d evaluates first.
func lowerDefer(d *ast.DeferStmt, consts map[string]bool, count *int) ast.Stmt {
	call := *d.Call
	if len(call.Args) == 1 {
		if _, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr); ok {
			return d
		}
	}
	pos := d.Defer
	var lhs, rhs []ast.Expr
	temp := func(e ast.Expr) ast.Expr {
		if isConstant(e, consts) {
			return e
		}
		name := reserved("D") + strconv.Itoa(*count)
		*count++
		lhs = append(lhs, &ast.Ident{Name: name, NamePos: pos})
		rhs = append(rhs, e)
		return &ast.Ident{Name: name, NamePos: e.Pos()}
	}
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident, *ast.FuncLit:
	case *ast.SelectorExpr:
		if !isNamePath(f.X) {
			call.Fun = temp(call.Fun)
		}
	case *ast.IndexExpr, *ast.IndexListExpr:
		// f[T] instantiates a generic func: nothing to evaluate.
	default:
		call.Fun = temp(call.Fun)
	}
	if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "recover" {
		call.Args = make([]ast.Expr, len(d.Call.Args))
		for i, a := range d.Call.Args {
			call.Args[i] = temp(a)
		}
	}
	if len(lhs) == 0 {
		return d
	}
	return &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{
		&ast.AssignStmt{Lhs: lhs, TokPos: pos, Tok: token.DEFINE, Rhs: rhs},
		&ast.DeferStmt{Defer: pos, Call: &call},
	}}
}

// isNamePath reports whether e is a name or a chain of selectors on a
// name (x, x.f, x.f.g), whose method values yaegi binds when called.
func isNamePath(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isNamePath(x.X)
	}
	return false
}

// isConstant reports whether e is certainly a constant (or nil, true,
// false, a func literal or a type): copying those could change their
// type (an untyped constant gets its default type) and gains nothing.
func isConstant(e ast.Expr, consts map[string]bool) bool {
	switch x := e.(type) {
	case *ast.BasicLit, *ast.FuncLit:
		return true
	case *ast.Ident:
		return consts[x.Name] || x.Name == "nil" || x.Name == "true" || x.Name == "false" || x.Name == "iota"
	case *ast.SelectorExpr:
		// pkg.Name: a package's constant, func or variable; only a
		// variable could change, which programs rarely do while a defer
		// is pending.
		id, ok := x.X.(*ast.Ident)
		return ok && consts["package "+id.Name]
	case *ast.ParenExpr:
		return isConstant(x.X, consts)
	case *ast.UnaryExpr:
		return x.Op != token.AND && x.Op != token.ARROW && isConstant(x.X, consts)
	case *ast.BinaryExpr:
		return isConstant(x.X, consts) && isConstant(x.Y, consts)
	}
	return false
}

// constNames are the names of constants that n and the notebook declare,
// and "package NAME" for each package the notebook imported. Scopes are
// ignored: a variable that shadows a constant's name is not copied,
// which only keeps yaegi's behaviour for it.
func (s *Session) constNames(n ast.Node) map[string]bool {
	names := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if g, ok := n.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, sp := range g.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					names[id.Name] = true
				}
			}
		}
		return true
	})
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, r := range s.decls {
		if r.Tok == "const" {
			for _, name := range r.Names {
				names[name] = true
			}
		}
	}
	for _, im := range s.imports {
		names["package "+importedName(im)] = true
	}
	return names
}
