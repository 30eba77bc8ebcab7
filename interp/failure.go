package interp

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Go's messages for an index or slice expression out of range name the
// operands ("index out of range [5] with length 0"); yaegi's do not, and
// by the time its panic reaches the session the frame that held them is
// gone. explain finds the expression that failed in the cell's source and
// evaluates its operands again, after the fact, when that is harmless and
// gives the same values: when every operand is a constant, a global the
// function does not shadow, or len, cap, arithmetic, indexing and field
// selection of those. Operands that are a function's locals cannot be
// known, and the message keeps Go's wording without them.
//
// yaegi places a function's frame at its first statement, not at the
// failing one, so in a function every expression of the body is a
// candidate, and the operands are named only when exactly one candidate
// is out of range. In the cell's own frame the position is the statement
// that ran.

// explain completes e, a panic of kind e.failure in the cell st, with the
// operands Go's message names, when they can be known (see above).
func (s *Session) explain(ctx context.Context, e *CellError, trace []string, st *cellState) {
	k := e.failure
	if k == otherFailure || ctx.Err() != nil {
		return
	}
	name, line, col, inCell, ok := innermost(trace)
	if !ok {
		return
	}
	fset := token.NewFileSet()
	roots := s.sources(fset, name, st)
	if k == assertFailure {
		if m := assertNoMethodRE.FindStringSubmatch(e.Value); m != nil {
			// yaegi named the value's type from its own type info.
			typ, ptr := strings.CutPrefix(m[1], "*")
			methods := s.notebookMethods(strings.TrimPrefix(typ, "main."), ptr)
			if missing := s.missingMethod(func(n string) bool { return methods[n] }, m[2]); missing != "" {
				e.Value += ": missing method " + missing
				e.Traceback[0] = "panic: " + e.Value
			}
			return
		}
		if e.failLine > 0 {
			line, col = e.failLine, e.failCol
		}
		if x := assertAt(fset, roots, line, col); x != nil {
			_, locals := failedRegion(fset, roots, line, col, false)
			if t := s.assertFailure(ctx, x, locals); t != "" {
				e.Value = t
				e.Traceback[0] = "panic: " + e.Value
			}
		}
		return
	}
	region, locals := failedRegion(fset, roots, line, col, inCell)
	if region == nil {
		return
	}
	var texts []string
	ast.Inspect(region, func(n ast.Node) bool {
		if _, lit := n.(*ast.FuncLit); lit && n != region {
			return false
		}
		var t string
		switch x := n.(type) {
		case *ast.IndexExpr:
			if k == indexFailure {
				t = s.indexFailure(ctx, x, locals)
			}
		case *ast.SliceExpr:
			if k == sliceFailure {
				t = s.sliceFailure(ctx, x, locals)
			}
		}
		if t != "" {
			texts = append(texts, t)
		}
		return true
	})
	if len(texts) == 1 || (inCell && len(texts) > 0) {
		e.Value = texts[0]
		e.Traceback[0] = "panic: " + e.Value
	}
}

// innermost returns the position of the innermost frame in yaegi's
// panic lines, and whether it is the cell's own frame.
func innermost(trace []string) (name string, line, col int, inCell, ok bool) {
	for _, l := range trace {
		if m := posRE.FindStringSubmatch(l); m != nil {
			line, _ = strconv.Atoi(m[2])
			col, _ = strconv.Atoi(m[3])
			return m[1], line, col, strings.TrimPrefix(m[4], "panic: ") == "main(...)", true
		}
	}
	return "", 0, 0, false, false
}

// sources parses the code that positions in the cell name refer to: the
// running cell's, or the declarations recorded from an earlier cell.
func (s *Session) sources(fset *token.FileSet, name string, st *cellState) []ast.Node {
	var roots []ast.Node
	if name == st.io.Name {
		items, err := parseCell(fset, name, st.code)
		if err != nil {
			return nil
		}
		for _, it := range items {
			if it.decl != nil {
				roots = append(roots, it.decl)
			} else if it.stmt != nil {
				roots = append(roots, it.stmt)
			}
		}
		return roots
	}
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, r := range s.decls {
		if r.Cell != name || r.Tok != "func" {
			continue
		}
		if f, err := parser.ParseFile(fset, physicalFile, r.source(), parser.SkipObjectResolution); err == nil {
			for _, d := range f.Decls {
				roots = append(roots, d)
			}
		}
	}
	return roots
}

