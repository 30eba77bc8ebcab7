package interp

import (
	"go/scanner"
	"go/token"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/traefik/yaegi/stdlib"
)

// IsComplete reports whether code is ready to run: "complete", "invalid"
// (a syntax error that more lines cannot fix), or "incomplete" with the
// indent for the next line (one tab per open bracket, Go style) when
// brackets, a raw string or a comment are still open, or the last line
// ends with an operator or comma.
func (s *Session) IsComplete(code string) (status, indent string) {
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

var predeclared = []string{"any", "append", "bool", "byte", "cap", "clear", "close", "comparable",
	"complex", "complex128", "complex64", "copy", "delete", "error", "false", "float32", "float64",
	"imag", "int", "int16", "int32", "int64", "int8", "iota", "len", "make", "max", "min", "new",
	"nil", "panic", "print", "println", "real", "recover", "rune", "string", "true", "uint",
	"uint16", "uint32", "uint64", "uint8", "uintptr"}

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

// Complete returns the completions of the identifier before cursor: after
// "x." the members of package x (imported or importable) or the fields and
// methods of variable x; otherwise the notebook's globals, declarations
// and imports, identifiers of code, keywords and predeclared names.
// cursor, start and end count Unicode code points, as Jupyter does.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	s.run.Lock()
	defer s.run.Unlock()
	off := runeToByte(code, cursor)
	prefix, from := identBefore(code, off)
	start = utf8.RuneCountInString(code[:from])
	var cands []string
	if from > 0 && code[from-1] == '.' {
		qual, _ := identBefore(code, from-1)
		cands = s.members(qual)
	} else {
		cands = append(cands, keywords...)
		cands = append(cands, predeclared...)
		for n := range s.yi.Globals() {
			cands = append(cands, n)
		}
		for _, r := range s.decls {
			for _, n := range r.Names {
				if !strings.Contains(n, ".") {
					cands = append(cands, n)
				}
			}
		}
		for _, im := range s.imports {
			cands = append(cands, importedName(im))
		}
		var sc scanner.Scanner
		fset := token.NewFileSet()
		sc.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
		for {
			pos, tok, lit := sc.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.IDENT && fset.Position(pos).Offset != from {
				cands = append(cands, lit)
			}
		}
	}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !strings.HasPrefix(c, "_gomp") && c != "_" {
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return slices.Compact(matches), start, cursor
}

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
	if name == "mp" {
		return "mp"
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

// members lists what follows "qual.": a package's exported symbols, or a
// global's fields and methods.
func (s *Session) members(qual string) []string {
	var out []string
	if _, isVar := s.yi.Globals()[qual]; !isVar && s.pkgPath(qual) != "" {
		p := s.pkgPath(qual)
		for n := range pkgSymbols(p) {
			out = append(out, n)
		}
		return out
	}
	v, ok := s.yi.Globals()[qual]
	if !ok || !v.IsValid() {
		return nil
	}
	t := v.Type()
	for i := range t.NumMethod() {
		out = append(out, t.Method(i).Name)
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			out = append(out, t.Field(i).Name)
		}
	}
	if name := s.namedTypes()[t]; name != "" {
		for _, r := range s.decls {
			for _, n := range r.Names {
				if m, ok := strings.CutPrefix(n, name+"."); ok {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// Inspect describes the identifier at cursor (code points): a package
// member's type, a notebook declaration's source (a func's signature), or
// a global's type and value.
func (s *Session) Inspect(code string, cursor int) (text string, found bool) {
	s.run.Lock()
	defer s.run.Unlock()
	off := runeToByte(code, cursor)
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
		return "", false
	}
	if from > 0 && code[from-1] == '.' {
		qual, _ := identBefore(code, from-1)
		if v, isVar := s.yi.Globals()[qual]; isVar && v.IsValid() {
			t := v.Type()
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if r := s.recordOf(s.namedTypes()[t] + "." + name); r != nil {
				return signature(r.Text), true
			}
			if f, ok := t.FieldByName(name); ok {
				return qual + "." + name + " " + f.Type.String(), true
			}
			return "", false
		}
		if p := s.pkgPath(qual); p != "" {
			if v, ok := pkgSymbols(p)[name]; ok {
				return describeSymbol(qual+"."+name, v), true
			}
		}
		return "", false
	}
	if r := s.recordOf(name); r != nil {
		text := r.Text
		if r.Tok == "func" {
			text = signature(text)
		}
		if v, ok := s.yi.Globals()[name]; ok && r.Tok == "var" && v.IsValid() {
			text += "\n= " + renderText(v)
		}
		return text, true
	}
	if v, ok := s.yi.Globals()[name]; ok && v.IsValid() {
		return name + " " + v.Type().String() + " = " + renderText(v), true
	}
	return "", false
}

// describeSymbol describes a symbol of a compiled package as yaegi holds it:
// types as nil pointers, variables as addressable values.
func describeSymbol(name string, v reflect.Value) string {
	switch {
	case v.Kind() == reflect.Pointer && v.IsNil():
		t := v.Type().Elem()
		return "type " + name + " " + t.Kind().String()
	case v.Kind() == reflect.Func:
		return "func " + name + strings.TrimPrefix(v.Type().String(), "func")
	case v.CanAddr():
		return "var " + name + " " + v.Type().String()
	}
	return "const " + name + " " + v.Type().String() + " = " + renderText(v)
}

// signature is a func declaration's text up to its body.
func signature(text string) string {
	if i := strings.Index(text, "{"); i > 0 {
		return strings.TrimSpace(text[:i])
	}
	return text
}
