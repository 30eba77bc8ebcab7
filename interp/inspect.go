package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// Inspect describes the name at cursor (code points), or else the
// function whose call's parentheses hold the cursor: its declaration and
// doc comment, and a variable's current value. Standard packages are
// documented from the Go installation's source (parsed the first time one
// is asked for; signatures only where the source is absent), gomp's own
// from the generated table (symbols.Docs), the notebook's declarations by
// the comment above them in their cell. With detail > 0 a notebook func
// shows its whole source.
func (s *Session) Inspect(code string, cursor, detail int) (Help, bool) {
	s.run.Lock()
	defer s.run.Unlock()
	qual, name, expr := nameAt(code, runeToByte(code, cursor))
	if name == "" || slices.Contains(keywords, name) {
		return Help{}, false
	}
	var h help
	ok := false
	if expr != qual {
		// A member of an expression: strings.NewReader(s).Len.
		if t := s.exprType(expr); t != nil {
			h, ok = s.memberHelp(expr, name, t, reflect.Value{}, detail)
		}
	} else {
		h, ok = s.describe(qual, name, detail)
	}
	if !ok {
		return Help{}, false
	}
	return h.render(), true
}

// nameAt finds the name at byte offset off, with the identifier before
// its dot if any ("fmt", "Println" for fmt.Println) and the whole
// expression before the dot (the same, or "strings.NewReader(s)" for
// strings.NewReader(s).Len); when off is on no name, the name of the call
// whose parentheses hold off.
func nameAt(code string, off int) (qual, name, expr string) {
	end := off
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	name, from := identBefore(code, end)
	if name == "" {
		open := enclosingParen(code, off)
		if open < 0 {
			return "", "", ""
		}
		name, from = identBefore(code, len(strings.TrimRight(code[:open], " \t")))
	}
	if name != "" && from > 0 && code[from-1] == '.' {
		qual, _ = identBefore(code, from-1)
		expr = exprBefore(code, from-1)
	}
	return qual, name, expr
}

// enclosingParen is the byte offset of the innermost "(" still open at
// off, or -1 when none is or a brace or bracket opened after it.
func enclosingParen(code string, off int) int {
	tok, at := openBracket(code, off)
	if tok != token.LPAREN {
		return -1
	}
	return at
}

// openBracket returns the innermost bracket ( [ or { still open at byte
// offset off and its offset, or -1. The code is scanned as Go, so
// brackets in strings and comments do not count.
func openBracket(code string, off int) (token.Token, int) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	var sc scanner.Scanner
	sc.Init(file, []byte(code), nil, 0)
	type open struct {
		tok token.Token
		off int
	}
	var stack []open
	for {
		pos, tok, _ := sc.Scan()
		o := file.Offset(pos)
		if tok == token.EOF || o >= off {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			stack = append(stack, open{tok, o})
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return token.ILLEGAL, -1
	}
	top := stack[len(stack)-1]
	return top.tok, top.off
}

// describe finds what qual.name (or name alone) refers to.
func (s *Session) describe(qual, name string, detail int) (help, bool) {
	globals := s.yi.Globals()
	if qual != "" {
		if v, isVar := globals[qual]; isVar {
			if !v.IsValid() {
				return help{}, false
			}
			return s.memberHelp(qual, name, v.Type(), v, detail)
		}
		if r := s.recordOf(qual + "." + name); r != nil {
			return recordHelp(r, detail, reflect.Value{}), true
		}
		if p := s.pkgPath(qual); p != "" {
			return packageMemberHelp(p, qual, name)
		}
		return help{}, false
	}
	if r := s.recordOf(name); r != nil {
		return recordHelp(r, detail, globals[name]), true
	}
	if v, ok := globals[name]; ok && v.IsValid() {
		return help{decl: "var " + name + " " + typeString(v.Type(), s.namedTypes()), value: renderText(v)}, true
	}
	if p := s.pkgPath(name); p != "" {
		if d, ok := symbolDoc(p, ""); ok {
			return help{decl: d.Decl, doc: d.Doc, pkg: p}, true
		}
		return help{decl: "package " + name + " // import \"" + p + "\""}, true
	}
	if universe[name] != "" {
		if d, ok := symbolDoc("builtin", name); ok {
			return help{decl: d.Decl, doc: d.Doc, pkg: "builtin"}, true
		}
	}
	return help{}, false
}

