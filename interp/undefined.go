package interp

import (
	"go/ast"
	"go/token"
	"strings"
)

// yaegi reports a use of an undefined name in some places (an initialiser
// such as `y := missing + 1`) as "constant definition loop", which says
// nothing useful. undefinedName finds the first identifier in n that
// nothing declares, so the error can say "undefined: missing" instead.
func (s *Session) undefinedName(n ast.Node) (*ast.Ident, bool) {
	known := map[string]bool{}
	for name := range s.yi.Globals() {
		known[name] = true
	}
	s.stateMu.RLock()
	for _, im := range s.imports {
		name := im.Name
		if name == "" {
			name = im.Path[strings.LastIndex(im.Path, "/")+1:]
		}
		known[name] = true
	}
	for _, d := range s.decls {
		for _, name := range d.Names {
			known[name] = true
		}
	}
	s.stateMu.RUnlock()
	for name := range localNames(n) {
		known[name] = true
	}
	if f, ok := n.(*ast.File); ok && f.Name != nil {
		known[f.Name.Name] = true // the package clause names no variable
	}
	var found *ast.Ident
	ast.Inspect(n, func(x ast.Node) bool {
		if found != nil {
			return false
		}
		switch x := x.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(x.X, func(y ast.Node) bool {
				if id, ok := y.(*ast.Ident); ok && found == nil && !known[id.Name] && universe[id.Name] == "" && id.Name != "_" {
					found = id
				}
				return found == nil
			})
			return false
		case *ast.KeyValueExpr:
			if _, ok := x.Key.(*ast.Ident); ok {
				ast.Inspect(x.Value, func(y ast.Node) bool {
					if id, ok := y.(*ast.Ident); ok && found == nil && !known[id.Name] && universe[id.Name] == "" && id.Name != "_" {
						found = id
					}
					return found == nil
				})
				return false
			}
		case *ast.BranchStmt, *ast.LabeledStmt, *ast.ImportSpec:
			return false
		case *ast.Ident:
			if !known[x.Name] && x.Name != "_" && (universe[x.Name] == "" || missingBuiltins[x.Name] != "") {
				found = x
			}
		}
		return true
	})
	return found, found != nil
}

// missingBuiltins are predeclared functions newer than yaegi v0.16.1,
// which reports their use as "constant definition loop"; the error says
// what to write instead.
var missingBuiltins = map[string]string{
	"min":   "min is a Go 1.21 builtin that the interpreter (yaegi v0.16.1) lacks: compare with if, or use math.Min for floats",
	"max":   "max is a Go 1.21 builtin that the interpreter (yaegi v0.16.1) lacks: compare with if, or use math.Max for floats",
	"clear": "clear is a Go 1.21 builtin that the interpreter (yaegi v0.16.1) lacks: make a new map or slice, or delete in a loop",
}

// localNames lists the names n declares anywhere inside it: parameters,
// results, receivers, := and var and const, range variables, types and
// labels. Scopes are ignored, which errs towards treating a name as local.
func localNames(n ast.Node) map[string]bool {
	names := map[string]bool{}
	declare := func(ids ...*ast.Ident) {
		for _, id := range ids {
			names[id.Name] = true
		}
	}
	fields := func(fl *ast.FieldList) {
		if fl != nil {
			for _, f := range fl.List {
				declare(f.Names...)
			}
		}
	}
	ast.Inspect(n, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, e := range x.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						declare(id)
					}
				}
			}
		case *ast.ValueSpec:
			declare(x.Names...)
		case *ast.TypeSpec:
			declare(x.Name)
			fields(x.TypeParams)
		case *ast.FuncDecl:
			declare(x.Name)
			fields(x.Recv)
			fields(x.Type.TypeParams)
		case *ast.FuncType:
			fields(x.Params)
			fields(x.Results)
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{x.Key, x.Value} {
				if id, ok := e.(*ast.Ident); ok {
					declare(id)
				}
			}
		case *ast.LabeledStmt:
			declare(x.Label)
		case *ast.ImportSpec:
			if x.Name != nil {
				declare(x.Name)
			}
		}
		return true
	})
	return names
}
