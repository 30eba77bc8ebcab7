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
// clear.go, newexpr.go, instantiate.go). A node without a fact (its cell was not checked) is left
// as it is, and yaegi reports what it reports.

// fact is what a lowering needs to know about one node, found by the
// type checker. Type expressions name packages as the notebook imports
// them; "" when they cannot be written there.
type fact struct {
	// Kind is factRangeInt, factRangeFunc, factMin, factMax, factConst,
	// factClearMap, factClearSlice, factNew, factInstance,
	// factElidedPtr, factTypedNil, factMethodExpr, factPanicArg or
	// factUnsupported.
	Kind string `json:"kind"`
	// Type is the range expression's type (factRangeInt), the result's
	// (factMin, factMax, a typed factConst), the argument's (factNew),
	// the slice's element type (factClearSlice), the pointer's base
	// type (factElidedPtr) or the variable's (factTypedNil).
	Type string `json:"type,omitempty"`
	// Float says that factMin and factMax compare floats (NaN and signed
	// zeros follow the spec).
	Float bool `json:"float,omitempty"`
	// Value is a factConst's value as a Go literal, why a
	// factUnsupported construct cannot run, a factInstance's name, a
	// factMethodExpr's func literal or a factPanicArg's func.
	Value string `json:"value,omitempty"`
	// Params are the yield func's parameter types, Results the
	// enclosing function's result types (factRangeFunc).
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
	var cell []ast.Node
	for _, d := range f.Decls {
		if fset.Position(d.Pos()).Filename == curFile+fileSuffix {
			cell = append(cell, d)
		} else if fd, ok := d.(*ast.FuncDecl); ok && isCellFunc(fd.Name.Name) {
			cell = append(cell, fd.Body)
		}
	}
	for _, n := range cell {
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
	case *ast.CompositeLit:
		elidedPtrFact(fset, n, info, typeOf, facts)
	case *ast.AssignStmt:
		typedNilFacts(fset, n, info, typeOf, facts)
	case *ast.SelectorExpr:
		methodExprFact(fset, n, info, typeOf, facts)
	case *ast.CallExpr:
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
		if f.Kind == factRangeInt {
			return lowerRangeInt(r, lab, f)
		}
		seq++
		return lowerRangeFunc(r, lab, f, seq)
	}
	astutil.Apply(n, nil, func(c *astutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *ast.RangeStmt:
			if f, ok := factOf(x); ok && (f.Kind == factRangeInt || f.Kind == factRangeFunc) {
				if _, labeled := c.Parent().(*ast.LabeledStmt); !labeled {
					c.Replace(lowerRange(x, nil, f))
				}
			}
		case *ast.LabeledStmt:
			if r, ok := x.Stmt.(*ast.RangeStmt); ok {
				if f, ok := factOf(r); ok && (f.Kind == factRangeInt || f.Kind == factRangeFunc) {
					c.Replace(lowerRange(r, x, f))
				}
			}
		case *ast.AssignStmt:
			lowerTypedNils(x, factOf)
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
			if _, isIdent := ast.Unparen(x.Fun).(*ast.Ident); !isIdent {
				return true
			}
			switch f.Kind {
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
