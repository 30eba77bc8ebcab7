package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
)

// itemKind says how a top-level item of a cell is evaluated.
type itemKind int

const (
	// importItem is an import declaration.
	importItem itemKind = iota
	// declItem is a func, method, type, var or const declaration.
	declItem
	// stmtItem is a statement; := at top level defines a session global.
	stmtItem
	// exprItem is the trailing expression statement whose value the cell shows.
	exprItem
)

// String returns the kind's name: "import", "decl", "stmt" or "expr".
func (k itemKind) String() string {
	switch k {
	case importItem:
		return "import"
	case declItem:
		return "decl"
	case stmtItem:
		return "stmt"
	default:
		return "expr"
	}
}

// fileSuffix is appended to every position's file name. yaegi keys a file's
// imports by the base name of the position's file, so all cells share one
// base name (and therefore one set of imports); errors drop the suffix.
const fileSuffix = "/.gomp"

// physicalFile is the name under which synthetic sources are parsed; its
// base name equals fileSuffix's so that yaegi finds the imports.
const physicalFile = ".gomp"

// span is one top-level item of a cell: bytes [start, end) of the source.
type span struct {
	kind       itemKind
	start, end int
}

// item is a parsed top-level item.
type item struct {
	kind       itemKind
	start, end int       // byte offsets in the cell
	phys       token.Pos // a position outside the line directive (see physicalFile)
	decl       ast.Decl  // importItem, declItem
	stmt       ast.Stmt  // stmtItem, exprItem
	defines    []string  // names the item declares ("f", "T", "T.M", "x")
	uses       map[string]bool
}

// splitSpans cuts src into top-level items at depth-0 semicolons (explicit
// or inserted at line ends) and classifies each by its first tokens.
func splitSpans(src string) []span {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, 0)
	type tok struct {
		tok token.Token
		off int
		lit string
	}
	var spans []span
	var cur []tok
	depth := 0
	flush := func(end int) {
		// A package clause is dropped: a cell may hold a whole program,
		// and every cell is in the notebook's one package.
		if len(cur) > 0 && cur[0].tok != token.PACKAGE {
			spans = append(spans, span{kind: classify(cur[0].tok, func(i int) token.Token {
				if i < len(cur) {
					return cur[i].tok
				}
				return token.EOF
			}), start: cur[0].off, end: end})
		}
		cur = cur[:0]
	}
	for {
		pos, t, lit := s.Scan()
		off := file.Offset(pos)
		if t == token.EOF {
			flush(len(src))
			return spans
		}
		switch t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 {
				end := off
				if lit == ";" {
					end++
				}
				flush(end)
				continue
			}
		}
		if t != token.SEMICOLON || len(cur) > 0 {
			cur = append(cur, tok{t, off, lit})
		}
	}
}

// classify tells a declaration from a statement by its first tokens. A func
// keyword starts a declaration when a name follows it, or a receiver in
// parentheses and then a name and "(" or "["; otherwise it is a func literal.
func classify(first token.Token, at func(int) token.Token) itemKind {
	switch first {
	case token.IMPORT:
		return importItem
	case token.CONST, token.TYPE, token.VAR:
		return declItem
	case token.FUNC:
		switch at(1) {
		case token.IDENT:
			return declItem
		case token.LPAREN:
			depth := 0
			for i := 1; ; i++ {
				switch at(i) {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
					if depth == 0 {
						if at(i+1) == token.IDENT && (at(i+2) == token.LPAREN || at(i+2) == token.LBRACK) {
							return declItem
						}
						return stmtItem
					}
				case token.EOF:
					return stmtItem
				}
			}
		}
	}
	return stmtItem
}

