package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Typed nil in a tuple assignment: yaegi panics (reflect: New(nil)) on
// a, b = nil, nil, where nil takes the type of the variable it is
// assigned to. The lowering writes each such nil as a conversion to
// that type, (*T)(nil), with the type go/types gives the variable.

// factTypedNil marks an untyped nil assigned in a tuple assignment;
// Type is the variable's type.
const factTypedNil = "typed-nil"

// typedNilFacts records the facts of the nils n assigns, if it is a
// tuple assignment.
func typedNilFacts(fset *token.FileSet, n *ast.AssignStmt, info *types.Info, typeOf func(types.Type) string, facts map[string]fact) {
	if n.Tok != token.ASSIGN || len(n.Lhs) < 2 || len(n.Lhs) != len(n.Rhs) {
		return
	}
	for i, r := range n.Rhs {
		id, ok := ast.Unparen(r).(*ast.Ident)
		if !ok {
			continue
		}
		if _, isNil := info.Uses[id].(*types.Nil); !isNil {
			continue
		}
		lt := info.TypeOf(n.Lhs[i])
		if lt == nil {
			continue
		}
		if t := typeOf(lt); t != "" {
			facts[factKey(fset, id)] = fact{Kind: factTypedNil, Type: t}
		}
	}
}

// lowerTypedNils writes the nils of a that have a fact as conversions.
func lowerTypedNils(a *ast.AssignStmt, factOf func(ast.Node) (fact, bool)) {
	for i, r := range a.Rhs {
		id, ok := r.(*ast.Ident)
		if !ok || id.Name != "nil" {
			continue
		}
		f, ok := factOf(id)
		if !ok || f.Kind != factTypedNil {
			continue
		}
		if t := parseAt(f.Type, id.Pos()); t != nil {
			a.Rhs[i] = &ast.CallExpr{Fun: &ast.ParenExpr{Lparen: id.Pos(), X: t, Rparen: id.Pos()}, Lparen: id.Pos(), Args: []ast.Expr{id}, Rparen: id.End() - 1}
		}
	}
}
