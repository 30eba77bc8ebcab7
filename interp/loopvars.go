package interp

import (
	"go/ast"
	"go/token"
	"strconv"
)

// loopVars gives each iteration of a loop its own copy of the variables
// the loop declares, as Go 1.22 does, where yaegi keeps one variable for
// the whole loop: goroutines and closures started in the loop all saw its
// last value, silently, which is exactly the lesson a concurrency course
// teaches wrong. A body that may capture them (it holds a func literal, a
// go or defer statement, or takes an address) starts with `i, v := i, v`:
//
//	for i, v := range xs { go f(i, v) }      // range loops
//	for i := 0; i < n; i++ { go f(i) }       // three-clause loops whose
//	                                         // body never changes i
//
// A three-clause loop whose body changes its variable gets it copied back
// for the post statement, as Go 1.22 copies it into the next iteration
// (copyBack). Loops whose bodies cannot capture anything are left alone,
// so tight loops pay nothing.
func loopVars(n ast.Node) {
	labels := map[*ast.ForStmt]string{}
	count := 0
	ast.Inspect(n, func(n ast.Node) bool {
		switch l := n.(type) {
		case *ast.LabeledStmt:
			if f, ok := l.Stmt.(*ast.ForStmt); ok {
				labels[f] = l.Label.Name
			}
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
				if id, ok := x.(*ast.Ident); ok && id.Name != "_" && assigns(l.Body, id.Name) {
					copyBack(l, init, labels[l], &count)
					return true
				}
			}
			copyVars(l.Body, init.Lhs...)
		}
		return true
	})
}

// copyBack gives each iteration of l, a three-clause loop whose body
// changes its variables, its own copies, and hands the copies' values on
// to the next iteration as Go 1.22 does. The loop runs on reserved
// variables, which its condition and post statement use, and the body
// starts with copies under the declared names and copies them back at
// its end and before each continue of this loop:
//
//	for i := 0; i < n; i++ { i++; go f(&i) }
//
// becomes
//
//	for _gompL0 := 0; _gompL0 < n; _gompL0++ { i := _gompL0; i++; go f(&i); _gompL0 = i }
func copyBack(l *ast.ForStmt, init *ast.AssignStmt, label string, count *int) {
	outer := map[string]string{}
	var inner, outers []ast.Expr
	for _, x := range init.Lhs {
		id, ok := x.(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		name := reserved("L") + strconv.Itoa(*count)
		*count++
		outer[id.Name] = name
		inner = append(inner, &ast.Ident{Name: id.Name, NamePos: id.Pos()})
		outers = append(outers, &ast.Ident{Name: name, NamePos: id.Pos()})
		id.Name = name
	}
	rename := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && outer[id.Name] != "" {
				id.Name = outer[id.Name]
			}
			return true
		})
	}
	if l.Cond != nil {
		rename(l.Cond)
	}
	if l.Post != nil {
		rename(l.Post)
	}
	pos := l.Body.Lbrace
	back := func() ast.Stmt {
		a := &ast.AssignStmt{TokPos: pos, Tok: token.ASSIGN}
		for i := range inner {
			a.Lhs = append(a.Lhs, &ast.Ident{Name: outers[i].(*ast.Ident).Name, NamePos: pos})
			a.Rhs = append(a.Rhs, &ast.Ident{Name: inner[i].(*ast.Ident).Name, NamePos: pos})
		}
		return a
	}
	continues(l.Body, label, func(c *ast.BranchStmt) ast.Stmt {
		return &ast.BlockStmt{Lbrace: c.Pos(), Rbrace: c.End(), List: []ast.Stmt{back(), c}}
	})
	head := &ast.AssignStmt{TokPos: pos, Tok: token.DEFINE, Lhs: inner}
	for _, o := range outers {
		head.Rhs = append(head.Rhs, &ast.Ident{Name: o.(*ast.Ident).Name, NamePos: pos})
	}
	l.Body.List = append(append([]ast.Stmt{head}, l.Body.List...), back())
}

// continues replaces each continue statement in body that continues the
// loop whose body it is (unlabeled outside nested loops, or naming
// label) with what replace returns. Func literals are skipped.
func continues(body *ast.BlockStmt, label string, replace func(*ast.BranchStmt) ast.Stmt) {
	var walk func(n ast.Node, nested bool)
	fix := func(list []ast.Stmt, nested bool) {
		for i, st := range list {
			if c, ok := st.(*ast.BranchStmt); ok && c.Tok == token.CONTINUE &&
				(c.Label == nil && !nested || c.Label != nil && c.Label.Name == label && label != "") {
				list[i] = replace(c)
				continue
			}
			walk(st, nested)
		}
	}
	walk = func(n ast.Node, nested bool) {
		switch x := n.(type) {
		case nil, *ast.FuncLit:
		case *ast.BlockStmt:
			fix(x.List, nested)
		case *ast.CaseClause:
			fix(x.Body, nested)
		case *ast.CommClause:
			fix(x.Body, nested)
		case *ast.LabeledStmt:
			list := []ast.Stmt{x.Stmt}
			fix(list, nested)
			x.Stmt = list[0]
		case *ast.IfStmt:
			walk(x.Body, nested)
			if x.Else != nil {
				list := []ast.Stmt{x.Else}
				fix(list, nested)
				x.Else = list[0]
			}
		case *ast.ForStmt:
			walk(x.Body, true)
		case *ast.RangeStmt:
			walk(x.Body, true)
		case *ast.SwitchStmt:
			walk(x.Body, nested)
		case *ast.TypeSwitchStmt:
			walk(x.Body, nested)
		case *ast.SelectStmt:
			walk(x.Body, nested)
		}
	}
	walk(body, false)
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
