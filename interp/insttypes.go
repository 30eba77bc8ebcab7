package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/types"
	"strconv"
	"strings"
)

// Generic types are instantiated as generic functions are: a use of
// Stack[string] (the notebook's own generic type, or one of the standard
// library such as atomic.Pointer[T]) names a concrete declaration made
// from the type's source with the type arguments written for its type
// parameters, with every method of the type copied for it:
//
//	var s Stack[string]  =>  var s _gompGmain_Stack_1a2b3c4d
//	type _gompGmain_Stack_1a2b3c4d struct{ items []string }
//	func (s *_gompGmain_Stack_1a2b3c4d) Push(x string) { ... }
//
// A generic alias (type Set[T comparable] = map[T]struct{}) gets an
// alias of its instance. An instance's name depends only on the type and
// its arguments, so that the values a notebook holds keep their type when
// a later cell adds a method: the instance is then made again with the
// same name and replaces the old one in a rebuild (Session.prepare).

// typeInstance returns the name of the generic type name of the package
// at path instantiated with targs (type expressions valid in the
// notebook), generating its declaration and what it uses when it is new.
func (g *instantiator) typeInstance(path, name string, targs []string) (string, error) {
	defer g.noHoisting()()
	key := instName(path, name, targs)
	if n, ok := g.done[key]; ok {
		return n, nil
	}
	if hasTemplate(path, name) {
		// unique.Handle, weak.Pointer: the type their Make's template
		// returns (stdtemplates.go).
		if key, ok := g.template(path, name, targs); ok {
			return key, nil
		}
	}
	if tpl, ok := typeTemplates[path+"."+name]; ok {
		g.done[key] = key
		r := []string{"NAME", key, "SYNC", pkgAlias("sync")}
		for i, t := range targs {
			r = append(r, "T"+strconv.Itoa(i), typeParen(t))
		}
		var imports []string
		if strings.Contains(tpl, "SYNC") {
			imports = []string{"sync"}
		}
		imports = append(imports, path)
		g.decls = append(g.decls, instDecl{Name: key, Text: strings.NewReplacer(r...).Replace(tpl), Imports: imports, Instance: goInstance(path, name, targs)})
		return key, nil
	}
	p, err := g.source(path, name)
	if err != nil {
		return "", err
	}
	ts := p.spec[name]
	tn, _ := p.pkg.Scope().Lookup(name).(*types.TypeName)
	if ts == nil || ts.TypeParams == nil || tn == nil {
		return "", fmt.Errorf("%s.%s is not a generic type", path, name)
	}
	var tps *types.TypeParamList
	switch t := tn.Type().(type) {
	case *types.Named:
		tps = t.TypeParams()
	case *types.Alias:
		tps = t.TypeParams()
	}
	if tps.Len() != len(targs) {
		return "", fmt.Errorf("%s.%s takes %d type arguments, not %d", path, name, tps.Len(), len(targs))
	}
	subst := map[*types.TypeParam]string{}
	for i := range tps.Len() {
		subst[tps.At(i)] = targs[i]
	}
	g.done[key] = key
	body, imports, err := g.copyNode(p, ts.Type, nil, "", subst, "")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("type " + key + " ")
	if ts.Assign.IsValid() {
		b.WriteString("= ")
	}
	b.WriteString(body)
	for _, m := range p.methods[name] {
		fn, _ := p.objAt[m.Name.Pos()].(*types.Func)
		if fn == nil {
			return "", fmt.Errorf("method %s.%s of %s has no type", name, m.Name.Name, path)
		}
		rtps := fn.Type().(*types.Signature).RecvTypeParams()
		if rtps.Len() != len(targs) {
			// A method of an earlier version of the type, which the
			// checker rejected: the type has no such method now.
			continue
		}
		msubst := map[*types.TypeParam]string{}
		for i := range rtps.Len() {
			msubst[rtps.At(i)] = targs[i]
		}
		text, mi, err := g.copyNode(p, m, nil, "", msubst, key)
		if err != nil {
			return "", fmt.Errorf("method %s.%s: %w", name, m.Name.Name, err)
		}
		b.WriteString("\n" + text)
		imports = append(imports, mi...)
	}
	if path != "main" {
		imports = append(imports, path)
	}
	g.decls = append(g.decls, instDecl{Name: key, Text: b.String(), Imports: imports, Instance: goInstance(path, name, targs)})
	return key, nil
}

