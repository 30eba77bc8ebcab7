package interp

import (
	"go/ast"

	"golang.org/x/tools/go/ast/astutil"
)

// loopClosures makes each func literal that a loop body evaluates
// (in the function the loop is in) inside a call of its own:
//
//	for i := range 10 { go func() { use(i) }() }
//
// becomes
//
//	for i := range 10 { go func() func() { return func() { use(i) } }()() }
//
// yaegi v0.16.1 keeps a func literal's closure in a slot of the frame
// that evaluates it, and when a call of that closure returns it writes
// back what the slot held before the literal was evaluated (getFunc in
// its run.go). A loop evaluates the same literal in the same frame again
// while the closures of earlier iterations run on other goroutines; one
// of them returning between the new evaluation and its use hands the new
// iteration an older closure, or a nil one. The classic lesson (start a
// goroutine per i, each adding to a slice) then counted some i twice and
// others never, or stopped with "call of nil function" and hung in
// wg.Wait. A literal evaluated in a call of its own gets a slot in that
// call's frame, which no other iteration uses, and still closes over the
// iteration's variables as they are (the call's closure copies the
// frame's slots, as the literal's did). The same holds for literals
// handed to compiled code (wg.Go, time.AfterFunc, errgroup), which
// otherwise read the loop's variables when they run, and for deferred
// ones, whose closures now keep their iteration's values.
//
// A literal called where it stands, `func() {...}()`, returns before the
// loop goes on and is left as it is (guardGo has made go statements call
// variables); so are literals outside loops, which each call of their
// function evaluates in a frame of its own.
func loopClosures(n ast.Node) {
	// loops counts, per function (the notebook's or a literal's), the
	// loops around the node being visited.
	loops := []int{0}
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		switch c.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			loops = append(loops, 0)
		case *ast.ForStmt, *ast.RangeStmt:
			loops[len(loops)-1]++
		}
		return true
	}, func(c *astutil.Cursor) bool {
		switch lit := c.Node().(type) {
		case *ast.FuncDecl:
			loops = loops[:len(loops)-1]
		case *ast.ForStmt, *ast.RangeStmt:
			loops[len(loops)-1]--
		case *ast.FuncLit:
			loops = loops[:len(loops)-1]
			_, call := c.Parent().(*ast.CallExpr)
			if loops[len(loops)-1] > 0 && !(call && c.Name() == "Fun") {
				c.Replace(ownFrame(lit))
			}
		}
		return true
	})
}

// ownFrame returns `func() T { return lit }()`, T being lit's type.
func ownFrame(lit *ast.FuncLit) ast.Expr {
	pos := lit.Pos()
	typ := *lit.Type
	maker := &ast.FuncLit{
		Type: &ast.FuncType{
			Func:    pos,
			Params:  &ast.FieldList{Opening: pos, Closing: pos},
			Results: &ast.FieldList{List: []*ast.Field{{Type: &typ}}},
		},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{
			&ast.ReturnStmt{Return: pos, Results: []ast.Expr{lit}},
		}},
	}
	return &ast.CallExpr{Fun: maker, Lparen: pos, Rparen: pos}
}
