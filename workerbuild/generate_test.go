package workerbuild

import (
	"strings"
	"testing"
)

// notebook is a snapshot as interp writes one (see TestSnapshotFromSession
// for one taken from a real session).
func notebook(decls ...record) snapshot {
	return snapshot{
		Imports: []importSpec{{Path: "fmt"}, {Path: "math/rand/v2"}, {Path: "strings"}, {Name: "str", Path: "strconv"}, {Path: "mp"}},
		Decls:   decls,
		Vars:    []variable{{Name: "scale", Type: "int"}, {Name: "cache", Type: "map[string]P"}},
	}
}

func fn(name, text string, line int) record {
	return record{Names: []string{name}, Tok: "func", Cell: "In[2]", Line: line, Col: 1, Text: text}
}

func TestGenerateClosure(t *testing.T) {
	st := notebook(
		record{Names: []string{"P"}, Tok: "type", Cell: "In[1]", Line: 1, Col: 1, Text: "type P struct{ X int }"},
		record{Names: []string{"P.Double"}, Tok: "func", Cell: "In[1]", Line: 2, Col: 1, Text: "func (p P) Double() int { return helper(p.X) }"},
		fn("helper", "func helper(x int) int { return 2 * x * scale }", 1),
		fn("fib", "func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }", 2),
		fn("broken", "func broken() { x := 1 }", 3),
		fn("usesRand", "func usesRand() int { return rand.IntN(3) }", 4),
		fn("lookup", "func lookup(k string) P { fmt.Println(str.Itoa(1)); return cache[k] }", 5),
		record{Names: []string{"limit"}, Tok: "const", Cell: "In[3]", Line: 1, Col: 1, Text: "const limit = 10"},
		fn("capped", "func capped(n int) int { return min(n, limit) }", 6),
		fn("who", "func who() string { return mp.CurrentProcess().Name }", 7),
		fn("parse", "func parse(s string) (int, error) { return str.Atoi(s) }", 8),
		fn("pair", "func pair(a, b int) int { return a + b }", 9),
	)
	tests := []struct {
		targets []string
		want    []string // substrings of the notebook file
		notWant []string
		funcs   []string // entries of the Funcs table
		loops   []string // entries of the Loops table
	}{
		{[]string{"fib"}, []string{"/*line In[2]:2:1*/func fib"}, []string{"broken", "helper", "import", "scale"}, []string{"fib"}, []string{`"fib": gomp_compiledworker_.Loop(fib)`}},
		{[]string{"helper"}, []string{"func helper", "var scale int"}, []string{"fib", "import"}, []string{"helper"}, nil},
		{[]string{"usesRand"}, []string{`import  "math/rand/v2"`, "func usesRand"}, []string{`"fmt"`}, []string{"usesRand"}, nil},
		{[]string{"lookup"}, []string{`import  "fmt"`, `import str "strconv"`, "var cache map[string]P", "type P struct", "func (p P) Double", "func helper"}, []string{"strings", "fib"}, []string{"lookup", "helper"}, []string{`"lookup": gomp_compiledworker_.Loop(lookup)`}},
		{[]string{`P.Double {"X":1}`}, []string{"type P struct", "func (p P) Double", "func helper"}, []string{"fib"}, []string{"helper"}, nil},
		{[]string{"who"}, []string{`import  "github.com/gomp-kernel/gomp/mp"`}, []string{"fib"}, []string{"who"}, nil},
		{[]string{"parse"}, []string{"func parse"}, []string{"fib"}, []string{"parse"}, []string{`"parse": gomp_compiledworker_.LoopErr(parse)`}},
		{[]string{"pair"}, []string{"func pair"}, []string{"fib"}, []string{"pair"}, nil},
		{[]string{"capped"}, []string{"const limit = 10", "func capped"}, []string{"fib"}, []string{"capped"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.targets[0], func(t *testing.T) {
			p, err := generate(st, tt.targets)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.notebook, w) {
					t.Errorf("notebook file lacks %q:\n%s", w, p.notebook)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(p.notebook, w) {
					t.Errorf("notebook file has %q:\n%s", w, p.notebook)
				}
			}
			for _, l := range tt.loops {
				if !strings.Contains(p.main, l) {
					t.Errorf("main lacks loop %s:\n%s", l, p.main)
				}
			}
			if n := tt.targets[0]; (n == "who" || n == "pair") && strings.Contains(p.main, "("+n+")") {
				t.Errorf("%s has a loop, which takes one argument:\n%s", n, p.main)
			}
			for _, f := range tt.funcs {
				if !strings.Contains(p.main, `"`+f+`": `+f+",") {
					t.Errorf("main lacks table entry %s:\n%s", f, p.main)
				}
			}
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	tests := []struct {
		name    string
		st      snapshot
		targets []string
		want    string
	}{
		{"undeclared", notebook(), []string{"nope"}, "nope is not declared"},
		{"foreign import", snapshot{Imports: []importSpec{{Path: "example.com/lib"}}, Decls: []record{fn("f", "func f() { lib.Do() }", 1)}}, []string{"f"}, "only the standard library and gomp's packages, not example.com/lib"},
		{"main", snapshot{Decls: []record{fn("main", "func main() {}", 1), fn("f", "func f() { main() }", 2)}}, []string{"f"}, "declares main"},
		{"syntax", snapshot{Decls: []record{fn("f", "func f() {", 1)}}, []string{"f"}, "parse f"},
		{"value by the interpreter's type name", snapshot{
			Decls: []record{{Names: []string{"P"}, Tok: "type", Cell: "In[1]", Line: 1, Col: 1, Text: "type P struct{ Next *P }"}, fn("f", "func f() bool { return head.Next == nil }", 2)},
			Vars:  []variable{{Name: "head", Type: "*P", Value: append([]byte{0, 17}, "*struct { Next *u }"[:17]...)}},
		}, []string{"f"}, "variable head holds a *P, whose value a compiled worker cannot rebuild"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := generate(tt.st, tt.targets)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("generate: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestLocalName(t *testing.T) {
	for path, want := range map[string]string{
		"fmt": "fmt", "math/rand/v2": "rand", "github.com/gomp-kernel/gomp/mp": "mp",
		"gopkg.in/yaml.v3": "yaml", "example.com/go-thing": "go_thing",
	} {
		if got := localName(importSpec{Path: path}); got != want {
			t.Errorf("localName(%s) = %s, want %s", path, got, want)
		}
	}
	if got := localName(importSpec{Name: "r", Path: "math/rand"}); got != "r" {
		t.Errorf("named import: %s", got)
	}
}

// TestGenerateInstanceAlias: the interpreter's instance of a generic type
// becomes an alias of the instance in a compiled worker, which compiles
// the generic declarations themselves, so that a global of the instance
// and the generic code agree.
func TestGenerateInstanceAlias(t *testing.T) {
	st := snapshot{
		Decls: []record{
			{Names: []string{"Stack"}, Tok: "type", Cell: "In[1]", Line: 1, Col: 1, Text: "type Stack[T any] struct{ items []T }"},
			{Names: []string{"Stack.Push"}, Tok: "func", Cell: "In[2]", Line: 1, Col: 1, Text: "func (s *Stack[T]) Push(x T) { s.items = append(s.items, x) }"},
			{Names: []string{"_gompGmain_Stack_1"}, Tok: "type", Cell: "gomp-generic", Line: 1, Col: 1, Instance: "Stack[int]",
				Text: "type _gompGmain_Stack_1 struct{ items []int }\nfunc (s *_gompGmain_Stack_1) Push(x int) { s.items = append(s.items, x) }"},
			fn("grow", "func grow(n int) int { s := seed; s.Push(n); return len(s.items) }", 1),
		},
		Vars: []variable{{Name: "seed", Type: "_gompGmain_Stack_1"}},
	}
	p, err := generate(st, []string{"grow"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"type _gompGmain_Stack_1 = Stack[int]", "var seed _gompGmain_Stack_1", "type Stack[T any] struct", "func (s *Stack[T]) Push"} {
		if !strings.Contains(p.notebook, w) {
			t.Errorf("notebook file lacks %q:\n%s", w, p.notebook)
		}
	}
	if strings.Contains(p.notebook, "func (s *_gompGmain_Stack_1)") {
		t.Errorf("notebook file has the interpreter's copy of the methods:\n%s", p.notebook)
	}
}
