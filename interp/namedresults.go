package interp

import (
	"go/ast"
	"go/token"
	"strconv"
)

// zeroResults starts each function with named results by setting them to
// their zero values:
//
//	func count(xs []int) (n int) { ... }
//
// becomes
//
//	func count(xs []int) (n int) { { var _gompZero0 int; n = _gompZero0 }; ... }
//
// yaegi v0.16.1 gives a call's named results the storage of the place
// its value goes to in the caller, without clearing it (call in its
// run.go): `for range 3 { fmt.Println(f()) }` with `func f() (n int) {
// n++; return }` printed 1 2 3, and `b := f()` in a loop appended to the
// previous iteration's slice. A variable of the result's type gives the
// zero value, assigned one at a time: `*new(T)` and multiple assignments
// of interface values fail in yaegi's reflect.Set.
// Blank results are left alone.
func zeroResults(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		var typ *ast.FuncType
		var body *ast.BlockStmt
		switch f := n.(type) {
		case *ast.FuncDecl:
			typ, body = f.Type, f.Body
		case *ast.FuncLit:
			typ, body = f.Type, f.Body
		default:
			return true
		}
		if body == nil || typ.Results == nil {
			return true
		}
		pos := body.Lbrace
		var zero []ast.Stmt
		for _, field := range typ.Results.List {
			for _, name := range field.Names {
				if name.Name == "_" {
					continue
				}
				z := &ast.Ident{Name: reserved("Zero") + strconv.Itoa(len(zero)/2), NamePos: pos}
				zero = append(zero,
					&ast.DeclStmt{Decl: &ast.GenDecl{TokPos: pos, Tok: token.VAR, Specs: []ast.Spec{
						&ast.ValueSpec{Names: []*ast.Ident{z}, Type: field.Type},
					}}},
					&ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{Name: name.Name, NamePos: pos}}, TokPos: pos, Tok: token.ASSIGN,
						Rhs: []ast.Expr{&ast.Ident{Name: z.Name, NamePos: pos}}})
			}
		}
		if len(zero) > 0 {
			body.List = append([]ast.Stmt{&ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: zero}}, body.List...)
		}
		return true
	})
}
