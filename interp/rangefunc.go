package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
)

// Range over func (Go 1.23). yaegi v0.16.1 cannot range over a function;
// the loop becomes a call of the function with a yield func literal made
// of the body:
//
//	for k, v := range seq { body }
//	=>
//	{
//		var _gompJumpN int       // how the body left the loop, when not by its end
//		var _gompRN0 T0 ...      // the enclosing function's results, for a return
//		seq(func(k K, v V) bool { { body' }; return true })
//		if _gompJumpN == 1 { return _gompRN0, ... }   // a return with values
//		if _gompJumpN == 2 { return }                 // a bare return
//		if _gompJumpN == 3 { break L }                // and continue L, for
//		...                                           // each outer label used
//	}
//
// where body' has `continue` as `return true`, `break` as `return false`
// (unlabeled ones that belong to this loop, and labeled ones naming it),
// and a return, or a break or continue of an outer statement, as setting
// _gompJumpN (and the results) and `return false`. Each iteration gets
// its own k and v, the func's parameters, as Go 1.22 loops do. A body
// with defer or goto is not lowered (the deferred call would run at the
// end of the iteration instead of the function's): the checker reports it
// as not supported yet, as it does a loop whose types the cell cannot
// name.

// rangeFuncFact is the fact of a range over a func of signature sig
// (the range expression's), in a function whose signature is encl; its
// Kind is factUnsupported with the reason when it cannot be lowered.
func rangeFuncFact(r *ast.RangeStmt, sig *types.Signature, encl *types.Signature, typeOf func(types.Type) string) fact {
	no := func(why string) fact { return fact{Kind: factUnsupported, Value: why} }
	if sig.Params().Len() != 1 {
		return no("range over func is not supported yet")
	}
	yield, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok {
		return no("range over func is not supported yet")
	}
	f := fact{Kind: factRangeFunc}
	for v := range yield.Params().Variables() {
		t := typeOf(v.Type())
		if t == "" {
			return no("range over func is not supported yet: the type " + v.Type().String() + " cannot be named in this cell")
		}
		f.Params = append(f.Params, t)
	}
	if encl != nil {
		for v := range encl.Results().Variables() {
			t := typeOf(v.Type())
			if t == "" {
				return no("range over func is not supported yet: the type " + v.Type().String() + " cannot be named in this cell")
			}
			f.Results = append(f.Results, t)
		}
	}
	var why string
	inspectBody(r.Body, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.DeferStmt:
			if why == "" {
				why = "defer in the body of a range over func is not supported yet"
			}
		case *ast.BranchStmt:
			if n.Tok == token.GOTO && why == "" {
				why = "goto in the body of a range over func is not supported yet"
			}
		}
	})
	if why != "" {
		return no(why)
	}
	return f
}

// inspectBody calls f for every node under body, except inside func
// literals (their returns and defers are their own).
func inspectBody(body ast.Node, f func(ast.Node)) {
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		f(n)
		return true
	})
}

