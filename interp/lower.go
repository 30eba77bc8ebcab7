package interp

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// Lowerings: Go that yaegi v0.16.1 cannot run, rewritten into Go it can,
// using what the type checker found (facts). Each lowering is one pass of
// lowerTyped, in its own file (rangeint.go, rangefunc.go, minmax.go,
// clear.go, newexpr.go, rangechans.go, methodvalue.go, printargs.go,
// deferloop.go, recovered.go, boxany.go, instantiate.go). A node without a fact (its cell was not checked) is left
// as it is, and yaegi reports what it reports.

// fact is what a lowering needs to know about one node, found by the
// type checker. Type expressions name packages as the notebook imports
// them; "" when they cannot be written there.
type fact struct {
	// Kind is factRangeInt, factRangeFunc, factMin, factMax, factConst,
	// factClearMap, factClearSlice, factNew, factInstance, factRename,
	// factHoist, factRangeChans, factMethodValue, factPrintArgs,
	// factDeferCapture, factRecover, factJSONEncode, factBoxAny,
	// factElidedPtr, factTypedNil, factMethodExpr, factPanicArg or
	// factUnsupported.
	Kind string `json:"kind"`
	// Type is the range expression's type (factRangeInt), the result's
	// (factMin, factMax, a typed factConst), the argument's (factNew),
	// the slice's element type (factClearSlice), the receiver's
	// (factMethodValue), the pointer's base type (factElidedPtr) or the
	// variable's (factTypedNil).
	Type string `json:"type,omitempty"`
	// Float says that factMin and factMax compare floats (NaN and signed
	// zeros follow the spec).
	Float bool `json:"float,omitempty"`
	// Value is a factConst's value as a Go literal, why a
	// factUnsupported construct cannot run, a factInstance's, factRename's
	// or factHoist's name, a factMethodValue's func type, a
	// factMethodExpr's func literal or a factPanicArg's func.
	Value string `json:"value,omitempty"`
	// Deref says that a factMethodValue's receiver is reached through a
	// pointer (Type is what it points to).
	Deref bool `json:"deref,omitempty"`
	// Params are the yield func's parameter types, Results the
	// enclosing function's result types (factRangeFunc); Params are also
	// the types a factPrintArgs converts its arguments to, and the names
	// of a factDeferCapture's variables (Results their types).
	Params  []string `json:"params,omitempty"`
	Results []string `json:"results,omitempty"`
}

const (
	factRangeInt   = "range-int"
	factMin        = "min"
	factMax        = "max"
	factConst      = "const"
	factClearMap   = "clear-map"
	factClearSlice = "clear-slice"
	factNew        = "new"
	factRangeFunc  = "range-func"
	// factUnsupported marks valid Go that gomp cannot run yet; the
	// checker reports it (unsupported).
	factUnsupported = "unsupported"
)

// factKey names a node by its span in cell coordinates: the cell's name,
// line and column of its start and of its end.
func factKey(fset *token.FileSet, n ast.Node) string {
	p, e := fset.Position(n.Pos()), fset.Position(n.End())
	return strings.TrimSuffix(p.Filename, fileSuffix) + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column) + "-" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column)
}

// cellNodes returns the parts of f, the checker's synthetic file, that
// hold the current cell's code: its declarations, and the bodies of the
// funcs that hold its statements.
func cellNodes(fset *token.FileSet, f *ast.File) []ast.Node {
	var cell []ast.Node
	for _, d := range f.Decls {
		if fset.Position(d.Pos()).Filename == curFile+fileSuffix {
			cell = append(cell, d)
		} else if fd, ok := d.(*ast.FuncDecl); ok && isCellFunc(fd.Name.Name) {
			cell = append(cell, fd.Body)
		}
	}
	return cell
}

