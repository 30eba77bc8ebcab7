package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// instantiator generates the declarations of one cell's instances.
type instantiator struct {
	// done maps a key (package, name, type arguments) to its name.
	done  map[string]string
	decls []instDecl
	// nb is the notebook's package, for its generic functions.
	nb *srcPkg
	// deps are the notebook's names the declarations generated use.
	deps map[string]bool
	// hoisting is set while a cell's type argument is written: a type
	// declared in a function of the cell is hoisted (hoistLocal).
	hoisting bool
	// hoisted maps the local types hoisted to their package-level names.
	hoisted map[types.Object]string
}

// instName is the reserved name of name of the package at path,
// instantiated with targs (none: a non-generic declaration).
func instName(path, name string, targs []string) string {
	base := reserved("G" + strings.NewReplacer("/", "_", ".", "_").Replace(path) + "_" + name)
	if len(targs) == 0 {
		return base
	}
	h := fnv.New32a()
	h.Write([]byte(path + "." + name + "[" + strings.Join(targs, ",") + "]"))
	return base + "_" + strconv.FormatUint(uint64(h.Sum32()), 16)
}

// instance returns the name of the function name of the package at path
// instantiated with targs (type expressions valid in the notebook),
// generating it and what it uses when it is new.
func (g *instantiator) instance(path, name string, targs []string) (string, error) {
	defer g.noHoisting()()
	if sym := compiledSymbol(path, name, targs); path != "main" && compiledInstances[sym].IsValid() {
		n := pkgAlias(compiledPath) + "." + sym
		if _, ok := g.done[n]; !ok {
			g.done[n] = n
			g.decls = append(g.decls, instDecl{Name: n, Imports: []string{compiledPath}})
		}
		return n, nil
	}
	if key, ok := g.template(path, name, targs); ok {
		return key, nil
	}
	p, err := g.source(path, name)
	if err != nil {
		return "", err
	}
	fd, ok := p.decls[name].(*ast.FuncDecl)
	if !ok {
		return "", fmt.Errorf("%s.%s is not a function", path, name)
	}
	key := instName(path, name, targs)
	if p.notebook {
		// A new version of the function makes new instances.
		file := p.fset.File(fd.Pos())
		key = instName(path, name, append(slices.Clone(targs), string(p.src[file][file.Offset(fd.Pos()):file.Offset(fd.End())])))
	}
	if n, ok := g.done[key]; ok {
		return n, nil
	}
	fn, _ := p.pkg.Scope().Lookup(name).(*types.Func)
	if fn == nil {
		return "", fmt.Errorf("%s.%s not found", path, name)
	}
	tps := fn.Type().(*types.Signature).TypeParams()
	if tps.Len() != len(targs) {
		return "", fmt.Errorf("%s.%s takes %d type arguments, not %d", path, name, tps.Len(), len(targs))
	}
	subst := map[*types.TypeParam]string{}
	for i := range tps.Len() {
		subst[tps.At(i)] = targs[i]
	}
	g.done[key] = key
	text, imports, err := g.copyDecl(p, fd, key, subst)
	if err != nil {
		return "", err
	}
	g.decls = append(g.decls, instDecl{Name: key, Text: text, Imports: imports})
	return key, nil
}

// plain returns the name of the non-generic package-level object o of p,
// copying its declaration when it is new.
func (g *instantiator) plain(p *srcPkg, o types.Object) (string, error) {
	key := instName(p.path, o.Name(), nil)
	if n, ok := g.done[key]; ok {
		return n, nil
	}
	g.done[key] = key
	switch o := o.(type) {
	case *types.Const:
		t, imports, err := g.typeText(p, o.Type(), nil)
		if err != nil {
			return "", err
		}
		lit, ok := constLiteral(o.Val())
		if !ok {
			return "", fmt.Errorf("constant %s.%s cannot be written", p.path, o.Name())
		}
		g.decls = append(g.decls, instDecl{Name: key, Text: "const " + key + " " + t + " = " + lit, Imports: imports})
		return key, nil
	case *types.Func:
		if text, ok := bodyless[p.path+"."+o.Name()]; ok {
			r := reserved("P_reflect")
			g.decls = append(g.decls, instDecl{Name: key, Text: strings.NewReplacer("NAME", key, "reflect", r).Replace(text), Imports: []string{"reflect"}})
			return key, nil
		}
		fd, ok := p.decls[o.Name()].(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			return "", fmt.Errorf("%s.%s has no source", p.path, o.Name())
		}
		text, imports, err := g.copyDecl(p, fd, key, nil)
		if err != nil {
			return "", err
		}
		g.decls = append(g.decls, instDecl{Name: key, Text: text, Imports: imports})
		return key, nil
	case *types.TypeName:
		ts := p.spec[o.Name()]
		if ts == nil || ts.TypeParams != nil {
			return "", fmt.Errorf("type %s.%s cannot be copied", p.path, o.Name())
		}
		text, imports, err := g.copyNode(p, ts, ts.Name, key, nil, "")
		if err != nil {
			return "", err
		}
		text = "type " + text
		for _, m := range p.methods[o.Name()] {
			mt, mi, err := g.copyDecl(p, m, "", nil)
			if err != nil {
				return "", err
			}
			text += "\n" + mt
			imports = append(imports, mi...)
		}
		g.decls = append(g.decls, instDecl{Name: key, Text: text, Imports: imports})
		return key, nil
	}
	return "", fmt.Errorf("%s.%s cannot be copied", p.path, o.Name())
}

// stdInstances caches, per process, the declarations generated for an
// instance of a standard function: a first element naming it, then the
// declarations (its own and what it uses).
var stdInstances = struct {
	mu sync.Mutex
	m  map[string][]instDecl
}{m: map[string][]instDecl{}}

// cachedInstance is instance, with the standard library's instances
// taken from stdInstances.
func (g *instantiator) cachedInstance(path, name string, targs []string) (string, error) {
	if path == "main" {
		return g.instance(path, name, targs)
	}
	key := instName(path, name, targs)
	stdInstances.mu.Lock()
	ds, ok := stdInstances.m[key]
	stdInstances.mu.Unlock()
	if !ok {
		// Made apart, so that the list is complete whatever g made.
		sub := &instantiator{done: map[string]string{}}
		n, err := sub.instance(path, name, targs)
		if err != nil {
			return "", err
		}
		ds = append([]instDecl{{Name: n}}, sub.decls...)
		stdInstances.mu.Lock()
		stdInstances.m[key] = ds
		stdInstances.mu.Unlock()
	}
	for _, d := range ds[1:] {
		if _, done := g.done[d.Name]; !done {
			g.done[d.Name] = d.Name
			g.decls = append(g.decls, d)
		}
	}
	return ds[0].Name, nil
}

// source returns the package holding path.name: the notebook's for
// "main", else the standard package's source.
func (g *instantiator) source(path, name string) (*srcPkg, error) {
	p := g.nb
	if path != "main" {
		var err error
		if p, err = loadSrcPkg(path); err != nil {
			return nil, err
		}
	}
	if p == nil {
		return nil, fmt.Errorf("no source for %s.%s", path, name)
	}
	return p, nil
}