// failedRegion returns the code in which the failure at line:col
// happened: in the cell's frame the innermost statement there, in a
// function's frame that function's body; and the names local to it.
func failedRegion(fset *token.FileSet, roots []ast.Node, line, col int, inCell bool) (ast.Node, map[string]bool) {
	contains := func(n ast.Node) bool {
		a, b := fset.Position(n.Pos()), fset.Position(n.End())
		return a.IsValid() && b.IsValid() &&
			(a.Line < line || a.Line == line && a.Column <= col) &&
			(b.Line > line || b.Line == line && b.Column >= col)
	}
	var stmt, fn ast.Node
	locals := map[string]bool{}
	for _, r := range roots {
		if !contains(r) {
			continue
		}
		// Every name declared anywhere in the top-level item counts as
		// local: a closure's free names and a top-level loop's variables
		// are not the globals of the same name.
		locals = localNames(r)
		for _, n := range topNames(r) {
			delete(locals, n)
		}
		ast.Inspect(r, func(n ast.Node) bool {
			if n == nil || !contains(n) {
				return false
			}
			switch n.(type) {
			case *ast.FuncDecl, *ast.FuncLit:
				fn, stmt = n, nil
			case ast.Stmt:
				stmt = n
			}
			return true
		})
	}
	if inCell || fn == nil {
		if stmt == nil {
			return nil, nil
		}
		return stmt, locals
	}
	return fn, locals
}

// topNames returns the names the top-level item r declares, which are
// globals.
func topNames(r ast.Node) []string {
	var names []string
	switch r := r.(type) {
	case *ast.AssignStmt:
		if r.Tok == token.DEFINE {
			for _, e := range r.Lhs {
				if id, ok := e.(*ast.Ident); ok {
					names = append(names, id.Name)
				}
			}
		}
	case *ast.FuncDecl:
		if r.Recv == nil {
			names = append(names, r.Name.Name)
		}
	case *ast.GenDecl:
		for _, sp := range r.Specs {
			switch sp := sp.(type) {
			case *ast.ValueSpec:
				for _, id := range sp.Names {
					names = append(names, id.Name)
				}
			case *ast.TypeSpec:
				names = append(names, sp.Name.Name)
			}
		}
	}
	return names
}

