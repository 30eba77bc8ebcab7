package interp

import (
	"go/ast"
	"go/token"
)

// A top-level := that names an existing global and a new name follows
// Go's rule in a cell: the global is assigned (redeclare, program.go).
// The type checker sees the cell's statements in a function, where the
// same := would declare a new local instead, and so let `x, y := "s", 2`
// (x an int global) through to yaegi's "cannot convert". shadowGlobals
// puts `x := x` before such a statement, in the checked copy only, with
// no position (the checker's errors about it are dropped): the := then
// redeclares a variable of its own scope, and go/types reports Go's
// "cannot use "s" (untyped string constant) as int value in assignment"
// at the user's line and column.

// shadowGlobals rewrites the statements of f's cell function as above;
// f's package-level variables and nb's are the globals.
func shadowGlobals(nb, f *ast.File) {
	globals := map[string]bool{}
	var body *ast.BlockStmt
	for _, file := range []*ast.File{nb, f} {
		if file == nil {
			continue
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, sp := range d.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						globals[id.Name] = true
					}
				}
			case *ast.FuncDecl:
				if file == f && d.Recv == nil && isCellFunc(d.Name.Name) {
					body = d.Body
				}
			}
		}
	}
	if body == nil || len(globals) == 0 {
		return
	}
	local := map[string]bool{} // names the body declared so far
	var list []ast.Stmt
	for _, st := range body.List {
		if a, ok := st.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
			var existing []ast.Expr
			fresh := false
			for _, l := range a.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok || id.Name == "_" || local[id.Name] {
					continue
				}
				if globals[id.Name] {
					existing = append(existing, &ast.Ident{Name: id.Name})
				} else {
					fresh = true
				}
			}
			if len(existing) > 0 && fresh {
				list = append(list, &ast.AssignStmt{Lhs: existing, Tok: token.DEFINE, Rhs: existing})
			}
			for _, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					local[id.Name] = true
				}
			}
		}
		if d, ok := st.(*ast.DeclStmt); ok {
			if g, ok := d.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						local[id.Name] = true
					}
				}
			}
		}
		list = append(list, st)
	}
	body.List = list
}
