package interp

import (
	"go/ast"
	"go/token"
)

// loopVars gives each iteration of a loop its own copy of the variables
// the loop declares, as Go 1.22 does, where yaegi keeps one variable for
// the whole loop: goroutines and closures started in the loop all saw its
// last value, silently, which is exactly the lesson a concurrency course
// teaches wrong. A body that may capture them (it holds a func literal, a
// go or defer statement, or takes an address) starts with `i, v := i, v`:
//
//	for i, v := range xs { go f(i, v) }      // range loops: always exact
//	for i := 0; i < n; i++ { go f(i) }       // three-clause loops: only when
//	                                         // the body never changes i
//
// A three-clause loop whose body assigns its variable keeps yaegi's one
// variable: Go 1.22 copies such a variable back for the post statement,
// which a copy at the top of the body cannot do. Loops whose bodies cannot
// capture anything are left alone, so tight loops pay nothing.
func loopVars(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch l := n.(type) {
		case *ast.RangeStmt:
			if l.Tok == token.DEFINE && captures(l.Body) {
				copyVars(l.Body, l.Key, l.Value)
			}
		case *ast.ForStmt:
			init, ok := l.Init.(*ast.AssignStmt)
			if !ok || init.Tok != token.DEFINE || !captures(l.Body) {
				return true
			}
			for _, x := range init.Lhs {
				if id, ok := x.(*ast.Ident); ok && assigns(l.Body, id.Name) {
					return true
				}
			}
			copyVars(l.Body, init.Lhs...)
		}
		return true
	})
}

// copyVars starts body with `a, b := a, b` for the named variables among
// vars (blank and absent ones skipped). It is idempotent.
func copyVars(body *ast.BlockStmt, vars ...ast.Expr) {
	var names []string
	for _, x := range vars {
		if id, ok := x.(*ast.Ident); ok && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	if len(names) == 0 || copiesVars(body, names) {
		return
	}
	pos := body.Lbrace
	assign := &ast.AssignStmt{TokPos: pos, Tok: token.DEFINE}
	for _, name := range names {
		assign.Lhs = append(assign.Lhs, &ast.Ident{Name: name, NamePos: pos})
		assign.Rhs = append(assign.Rhs, &ast.Ident{Name: name, NamePos: pos})
	}
	body.List = append([]ast.Stmt{assign}, body.List...)
}

// copiesVars reports whether body already starts with the copy of names.
func copiesVars(body *ast.BlockStmt, names []string) bool {
	if len(body.List) == 0 {
		return false
	}
	a, ok := body.List[0].(*ast.AssignStmt)
	if !ok || a.Tok != token.DEFINE || len(a.Lhs) != len(names) || len(a.Rhs) != len(names) {
		return false
	}
	for i, name := range names {
		l, lok := a.Lhs[i].(*ast.Ident)
		r, rok := a.Rhs[i].(*ast.Ident)
		if !lok || !rok || l.Name != name || r.Name != name {
			return false
		}
	}
	return true
}

// captures reports whether body may keep a reference to a variable beyond
// the iteration: a func literal, a go or defer statement, or an address.
func captures(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		case *ast.UnaryExpr:
			found = found || x.Op == token.AND
		}
		return !found
	})
	return found
}

// assigns reports whether body may change the variable name: an
// assignment, ++ or --, or its address taken (a shadowing declaration
// counts too, which only makes the check cautious).
func assigns(body *ast.BlockStmt, name string) bool {
	is := func(x ast.Expr) bool {
		id, ok := x.(*ast.Ident)
		return ok && id.Name == name
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				found = found || is(l)
			}
		case *ast.IncDecStmt:
			found = found || is(x.X)
		case *ast.UnaryExpr:
			found = found || (x.Op == token.AND && is(x.X))
		case *ast.RangeStmt:
			found = found || is(x.Key) || is(x.Value)
		}
		return !found
	})
	return found
}
