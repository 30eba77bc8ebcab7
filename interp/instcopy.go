package interp

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/ast/astutil"
)

// bodyless are Go versions of functions the runtime provides to a
// package (no body in its source), by path.name.
var bodyless = map[string]string{
	"maps.clone": `func NAME(m any) any {
	v := reflect.ValueOf(m)
	c := reflect.MakeMapWithSize(v.Type(), v.Len())
	for it := v.MapRange(); it.Next(); {
		c.SetMapIndex(it.Key(), it.Value())
	}
	return c.Interface()
}`,
}

// templates are the instances of generic functions whose source uses
// what the interpreter lacks, by path.name, with T0 for the type
// argument and PKG for the package: errors.AsType asks errors.As, which
// the session replaces with one that sees notebook errors (errorsAs).
var templates = map[string]string{
	"errors.AsType":   "func NAME(err error) (T0, bool) {\n\tvar e T0\n\tok := PKG.As(err, &e)\n\treturn e, ok\n}",
	"reflect.TypeFor": "func NAME() PKG.Type {\n\tvar v T0\n\tif t := PKG.TypeOf(v); t != nil {\n\t\treturn t\n\t}\n\treturn PKG.TypeOf((*T0)(nil)).Elem()\n}",
}

// instantiator generates the declarations of one cell's instances.
type instantiator struct {
	// done maps a key (package, name, type arguments) to its name.
	done  map[string]string
	decls []instDecl
	// nb is the notebook's package, for its generic functions.
	nb *srcPkg
	// deps are the notebook's names the declarations generated use.
	deps map[string]bool
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
	p := g.nb
	if path != "main" {
		var err error
		if p, err = loadSrcPkg(path); err != nil {
			return "", err
		}
	}
	if p == nil {
		return "", fmt.Errorf("no source for %s.%s", path, name)
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
		text, imports, err := g.copyNode(p, ts, ts.Name, key, nil)
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

// copyDecl writes fd with its name replaced by name (kept when name is
// ""), its type parameters dropped and replaced by subst.
func (g *instantiator) copyDecl(p *srcPkg, fd *ast.FuncDecl, name string, subst map[*types.TypeParam]string) (string, []string, error) {
	var nameID *ast.Ident
	if name != "" {
		nameID = fd.Name
	}
	return g.copyNode(p, fd, nameID, name, subst)
}

// edit replaces the text from pos to end.
type edit struct {
	pos, end int
	text     string
}

// copyNode writes n's source with the references of its identifiers
// rewritten: nameID (the declared name) becomes name, type parameters
// their arguments, the package's own objects their copies, other
// packages their reserved import names.
func (g *instantiator) copyNode(p *srcPkg, n ast.Node, nameID *ast.Ident, name string, subst map[*types.TypeParam]string) (string, []string, error) {
	file := p.fset.File(n.Pos())
	src := p.src[file]
	base := file.Offset(n.Pos())
	off := func(pos token.Pos) int { return file.Offset(pos) - base }
	imports := map[string]bool{}
	words := typeWords(subst)
	var edits []edit
	// Ranges over funcs are lowered in the copy (lowerCopiedRanges),
	// with facts made here: rangeIndex numbers n's range statements,
	// inLit and labeled tell those that are not lowered.
	var encl *types.Signature
	if fd, ok := n.(*ast.FuncDecl); ok && fd.Recv == nil {
		if o := p.objAt[fd.Name.Pos()]; o != nil {
			encl, _ = o.Type().(*types.Signature)
		}
	}
	rangeIndex := map[*ast.RangeStmt]int{}
	inLit := map[*ast.RangeStmt]bool{}
	labeled := map[*ast.RangeStmt]bool{}
	ast.Inspect(n, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.RangeStmt:
			rangeIndex[x] = len(rangeIndex)
		case *ast.LabeledStmt:
			if r, ok := x.Stmt.(*ast.RangeStmt); ok {
				labeled[r] = true
			}
		case *ast.FuncLit:
			ast.Inspect(x.Body, func(y ast.Node) bool {
				if r, ok := y.(*ast.RangeStmt); ok {
					inLit[r] = true
				}
				return true
			})
		}
		return true
	})
	rangeFacts := map[int]fact{}
	var err error
	fail := func(e error) bool {
		if err == nil {
			err = e
		}
		return false
	}
	// generic returns the instance name of the generic function used at
	// id, if id uses one of an instantiable package.
	generic := func(id *ast.Ident) (string, bool, error) {
		in, ok := p.instAt[id.Pos()]
		if !ok {
			return "", false, nil
		}
		o := p.objAt[id.Pos()]
		if o == nil || o.Pkg() == nil || (o.Pkg() != p.pkg && !instantiable[o.Pkg().Path()]) {
			return "", true, fmt.Errorf("%s is generic", id.Name)
		}
		var targs []string
		for i := range in.TypeArgs.Len() {
			t, im, err := g.typeText(p, in.TypeArgs.At(i), subst)
			if err != nil {
				return "", true, err
			}
			for _, x := range im {
				imports[x] = true
			}
			targs = append(targs, t)
		}
		nm, err := g.instance(o.Pkg().Path(), o.Name(), targs)
		return nm, true, err
	}
	var visit func(x ast.Node) bool
	visit = func(x ast.Node) bool {
		if err != nil {
			return false
		}
		switch x := x.(type) {
		case *ast.FuncType:
			if x.TypeParams != nil && nameID != nil {
				edits = append(edits, edit{off(x.TypeParams.Opening), off(x.TypeParams.Closing) + 1, ""})
				// The type parameters' own names and constraints go.
				ast.Inspect(x.Params, visit)
				if x.Results != nil {
					ast.Inspect(x.Results, visit)
				}
				return false
			}
		case *ast.RangeStmt:
			if t := p.info.Types[x.X].Type; t != nil {
				// Range over int is not lowered here.
				switch u := t.Underlying().(type) {
				case *types.Signature:
					if encl == nil || inLit[x] || labeled[x] {
						return fail(fmt.Errorf("range over func in a func literal, a method or with a label"))
					}
					f := rangeFuncFact(x, u, encl, func(t types.Type) string {
						s, im, e := g.typeText(p, t, subst)
						if e != nil {
							return ""
						}
						for _, i := range im {
							imports[i] = true
						}
						return s
					})
					if f.Kind != factRangeFunc {
						return fail(fmt.Errorf("%s", f.Value))
					}
					rangeFacts[rangeIndex[x]] = f
				case *types.Basic:
					if u.Info()&types.IsInteger != 0 {
						return fail(fmt.Errorf("range over int"))
					}
				}
			}
		case *ast.CallExpr:
			id, ok := ast.Unparen(x.Fun).(*ast.Ident)
			if !ok {
				return true
			}
			b, ok := p.objAt[id.Pos()].(*types.Builtin)
			if !ok {
				return true
			}
			switch b.Name() {
			case "min", "max":
				t, im, e := g.typeText(p, p.info.Types[x].Type, subst)
				if e != nil {
					return fail(e)
				}
				for _, i := range im {
					imports[i] = true
				}
				less := "<"
				if b.Name() == "max" {
					less = ">"
				}
				lit := strings.NewReplacer("T", typeParen(t), "LESS", less, "X", reserved("X"), "Ys", reserved("Ys"), "Y", reserved("Y")).Replace(
					"func(X T, Ys ...T) T { for _, Y := range Ys { if X != X { break }; if Y != Y || Y LESS X { X = Y } }; return X }")
				edits = append(edits, edit{off(id.Pos()), off(id.End()), "(" + lit + ")"})
			case "clear":
				if len(x.Args) != 1 {
					return fail(fmt.Errorf("clear"))
				}
				at := p.info.Types[x.Args[0]].Type
				if at == nil {
					return fail(fmt.Errorf("clear of an untyped value"))
				}
				if _, isMap := at.Underlying().(*types.Map); isMap {
					return fail(fmt.Errorf("clear of a map"))
				}
				t, im, e := g.typeText(p, at, subst)
				if e != nil {
					return fail(e)
				}
				for _, i := range im {
					imports[i] = true
				}
				lit := strings.NewReplacer("T", typeParen(t), "S", reserved("S"), "Z", reserved("Z"), "I", reserved("I")).Replace(
					"func(S T) { if len(S) == 0 { return }; Z := make(T, 1); for I := range S { S[I] = Z[0] } }")
				edits = append(edits, edit{off(id.Pos()), off(id.End()), "(" + lit + ")"})
			}
		case *ast.TypeSpec:
			if x.TypeParams != nil {
				return fail(fmt.Errorf("generic type %s", x.Name.Name))
			}
		case *ast.IndexExpr, *ast.IndexListExpr:
			var fun ast.Expr
			if ix, ok := x.(*ast.IndexExpr); ok {
				fun = ix.X
			} else {
				fun = x.(*ast.IndexListExpr).X
			}
			var id *ast.Ident
			switch f := fun.(type) {
			case *ast.Ident:
				id = f
			case *ast.SelectorExpr:
				id = f.Sel
			}
			if id == nil {
				return true
			}
			if tn, ok := p.objAt[id.Pos()].(*types.TypeName); ok && tn.Pkg() != nil && tn.Pkg().Path() == "iter" {
				// iter.Seq[E] and Seq2: their func types.
				t, im, e := g.typeText(p, p.info.Types[x.(ast.Expr)].Type, subst)
				if e != nil {
					return fail(e)
				}
				for _, i := range im {
					imports[i] = true
				}
				edits = append(edits, edit{off(x.Pos()), off(x.End()), typeParen(t)})
				return false
			}
			nm, ok, e := generic(id)
			if e != nil {
				return fail(e)
			}
			if ok {
				edits = append(edits, edit{off(x.Pos()), off(x.End()), nm})
				return false
			}
		case *ast.SelectorExpr:
			xid, ok := x.X.(*ast.Ident)
			if !ok {
				return true
			}
			pn, ok := p.objAt[xid.Pos()].(*types.PkgName)
			if !ok {
				return true
			}
			nm, ok, e := generic(x.Sel)
			if e != nil {
				return fail(e)
			}
			if ok {
				edits = append(edits, edit{off(x.Pos()), off(x.End()), nm})
				return false
			}
			if o := p.objAt[x.Sel.Pos()]; o != nil {
				if _, isType := o.(*types.TypeName); isType {
					if tn := o.Type(); tn != nil {
						if named, ok := tn.(*types.Named); ok && named.TypeParams() != nil {
							return fail(fmt.Errorf("generic type %s.%s", pn.Imported().Path(), o.Name()))
						}
					}
				}
			}
			imports[pn.Imported().Path()] = true
			edits = append(edits, edit{off(xid.Pos()), off(xid.End()), pkgAlias(pn.Imported().Path())})
			return false
		case *ast.Ident:
			if x == nameID {
				edits = append(edits, edit{off(x.Pos()), off(x.End()), name})
				return false
			}
			o := p.objAt[x.Pos()]
			if o == nil {
				return false
			}
			if tn, ok := o.(*types.TypeName); ok {
				if tp, ok := tn.Type().(*types.TypeParam); ok {
					t, ok := subst[tp]
					if !ok {
						return fail(fmt.Errorf("type parameter %s has no argument", x.Name))
					}
					edits = append(edits, edit{off(x.Pos()), off(x.End()), typeParen(t)})
					return false
				}
			}
			if words[x.Name] && isLocal(p, o) {
				// A local name a type argument uses would hide it.
				edits = append(edits, edit{off(x.Pos()), off(x.End()), reserved("L_" + x.Name)})
				return false
			}
			if o.Pkg() != p.pkg || o.Parent() != p.pkg.Scope() {
				return false
			}
			isGeneric := false
			if sig, ok := o.Type().(*types.Signature); ok && sig.TypeParams() != nil {
				isGeneric = true
			}
			if p.notebook && !isGeneric {
				if g.deps == nil {
					g.deps = map[string]bool{}
				}
				g.deps[o.Name()] = true
				return false
			}
			if o.Exported() && !isGeneric {
				// The package's own, as the interpreter has it.
				imports[p.path] = true
				edits = append(edits, edit{off(x.Pos()), off(x.End()), pkgAlias(p.path) + "." + o.Name()})
				return false
			}
			if _, isFunc := o.(*types.Func); isFunc {
				if sig := o.Type().(*types.Signature); sig.TypeParams() != nil {
					nm, _, e := generic(x)
					if e != nil {
						return fail(e)
					}
					edits = append(edits, edit{off(x.Pos()), off(x.End()), nm})
					return false
				}
			}
			nm, e := g.plain(p, o)
			if e != nil {
				return fail(e)
			}
			edits = append(edits, edit{off(x.Pos()), off(x.End()), nm})
			return false
		}
		return true
	}
	ast.Inspect(n, visit)
	if err != nil {
		return "", nil, err
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].pos < edits[j].pos })
	text := src[base : base+off(n.End())]
	var b strings.Builder
	at := 0
	for _, e := range edits {
		if e.pos < at {
			continue
		}
		b.Write(text[at:e.pos])
		b.WriteString(e.text)
		at = e.end
	}
	b.Write(text[at:])
	out := b.String()
	if len(rangeFacts) > 0 {
		var e error
		if out, e = lowerCopiedRanges(out, rangeFacts); e != nil {
			return "", nil, e
		}
	}
	var paths []string
	for x := range imports {
		paths = append(paths, x)
	}
	slices.Sort(paths)
	return out, paths, nil
}

