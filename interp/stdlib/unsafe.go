// Adapted from yaegi v0.16.1 stdlib/unsafe/unsafe.go (Apache License 2.0,
// github.com/traefik/yaegi).

package stdlib

import (
	"reflect"
	"unsafe"
)

// unsafe is written by hand, not by genstd: Sizeof, Alignof and Offsetof
// are builtins that yaegi also implements itself (these give it their
// signatures), and converting to and from unsafe.Pointer needs the
// conversion hook in Hooks.

// Hooks are yaegi's interpreter hooks, to be registered with Use when an
// interpreter is made: the conversions between unsafe.Pointer, uintptr
// and pointer types.
var Hooks = map[string]map[string]reflect.Value{
	"github.com/traefik/yaegi/yaegi": {"convert": reflect.ValueOf(convert)},
}

func init() {
	Symbols["unsafe/unsafe"] = map[string]reflect.Value{
		"Pointer":  reflect.ValueOf((*unsafe.Pointer)(nil)),
		"Add":      reflect.ValueOf(func(ptr unsafe.Pointer, n int) unsafe.Pointer { return unsafe.Add(ptr, n) }),
		"Sizeof":   reflect.ValueOf(func(i any) uintptr { return reflect.ValueOf(i).Type().Size() }),
		"Alignof":  reflect.ValueOf(func(i any) uintptr { return uintptr(reflect.ValueOf(i).Type().Align()) }),
		"Offsetof": reflect.ValueOf(func(any) uintptr { return 0 }), // for its signature: yaegi computes it
	}
}

// convert returns the conversion between from and to that involves an
// unsafe.Pointer, or nil.
func convert(from, to reflect.Type) func(src, dest reflect.Value) {
	switch {
	case to.Kind() == reflect.UnsafePointer && from.Kind() == reflect.Uintptr:
		return uintptrToUnsafePtr
	case to.Kind() == reflect.UnsafePointer:
		return func(src, dest reflect.Value) {
			dest.SetPointer(unsafe.Pointer(src.Pointer()))
		}
	case to.Kind() == reflect.Uintptr && from.Kind() == reflect.UnsafePointer:
		return func(src, dest reflect.Value) {
			ptr := src.Interface().(unsafe.Pointer)
			dest.Set(reflect.ValueOf(uintptr(ptr)))
		}
	case from.Kind() == reflect.UnsafePointer:
		return func(src, dest reflect.Value) {
			ptr := src.Interface().(unsafe.Pointer)
			dest.Set(reflect.NewAt(dest.Type().Elem(), ptr))
		}
	default:
		return nil
	}
}

// uintptrToUnsafePtr converts a uintptr to an unsafe.Pointer, as a Go
// program may.
//
//go:nocheckptr
func uintptrToUnsafePtr(src, dest reflect.Value) {
	u := src.Interface().(uintptr)
	dest.SetPointer(*(*unsafe.Pointer)(unsafe.Pointer(&u)))
}
