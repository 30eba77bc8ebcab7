package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// factDeferCapture marks a func literal deferred in a loop that reads
// variables of the loop's iterations; Params are their names, Results
// their types.
const factDeferCapture = "defer-capture"

// deferCaptureFact records the fact of d, a defer statement inside loop
// (the outermost loop of the function around d), and fn, the body of
// that function, when d calls a func literal that reads variables
// declared in the loop (see lowerDeferCapture).
func deferCaptureFact(fset *token.FileSet, d *ast.DeferStmt, loop, fn ast.Node, info *types.Info, typeOf func(types.Type) string, facts map[string]fact) {
	lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit)
	if !ok || d.Call.Ellipsis.IsValid() {
		return
	}
	inLoop := func(o types.Object) bool { return o.Pos() >= loop.Pos() && o.Pos() < loop.End() }
	inLit := func(o types.Object) bool { return o.Pos() >= lit.Pos() && o.Pos() < lit.End() }
	var vars []*types.Var
	seen := map[*types.Var]bool{}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.IsField() || seen[v] || !inLoop(v) || inLit(v) {
			return true
		}
		seen[v] = true
		vars = append(vars, v)
		return true
	})
	if len(vars) == 0 || assignsAny(fn, loop, seen, info) {
		return
	}
	f := fact{Kind: factDeferCapture}
	for _, v := range vars {
		t := typeOf(v.Type())
		if t == "" {
			return
		}
		f.Params = append(f.Params, v.Name())
		f.Results = append(f.Results, t)
	}
	facts[factKey(fset, lit)] = f
}

// assignsAny reports whether fn assigns one of vars, or takes its
// address, other than where it is declared and in loop's post statement
// (which, since Go 1.22, changes the next iteration's copy): passing its
// value to the deferred call would then hide a later change.
func assignsAny(fn, loop ast.Node, vars map[*types.Var]bool, info *types.Info) bool {
	var post ast.Stmt
	if f, ok := loop.(*ast.ForStmt); ok {
		post = f.Post
	}
	is := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := info.Uses[id].(*types.Var)
		return ok && vars[v]
	}
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if found || (post != nil && n == post) {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				found = found || is(l)
			}
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.UnaryExpr:
			found = found || (n.Op == token.AND && is(n.X))
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				found = found || (n.Key != nil && is(n.Key)) || (n.Value != nil && is(n.Value))
			}
		}
		return !found
	})
	return found
}

// lowerDeferCapture gives lit, a func literal deferred in a loop, the
// variables of the loop's iterations that it reads as parameters, and
// call the current values as arguments. yaegi v0.16.1 keeps one slot for
// a variable declared in a loop's body, even when loopVars copies it per
// iteration, and builds a deferred func literal's closure when the call
// runs, so `for i := range 3 { defer func() { fmt.Println(i) }() }`
// printed 2 2 2. Binding the literal to a variable first, so that it is
// built at the defer statement, deadlocks yaegi (a deferred call of a
// closure value waits on its frame's lock); arguments are evaluated at
// the defer statement (deferArgs):
//
//	defer func() { use(i, x) }()  =>  defer func(i int, x T) { use(i, x) }(i, x)
func lowerDeferCapture(call *ast.CallExpr, lit *ast.FuncLit, f fact) {
	if len(f.Params) != len(f.Results) {
		return
	}
	p := lit.Pos()
	var fields []*ast.Field
	var args []ast.Expr
	for i, name := range f.Params {
		t := parseAt(f.Results[i], p)
		if t == nil {
			return
		}
		fields = append(fields, &ast.Field{Names: []*ast.Ident{{Name: name, NamePos: p}}, Type: t})
		args = append(args, &ast.Ident{Name: name, NamePos: call.Rparen})
	}
	ft := *lit.Type
	params := &ast.FieldList{Opening: p, Closing: p}
	if ft.Params != nil {
		params.List = append(params.List, ft.Params.List...)
	}
	params.List = append(params.List, fields...)
	ft.Params = params
	lit.Type = &ft
	call.Args = append(call.Args, args...)
}
