package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/interp/stdlib"
)

// importSpec is one import the notebook made.
type importSpec struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path"`
}

// record is one top-level declaration the notebook made, kept as source so
// that it can be evaluated again in a rebuilt or child interpreter.
type record struct {
	Names []string `json:"names"` // "f", "T", "T.M", "x"
	Tok   string   `json:"tok"`   // "func", "type", "var" or "const"
	Cell  string   `json:"cell"`  // the cell's name, for positions
	Line  int      `json:"line"`
	Col   int      `json:"col"`
	Text  string   `json:"text"`
	Doc   string   `json:"doc,omitempty"` // the doc comment above it in the cell (see docAbove)
	// Instance is, for the instance of a generic type (insttypes.go),
	// the instance as Go writes it (Stack[string], its type arguments
	// being instances' names too): a compiled worker, which compiles the
	// generic declarations themselves, declares the instance's name as
	// an alias of it, so that its values and the generic code agree.
	Instance string `json:"instance,omitempty"`
}

// source is the record as a file that keeps its cell positions.
func (r record) source() string {
	return "package main;" + lineDirective(r.Cell, r.Line, r.Col) + r.Text
}

func declTok(d ast.Decl) string {
	if g, ok := d.(*ast.GenDecl); ok {
		return g.Tok.String()
	}
	return "func"
}

// hasSymbols reports whether the interpreter can import path, registering
// a standard package the first time it is asked for.
func (s *Session) hasSymbols(p string) bool {
	return s.load(s.yi, p)
}

// prepare drops imports the notebook already has, rejects imports yaegi
// does not have, and drops declarations identical to the recorded ones (so
// that running a cell again is harmless). When the cell changes a func,
// method, type or const already declared, it rebuilds the interpreter
// (yaegi binds uses at compile time, so earlier users would keep the old
// one) with the cell's imports and declarations in place of the old ones,
// and reports rebuilt: the caller must parse the cell again, in the new
// interpreter's FileSet.
func (s *Session) prepare(items []item, st *cellState, code string, mayRebuild bool) (out []item, rebuilt bool, err error) {
	replaced := map[string]bool{}
	generic := map[string]bool{} // replaced names of generic declarations
	var newImports []importSpec
	for _, it := range items {
		switch it.kind {
		case importItem:
			g := it.decl.(*ast.GenDecl)
			var specs []ast.Spec
			for _, sp := range g.Specs {
				is := sp.(*ast.ImportSpec)
				spec := specOf(is)
				if slices.Contains(s.imports, spec) {
					continue
				}
				if !s.hasSymbols(spec.Path) {
					p := s.yi.FileSet().Position(is.Path.Pos())
					msg := fmt.Sprintf("%s:%d:%d: cannot import %q: gomp cells can import the standard library (%s) and \"mp\"", st.io.Name, p.Line, p.Column, spec.Path, stdlib.Release)
					return nil, false, &CellError{Name: "CompileError", Value: msg, Traceback: []string{msg}, Line: p.Line, Col: p.Column}
				}
				specs = append(specs, sp)
				newImports = append(newImports, spec)
			}
			if len(specs) == 0 {
				continue
			}
			g.Specs = specs
		case declItem:
			text := code[it.start:it.end]
			tok := declTok(it.decl)
			// A var declared again gets new storage in yaegi, which
			// earlier funcs would not see: it replaces like the others.
			same := tok != "var" || !mayRebuild
			for _, n := range it.defines {
				r := s.recordOf(n)
				if r == nil || r.Text != text {
					same = false
				}
				if r != nil && (r.Text != text || tok == "var") {
					replaced[n] = true
				}
			}
			if same {
				s.refreshDoc(it.defines, docAbove(code, it.start))
				continue
			}
			if genericDecl(it.decl) && !s.checker.off {
				// Never compiled (withholdGeneric): its record replaces
				// the old one without a rebuild, unless the instances it
				// changes need one (below).
				for _, n := range it.defines {
					generic[n] = true
				}
				out = append(out, it)
				continue
			}
			// yaegi cannot add a method to a type declared by an earlier
			// evaluation: the type is declared again with its methods.
			if fd, ok := it.decl.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 {
				t := recvTypeName(fd.Recv.List[0].Type)
				if s.recordOf(t) != nil && !cellDeclares(items, t) {
					for _, n := range it.defines {
						replaced[n] = true
					}
				}
			}
		}
		out = append(out, it)
	}
	for _, d := range s.checker.pending {
		if s.changedInstance(d) {
			replaced[d.Name] = true
		}
	}
	if !mayRebuild || !slices.ContainsFunc(slices.Collect(maps.Keys(replaced)), func(n string) bool { return !generic[n] }) {
		return out, false, nil
	}
	stmtNames := map[string]bool{}
	for _, it := range out {
		if it.kind == stmtItem || it.kind == exprItem {
			for _, n := range it.defines {
				stmtNames[n] = true
			}
		}
	}
	var moved []record
	for _, it := range out {
		if it.kind != declItem || usesAny(it.uses, stmtNames) {
			continue
		}
		p := s.yi.FileSet().Position(it.decl.Pos())
		moved = append(moved, record{Names: it.defines, Tok: declTok(it.decl), Cell: st.io.Name, Line: p.Line, Col: p.Column, Text: code[it.start:it.end], Doc: docAbove(code, it.start)})
		for _, n := range it.defines {
			replaced[n] = true
		}
	}
	moved = append(moved, s.instanceRecords()...)
	if err := s.rebuild(replaced, newImports, moved); err != nil {
		return nil, true, err
	}
	return nil, true, nil
}

