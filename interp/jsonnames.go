package interp

import (
	"encoding/json"
	"go/ast"
	"go/types"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gomp-kernel/gomp/interp/stdlib"
	yaegi "github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 gives the unexported fields of a notebook struct exported
// names, "X" and the name (secret becomes Xsecret), so that reflect can
// set them (see fmtnames.go); encoding/json then marshalled them
// ({"Xsecret":"x"}), where Go leaves unexported fields out. The notebook's
// json.Marshal and json.MarshalIndent marshal a copy of the value whose
// struct types lack those fields. As in fmtnames.go, a field really
// declared with a name like Xsecret (an X and then a lower-case letter)
// is taken for a renamed one. A value in yaegi's wrapper (a notebook type
// with a MarshalJSON method) is marshalled as it is. An Encoder's Encode
// is a method of a compiled type: its argument goes through
// _gompfmtarg.JSONView instead (lowerJSONEncode).

var (
	jsonMarshal = reflect.ValueOf(func(v any) ([]byte, error) {
		return json.Marshal(jsonView(v))
	})
	jsonMarshalIndent = reflect.ValueOf(func(v any, prefix, indent string) ([]byte, error) {
		return json.MarshalIndent(jsonView(v), prefix, indent)
	})
)

// jsonViewFunc is JSONView in the interpreter (fmtArgPackage).
var jsonViewFunc = reflect.ValueOf(jsonView)

// factJSONEncode marks a call of (*json.Encoder).Encode.
const factJSONEncode = "json-encode"

// jsonEncodeFact returns the fact of call when it calls
// (*encoding/json.Encoder).Encode.
func jsonEncodeFact(call *ast.CallExpr, info *types.Info) (fact, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || len(call.Args) != 1 {
		return fact{}, false
	}
	s := info.Selections[sel]
	if s == nil {
		return fact{}, false
	}
	if fn, ok := s.Obj().(*types.Func); !ok || fn.FullName() != "(*encoding/json.Encoder).Encode" {
		return fact{}, false
	}
	return fact{Kind: factJSONEncode}, true
}

// lowerJSONEncode passes the argument of call, enc.Encode(v), through
// _gompfmtarg.JSONView.
func lowerJSONEncode(call *ast.CallExpr) {
	a := call.Args[0]
	if c, ok := a.(*ast.CallExpr); ok {
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && isIdent(sel.X, reserved("fmtarg")) {
			return // instrumented before
		}
	}
	p := a.Pos()
	fn := &ast.SelectorExpr{X: &ast.Ident{Name: reserved("fmtarg"), NamePos: p}, Sel: &ast.Ident{Name: "JSONView", NamePos: p}}
	call.Args[0] = &ast.CallExpr{Fun: fn, Lparen: p, Args: []ast.Expr{a}, Rparen: a.End() - 1}
}

// jsonExports are the replacements for encoding/json's symbols, and the
// interfaces yaegi keeps on a notebook value passed to them, as for the
// standard ones.
func jsonExports() yaegi.Exports {
	types := stdlib.MapTypes[reflect.ValueOf(json.Marshal)]
	return yaegi.Exports{
		"encoding/json/json": {"Marshal": jsonMarshal, "MarshalIndent": jsonMarshalIndent},
		".":                  {"MapTypes": reflect.ValueOf(map[reflect.Value][]reflect.Type{jsonMarshal: types, jsonMarshalIndent: types})},
	}
}

// jsonView returns v, or a copy of it without renamed fields.
func jsonView(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return v
	}
	out, changed := viewValue(rv, 0)
	if !changed {
		return v
	}
	return out.Interface()
}

// maxViewDepth bounds the values viewValue looks into: deeper (or
// cyclic) data is marshalled as it is, and json reports a cycle.
const maxViewDepth = 100

// viewTypes caches viewType's answers.
var viewTypes sync.Map // reflect.Type -> reflect.Type

