package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomp-kernel/gomp/interp/stdlib"
	"github.com/gomp-kernel/gomp/interp/symbols"
)

// IsComplete reports whether code is ready to run: "complete", "invalid"
// (a syntax error that more lines cannot fix), or "incomplete" with the
// indent for the next line (one tab per open bracket, Go style) when
// brackets, a raw string or a comment are still open, or the last line
// ends with an operator or comma.
func (s *Session) IsComplete(code string) (status, indent string) {
	code, timed := cutTimeMagic(code)
	if timed && strings.TrimSpace(code) == "" {
		return "incomplete", "" // %%time wants the cell it times
	}
	if strings.TrimSpace(code) == "" {
		return "complete", ""
	}
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	var errs scanner.ErrorList
	var sc scanner.Scanner
	sc.Init(file, []byte(code), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	var stack []token.Token
	last := token.ILLEGAL
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			stack = append(stack, tok)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			open := map[token.Token]token.Token{token.RPAREN: token.LPAREN, token.RBRACK: token.LBRACK, token.RBRACE: token.LBRACE}[tok]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return "invalid", ""
			}
			stack = stack[:len(stack)-1]
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		last = tok
	}
	for _, e := range errs {
		switch {
		case strings.Contains(e.Msg, "raw string literal not terminated"), strings.Contains(e.Msg, "comment not terminated"):
			return "incomplete", ""
		default:
			return "invalid", ""
		}
	}
	if len(stack) > 0 {
		return "incomplete", strings.Repeat("\t", len(stack))
	}
	if last.IsOperator() && last != token.RPAREN && last != token.RBRACK && last != token.RBRACE &&
		last != token.INC && last != token.DEC && last != token.SEMICOLON && last != token.COLON {
		return "incomplete", ""
	}
	if _, err := parseCell(token.NewFileSet(), "cell", code); err != nil {
		return "invalid", ""
	}
	return "complete", ""
}

var keywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package",
	"range", "return", "select", "struct", "switch", "type", "var"}

// runeToByte converts a cursor in code points to a byte offset.
func runeToByte(code string, cursor int) int {
	off := 0
	for i := 0; i < cursor && off < len(code); i++ {
		_, n := utf8.DecodeRuneInString(code[off:])
		off += n
	}
	return off
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identBefore returns the identifier ending at byte offset end and its start.
func identBefore(code string, end int) (string, int) {
	start := end
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) {
			break
		}
		start -= n
	}
	return code[start:end], start
}

// Completion is one candidate of Complete.
type Completion struct {
	// Text is the name.
	Text string
	// Kind says what it names, as JupyterLab's completer types it:
	// "function", "keyword", "module", "variable", "type", "field",
	// "method" or "constant".
	Kind string
	// Signature is a function's or method's signature, a variable's or
	// field's type, a module's import path; "" when unknown.
	Signature string
}

// candidates gathers completions, keeping for each name the one from the
// most reliable source (a higher rank).
type candidates struct {
	m    map[string]Completion
	rank map[string]int
}

func (c *candidates) add(rank int, text, kind, sig string) {
	if c.m == nil {
		c.m, c.rank = map[string]Completion{}, map[string]int{}
	}
	if r, seen := c.rank[text]; seen && r > rank {
		return
	}
	c.m[text] = Completion{Text: text, Kind: kind, Signature: sig}
	c.rank[text] = rank
}

// Ranks of completion sources, least reliable first.
const (
	rankCode     = iota // identifiers of the code being typed
	rankLang            // keywords and predeclared names
	rankImport          // the notebook's imports
	rankNotebook        // the notebook's declarations and variables
)

