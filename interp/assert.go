package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// assertions rewrites the type assertions in n whose type is a notebook
// interface. yaegi v0.16.1 fails on them inside a func although the value
// has the methods: `v.(I)` and `s, ok := v.(I)` with v an any parameter
// panic with "reflect.Set: value of type interface {} is not assignable to
// type interp.valueInterface", and `switch v.(type) { case I: }` matches
// no value. A type switch that binds the value works, so
//
//	v.(I)          becomes  func(_gompV any) I { switch _gompX := _gompV.(type) { case I: return _gompX }; return _gompV.(I) }(v)
//	s, ok := v.(I) becomes  s, ok := func(_gompV any) (I, bool) { switch ... { case I: return _gompX, true }; return nil, false }(v)
//	switch x := v.(type) { case I: A; case int, J: B; default: C }
//	becomes
//	{ _gompS := v; switch func(_gompV any) int { if _, _gompOK := _gompV.(I); _gompOK { return 0 }; ...; return 2 }(_gompS) {
//	case 0: x := <_gompS as I>; A
//	case 1: x := _gompS; B
//	default: x := _gompS; C }}
//
// (a failing single assertion still panics with yaegi's message). At top
// level only the comma-ok form is rewritten: a single assertion is left
// alone so that it keeps its frame and positions for explain, and stays a
// documented gap (doc.go) when it succeeds on a value with the methods (a
// type switch at top level runs inside a func, see scoped). Run
// it after prober.rewrite: the generated funcs need no probe.
func (s *Session) assertions(n ast.Node) {
	if !hasAssertion(n) {
		return
	}
	ifaces := s.notebookInterfaces(n)
	method := s.fmtMethodOf(n)
	if len(ifaces) == 0 && !hasFmtInterface(n, method) {
		return
	}
	isIface := func(t ast.Expr) bool {
		if method(t) != "" {
			return true
		}
		id, ok := ast.Unparen(t).(*ast.Ident)
		return ok && ifaces[id.Name]
	}
	ours := func(x *ast.TypeAssertExpr) bool {
		id, ok := x.X.(*ast.Ident)
		return ok && strings.HasPrefix(id.Name, reservedPrefix)
	}
	commaOk := func(x ast.Expr) bool {
		ta, ok := x.(*ast.TypeAssertExpr)
		return ok && ta.Type != nil && isIface(ta.Type) && !ours(ta)
	}
	depth := 0 // funcs around the node: top-level statements are left as they are
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		switch c.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			depth++
		}
		switch x := c.Node().(type) {
		case *ast.AssignStmt:
			if len(x.Lhs) == 2 && len(x.Rhs) == 1 && commaOk(x.Rhs[0]) {
				x.Rhs[0] = assertCall(x.Rhs[0].(*ast.TypeAssertExpr), true, method)
			}
		case *ast.ValueSpec:
			if len(x.Names) == 2 && len(x.Values) == 1 && commaOk(x.Values[0]) {
				x.Values[0] = assertCall(x.Values[0].(*ast.TypeAssertExpr), true, method)
			}
		case *ast.TypeAssertExpr:
			if depth > 0 && x.Type != nil && isIface(x.Type) && !ours(x) {
				c.Replace(assertCall(x, false, method))
			}
		case *ast.TypeSwitchStmt:
			if _, labeled := c.Parent().(*ast.LabeledStmt); labeled || depth == 0 {
				break
			}
			for _, cc := range x.Body.List {
				if slices.ContainsFunc(cc.(*ast.CaseClause).List, isIface) {
					c.Replace(typeSwitch(x, isIface, method))
					break
				}
			}
		}
		return true
	}, func(c *astutil.Cursor) bool {
		switch c.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			depth--
		}
		return true
	})
}

