package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Type checking. Every cell is checked with go/types before any of it
// runs, as one synthetic package made of
//
//   - the notebook's imports (those the cell does not import again) and
//     the cell's own imports;
//   - the latest declaration of every name the notebook declared (the
//     records), except those the cell declares again;
//   - a `var x T` for every global a top-level := of an earlier cell
//     defined, T being the type go/types gave it then;
//   - the cell's declarations, and its top-level statements as the body
//     of a function.
//
// The parts that come from the cell and the records keep their cell
// positions (line directives), so errors read In[n]:line:col. What a
// notebook allows and a Go package does not is not reported: an import
// the cell does not use (a later cell may), a top-level := variable the
// cell does not use (it is a global), a name declared again (the latest
// wins). Errors in gomp's own parts of the package and in earlier cells
// are not the cell's: those are dropped, and names whose declarations
// failed have no type, which go/types reports nothing about. A package
// the checker cannot import (gomp's own cell packages, or no go command)
// is unknown in the same way: its uses are not checked.
//
// Inside function bodies, including the blocks of top-level statements,
// `declared and not used` is reported, as the compiler does: it is a
// Go error in every program a lesson shows, and `gomp run` and the
// kernel check alike.

// curFile is the file name the current cell's parts get in the synthetic
// package, distinct from every cell name, so that its errors are told
// from those of an earlier cell that had the same name.
const curFile = "·current cell·"

// synthFile names gomp's own parts of the synthetic package.
const synthFile = "gomp-check.go"

// cellFunc is the function whose body holds the cell's statements.
var cellFunc = reserved("Cell")

// checker is what type checking keeps from one cell to the next. It is
// used only by the goroutine holding Session.run.
type checker struct {
	// globals are the types of the variables top-level := statements
	// defined, with the import paths their expressions name.
	globals map[string]globalType
	// facts are what the lowering passes need to know about the nodes of
	// the notebook's code (see lowerKey), from the latest check.
	facts map[string]fact
	// off disables checking (tests of the unchecked paths).
	off bool
	// stripped caches withoutBodies by declaration text; synthesize
	// empties it when it holds many texts no longer declared.
	stripped map[string]string
	// nbText and nbFile are the notebook's part of the latest synthetic
	// package and its syntax tree, parsed in fset, which the next cell
	// reuses when the notebook did not change.
	nbText string
	nbFile *ast.File
	fset   *token.FileSet
	// inc is a checker holding the notebook's part (incFile) checked into
	// incPkg, for cells that declare nothing (see run); incN numbers
	// their functions; sink receives the errors of the running check.
	inc     *types.Checker
	incInfo *types.Info
	incPkg  *types.Package
	incFile *ast.File
	incN    int
	incUses int
	sink    func(types.Error)
	// nbInfo is what checking the notebook's part into incPkg found.
	nbInfo *types.Info
	// pending are the generated instances the current cell uses
	// (instantiate.go), declared before it runs.
	pending []instDecl
}

// changedTypeInsts returns the notebook's type instances (the records of
// insttypes.go) whose generic type, or a method of it, the cell
// declares: they are made again.
func (s *Session) changedTypeInsts(items []item) map[string]typeInstRef {
	changed := map[string]bool{}
	for _, it := range items {
		if it.kind == declItem {
			for _, n := range it.defines {
				t, _, _ := strings.Cut(n, ".")
				changed[t] = true
			}
		}
	}
	if len(changed) == 0 {
		return nil
	}
	var refresh map[string]typeInstRef
	s.stateMu.RLock()
	defer s.stateMu.RUnlock()
	for _, rec := range s.decls {
		if rec.Cell != instanceCell || rec.Instance == "" || len(rec.Names) != 1 {
			continue
		}
		if r, ok := parseInstance(rec.Instance); ok && changed[r.Type] {
			if refresh == nil {
				refresh = map[string]typeInstRef{}
			}
			refresh[rec.Names[0]] = r
		}
	}
	return refresh
}

