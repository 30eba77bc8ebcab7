package interp

import (
	"go/token"
	"slices"
	"strings"
	"testing"
)

func TestParseCell(t *testing.T) {
	for _, tc := range []struct {
		name, cell string
		want       []itemKind
	}{
		{"decl then stmt", "func f() int { return 1 }\nx := f()", []itemKind{declItem, stmtItem}},
		{"stmt then decl", "x := 1\nfunc f() int { return x }", []itemKind{stmtItem, declItem}},
		{"trailing expr", "x := 2\nx * 3", []itemKind{stmtItem, exprItem}},
		{"imports", "import \"fmt\"\nimport (\n\t\"os\"\n)\nfmt.Println(os.Args)", []itemKind{importItem, importItem, exprItem}},
		{"method", "type T int\nfunc (t T) M() {}\nfunc (T) N() {}", []itemKind{declItem, declItem, declItem}},
		{"func literal call", "func() { println(1) }()", []itemKind{exprItem}},
		{"func literal with result", "func(a int) (int, error) { return a, nil }(1)", []itemKind{exprItem}},
		{"func literal with named param", "func (a int) int { return a }(1)", []itemKind{exprItem}},
		{"generic func", "func Map[T any](x T) T { return x }\nMap(1)", []itemKind{declItem, exprItem}},
		{"generic method", "type L[T any] []T\nfunc (l L[T]) Len() int { return len(l) }", []itemKind{declItem, declItem}},
		{"comments", "// lead\nx := 1 // trailing\n/* block */\ny := 2", []itemKind{stmtItem, stmtItem}},
		{"empty", "", nil},
		{"only comment", "// nothing", nil},
		{"semicolons", "x := 1; y := 2; x + y", []itemKind{stmtItem, stmtItem, exprItem}},
		{"var const type", "var a = 1\nconst b = 2\ntype c struct{}", []itemKind{declItem, declItem, declItem}},
		{"assignment is not expr", "x := 1\nx = 2", []itemKind{stmtItem, stmtItem}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := parseCell(token.NewFileSet(), "c", tc.cell)
			if err != nil {
				t.Fatal(err)
			}
			var got []itemKind
			for _, it := range items {
				got = append(got, it.kind)
				if src := tc.cell[it.start:it.end]; strings.TrimSpace(src) != src || src == "" {
					t.Errorf("item %v has span %q", it.kind, src)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("kinds = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseCellErrorPosition(t *testing.T) {
	for _, tc := range []struct{ name, cell, want string }{
		{"line 1", "x := )", "In[3]:1:6"},
		{"line 3", "x := 1\ny := 2\nz := ]", "In[3]:3:6"},
		{"inside func", "func f() {\n\treturn (\n}", "In[3]:3:1"},
		{"decl among stmts", "x := 1\nfunc f( {}\n", "In[3]:2:9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseCell(token.NewFileSet(), "In[3]", tc.cell)
			if err == nil {
				t.Fatal("no error")
			}
			if got := compileError(err).Error(); !strings.Contains(got, tc.want+":") {
				t.Errorf("error %q does not start at %s", got, tc.want)
			}
		})
	}
}

// TestPlan checks the evaluation order: imports, declarations hoisted
// unless they need a := of the same cell, statements in order.
func TestPlan(t *testing.T) {
	for _, tc := range []struct{ name, cell, want string }{
		{"hoisted", "f()\nfunc f() {}", "decl:f stmt:f"},
		{"after its :=", "x := 1\nfunc g() int { return x }\ng()", "stmt:x decl:g expr:g"},
		{"transitive", "x := 1\nfunc g() int { return x }\nfunc h() int { return g() }\ny := 2\nh()", "stmt:x decl:g,h stmt:y expr:h"},
		{"imports first", "x := 1\nimport \"fmt\"\nfmt.Println(x)", "import stmt:x expr:fmt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := parseCell(token.NewFileSet(), "c", tc.cell)
			if err != nil {
				t.Fatal(err)
			}
			var steps []string
			for _, u := range plan(items) {
				if u.item != nil {
					steps = append(steps, u.item.kind.String()+":"+firstIdent(u.item))
					continue
				}
				var names []string
				isImport := false
				for _, d := range u.decls {
					for i := range items {
						if items[i].decl == d {
							names = append(names, items[i].defines...)
							isImport = items[i].kind == importItem
						}
					}
				}
				if isImport {
					steps = append(steps, "import")
				} else {
					steps = append(steps, "decl:"+strings.Join(names, ","))
				}
			}
			if got := strings.Join(steps, " "); got != tc.want {
				t.Errorf("plan = %s, want %s", got, tc.want)
			}
		})
	}
}

func firstIdent(it *item) string {
	if len(it.defines) > 0 {
		return it.defines[0]
	}
	names := make([]string, 0, len(it.uses))
	for n := range it.uses {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if n != "Println" {
			return n
		}
	}
	return ""
}
