package mp

import (
	"fmt"
	"reflect"
	"sync"
)

// A handle is a value that stands for something shared between processes
// (a Queue, a Pipe end, a Lock, an Array). The codec sends a handle as a
// reference (the socket path of the broker serving it, or the shared
// memory file backing it) and the receiving process re-opens the
// reference, so every process that holds a handle reaches the same
// object. The method is unexported: only mp's own types are handles.
type handle interface {
	appendHandle(dst []byte) ([]byte, error)
}

var handleType = reflect.TypeOf((*handle)(nil)).Elem()

// handleDecoders re-open handles by their type, registered by each
// handle type's file in an init.
var handleDecoders sync.Map // reflect.Type → func(*reader) (any, error)

func registerHandle(t reflect.Type, decode func(r *reader) (any, error)) {
	handleDecoders.Store(t, decode)
}

// isHandle reports whether t is one of mp's handle types.
func isHandle(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && t.Implements(handleType)
}

// appendHandleValue encodes v, a handle of type t: a presence byte, then
// the length-prefixed reference.
func appendHandleValue(b []byte, v reflect.Value) ([]byte, error) {
	if v.IsNil() {
		return append(b, 0), nil
	}
	ref, err := v.Interface().(handle).appendHandle(nil)
	if err != nil {
		return b, fmt.Errorf("send %s: %w", v.Type(), err)
	}
	return body(append(b, 1)).bytes(ref), nil
}

// decodeHandleValue is appendHandleValue's reverse: it re-opens the
// reference in this process.
func decodeHandleValue(b []byte, v reflect.Value) ([]byte, error) {
	if len(b) < 1 {
		return b, errCorrupt
	}
	if b[0] == 0 {
		return b[1:], nil
	}
	r := reader{b: b[1:]}
	ref := r.bytes()
	if r.err != nil {
		return b, errCorrupt
	}
	dec, ok := handleDecoders.Load(v.Type())
	if !ok {
		return b, fmt.Errorf("decode %s: not a registered handle type", v.Type())
	}
	h, err := dec.(func(*reader) (any, error))(&reader{b: ref})
	if err != nil {
		return b, fmt.Errorf("open %s: %w", v.Type(), err)
	}
	v.Set(reflect.ValueOf(h))
	return r.b, nil
}