func usesAny(uses, names map[string]bool) bool {
	for n := range names {
		if uses[n] {
			return true
		}
	}
	return false
}

func specOf(is *ast.ImportSpec) importSpec {
	p, _ := strconv.Unquote(is.Path.Value)
	spec := importSpec{Path: p}
	if is.Name != nil {
		spec.Name = is.Name.Name
	}
	return spec
}

// recordOf returns the latest record that declares name.
func (s *Session) recordOf(name string) *record {
	for i := len(s.decls) - 1; i >= 0; i-- {
		if slices.Contains(s.decls[i].Names, name) {
			return &s.decls[i]
		}
	}
	return nil
}

// addRecord keeps r, dropping earlier records all of whose names r declares.
func (s *Session) addRecord(r record) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	s.decls = slices.DeleteFunc(s.decls, func(old record) bool {
		for _, n := range old.Names {
			if !slices.Contains(r.Names, n) {
				return false
			}
		}
		return true
	})
	s.decls = append(s.decls, r)
}

// declare compiles and runs a group of declarations as one file and
// records them.
func (s *Session) declare(ctx context.Context, decls []ast.Decl, items []item, code string, st *cellState) error {
	f := &ast.File{Package: items[0].phys, Name: &ast.Ident{NamePos: items[0].phys, Name: "main"}, Decls: decls}
	instDecls, insts, err := s.instancesWith(decls, items)
	if err != nil {
		return compileError(err)
	}
	f.Decls = append(f.Decls, instDecls...)
	if !s.checker.off {
		withholdGeneric(f)
	}
	s.instrument(f)
	// Only generic declarations are recorded, not compiled.
	if len(f.Decls) > 0 {
		if _, err := s.compileRun(ctx, f, st); err != nil {
			if !isLoopError(err) || s.declareApart(ctx, f, st) != nil {
				return err
			}
		}
	}
	s.recordInstances(insts)
	for _, d := range decls {
		i := slices.IndexFunc(items, func(it item) bool { return it.decl == d })
		it := items[i]
		if it.kind == importItem {
			for _, sp := range d.(*ast.GenDecl).Specs {
				s.setState(func() { s.imports = append(s.imports, specOf(sp.(*ast.ImportSpec))) })
			}
			continue
		}
		p := s.yi.FileSet().Position(d.Pos())
		s.addRecord(record{Names: it.defines, Tok: declTok(d), Cell: st.io.Name, Line: p.Line, Col: p.Column, Text: code[it.start:it.end], Doc: docAbove(code, it.start)})
	}
	return nil
}