// maxIncremental is how many cells' parts one incremental package takes.
const maxIncremental = 32

// withoutBodies returns the text of a declaration with the bodies of its
// funcs and methods replaced by panic(0) and blanks (newlines kept, so
// that positions stay), where they have room for it.
func (c *checker) withoutBodies(text string) string {
	if t, ok := c.stripped[text]; ok {
		return t
	}
	t := stripBodies(text)
	if c.stripped != nil {
		c.stripped[text] = t
	}
	return t
}

// stripBodies is withoutBodies without the cache.
func stripBodies(text string) string {
	const prefix = "package p;"
	f, err := parser.ParseFile(token.NewFileSet(), "", prefix+text, parser.SkipObjectResolution)
	if err != nil {
		return text
	}
	b := []byte(text)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || fd.Type.TypeParams != nil || genericRecv(fd) {
			// A generic func's body, or a generic type's method's, is
			// kept: its instances are made from it (instantiate.go).
			continue
		}
		// Pos is 1 + offset in the file, which starts with prefix. The
		// body becomes panic(0), a terminating statement (no "missing
		// return" to format and drop), when it has room for it.
		from, to := int(fd.Body.Lbrace)-len(prefix), int(fd.Body.Rbrace)-1-len(prefix)
		const stub = "panic(0)"
		if to-from < len(stub) || to > len(b) {
			continue
		}
		copy(b[from:], stub)
		for i := from + len(stub); i < to; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// globalType is a type expression whose packages are named by
// pkgAlias(path).
type globalType struct {
	expr  string
	paths []string
}

// pkgAlias is the name under which the synthetic package imports path to
// declare globals of its types.
func pkgAlias(p string) string {
	b := []byte(p)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return reserved("P_" + string(b))
}

// typeError is one error go/types reported in the current cell.
type typeError struct {
	line, col int
	msg       string
	// more are the continuation lines go/types reports with it (the
	// steps of an instantiation cycle, say).
	more []typeError
}

// checkCell type-checks the cell whose parsed items are items against the
// notebook so far. It returns a *CellError listing the type errors (at
// most 10, as the compiler does), or nil when the cell is valid Go or
// could not be checked (the checker never blocks a cell because its own
// setup failed). On success it keeps the facts the lowerings need and the
// types of the globals the cell defines.
func (s *Session) checkCell(items []item, code, name string) error {
	s.checker.pending = nil
	if s.checker.off {
		return nil
	}
	src, ok := s.synthesize(items, code, name, nil)
	if !ok {
		return nil
	}
	trailing := len(items) > 0 && items[len(items)-1].kind == exprItem
	refresh := s.changedTypeInsts(items)
	res := s.typeCheck(src, trailing, refresh)
	if res == nil {
		return nil
	}
	// Declarations of the cell that use variables its statements define
	// see them at package level: check again with those declared, now
	// that their types are known.
	if late := lateNames(items); len(late) > 0 {
		vars := map[string]globalType{}
		for _, n := range late {
			if g, ok := res.defined[n]; ok {
				vars[n] = g
			}
		}
		if src, ok = s.synthesize(items, code, name, vars); !ok {
			return nil
		}
		if res = s.typeCheck(src, trailing, refresh); res == nil {
			return nil
		}
	}
	if len(res.errs) > 0 {
		return typeErrors(name, res.errs)
	}
	if e := res.unsupported; e != nil {
		return typeErrors(name, []typeError{*e})
	}
	if e := res.instFailed; e != nil {
		return typeErrors(name, []typeError{*e})
	}
	for _, u := range res.stdUses {
		if !interpreterHas(u.path, u.name) {
			msg := fmt.Sprintf("%s.%s is not supported yet: the interpreter (yaegi v0.16.1) lacks it", u.local, u.name)
			return typeErrors(name, []typeError{{line: u.line, col: u.col, msg: msg}})
		}
	}
	if s.checker.globals == nil {
		s.checker.globals = map[string]globalType{}
	}
	for n, g := range res.defined {
		s.checker.globals[n] = g
	}
	// Facts are kept for every cell checked: the bodies of earlier cells'
	// declarations are not checked again, and a rebuild or a child needs
	// their facts. A newer cell of the same name wins at the same span.
	facts := make(map[string]fact, len(s.checker.facts)+len(res.facts))
	for k, f := range s.checker.facts {
		facts[k] = f
	}
	for k, f := range res.facts {
		if rest, ok := strings.CutPrefix(k, curFile+":"); ok {
			k = name + ":" + rest
		}
		facts[k] = f
	}
	s.checker.facts = facts
	s.checker.pending = res.insts
	return nil
}

// typeErrors makes the cell's error from its type errors.
func typeErrors(name string, errs []typeError) error {
	e := &CellError{Name: "CompileError", Line: errs[0].line, Col: errs[0].col}
	for i, te := range errs {
		if i == 10 {
			e.Traceback = append(e.Traceback, fmt.Sprintf("(and %d more errors)", len(errs)-10))
			break
		}
		line := fmt.Sprintf("%s:%d:%d: %s", name, te.line, te.col, te.msg)
		for _, m := range te.more {
			line += fmt.Sprintf("\n\t%s:%d:%d: %s", name, m.line, m.col, m.msg)
		}
		e.Traceback = append(e.Traceback, line)
	}
	e.Value = e.Traceback[0]
	return e
}

// lateNames lists the names top-level statements of the cell define that
// a declaration of the same cell uses.
func lateNames(items []item) []string {
	var names []string
	for _, it := range items {
		if it.kind != stmtItem && it.kind != exprItem {
			continue
		}
		for _, n := range it.defines {
			for _, d := range items {
				if d.kind == declItem && d.uses[n] && !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	return names
}

// synthesize writes the synthetic package for the cell (see above); late
// are the cell's own := variables its declarations use, declared at
// package level. It reports false when the notebook cannot be written as
// one package (a record of several names of which the cell declares only
// some).
func (s *Session) synthesize(items []item, code, name string, late map[string]globalType) (synthetic, bool) {
	cellNames := map[string]bool{}
	cellImports := map[string]bool{} // names the cell's imports bind
	for _, it := range items {
		switch it.kind {
		case declItem:
			for _, n := range it.defines {
				cellNames[n] = true
			}
		case importItem:
			for _, sp := range it.decl.(*ast.GenDecl).Specs {
				spec := specOf(sp.(*ast.ImportSpec))
				cellImports[importBinding(spec)] = true
			}
		}
	}
	for n := range late {
		cellNames[n] = true
	}
	s.stateMu.RLock()
	imports := slices.Clone(s.imports)
	decls := slices.Clone(s.decls)
	s.stateMu.RUnlock()

	// The notebook's part: its imports, globals and declarations.
	var nb, cell strings.Builder
	nb.WriteString("package main\n")
	cell.WriteString("package main\n")
	aliases := map[string]bool{}
	recorded := make(map[string]bool, len(decls))
	keep := make([]record, 0, len(decls))
	size := 0
	for _, r := range decls {
		covered := 0
		for _, n := range r.Names {
			if cellNames[n] {
				covered++
			}
		}
		if covered > 0 && covered < len(r.Names) {
			return synthetic{}, false
		}
		if covered == 0 {
			keep = append(keep, r)
			size += len(r.Text) + len(r.Cell) + 64
			for _, n := range r.Names {
				recorded[n] = true
			}
		}
	}
	// Each part imports what it may use: a name that does not occur in
	// a part's text cannot be used there, and an unused import only
	// costs an error to format and drop.
	nb.Grow(size + 1024)
	inRecords := func(b string) bool {
		return slices.ContainsFunc(keep, func(r record) bool { return strings.Contains(r.Text, b) })
	}
	for _, im := range imports {
		b := importBinding(im)
		if b == "." || b == "_" || inRecords(b) {
			nb.WriteString(importLine(im))
		}
		if !cellImports[b] && (b == "." || b == "_" || strings.Contains(code, b)) {
			cell.WriteString(importLine(im))
		}
	}
	var vars, lateVars []string
	live := s.yi.Globals()
	for n := range live {
		if strings.HasPrefix(n, reservedPrefix) || n == "_" || recorded[n] || cellNames[n] {
			continue
		}
		g, ok := s.checker.globals[n]
		if ok && !sameBasic(g.expr, live[n]) {
			// The interpreter kept another type (a := of an existing
			// name that ran as an assignment): trust neither.
			ok = false
		}
		if !ok {
			// Defined by a cell that was not checked: unknown, so that
			// its uses are not checked either.
			vars = append(vars, fmt.Sprintf("var %s = %s", n, reserved("Unknown")))
			continue
		}
		for _, p := range g.paths {
			aliases[p] = true
		}
		vars = append(vars, fmt.Sprintf("var %s %s", n, g.expr))
	}
	for n, g := range late {
		for _, p := range g.paths {
			aliases[p] = true
		}
		lateVars = append(lateVars, fmt.Sprintf("var %s %s", n, g.expr))
	}
	for _, p := range slices.Sorted(maps.Keys(aliases)) {
		fmt.Fprintf(&nb, "import %s %q\n", pkgAlias(p), p)
		fmt.Fprintf(&cell, "import %s %q\n", pkgAlias(p), p)
	}
	slices.Sort(vars)
	for _, v := range vars {
		nb.WriteString(v + "\n")
	}
	if s.checker.stripped == nil || len(s.checker.stripped) > 2*len(keep)+64 {
		// Forget the texts of declarations replaced since.
		s.checker.stripped = map[string]string{}
	}
	synth := synthDirective()
	for _, r := range keep {
		text := r.Text
		// An earlier cell's func bodies cannot change what the cell
		// means: only their signatures are checked again (their facts
		// were kept when they were checked). Those of a cell with the
		// current cell's name are checked in full, since their facts
		// may have been replaced by the current cell's.
		if r.Cell != name {
			text = s.checker.withoutBodies(r.Text)
		}
		nb.WriteString(lineDirective(r.Cell, r.Line, r.Col))
		nb.WriteString(text)
		nb.WriteString("\n")
		nb.WriteString(synth)
		nb.WriteString("\n")
	}

	// The cell's part: its imports, declarations, and statements in a
	// func body.
	spans := splitSpans(code)
	cell.WriteString(lineDirective(curFile, 1, 1))
	cell.WriteString(blank(code, spans, func(k itemKind) bool { return k == importItem }))
	cell.WriteString("\n" + synthDirective() + "\n")
	slices.Sort(lateVars)
	for _, v := range lateVars {
		cell.WriteString(v + "\n")
	}
	cell.WriteString(lineDirective(curFile, 1, 1))
	cell.WriteString(blank(code, spans, func(k itemKind) bool { return k == declItem }))
	cell.WriteString("\n" + synthDirective() + "\nfunc " + cellFunc + "() {")
	cell.WriteString(lineDirective(curFile, 1, 1))
	cell.WriteString(blank(code, spans, func(k itemKind) bool { return k == stmtItem || k == exprItem }))
	cell.WriteString("\n" + synthDirective() + "}\n")
	return synthetic{notebook: nb.String(), cell: cell.String()}, true
}

// synthetic is the package a cell is checked in, as two files.
type synthetic struct {
	notebook, cell string
}

// sameBasic reports whether v, a global's value, has the type expr says,
// when expr is a predeclared type; other types are not compared.
func sameBasic(expr string, v reflect.Value) bool {
	tn, ok := types.Universe.Lookup(expr).(*types.TypeName)
	if !ok || !v.IsValid() {
		return true
	}
	if _, basic := tn.Type().(*types.Basic); !basic {
		return true
	}
	switch expr {
	case "byte":
		expr = "uint8"
	case "rune":
		expr = "int32"
	}
	return v.Type().String() == expr
}

// synthDirective returns positions to gomp's own file.
func synthDirective() string { return "/*line " + synthFile + ":1:1*/" }

// importBinding is the name an import binds in a file: its own name, or
// its package's, which is the path's last element except for a major
// version suffix (math/rand/v2 binds rand).
func importBinding(im importSpec) string {
	if im.Name != "" {
		return im.Name
	}
	base := path.Base(im.Path)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" && path.Dir(im.Path) != "." {
		return path.Base(path.Dir(im.Path))
	}
	return base
}

// importLine writes im as an import declaration.
func importLine(im importSpec) string {
	if im.Name == "" {
		return fmt.Sprintf("import %q\n", im.Path)
	}
	return fmt.Sprintf("import %s %q\n", im.Name, im.Path)
}

// checkResult is what one go/types run found.
type checkResult struct {
	errs        []typeError
	unsupported *typeError
	defined     map[string]globalType // types of the cell's top-level := names
	facts       map[string]fact
	pkg         *types.Package
	stdUses     []stdUse // the cell's uses of standard packages' members
	insts       []instDecl
	instFailed  *typeError // a generic type that could not be instantiated
}

// stdUse is a use of pkg.Name in the current cell, pkg being a package
// go/types imported.
type stdUse struct {
	line, col  int
	local      string // the package's name in the cell
	path, name string
}

// typeCheck parses and checks src, a synthetic package; nil when it could
// not be checked at all. With trailing, the cell's last statement is the
// expression whose value the cell shows, which Go would call unused.
// refresh are the notebook's type instances to make again.
func (s *Session) typeCheck(src synthetic, trailing bool, refresh map[string]typeInstRef) *checkResult {
	c := &s.checker
	if c.nbFile == nil || c.nbText != src.notebook {
		// The notebook changed (or this is the first check): parse it
		// again, in a new FileSet that the cells' parts then join.
		c.fset = token.NewFileSet()
		nbf, err := parser.ParseFile(c.fset, synthFile, src.notebook, parser.SkipObjectResolution)
		if err != nil {
			s.log.Debug("type check: the notebook's part does not parse", "err", err)
			c.nbFile = nil
			return nil
		}
		c.nbFile, c.nbText = nbf, src.notebook
	}
	fset := c.fset
	f, err := parser.ParseFile(fset, synthFile, src.cell, parser.SkipObjectResolution)
	if err != nil {
		s.log.Debug("type check: the cell's part does not parse", "err", err)
		return nil
	}
	var paths []string
	for _, file := range []*ast.File{c.nbFile, f} {
		for _, im := range file.Imports {
			if p, err := strconv.Unquote(im.Path.Value); err == nil {
				paths = append(paths, p)
			}
		}
	}
	stdTypes.prefetch(paths)
	shadowGlobals(c.nbFile, f)
	res := &checkResult{defined: map[string]globalType{}, facts: map[string]fact{}}
	topLevel := topLevelDefines(f)
	var shown ast.Node
	if trailing {
		shown = trailingExpr(f)
	}
	// primary is the latest error that is not a continuation line, and
	// kept whether the cell's errors have it.
	var primary string
	kept := false
	sink := func(te types.Error) {
		p := te.Fset.Position(te.Pos)
		if cont, ok := strings.CutPrefix(te.Msg, "\t"); ok {
			// A continuation of the error before: with it, or in its
			// place when that one is in an earlier cell.
			switch {
			case p.Filename != curFile+fileSuffix:
			case kept:
				last := &res.errs[len(res.errs)-1]
				last.more = append(last.more, typeError{line: p.Line, col: p.Column, msg: cont})
			default:
				res.errs = append(res.errs, typeError{line: p.Line, col: p.Column, msg: primary + " " + cont})
				kept = true
			}
			return
		}
		primary, kept = te.Msg, false
		if p.Filename != curFile+fileSuffix || strings.HasPrefix(te.Msg, "could not import") {
			return
		}
		if strings.HasSuffix(te.Msg, "imported and not used") || strings.Contains(te.Msg, "imported as ") && strings.HasSuffix(te.Msg, "and not used") {
			return
		}
		if strings.HasPrefix(te.Msg, "declared and not used: ") && topLevel[te.Pos] {
			return
		}
		if shown != nil && strings.HasSuffix(te.Msg, " is not used") && te.Pos >= shown.Pos() && te.Pos < shown.End() {
			return
		}
		res.errs = append(res.errs, typeError{line: p.Line, col: p.Column, msg: te.Msg})
		kept = true
	}
	var pkg *types.Package
	var info *types.Info
	stdTypes.use(func(imp types.Importer) {
		pkg, info = c.run(imp, fset, f, sink)
	})
	if pkg == nil {
		return nil
	}
	slices.SortStableFunc(res.errs, func(a, b typeError) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return a.col - b.col
	})
	qual := importQualifier(f)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !isCellFunc(fd.Name.Name) {
			continue
		}
		for _, st := range fd.Body.List {
			a, ok := st.(*ast.AssignStmt)
			if !ok || a.Tok != token.DEFINE {
				continue
			}
			for _, l := range a.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok || id.Name == "_" {
					continue
				}
				obj := info.Defs[id]
				if obj == nil {
					obj = info.Uses[id]
				}
				if obj == nil || obj.Type() == nil || obj.Type() == types.Typ[types.Invalid] {
					continue
				}
				res.defined[id.Name] = globalTypeOf(obj.Type())
			}
		}
	}
	res.pkg = pkg
	collectFacts(fset, f, info, qual, res.facts)
	errorsIsFacts(fset, f, info, pkg, res.facts)
	infos := []*types.Info{info}
	if c.inc != nil && c.nbInfo != nil {
		infos = append(infos, c.nbInfo)
	}
	nb := notebookSrc(fset, pkg, []*ast.File{c.nbFile, f}, []string{src.notebook, src.cell}, infos)
	ci := safeInstances(func() cellInstances { return collectInstances(fset, f, info, pkg, nb, res.facts, refresh) })
	res.insts, res.instFailed = ci.decls, ci.failed
	res.insts = append(res.insts, ifaceImports(fset, f, info)...)
	res.insts = append(res.insts, panicArgs(fset, f, info, res.facts)...)
	res.stdUses = slices.DeleteFunc(stdUses(fset, f, info), func(u stdUse) bool {
		return ci.lowered[strconv.Itoa(u.line)+":"+strconv.Itoa(u.col)]
	})
	res.unsupported = unsupported(fset, f, res.facts)
	return res
}