// indexFailure returns Go's message for x when its operands can be known
// and its index is out of range, or "".
func (s *Session) indexFailure(ctx context.Context, x *ast.IndexExpr, locals map[string]bool) string {
	v, ok := s.peek(ctx, x.X, locals)
	if !ok {
		return ""
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Array {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.String:
	default:
		return ""
	}
	i, ok := s.peekInt(ctx, x.Index, locals)
	if !ok || (i >= 0 && i < int64(v.Len())) {
		return ""
	}
	return indexText(i, int64(v.Len()))
}

// sliceFailure returns Go's message for x when its operands can be known
// and its bounds are out of range, or "".
func (s *Session) sliceFailure(ctx context.Context, x *ast.SliceExpr, locals map[string]bool) string {
	v, ok := s.peek(ctx, x.X, locals)
	if !ok {
		return ""
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Array {
		v = v.Elem()
	}
	var limit int64
	what := "capacity"
	switch v.Kind() {
	case reflect.Slice:
		limit = int64(v.Cap())
	case reflect.Array, reflect.String:
		limit, what = int64(v.Len()), "length"
	default:
		return ""
	}
	bound := func(e ast.Expr, def int64) (int64, bool) {
		if e == nil {
			return def, true
		}
		return s.peekInt(ctx, e, locals)
	}
	lo, ok1 := bound(x.Low, 0)
	hi, ok2 := bound(x.High, int64(v.Len()))
	max, ok3 := bound(x.Max, limit)
	if !ok1 || !ok2 || !ok3 {
		return ""
	}
	return sliceText(lo, hi, max, limit, x.Slice3, what)
}

// peekInt evaluates e (see peek) as an integer.
func (s *Session) peekInt(ctx context.Context, e ast.Expr, locals map[string]bool) (int64, bool) {
	v, ok := s.peek(ctx, e, locals)
	if !ok {
		return 0, false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.Uint() > 1<<62 {
			return 0, false
		}
		return int64(v.Uint()), true
	}
	return 0, false
}

// peek evaluates e again, after a failure, when e is pure (see pure); it
// reports false otherwise or when the evaluation fails.
func (s *Session) peek(ctx context.Context, e ast.Expr, locals map[string]bool) (reflect.Value, bool) {
	if !s.pure(e, locals) {
		return reflect.Value{}, false
	}
	return s.evalAgain(ctx, e)
}

// evalAgain evaluates e, which has no effect, into a value.
func (s *Session) evalAgain(ctx context.Context, e ast.Expr) (reflect.Value, bool) {
	pos := e.Pos()
	block := &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.AssignStmt{
		Lhs: []ast.Expr{&ast.Ident{Name: reserved("E"), NamePos: pos}}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{e},
	}}}
	prog, err := s.compileQuiet(block)
	if err != nil {
		return reflect.Value{}, false
	}
	if _, err := s.yi.ExecuteWithContext(ctx, prog); err != nil {
		return reflect.Value{}, false
	}
	v := take(s.yi.Globals()[reserved("E")])
	if v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	return v, v.IsValid()
}

// pure reports whether evaluating e again has no effect and gives the
// value it had when it failed: constants, globals not in locals, and
// len, cap, conversions to basic types, arithmetic, indexing, slicing
// and field selection of those.
func (s *Session) pure(e ast.Expr, locals map[string]bool) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return !locals[x.Name] && x.Name != "_"
	case *ast.ParenExpr:
		return s.pure(x.X, locals)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && !locals[id.Name] && s.isPackage(id.Name) {
			return true // a package's constant or variable
		}
		return s.pure(x.X, locals)
	case *ast.UnaryExpr:
		return x.Op != token.ARROW && x.Op != token.AND && s.pure(x.X, locals)
	case *ast.BinaryExpr:
		return s.pure(x.X, locals) && s.pure(x.Y, locals)
	case *ast.IndexExpr:
		return s.pure(x.X, locals) && s.pure(x.Index, locals)
	case *ast.SliceExpr:
		for _, y := range []ast.Expr{x.Low, x.High, x.Max} {
			if y != nil && !s.pure(y, locals) {
				return false
			}
		}
		return s.pure(x.X, locals)
	case *ast.CallExpr:
		fn, ok := x.Fun.(*ast.Ident)
		if !ok || locals[fn.Name] || len(x.Args) != 1 || x.Ellipsis.IsValid() {
			return false
		}
		if fn.Name != "len" && fn.Name != "cap" && universe[fn.Name] != "type" {
			return false
		}
		return s.pure(x.Args[0], locals)
	}
	return false
}

// isPackage reports whether name is a package the notebook imported.
func (s *Session) isPackage(name string) bool {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, im := range s.imports {
		if importedName(im) == name {
			return true
		}
	}
	return false
}

// assertAt returns the type assertion at line:col.
func assertAt(fset *token.FileSet, roots []ast.Node, line, col int) *ast.TypeAssertExpr {
	var found *ast.TypeAssertExpr
	for _, r := range roots {
		ast.Inspect(r, func(n ast.Node) bool {
			if x, ok := n.(*ast.TypeAssertExpr); ok && found == nil {
				if p := fset.Position(x.Pos()); p.Line == line && p.Column == col {
					found = x
				}
			}
			return found == nil
		})
	}
	return found
}