// lowerRangeFunc rewrites r (labeled by lab, or nil) as described above;
// seq makes its hidden names unique among nested loops.
func lowerRangeFunc(r *ast.RangeStmt, lab *ast.LabeledStmt, f fact, seq int) ast.Stmt {
	p := r.For
	suffix := strconv.Itoa(seq)
	jump := reserved("Jump" + suffix)
	ident := func(name string) *ast.Ident { return &ast.Ident{NamePos: p, Name: name} }
	own := ""
	if lab != nil {
		own = lab.Label.Name
	}
	inner := map[string]bool{} // labels declared inside the body
	inspectBody(r.Body, func(n ast.Node) {
		if l, ok := n.(*ast.LabeledStmt); ok {
			inner[l.Label.Name] = true
		}
	})
	results := make([]ast.Expr, len(f.Results))
	for i := range results {
		results[i] = ident(reserved("R" + suffix + "_" + strconv.Itoa(i)))
	}
	type exit struct {
		tok   token.Token
		label string
	}
	var exits []exit // outer break/continue targets, in order of use
	code := func(e exit) int {
		for i, x := range exits {
			if x == e {
				return i + 3
			}
		}
		exits = append(exits, e)
		return len(exits) + 2
	}
	retTrue := func(b bool) ast.Stmt {
		v := "false"
		if b {
			v = "true"
		}
		return &ast.ReturnStmt{Return: p, Results: []ast.Expr{ident(v)}}
	}
	setJump := func(n int, more ...ast.Stmt) ast.Stmt {
		list := append(more, &ast.AssignStmt{Lhs: []ast.Expr{ident(jump)}, TokPos: p, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.BasicLit{ValuePos: p, Kind: token.INT, Value: strconv.Itoa(n)}}}, retTrue(false))
		return &ast.BlockStmt{Lbrace: p, List: list, Rbrace: p}
	}
	usedRet := map[int]bool{}
	// rewrite replaces the statements of the body that leave the loop;
	// breakable and continuable say whether a statement inside the body
	// has a for, range, switch or select around it that an unlabeled
	// break (for and range: continue) belongs to.
	var rewrite func(list []ast.Stmt, breakable, continuable bool) []ast.Stmt
	var stmt func(s ast.Stmt, breakable, continuable bool) ast.Stmt
	stmt = func(s ast.Stmt, breakable, continuable bool) ast.Stmt {
		switch s := s.(type) {
		case *ast.BranchStmt:
			name := ""
			if s.Label != nil {
				name = s.Label.Name
			}
			switch {
			case s.Tok == token.BREAK && (name == "" && !breakable || name != "" && name == own):
				return retTrue(false)
			case s.Tok == token.CONTINUE && (name == "" && !continuable || name != "" && name == own):
				return retTrue(true)
			case (s.Tok == token.BREAK || s.Tok == token.CONTINUE) && name != "" && !inner[name]:
				return setJump(code(exit{s.Tok, name}))
			}
		case *ast.ReturnStmt:
			if len(s.Results) == 0 {
				usedRet[2] = true
				return setJump(2)
			}
			usedRet[1] = true
			assign := &ast.AssignStmt{Lhs: append([]ast.Expr(nil), results...), TokPos: s.Return, Tok: token.ASSIGN, Rhs: s.Results}
			return setJump(1, assign)
		case *ast.BlockStmt:
			s.List = rewrite(s.List, breakable, continuable)
		case *ast.LabeledStmt:
			s.Stmt = stmt(s.Stmt, breakable, continuable)
		case *ast.IfStmt:
			s.Body.List = rewrite(s.Body.List, breakable, continuable)
			if s.Else != nil {
				s.Else = stmt(s.Else, breakable, continuable)
			}
		case *ast.ForStmt:
			s.Body.List = rewrite(s.Body.List, true, true)
		case *ast.RangeStmt:
			s.Body.List = rewrite(s.Body.List, true, true)
		case *ast.SwitchStmt:
			for _, c := range s.Body.List {
				c.(*ast.CaseClause).Body = rewrite(c.(*ast.CaseClause).Body, true, continuable)
			}
		case *ast.TypeSwitchStmt:
			for _, c := range s.Body.List {
				c.(*ast.CaseClause).Body = rewrite(c.(*ast.CaseClause).Body, true, continuable)
			}
		case *ast.SelectStmt:
			for _, c := range s.Body.List {
				c.(*ast.CommClause).Body = rewrite(c.(*ast.CommClause).Body, true, continuable)
			}
		}
		return s
	}
	rewrite = func(list []ast.Stmt, breakable, continuable bool) []ast.Stmt {
		for i, s := range list {
			list[i] = stmt(s, breakable, continuable)
		}
		return list
	}
	body := rewrite(r.Body.List, false, false)

	// The yield func's parameters.
	params := &ast.FieldList{Opening: p, Closing: p}
	var assign *ast.AssignStmt
	vars := []ast.Expr{r.Key, r.Value}
	for i, t := range f.Params {
		name := "_"
		if i < len(vars) && vars[i] != nil && !isBlank(vars[i]) {
			if id, ok := vars[i].(*ast.Ident); ok && r.Tok == token.DEFINE {
				name = id.Name
			} else {
				name = reserved("P" + suffix + "_" + strconv.Itoa(i))
				if assign == nil {
					assign = &ast.AssignStmt{TokPos: p, Tok: token.ASSIGN}
				}
				assign.Lhs = append(assign.Lhs, vars[i])
				assign.Rhs = append(assign.Rhs, ident(name))
			}
		}
		te := parseAt(t, p)
		if te == nil {
			return r
		}
		params.List = append(params.List, &ast.Field{Names: []*ast.Ident{ident(name)}, Type: te})
	}
	inner2 := []ast.Stmt{}
	if assign != nil {
		inner2 = append(inner2, assign)
	}
	inner2 = append(inner2, &ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace}, retTrue(true))
	yield := &ast.FuncLit{
		Type: &ast.FuncType{Func: p, Params: params, Results: &ast.FieldList{List: []*ast.Field{{Type: ident("bool")}}}},
		Body: &ast.BlockStmt{Lbrace: p, List: inner2, Rbrace: r.Body.Rbrace},
	}
	call := &ast.ExprStmt{X: &ast.CallExpr{Fun: r.X, Lparen: p, Args: []ast.Expr{yield}, Rparen: r.Body.Rbrace}}

	out := []ast.Stmt{&ast.DeclStmt{Decl: &ast.GenDecl{TokPos: p, Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{ident(jump)}, Type: ident("int")}}}}}
	for i, t := range f.Results {
		if !usedRet[1] {
			break
		}
		te := parseAt(t, p)
		if te == nil {
			return r
		}
		out = append(out, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: p, Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{results[i].(*ast.Ident)}, Type: te}}}})
	}
	out = append(out, call)
	after := func(n int, s ast.Stmt) {
		cond := &ast.BinaryExpr{X: ident(jump), OpPos: p, Op: token.EQL, Y: &ast.BasicLit{ValuePos: p, Kind: token.INT, Value: strconv.Itoa(n)}}
		out = append(out, &ast.IfStmt{If: p, Cond: cond, Body: &ast.BlockStmt{Lbrace: p, List: []ast.Stmt{s}, Rbrace: p}})
	}
	if usedRet[1] {
		after(1, &ast.ReturnStmt{Return: p, Results: results})
	}
	if usedRet[2] {
		after(2, &ast.ReturnStmt{Return: p})
	}
	for i, e := range exits {
		after(i+3, &ast.BranchStmt{TokPos: p, Tok: e.tok, Label: ident(e.label)})
	}
	var block ast.Stmt = &ast.BlockStmt{Lbrace: p, List: out, Rbrace: r.End()}
	if lab != nil {
		// The label stays, on a loop that runs once, so that outer
		// references to it (from enclosing lowered loops) still resolve;
		// its own breaks and continues were turned into returns above.
		lab.Stmt = &ast.ForStmt{For: p, Body: &ast.BlockStmt{Lbrace: p, List: []ast.Stmt{block, &ast.BranchStmt{TokPos: p, Tok: token.BREAK}}, Rbrace: p}}
		return lab
	}
	return block
}
