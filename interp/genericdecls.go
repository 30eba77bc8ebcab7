package interp

import (
	"go/ast"
	"go/token"
)

// genericDecl reports whether d is a generic declaration: a generic
// func, a method of a generic type, or types that are all generic.
func genericDecl(d ast.Decl) bool {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Type.TypeParams != nil || genericRecv(d)
	case *ast.GenDecl:
		if d.Tok != token.TYPE || len(d.Specs) == 0 {
			return false
		}
		for _, sp := range d.Specs {
			if ts, ok := sp.(*ast.TypeSpec); !ok || ts.TypeParams == nil {
				return false
			}
		}
		return true
	}
	return false
}

// withholdGeneric removes from f, a file about to be compiled, the
// generic declarations: generic funcs, generic types (aliases too) and
// the methods of generic types. The notebook records them and the type
// checker reads them, but only their concrete instances run
// (instantiate.go, insttypes.go), so yaegi's own generics, which fail on
// much of them, never see them. With the checker off (no instances are
// made), the session leaves them in. f's slices are replaced, not
// changed.
func withholdGeneric(f *ast.File) {
	var decls []ast.Decl
	for _, d := range f.Decls {
		if genericDecl(d) {
			continue
		}
		switch x := d.(type) {
		case *ast.GenDecl:
			if x.Tok != token.TYPE {
				break
			}
			var specs []ast.Spec
			for _, sp := range x.Specs {
				if ts, ok := sp.(*ast.TypeSpec); !ok || ts.TypeParams == nil {
					specs = append(specs, sp)
				}
			}
			if len(specs) == 0 {
				continue
			}
			if len(specs) < len(x.Specs) {
				c := *x
				c.Specs = specs
				d = &c
			}
		}
		decls = append(decls, d)
	}
	f.Decls = decls
}
