package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// yaegi v0.16.1 keeps a notebook value's type with the value when it
// passes the value to a func's any parameter, or puts it in a slice, map
// or struct of any; assigning it to an any variable, initialising one,
// returning it as an any or converting it with any(v) kept the bare
// value, without its type: fmt printed Circle's fields instead of its
// String, and type switches missed fmt.Stringer. _gompBox (fmtargs.go),
// an interpreted func that returns its any argument, stands in each of
// those places:
//
//	var a any = c   =>  var a any = _gompBox(c)
//	a = c           =>  a = _gompBox(c)
//	return c        =>  return _gompBox(c)   (an any result)
//	any(c)          =>  any(_gompBox(c))
//
// for c of a type the notebook declared with methods.

// factBoxAny marks a statement or conversion whose values are to pass
// through _gompBox: Params holds, per value, "1" to box it or "".
const factBoxAny = "box-any"

// boxAnyFact records the fact of n (see above); encl is the signature of
// the function around n.
func boxAnyFact(fset *token.FileSet, n ast.Node, info *types.Info, encl *types.Signature, facts map[string]fact) {
	var targets []types.Type
	var values []ast.Expr
	switch n := n.(type) {
	case *ast.AssignStmt:
		if n.Tok != token.ASSIGN || len(n.Lhs) != len(n.Rhs) {
			return
		}
		for _, l := range n.Lhs {
			targets = append(targets, info.TypeOf(l))
		}
		values = n.Rhs
	case *ast.ValueSpec:
		if n.Type == nil || len(n.Names) != len(n.Values) {
			return
		}
		for range n.Names {
			targets = append(targets, info.TypeOf(n.Type))
		}
		values = n.Values
	case *ast.ReturnStmt:
		if encl == nil || encl.Results().Len() != len(n.Results) {
			return
		}
		for i := range encl.Results().Len() {
			targets = append(targets, encl.Results().At(i).Type())
		}
		values = n.Results
	case *ast.CallExpr:
		tv, ok := info.Types[n.Fun]
		if !ok || !tv.IsType() || len(n.Args) != 1 {
			return
		}
		targets, values = []types.Type{tv.Type}, n.Args
	default:
		return
	}
	box := make([]string, len(values))
	found := false
	for i, v := range values {
		if emptyInterface(targets[i]) && notebookWithMethods(info.TypeOf(v)) {
			box[i], found = "1", true
		}
	}
	if !found {
		return
	}
	key := factKey(fset, n)
	if _, taken := facts[key]; !taken {
		facts[key] = fact{Kind: factBoxAny, Params: box}
	}
}

// emptyInterface reports whether t is an interface without methods.
func emptyInterface(t types.Type) bool {
	if t == nil {
		return false
	}
	i, ok := t.Underlying().(*types.Interface)
	return ok && i.Empty()
}

// notebookWithMethods reports whether t is, or points to, a type the
// notebook declared (not an interface) whose values have methods.
func notebookWithMethods(t types.Type) bool {
	if t == nil {
		return false
	}
	named := t
	if p, ok := t.(*types.Pointer); ok {
		named = p.Elem()
	}
	n, ok := named.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "main" || types.IsInterface(n) {
		return false
	}
	return types.NewMethodSet(t).Len() > 0
}

// lowerBoxAny wraps the values of n that f says to box in _gompBox.
func lowerBoxAny(n ast.Node, f fact) {
	var values []ast.Expr
	switch n := n.(type) {
	case *ast.AssignStmt:
		values = n.Rhs
	case *ast.ValueSpec:
		values = n.Values
	case *ast.ReturnStmt:
		values = n.Results
	case *ast.CallExpr:
		values = n.Args
	}
	if len(values) != len(f.Params) {
		return
	}
	for i, b := range f.Params {
		if b != "1" || isBoxCall(values[i]) {
			continue
		}
		v := values[i]
		values[i] = &ast.CallExpr{Fun: &ast.Ident{Name: reserved("Box"), NamePos: v.Pos()}, Lparen: v.Pos(), Args: []ast.Expr{v}, Rparen: v.End() - 1}
	}
}

// isBoxCall reports whether x is already _gompBox(...).
func isBoxCall(x ast.Expr) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := c.Fun.(*ast.Ident)
	return ok && id.Name == reserved("Box")
}
