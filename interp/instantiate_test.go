package interp

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestInstance generates concrete copies of standard generic functions
// and checks that they parse as Go without type parameters, name the
// copies of their package's helpers, and that what cannot be copied yet
// is refused.
func TestInstance(t *testing.T) {
	tests := []struct {
		path, name string
		targs      []string
		want       []string // substrings of the generated text
		err        string   // when the copy is refused
	}{
		{path: "slices", name: "Sort", targs: []string{"[]int", "int"}, want: []string{"func _gompGslices_Sort_", "(x []int)", "_gompGslices_pdqsortOrdered_"}},
		{path: "slices", name: "Max", targs: []string{"[]float64", "float64"}, want: []string{"(func(_gompX float64, _gompYs ...float64) float64"}},
		{path: "slices", name: "Delete", targs: []string{"[]string", "string"}, want: []string{"(func(_gompS []string)"}},
		{path: "cmp", name: "Compare", targs: []string{"int"}, want: []string{"func _gompGcmp_Compare_", "_gompGcmp_isNaN_"}},
		{path: "maps", name: "Clone", targs: []string{"map[string]int", "string", "int"}, want: []string{"_gompP_reflect.MakeMapWithSize"}},
		{path: "slices", name: "Collect", targs: []string{"int"}, err: "Seq is generic"},
		{path: "slices", name: "Sort", targs: []string{"[]int"}, err: "takes 2 type arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.path+"."+tt.name, func(t *testing.T) {
			g := &instantiator{done: map[string]string{}}
			name, err := g.instance(tt.path, tt.name, tt.targs)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			all.WriteString("package main\n")
			for _, d := range g.decls {
				all.WriteString(d.Text + "\n")
			}
			f, err := parser.ParseFile(token.NewFileSet(), "", all.String(), 0)
			if err != nil {
				t.Fatalf("generated code does not parse: %v\n%s", err, all.String())
			}
			if f.Scope.Lookup(name) == nil {
				t.Errorf("%s is not declared", name)
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("generated code lacks %q:\n%s", w, all.String())
				}
			}
			if strings.Contains(all.String(), "cmp.Ordered") {
				t.Errorf("a constraint is left:\n%s", all.String())
			}
		})
	}
}