// collectFacts records the facts of the nodes of the current cell's code
// in f.
func collectFacts(fset *token.FileSet, f *ast.File, info *types.Info, qual func(*types.Package) (string, bool), facts map[string]fact) {
	typeOf := func(t types.Type) string {
		s, ok := typeExprOf(t, qual)
		if !ok {
			return ""
		}
		return s
	}
	for _, n := range cellNodes(fset, f) {
		// sigs are the signatures of the functions around the node
		// visited, innermost last (the cell's statements: none).
		var stack []ast.Node
		var sigs []*types.Signature
		ast.Inspect(n, func(n ast.Node) bool {
			if n == nil {
				if _, isFunc := stack[len(stack)-1].(*ast.FuncLit); isFunc {
					sigs = sigs[:len(sigs)-1]
				} else if _, isFunc := stack[len(stack)-1].(*ast.FuncDecl); isFunc {
					sigs = sigs[:len(sigs)-1]
				}
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			switch fn := n.(type) {
			case *ast.FuncLit:
				sig, _ := info.Types[fn].Type.(*types.Signature)
				sigs = append(sigs, sig)
			case *ast.FuncDecl:
				var sig *types.Signature
				if o := info.Defs[fn.Name]; o != nil {
					sig, _ = o.Type().(*types.Signature)
				}
				sigs = append(sigs, sig)
			}
			var encl *types.Signature
			if len(sigs) > 0 {
				encl = sigs[len(sigs)-1]
			}
			collectFact(fset, n, info, typeOf, encl, facts)
			if len(stack) > 1 {
				methodValueFact(fset, n, stack[len(stack)-2], info, typeOf, facts)
			}
			boxAnyFact(fset, n, info, encl, facts)
			if d, ok := n.(*ast.DeferStmt); ok {
				if loop, fn := outerLoop(stack); loop != nil {
					deferCaptureFact(fset, d, loop, fn, info, typeOf, facts)
				}
			}
			return true
		})
	}
}

// collectFact records the fact of n, if it has one.
func collectFact(fset *token.FileSet, n ast.Node, info *types.Info, typeOf func(types.Type) string, encl *types.Signature, facts map[string]fact) {
	switch n := n.(type) {
	case *ast.RangeStmt:
		t := info.Types[n.X].Type
		if t == nil {
			return
		}
		if b, ok := t.Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
			if b.Info()&types.IsUntyped != 0 {
				t = types.Typ[types.Int]
				if n.Tok == token.ASSIGN && n.Key != nil {
					if kt := info.Types[n.Key].Type; kt != nil {
						t = kt
					}
				}
			}
			facts[factKey(fset, n)] = fact{Kind: factRangeInt, Type: typeOf(t)}
		}
		if sig, ok := t.Underlying().(*types.Signature); ok {
			facts[factKey(fset, n)] = rangeFuncFact(n, sig, encl, typeOf)
		}
		if f, ok := rangeChansFact(n, t); ok {
			facts[factKey(fset, n)] = f
		}
	case *ast.CompositeLit:
		elidedPtrFact(fset, n, info, typeOf, facts)
	case *ast.AssignStmt:
		typedNilFacts(fset, n, info, typeOf, facts)
	case *ast.SelectorExpr:
		methodExprFact(fset, n, info, typeOf, facts)
	case *ast.CallExpr:
		if f, ok := printArgsFact(n, info, typeOf); ok {
			facts[factKey(fset, n)] = f
			return
		}
		if f, ok := jsonEncodeFact(n, info); ok {
			facts[factKey(fset, n)] = f
			return
		}
		id, ok := ast.Unparen(n.Fun).(*ast.Ident)
		if !ok {
			return
		}
		b, ok := info.Uses[id].(*types.Builtin)
		if !ok {
			return
		}
		tv := info.Types[n]
		switch b.Name() {
		case "recover":
			facts[factKey(fset, n)] = fact{Kind: factRecover}
		case "min", "max":
			if tv.Value != nil {
				if lit, ok := constLiteral(tv.Value); ok {
					ft := fact{Kind: factConst, Value: lit}
					if b, ok := tv.Type.(*types.Basic); !ok || b.Info()&types.IsUntyped == 0 {
						if ft.Type = typeOf(tv.Type); ft.Type == "" {
							return
						}
					}
					facts[factKey(fset, n)] = ft
				}
				return
			}
			if tv.Type == nil {
				return
			}
			u, _ := tv.Type.Underlying().(*types.Basic)
			kind := factMin
			if b.Name() == "max" {
				kind = factMax
			}
			facts[factKey(fset, n)] = fact{Kind: kind, Type: typeOf(tv.Type), Float: u != nil && u.Info()&types.IsFloat != 0}
		case "clear":
			if len(n.Args) != 1 {
				return
			}
			t := info.Types[n.Args[0]].Type
			if t == nil {
				return
			}
			switch u := t.Underlying().(type) {
			case *types.Map:
				facts[factKey(fset, n)] = fact{Kind: factClearMap}
			case *types.Slice:
				facts[factKey(fset, n)] = fact{Kind: factClearSlice, Type: typeOf(u.Elem())}
			}
		case "new":
			if len(n.Args) != 1 {
				return
			}
			at := info.Types[n.Args[0]]
			if at.IsType() || at.Type == nil {
				return
			}
			facts[factKey(fset, n)] = fact{Kind: factNew, Type: typeOf(types.Default(at.Type))}
		}
	}
}