// Complete returns the completions of the identifier before cursor: after
// "x." the members of package x (imported or importable) or the fields and
// methods of variable x; otherwise the notebook's globals, declarations
// and imports, identifiers of code, keywords and predeclared names. Each
// says what it names. cursor, start and end count Unicode code points, as
// Jupyter does.
func (s *Session) Complete(code string, cursor int) (matches []Completion, start, end int) {
	s.run.Lock()
	defer s.run.Unlock()
	off := runeToByte(code, cursor)
	prefix, from := identBefore(code, off)
	start = utf8.RuneCountInString(code[:from])
	var c candidates
	if from > 0 && code[from-1] == '.' {
		s.members(&c, exprBefore(code, from-1))
	} else {
		s.scopeNames(&c, code, from)
	}
	for _, m := range c.m {
		if strings.HasPrefix(m.Text, prefix) && !strings.HasPrefix(m.Text, reservedPrefix) && m.Text != "_" {
			matches = append(matches, m)
		}
	}
	slices.SortFunc(matches, func(a, b Completion) int { return strings.Compare(a.Text, b.Text) })
	return matches, start, cursor
}

// scopeNames adds what an identifier at byte offset from can name.
func (s *Session) scopeNames(c *candidates, code string, from int) {
	codeNames(c, code, from)
	for _, k := range keywords {
		c.add(rankLang, k, "keyword", "")
	}
	for n, kind := range universe {
		sig := ""
		if kind == "function" {
			if d, ok := symbolDoc("builtin", n); ok {
				sig = d.Decl
			}
		}
		c.add(rankLang, n, kind, sig)
	}
	for _, im := range s.imports {
		c.add(rankImport, importedName(im), "module", im.Path)
	}
	named := s.namedTypes()
	globals := s.yi.Globals()
	for n, v := range globals {
		sig := ""
		if v.IsValid() {
			sig = typeString(v.Type(), named)
		}
		c.add(rankNotebook, n, "variable", sig)
	}
	for i := range s.decls {
		r := &s.decls[i]
		for _, n := range r.Names {
			if _, isVar := globals[n]; strings.Contains(n, ".") || r.Tok == "var" && isVar {
				continue // a method, or a variable whose type is known
			}
			c.add(rankNotebook, n, declKind(r.Tok), firstLine(declSignature(r)))
		}
	}
}

// codeNames adds the identifiers of code other than the one at byte
// offset from and the members after a dot, by the keyword before them.
func codeNames(c *candidates, code string, from int) {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
	prev := token.ILLEGAL
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			return
		}
		if tok == token.IDENT && fset.Position(pos).Offset != from && prev != token.PERIOD {
			kind := "variable"
			switch prev {
			case token.FUNC:
				kind = "function"
			case token.TYPE:
				kind = "type"
			case token.CONST:
				kind = "constant"
			}
			c.add(rankCode, lit, kind, "")
		}
		prev = tok
	}
}

// declKind is the completion kind of a declaration's names.
func declKind(tok string) string {
	switch tok {
	case "func":
		return "function"
	case "type":
		return "type"
	case "const":
		return "constant"
	}
	return "variable"
}

