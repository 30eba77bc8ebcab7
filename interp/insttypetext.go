package interp

import (
	"fmt"
	"go/types"
	"strconv"
	"strings"
)

// typeText writes t, a type of p's source, for the notebook: type
// parameters as subst says, p's own types as their copies, other
// packages' types through pkgAlias, and instances of generic types as
// their instances' names (typeInstance).
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
	instanceOf := func(o *types.TypeName, ta *types.TypeList) string {
		var targs []string
		for i := range ta.Len() {
			targs = append(targs, write(ta.At(i)))
		}
		if err != nil {
			return ""
		}
		n, e := g.typeInstance(o.Pkg().Path(), o.Name(), targs)
		if e != nil {
			err = e
		}
		return n
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
			if ta := t.TypeArgs(); ta != nil && t.Obj().Pkg() != nil {
				return instanceOf(t.Obj(), ta)
			}
			return write(types.Unalias(t))
		case *types.Named:
			o := t.Obj()
			if o.Pkg() == nil {
				return o.Name()
			}
			if ta := t.TypeArgs(); ta != nil {
				return instanceOf(o, ta)
			}
			if g.hoisting && o.Parent() != nil && o.Parent() != o.Pkg().Scope() {
				n, im, e := g.hoistLocal(p, t)
				if e != nil {
					err = e
				}
				imports = append(imports, im...)
				return n
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
			var ms []string
			for i := range t.NumEmbeddeds() {
				ms = append(ms, write(t.EmbeddedType(i)))
			}
			for i := range t.NumExplicitMethods() {
				m := t.ExplicitMethod(i)
				ms = append(ms, m.Name()+strings.TrimPrefix(write(m.Type()), "func"))
			}
			return "interface{ " + strings.Join(ms, "; ") + " }"
		case *types.Struct:
			var fs []string
			for i := range t.NumFields() {
				f := t.Field(i)
				s := write(f.Type())
				if !f.Embedded() {
					s = f.Name() + " " + s
				}
				if tag := t.Tag(i); tag != "" {
					s += " " + strconv.Quote(tag)
				}
				fs = append(fs, s)
			}
			return "struct{" + strings.Join(fs, "; ") + "}"
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

// typeParen writes a type argument where a type parameter stood,
// parenthesised when it would not parse there as written.
func typeParen(t string) string {
	if strings.HasPrefix(t, "*") || strings.HasPrefix(t, "func") || strings.HasPrefix(t, "<-") || strings.HasPrefix(t, "chan") {
		return "(" + t + ")"
	}
	return t
}