// blank returns src with every byte outside the kept spans replaced by a
// space, newlines kept, so that positions stay those of the cell.
func blank(src string, spans []span, keep func(itemKind) bool) string {
	b := []byte(src)
	mask := make([]bool, len(b))
	for _, sp := range spans {
		if keep(sp.kind) {
			for i := sp.start; i < sp.end; i++ {
				mask[i] = true
			}
		}
	}
	for i := range b {
		if !mask[i] && b[i] != '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// lineDirective makes positions that follow it read NAME:line:col.
func lineDirective(name string, line, col int) string {
	if strings.Contains(name, "*/") || strings.Contains(name, "\n") {
		name = strings.NewReplacer("*/", "*_/", "\n", " ").Replace(name)
	}
	return "/*line " + name + fileSuffix + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + "*/"
}

// parseCell splits and parses a cell. Declarations and imports are parsed
// as one file, statements as one function body, each from a blanked copy
// of the cell so that positions read name:line:col in cell coordinates.
// The returned items are in source order.
func parseCell(fset *token.FileSet, name, src string) ([]item, error) {
	spans := splitSpans(src)
	var items []item
	hasDecl, hasStmt := false, false
	for _, sp := range spans {
		if sp.kind == stmtItem {
			hasStmt = true
		} else {
			hasDecl = true
		}
	}
	var decls []ast.Decl
	var declPrefix, stmtPrefix int
	var phys token.Pos
	if hasDecl {
		prefix := "package main;" + lineDirective(name, 1, 1)
		declPrefix = len(prefix)
		text := prefix + blank(src, spans, func(k itemKind) bool { return k != stmtItem })
		f, err := parser.ParseFile(fset, physicalFile, text, parser.SkipObjectResolution)
		if err != nil {
			return nil, atEndOfCell(err, src)
		}
		decls = f.Decls
		phys = f.Package
	}
	var stmts []ast.Stmt
	if hasStmt {
		prefix := "package main;func _(){" + lineDirective(name, 1, 1)
		stmtPrefix = len(prefix)
		text := prefix + blank(src, spans, func(k itemKind) bool { return k == stmtItem }) + "\n}"
		f, err := parser.ParseFile(fset, physicalFile, text, parser.SkipObjectResolution)
		if err != nil {
			return nil, atEndOfCell(err, src)
		}
		body := f.Decls[0].(*ast.FuncDecl).Body
		if !phys.IsValid() {
			phys = body.Lbrace
		}
		for _, st := range body.List {
			if _, empty := st.(*ast.EmptyStmt); !empty {
				stmts = append(stmts, st)
			}
		}
	}
	for _, d := range decls {
		k := declItem
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			k = importItem
		}
		items = append(items, item{kind: k, start: fset.Position(d.Pos()).Offset - declPrefix, end: fset.Position(d.End()).Offset - declPrefix, decl: d})
	}
	for _, st := range stmts {
		items = append(items, item{kind: stmtItem, start: fset.Position(st.Pos()).Offset - stmtPrefix, end: fset.Position(st.End()).Offset - stmtPrefix, stmt: st})
	}
	for i := range items {
		items[i].phys = phys
	}
	sortItems(items)
	if n := len(items); n > 0 && items[n-1].kind == stmtItem {
		if _, ok := items[n-1].stmt.(*ast.ExprStmt); ok {
			items[n-1].kind = exprItem
		}
	}
	for i := range items {
		items[i].defines = defines(&items[i])
		items[i].uses = uses(&items[i])
	}
	return items, nil
}

func sortItems(items []item) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].start < items[j-1].start; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

// defines lists the names an item declares. Methods are "Type.Method".
func defines(it *item) []string {
	var names []string
	switch d := it.decl.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			return []string{recvTypeName(d.Recv.List[0].Type) + "." + d.Name.Name}
		}
		return []string{d.Name.Name}
	case *ast.GenDecl:
		for _, sp := range d.Specs {
			switch sp := sp.(type) {
			case *ast.TypeSpec:
				names = append(names, sp.Name.Name)
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					names = append(names, n.Name)
				}
			}
		}
		return names
	}
	if a, ok := it.stmt.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
		for _, l := range a.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
				names = append(names, id.Name)
			}
		}
	}
	return names
}

// recvTypeName is the type name of a method receiver: T for T, *T, T[K].
func recvTypeName(e ast.Expr) string {
	e = recvBase(e)
	switch t := e.(type) {
	case *ast.IndexExpr:
		e = t.X
	case *ast.IndexListExpr:
		e = t.X
	}
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// uses collects every identifier an item mentions; an over-approximation
// that is only used to order declarations after the statements they need.
func uses(it *item) map[string]bool {
	m := map[string]bool{}
	var n ast.Node = it.decl
	if it.decl == nil {
		n = it.stmt
	}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			m[id.Name] = true
		}
		return true
	})
	if it.decl != nil {
		// A declaration's own parameters and locals are not the notebook's
		// variables, even when a statement of the cell uses the same names.
		for name := range localNames(it.decl) {
			delete(m, name)
		}
	}
	return m
}

// atEndOfCell moves errors found past the cell's end (at the closing brace
// of the synthetic function around statements, or at EOF) to the cell's
// last position, and says "end of cell".
func atEndOfCell(err error, src string) error {
	list, ok := err.(scanner.ErrorList)
	if !ok {
		return err
	}
	lines := strings.Split(src, "\n")
	for len(lines) > 1 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	last, col := len(lines), len(strings.TrimRight(lines[len(lines)-1], " \t\r"))+1
	for _, e := range list {
		past := e.Pos.Line > last || e.Pos.Line == last && e.Pos.Column > col
		if past || strings.HasSuffix(e.Msg, "found 'EOF'") {
			e.Pos.Line, e.Pos.Column = last, col
			e.Msg = strings.NewReplacer("found '}'", "found end of cell", "found 'EOF'", "found end of cell").Replace(e.Msg)
		}
	}
	return list
}