// Imports reports whether the notebook has imported the package at path.
func (s *Session) Imports(path string) bool {
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, im := range s.imports {
		// gomp's own imports (instantiate.go) are not the notebook's.
		if im.Path == path && !strings.HasPrefix(im.Name, reservedPrefix) {
			return true
		}
	}
	return false
}

// importName is the name under which the notebook imported pkgPath, or "".
func (s *Session) importName(pkgPath string) string {
	for _, im := range s.imports {
		if im.Path == pkgPath && !strings.HasPrefix(im.Name, reservedPrefix) {
			if im.Name != "" && im.Name != "_" && im.Name != "." {
				return im.Name
			}
			if im.Name == "" {
				return path.Base(pkgPath)
			}
		}
	}
	return ""
}

// evalRich evaluates the trailing expression x when the notebook has
// types with rich methods (see Session.represent).
func (s *Session) evalRich(ctx context.Context, x ast.Expr, it *item, st *cellState) (Value, error) {
	v, data, err := s.represent(ctx, x, it.phys, st)
	if ce := (*CellError)(nil); errors.As(err, &ce) && ce.Name == "CompileError" {
		// Not a value a variable can hold (untyped nil, say): nothing ran,
		// so run it the plain way for the usual result or message.
		v, err = s.runStmt(ctx, it.stmt, it.phys, st)
		if err != nil {
			return Value{}, err
		}
		return render(v), nil
	}
	if err != nil {
		return Value{}, err
	}
	if v.IsValid() && v.Type() == reflect.TypeFor[error]() {
		return errorResult(v)
	}
	val := render(v)
	if data != nil && val.IsValid() {
		val.Data = withText(data, val.Text)
	}
	return val, nil
}

// evalExpr runs the trailing expression statement and returns its value.
// fmt.Print* and Fprint* show no value. A call is first compiled as "_ = call" to learn how many results it has:
// no result gives no value; several results with a last one of type error
// fail the cell when that error is non-nil and otherwise drop it; what
// remains is the value (several values show as "(a, b)").
func (s *Session) evalExpr(ctx context.Context, it *item, st *cellState) (Value, error) {
	x := it.stmt.(*ast.ExprStmt).X
	if id, ok := ast.Unparen(x).(*ast.Ident); ok && id.Name == "nil" && !s.yi.Globals()["nil"].IsValid() {
		// Untyped nil has no value to show (yaegi gives it a bogus one).
		return Value{}, nil
	}
	call, isCall := ast.Unparen(x).(*ast.CallExpr)
	if !isCall {
		if s.hasRichMethods() {
			return s.evalRich(ctx, x, it, st)
		}
		v, err := s.runStmt(ctx, it.stmt, it.phys, st)
		if err != nil {
			return Value{}, err
		}
		if star, ok := ast.Unparen(x).(*ast.StarExpr); ok && !v.IsValid() {
			// yaegi gives a trailing *p with p nil no value.
			p := s.yi.FileSet().Position(star.Pos())
			return Value{}, nilDerefError(strings.TrimSuffix(p.Filename, fileSuffix), p.Line, p.Column)
		}
		return render(v), nil
	}
	// yaegi accepts "_ = f()" for any f, but reports the exact count when
	// asked for more results than f has.
	const many = 16
	blanks := make([]ast.Expr, many)
	for i := range blanks {
		blanks[i] = &ast.Ident{NamePos: call.Pos(), Name: "_"}
	}
	trial := &ast.BlockStmt{Lbrace: it.phys, List: []ast.Stmt{&ast.AssignStmt{
		Lhs: blanks, TokPos: call.Pos(), Tok: token.ASSIGN, Rhs: []ast.Expr{call},
	}}}
	n := 1
	// Lowered as it will run (a generic func's instance has the
	// result count go/types gave it).
	s.lowerTyped(trial)
	if _, terr := s.compile(trial); terr == nil {
		n = many
	} else if c, ok := resultCount(terr); ok {
		n = c
	}
	if n == 0 && s.isConversion(call) {
		// yaegi says a conversion such as display.HTML(s) "returns 0 values".
		n = 1
	}
	if n == 0 || s.isPrint(call) {
		_, err := s.runStmt(ctx, it.stmt, it.phys, st)
		return Value{}, err
	}
	if n <= 1 {
		if s.hasRichMethods() {
			return s.evalRich(ctx, x, it, st)
		}
		v, err := s.runStmt(ctx, it.stmt, it.phys, st)
		if err != nil {
			return Value{}, err
		}
		if v.IsValid() && v.Type() == reflect.TypeFor[error]() {
			return errorResult(v)
		}
		return render(v), nil
	}
	lhs := make([]ast.Expr, n)
	for i := range lhs {
		lhs[i] = &ast.Ident{NamePos: call.Pos(), Name: reserved("R") + strconv.Itoa(i)}
	}
	assign := &ast.AssignStmt{Lhs: lhs, TokPos: call.Pos(), Tok: token.DEFINE, Rhs: []ast.Expr{call}}
	if err := s.define(ctx, assign, it.phys, st); err != nil {
		return Value{}, err
	}
	g := s.yi.Globals()
	vals := make([]reflect.Value, n)
	for i := range vals {
		vals[i] = g[reserved("R")+strconv.Itoa(i)]
	}
	var data display.Bundle
	last := vals[n-1]
	withErr := last.IsValid() && last.Type() == reflect.TypeFor[error]()
	if withErr && last.IsNil() && n == 2 && s.hasRichMethods() {
		data = s.ask(ctx, reserved("R0"), call.Pos(), it.phys, st)
	}
	for i := range vals {
		vals[i] = take(vals[i])
	}
	if withErr {
		if _, err := errorResult(vals[n-1]); err != nil {
			return Value{}, err
		}
		vals = vals[:n-1]
	}
	if len(vals) == 1 {
		val := render(vals[0])
		if data != nil && val.IsValid() {
			val.Data = withText(data, val.Text)
		}
		return val, nil
	}
	texts := make([]string, len(vals))
	all := make([]any, len(vals))
	for i, v := range vals {
		texts[i] = renderText(v)
		if v.IsValid() && v.CanInterface() {
			all[i] = v.Interface()
		}
	}
	return Value{Text: "(" + strings.Join(texts, ", ") + ")", Value: reflect.ValueOf(all)}, nil
}

