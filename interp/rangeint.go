package interp

import (
	"go/ast"
	"go/token"
)

// lowerRangeInt rewrites a range over an integer (Go 1.22), which yaegi
// v0.16.1 fails on ("nil type"), into a three-clause loop over a hidden
// counter, keeping the label (lab, nil when the loop has none) on the
// loop:
//
//	for i := range n { body }
//	=>
//	{ _gompN := T(n); for _gompI := _gompN - _gompN; _gompI < _gompN; _gompI++ { i := _gompI; body } }
//
// n is evaluated once, before the loop, and an assignment to i in the
// body does not change the iterations, as the spec says; `for i = range n`
// assigns i instead, `for range n` binds nothing. T is n's type, or int
// (or i's type) for an untyped constant; without a nameable type, n alone.
func lowerRangeInt(r *ast.RangeStmt, lab *ast.LabeledStmt, f fact) ast.Stmt {
	p := r.For
	limit := ast.NewIdent(reserved("N"))
	counter := ast.NewIdent(reserved("I"))
	for _, id := range []*ast.Ident{limit, counter} {
		id.NamePos = p
	}
	n := r.X
	if f.Type != "" {
		if t := parseAt(f.Type, p); t != nil {
			n = &ast.CallExpr{Fun: &ast.ParenExpr{Lparen: p, X: t, Rparen: p}, Lparen: p, Args: []ast.Expr{r.X}, Rparen: r.X.End()}
		}
	}
	id := func(x *ast.Ident) *ast.Ident { return &ast.Ident{NamePos: x.NamePos, Name: x.Name} }
	decl := &ast.AssignStmt{Lhs: []ast.Expr{id(limit)}, TokPos: p, Tok: token.DEFINE, Rhs: []ast.Expr{n}}
	body := r.Body
	if r.Key != nil && !isBlank(r.Key) {
		tok := token.DEFINE
		if r.Tok == token.ASSIGN {
			tok = token.ASSIGN
		}
		bind := &ast.AssignStmt{Lhs: []ast.Expr{r.Key}, TokPos: p, Tok: tok, Rhs: []ast.Expr{id(counter)}}
		// The body is a scope of its own, inside the variable's.
		body = &ast.BlockStmt{Lbrace: r.Body.Lbrace, List: []ast.Stmt{bind, r.Body}, Rbrace: r.Body.Rbrace}
	}
	loop := &ast.ForStmt{
		For:  p,
		Init: &ast.AssignStmt{Lhs: []ast.Expr{id(counter)}, TokPos: p, Tok: token.DEFINE, Rhs: []ast.Expr{&ast.BinaryExpr{X: id(limit), OpPos: p, Op: token.SUB, Y: id(limit)}}},
		Cond: &ast.BinaryExpr{X: id(counter), OpPos: p, Op: token.LSS, Y: id(limit)},
		Post: &ast.IncDecStmt{X: id(counter), TokPos: p, Tok: token.INC},
		Body: body,
	}
	var stmt ast.Stmt = loop
	if lab != nil {
		lab.Stmt = loop
		stmt = lab
	}
	return &ast.BlockStmt{Lbrace: p, List: []ast.Stmt{decl, stmt}, Rbrace: r.End()}
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}
