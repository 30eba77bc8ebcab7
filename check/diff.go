package check

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"
)

// maxDiffs bounds the difference lines of one failed Equal.
const maxDiffs = 10

// maxShow bounds the text of one value in a message.
const maxShow = 200

// composite reports whether v is a value Equal lists differences for:
// a slice, array, map or struct, or a pointer to one.
func composite(v reflect.Value) bool {
	if stringer(v) {
		return false
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
		return true
	}
	return false
}

// diff lists where got and want differ, one line each: the path of the
// element or field ([2], ["key"], .Name) and the two values there.
func diff(got, want reflect.Value) []string {
	d := &differ{}
	d.walk("", got, want)
	if d.more > 0 {
		d.lines = append(d.lines, fmt.Sprintf("(and %d more differences)", d.more))
	}
	return d.lines
}

type differ struct {
	lines []string
	more  int
}

func (d *differ) add(path, format string, a ...any) {
	if len(d.lines) == maxDiffs {
		d.more++
		return
	}
	if path == "" {
		path = "value"
	}
	d.lines = append(d.lines, path+": "+fmt.Sprintf(format, a...))
}

func (d *differ) walk(path string, got, want reflect.Value) {
	if !got.IsValid() || !want.IsValid() || got.Type() != want.Type() {
		if !got.IsValid() || !want.IsValid() || !got.CanInterface() || !want.CanInterface() || !equal(got.Interface(), want.Interface()) {
			d.add(path, "got %s, want %s", typed(got), typed(want))
		}
		return
	}
	kind := got.Kind()
	if stringer(got) {
		kind = reflect.Invalid // shown as its String method says, compared whole
	}
	switch kind {
	case reflect.Pointer, reflect.Interface:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				d.add(path, "got %s, want %s", show(got), show(want))
			}
			return
		}
		d.walk(path, got.Elem(), want.Elem())
	case reflect.Slice, reflect.Array:
		n := min(got.Len(), want.Len())
		for i := range n {
			d.walk(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))
		}
		for i := n; i < got.Len(); i++ {
			d.add(fmt.Sprintf("%s[%d]", path, i), "got %s, want nothing (got is longer: %s, want %d)", show(got.Index(i)), elements(got.Len()), want.Len())
		}
		for i := n; i < want.Len(); i++ {
			d.add(fmt.Sprintf("%s[%d]", path, i), "missing, want %s (got is shorter: %s, want %d)", show(want.Index(i)), elements(got.Len()), want.Len())
		}
	case reflect.Map:
		keys := append(got.MapKeys(), want.MapKeys()...)
		sort.SliceStable(keys, func(i, j int) bool { return show(keys[i]) < show(keys[j]) })
		seen := map[string]bool{}
		for _, k := range keys {
			name := show(k)
			if seen[name] {
				continue
			}
			seen[name] = true
			p := path + "[" + name + "]"
			g, w := got.MapIndex(k), want.MapIndex(k)
			switch {
			case !g.IsValid():
				d.add(p, "missing, want %s", show(w))
			case !w.IsValid():
				d.add(p, "got %s, want no such key", show(g))
			default:
				d.walk(p, g, w)
			}
		}
	case reflect.Struct:
		for i := range got.NumField() {
			d.walk(path+"."+fieldName(got.Type(), i), got.Field(i), want.Field(i))
		}
	default:
		if show(got) != show(want) || !sameScalar(got, want) {
			d.add(path, "got %s, want %s", show(got), show(want))
		}
	}
}

// sameScalar compares two values of one non-composite type.
func sameScalar(got, want reflect.Value) bool {
	if got.CanInterface() && want.CanInterface() {
		return reflect.DeepEqual(got.Interface(), want.Interface())
	}
	return show(got) == show(want)
}

// typed is v shown with its type, for a difference between types.
func typed(v reflect.Value) string {
	if !v.IsValid() {
		return "nil"
	}
	return fmt.Sprintf("%s (%s)", show(v), v.Type())
}

// show is v as a message shows it: as fmt's %v prints it, with strings
// quoted and struct fields named, cut at maxShow characters.
func show(v reflect.Value) string {
	var b strings.Builder
	write(&b, v, 0)
	s := b.String()
	if len(s) > maxShow {
		cut := maxShow
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(c byte) bool { return c&0xC0 != 0x80 }

func write(b *strings.Builder, v reflect.Value, depth int) {
	if b.Len() > maxShow {
		return
	}
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	if depth > 8 {
		b.WriteString("…")
		return
	}
	if stringer(v) && (v.Kind() != reflect.Pointer || !v.IsNil()) {
		fmt.Fprintf(b, "%v", v.Interface())
		return
	}
	switch v.Kind() {
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if composite(v) {
			b.WriteString("&")
			write(b, v.Elem(), depth+1)
			return
		}
		fmt.Fprintf(b, "%#x", v.Pointer())
	case reflect.Interface:
		write(b, v.Elem(), depth)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(" ")
			}
			write(b, v.Index(i), depth+1)
			if b.Len() > maxShow {
				return
			}
		}
		b.WriteString("]")
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return show(keys[i]) < show(keys[j]) })
		b.WriteString("map[")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" ")
			}
			write(b, k, depth+1)
			b.WriteString(":")
			write(b, v.MapIndex(k), depth+1)
			if b.Len() > maxShow {
				return
			}
		}
		b.WriteString("]")
	case reflect.Struct:
		b.WriteString("{")
		for i := range v.NumField() {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(fieldName(v.Type(), i) + ":")
			write(b, v.Field(i), depth+1)
		}
		b.WriteString("}")
	default:
		if v.CanInterface() {
			fmt.Fprintf(b, "%v", v.Interface())
			return
		}
		fmt.Fprintf(b, "%v", v)
	}
}

// stringer reports whether v says itself with a String or Error method,
// as fmt prints it (time.Time, errors), rather than by its fields.
func stringer(v reflect.Value) bool {
	if !v.IsValid() || !v.CanInterface() {
		return false
	}
	switch v.Interface().(type) {
	case fmt.Stringer, error:
		return true
	}
	return false
}

// elements is "1 element" or "n elements".
func elements(n int) string {
	if n == 1 {
		return "1 element"
	}
	return fmt.Sprintf("%d elements", n)
}

// fieldName is the name of field i of the struct type t as the notebook
// declared it. yaegi builds a notebook's struct types with reflect, which
// cannot make unexported fields, so it exports them with an X in front
// (m becomes Xm); in such an unnamed type, an X before a lower-case
// letter or underscore is taken off again.
func fieldName(t reflect.Type, i int) string {
	name := t.Field(i).Name
	if t.Name() == "" && len(name) > 1 && name[0] == 'X' && (name[1] == '_' || unicode.IsLower(rune(name[1]))) {
		return name[1:]
	}
	return name
}