// take returns a copy of v, a variable of gomp's own, and zeroes v, so
// that the interpreter does not keep a cell's result alive: every
// `_gompR0, _gompR1 := call` gets new storage (yaegi keeps redeclared
// names of another type in new slots).
func take(v reflect.Value) reflect.Value {
	if !v.IsValid() || !v.CanSet() {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	v.SetZero()
	return c
}

// errorResult is what a trailing call's error result shows: nothing when it
// is nil, the cell's error otherwise.
func errorResult(v reflect.Value) (Value, error) {
	if v.IsNil() {
		return Value{}, nil
	}
	err := v.Interface().(error)
	return Value{}, &CellError{Name: "error", Value: err.Error(), Traceback: []string{"error: " + err.Error()}}
}

// isPrint reports whether call is fmt.Print*, whose byte count is noise.
func (s *Session) isPrint(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == s.importName("fmt") && (strings.HasPrefix(sel.Sel.Name, "Print") || strings.HasPrefix(sel.Sel.Name, "Fprint"))
}

// isConversion reports whether call converts to a type, T(x): a type
// literal, a predeclared type, a type the notebook declared, or a type of
// an importable package.
func (s *Session) isConversion(call *ast.CallExpr) bool {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType, *ast.StarExpr:
		return true
	case *ast.Ident:
		if universe[f.Name] == "type" {
			return true
		}
		s.stateMu.RLock()
		defer s.stateMu.RUnlock()
		for _, d := range s.decls {
			if d.Tok == "type" && slices.Contains(d.Names, f.Name) {
				return true
			}
		}
	case *ast.SelectorExpr:
		return s.packageType(f) != nil
	}
	return false
}

// cellDeclares reports whether one of items declares name.
func cellDeclares(items []item, name string) bool {
	for _, it := range items {
		if it.kind == declItem && slices.Contains(it.defines, name) {
			return true
		}
	}
	return false
}
