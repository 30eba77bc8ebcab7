package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// Instantiation: a use of a generic function of the standard library
// (slices, maps, cmp, and errors.AsType, sync.OnceValue, reflect.TypeFor
// and the like), which yaegi v0.16.1 runs from its Go 1.22 source
// with its own generics (or lacks), is replaced by the name of a concrete,
// non-generic copy of the function made from its source in GOROOT, with
// the type arguments go/types inferred written for its type parameters:
//
//	slices.Sort(xs)  =>  _gompGslices_Sort_1a2b3c4d(xs)
//
// Everything the function uses from its own package (unexported helpers,
// generic or not, types with their methods, constants) is copied too,
// under reserved names; other packages are imported under reserved names
// (pkgAlias). The copies are declarations the notebook records (cell
// instanceCell), so that rebuilds, snapshots and mp children have them.
//
// instsource.go loads the source the copies are made from, instcopy.go
// makes them, instdeclare.go declares them in the interpreter, and
// compiledinstances.go holds the common instances compiled into gomp.

// instanceCell is the cell name of the generated declarations' records.
const instanceCell = "gomp-generic"

// instantiable are the packages whose generic functions are instantiated.
var instantiable = map[string]bool{"slices": true, "maps": true, "cmp": true, "errors": true, "sync": true, "reflect": true,
	"iter": true, "unique": true, "weak": true, "hash/maphash": true,
	"math/rand/v2": true, "crypto/hkdf": true, "crypto/pbkdf2": true, "runtime": true}

// instDecl is one generated declaration: a function, or a type with its
// methods, or a constant.
type instDecl struct {
	Name    string
	Text    string
	Imports []string // paths it names through pkgAlias
	// Deps are the notebook's names its text uses (type arguments).
	Deps []string
}

// cellTypeArg writes a type argument the checker inferred in a cell as
// the notebook's code names it, with packages through pkgAlias; deps are
// the notebook's names it uses. ok is false for a type declared inside a
// function.
func cellTypeArg(t types.Type) (s string, paths, deps []string, ok bool) {
	s, ok = typeExprOf(t, func(p *types.Package) (string, bool) {
		if p.Path() == "main" {
			return "", true
		}
		if !slices.Contains(paths, p.Path()) {
			paths = append(paths, p.Path())
		}
		return pkgAlias(p.Path()), true
	})
	var visit func(types.Type)
	seen := map[types.Type]bool{}
	visit = func(t types.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.TypeParam:
			ok = false
		case *types.Named:
			if o := t.Obj(); o.Pkg() != nil && o.Pkg().Path() == "main" {
				deps = append(deps, o.Name())
			}
			if ta := t.TypeArgs(); ta != nil {
				for i := range ta.Len() {
					visit(ta.At(i))
				}
			}
		case *types.Pointer:
			visit(t.Elem())
		case *types.Slice:
			visit(t.Elem())
		case *types.Array:
			visit(t.Elem())
		case *types.Map:
			visit(t.Key())
			visit(t.Elem())
		case *types.Chan:
			visit(t.Elem())
		case *types.Signature:
			for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tu.Len() {
					visit(tu.At(i).Type())
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				visit(t.Field(i).Type())
			}
		}
	}
	visit(t)
	return s, paths, deps, ok
}

// factInstance marks a use of a generic function replaced by its
// instance, whose name is the fact's Value.
const factInstance = "instance"

