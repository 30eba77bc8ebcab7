package interp

import "go/ast"

// unit is one step of a cell's evaluation: a group of declarations compiled
// as one file, or one statement.
type unit struct {
	decls []ast.Decl
	item  *item // the statement, for stmtItem and exprItem units
}

// plan orders a cell's items for evaluation: imports first, then every
// declaration that does not depend on a := of the same cell, then the
// statements in source order, each followed by the declarations that need
// the names it defines (and the declarations that need those).
func plan(items []item) []unit {
	var imports []ast.Decl
	var stmts []*item
	definedBy := map[string]int{} // := name -> index in stmts + 1
	for i := range items {
		it := &items[i]
		switch it.kind {
		case importItem:
			imports = append(imports, it.decl)
		case stmtItem, exprItem:
			stmts = append(stmts, it)
			for _, n := range it.defines {
				definedBy[n] = len(stmts)
			}
		}
	}
	level := map[*item]int{}
	declOf := map[string]*item{}
	for i := range items {
		if items[i].kind == declItem {
			for _, n := range items[i].defines {
				declOf[n] = &items[i]
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range items {
			it := &items[i]
			if it.kind != declItem {
				continue
			}
			l := level[it]
			for u := range it.uses {
				if s := definedBy[u]; s > l {
					l = s
				}
				if d := declOf[u]; d != nil && d != it && level[d] > l {
					l = level[d]
				}
			}
			if l != level[it] {
				level[it] = l
				changed = true
			}
		}
	}
	var units []unit
	if len(imports) > 0 {
		units = append(units, unit{decls: imports})
	}
	for s := 0; s <= len(stmts); s++ {
		var group []ast.Decl
		for i := range items {
			if items[i].kind == declItem && level[&items[i]] == s {
				group = append(group, items[i].decl)
			}
		}
		if len(group) > 0 {
			units = append(units, unit{decls: group})
		}
		if s < len(stmts) {
			units = append(units, unit{item: stmts[s]})
		}
	}
	return units
}
