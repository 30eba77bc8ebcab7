package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// reservedPrefix starts every name gomp adds to notebook code (variables,
// imports, types and funcs of the preludes and rewrites below). A cell may
// not use a name that starts with it (checkReserved): such a name could
// clash with gomp's, and gomp leaves its own globals out of snapshots.
const reservedPrefix = "_gomp"

// reserved returns the name gomp uses for what, e.g. reserved("V").
func reserved(what string) string { return reservedPrefix + what }

// The rewrites every piece of notebook code gets before yaegi compiles it,
// each working around a yaegi v0.16.1 behaviour (doc.go lists them, and
// quirks_test.go pins each one on bare yaegi):
//
//   - lowerTyped: Go that yaegi cannot run, rewritten with the type
//     checker's facts (range over int and over func, min, max, clear,
//     new(expr), ranges over collections of channels; lower.go; elided
//     &T, elidedptr.go; nil in a tuple assignment, nilassign.go; method
//     expressions, methodexpr.go; panics, panicnil.go), and uses of
//     generic functions replaced by their instances (instantiate.go,
//     stdtemplates.go);
//   - blankVars: a top-level `var _ = x` gets a reserved name, since
//     yaegi makes `_` a global that later `_ = ...` and `a, _ := ...`
//     assign to;
//   - zeroResults: named results start at their zero values, which
//     yaegi leaves to what the caller's destination held (namedresults.go);
//   - loopVars: loops that may capture their variables copy them per
//     iteration, as Go 1.22 does (loopvars.go);
//   - deferArgs: defer statements evaluate their function value and
//     arguments where they run (deferargs.go);
//   - guardGo: go statements recover their panics;
//   - prober.rewrite: the probe check at the start of every func body,
//     and unnamed parameters named `_` (nameParams);
//   - assertions: type assertions and type switches to notebook
//     interfaces ask with `_, ok := v.(I)` and convert through a type
//     switch that binds the value; to fmt.Stringer and error they
//     convert through _gompAsStringer and _gompAsError (assert.go);
//   - richArgs: display's values pass through _gompRich;
//   - pkgVarAssigns: `os.Args = x` sets the variable through a pointer
//     (program.go);
//   - loopClosures: a func literal a loop body evaluates is made in a
//     call of its own, so that closures of other iterations returning on
//     other goroutines cannot hand it an older closure (loopclosures.go);
//
// and, for top-level statements only (topLevel):
//
//   - rewriteUpdates: h.Update(v) on a compiled display handle becomes
//     display.Update(h, v);
//   - cellDefers: a defer runs when the cell ends (program.go);
//   - scoped: compound statements run inside a func literal;
//
// and, when runStmt runs a := that redeclares names or is a comma-ok
// form, redeclare (program.go).

// instrument applies the rewrites every piece of notebook code gets
// before it is compiled, once per parsed AST (guardGo is not idempotent).
func (s *Session) instrument(n ast.Node) {
	s.lowerTyped(n)
	s.blankVars(n)
	zeroResults(n)
	loopVars(n)
	s.deferArgs(n)
	guardGo(n)
	s.probe.rewrite(n)
	s.assertions(n)
	s.richArgs(n)
	s.pkgVarAssigns(n)
	loopClosures(n)
}

// topLevel rewrites a top-level statement of a cell and returns it as a
// block ready to compile.
func (s *Session) topLevel(stmt ast.Stmt, phys token.Pos) *ast.BlockStmt {
	s.rewriteUpdates(stmt)
	stmt = s.cellDefers(stmt)
	block := &ast.BlockStmt{Lbrace: phys, List: []ast.Stmt{scoped(stmt)}, Rbrace: phys}
	s.instrument(block)
	return block
}

// blankVars renames the blank names of n's top-level var declarations
// (n being a file) to reserved ones. yaegi makes `var _ = x` at top level
// define a global named `_`, which later statements then assign: `_ :=
// f()` fails with reflect.Set, and `w, _ := 1, 2` sets w to 2.
func (s *Session) blankVars(n ast.Node) {
	f, ok := n.(*ast.File)
	if !ok {
		return
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, sp := range g.Specs {
			for _, id := range sp.(*ast.ValueSpec).Names {
				if id.Name == "_" {
					id.Name = reserved("Blank" + strconv.FormatInt(s.blanks.Add(1), 10))
				}
			}
		}
	}
}

// checkReserved rejects a cell that uses a name starting with
// reservedPrefix, naming the first one and where it is.
func checkReserved(fset *token.FileSet, items []item) error {
	var found *ast.Ident
	for _, it := range items {
		var n ast.Node = it.stmt
		if it.decl != nil {
			n = it.decl
		}
		if n == nil {
			continue
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && found == nil && strings.HasPrefix(id.Name, reservedPrefix) {
				found = id
			}
			return found == nil
		})
		if found != nil {
			break
		}
	}
	if found == nil {
		return nil
	}
	p := fset.Position(found.Pos())
	msg := fmt.Sprintf("%s:%d:%d: %s: names starting with %s are reserved for gomp; rename it", strings.TrimSuffix(p.Filename, fileSuffix), p.Line, p.Column, found.Name, reservedPrefix)
	return &CellError{Name: "CompileError", Value: msg, Traceback: []string{msg}, Line: p.Line, Col: p.Column}
}
