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

// lowerCopiedRanges lowers the ranges over funcs and ints of text, a
// copied declaration: facts holds the fact of the i-th range statement
// (in source order) for those that are.
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
	replace := func(r *ast.RangeStmt, lab *ast.LabeledStmt) ast.Stmt {
		ft := lower[r]
		if ft.Kind == factRangeInt {
			return lowerRangeInt(r, lab, ft)
		}
		seq++
		return lowerRangeFunc(r, lab, ft, seq)
	}
	astutil.Apply(f, nil, func(c *astutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *ast.RangeStmt:
			if _, labeled := c.Parent().(*ast.LabeledStmt); !labeled {
				if _, ok := lower[x]; ok {
					c.Replace(replace(x, nil))
				}
			}
		case *ast.LabeledStmt:
			if r, ok := x.Stmt.(*ast.RangeStmt); ok {
				if _, ok := lower[r]; ok {
					c.Replace(replace(r, x))
				}
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
// copied, in source order, and gives each the
// signature of the function around it (a func literal's inside one,
// encl's otherwise; nil when unknown), for its returns.
func copiedRanges(p *srcPkg, n ast.Node, encl *types.Signature) (index map[*ast.RangeStmt]int, enclOf map[*ast.RangeStmt]*types.Signature) {
	index = map[*ast.RangeStmt]int{}
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
		case *ast.FuncLit:
			sig, _ := p.info.Types[x].Type.(*types.Signature)
			sigs = append(sigs, sig)
		}
		return true
	})
	return index, enclOf
}
