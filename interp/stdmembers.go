package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sync"

	"github.com/traefik/yaegi/stdlib/generic"
)

// genericMembers are the exported names of the standard packages yaegi
// runs from source (its generic cmp, maps and slices), by package name,
// which is their import path.
var genericMembers = sync.OnceValue(func() map[string]map[string]bool {
	m := map[string]map[string]bool{}
	for _, src := range generic.Sources {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		names := m[f.Name.Name]
		if names == nil {
			names = map[string]bool{}
			m[f.Name.Name] = names
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						if sp.Name.IsExported() {
							names[sp.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.IsExported() {
								names[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return m
})

// interpreterHas reports whether the interpreter can run member name of
// the package at path; true for a package it does not know at all (the
// import fails with its own error).
func interpreterHas(path, name string) bool {
	syms := pkgSymbols(path)
	gen := genericMembers()[path]
	if syms == nil && gen == nil {
		return true
	}
	_, ok := syms[name]
	return ok || gen[name]
}
