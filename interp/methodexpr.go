package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// Method expressions: yaegi gives T.M, where T is a type of a compiled
// package (netip.Prefix.Compare, time.Time.Before), the method's type
// without the receiver parameter, so that calling it fails with "too
// many arguments" and passing it (slices.SortFunc(ps,
// netip.Prefix.Compare)) with reflect.Set; a notebook type's fails when
// called (reflect: Call with too many input arguments). The lowering
// writes T.M as the func literal it stands for:
//
//	netip.Prefix.Compare  =>  func(r netip.Prefix, a0 netip.Prefix) int { return r.Compare(a0) }

// factMethodExpr marks such a method expression; Value is the func
// literal.
const factMethodExpr = "method-expr"

// methodExprFact records the fact of n if it is a method expression.
func methodExprFact(fset *token.FileSet, n *ast.SelectorExpr, info *types.Info, typeOf func(types.Type) string, facts map[string]fact) {
	// A method expression: a type's selector naming a method; its type
	// has the receiver as first parameter.
	if !info.Types[n.X].IsType() {
		return
	}
	fn, ok := info.Uses[n.Sel].(*types.Func)
	if !ok {
		return
	}
	sig, ok := info.Types[n].Type.(*types.Signature)
	if !ok || sig.Params().Len() == 0 {
		return
	}
	var params, args []string
	for i := range sig.Params().Len() {
		name := reserved("R")
		if i > 0 {
			name = reserved("A" + strconv.Itoa(i))
		}
		t := sig.Params().At(i).Type()
		ts := ""
		if sig.Variadic() && i == sig.Params().Len()-1 {
			ts = typeOf(t.(*types.Slice).Elem())
			if ts != "" {
				ts = "..." + ts
			}
			args = append(args, name+"...")
		} else {
			ts = typeOf(t)
			if i > 0 {
				args = append(args, name)
			}
		}
		if ts == "" {
			return
		}
		params = append(params, name+" "+ts)
	}
	var results []string
	for i := range sig.Results().Len() {
		t := typeOf(sig.Results().At(i).Type())
		if t == "" {
			return
		}
		results = append(results, t)
	}
	call := reserved("R") + "." + fn.Name() + "(" + strings.Join(args, ", ") + ")"
	body := call
	if len(results) > 0 {
		body = "return " + call
	}
	lit := "func(" + strings.Join(params, ", ") + ") (" + strings.Join(results, ", ") + ") { " + body + " }"
	facts[factKey(fset, n)] = fact{Kind: factMethodExpr, Value: lit}
}

// lowerMethodExpr writes the method expression n as its func literal; n
// as it is when the literal does not parse.
func lowerMethodExpr(n *ast.SelectorExpr, f fact) ast.Expr {
	if e := parseAt(f.Value, n.Pos()); e != nil {
		return e
	}
	return n
}