// constLiteral writes a constant as a Go literal of the same value.
func constLiteral(v constant.Value) (string, bool) {
	switch v.Kind() {
	case constant.Int:
		return v.ExactString(), true
	case constant.Float:
		f, _ := constant.Float64Val(v)
		return strconv.FormatFloat(f, 'g', -1, 64), true
	case constant.String:
		return strconv.Quote(constant.StringVal(v)), true
	case constant.Bool:
		return v.String(), true
	}
	return "", false
}

// lowerTyped applies the lowerings to n, code about to be compiled.
func (s *Session) lowerTyped(n ast.Node) {
	facts := s.checker.facts
	if len(facts) == 0 {
		return
	}
	fset := s.yi.FileSet()
	factOf := func(n ast.Node) (fact, bool) {
		f, ok := facts[factKey(fset, n)]
		return f, ok
	}
	seq := 0
	lowerRange := func(r *ast.RangeStmt, lab *ast.LabeledStmt, f fact) ast.Stmt {
		switch f.Kind {
		case factRangeInt:
			return lowerRangeInt(r, lab, f)
		case factRangeChans:
			return lowerRangeChans(r, lab, f)
		}
		seq++
		return lowerRangeFunc(r, lab, f, seq)
	}
	astutil.Apply(n, nil, func(c *astutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *ast.RangeStmt:
			if f, ok := factOf(x); ok && isRangeFact(f) {
				if _, labeled := c.Parent().(*ast.LabeledStmt); !labeled {
					c.Replace(lowerRange(x, nil, f))
				}
			}
		case *ast.LabeledStmt:
			if r, ok := x.Stmt.(*ast.RangeStmt); ok {
				if f, ok := factOf(r); ok && isRangeFact(f) {
					c.Replace(lowerRange(r, x, f))
				}
			}
		case *ast.Ident:
			if f, ok := factOf(x); ok && f.Kind == factRename {
				x.Name = f.Value
			}
		case *ast.TypeSpec:
			if f, ok := factOf(x); ok && f.Kind == factHoist {
				x.Name = &ast.Ident{NamePos: x.Name.Pos(), Name: f.Value}
			}
		case *ast.CompositeLit:
			if f, ok := factOf(x); ok && f.Kind == factElidedPtr && x.Type == nil {
				c.Replace(lowerElidedPtr(x, f))
			}
		case *ast.SelectorExpr, *ast.IndexExpr, *ast.IndexListExpr:
			if f, ok := factOf(x); ok && f.Kind == factInstance {
				c.Replace(lowerInstance(x, f))
			} else if ok && f.Kind == factMethodExpr {
				c.Replace(lowerMethodExpr(x.(*ast.SelectorExpr), f))
			}
			if f, ok := factOf(x); ok && f.Kind == factMethodValue {
				if e := lowerMethodValue(x.(*ast.SelectorExpr), f); e != nil {
					c.Replace(e)
				}
			}
		case *ast.AssignStmt, *ast.ValueSpec, *ast.ReturnStmt:
			if a, ok := x.(*ast.AssignStmt); ok {
				lowerTypedNils(a, factOf)
			}
			if f, ok := factOf(x); ok && f.Kind == factBoxAny {
				lowerBoxAny(x, f)
			}
		case *ast.DeferStmt:
			if lit, ok := ast.Unparen(x.Call.Fun).(*ast.FuncLit); ok {
				if f, ok := factOf(lit); ok && f.Kind == factDeferCapture {
					lowerDeferCapture(x.Call, lit, f)
				}
			}
		case *ast.CallExpr:
			// A notebook generic func, called or passed (instantiate.go).
			for _, e := range append([]*ast.Expr{&x.Fun}, argRefs(x.Args)...) {
				if id, ok := (*e).(*ast.Ident); ok {
					if f, ok := factOf(id); ok && f.Kind == factInstance {
						*e = lowerInstance(id, f)
					}
				}
			}
			f, ok := factOf(x)
			if !ok {
				return true
			}
			switch f.Kind {
			case factBoxAny:
				lowerBoxAny(x, f)
				return true
			case factPrintArgs:
				lowerPrintArgs(x, f)
				return true
			case factJSONEncode:
				lowerJSONEncode(x)
				return true
			case factErrorsIs:
				lowerErrorsIs(x, f)
				return true
			}
			if _, isIdent := ast.Unparen(x.Fun).(*ast.Ident); !isIdent {
				return true
			}
			switch f.Kind {
			case factRecover:
				switch c.Parent().(type) {
				case *ast.DeferStmt, *ast.GoStmt:
				default:
					c.Replace(lowerRecover(x))
				}
			case factConst:
				c.Replace(constExpr(x, f))
			case factMin, factMax:
				if e := lowerMinMax(x, f); e != nil {
					c.Replace(e)
				}
			case factPanicArg:
				lowerPanicArg(x, f)
			case factNew:
				if e := lowerNew(x, f); e != nil {
					c.Replace(e)
				}
			case factClearMap, factClearSlice:
				if e := lowerClear(x, f); e != nil {
					c.Replace(e)
				}
			}
		}
		return true
	})
}