// topLevelDefines returns the offsets (in the current cell) of the names
// the cell's top-level := statements define: unused, they are globals,
// not Go's "declared and not used".
func topLevelDefines(f *ast.File) map[token.Pos]bool {
	m := map[token.Pos]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !isCellFunc(fd.Name.Name) {
			continue
		}
		for _, st := range fd.Body.List {
			if a, ok := st.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
				for _, l := range a.Lhs {
					m[l.Pos()] = true
				}
			}
		}
	}
	return m
}

// stdUses lists the cell's uses of members of imported packages, in
// source order.
func stdUses(fset *token.FileSet, f *ast.File, info *types.Info) []stdUse {
	var uses []stdUse
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		pn, ok := info.Uses[id].(*types.PkgName)
		if !ok || pn.Imported().Scope().Lookup(sel.Sel.Name) == nil {
			// Not a member go/types knows (a package it could not
			// import is empty): the interpreter says what it says.
			return true
		}
		p := fset.Position(sel.Pos())
		if p.Filename == curFile+fileSuffix {
			uses = append(uses, stdUse{line: p.Line, col: p.Column, local: id.Name, path: pn.Imported().Path(), name: sel.Sel.Name})
		}
		return true
	})
	return uses
}

// isCellFunc reports whether name is that of the function holding a
// cell's statements (cellFunc, numbered when checked incrementally).
func isCellFunc(name string) bool { return strings.HasPrefix(name, cellFunc) }