// viewType returns t without renamed struct fields, and whether that
// differs from t. A type that refers to itself is left as it is:
// reflect cannot build one.
func viewType(t reflect.Type, seen map[reflect.Type]bool) (reflect.Type, bool) {
	if c, ok := viewTypes.Load(t); ok {
		return c.(reflect.Type), c.(reflect.Type) != t
	}
	if seen[t] {
		return t, false
	}
	seen[t] = true
	defer delete(seen, t)
	out := t
	switch t.Kind() {
	case reflect.Pointer:
		if e, ok := viewType(t.Elem(), seen); ok {
			out = reflect.PointerTo(e)
		}
	case reflect.Slice:
		if e, ok := viewType(t.Elem(), seen); ok {
			out = reflect.SliceOf(e)
		}
	case reflect.Array:
		if e, ok := viewType(t.Elem(), seen); ok {
			out = reflect.ArrayOf(t.Len(), e)
		}
	case reflect.Map:
		if e, ok := viewType(t.Elem(), seen); ok {
			out = reflect.MapOf(t.Key(), e)
		}
	case reflect.Struct:
		if t.Name() != "" {
			break // a compiled named type, with its own methods
		}
		var fields []reflect.StructField
		changed := false
		for i := range t.NumField() {
			f := t.Field(i)
			if isRenamedField(f) {
				changed = true
				continue
			}
			if ft, ok := viewType(f.Type, seen); ok {
				f.Type, changed = ft, true
			}
			fields = append(fields, f)
		}
		if changed {
			out = structOf(fields, t)
		}
	}
	viewTypes.Store(t, out)
	return out, out != t
}

// structOf is reflect.StructOf(fields), or t where reflect cannot build
// it (an embedded field with methods among others).
func structOf(fields []reflect.StructField, t reflect.Type) (out reflect.Type) {
	defer func() {
		if recover() != nil {
			out = t
		}
	}()
	return reflect.StructOf(fields)
}

// isRenamedField reports whether yaegi renamed f, an unexported field.
func isRenamedField(f reflect.StructField) bool {
	rest, ok := strings.CutPrefix(f.Name, "X")
	if !ok || f.Anonymous {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return r == '_' || unicode.IsLower(r)
}

// viewValue returns v with the type viewType gives, or with renamed
// fields dropped from the values its interfaces hold, and whether it
// changed anything.
func viewValue(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxViewDepth {
		return v, false
	}
	t := v.Type()
	if t.Name() != "" {
		// A compiled named type (yaegi's reflect types of notebook
		// types have no names), with its own methods: yaegi's wrapper
		// of a notebook value with MarshalJSON, time.Time.
		return v, false
	}
	vt, typeChanged := viewType(t, map[reflect.Type]bool{})
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, ok := viewValue(v.Elem(), depth+1)
		if !ok {
			return v, false
		}
		out := reflect.New(t).Elem()
		out.Set(e)
		return out, true
	case reflect.Pointer:
		if v.IsNil() {
			if typeChanged {
				return reflect.Zero(vt), true
			}
			return v, false
		}
		e, ok := viewValue(v.Elem(), depth+1)
		if !ok {
			return v, false
		}
		p := reflect.New(e.Type())
		p.Elem().Set(e)
		return p, true
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			if typeChanged {
				return reflect.Zero(vt), true
			}
			return v, false
		}
		var elems []reflect.Value
		changed := typeChanged
		for i := range v.Len() {
			e, ok := viewValue(v.Index(i), depth+1)
			changed = changed || ok
			elems = append(elems, e)
		}
		if !changed {
			return v, false
		}
		var out reflect.Value
		if t.Kind() == reflect.Slice {
			out = reflect.MakeSlice(vt, len(elems), len(elems))
		} else {
			out = reflect.New(vt).Elem()
		}
		for i, e := range elems {
			out.Index(i).Set(e)
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			if typeChanged {
				return reflect.Zero(vt), true
			}
			return v, false
		}
		keys := v.MapKeys()
		elems := make([]reflect.Value, len(keys))
		changed := typeChanged
		for i, k := range keys {
			e, ok := viewValue(v.MapIndex(k), depth+1)
			changed = changed || ok
			elems[i] = e
		}
		if !changed {
			return v, false
		}
		out := reflect.MakeMapWithSize(vt, len(keys))
		for i, k := range keys {
			out.SetMapIndex(k, elems[i])
		}
		return out, true
	case reflect.Struct:
		var fields []reflect.Value
		changed := typeChanged
		for i := range t.NumField() {
			if typeChanged && isRenamedField(t.Field(i)) {
				continue
			}
			f, ok := viewValue(v.Field(i), depth+1)
			changed = changed || ok
			fields = append(fields, f)
		}
		if !changed {
			return v, false
		}
		out := reflect.New(vt).Elem()
		for i, f := range fields {
			out.Field(i).Set(f)
		}
		return out, true
	}
	return v, false
}
