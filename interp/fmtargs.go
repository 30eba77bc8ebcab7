package interp

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"reflect"

	"github.com/gomp-kernel/gomp/interp/stdlib"
	yaegi "github.com/traefik/yaegi/interp"
)

// A notebook value held in an interface (an any, or an interface the
// notebook declared) reaches a compiled function as its bare reflect
// value, or yaegi's box of it, without its methods: yaegi builds the
// wrapper that carries them only for an argument whose static type is
// the notebook type. So fmt.Println(s), s a Shape holding a Circle with a
// String method, printed Circle's fields. printArgsFact finds such
// arguments of fmt's and log's printing functions, and lowerPrintArgs
// passes them through _gompfmtarg.Arg(any(v)), which hands a notebook
// value (boxed, as an any) to _gompFmtArgSlow, an interpreted func:
// there, a type assertion to an interface the interpreter declared sees
// the value's notebook type, and a func literal calling its String or
// Error method goes to the compiled half, which gives fmt a value with
// that method.

// fmtArgPrelude declares _gompFmtArgSlow in every interpreter, and
// _gompAsStringer and _gompAsError, which convert a notebook value known
// to have the method to a compiled fmt.Stringer or error (assert.go), and
// _gompRecovered (recovered.go; nil, no panic, skips the compiled call),
// and _gompBox (boxany.go), after
// richPrelude (whose _gomprich.Any it uses, as _gompRich does: a method
// called on the value asserted from it reaches the notebook's method).
const fmtArgPrelude = `package main
import _gompfmtarg "gomp/fmtarg"
type _gompFmtErrorer interface{ Error() string }
type _gompFmtStringer interface{ String() string }
func _gompFmtArgSlow(v any) any {
	var w _gomprich.Any = v
	if _, ok := v.(_gompFmtErrorer); ok {
		return _gompfmtarg.Error(v, func() string { return w.(_gompFmtErrorer).Error() })
	}
	if _, ok := v.(_gompFmtStringer); ok {
		return _gompfmtarg.Stringer(v, func() string { return w.(_gompFmtStringer).String() })
	}
	return v
}
func _gompAsStringer(v any) any {
	if _gompfmtarg.Compiled(v) {
		return v
	}
	var w _gomprich.Any = v
	return _gompfmtarg.Stringer(v, func() string { return w.(_gompFmtStringer).String() })
}
func _gompBox(v any) any { return v }
func _gompFmtArgInit() bool { _gompfmtarg.SetSlow(_gompFmtArgSlow); return true }
var _gompFmtArgReady = _gompFmtArgInit()
func _gompRecovered(v any) any {
	if v == nil {
		return nil
	}
	return _gompfmtarg.Recovered(v)
}
func _gompAsError(v any) any {
	if _gompfmtarg.Compiled(v) {
		return v
	}
	var w _gomprich.Any = v
	return _gompfmtarg.Error(v, func() string { return w.(_gompFmtErrorer).Error() })
}`

// fmtArgPath is the import path of fmtArgExports in the interpreter.
const fmtArgPath = "gomp/fmtarg"

// fmtArgExports are the compiled half of the prelude, for one
// interpreter. Arg answers by itself for a value that is not a notebook
// value (a compiled call: an interpreted func in its place tripled the
// cost of printing an any), and hands a notebook value to the
// interpreter's _gompFmtArgSlow, which the prelude registers with
// SetSlow.
func fmtArgExports() yaegi.Exports {
	a := &fmtArgs{}
	return yaegi.Exports{fmtArgPath + "/fmtarg": {
		"Compiled": reflect.ValueOf(fmtArgCompiled),
		"Arg":      reflect.ValueOf(a.arg),
		"SetSlow":  reflect.ValueOf(a.setSlow),
		"Stringer": reflect.ValueOf(func(v any, str func() string) any { return fmtStringer{IValue: v, str: str} }),
		"Error":    reflect.ValueOf(func(v any, str func() string) any { return fmtError{IValue: v, str: str} }),
		// Recovered, JSONView and ErrorsIs are not about fmt: they ride
		// on this package's import, which every interpreter has
		// (recovered.go, jsonnames.go, errorsis.go).
		"Recovered": reflect.ValueOf(recovered),
		"ErrorsIs":  reflect.ValueOf(errorsIs),
		"JSONView":  jsonViewFunc,
	}}
}

