package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// typeExpr writes t as a Go type expression that evaluates in the
// notebook: the notebook's own types by name (named maps their reflect
// types, which yaegi builds without names), imported packages' types as
// pkg.Name, and the rest structurally.
func (s *Session) typeExpr(t reflect.Type, named map[reflect.Type]string) (string, error) {
	if n, ok := named[t]; ok {
		return n, nil
	}
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name(), nil
		}
		if strings.Contains(t.Name(), "[") {
			return "", fmt.Errorf("type %s: generic instances cannot be named", t)
		}
		if p := s.importName(t.PkgPath()); p != "" {
			return p + "." + t.Name(), nil
		}
		return "", fmt.Errorf("type %s needs import %q", t, t.PkgPath())
	}
	elem := func() (string, error) { return s.typeExpr(t.Elem(), named) }
	switch t.Kind() {
	case reflect.Pointer:
		e, err := elem()
		return "*" + e, err
	case reflect.Slice:
		e, err := elem()
		return "[]" + e, err
	case reflect.Array:
		e, err := elem()
		return "[" + strconv.Itoa(t.Len()) + "]" + e, err
	case reflect.Map:
		k, err := s.typeExpr(t.Key(), named)
		if err != nil {
			return "", err
		}
		e, err := elem()
		return "map[" + k + "]" + e, err
	case reflect.Chan:
		e, err := elem()
		switch t.ChanDir() {
		case reflect.RecvDir:
			return "<-chan " + e, err
		case reflect.SendDir:
			return "chan<- " + e, err
		}
		return "chan " + e, err
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "any", nil
		}
		return "", fmt.Errorf("type %s: unnamed interface", t)
	case reflect.Struct:
		var b strings.Builder
		b.WriteString("struct{")
		for i := range t.NumField() {
			f := t.Field(i)
			ft, err := s.typeExpr(f.Type, named)
			if err != nil {
				return "", err
			}
			if i > 0 {
				b.WriteString("; ")
			}
			if !f.Anonymous {
				b.WriteString(f.Name + " ")
			}
			b.WriteString(ft)
			if f.Tag != "" {
				b.WriteString(" " + strconv.Quote(string(f.Tag)))
			}
		}
		b.WriteString("}")
		return b.String(), nil
	case reflect.Func:
		var b strings.Builder
		b.WriteString("func(")
		for i := range t.NumIn() {
			if i > 0 {
				b.WriteString(", ")
			}
			in, err := s.typeExpr(t.In(i), named)
			if err != nil {
				return "", err
			}
			if t.IsVariadic() && i == t.NumIn()-1 {
				in = "..." + strings.TrimPrefix(in, "[]")
			}
			b.WriteString(in)
		}
		b.WriteString(")")
		if t.NumOut() > 0 {
			b.WriteString(" (")
			for i := range t.NumOut() {
				if i > 0 {
					b.WriteString(", ")
				}
				out, err := s.typeExpr(t.Out(i), named)
				if err != nil {
					return "", err
				}
				b.WriteString(out)
			}
			b.WriteString(")")
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("type %s cannot be written as Go source", t)
}

// keepsTypes reports whether every existing global that the := a
// declares again keeps its static type. Only then may a run as an
// assignment (see runStmt): yaegi gives notebook types with the same
// fields one reflect type and lets a value of one be assigned to a
// variable of the other, which would then show the first type's rich
// output (a declared type also shares its reflect type with its
// underlying type). yaegi also compiles an assignment of a call's
// several results without checking their types (`out, err = f()` with
// out a []any and f returning any) and fails when it runs, so that form
// is always asked. Types it cannot learn count as kept; otherwise,
// without notebook types, reflect types tell types apart and nothing is
// asked.
func (s *Session) keepsTypes(a *ast.AssignStmt) bool {
	multi := len(a.Lhs) > 1 && len(a.Rhs) == 1
	if !multi && !s.declaresTypes() {
		return true
	}
	var rhs []string
	switch {
	case len(a.Rhs) == len(a.Lhs):
		for _, x := range a.Rhs {
			t, _ := s.staticType(x)
			rhs = append(rhs, t)
		}
	case len(a.Rhs) == 1 && len(a.Lhs) == 2 && isCommaOk(a.Rhs[0]):
		t, _ := s.staticType(a.Rhs[0])
		rhs = []string{t, "bool"}
	case len(a.Rhs) == 1:
		call, ok := ast.Unparen(a.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return true
		}
		ft, ok := s.staticType(call.Fun)
		if !ok {
			return true
		}
		if rhs = resultTypes(ft); len(rhs) != len(a.Lhs) {
			return true
		}
	default:
		return true
	}
	for i, l := range a.Lhs {
		if id, ok := l.(*ast.Ident); !ok || id.Name == "_" || rhs[i] == "" {
			continue
		}
		if t, ok := s.staticType(l); ok && normalType(t) != normalType(rhs[i]) {
			return false
		}
	}
	return true
}

// isCommaOk reports whether x yields a value and a bool when assigned to
// two names: a map index, a type assertion or a channel receive.
func isCommaOk(x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.IndexExpr, *ast.TypeAssertExpr:
		return true
	case *ast.UnaryExpr:
		return x.Op == token.ARROW
	}
	return false
}

// staticType returns the type yaegi gives x, as it writes types
// ("main.card", "func(int) (main.card2,error)"), by compiling without
// running an assignment of x to a type no value has (see
// staticTypeOf). It reports false when x is untyped, of interface type,
// or does not compile.
func (s *Session) staticType(x ast.Expr) (string, bool) {
	pos := x.Pos()
	empty := &ast.StructType{Struct: pos, Fields: &ast.FieldList{Opening: pos, Closing: pos}}
	spec := &ast.ValueSpec{
		Names:  []*ast.Ident{{Name: "_", NamePos: pos}},
		Type:   &ast.ArrayType{Lbrack: pos, Len: &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: "0"}, Elt: empty},
		Values: []ast.Expr{x},
	}
	probe := &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{&ast.DeclStmt{Decl: &ast.GenDecl{TokPos: pos, Tok: token.VAR, Specs: []ast.Spec{spec}}}}, Rbrace: pos}
	_, err := s.compileQuiet(probe)
	return staticTypeOf(err)
}

// resultTypes returns the result types of fn, a func type as yaegi
// writes it, or nil when it cannot be read.
func resultTypes(fn string) []string {
	x, err := parser.ParseExpr(fn)
	if err != nil {
		return nil
	}
	ft, ok := x.(*ast.FuncType)
	if !ok || ft.Results == nil {
		return nil
	}
	var out []string
	for _, f := range ft.Results.List {
		t := exprString(f.Type)
		for range max(len(f.Names), 1) {
			out = append(out, t)
		}
	}
	return out
}

// normalType writes the type t in one spelling (yaegi leaves out some
// blanks), so that two spellings of a type compare equal.
func normalType(t string) string {
	x, err := parser.ParseExpr(t)
	if err != nil {
		return t
	}
	return exprString(x)
}

func exprString(x ast.Expr) string {
	var b strings.Builder
	if err := printer.Fprint(&b, token.NewFileSet(), x); err != nil {
		return ""
	}
	return b.String()
}

// declaresTypes reports whether the notebook declared a type.
func (s *Session) declaresTypes() bool {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, d := range s.decls {
		if d.Tok == "type" {
			return true
		}
	}
	return false
}
