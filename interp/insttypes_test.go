package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestTypeInstanceTemplates instantiates the standard library's generic
// types written by hand and refuses what is not a generic type.
func TestTypeInstanceTemplates(t *testing.T) {
	for _, tt := range []struct {
		path, name string
		targs      []string
		want       []string // substrings of the generated text
		err        string
	}{
		{path: "iter", name: "Seq", targs: []string{"int"}, want: []string{"type _gompGiter_Seq_", " = func(yield func(int) bool)"}},
		{path: "iter", name: "Seq2", targs: []string{"string", "*T"}, want: []string{" = func(yield func(string, (*T)) bool)"}},
		{path: "sync/atomic", name: "Pointer", targs: []string{"Config"}, want: []string{"v  *Config", ") CompareAndSwap(old, new *Config) (swapped bool)", "_gompP_sync.Mutex"}},
		{path: "sync", name: "Mutex", err: "not a generic type"},
	} {
		t.Run(tt.path+"."+tt.name, func(t *testing.T) {
			g := &instantiator{done: map[string]string{}}
			name, err := g.typeInstance(tt.path, tt.name, tt.targs)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(g.decls) != 1 || g.decls[0].Name != name {
				t.Fatalf("decls = %+v, want one named %s", g.decls, name)
			}
			text := g.decls[0].Text
			if _, err := parser.ParseFile(token.NewFileSet(), "", "package main\n"+text, 0); err != nil {
				t.Fatalf("generated code does not parse: %v\n%s", err, text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("generated code lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestWithholdGeneric keeps the generic declarations of a file from the
// interpreter, and everything else.
func TestWithholdGeneric(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      string // the declarations kept, as names
	}{
		{"generic type and its methods", "type S[T any] []T\nfunc (s S[T]) Len() int { return 0 }\nfunc (s *S[T]) Push(T) {}\ntype N int\nfunc (N) M() {}", "N N.M"},
		{"generic func and alias", "func F[T any](T) {}\ntype A[T any] = []T\nfunc G() {}", "G"},
		{"one spec of a group", "type (\n\tP[K comparable] map[K]int\n\tQ struct{}\n)\nvar v = 1", "Q v"},
		{"method of an instance's pointer in parentheses", "type B[T any] struct{}\nfunc (b *(B[T])) M() {}", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "", "package main\n"+tt.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			before := len(f.Decls)
			orig := f.Decls
			withholdGeneric(f)
			var names []string
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					n := d.Name.Name
					if d.Recv != nil {
						n = recvTypeName(d.Recv.List[0].Type) + "." + n
					}
					names = append(names, n)
				case *ast.GenDecl:
					for _, sp := range d.Specs {
						switch sp := sp.(type) {
						case *ast.TypeSpec:
							names = append(names, sp.Name.Name)
						case *ast.ValueSpec:
							names = append(names, sp.Names[0].Name)
						}
					}
				}
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("kept %q, want %q", got, tt.want)
			}
			if len(orig) != before {
				t.Errorf("the file's original declarations changed")
			}
		})
	}
}

// TestGenericTypeCells runs the notebook's generic types across cells:
// methods added and types changed later reach the values the notebook
// holds, and invalid uses get go/types' error at the cell's position.
func TestGenericTypeCells(t *testing.T) {
	const stack = "type Stack[T any] struct{ items []T }"
	const push = "func (s *Stack[T]) Push(x T) { s.items = append(s.items, x) }"
	for _, tt := range []struct {
		name  string
		cells []string
		want  string // the last cell's result
	}{
		{"method added after a value exists", []string{stack, push, "var s Stack[int]\ns.Push(1)", "func (s Stack[T]) Len() int { return len(s.items) }", "s.Len()"}, "=1"},
		{"type changed keeps the values", []string{stack, push, "var s Stack[string]\ns.Push(\"a\")", "type Stack[T any] struct{ items []T; n int }", "func (s *Stack[T]) Push(x T) { s.items = append(s.items, x); s.n++ }", "s.Push(\"b\")\nfmt.Sprint(s.items, s.n)"}, `="[a b] 1"`},
		{"nested instance", []string{stack, push, "type Pair[K comparable, V any] struct{ K K; V V }", "var s Stack[Pair[string, []int]]\ns.Push(Pair[string, []int]{\"a\", []int{1}})\nfmt.Sprintf(\"%+v\", s.items)"}, `="[{K:a V:[1]}]"`},
		{"instance in a later func", []string{stack, push, "func fill(n int) *Stack[float64] {\n\ts := &Stack[float64]{}\n\tfor i := range n {\n\t\ts.Push(float64(i) / 2)\n\t}\n\treturn s\n}", "fill(3).items"}, "=[0 0.5 1]"},
		{"generic func returning an instance at top level", []string{"type Pair[A, B any] struct{ A A; B B }", "func MakePair[A, B any](a A, b B) Pair[A, B] { return Pair[A, B]{a, b} }", "p := MakePair(\"x\", 3)", "p.B + 1"}, "=4"},
		{"generic alias", []string{"type Set[T comparable] = map[T]struct{}", "s := Set[int]{1: {}}\ns[2] = struct{}{}\nlen(s)"}, "=2"},
		{"iter.Seq in a signature", []string{`import "iter"`, "func count(n int) iter.Seq[int] {\n\treturn func(yield func(int) bool) {\n\t\tfor i := range n {\n\t\t\tif !yield(i) {\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}\n}", "t := 0\nfor i := range count(4) {\n\tt += i\n}\nt"}, "=6"},
		{"atomic.Pointer", []string{`import "sync/atomic"`, "var p atomic.Pointer[string]\nw := \"hi\"\np.Store(&w)", "*p.Load()"}, `="hi"`},
		{"method returning another instance", []string{"type Pair[K, V comparable] struct{ K K; V V }", "func (p Pair[K, V]) Swap() Pair[V, K] { return Pair[V, K]{p.V, p.K} }", "q := Pair[string, int]{\"a\", 1}\nfmt.Sprint(q.Swap(), q.Swap().Swap() == q)"}, `="{1 a} true"`},
		{"embedded instance", []string{"type Box[T any] struct{ v T }", "func (b Box[T]) Get() T { return b.v }", "type Named struct {\n\tBox[int]\n\tName string\n}", "n := Named{Box: Box[int]{7}}\nn.Get() + n.Box.v"}, "=14"},
		{"generic type embedding an instance", []string{"type Box[T any] struct{ v T }", "func (b *Box[T]) Set(v T) { b.v = v }", "type Labeled[T any] struct {\n\t*Box[T]\n\tLabel string\n}", "func (l Labeled[T]) Show() string { return fmt.Sprint(l.Label, \"=\", l.Box.v) }", "l := Labeled[int]{Box: &Box[int]{}, Label: \"x\"}\nl.Set(4)\nl.Show()"}, `="x=4"`},
		{"ranges over ints and labeled ranges over funcs in a method", []string{`import "iter"`, "type Ring[T any] struct{ xs []T }", "func (r Ring[T]) All() iter.Seq2[int, T] {\n\treturn func(yield func(int, T) bool) {\n\touter:\n\t\tfor i, x := range r.xs {\n\t\t\tfor j := range 2 {\n\t\t\t\tif j == 1 {\n\t\t\t\t\tcontinue outer\n\t\t\t\t}\n\t\t\t\tif !yield(i, x) {\n\t\t\t\t\treturn\n\t\t\t\t}\n\t\t\t}\n\t\t}\n\t}\n}", "func (r Ring[T]) Last() (last T) {\nloop:\n\tfor _, x := range r.All() {\n\t\tlast = x\n\t\tcontinue loop\n\t}\n\treturn last\n}", "r := Ring[string]{[]string{\"a\", \"b\"}}\nn := 0\nfor range r.All() {\n\tn++\n}\nfmt.Sprint(n, r.Last())"}, `="2b"`},
		{"instantiation cycle through a method of a later cell", []string{"type T[A any] struct{ v A }", "func (t T[A]) M() int { var x T[[]A]; return len(x.v) }"}, "!In[3]:1:33: instantiation cycle: A instantiated as []A"},
		{"instantiation cycle in one cell", []string{"type U[A any] struct{ v A }\nfunc (u U[A]) M() int { var x U[*A]; _ = x; return 0 }"}, "!In[2]:1:8: instantiation cycle:\n\tIn[2]:2:33: A instantiated as *A"},
		{"type declared again with other type parameters", []string{stack, push, "var s Stack[int]\ns.Push(1)", "type Stack[K comparable, V any] struct{ m map[K]V }", "func (s Stack[K, V]) Len() int { return len(s.m) }", "t := Stack[string, int]{map[string]int{\"a\": 1}}\nfmt.Sprint(t.Len(), len(s.items))"}, `="1 1"`},
		{"types declared in a function as type arguments", []string{`import "slices"`, stack, push, "func Max[T any](xs []T, less func(a, b T) bool) T {\n\tm := xs[0]\n\tfor _, x := range xs[1:] {\n\t\tif less(m, x) {\n\t\t\tm = x\n\t\t}\n\t}\n\treturn m\n}", "func run() string {\n\ttype p struct{ v int }\n\ttype named struct {\n\t\tp    p\n\t\tname string\n\t}\n\tps := []p{{1}, {3}, {2}}\n\tvar s Stack[named]\n\ts.Push(named{Max(ps, func(a, b p) bool { return a.v < b.v }), \"max\"})\n\tslices.SortFunc(ps, func(a, b p) int { return b.v - a.v })\n\treturn fmt.Sprint(s.items, ps)\n}", "run()"}, `="[{{3} max}] [{3} {2} {1}]"`},
		{"wrong number of type arguments", []string{stack, "var s Stack[int, string]"}, "!In[3]:1:7: too many type arguments for type Stack: have 2, want 1"},
		{"constraint not satisfied", []string{"type Set[T comparable] map[T]bool", "x := 1\nvar s Set[func()]"}, "!In[3]:2:11: func() does not satisfy comparable"},
		{"method missing on an instance", []string{stack, push, "var s Stack[int]\ns.Pop()"}, "!In[4]:2:3: s.Pop undefined (type Stack[int] has no field or method Pop)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cells := append([]string{`import "fmt"`}, tt.cells...)
			got := runCells(t, cells)
			if last := got[len(got)-1]; last != tt.want {
				t.Errorf("last cell = %q, want %q (all: %q)", last, tt.want, got)
			}
		})
	}
}

// TestGenericTypesReachSnapshots restores a notebook holding a value of
// an instance and a func using another: the instances, with their
// methods, come with the snapshot.
func TestGenericTypesReachSnapshots(t *testing.T) {
	parent := newTestSession(t)
	for _, c := range []string{
		"type Stack[T any] struct{ Items []T }",
		"func (s *Stack[T]) Push(x T) { s.Items = append(s.Items, x) }",
		"var words Stack[string]\nwords.Push(\"a\")",
		"func total(xs ...int) int {\n\tvar s Stack[int]\n\tfor _, x := range xs {\n\t\ts.Push(x)\n\t}\n\tn := 0\n\tfor _, x := range s.Items {\n\t\tn += x\n\t}\n\treturn n\n}",
	} {
		mustRun(t, parent, c)
	}
	snap, err := parent.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	child := newTestSession(t)
	if err := child.Restore(snap); err != nil {
		t.Fatal(err)
	}
	mustRun(t, child, "words.Push(\"b\")")
	if got := mustRun(t, child, "len(words.Items) + total(1, 2, 3)").Value.Interface(); got != 8 {
		t.Errorf("restored: len(words.Items) + total(1, 2, 3) = %v, want 8", got)
	}
	// The instances are known from their records: a method added after
	// the restore reaches the restored value.
	mustRun(t, child, "func (s Stack[T]) Len() int { return len(s.Items) }")
	if got := mustRun(t, child, "words.Len()").Value.Interface(); got != 2 {
		t.Errorf("restored: words.Len() = %v, want 2", got)
	}
}

// TestParseInstance reads records' instances back into their generic
// types and type arguments as written.
func TestParseInstance(t *testing.T) {
	for _, tt := range []struct {
		in    string
		want  string // type|targ|targ
		notOK bool
	}{
		{in: "Stack[int]", want: "Stack|int"},
		{in: "Pair[_gompGmain_Pair_1a, map[string]func(int) bool]", want: "Pair|_gompGmain_Pair_1a|map[string]func(int) bool"},
		{in: "Grid[interface{ M() }, struct{a int; b []T}]", want: "Grid|interface{ M() }|struct{a int; b []T}"},
		{in: "_gompP_sync_atomic.Pointer[Config]", notOK: true},
		{in: "Stack", notOK: true},
	} {
		r, ok := parseInstance(tt.in)
		if ok == tt.notOK {
			t.Errorf("parseInstance(%q) ok = %v", tt.in, ok)
			continue
		}
		if got := strings.Join(append([]string{r.Type}, r.Targs...), "|"); ok && got != tt.want {
			t.Errorf("parseInstance(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGenericRedeclare: a generic declaration declared again replaces its
// record without a rebuild while the notebook holds no instance of it,
// and with one (its instances are made again) when it does, keeping one
// record either way.
func TestGenericRedeclare(t *testing.T) {
	s := newTestSession(t)
	records := func(name string) int {
		n := 0
		for _, r := range s.decls {
			for _, rn := range r.Names {
				if rn == name {
					n++
				}
			}
		}
		return n
	}
	mustRun(t, s, "type Stack[T any] struct{ items []T }")
	mustRun(t, s, "func (s *Stack[T]) Push(x T) { s.items = append(s.items, x) }")
	yi := s.yi
	mustRun(t, s, "type Stack[T any] struct{ items []T; n int }")
	mustRun(t, s, "func (s *Stack[T]) Push(x T) { s.items = append(s.items, x); s.n++ }")
	if s.yi != yi {
		t.Error("declaring generic declarations again rebuilt the interpreter, with no instance to change")
	}
	mustRun(t, s, "var st Stack[int]\nst.Push(1)")
	yi = s.yi
	mustRun(t, s, "type Stack[T any] struct{ items []T; n, cap int }")
	if s.yi == yi {
		t.Error("changing a generic type with an instance did not rebuild the interpreter")
	}
	if n, m := records("Stack"), records("Stack.Push"); n != 1 || m != 1 {
		t.Errorf("records of Stack: %d, of Stack.Push: %d; want 1 each", n, m)
	}
	if got := mustRun(t, s, "st.Push(2)\nst.n + len(st.items)").Value.Interface(); got != 4 {
		t.Errorf("st.n + len(st.items) = %v, want 4", got)
	}
}

// TestSafeInstances: a panic while instantiating is the cell's error.
func TestSafeInstances(t *testing.T) {
	ci := safeInstances(func() cellInstances { panic("unexpected node") })
	if ci.failed == nil || !strings.Contains(ci.failed.msg, "not supported yet: unexpected node") {
		t.Errorf("failed = %+v, want the panic as a typeError", ci.failed)
	}
	if ci := safeInstances(func() cellInstances { return cellInstances{decls: []instDecl{{Name: "x"}}} }); len(ci.decls) != 1 || ci.failed != nil {
		t.Errorf("without a panic: %+v", ci)
	}
}
