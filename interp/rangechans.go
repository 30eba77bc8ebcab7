package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// factRangeChans marks a range over a slice, array or map whose elements
// are channels, with a value variable.
const factRangeChans = "range-chans"

// rangeChansFact is the fact of a range statement r over a value of type
// t: factRangeChans when r binds the elements and they are channels, with
// Value "pointer" when t is a pointer to an array.
func rangeChansFact(r *ast.RangeStmt, t types.Type) (fact, bool) {
	if r.Value == nil || isBlank(r.Value) {
		return fact{}, false
	}
	var elem types.Type
	ptr := false
	switch u := t.Underlying().(type) {
	case *types.Slice:
		elem = u.Elem()
	case *types.Array:
		elem = u.Elem()
	case *types.Map:
		elem = u.Elem()
	case *types.Pointer:
		if a, ok := u.Elem().Underlying().(*types.Array); ok {
			elem, ptr = a.Elem(), true
		}
	}
	if elem == nil {
		return fact{}, false
	}
	if _, ok := elem.Underlying().(*types.Chan); !ok {
		return fact{}, false
	}
	f := fact{Kind: factRangeChans}
	if ptr {
		f.Value = "pointer"
	}
	return f, true
}

// lowerRangeChans rewrites a range over a slice, array or map of
// channels that binds the elements. yaegi v0.16.1 decides that a range
// statement ranges over a channel from the type of its second variable,
// so `for _, c := range chans` received from c's element type's Len
// ("reflect: call of reflect.Value.Len on int Value"). The loop binds the
// key only and reads the element in the body:
//
//	for k, v := range x { body }
//	=>
//	{ _gompR := x; for k := range _gompR { v := _gompR[k]; body } }
//
// with a hidden key when k is absent or blank, and assignments instead
// of definitions in the `for k, v = range x` form. x is evaluated once,
// before the loop, as the spec says (a pointer to an array is ranged over
// and indexed through the pointer: yaegi fails on both directly); the label (lab, nil when the loop
// has none) stays on the loop.
func lowerRangeChans(r *ast.RangeStmt, lab *ast.LabeledStmt, f fact) ast.Stmt {
	p := r.For
	id := func(name string) *ast.Ident { return &ast.Ident{NamePos: p, Name: name} }
	src := reserved("R")
	// The loop's key: r's own when it defines one, else a hidden one
	// (assigned to r's key, which may be any assignable expression).
	key := reserved("K")
	var bind []ast.Stmt
	switch {
	case r.Key != nil && !isBlank(r.Key) && r.Tok == token.DEFINE:
		key = r.Key.(*ast.Ident).Name
	case r.Key != nil && !isBlank(r.Key):
		bind = append(bind, &ast.AssignStmt{Lhs: []ast.Expr{r.Key}, TokPos: p, Tok: token.ASSIGN, Rhs: []ast.Expr{id(key)}})
	}
	keyID := id(key)
	if r.Key != nil && !isBlank(r.Key) && r.Tok == token.DEFINE {
		keyID = r.Key.(*ast.Ident)
	}
	var coll ast.Expr = id(src)
	if f.Value == "pointer" {
		coll = &ast.ParenExpr{Lparen: p, X: &ast.StarExpr{Star: p, X: coll}, Rparen: p}
	}
	elem := &ast.IndexExpr{X: coll, Lbrack: p, Index: id(key), Rbrack: p}
	bind = append(bind, &ast.AssignStmt{Lhs: []ast.Expr{r.Value}, TokPos: p, Tok: r.Tok, Rhs: []ast.Expr{elem}})
	body := &ast.BlockStmt{Lbrace: r.Body.Lbrace, List: append(bind, r.Body), Rbrace: r.Body.Rbrace}
	loop := &ast.RangeStmt{For: p, Key: keyID, TokPos: r.TokPos, Tok: token.DEFINE, X: coll, Range: r.Range, Body: body}
	var stmt ast.Stmt = loop
	if lab != nil {
		lab.Stmt = loop
		stmt = lab
	}
	decl := &ast.AssignStmt{Lhs: []ast.Expr{id(src)}, TokPos: p, Tok: token.DEFINE, Rhs: []ast.Expr{r.X}}
	return &ast.BlockStmt{Lbrace: p, List: []ast.Stmt{decl, stmt}, Rbrace: r.End()}
}