// declSignature is a record's declaration as completion and inspection
// show it: a func's up to its body, the whole text of the others.
func declSignature(r *record) string {
	if r.Tok == "func" {
		return signature(r.Text)
	}
	return r.Text
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// importedName is the name under which a file of the notebook refers to
// an import.
func importedName(im importSpec) string {
	if im.Name != "" {
		return im.Name
	}
	return path.Base(im.Path)
}

// pkgPath finds the package a name refers to: an import of the notebook,
// or else a standard package with that base name.
func (s *Session) pkgPath(name string) string {
	for _, im := range s.imports {
		if importedName(im) == name {
			return im.Path
		}
	}
	if _, ok := symbols.Packages[name]; ok {
		return name
	}
	var found []string
	for k := range stdlib.Symbols {
		if p := path.Dir(k); path.Base(p) == name {
			found = append(found, p)
		}
	}
	sort.Strings(found)
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

// members adds what follows "qual.": a package's exported symbols, or a
// global's fields and methods.
func (s *Session) members(c *candidates, x string) {
	if t := s.exprType(x); t != nil {
		s.valueMembers(c, t)
		return
	}
	if s.pkgPath(x) == "" || s.isGlobal(x) {
		if s.typedMembers(c, x) {
			return
		}
	}
	if _, isVar := s.yi.Globals()[x]; isVar {
		return // a variable without a value to tell its type
	}
	p := s.pkgPath(x)
	if p == "" {
		return
	}
	docs := symbols.Docs[p] // gomp's own: no parsing needed
	for n, v := range pkgSymbols(p) {
		if strings.HasPrefix(n, "_") {
			continue // yaegi's interface wrappers
		}
		kind, sig := symbolKind(v)
		if d, ok := docs[n]; ok {
			sig = firstLine(d.Decl)
		}
		c.add(rankNotebook, n, kind, sig)
	}
}

// isGlobal reports whether name is a notebook variable.
func (s *Session) isGlobal(name string) bool {
	_, ok := s.yi.Globals()[name]
	return ok
}

// exprBefore returns the expression that ends at byte offset end, as far
// back as a chain of names, selectors, calls and index expressions goes:
// "strings.NewReader(s)" in "r := strings.NewReader(s)".
func exprBefore(code string, end int) string {
	i := end
	for i > 0 {
		switch c := code[i-1]; {
		case c == ')' || c == ']':
			_, open := openBracket(code, i-1)
			if open < 0 {
				return code[i:end]
			}
			i = open
		case c == '.':
			i--
		default:
			_, from := identBefore(code, i)
			if from == i {
				return code[i:end]
			}
			i = from
		}
	}
	return code[i:end]
}

// exprType is the type of expression x where the notebook's variables and
// the compiled packages' symbols tell it without running anything: a
// variable, a field or method result of a typed value, the result of a
// function of a package, an element of a slice, array or map. nil when
// it cannot tell (x is not run: a call might have effects).
func (s *Session) exprType(x string) reflect.Type {
	e, err := parser.ParseExpr(x)
	if err != nil {
		return nil
	}
	return s.typeOf(e)
}

func (s *Session) typeOf(e ast.Expr) reflect.Type {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return s.typeOf(e.X)
	case *ast.Ident:
		if v, ok := s.yi.Globals()[e.Name]; ok && v.IsValid() {
			return v.Type()
		}
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			if _, isVar := s.yi.Globals()[id.Name]; !isVar {
				if p := s.pkgPath(id.Name); p != "" {
					v, ok := pkgSymbols(p)[e.Sel.Name]
					if !ok || isTypeSymbol(v) {
						return nil // a type: a conversion is handled by CallExpr
					}
					return v.Type()
				}
			}
		}
		t := s.typeOf(e.X)
		if t == nil {
			return nil
		}
		if m, ok := t.MethodByName(e.Sel.Name); ok {
			if t.Kind() == reflect.Interface {
				return m.Type
			}
			return methodFunc(m.Type)
		}
		if m, ok := reflect.PointerTo(t).MethodByName(e.Sel.Name); ok && t.Kind() != reflect.Pointer {
			return methodFunc(m.Type)
		}
		base := t
		if base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		if base.Kind() == reflect.Struct {
			if f, ok := base.FieldByName(e.Sel.Name); ok {
				return f.Type
			}
		}
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			if t := s.packageType(sel); t != nil {
				return t // a conversion to a package's type
			}
		}
		if ft := s.typeOf(e.Fun); ft != nil && ft.Kind() == reflect.Func && ft.NumOut() > 0 {
			return ft.Out(0)
		}
	case *ast.IndexExpr:
		if t := s.typeOf(e.X); t != nil {
			switch t.Kind() {
			case reflect.Slice, reflect.Array, reflect.Map:
				return t.Elem()
			case reflect.Pointer:
				if t.Elem().Kind() == reflect.Array {
					return t.Elem().Elem()
				}
			}
		}
	case *ast.StarExpr:
		if t := s.typeOf(e.X); t != nil && t.Kind() == reflect.Pointer {
			return t.Elem()
		}
	}
	return nil
}