// run type-checks f, the cell's part, with the notebook's part, reporting
// errors to sink. When f declares nothing at package level but its
// statements' function (most cells), it reuses the package of the
// notebook's part checked by an earlier cell, if the notebook did not
// change: go/types may check more files into a package, and only the
// cell's part is checked again. Otherwise both parts are checked afresh
// (and the next such cell checks the notebook's part again).
func (c *checker) run(imp types.Importer, fset *token.FileSet, f *ast.File, sink func(types.Error)) (pkg *types.Package, info *types.Info) {
	newInfo := func() *types.Info {
		return &types.Info{
			Types: map[ast.Expr]types.TypeAndValue{},
			Defs:  map[*ast.Ident]types.Object{},
			Uses:  map[*ast.Ident]types.Object{},

			Selections: map[*ast.SelectorExpr]*types.Selection{},
			Instances:  map[*ast.Ident]types.Instance{},
		}
	}
	conf := &types.Config{
		Importer: imp,
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && c.sink != nil {
				c.sink(te)
			}
		},
	}
	c.sink = sink
	defer func() { c.sink = nil }()
	if declaresOnlyCellFunc(f) {
		// go/types sorts every object of the package with each check:
		// a package holding many cells' functions is replaced.
		if c.inc == nil || c.incFile != c.nbFile || c.incUses >= maxIncremental {
			c.inc = nil
			pkg := types.NewPackage("main", "main")
			info := newInfo()
			chk := types.NewChecker(conf, fset, pkg, info)
			c.sink = func(types.Error) {} // the notebook's own errors are not the cell's
			_ = chk.Files([]*ast.File{c.nbFile})
			nbInfo := *info
			c.nbInfo = &nbInfo
			c.sink = sink
			c.inc, c.incInfo, c.incPkg, c.incFile, c.incUses = chk, info, pkg, c.nbFile, 0
		}
		c.incUses++
		// The cell's function gets a name of its own in the package.
		c.incN++
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && isCellFunc(fd.Name.Name) {
				fd.Name.Name = cellFunc + strconv.Itoa(c.incN)
			}
		}
		// Only the cell's part is recorded: fresh maps, which the
		// checker fills through the same *Info.
		*c.incInfo = *newInfo()
		ok := func() (ok bool) {
			defer func() {
				if r := recover(); r != nil {
					ok = false
				}
			}()
			_ = c.inc.Files([]*ast.File{f})
			return true
		}()
		if ok {
			return c.incPkg, c.incInfo
		}
		c.inc = nil
		return nil, nil
	}
	c.inc, c.nbInfo = nil, nil
	info = newInfo()
	pkg, _ = conf.Check("main", fset, []*ast.File{c.nbFile, f}, info)
	return pkg, info
}