// fmtArgs holds an interpreter's _gompFmtArgSlow.
type fmtArgs struct {
	slow func(any) any
}

// setSlow registers the interpreter's _gompFmtArgSlow.
func (a *fmtArgs) setSlow(f func(any) any) { a.slow = f }

// arg is _gompfmtarg.Arg: v as fmt is to get it.
func (a *fmtArgs) arg(v any) any {
	if fmtArgCompiled(v) || a.slow == nil {
		return v
	}
	return a.slow(v)
}

// fmtArgCompiled reports whether fmt sees v's methods by itself: v is
// not yaegi's box of a notebook value (what compiled code gets for a
// notebook value held in an any), so nil, a compiled value, or yaegi's
// wrapper of a notebook value. Only a box is worth the interpreted
// assertions that follow, which tripled the cost of printing an any.
func fmtArgCompiled(v any) bool {
	if v == nil {
		return true
	}
	t := reflect.TypeOf(v)
	return t.Name() != "valueInterface" || t.PkgPath() != "github.com/traefik/yaegi/interp"
}

// fmtStringer is a notebook value with a String method, for fmt. The
// value comes first, named as in yaegi's wrappers, so that errorsAs and
// declaredNames look into it.
type fmtStringer struct {
	IValue any
	str    func() string
}

// String implements fmt.Stringer.
func (s fmtStringer) String() string { return s.str() }

// Format implements fmt.Formatter: the String with the verbs fmt uses it
// for, the value itself with the others (%d, %#v).
func (s fmtStringer) Format(f fmt.State, verb rune) { formatMethod(f, verb, s.IValue, s.str) }

// fmtError is a notebook value with an Error method, for fmt.
type fmtError struct {
	IValue any
	str    func() string
}

// Error implements error.
func (e fmtError) Error() string { return e.str() }

// Format implements fmt.Formatter, as fmtStringer's.
func (e fmtError) Format(f fmt.State, verb rune) { formatMethod(f, verb, e.IValue, e.str) }

// formatMethod formats, with verb and f's flags, the result of str when
// fmt would call the method (%v without #, %s, %q, %x, %X), else v. v is
// what yaegi hands compiled code for a notebook value in an any, its own
// box: printArgsFact wraps only the arguments a format shows through the
// method, or might (a format that is not a constant).
func formatMethod(f fmt.State, verb rune, v any, str func() string) {
	var arg any = v
	switch verb {
	case 'v':
		if !f.Flag('#') {
			arg = str()
		}
	case 's', 'q', 'x', 'X':
		arg = str()
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), arg)
}

// installFmtArgPrelude installs the prelude and its compiled half in yi.
func installFmtArgPrelude(yi *yaegi.Interpreter) error {
	if err := yi.Use(fmtArgExports()); err != nil {
		return fmt.Errorf("install fmt arguments: %w", err)
	}
	// JSONView keeps the interfaces json.Marshal keeps on a notebook value.
	mt := map[reflect.Value][]reflect.Type{jsonViewFunc: stdlib.MapTypes[reflect.ValueOf(json.Marshal)]}
	if err := yi.Use(yaegi.Exports{".": {"MapTypes": reflect.ValueOf(mt)}}); err != nil {
		return fmt.Errorf("install fmt arguments: %w", err)
	}
	if err := runPrelude(yi, fmtArgPrelude); err != nil {
		return fmt.Errorf("install fmt arguments: %w", err)
	}
	return nil
}

// isFmtArgCall reports whether x is already _gompfmtarg.Arg(...), so
// that code instrumented twice is wrapped once.
func isFmtArgCall(x ast.Expr) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	return ok && isIdent(sel.X, reserved("fmtarg")) && sel.Sel.Name == "Arg"
}
