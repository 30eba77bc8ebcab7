package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// factMethodValue marks a method value x.M of a notebook method with a
// value receiver, one that is not called at once.
const factMethodValue = "method-value"

// methodValueFact records the fact of n when it is a method value (see
// lowerMethodValue) in parent.
func methodValueFact(fset *token.FileSet, n, parent ast.Node, info *types.Info, typeOf func(types.Type) string, facts map[string]fact) {
	sel, ok := n.(*ast.SelectorExpr)
	if !ok {
		return
	}
	if call, ok := parent.(*ast.CallExpr); ok && ast.Unparen(call.Fun) == sel {
		return
	}
	s := info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal || len(s.Index()) != 1 {
		return
	}
	m, ok := s.Obj().(*types.Func)
	if !ok || m.Pkg() == nil || m.Pkg().Path() != "main" {
		return
	}
	sig := m.Type().(*types.Signature)
	if sig.Recv() == nil {
		return
	}
	if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
		// The receiver is x's address, bound when evaluated either way.
		return
	}
	if _, ok := sig.Recv().Type().Underlying().(*types.Interface); ok {
		return
	}
	recv := s.Recv()
	deref := false
	if p, ok := recv.Underlying().(*types.Pointer); ok {
		recv, deref = p.Elem(), true
	}
	rt, ft := typeOf(recv), typeOf(info.Types[sel].Type)
	if rt == "" || ft == "" {
		return
	}
	facts[factKey(fset, sel)] = fact{Kind: factMethodValue, Type: rt, Value: ft, Deref: deref}
}

// lowerMethodValue rewrites a method value x.M whose method has a value
// receiver. Go copies the receiver when the method value is evaluated;
// yaegi v0.16.1 reads x when the func is called, so `f := g.greet;
// g.greeting = "bye"; f()` said bye. A func literal takes the receiver
// as its argument, a copy made where the method value stood:
//
//	x.M  =>  func(_gompV T) F { return _gompV.M }(x)
//
// with *x as the argument when x is a pointer (then T is what it points
// to). T is the receiver's type, F the method value's func type. It
// returns nil when a type cannot be written in the cell.
func lowerMethodValue(sel *ast.SelectorExpr, f fact) ast.Expr {
	v := reserved("V")
	p := sel.Pos()
	lit := parseAt("func("+v+" ("+f.Type+")) ("+f.Value+") { return "+v+"."+sel.Sel.Name+" }", p)
	if lit == nil {
		return nil
	}
	arg := sel.X
	if f.Deref {
		arg = &ast.StarExpr{Star: p, X: arg}
	}
	return &ast.CallExpr{Fun: lit, Lparen: p, Args: []ast.Expr{arg}, Rparen: sel.End() - 1}
}
