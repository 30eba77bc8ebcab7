package interp

import "go/ast"

// yaegi v0.16.1 runs an index or slice expression through reflect, whose
// panic for an index out of range is a string, "reflect: slice index
// out of range"; Go's is a runtime.Error reading "runtime error: index
// out of range [5] with length 3". An uncaught one gets Go's words from
// the session (goPanicText, errors.go); one that notebook code recovers
// got the string. Each recover() in notebook code becomes
// _gompRecovered(recover()) (fmtargs.go), which turns those strings into
// a runtime.Error with Go's text. The operands ([5] with length 3) are not
// known there: yaegi's panic does not carry them.

// factRecover marks a call of the builtin recover.
const factRecover = "recover"

// recoveredError is a run-time error of interpreted code, recovered.
type recoveredError string

// Error implements error.
func (e recoveredError) Error() string { return string(e) }

// RuntimeError implements runtime.Error.
func (recoveredError) RuntimeError() {}

// recovered returns v, a value recover returned, or Go's run-time error
// for it when it is one of reflect's panics that stand for one.
func recovered(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if t, ok := yaegiRuntimeTexts[s]; ok {
		return recoveredError(t.text)
	}
	return v
}

// lowerRecover wraps call, recover(), in _gompRecovered.
func lowerRecover(call *ast.CallExpr) ast.Expr {
	p := call.Pos()
	fn := &ast.Ident{Name: reserved("Recovered"), NamePos: p}
	return &ast.CallExpr{Fun: fn, Lparen: p, Args: []ast.Expr{call}, Rparen: call.End() - 1}
}
