package interp

import (
	"fmt"
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
