package mp

import (
	"fmt"
	"reflect"
)

// EncodeValue appends v, encoded as arguments are (codec.go), to dst,
// preceded by a description of its type (typedesc.go) or, for a type no
// description can carry (a named compiled type, a recursive one), by its
// name. A Host's Snapshot carries the notebook's variables with it, so
// that whatever can be an argument can also be a global a child sees.
// Handles are the exception: lending a pipe's end at every snapshot would
// leak it, so they cross as arguments only.
func EncodeValue(dst []byte, v reflect.Value) ([]byte, error) {
	t := v.Type()
	if err := theCodec.check(t); err != nil {
		return dst, err
	}
	if hasHandle(t, map[reflect.Type]bool{}) {
		return dst, fmt.Errorf("a %s holds an mp handle, which crosses as an argument only", t)
	}
	b := body(dst)
	if desc, err := appendDesc(nil, t, 0); err == nil {
		b = b.flag(true).bytes(desc)
	} else {
		b = b.flag(false).string(t.String())
	}
	return theCodec.append(b, v, t)
}

// DecodeValue is EncodeValue's reverse, for a variable of type want: it
// returns a value of the type the encoding describes, which is want when
// both sides declared the same type and may differ when they did not (the
// caller converts it), or an error saying what was wrong.
func DecodeValue(src []byte, want reflect.Type) (reflect.Value, error) {
	r := reader{b: src}
	t := want
	if r.field("described").flag() {
		desc := r.field("descriptor").bytes()
		if r.err != nil {
			return reflect.Value{}, r.err
		}
		var err error
		if t, err = readDesc(&reader{b: desc}, 0); err != nil {
			return reflect.Value{}, fmt.Errorf("read the value's type: %w", err)
		}
		if hasHandle(t, map[reflect.Type]bool{}) {
			return reflect.Value{}, fmt.Errorf("a %s holds an mp handle, which crosses as an argument only", t)
		}
	} else {
		name := r.field("type name").string()
		if r.err != nil {
			return reflect.Value{}, r.err
		}
		if name != want.String() {
			return reflect.Value{}, fmt.Errorf("a %s cannot be stored in a %s", name, want)
		}
	}
	v, rest, err := theCodec.decode(r.b, t)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("decode %s: %w", t, err)
	}
	if len(rest) > 0 {
		return reflect.Value{}, fmt.Errorf("decode %s: %d bytes left over", t, len(rest))
	}
	return v, nil
}

// hasHandle reports whether values of t can hold an mp handle.
func hasHandle(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if isHandle(t) {
		return true
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return hasHandle(t.Elem(), seen)
	case reflect.Map:
		return hasHandle(t.Key(), seen) || hasHandle(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if hasHandle(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
