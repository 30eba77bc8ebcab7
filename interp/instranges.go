package interp

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// lowerCopiedRanges lowers the ranges over funcs of text, a copied
// declaration: facts holds the fact of the i-th range statement (in
// source order) for those that are.
func lowerCopiedRanges(text string, facts map[int]fact) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p;"+text, parser.SkipObjectResolution)
	if err != nil {
		return "", fmt.Errorf("parse a copy: %w", err)
	}
	lower := map[*ast.RangeStmt]fact{}
	i := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok {
			if ft, ok := facts[i]; ok {
				lower[r] = ft
			}
			i++
		}
		return true
	})
	seq := 0
	astutil.Apply(f, nil, func(c *astutil.Cursor) bool {
		if r, ok := c.Node().(*ast.RangeStmt); ok {
			if ft, ok := lower[r]; ok {
				seq++
				c.Replace(lowerRangeFunc(r, nil, ft, seq))
			}
		}
		return true
	})
	var b strings.Builder
	for _, d := range f.Decls {
		if err := format.Node(&b, fset, d); err != nil {
			return "", fmt.Errorf("print a copy: %w", err)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