// assertCall builds the func literal call that replaces x (see
// assertions). The func asks with `_, ok := v.(I)`, the one form that
// answers right, and only then converts through a type switch that binds
// the value, which matches more values than it should.
//
// For fmt.Stringer and error (method gives the method they ask for), the
// value is converted by _gompAsStringer or _gompAsError (fmtargs.go):
// yaegi's own conversion of a notebook value to a compiled interface
// reads the value's expression again in the wrong frame.
func assertCall(x *ast.TypeAssertExpr, withOk bool, method func(ast.Expr) string) *ast.CallExpr {
	// The func's own nodes have no position: yaegi then prints its frame
	// as "-", which tracebacks leave out, so that a failing assertion
	// reports the user's frames only. The failing assertion keeps x's
	// position, which explain uses.
	pos := token.NoPos
	id := func(s string) *ast.Ident { return &ast.Ident{Name: s, NamePos: pos} }
	v, bound := reserved("V"), reserved("X")
	results := []*ast.Field{{Type: x.Type}}
	found := []ast.Expr{id(bound)}
	var otherwise ast.Stmt = &ast.ReturnStmt{Return: pos, Results: []ast.Expr{&ast.TypeAssertExpr{X: &ast.Ident{Name: v, NamePos: x.X.Pos()}, Lparen: x.Lparen, Type: x.Type, Rparen: x.Rparen}}}
	if withOk {
		results = append(results, &ast.Field{Type: id("bool")})
		found = append(found, id("true"))
		otherwise = &ast.ReturnStmt{Return: pos, Results: []ast.Expr{id("nil"), id("false")}}
	}
	var convert ast.Stmt = &ast.TypeSwitchStmt{
		Switch: pos,
		Assign: &ast.AssignStmt{Lhs: []ast.Expr{id(bound)}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{&ast.TypeAssertExpr{X: id(v)}}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.CaseClause{
			Case: pos, List: []ast.Expr{x.Type}, Colon: pos,
			Body: []ast.Stmt{&ast.ReturnStmt{Return: pos, Results: found}},
		}}},
	}
	if m := method(x.Type); m != "" {
		found[0] = fmtConversion(id(v), x.Type, m)
		convert = &ast.ReturnStmt{Return: pos, Results: found}
	}
	check := &ast.IfStmt{If: pos, Init: isCheck(id, v, x.Type), Cond: id(reserved("OK")), Body: &ast.BlockStmt{List: []ast.Stmt{convert}}}
	fn := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos,
			Params:  &ast.FieldList{List: []*ast.Field{{Names: []*ast.Ident{id(v)}, Type: id("any")}}},
			Results: &ast.FieldList{List: results},
		},
		Body: &ast.BlockStmt{List: []ast.Stmt{check, otherwise}},
	}
	return &ast.CallExpr{Fun: fn, Lparen: x.Lparen, Args: []ast.Expr{x.X}, Rparen: x.Rparen}
}

// isCheck is `_, _gompOK := v.(t)`.
func isCheck(id func(string) *ast.Ident, v string, t ast.Expr) ast.Stmt {
	return &ast.AssignStmt{Lhs: []ast.Expr{id("_"), id(reserved("OK"))}, Tok: token.DEFINE, Rhs: []ast.Expr{&ast.TypeAssertExpr{X: id(v), Type: t}}}
}

// hasAssertion reports whether n holds a type assertion or type switch.
func hasAssertion(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.TypeAssertExpr, *ast.TypeSwitchStmt:
			found = true
		}
		return !found
	})
	return found
}

// notebookInterfaces names the interface types the notebook declared, in
// earlier cells or in n.
func (s *Session) notebookInterfaces(n ast.Node) map[string]bool {
	out := map[string]bool{}
	add := func(decls []ast.Decl) {
		for _, d := range decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, sp := range g.Specs {
				ts := sp.(*ast.TypeSpec)
				if _, ok := ts.Type.(*ast.InterfaceType); ok && ts.TypeParams == nil && !strings.HasPrefix(ts.Name.Name, reservedPrefix) {
					out[ts.Name.Name] = true
				}
			}
		}
	}
	if f, ok := n.(*ast.File); ok {
		add(f.Decls)
	}
	s.stateMu.RLock()
	var texts []string
	for _, r := range s.decls {
		if r.Tok == "type" {
			texts = append(texts, r.Text)
		}
	}
	s.stateMu.RUnlock()
	for _, t := range texts {
		if !strings.Contains(t, "interface") {
			continue
		}
		if f, err := parser.ParseFile(token.NewFileSet(), "", "package main;"+t, parser.SkipObjectResolution); err == nil {
			add(f.Decls)
		}
	}
	return out
}

