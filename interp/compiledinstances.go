package interp

import (
	"cmp"
	"reflect"
	"slices"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// Compiled instances: the common instances of slices' and cmp's generic
// functions over predeclared types (slices.Sort of a []int, say) are
// compiled into gomp, so that such a call runs at compiled speed instead
// of as an interpreted copy (instantiate.go). They are the symbols of
// package compiledPath, which notebook code imports under a reserved name
// (pkgAlias); cells cannot import it themselves.

// compiledPath is the import path of the compiled instances.
const compiledPath = "gomp/generic"

// compiledInstances maps a symbol name (instName without the reserved
// prefix) to its compiled instance.
var compiledInstances = func() map[string]reflect.Value {
	m := map[string]reflect.Value{}
	addOrdered[int](m)
	addOrdered[int64](m)
	addOrdered[float64](m)
	addOrdered[string](m)
	addOrdered[byte](m)
	addOrdered[rune](m)
	addTemplateHelpers(m)
	return m
}()

// compiledSymbol is the name of the compiled instance of path.name with
// targs in compiledInstances.
func compiledSymbol(path, name string, targs []string) string {
	return strings.TrimPrefix(instName(path, name, targs), reservedPrefix)
}

func addOrdered[E cmp.Ordered](m map[string]reflect.Value) {
	e := reflect.TypeFor[E]().String()
	switch e {
	case "uint8":
		e = "byte"
	case "int32":
		e = "rune"
	}
	s := []string{"[]" + e, e}
	for name, f := range map[string]any{
		"Sort":         slices.Sort[[]E],
		"IsSorted":     slices.IsSorted[[]E],
		"BinarySearch": slices.BinarySearch[[]E],
		"Index":        slices.Index[[]E],
		"Contains":     slices.Contains[[]E],
		"Max":          slices.Max[[]E],
		"Min":          slices.Min[[]E],
		"Reverse":      slices.Reverse[[]E],
		"Equal":        slices.Equal[[]E],
		"Compare":      slices.Compare[[]E],
		"Compact":      slices.Compact[[]E],
		"Clone":        slices.Clone[[]E],
	} {
		m[compiledSymbol("slices", name, s)] = reflect.ValueOf(f)
	}
	m[compiledSymbol("cmp", "Compare", []string{e})] = reflect.ValueOf(cmp.Compare[E])
	m[compiledSymbol("cmp", "Less", []string{e})] = reflect.ValueOf(cmp.Less[E])
}

// compiledExports are the symbols of compiledPath for yaegi.
func compiledExports() yaegi.Exports {
	return yaegi.Exports{compiledPath + "/generic": compiledInstances}
}
