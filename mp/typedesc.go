package mp

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// A type descriptor travels with a Queue or Pipe item whose type is built
// from basic kinds, slices, arrays, maps, pointers and unnamed structs
// (which is what the interpreter makes of a notebook's struct types), so
// that Get and Recv can rebuild the type and return the value itself, as
// Python's get() returns the object that was put: []int{1, 2} comes back
// as a []int, a notebook struct as that struct. Named compiled types
// (image.Point, say) cannot be rebuilt from a description and still need
// GetInto or RecvInto.
const (
	descBasic   = iota + 1 // the reflect.Kind follows
	descSlice              // the element's descriptor follows
	descArray              // the length, then the element's descriptor
	descMap                // the key's, then the element's descriptor
	descPointer            // the element's descriptor follows
	descStruct             // the field count, then per field: name, tag, embedded, descriptor
	descAny                // an empty interface
	descHandle             // the name of an mp handle type (*mp.Queue, ...)
)

// errNotDescribable says that a type has a name a descriptor cannot carry.
var errNotDescribable = errors.New("a named type cannot be rebuilt from a description")

// appendDesc appends the descriptor of t to b.
func appendDesc(b body, t reflect.Type, depth int) (body, error) {
	if depth > maxDepth {
		return b, fmt.Errorf("%s nested deeper than %d", t, maxDepth)
	}
	if isHandle(t) {
		return b.uint(descHandle).string(t.String()), nil
	}
	if bt := basicTypes[t.Kind()]; bt != nil {
		if t != bt {
			return b, fmt.Errorf("%s: %w", t, errNotDescribable)
		}
		return b.uint(descBasic).uint(uint64(t.Kind())), nil
	}
	if _, notebook := notebookNamed.Load(t); t.Name() != "" && !notebook {
		return b, fmt.Errorf("%s: %w", t, errNotDescribable)
	}
	var err error
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() > 0 {
			return b, fmt.Errorf("%s: an interface with methods cannot be rebuilt", t)
		}
		return b.uint(descAny), nil
	case reflect.Slice:
		return appendDesc(b.uint(descSlice), t.Elem(), depth+1)
	case reflect.Array:
		return appendDesc(b.uint(descArray).uint(uint64(t.Len())), t.Elem(), depth+1)
	case reflect.Map:
		if b, err = appendDesc(b.uint(descMap), t.Key(), depth+1); err != nil {
			return b, err
		}
		return appendDesc(b, t.Elem(), depth+1)
	case reflect.Pointer:
		return appendDesc(b.uint(descPointer), t.Elem(), depth+1)
	case reflect.Struct:
		b = b.uint(descStruct).uint(uint64(t.NumField()))
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return b, fmt.Errorf("%s: field %s is unexported and cannot be rebuilt", t, f.Name)
			}
			embedded := uint64(0)
			if f.Anonymous {
				embedded = 1
			}
			b = b.string(f.Name).string(string(f.Tag)).uint(embedded)
			if b, err = appendDesc(b, f.Type, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	return b, fmt.Errorf("a %s cannot be described", t)
}

// readDesc rebuilds the type a descriptor describes.
func readDesc(r *reader, depth int) (t reflect.Type, err error) {
	if depth > maxDepth {
		return nil, errCorrupt
	}
	// reflect's type constructors panic on what no Go type can be (a map
	// keyed by a slice, duplicate field names): a corrupt descriptor.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("%w: %v", errCorrupt, p)
		}
	}()
	switch r.uint() {
	case descBasic:
		bt := basicTypes[reflect.Kind(r.uint())]
		if bt == nil {
			return nil, errCorrupt
		}
		return bt, r.err
	case descAny:
		return reflect.TypeFor[any](), r.err
	case descHandle:
		name := r.string()
		var found reflect.Type
		handleDecoders.Range(func(k, _ any) bool {
			if kt := k.(reflect.Type); kt.String() == name {
				found = kt
			}
			return found == nil
		})
		if found == nil {
			return nil, fmt.Errorf("unknown handle type %q", name)
		}
		return found, r.err
	case descSlice:
		e, err := readDesc(r, depth+1)
		if err != nil {
			return nil, err
		}
		return reflect.SliceOf(e), nil
	case descArray:
		n := r.uint()
		e, err := readDesc(r, depth+1)
		if err != nil {
			return nil, err
		}
		if n > maxFrame {
			return nil, errCorrupt
		}
		return reflect.ArrayOf(int(n), e), nil
	case descMap:
		k, err := readDesc(r, depth+1)
		if err != nil {
			return nil, err
		}
		e, err := readDesc(r, depth+1)
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(k, e), nil
	case descPointer:
		e, err := readDesc(r, depth+1)
		if err != nil {
			return nil, err
		}
		return reflect.PointerTo(e), nil
	case descStruct:
		n := r.uint()
		if r.err != nil || n > 1<<16 {
			return nil, errCorrupt
		}
		fields := make([]reflect.StructField, n)
		for i := range fields {
			fields[i].Name = r.string()
			fields[i].Tag = reflect.StructTag(r.string())
			fields[i].Anonymous = r.uint() == 1
			if fields[i].Type, err = readDesc(r, depth+1); err != nil {
				return nil, err
			}
		}
		if r.err != nil {
			return nil, errCorrupt
		}
		st := reflect.StructOf(fields)
		if named, ok := notebookTypes.Load(st); ok {
			return named.(reflect.Type), nil
		}
		return st, nil
	}
	return nil, errCorrupt
}

// A compiled worker's notebook struct types are named (main.Point) where
// the interpreter's are unnamed structs: notebookTypes maps the unnamed
// struct type with a named type's fields to the named type, and
// notebookNamed holds the named types, so that their values travel
// described as the interpreter's (the parent's Get returns its own Point)
// and described values of that shape come back as the named type (the
// compiled target's item.(Point) holds).
var notebookTypes, notebookNamed sync.Map

// SetNotebookTypes tells mp the notebook's struct types in a compiled
// worker (mp/compiledworker calls it with its generated table). Types
// with unexported fields are left out: the interpreter's own version of
// such a type differs from it.
func SetNotebookTypes(types []reflect.Type) {
	for _, t := range types {
		if t.Kind() != reflect.Struct || t.Name() == "" {
			continue
		}
		fields := make([]reflect.StructField, t.NumField())
		exported := true
		for i := range fields {
			f := t.Field(i)
			if !f.IsExported() {
				exported = false
				break
			}
			fields[i] = reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag, Anonymous: f.Anonymous}
		}
		if !exported {
			continue
		}
		if u, ok := structOf(fields); ok {
			notebookTypes.Store(u, t)
			notebookNamed.Store(t, true)
		}
	}
}

// structOf is reflect.StructOf, which panics on what it cannot make (an
// embedded field of some kinds).
func structOf(fields []reflect.StructField) (t reflect.Type, ok bool) {
	defer func() {
		if recover() != nil {
			t, ok = nil, false
		}
	}()
	return reflect.StructOf(fields), true
}