// typeParen writes a type argument where a type parameter stood,
// parenthesised when it would not parse there as written.
func typeParen(t string) string {
	if strings.HasPrefix(t, "*") || strings.HasPrefix(t, "func") || strings.HasPrefix(t, "<-") || strings.HasPrefix(t, "chan") {
		return "(" + t + ")"
	}
	return t
}

// typeText writes t, a type of p's source, for the notebook: type
// parameters as subst says, p's own types as their copies, other
// packages' types through pkgAlias, and instances of iter's Seq and Seq2
// as their underlying func types.
func (g *instantiator) typeText(p *srcPkg, t types.Type, subst map[*types.TypeParam]string) (string, []string, error) {
	var imports []string
	var err error
	var write func(t types.Type) string
	tuple := func(tu *types.Tuple, variadic bool) string {
		var parts []string
		for i := range tu.Len() {
			s := write(tu.At(i).Type())
			if variadic && i == tu.Len()-1 {
				s = "..." + write(tu.At(i).Type().(*types.Slice).Elem())
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", ")
	}
	write = func(t types.Type) string {
		switch t := t.(type) {
		case *types.TypeParam:
			s, ok := subst[t]
			if !ok {
				err = fmt.Errorf("type parameter %s has no argument", t)
			}
			return typeParen(s)
		case *types.Basic:
			return t.Name()
		case *types.Alias:
			return write(types.Unalias(t))
		case *types.Named:
			o := t.Obj()
			if o.Pkg() == nil {
				return o.Name()
			}
			if t.TypeArgs() != nil {
				if o.Pkg().Path() == "iter" {
					return write(t.Underlying())
				}
				err = fmt.Errorf("generic type %s", t)
				return ""
			}
			if o.Pkg() == p.pkg && p.notebook {
				if g.deps == nil {
					g.deps = map[string]bool{}
				}
				g.deps[o.Name()] = true
				return o.Name()
			}
			if o.Pkg() == p.pkg && o.Exported() {
				imports = append(imports, p.path)
				return pkgAlias(p.path) + "." + o.Name()
			}
			if o.Pkg() == p.pkg {
				n, e := g.plain(p, o)
				if e != nil {
					err = e
				}
				return n
			}
			imports = append(imports, o.Pkg().Path())
			return pkgAlias(o.Pkg().Path()) + "." + o.Name()
		case *types.Pointer:
			return "*" + write(t.Elem())
		case *types.Slice:
			return "[]" + write(t.Elem())
		case *types.Array:
			return "[" + strconv.FormatInt(t.Len(), 10) + "]" + write(t.Elem())
		case *types.Map:
			return "map[" + write(t.Key()) + "]" + write(t.Elem())
		case *types.Chan:
			switch t.Dir() {
			case types.SendOnly:
				return "chan<- " + write(t.Elem())
			case types.RecvOnly:
				return "<-chan " + write(t.Elem())
			}
			return "chan " + write(t.Elem())
		case *types.Signature:
			s := "func(" + tuple(t.Params(), t.Variadic()) + ")"
			switch r := t.Results(); r.Len() {
			case 0:
			case 1:
				s += " " + write(r.At(0).Type())
			default:
				s += " (" + tuple(r, false) + ")"
			}
			return s
		case *types.Interface:
			if t.Empty() {
				return "any"
			}
		case *types.Struct:
			if t.NumFields() == 0 {
				return "struct{}"
			}
		}
		err = fmt.Errorf("type %s cannot be written", t)
		return ""
	}
	s := write(t)
	return s, imports, err
}

// typeWords are the identifiers the type expressions of subst use.
func typeWords(subst map[*types.TypeParam]string) map[string]bool {
	used := map[string]bool{}
	for _, t := range subst {
		for _, w := range strings.FieldsFunc(t, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127)
		}) {
			used[w] = true
		}
	}
	return used
}

