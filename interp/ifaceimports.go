package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/gomp-kernel/gomp/interp/symbols"
)

// Interface packages: when interpreted code hands a value (or an untyped
// nil) to a compiled package's interface type, yaegi wraps it with that
// package's wrapper type (genInterfaceWrapper), which exists only once
// the package's symbols are loaded. gomp loads a package when a cell
// imports it, so bufio.NewReader(r) or http.NewRequest("GET", url, nil)
// in a cell that does not import io panicked with a nil pointer
// dereference when the code around it was declared. The cell's uses of
// such interfaces import their packages under reserved names, as the
// generated instances do (instanceImports), so that rebuilds, snapshots
// and mp children have them too.

// ifaceImports returns, as declarations to import only, the packages of
// the compiled interface types the current cell's code in f passes
// values to: the parameters of the funcs it calls, the fields and
// elements of its composite literals, the variables and fields it
// assigns. (An interpreted value in a compiled struct's interface field,
// http.Request{Body: b}, still fails in yaegi, with reflect.Set, even
// with the package loaded.)
func ifaceImports(fset *token.FileSet, f *ast.File, info *types.Info) []instDecl {
	var paths []string
	add := func(t types.Type) {
		named, ok := types.Unalias(t).(*types.Named)
		if !ok || !types.IsInterface(named) {
			return
		}
		o := named.Obj()
		if o.Pkg() == nil || o.Pkg().Path() == "main" || slices.Contains(paths, o.Pkg().Path()) {
			return
		}
		p := o.Pkg().Path()
		if _, own := symbols.Packages[p]; !own {
			if _, std := stdlibKeys()[p]; !std {
				return
			}
		}
		paths = append(paths, p)
	}
	elems := func(t types.Type) {
		switch u := t.Underlying().(type) {
		case *types.Struct:
			for i := range u.NumFields() {
				add(u.Field(i).Type())
			}
		case *types.Slice:
			add(u.Elem())
		case *types.Array:
			add(u.Elem())
		case *types.Map:
			add(u.Key())
			add(u.Elem())
		}
	}
	visit := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sig, ok := info.TypeOf(n.Fun).(*types.Signature); ok {
				for i := range sig.Params().Len() {
					t := sig.Params().At(i).Type()
					if sig.Variadic() && i == sig.Params().Len()-1 {
						t = t.(*types.Slice).Elem()
					}
					add(t)
				}
			}
		case *ast.CompositeLit:
			if t := info.TypeOf(n); t != nil {
				if p, ok := t.(*types.Pointer); ok {
					t = p.Elem()
				}
				elems(t)
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if t := info.TypeOf(l); t != nil {
					add(t)
				}
			}
		}
		return true
	}
	for _, n := range cellNodes(fset, f) {
		ast.Inspect(n, visit)
	}
	decls := make([]instDecl, len(paths))
	for i, p := range paths {
		decls[i] = instDecl{Name: pkgAlias(p), Imports: []string{p}}
	}
	return decls
}
