package interp

import "go/ast"

// lowerClear rewrites the builtin clear (Go 1.21), which yaegi v0.16.1
// does not have, into a func literal, called at once, that evaluates the map
// or slice once:
//
//	clear(m)  =>  func() { _gompM := m; for _gompK := range _gompM { delete(_gompM, _gompK) } }()
//	clear(s)  =>  func() { _gompS := s; var _gompZ E; for _gompI := range _gompS { _gompS[_gompI] = _gompZ } }()
//
// A key that is NaN cannot be deleted this way and stays (a gap the
// README names). It returns nil when E cannot be written in the cell.
func lowerClear(call *ast.CallExpr, f fact) ast.Expr {
	if len(call.Args) != 1 {
		return nil
	}
	var src string
	switch f.Kind {
	case factClearMap:
		m, k := reserved("M"), reserved("K")
		src = "func() { " + m + " := X; for " + k + " := range " + m + " { delete(" + m + ", " + k + ") } }"
	case factClearSlice:
		if f.Type == "" {
			return nil
		}
		s, i, z := reserved("S"), reserved("I"), reserved("Z")
		src = "func() { " + s + " := X; var " + z + " (" + f.Type + "); for " + i + " := range " + s + " { " + s + "[" + i + "] = " + z + " } }"
	default:
		return nil
	}
	lit, ok := parseAt(src, call.Pos()).(*ast.FuncLit)
	if !ok {
		return nil
	}
	// Put the argument in place of X, so that it keeps its positions.
	assign := lit.Body.List[0].(*ast.AssignStmt)
	assign.Rhs[0] = call.Args[0]
	return &ast.CallExpr{Fun: lit, Lparen: call.Lparen, Rparen: call.Rparen}
}