// methodFunc is the func type of a method without its receiver (reflect
// gives a type's methods their receiver as first parameter).
func methodFunc(t reflect.Type) reflect.Type {
	in := make([]reflect.Type, 0, t.NumIn())
	for i := 1; i < t.NumIn(); i++ {
		in = append(in, t.In(i))
	}
	out := make([]reflect.Type, t.NumOut())
	for i := range out {
		out[i] = t.Out(i)
	}
	return reflect.FuncOf(in, out, t.IsVariadic())
}

// valueMembers adds the fields and methods of a value of type t: a
// compiled type's exported ones (with the pointer's methods, a variable
// being addressable), an interpreted struct's fields and the notebook's
// methods of its type.
func (s *Session) valueMembers(c *candidates, t reflect.Type) {
	named := s.namedTypes()
	ms := t
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		ms = reflect.PointerTo(t)
	}
	for i := range ms.NumMethod() {
		m := ms.Method(i)
		c.add(rankNotebook, m.Name, "method", methodSig(m, ms.Kind() == reflect.Interface, named))
	}
	base := t
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	name := named[base]
	if fields := s.sourceFields(name); fields != nil {
		for _, f := range fields {
			c.add(rankNotebook, f[0], "field", f[1])
		}
	} else if base.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(base) {
			if f.IsExported() {
				c.add(rankNotebook, f.Name, "field", typeString(f.Type, named))
			}
		}
	}
	if name != "" {
		for i := range s.decls {
			for _, n := range s.decls[i].Names {
				if m, ok := strings.CutPrefix(n, name+"."); ok {
					c.add(rankNotebook, m, "method", signature(s.decls[i].Text))
				}
			}
		}
	}
}

// symbolKind classifies a symbol of a compiled package as yaegi holds it:
// types as nil pointers, funcs as funcs, variables as addressable values,
// constants as plain values.
func symbolKind(v reflect.Value) (kind, sig string) {
	switch {
	case isTypeSymbol(v):
		return "type", v.Type().Elem().Kind().String()
	case v.Kind() == reflect.Func:
		return "function", typeString(v.Type(), nil)
	case v.CanAddr():
		return "variable", typeString(v.Type(), nil)
	}
	return "constant", typeString(v.Type(), nil)
}

// methodSig is a method's signature without its receiver.
func methodSig(m reflect.Method, iface bool, named map[reflect.Type]string) string {
	if iface {
		return typeString(m.Type, named)
	}
	return typeString(methodFunc(m.Type), named)
}

// typeString writes t for people: the notebook's types by their names,
// interface{} as any.
func typeString(t reflect.Type, named map[reflect.Type]string) string {
	if n := named[t]; n != "" {
		return n
	}
	if t.Kind() == reflect.Pointer {
		if n := named[t.Elem()]; n != "" {
			return "*" + n
		}
	}
	return strings.ReplaceAll(t.String(), "interface {}", "any")
}

// sourceFields lists the fields of the notebook's struct type name as its
// declaration writes them, names and types: yaegi's reflect types rename
// unexported fields (secret becomes Xsecret). nil for other types.
func (s *Session) sourceFields(name string) [][2]string {
	r := s.recordOf(name)
	if name == "" || r == nil || r.Tok != "type" {
		return nil
	}
	src := "package p;" + r.Text
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out [][2]string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != name {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, fl := range st.Fields.List {
			typ := src[fl.Type.Pos()-1 : fl.Type.End()-1]
			if len(fl.Names) == 0 {
				out = append(out, [2]string{recvTypeName(fl.Type), typ})
			}
			for _, n := range fl.Names {
				out = append(out, [2]string{n.Name, typ})
			}
		}
		return false
	})
	return out
}