// collectInstances finds the uses of generic functions of instantiable
// packages in the current cell's code in f, generates their instances
// and records a factInstance for each. It returns the declarations
// generated and the positions ("line:col") of the uses, whose members
// the interpreter need not have.
func collectInstances(fset *token.FileSet, f *ast.File, info *types.Info, nb *srcPkg, facts map[string]fact) ([]instDecl, map[string]bool) {
	g := &instantiator{done: map[string]string{}, nb: nb}
	lowered := map[string]bool{}
	visit := func(n ast.Node) bool {
		var fun ast.Expr
		switch x := n.(type) {
		case *ast.IndexExpr:
			fun = x.X
		case *ast.IndexListExpr:
			fun = x.X
		case *ast.SelectorExpr, *ast.Ident:
			fun = x.(ast.Expr)
		case *ast.FuncDecl:
			if x.Type.TypeParams != nil {
				// Its body runs only as instances, which use
				// instances of what it calls.
				ast.Inspect(x.Body, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						p := fset.Position(sel.Pos())
						lowered[strconv.Itoa(p.Line)+":"+strconv.Itoa(p.Column)] = true
					}
					return true
				})
				return false
			}
			return true
		default:
			return true
		}
		var id *ast.Ident
		var pkgPath string
		switch x := fun.(type) {
		case *ast.SelectorExpr:
			xid, ok := x.X.(*ast.Ident)
			if !ok {
				return true
			}
			pn, ok := info.Uses[xid].(*types.PkgName)
			if !ok || !instantiable[pn.Imported().Path()] {
				return true
			}
			id, pkgPath = x.Sel, pn.Imported().Path()
		case *ast.Ident:
			o, ok := info.Uses[x].(*types.Func)
			if !ok || o.Pkg() == nil || o.Pkg().Path() != "main" || o.Parent() != o.Pkg().Scope() || nb == nil {
				return true
			}
			id, pkgPath = x, "main"
		default:
			return true
		}
		in, ok := info.Instances[id]
		if !ok {
			return true
		}
		switch o := info.Uses[id].(type) {
		case *types.Func:
		case *types.TypeName:
			// A generic type with a template (stdtemplates.go).
			if !hasTemplate(pkgPath, o.Name()) {
				return true
			}
		default:
			return true
		}
		var targs, deps, paths []string
		for i := range in.TypeArgs.Len() {
			s, ps, d, ok := cellTypeArg(in.TypeArgs.At(i))
			if !ok {
				return false
			}
			targs = append(targs, s)
			deps = append(deps, d...)
			paths = append(paths, ps...)
		}
		g.deps = nil
		from := len(g.decls)
		name, err := g.cachedInstance(pkgPath, id.Name, targs)
		if err != nil {
			g.decls = g.decls[:from]
			for k, v := range g.done {
				if !slices.ContainsFunc(g.decls, func(d instDecl) bool { return d.Name == v }) {
					delete(g.done, k)
				}
			}
			return false
		}
		for d := range g.deps {
			deps = append(deps, d)
		}
		for i := range g.decls[from:] {
			g.decls[from+i].Deps = deps
			// The type arguments' packages, which the copies name.
			g.decls[from+i].Imports = append(g.decls[from+i].Imports, paths...)
		}
		facts[factKey(fset, n)] = fact{Kind: factInstance, Value: name}
		p := fset.Position(fun.Pos())
		lowered[strconv.Itoa(p.Line)+":"+strconv.Itoa(p.Column)] = true
		return false
	}
	for _, d := range f.Decls {
		if fset.Position(d.Pos()).Filename == curFile+fileSuffix {
			ast.Inspect(d, visit)
		} else if fd, ok := d.(*ast.FuncDecl); ok && isCellFunc(fd.Name.Name) {
			ast.Inspect(fd.Body, visit)
		}
	}
	return g.decls, lowered
}

// lowerInstance replaces a use of a generic function by its instance.
func lowerInstance(n ast.Node, f fact) ast.Expr {
	if pkg, sym, ok := strings.Cut(f.Value, "."); ok {
		return &ast.SelectorExpr{X: &ast.Ident{NamePos: n.Pos(), Name: pkg}, Sel: &ast.Ident{NamePos: n.Pos(), Name: sym}}
	}
	return &ast.Ident{NamePos: n.Pos(), Name: f.Value}
}

// argRefs returns pointers to args' elements.
func argRefs(args []ast.Expr) []*ast.Expr {
	refs := make([]*ast.Expr, len(args))
	for i := range args {
		refs[i] = &args[i]
	}
	return refs
}