// isLocal reports whether o is a variable, constant or type declared
// inside a function of p (not a field, a method or a type parameter).
func isLocal(p *srcPkg, o types.Object) bool {
	if o.Pkg() != p.pkg || o.Parent() == nil || o.Parent() == p.pkg.Scope() {
		return false
	}
	switch o := o.(type) {
	case *types.Var:
		return !o.IsField()
	case *types.Const:
		return true
	case *types.TypeName:
		_, isTP := o.Type().(*types.TypeParam)
		return !isTP
	}
	return false
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

// lowerCopiedRanges lowers the ranges over funcs of text, a copied
// declaration: facts holds the fact of the i-th range statement (in
// source order) for those that are.
func lowerCopiedRanges(text string, facts map[int]fact) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p;"+text, parser.SkipObjectResolution)
	if err != nil {
		return "", fmt.Errorf("parse a copy: %w", err)
	}
	lower := map[*ast.RangeStmt]fact{}
	i := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok {
			if ft, ok := facts[i]; ok {
				lower[r] = ft
			}
			i++
		}
		return true
	})
	seq := 0
	astutil.Apply(f, nil, func(c *astutil.Cursor) bool {
		if r, ok := c.Node().(*ast.RangeStmt); ok {
			if ft, ok := lower[r]; ok {
				seq++
				c.Replace(lowerRangeFunc(r, nil, ft, seq))
			}
		}
		return true
	})
	var b strings.Builder
	for _, d := range f.Decls {
		if err := format.Node(&b, fset, d); err != nil {
			return "", fmt.Errorf("print a copy: %w", err)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
