package interp

import (
	"errors"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strings"
)

// errors.Is follows a chain through Unwrap methods and asks Is methods,
// which the standard one, compiled, cannot call on a notebook error:
// yaegi hands it a wrapper with the Error method only. With
//
//	type ValidationError struct{ Field string; Err error }
//	func (e *ValidationError) Unwrap() error { return e.Err }
//
// errors.Is(&ValidationError{"name", ErrEmpty}, ErrEmpty) was false. When
// the notebook declares error types with such methods, a call of
// errors.Is in checked code calls _gompfmtarg.ErrorsIs (errorsIs) with a
// func literal made for those types, which takes the notebook value out
// of yaegi's wrapper with a type switch and calls its methods:
//
//	func(v any, target error) (next error, nexts []error, is bool, ok bool) {
//		switch x := v.(type) {
//		case *ValidationError:
//			next = x.Unwrap()
//			return next, nexts, is, true
//		}
//		return
//	}

// factErrorsIs marks a call of errors.Is; its Value is the func literal.
const factErrorsIs = "errors-is"

// errorsIsFacts records the fact of each call of errors.Is in the cell's
// code, when the notebook (pkg) declares error types with Unwrap or Is
// methods.
func errorsIsFacts(fset *token.FileSet, f *ast.File, info *types.Info, pkg *types.Package, facts map[string]fact) {
	step := ""
	for _, n := range cellNodes(fset, f) {
		ast.Inspect(n, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if fn, ok := info.Uses[sel.Sel].(*types.Func); !ok || fn.FullName() != "errors.Is" {
				return true
			}
			if step == "" {
				if step = errorsIsStep(pkg); step == "" {
					step = "-"
				}
			}
			if step != "-" {
				facts[factKey(fset, call)] = fact{Kind: factErrorsIs, Value: step}
			}
			return true
		})
	}
}

// errorsIsStep returns the func literal that steps through the notebook
// error types of pkg (see above), or "" when none has Unwrap or Is.
func errorsIsStep(pkg *types.Package) string {
	errType0 := types.Universe.Lookup("error").Type()
	errType := errType0.Underlying().(*types.Interface)
	var cases []string
	names := pkg.Scope().Names()
	sort.Strings(names)
	for _, name := range names {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || strings.HasPrefix(name, reservedPrefix) {
			continue
		}
		n, ok := tn.Type().(*types.Named)
		if !ok || n.TypeParams().Len() > 0 || types.IsInterface(n) {
			continue
		}
		for _, t := range []types.Type{n, types.NewPointer(n)} {
			if !types.Implements(t, errType) {
				continue
			}
			ms := types.NewMethodSet(t)
			var body []string
			if sig := methodSetSig(ms, "Unwrap"); sig != nil && sig.Params().Len() == 0 && sig.Results().Len() == 1 {
				switch r := sig.Results().At(0).Type(); {
				case types.Identical(r, errType0):
					body = append(body, "next = x.Unwrap()")
				case types.Identical(r, types.NewSlice(errType0)):
					body = append(body, "nexts = x.Unwrap()")
				}
			}
			if sig := methodSetSig(ms, "Is"); sig != nil && sig.Params().Len() == 1 && sig.Results().Len() == 1 &&
				types.Identical(sig.Params().At(0).Type(), errType0) && types.Identical(sig.Results().At(0).Type(), types.Typ[types.Bool]) {
				body = append(body, "is = x.Is(target)")
			}
			if len(body) == 0 {
				continue
			}
			expr := name
			if _, ptr := t.(*types.Pointer); ptr {
				expr = "*" + name
			}
			cases = append(cases, "case "+expr+":\n"+strings.Join(body, "\n")+"\nreturn next, nexts, is, true")
			break
		}
	}
	if len(cases) == 0 {
		return ""
	}
	return "func(v any, target error) (next error, nexts []error, is bool, ok bool) {\nswitch x := v.(type) {\n" +
		strings.Join(cases, "\n") + "\n}\nreturn\n}"
}

// methodSetSig returns the signature of method name in ms, nil without it.
func methodSetSig(ms *types.MethodSet, name string) *types.Signature {
	if m := ms.Lookup(nil, name); m != nil {
		sig, _ := m.Type().(*types.Signature)
		return sig
	}
	return nil
}

// lowerErrorsIs makes call, errors.Is(err, target), call
// _gompfmtarg.ErrorsIs(err, target, step) with f's func literal.
func lowerErrorsIs(call *ast.CallExpr, f fact) {
	if len(call.Args) != 2 {
		return // lowered before
	}
	p := call.Pos()
	step := parseAt(f.Value, p)
	if step == nil {
		return
	}
	call.Fun = &ast.SelectorExpr{X: &ast.Ident{Name: reserved("fmtarg"), NamePos: p}, Sel: &ast.Ident{Name: "ErrorsIs", NamePos: p}}
	call.Args = append(call.Args, step)
}

// errorsIs is errors.Is for notebook code (see above): step returns,
// for a notebook value taken out of yaegi's wrapper, what its Unwrap
// and Is methods say, ok false for a value of no such type.
func errorsIs(err, target error, step func(v any, target error) (error, []error, bool, bool)) bool {
	if err == nil || target == nil {
		return errors.Is(err, target)
	}
	for err != nil {
		if errors.Is(err, target) || sameNotebookValue(err, target) {
			return true
		}
		if v, ok := yaegiWrapped(err); ok && step != nil {
			next, nexts, is, ok := step(v, target)
			switch {
			case !ok:
				return false
			case is:
				return true
			case nexts != nil:
				for _, e := range nexts {
					if errorsIs(e, target, step) {
						return true
					}
				}
				return false
			}
			err = next
			continue
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if errorsIs(e, target, step) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// yaegiWrapped returns the notebook value inside err when err is yaegi's
// wrapper of one (a struct whose first field is IValue, as errorsAs
// reads it).
func yaegiWrapped(err error) (any, bool) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Struct || v.NumField() == 0 || v.Type().Field(0).Name != "IValue" {
		return nil, false
	}
	f := v.Field(0)
	if !f.IsValid() || f.IsNil() || !f.CanInterface() {
		return nil, false
	}
	return f.Interface(), true
}

// sameNotebookValue reports whether err and target are yaegi's wrappers
// of one comparable notebook value (a sentinel of a notebook error type):
// the wrappers themselves hold funcs, which do not compare.
func sameNotebookValue(err, target error) bool {
	a, ok1 := yaegiWrapped(err)
	b, ok2 := yaegiWrapped(target)
	if !ok1 || !ok2 || reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}
