package interp

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomp-kernel/gomp/interp/stdlib"
)

// yaegi v0.16.1 gives the unexported fields of a notebook struct exported
// names, "X" and the name (owner becomes Xowner), so that reflect can set
// them; fmt's %+v then printed {Xowner:ann}. fmtExports replaces
// fmt.Printf, Sprintf, Fprintf and Errorf with versions that, for a
// format holding a %+v, print each argument whose type has such fields
// with the names as declared. A field really declared with a name like
// Xowner (an X and then a lower-case letter) is printed as owner too.

// fmtExports are the session's fmt.Printf, Sprintf, Fprintf and Errorf,
// and the interface types yaegi must keep for them (as for fmt's own).
func (s *Session) fmtExports() (map[string]reflect.Value, map[reflect.Value][]reflect.Type) {
	stdout := func() io.Writer { return s.out.stdout() }
	syms := map[string]reflect.Value{
		"Printf": reflect.ValueOf(func(format string, a ...any) (int, error) {
			return fmt.Fprintf(stdout(), format, declaredNames(format, a)...)
		}),
		"Sprintf": reflect.ValueOf(func(format string, a ...any) string {
			return fmt.Sprintf(format, declaredNames(format, a)...)
		}),
		"Fprintf": reflect.ValueOf(func(w io.Writer, format string, a ...any) (int, error) {
			return fmt.Fprintf(w, format, declaredNames(format, a)...)
		}),
		"Errorf": reflect.ValueOf(func(format string, a ...any) error {
			return fmt.Errorf(format, declaredNames(format, a)...)
		}),
	}
	types := map[reflect.Value][]reflect.Type{}
	for name, orig := range map[string]any{"Printf": fmt.Printf, "Sprintf": fmt.Sprintf, "Fprintf": fmt.Fprintf, "Errorf": fmt.Errorf} {
		types[syms[name]] = stdlib.MapTypes[reflect.ValueOf(orig)]
	}
	return syms, types
}

// declaredNames wraps each argument of a %+v format whose type has
// renamed fields so that it prints them as declared.
func declaredNames(format string, args []any) []any {
	if !strings.Contains(format, "+") {
		return args
	}
	out := args
	for i, a := range args {
		if a == nil {
			continue
		}
		if _, ok := a.(error); ok {
			continue // Errorf's %w needs the error itself
		}
		names := map[string]string{}
		renamedFields(reflect.TypeOf(a), names, map[reflect.Type]bool{})
		if len(names) == 0 {
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = namesFixer{v: a, names: names}
	}
	return out
}

// renamedFields adds to names each field name yaegi renamed in t and the
// types t holds, mapped to its declared name.
func renamedFields(t reflect.Type, names map[string]string, seen map[reflect.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		renamedFields(t.Elem(), names, seen)
	case reflect.Map:
		renamedFields(t.Key(), names, seen)
		renamedFields(t.Elem(), names, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if rest, ok := strings.CutPrefix(f.Name, "X"); ok && f.IsExported() {
				if r, _ := utf8.DecodeRuneInString(rest); r == '_' || unicode.IsLower(r) {
					names[f.Name] = rest
				}
			}
			renamedFields(f.Type, names, seen)
		}
	}
}

// namesFixer formats v as fmt would, with renamed field names restored
// in a %+v.
type namesFixer struct {
	v     any
	names map[string]string
}

// Format implements fmt.Formatter.
func (n namesFixer) Format(f fmt.State, verb rune) {
	s := fmt.Sprintf(fmt.FormatString(f, verb), n.v)
	if verb == 'v' && f.Flag('+') {
		for renamed, name := range n.names {
			s = strings.ReplaceAll(s, "{"+renamed+":", "{"+name+":")
			s = strings.ReplaceAll(s, " "+renamed+":", " "+name+":")
		}
	}
	io.WriteString(f, s)
}