// assertFailure returns Go's message for the failed assertion x to an
// interface of the notebook, which yaegi reports as "nil is not T" for
// any value it did not box itself (goPanicText makes that "value is not
// T"): "interface is nil, not T" when x's value is nil, "V is not T:
// missing method M" when its value's type V can be named, and ""
// otherwise: a reflect type that several types share (two notebook
// types with the same fields, a notebook type and its underlying type)
// names none of them.
func (s *Session) assertFailure(ctx context.Context, x *ast.TypeAssertExpr, locals map[string]bool) string {
	target := strings.TrimPrefix(exprString(x.Type), "main.")
	full := target
	if !strings.Contains(target, ".") {
		full = "main." + target
	}
	v, ok := s.peek(ctx, x.X, locals)
	if !ok {
		return ""
	}
	if v.Kind() == reflect.Interface {
		return goAssertText + "interface is nil, not " + full
	}
	t, star := v.Type(), ""
	if t.Kind() == reflect.Pointer {
		t, star = t.Elem(), "*"
	}
	var name string
	var has func(method string) bool
	switch same := s.notebookTypesOf(ctx, t); {
	case len(same) == 0 && t.Name() != "":
		name = v.Type().String()
		has = func(m string) bool { _, ok := v.Type().MethodByName(m); return ok }
	case len(same) == 1 && t.Name() == "":
		name = star + "main." + same[0]
		methods := s.notebookMethods(same[0], star != "")
		has = func(m string) bool { return methods[m] }
	default:
		return ""
	}
	msg := goAssertText + name + " is not " + full
	if m := s.missingMethod(has, target); m != "" {
		msg += ": missing method " + m
	}
	return msg
}

// notebookTypesOf returns the notebook's types, other than interfaces,
// whose values have the reflect type t.
func (s *Session) notebookTypesOf(ctx context.Context, t reflect.Type) []string {
	var names []string
	s.stateMu.RLock()
	for _, r := range s.decls {
		if r.Tok == "type" {
			names = append(names, r.Names...)
		}
	}
	s.stateMu.RUnlock()
	var same []string
	for _, n := range names {
		// *new(T) is T's zero value.
		zero := &ast.StarExpr{X: &ast.CallExpr{Fun: &ast.Ident{Name: "new"}, Args: []ast.Expr{&ast.Ident{Name: n}}}}
		if v, ok := s.evalAgain(ctx, zero); ok && v.Kind() != reflect.Interface && v.Type() == t {
			same = append(same, n)
		}
	}
	return same
}

// notebookMethods returns the names of the methods the notebook declared
// on type name: those with a value receiver, and with pointer also those
// with a pointer receiver (Go's method sets of T and *T).
func (s *Session) notebookMethods(name string, pointer bool) map[string]bool {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	methods := map[string]bool{}
	for _, r := range s.decls {
		if r.Tok != "func" || len(r.Names) != 1 {
			continue
		}
		typ, m, ok := strings.Cut(r.Names[0], ".")
		if !ok || typ != name {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), "", r.source(), parser.SkipObjectResolution)
		if err != nil || len(f.Decls) != 1 {
			continue
		}
		if fd, ok := f.Decls[0].(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 {
			if _, ptr := fd.Recv.List[0].Type.(*ast.StarExpr); !ptr || pointer {
				methods[m] = true
			}
		}
	}
	return methods
}

// missingMethod returns the first method, in Go's (sorted) order, of the
// notebook's interface iface for which has is false, or "".
func (s *Session) missingMethod(has func(string) bool, iface string) string {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, r := range s.decls {
		if r.Tok != "type" || !slices.Contains(r.Names, iface) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), "", r.source(), parser.SkipObjectResolution)
		if err != nil {
			return ""
		}
		var names []string
		ast.Inspect(f, func(n ast.Node) bool {
			if it, ok := n.(*ast.InterfaceType); ok {
				for _, m := range it.Methods.List {
					for _, id := range m.Names {
						names = append(names, id.Name)
					}
				}
				return false
			}
			return true
		})
		slices.Sort(names)
		for _, n := range names {
			if !has(n) {
				return n
			}
		}
	}
	return ""
}
