package interp

import (
	"go/ast"
	"strings"
)

// lowerMinMax rewrites a call of the builtin min or max (Go 1.21), which
// yaegi v0.16.1 does not have, into a call of a func literal of the
// result's type T that takes the same arguments, evaluated once, in
// order:
//
//	min(a, b, c)  =>  func(_gompX T, _gompYs ...T) T { ... }(a, b, c)
//
// For floats it follows the spec: a NaN argument makes the result NaN,
// and min(-0.0, 0.0) is -0.0 (max the other way). Calls with constant
// arguments are folded instead (constExpr), as Go folds them. It returns
// nil when T cannot be written in the cell (a type of a package the
// notebook did not import).
func lowerMinMax(call *ast.CallExpr, f fact) ast.Expr {
	if f.Type == "" || call.Ellipsis.IsValid() {
		return nil
	}
	less, zeroWins := "<", "<"
	if f.Kind == factMax {
		less, zeroWins = ">", ">"
	}
	var body string
	if f.Float {
		body = `
	for _, y := range ys {
		switch {
		case x != x:
		case y != y:
			x = y
		case y LESS x:
			x = y
		case y == x && y == 0 && 1/y ZERO 0:
			x = y
		}
	}`
	} else {
		body = `
	for _, y := range ys {
		if y LESS x {
			x = y
		}
	}`
	}
	body = strings.NewReplacer("LESS", less, "ZERO", zeroWins, "x", reserved("X"), "ys", reserved("Ys"), "y", reserved("Y")).Replace(body)
	src := "func(" + reserved("X") + " T, " + reserved("Ys") + " ...T) T {" + body + "\n\treturn " + reserved("X") + "\n}"
	src = strings.ReplaceAll(src, "T", "("+f.Type+")")
	lit := parseAt(src, call.Pos())
	if lit == nil {
		return nil
	}
	return &ast.CallExpr{Fun: lit, Lparen: call.Lparen, Args: call.Args, Rparen: call.Rparen}
}