// declaresOnlyCellFunc reports whether f, a cell's part, declares nothing
// at package level but imports and the cell's function.
func declaresOnlyCellFunc(f *ast.File) bool {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok != token.IMPORT {
				return false
			}
		case *ast.FuncDecl:
			if !isCellFunc(d.Name.Name) {
				return false
			}
		}
	}
	return true
}

// trailingExpr is the last statement of the cell's body when it is an
// expression statement.
func trailingExpr(f *ast.File) ast.Node {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && isCellFunc(fd.Name.Name) && len(fd.Body.List) > 0 {
			if x, ok := fd.Body.List[len(fd.Body.List)-1].(*ast.ExprStmt); ok {
				return x
			}
		}
	}
	return nil
}

// globalTypeOf writes t for a `var x T` of a later synthetic package.
func globalTypeOf(t types.Type) globalType {
	var g globalType
	g.expr = types.TypeString(t, func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		if !slices.Contains(g.paths, p.Path()) {
			g.paths = append(g.paths, p.Path())
		}
		return pkgAlias(p.Path())
	})
	return g
}

// importQualifier names packages as the file imports them, for type
// expressions the lowerings insert into the cell; it reports false for a
// package the file does not import under a usable name.
func importQualifier(f *ast.File) func(*types.Package) (string, bool) {
	names := map[string]string{}
	for _, im := range f.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			continue
		}
		n := path.Base(p)
		if im.Name != nil {
			n = im.Name.Name
		}
		if n == "_" || n == "." || strings.HasPrefix(n, reservedPrefix) {
			continue
		}
		if _, ok := names[p]; !ok {
			names[p] = n
		}
	}
	return func(p *types.Package) (string, bool) {
		if p.Path() == "main" {
			return "", true
		}
		n, ok := names[p.Path()]
		return n, ok
	}
}

