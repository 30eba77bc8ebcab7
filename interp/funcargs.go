package interp

import (
	"go/ast"
	"go/token"
	"strconv"
)

// bindFuncArgs gives each func literal that a statement in a loop body
// passes as an argument a variable of its own, declared just before the
// statement:
//
//	for i := range 10 { wg.Go(func() { use(i) }) }
//
// becomes
//
//	for i := range 10 { _gompFn0 := func() { use(i) }; wg.Go(_gompFn0) }
//
// yaegi v0.16.1 wraps a func literal handed straight to compiled code
// (WaitGroup.Go, time.AfterFunc, sort.Slice) in a way that reads the
// loop's variables when the wrapper runs, not as the iteration left them:
// every goroutine wg.Go started saw the last i, even with Go 1.22's
// per-iteration copies (loopVars), while the same literal kept in a
// variable first keeps its own. Evaluating a func literal has no effect
// but making the closure, so binding it earlier in the same block changes
// nothing else. Literals called at once (`go func(){...}()`) and those
// outside loops are left as they are.
func bindFuncArgs(n ast.Node) {
	count := 0
	ast.Inspect(n, func(n ast.Node) bool {
		switch l := n.(type) {
		case *ast.ForStmt:
			bindInBlock(l.Body, &count)
		case *ast.RangeStmt:
			bindInBlock(l.Body, &count)
		}
		return true
	})
}

// bindInBlock binds the func-literal arguments of the statements of b and
// of the blocks nested in them (not inside func literals, whose own loops
// bindFuncArgs reaches).
func bindInBlock(b *ast.BlockStmt, count *int) {
	if b == nil {
		return
	}
	b.List = bindInList(b.List, count)
}

func bindInList(list []ast.Stmt, count *int) []ast.Stmt {
	var out []ast.Stmt
	for _, st := range list {
		switch s := st.(type) {
		case *ast.ExprStmt, *ast.AssignStmt, *ast.GoStmt, *ast.DeferStmt, *ast.ReturnStmt, *ast.SendStmt:
			out = append(out, funcArgBindings(s, count)...)
		case *ast.BlockStmt:
			bindInBlock(s, count)
		case *ast.IfStmt:
			bindInBlock(s.Body, count)
			if e, ok := s.Else.(*ast.BlockStmt); ok {
				bindInBlock(e, count)
			}
		case *ast.SwitchStmt:
			bindInClauses(s.Body, count)
		case *ast.TypeSwitchStmt:
			bindInClauses(s.Body, count)
		case *ast.SelectStmt:
			bindInClauses(s.Body, count)
		case *ast.LabeledStmt:
			if b, ok := s.Stmt.(*ast.BlockStmt); ok {
				bindInBlock(b, count)
			}
		}
		out = append(out, st)
	}
	return out
}

func bindInClauses(b *ast.BlockStmt, count *int) {
	for _, c := range b.List {
		switch c := c.(type) {
		case *ast.CaseClause:
			c.Body = bindInList(c.Body, count)
		case *ast.CommClause:
			c.Body = bindInList(c.Body, count)
		}
	}
}

// funcArgBindings replaces the func literals that calls in st take as
// arguments by fresh reserved names and returns their declarations.
func funcArgBindings(st ast.Stmt, count *int) []ast.Stmt {
	var decls []ast.Stmt
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false // its own statements run later, in their own scope
		case *ast.CallExpr:
			for i, a := range x.Args {
				lit, ok := a.(*ast.FuncLit)
				if !ok {
					continue
				}
				name := &ast.Ident{Name: reserved("Fn") + strconv.Itoa(*count), NamePos: lit.Pos()}
				*count++
				decls = append(decls, &ast.AssignStmt{Lhs: []ast.Expr{name}, TokPos: lit.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{lit}})
				x.Args[i] = &ast.Ident{Name: name.Name, NamePos: lit.Pos()}
			}
		}
		return true
	})
	return decls
}