// factHoist marks the declaration of a type inside a function that a
// type argument names (func main() { type p struct{...}; Max(ps, less) }):
// the type is declared at package level too (hoistLocal), where the
// instances can name it, and the function's uses of it name that one
// (factRename); the local declaration, renamed to the fact's Value, is
// left unused (yaegi does not take a local alias).
const factHoist = "hoist"

// hoistLocal returns the package-level name of t, a type declared in a
// function of the cell, declaring it (with the local types it uses) when
// it is new. The name depends on the type's structure.
func (g *instantiator) hoistLocal(p *srcPkg, t *types.Named) (string, []string, error) {
	o := t.Obj()
	if n, ok := g.hoisted[o]; ok {
		if n == "" {
			return "", nil, fmt.Errorf("type %s, declared in a function, refers to itself", o.Name())
		}
		return n, nil, nil
	}
	if g.hoisted == nil {
		g.hoisted = map[types.Object]string{}
	}
	g.hoisted[o] = ""
	under, imports, err := g.typeText(p, t.Underlying(), nil)
	if err != nil {
		return "", nil, err
	}
	name := instName("main", "L_"+o.Name(), []string{under})
	g.hoisted[o] = name
	if _, done := g.done[name]; !done {
		g.done[name] = name
		g.decls = append(g.decls, instDecl{Name: name, Text: "type " + name + " " + under, Imports: imports})
	}
	return name, imports, nil
}

// noHoisting turns hoisting off while a declaration is generated (the
// local types of generic code are its own) and returns what turns it
// back.
func (g *instantiator) noHoisting() func() {
	h := g.hoisting
	g.hoisting = false
	return func() { g.hoisting = h }
}

// factRename marks an identifier renamed, to the fact's Value: a use of
// a field that embeds an instance of a generic type (n.Box of struct{
// Box[int] }), which is named after the instance, or of a hoisted type
// (factHoist).
const factRename = "rename"

// embeddedInstance returns the type of o when o is a field embedding an
// instance of a generic type (or a pointer to one).
func embeddedInstance(o types.Object) (types.Type, bool) {
	v, ok := o.(*types.Var)
	if !ok || !v.IsField() || !v.Embedded() {
		return nil, false
	}
	t := v.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	switch n := t.(type) {
	case *types.Named:
		return n, n.TypeArgs() != nil
	case *types.Alias:
		return n, n.TypeArgs() != nil
	}
	return nil, false
}

// goInstance writes the instance of the generic type name of the
// package at path with targs as Go does (record.Instance).
func goInstance(path, name string, targs []string) string {
	if path != "main" {
		name = pkgAlias(path) + "." + name
	}
	return name + "[" + strings.Join(targs, ", ") + "]"
}

// recvBase is the type expression of a receiver without its pointer and
// parentheses (Stack[T] in *Stack[T]).
func recvBase(e ast.Expr) ast.Expr {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		default:
			return e
		}
	}
}

// typeInstRef is how a type instance of the notebook was made: its
// generic type's name and type arguments, to make it again when a later
// cell changes the type or adds a method.
type typeInstRef struct {
	Type  string
	Targs []string
}

// parseInstance reads a record's Instance (Stack[int, map[string]int])
// back into the generic type of the notebook it instantiates and its
// type arguments, as written; ok is false for another package's type.
func parseInstance(s string) (r typeInstRef, ok bool) {
	e, err := parser.ParseExpr(s)
	if err != nil {
		return r, false
	}
	var x ast.Expr
	var args []ast.Expr
	switch e := e.(type) {
	case *ast.IndexExpr:
		x, args = e.X, []ast.Expr{e.Index}
	case *ast.IndexListExpr:
		x, args = e.X, e.Indices
	default:
		return r, false
	}
	id, ok := x.(*ast.Ident)
	if !ok {
		return r, false
	}
	r.Type = id.Name
	for _, a := range args {
		r.Targs = append(r.Targs, s[a.Pos()-1:a.End()-1])
	}
	return r, true
}