// typeExprOf writes t as the cell's code names it; ok is false when some
// package in it is not imported by the notebook, or when it names a type
// declared inside a function.
func typeExprOf(t types.Type, qual func(*types.Package) (string, bool)) (string, bool) {
	ok := true
	s := types.TypeString(t, func(p *types.Package) string {
		n, found := qual(p)
		if !found {
			ok = false
		}
		return n
	})
	local := false
	walkType(t, func(t types.Type) {
		if n, ok := t.(*types.Named); ok {
			if o := n.Obj(); o.Pkg() != nil && o.Parent() != o.Pkg().Scope() {
				local = true
			}
		}
	})
	return s, ok && !local
}

// walkType calls f on t and on each type t is made of (type arguments,
// aliased types, elements, keys, parameters, results, fields), each
// once; not on a named type's underlying type.
func walkType(t types.Type, f func(types.Type)) {
	seen := map[types.Type]bool{}
	var visit func(types.Type)
	visit = func(t types.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		f(t)
		switch t := t.(type) {
		case *types.Named:
			if ta := t.TypeArgs(); ta != nil {
				for i := range ta.Len() {
					visit(ta.At(i))
				}
			}
		case *types.Alias:
			visit(types.Unalias(t))
		case *types.Pointer:
			visit(t.Elem())
		case *types.Slice:
			visit(t.Elem())
		case *types.Array:
			visit(t.Elem())
		case *types.Map:
			visit(t.Key())
			visit(t.Elem())
		case *types.Chan:
			visit(t.Elem())
		case *types.Signature:
			for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tu.Len() {
					visit(tu.At(i).Type())
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				visit(t.Field(i).Type())
			}
		}
	}
	visit(t)
}

// unsupported finds the first construct of the current cell that go/types
// accepts and gomp cannot run yet, from the facts collected.
func unsupported(fset *token.FileSet, f *ast.File, facts map[string]fact) *typeError {
	var found *typeError
	ast.Inspect(f, func(n ast.Node) bool {
		if found != nil || n == nil {
			return false
		}
		if r, ok := n.(*ast.RangeStmt); ok {
			if ft, ok := facts[factKey(fset, r)]; ok && ft.Kind == factUnsupported {
				p := fset.Position(r.For)
				found = &typeError{line: p.Line, col: p.Column, msg: ft.Value}
			}
		}
		return true
	})
	return found
}

// safeInstances runs collect, turning a panic of the instantiation (a
// construct it does not expect) into the cell's error instead of the
// session's end.
func safeInstances(collect func() cellInstances) (ci cellInstances) {
	defer func() {
		if r := recover(); r != nil {
			ci = cellInstances{failed: &typeError{line: 1, col: 1, msg: fmt.Sprintf("generic code in this cell is not supported yet: %v", r)}}
		}
	}()
	return collect()
}
