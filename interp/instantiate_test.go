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
		compiled   bool     // a compiled instance (compiledinstances.go)
	}{
		{path: "slices", name: "Sort", targs: []string{"[]uint16", "uint16"}, want: []string{"func _gompGslices_Sort_", "(x []uint16)", "_gompGslices_pdqsortOrdered_"}},
		{path: "slices", name: "Max", targs: []string{"[]float32", "float32"}, want: []string{"(func(_gompX float32, _gompYs ...float32) float32"}},
		{path: "slices", name: "Delete", targs: []string{"[]string", "string"}, want: []string{"(func(_gompS []string)"}},
		{path: "cmp", name: "Compare", targs: []string{"uint"}, want: []string{"func _gompGcmp_Compare_", "_gompGcmp_isNaN_"}},
		{path: "maps", name: "Clone", targs: []string{"map[string]int", "string", "int"}, want: []string{"_gompP_reflect.MakeMapWithSize"}},
		{path: "slices", name: "Sort", targs: []string{"[]int", "int"}, compiled: true},
		{path: "slices", name: "Insert", targs: []string{"[]n", "n"}, want: []string{"_gompL_n := len(s)", "make([]n, "}},
		{path: "slices", name: "Collect", targs: []string{"uint16"}, want: []string{"type _gompGiter_Seq_", " = func(yield func(uint16) bool)", "(seq _gompGiter_Seq_", "_gompJump1"}},
		{path: "maps", name: "Keys", targs: []string{"map[string]uint", "string", "uint"}, want: []string{"uint) _gompGiter_Seq_", "return func(yield func(string) bool) {"}},
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
			if tt.compiled {
				sym := strings.TrimPrefix(name, pkgAlias(compiledPath)+".")
				if sym == name || !compiledInstances[sym].IsValid() || len(g.decls) != 1 || g.decls[0].Text != "" {
					t.Fatalf("%s with %v = %s, %+v; want a compiled instance", tt.name, tt.targs, name, g.decls)
				}
				return
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

// TestInstancesReachSnapshots restores a notebook whose func calls
// instantiated generic functions in a fresh session: the copies and
// their imports come with the snapshot, and the restored func runs.
func TestInstancesReachSnapshots(t *testing.T) {
	parent := newTestSession(t)
	mustRun(t, parent, `
import (
	"fmt"
	"maps"
	"slices"
)
type pair struct{ k string; v int }
func report(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range maps.Clone(m) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ps := []pair{{"b", 2}, {"a", 1}}
	slices.SortFunc(ps, func(x, y pair) int { return x.v - y.v })
	return fmt.Sprint(keys, ps, slices.Max([]float64{1.5, 3}))
}
`)
	snap, err := parent.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	child := newTestSession(t)
	if err := child.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got := mustRun(t, child, `report(map[string]int{"y": 1, "x": 2})`).Value.Interface()
	if want := "[x y] [{a 1} {b 2}] 3"; got != want {
		t.Errorf("restored report = %v, want %s", got, want)
	}
}

// TestInstanceRejected: a copy the interpreter rejects does not fail the
// cell; the uses that named it are left as written.
func TestInstanceRejected(t *testing.T) {
	s := newTestSession(t)
	bad := reserved("Gslices_Bad")
	s.checker.facts = map[string]fact{"In[1]:1:1-1:12": {Kind: factInstance, Value: bad}, "In[1]:2:1-2:4": {Kind: factMin, Type: "int"}}
	s.checker.pending = []instDecl{{Name: bad, Text: "func " + bad + "() { undefinedThing() }"}}
	if err := s.declareInstances(nil); err != nil {
		t.Fatalf("declareInstances = %v, want nil", err)
	}
	if _, ok := s.checker.facts["In[1]:1:1-1:12"]; ok {
		t.Error("the fact naming the rejected instance is kept")
	}
	if _, ok := s.checker.facts["In[1]:2:1-2:4"]; !ok {
		t.Error("another fact was dropped")
	}
	if s.recordOf(bad) != nil {
		t.Error("the rejected instance is recorded")
	}
}
