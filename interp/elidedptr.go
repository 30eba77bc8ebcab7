package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Elided &T: in a composite literal whose elements (or keys) are
// pointers, {...} stands for &T{...}. yaegi crashes on it when T is a
// compiled type under a named map (fstest.MapFS{"a": {Data: b}}: CFG
// post-order panic), so the lowering writes &T{...} out, with T as
// go/types gives it.

// factElidedPtr marks an elided &T composite literal; Type is T.
const factElidedPtr = "elided-ptr"

// elidedPtrFact records the fact of n if it is an elided &T{...}.
func elidedPtrFact(fset *token.FileSet, n *ast.CompositeLit, info *types.Info, typeOf func(types.Type) string, facts map[string]fact) {
	if n.Type != nil {
		return
	}
	// go/types gives an elided literal the element type, *T here.
	p, ok := info.Types[n].Type.(*types.Pointer)
	if !ok {
		return
	}
	if t := typeOf(p.Elem()); t != "" {
		facts[factKey(fset, n)] = fact{Kind: factElidedPtr, Type: t}
	}
}

// lowerElidedPtr writes the elided &T{...} lit out; lit as it is when T
// does not parse.
func lowerElidedPtr(lit *ast.CompositeLit, f fact) ast.Expr {
	t := parseAt(f.Type, lit.Lbrace)
	if t == nil {
		return lit
	}
	return &ast.UnaryExpr{OpPos: lit.Lbrace, Op: token.AND, X: &ast.CompositeLit{Type: t, Lbrace: lit.Lbrace, Elts: lit.Elts, Rbrace: lit.Rbrace}}
}
