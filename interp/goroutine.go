package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
)

// guardGo rewrites every go statement in n so that a panic in the new
// goroutine is reported on the current cell's stderr instead of killing
// the process (a kernel must survive its cells). The function value and
// the arguments are still evaluated before the goroutine starts:
//
//	go f(x, y)
//
// becomes
//
//	{ _gompA0, _gompA1 := x, y
//	  _gompG := func() { defer func() { if r := recover(); r != nil { _gomp.GoPanic(r) } }(); f(_gompA0, _gompA1) }
//	  go _gompG() }
//
// The go statement calls a variable, not the literal: in a loop,
// loopClosures makes the literal in a call of its own, and yaegi would
// run `go maker()()`'s maker on the new goroutine, after the loop moved on.
//
// Literals, nil, true, false, function names and pkg.F or x.M are used as
// they are (their values cannot change, untyped constants keep their
// type, and a package name cannot be assigned; so in go x.M(), x is read
// when the goroutine starts).
// Run it once per parsed AST.
func guardGo(n ast.Node) {
	done := map[*ast.GoStmt]bool{} // the go statements guardGo wrote
	guard := func(st ast.Stmt) ast.Stmt {
		g, ok := st.(*ast.GoStmt)
		if !ok || done[g] {
			return st
		}
		block := guardedGo(g)
		done[block.List[len(block.List)-1].(*ast.GoStmt)] = true
		return block
	}
	replaceStmts(n, false, guard)
}

func guardedGo(g *ast.GoStmt) *ast.BlockStmt {
	pos := g.Go
	id := func(s string) *ast.Ident { return &ast.Ident{Name: s, NamePos: pos} }
	var lhs, rhs []ast.Expr
	temp := func(e ast.Expr) ast.Expr {
		switch x := e.(type) {
		case *ast.BasicLit:
			return e
		case *ast.Ident:
			if x.Name == "nil" || x.Name == "true" || x.Name == "false" || x.Name == "_" {
				return e
			}
		}
		t := id(reserved("A") + strconv.Itoa(len(lhs)))
		lhs = append(lhs, t)
		rhs = append(rhs, e)
		return id(t.Name)
	}
	call := *g.Call
	switch f := call.Fun.(type) {
	case *ast.Ident:
	case *ast.SelectorExpr:
		// pkg.F or x.M: pkg cannot be assigned, and yaegi binds a method
		// value's receiver late anyway.
		if _, ok := f.X.(*ast.Ident); !ok {
			call.Fun = temp(call.Fun)
		}
	default:
		call.Fun = temp(call.Fun)
	}
	call.Args = make([]ast.Expr, len(g.Call.Args))
	for i, a := range g.Call.Args {
		call.Args[i] = temp(a)
	}
	recoverer := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.IfStmt{
			If: pos,
			Init: &ast.AssignStmt{Lhs: []ast.Expr{id(reserved("R"))}, TokPos: pos, Tok: token.DEFINE,
				Rhs: []ast.Expr{&ast.CallExpr{Fun: id("recover"), Lparen: pos, Rparen: pos}}},
			Cond: &ast.BinaryExpr{X: id(reserved("R")), OpPos: pos, Op: token.NEQ, Y: id("nil")},
			Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.ExprStmt{X: &ast.CallExpr{
				Fun: &ast.SelectorExpr{X: id(reservedPrefix), Sel: id("GoPanic")}, Lparen: pos, Rparen: pos,
				Args: []ast.Expr{id(reserved("R"))},
			}}}},
		}}},
	}
	body := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{
			&ast.DeferStmt{Defer: pos, Call: &ast.CallExpr{Fun: recoverer, Lparen: pos, Rparen: pos}},
			&ast.ExprStmt{X: &call},
		}},
	}
	var list []ast.Stmt
	if len(lhs) > 0 {
		list = append(list, &ast.AssignStmt{Lhs: lhs, TokPos: pos, Tok: token.DEFINE, Rhs: rhs})
	}
	list = append(list,
		&ast.AssignStmt{Lhs: []ast.Expr{id(reserved("G"))}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{body}},
		&ast.GoStmt{Go: pos, Call: &ast.CallExpr{Fun: id(reserved("G")), Lparen: pos, Rparen: pos}})
	return &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: list}
}

// goPanic reports a panic that ended a goroutine started by a cell.
func (s *Session) goPanic(r any) {
	fmt.Fprintf(s.out.stderr(), "panic in goroutine: %v\n", r)
}