// outerLoop returns, for the node at the top of stack (its ancestors
// below it), the outermost for or range statement around it in its
// function, and that function's body (the cell's statements' when it is
// in none); nil when it is in no loop.
func outerLoop(stack []ast.Node) (loop, fn ast.Node) {
	for i := len(stack) - 2; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loop = n
		case *ast.FuncLit:
			return loop, n.Body
		case *ast.FuncDecl:
			return loop, n.Body
		}
	}
	if loop != nil {
		return loop, stack[0]
	}
	return nil, nil
}

// isRangeFact reports whether f is the fact of a range statement that
// lowerTyped rewrites.
func isRangeFact(f fact) bool {
	return f.Kind == factRangeInt || f.Kind == factRangeFunc || f.Kind == factRangeChans
}

// constExpr is the constant value of a call of min or max with constant
// arguments, which Go folds (so that it may initialise a const).
func constExpr(call *ast.CallExpr, f fact) ast.Expr {
	var e ast.Expr
	switch v := f.Value; {
	case v == "true" || v == "false":
		e = &ast.Ident{NamePos: call.Pos(), Name: v}
	case strings.HasPrefix(v, "-"):
		e = &ast.UnaryExpr{OpPos: call.Pos(), Op: token.SUB, X: &ast.BasicLit{ValuePos: call.Pos(), Kind: litKind(v[1:]), Value: v[1:]}}
	default:
		e = &ast.BasicLit{ValuePos: call.Pos(), Kind: litKind(v), Value: v}
	}
	if f.Type != "" {
		t := parseAt(f.Type, call.Pos())
		if t == nil {
			return call
		}
		e = &ast.CallExpr{Fun: &ast.ParenExpr{Lparen: call.Pos(), X: t, Rparen: call.Pos()}, Lparen: call.Pos(), Args: []ast.Expr{e}, Rparen: call.End() - 1}
	}
	return e
}

func litKind(v string) token.Token {
	switch {
	case strings.HasPrefix(v, `"`):
		return token.STRING
	case strings.ContainsAny(v, ".eE"):
		return token.FLOAT
	}
	return token.INT
}

// parseAt parses a Go expression gomp writes (a type, a func literal)
// and gives every node of it position p, the position of the code it
// stands for; nil if it does not parse.
func parseAt(src string, p token.Pos) ast.Expr {
	e, err := parser.ParseExpr(src)
	if err != nil {
		return nil
	}
	setPos(e, p)
	return e
}

// setPos sets the position fields of the nodes under n to p.
func setPos(n ast.Node, p token.Pos) {
	posType := reflect.TypeFor[token.Pos]()
	ast.Inspect(n, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		v := reflect.ValueOf(n)
		if v.Kind() != reflect.Pointer || v.IsNil() {
			return true
		}
		v = v.Elem()
		if v.Kind() != reflect.Struct {
			return true
		}
		for i := range v.NumField() {
			// A valid Ellipsis makes a call variadic, a valid Arrow a
			// channel type directional: those stay as parsed.
			if name := v.Type().Field(i).Name; name == "Ellipsis" || name == "Arrow" {
				continue
			}
			if fv := v.Field(i); fv.Type() == posType && fv.CanSet() {
				fv.SetInt(int64(p))
			}
		}
		return true
	})
}

// replaceStmts calls replace on each statement of n that sits in a
// statement list (a block, a case or comm clause's body, a labeled
// statement) and puts what it returns in its place. The walk then goes
// on into the replacement, so replace must recognise statements it
// wrote itself. With skipFuncLits the bodies of func literals are left
// alone (their statements run later, in their own scope).
func replaceStmts(n ast.Node, skipFuncLits bool, replace func(ast.Stmt) ast.Stmt) {
	replaceList := func(list []ast.Stmt) {
		for i := range list {
			list[i] = replace(list[i])
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return !skipFuncLits
		case *ast.BlockStmt:
			replaceList(n.List)
		case *ast.CaseClause:
			replaceList(n.Body)
		case *ast.CommClause:
			replaceList(n.Body)
		case *ast.LabeledStmt:
			n.Stmt = replace(n.Stmt)
		}
		return true
	})
}
