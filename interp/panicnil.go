package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"runtime"
)

// Panics: yaegi panics with the reflect.Value holding the argument, and
// recover returns that reflect.Value (panic(err); r.(error) fails, and
// %T of what panic("s") recovers is reflect.Value); and since Go 1.21
// panic(nil) panics with a *runtime.PanicNilError, so that recover never
// returns nil for a panic, where yaegi panics with the nil itself. A
// panic is made by a compiled func, TPanic of compiledPath, which panics
// with the value itself, or a *runtime.PanicNilError for nil. (A value of
// a notebook type recovers without its methods, as it did before: yaegi
// hands it to compiled code as a bare struct.)
//
//	panic(err)  =>  _gompP_gomp_generic.TPanic(err)

// factPanicArg marks such a panic call; Value is TPanic's name in the
// notebook.
const factPanicArg = "panic-arg"

// panicArgs records a factPanicArg for each panic in the current cell's
// code in f, and returns the import of TPanic's package when there is
// one.
func panicArgs(fset *token.FileSet, f *ast.File, info *types.Info, facts map[string]fact) []instDecl {
	name := pkgAlias(compiledPath) + ".TPanic"
	found := false
	visit := func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		id, ok := ast.Unparen(call.Fun).(*ast.Ident)
		if !ok {
			return true
		}
		if b, ok := info.Uses[id].(*types.Builtin); !ok || b.Name() != "panic" {
			return true
		}
		if info.TypeOf(call.Args[0]) == nil {
			return true
		}
		facts[factKey(fset, call)] = fact{Kind: factPanicArg, Value: name}
		found = true
		return true
	}
	for _, n := range cellNodes(fset, f) {
		ast.Inspect(n, visit)
	}
	if !found {
		return nil
	}
	return []instDecl{{Name: name, Imports: []string{compiledPath}}}
}

// lowerPanicArg makes call, a panic, a call of TPanic.
func lowerPanicArg(call *ast.CallExpr, f fact) {
	call.Fun = lowerInstance(call.Fun, f)
}

// compiledPanic is TPanic: it panics with v, or with a
// *runtime.PanicNilError when v is nil, as Go's panic does.
func compiledPanic(v any) {
	if v == nil {
		panic(new(runtime.PanicNilError))
	}
	panic(v)
}
