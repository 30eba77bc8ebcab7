package interp

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
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

// copiedRanges numbers the range statements of n, a declaration being
// copied, in source order, tells those with a label, and gives each the
// signature of the function around it (a func literal's inside one,
// encl's otherwise; nil when unknown), for its returns.
func copiedRanges(p *srcPkg, n ast.Node, encl *types.Signature) (index map[*ast.RangeStmt]int, labeled map[*ast.RangeStmt]bool, enclOf map[*ast.RangeStmt]*types.Signature) {
	index = map[*ast.RangeStmt]int{}
	labeled = map[*ast.RangeStmt]bool{}
	enclOf = map[*ast.RangeStmt]*types.Signature{}
	sigs := []*types.Signature{encl}
	var path []ast.Node
	ast.Inspect(n, func(x ast.Node) bool {
		if x == nil {
			if _, ok := path[len(path)-1].(*ast.FuncLit); ok {
				sigs = sigs[:len(sigs)-1]
			}
			path = path[:len(path)-1]
			return true
		}
		path = append(path, x)
		switch x := x.(type) {
		case *ast.RangeStmt:
			index[x] = len(index)
			enclOf[x] = sigs[len(sigs)-1]
		case *ast.LabeledStmt:
			if r, ok := x.Stmt.(*ast.RangeStmt); ok {
				labeled[r] = true
			}
		case *ast.FuncLit:
			sig, _ := p.info.Types[x].Type.(*types.Signature)
			sigs = append(sigs, sig)
		}
		return true
	})
	return index, labeled, enclOf
}
