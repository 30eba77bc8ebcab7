package interp

import (
	"go/parser"
	"go/types"
)

// typedMembers adds the fields and methods of expression x's type as the
// type checker sees it in the notebook: the results of the notebook's
// functions (`f().`), fields of fields (`p.When.`), whatever go/types can
// type without running x. It reports false when it cannot tell (x does
// not type-check in the notebook, or the checker is off).
func (s *Session) typedMembers(c *candidates, x string) bool {
	if s.checker.off {
		return false
	}
	if _, err := parser.ParseExpr(x); err != nil {
		return false
	}
	src, ok := s.synthesize(nil, "", "", nil)
	if !ok {
		return false
	}
	q := reserved("Q")
	src.cell += "var " + q + " = " + x + "\n"
	res := s.typeCheck(src, false, nil)
	if res == nil || res.pkg == nil {
		return false
	}
	obj := res.pkg.Scope().Lookup(q)
	if obj == nil || obj.Type() == nil || obj.Type() == types.Typ[types.Invalid] {
		return false
	}
	t := obj.Type()
	qual := func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		return p.Name()
	}
	visible := func(o types.Object) bool {
		return o.Exported() || o.Pkg() != nil && o.Pkg().Path() == "main"
	}
	added := false
	ms := t
	if _, isPtr := t.(*types.Pointer); !isPtr && !types.IsInterface(t) {
		ms = types.NewPointer(t) // a variable is addressable
	}
	mset := types.NewMethodSet(ms)
	for i := range mset.Len() {
		m := mset.At(i).Obj()
		if visible(m) {
			c.add(rankNotebook, m.Name(), "method", types.TypeString(m.Type(), qual))
			added = true
		}
	}
	base := t
	if p, ok := base.(*types.Pointer); ok {
		base = p.Elem()
	}
	if st, ok := base.Underlying().(*types.Struct); ok {
		for f := range st.Fields() {
			if visible(f) {
				c.add(rankNotebook, f.Name(), "field", types.TypeString(f.Type(), qual))
				added = true
			}
		}
	}
	return added
}
