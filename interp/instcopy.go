package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"
)

// copyDecl writes fd with its name replaced by name (kept when name is
// ""), its type parameters dropped and replaced by subst.
func (g *instantiator) copyDecl(p *srcPkg, fd *ast.FuncDecl, name string, subst map[*types.TypeParam]string) (string, []string, error) {
	var nameID *ast.Ident
	if name != "" {
		nameID = fd.Name
	}
	return g.copyNode(p, fd, nameID, name, subst, "")
}

// edit replaces the text from pos to end.
type edit struct {
	pos, end int
	text     string
}

// copyNode writes n's source with the references of its identifiers
// rewritten: nameID (the declared name) becomes name, type parameters
// their arguments, the package's own objects their copies, other
// packages their reserved import names, instances of generic types their
// instances' names. With recv, n is a method of a generic type and its
// receiver's type becomes recv, the instance's name.
func (g *instantiator) copyNode(p *srcPkg, n ast.Node, nameID *ast.Ident, name string, subst map[*types.TypeParam]string, recv string) (string, []string, error) {
	file := p.fset.File(n.Pos())
	src := p.src[file]
	base := file.Offset(n.Pos())
	off := func(pos token.Pos) int { return file.Offset(pos) - base }
	imports := map[string]bool{}
	words := typeWords(subst)
	var edits []edit
	// Ranges over funcs and ints are lowered in the copy
	// (lowerCopiedRanges), with facts made here: rangeIndex numbers n's
	// range statements.
	var encl *types.Signature
	var recvList *ast.FieldList
	if fd, ok := n.(*ast.FuncDecl); ok {
		if o := p.objAt[fd.Name.Pos()]; o != nil {
			encl, _ = o.Type().(*types.Signature)
		}
		if recv != "" {
			recvList = fd.Recv
		}
	}
	rangeIndex, enclOf := copiedRanges(p, n, encl)
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
		case *ast.FieldList:
			if x == recvList && len(x.List) == 1 {
				for _, id := range x.List[0].Names {
					ast.Inspect(id, visit)
				}
				t := recvBase(x.List[0].Type)
				edits = append(edits, edit{off(t.Pos()), off(t.End()), recv})
				return false
			}
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
				switch u := t.Underlying().(type) {
				case *types.Signature:
					if enclOf[x] == nil {
						return fail(fmt.Errorf("range over func outside a function"))
					}
					f := rangeFuncFact(x, u, enclOf[x], func(t types.Type) string {
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
					if u.Info()&types.IsInteger == 0 {
						break
					}
					if u.Info()&types.IsUntyped != 0 {
						t = types.Typ[types.Int]
						if x.Tok == token.ASSIGN && x.Key != nil {
							if kt := p.info.Types[x.Key].Type; kt != nil {
								t = kt
							}
						}
					}
					s, im, e := g.typeText(p, t, subst)
					if e != nil {
						return fail(e)
					}
					for _, i := range im {
						imports[i] = true
					}
					rangeFacts[rangeIndex[x]] = fact{Kind: factRangeInt, Type: s}
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
			text, im, e := g.builtinText(p, x, b.Name(), subst)
			if e != nil {
				return fail(e)
			}
			for _, i := range im {
				imports[i] = true
			}
			if text != "" {
				edits = append(edits, edit{off(id.Pos()), off(id.End()), text})
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
			if tv := p.info.Types[x.(ast.Expr)]; tv.IsType() {
				// An instance of a generic type: its instance's name.
				t, im, e := g.typeText(p, tv.Type, subst)
				if e != nil {
					return fail(e)
				}
				for _, i := range im {
					imports[i] = true
				}
				edits = append(edits, edit{off(x.Pos()), off(x.End()), t})
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
			if t, ok := embeddedInstance(o); ok {
				// A field named after the instance it embeds.
				s, im, e := g.typeText(p, t, subst)
				if e != nil {
					return fail(e)
				}
				for _, i := range im {
					imports[i] = true
				}
				edits = append(edits, edit{off(x.Pos()), off(x.End()), s})
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