// recordHelp describes a notebook declaration, with v the value of a
// variable it declares.
func recordHelp(r *record, detail int, v reflect.Value) help {
	h := help{decl: r.Text, doc: r.Doc}
	if r.Tok == "func" && detail == 0 {
		h.decl = signature(r.Text)
	}
	if r.Tok == "var" && v.IsValid() {
		h.value = renderText(v)
	}
	return h
}

// packageMemberHelp describes name of package p (imported as qual): its
// documentation, or else what its symbol tells.
func packageMemberHelp(p, qual, name string) (help, bool) {
	v, ok := pkgSymbols(p)[name]
	if !ok || strings.HasPrefix(name, "_") {
		return help{}, false
	}
	if d, ok := symbolDoc(p, name); ok {
		return help{decl: d.Decl, doc: d.Doc, pkg: p}, true
	}
	return help{decl: describeSymbol(qual+"."+name, v)}, true
}

// memberHelp describes field or method name of qual, a variable or an
// expression of type t; v is its value when known (a variable).
func (s *Session) memberHelp(qual, name string, t reflect.Type, v reflect.Value, detail int) (help, bool) {
	named := s.namedTypes()
	base := t
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	if tn := named[base]; tn != "" {
		if r := s.recordOf(tn + "." + name); r != nil {
			return recordHelp(r, detail, reflect.Value{}), true
		}
	}
	p, tn := typePackage(base)
	if base.Kind() == reflect.Struct {
		f, ok := base.FieldByName(name)
		if !ok && base.Name() == "" {
			f, ok = base.FieldByName("X" + name) // yaegi's name for an unexported field
		}
		if ok {
			h := help{decl: qual + "." + name + " " + typeString(f.Type, named)}
			if fv := fieldValue(v, f.Index); fv.IsValid() {
				h.value = renderText(fv)
			}
			if d, ok := symbolDoc(p, tn+"."+name); ok && p != "" && len(f.Index) == 1 {
				h.doc, h.pkg = d.Doc, p
			}
			return h, true
		}
	}
	mt := t
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		mt = reflect.PointerTo(t)
	}
	m, ok := mt.MethodByName(name)
	if !ok {
		return help{}, false
	}
	if d, ok := symbolDoc(p, tn+"."+name); ok && p != "" {
		return help{decl: d.Decl, doc: d.Doc, pkg: p}, true
	}
	sig := methodSig(m, mt.Kind() == reflect.Interface, named)
	return help{decl: "func (" + typeString(t, named) + ") " + name + strings.TrimPrefix(sig, "func")}, true
}

// typePackage is the package documenting the named compiled type t (a
// standard one or the short path of gomp's) and t's name; "" for others.
func typePackage(t reflect.Type) (pkg, name string) {
	if t.Name() == "" || t.PkgPath() == "" {
		return "", ""
	}
	if short := ownPackage(t.PkgPath()); short != "" {
		return short, t.Name()
	}
	if _, std := stdlibKeys()[t.PkgPath()]; std {
		return t.PkgPath(), t.Name()
	}
	return "", ""
}

// fieldValue is the field at index of struct v (or of what pointer v
// points to), or an invalid Value behind a nil pointer.
func fieldValue(v reflect.Value, index []int) reflect.Value {
	if !v.IsValid() {
		return reflect.Value{}
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	f, err := v.FieldByIndexErr(index)
	if err != nil {
		return reflect.Value{}
	}
	return f
}

// describeSymbol describes a symbol of a compiled package as yaegi holds it:
// types as nil pointers, variables as addressable values.
func describeSymbol(name string, v reflect.Value) string {
	switch {
	case isTypeSymbol(v):
		t := v.Type().Elem()
		return "type " + name + " " + t.Kind().String()
	case v.Kind() == reflect.Func:
		return "func " + name + strings.TrimPrefix(typeString(v.Type(), nil), "func")
	case v.CanAddr():
		return "var " + name + " " + typeString(v.Type(), nil)
	}
	return "const " + name + " " + v.Type().String() + " = " + renderText(v)
}

// signature is a func declaration's text without its body.
func signature(text string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p;"+text, parser.SkipObjectResolution)
	if err == nil && len(f.Decls) == 1 {
		if fd, ok := f.Decls[0].(*ast.FuncDecl); ok && fd.Body != nil {
			start, end := fset.Position(fd.Pos()).Offset, fset.Position(fd.Body.Lbrace).Offset
			return strings.TrimSpace(("package p;" + text)[start:end])
		}
	}
	if i := strings.Index(text, "{"); i > 0 {
		return strings.TrimSpace(text[:i])
	}
	return text
}
