package interp

import "go/ast"

// lowerNew rewrites new(expr) (Go 1.26), a pointer to a new variable
// holding expr's value, which yaegi v0.16.1 takes for new of a type (so
// new(42) gave a pointer to 0), into a func literal that takes the value
// and returns its parameter's address:
//
//	new(v)  =>  func(_gompV T) *T { return &_gompV }(v)
//
// T is v's type, its default type when v is an untyped constant. It
// returns nil when T cannot be written in the cell.
func lowerNew(call *ast.CallExpr, f fact) ast.Expr {
	if f.Type == "" || len(call.Args) != 1 {
		return nil
	}
	v := reserved("V")
	lit := parseAt("func("+v+" ("+f.Type+")) *("+f.Type+") { return &"+v+" }", call.Pos())
	if lit == nil {
		return nil
	}
	return &ast.CallExpr{Fun: lit, Lparen: call.Lparen, Args: call.Args, Rparen: call.Rparen}
}
