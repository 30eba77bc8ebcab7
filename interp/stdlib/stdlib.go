// Package stdlib holds yaegi symbol tables for the standard library of the
// Go that gomp is built with: every package a program may import, os/exec
// and syscall included, since a kernel runs its user's code by design and
// a restricted set would protect nothing. yaegi v0.16.1's own tables stop
// at Go 1.22.
//
// The tables are generated (one go1_NN_*.go file per package, syscall once
// per platform); regenerate them after changing Go with:
//
//	go generate ./interp/stdlib
//
// Keys follow yaegi's convention, "import/path/name" ("math/rand/v2/rand").
// A few symbols are gomp's own instead of the standard ones (restricted.go):
// os.Exit and log's Fatal functions and methods panic with "os.Exit(N)", so
// that they end the cell and not the kernel.
package stdlib

import "reflect"

//go:generate go run ./genstd

// Symbols maps "import/path/name" to the package's exported symbols, as
// yaegi's Use expects. The generated files fill it in their init.
var Symbols = map[string]map[string]reflect.Value{}

// MapTypes maps standard functions taking an any that do something special
// when the argument implements an interface (fmt's Stringer, json's
// Marshaler) to those interfaces, so that yaegi keeps them on an
// interpreted value passed to the function (see maptypes.go).
var MapTypes = map[reflect.Value][]reflect.Type{}

func init() {
	Symbols["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(MapTypes)}
}