// typeSwitch rewrites a type switch with a case of a notebook interface
// into a switch on the index of the case that matches, found with the
// `_, ok := v.(T)` form (see assertions).
func typeSwitch(x *ast.TypeSwitchStmt, isIface func(ast.Expr) bool, method func(ast.Expr) string) ast.Stmt {
	pos := x.Switch
	id := func(s string) *ast.Ident { return &ast.Ident{Name: s, NamePos: pos} }
	sv, v := reserved("S"), reserved("V")
	var bound *ast.Ident
	var subject ast.Expr
	switch a := x.Assign.(type) {
	case *ast.AssignStmt:
		bound = a.Lhs[0].(*ast.Ident)
		subject = a.Rhs[0].(*ast.TypeAssertExpr).X
	case *ast.ExprStmt:
		subject = a.X.(*ast.TypeAssertExpr).X
	}
	ret := func(i int) ast.Stmt {
		return &ast.ReturnStmt{Results: []ast.Expr{&ast.BasicLit{Kind: token.INT, Value: strconv.Itoa(i)}}}
	}
	var checks []ast.Stmt
	deflt := -1
	var clauses []ast.Stmt
	for i, st := range x.Body.List {
		cc := st.(*ast.CaseClause)
		if cc.List == nil {
			deflt = i
		}
		for _, t := range cc.List {
			if isIdent(t, "nil") {
				checks = append(checks, &ast.IfStmt{Cond: &ast.BinaryExpr{X: id(v), Op: token.EQL, Y: id("nil")}, Body: &ast.BlockStmt{List: []ast.Stmt{ret(i)}}})
				continue
			}
			checks = append(checks, &ast.IfStmt{Init: isCheck(id, v, t), Cond: id(reserved("OK")), Body: &ast.BlockStmt{List: []ast.Stmt{ret(i)}}})
		}
		body := cc.Body
		if bound != nil {
			var val ast.Expr = id(sv)
			if len(cc.List) == 1 && !isIdent(cc.List[0], "nil") {
				ta := &ast.TypeAssertExpr{X: id(sv), Type: cc.List[0]}
				if m := method(cc.List[0]); m != "" {
					val = fmtConversion(id(sv), cc.List[0], m)
				} else if isIface(cc.List[0]) {
					val = assertCall(ta, false, method)
				} else {
					val = ta
				}
			}
			name := &ast.Ident{Name: bound.Name, NamePos: bound.NamePos}
			body = append([]ast.Stmt{
				&ast.AssignStmt{Lhs: []ast.Expr{name}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{val}},
				&ast.AssignStmt{Lhs: []ast.Expr{id("_")}, TokPos: pos, Tok: token.ASSIGN, Rhs: []ast.Expr{id(bound.Name)}},
			}, body...)
		}
		var list []ast.Expr
		if cc.List != nil {
			list = []ast.Expr{&ast.BasicLit{ValuePos: cc.Case, Kind: token.INT, Value: strconv.Itoa(i)}}
		}
		clauses = append(clauses, &ast.CaseClause{Case: cc.Case, List: list, Colon: cc.Colon, Body: body})
	}
	checks = append(checks, ret(deflt))
	index := &ast.CallExpr{
		Fun: &ast.FuncLit{
			Type: &ast.FuncType{Params: &ast.FieldList{List: []*ast.Field{{Names: []*ast.Ident{id(v)}, Type: id("any")}}},
				Results: &ast.FieldList{List: []*ast.Field{{Type: id("int")}}}},
			Body: &ast.BlockStmt{List: checks},
		},
		Args: []ast.Expr{id(sv)},
	}
	// A block, not the switch's Init: yaegi v0.16.1 takes every case of
	// `switch s := v; f(s) {` as matching.
	return &ast.BlockStmt{Lbrace: x.Switch, Rbrace: x.End(), List: []ast.Stmt{
		&ast.AssignStmt{Lhs: []ast.Expr{id(sv)}, TokPos: x.Switch, Tok: token.DEFINE, Rhs: []ast.Expr{subject}},
		&ast.SwitchStmt{
			Switch: x.Switch,
			Tag:    index,
			Body:   &ast.BlockStmt{Lbrace: x.Body.Lbrace, List: clauses, Rbrace: x.Body.Rbrace},
		},
	}}
}

// fmtMethodOf returns a func that names the method of t when t is
// fmt.Stringer ("String", fmt as n or the notebook imports it) or error
// ("Error"), else "".
func (s *Session) fmtMethodOf(n ast.Node) func(t ast.Expr) string {
	names := map[string]bool{}
	s.stateMu.RLock()
	for _, im := range s.imports {
		if im.Path == "fmt" {
			switch im.Name {
			case "":
				names["fmt"] = true
			case "_", ".":
			default:
				names[im.Name] = true
			}
		}
	}
	s.stateMu.RUnlock()
	if f, ok := n.(*ast.File); ok {
		for _, im := range f.Imports {
			if im.Path.Value == `"fmt"` {
				name := "fmt"
				if im.Name != nil {
					name = im.Name.Name
				}
				names[name] = true
			}
		}
	}
	return func(t ast.Expr) string {
		switch t := ast.Unparen(t).(type) {
		case *ast.Ident:
			if t.Name == "error" {
				return "Error"
			}
		case *ast.SelectorExpr:
			if x, ok := t.X.(*ast.Ident); ok && names[x.Name] && t.Sel.Name == "Stringer" {
				return "String"
			}
		}
		return ""
	}
}

// hasFmtInterface reports whether n asserts to a type method names.
func hasFmtInterface(n ast.Node, method func(ast.Expr) string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.TypeAssertExpr:
			found = found || (x.Type != nil && method(x.Type) != "")
		case *ast.CaseClause:
			found = found || slices.ContainsFunc(x.List, func(t ast.Expr) bool { return method(t) != "" })
		}
		return !found
	})
	return found
}

// fmtConversion is `_gompAsStringer(v).(t)` (or _gompAsError, as m is
// "String" or "Error"): v, known to have the method, as a t whose method
// reaches the notebook's.
func fmtConversion(v ast.Expr, t ast.Expr, m string) ast.Expr {
	fn := reserved("AsStringer")
	if m == "Error" {
		fn = reserved("AsError")
	}
	return &ast.TypeAssertExpr{X: &ast.CallExpr{Fun: &ast.Ident{Name: fn}, Args: []ast.Expr{v}}, Type: t}
}
