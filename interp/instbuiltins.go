package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// builtinText returns the func literal that replaces the builtin name
// (min, max or clear), which yaegi lacks, in call, a call of copied
// code, with the packages it names; "" for another builtin.
func (g *instantiator) builtinText(p *srcPkg, call *ast.CallExpr, name string, subst map[*types.TypeParam]string) (string, []string, error) {
	switch name {
	case "min", "max":
		t, im, err := g.typeText(p, p.info.Types[call].Type, subst)
		if err != nil {
			return "", nil, err
		}
		less := "<"
		if name == "max" {
			less = ">"
		}
		lit := strings.NewReplacer("T", typeParen(t), "LESS", less, "X", reserved("X"), "Ys", reserved("Ys"), "Y", reserved("Y")).Replace(
			"func(X T, Ys ...T) T { for _, Y := range Ys { if X != X { break }; if Y != Y || Y LESS X { X = Y } }; return X }")
		return "(" + lit + ")", im, nil
	case "clear":
		if len(call.Args) != 1 {
			return "", nil, fmt.Errorf("clear")
		}
		at := p.info.Types[call.Args[0]].Type
		if at == nil {
			return "", nil, fmt.Errorf("clear of an untyped value")
		}
		if _, isMap := at.Underlying().(*types.Map); isMap {
			return "", nil, fmt.Errorf("clear of a map")
		}
		t, im, err := g.typeText(p, at, subst)
		if err != nil {
			return "", nil, err
		}
		lit := strings.NewReplacer("T", typeParen(t), "S", reserved("S"), "Z", reserved("Z"), "I", reserved("I")).Replace(
			"func(S T) { if len(S) == 0 { return }; Z := make(T, 1); for I := range S { S[I] = Z[0] } }")
		return "(" + lit + ")", im, nil
	}
	return "", nil, nil
}
