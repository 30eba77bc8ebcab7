package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"
)

// TestStdTemplates instantiates every template of stdtemplates.go with
// type arguments named like the templates' locals, and checks that the
// instance parses, has no placeholder left and declares no local a type
// argument's name would be hidden by.
func TestStdTemplates(t *testing.T) {
	placeholder := regexp.MustCompile(`\b(NAME|TYPE|PKG|GEN|T[0-9]|L_\w+)\b`)
	for key, tpl := range stdTemplates {
		t.Run(key, func(t *testing.T) {
			path, name := key[:strings.LastIndex(key, ".")], key[strings.LastIndex(key, ".")+1:]
			targs := []string{"values", "h"}[:tpl.targs]
			g := &instantiator{done: map[string]string{}}
			inst, err := g.instance(path, name, targs)
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			all.WriteString("package main\n")
			for _, d := range g.decls {
				all.WriteString(d.Text + "\n")
			}
			src := all.String()
			if m := placeholder.FindString(src); m != "" {
				t.Fatalf("placeholder %s left in\n%s", m, src)
			}
			f, err := parser.ParseFile(token.NewFileSet(), "", src, 0)
			if err != nil {
				t.Fatalf("instance does not parse: %v\n%s", err, src)
			}
			declared := false
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					if n.Name.Name == inst || n.Recv == nil && strings.HasPrefix(inst, n.Name.Name) {
						declared = true
					}
				case *ast.TypeSpec:
					if n.Name.Name == inst {
						declared = true
					}
				case *ast.Ident:
					if n.Obj != nil && n.Obj.Kind != ast.Fun && n.Obj.Kind != ast.Typ && (n.Name == "values" || n.Name == "h") {
						t.Errorf("the instance declares %s, which hides the type argument", n.Name)
					}
				}
				return true
			})
			if !declared {
				t.Errorf("the instance does not declare %s:\n%s", inst, src)
			}
		})
	}
}

// TestStdTemplatesRun runs programs that use the templates' instances in
// a session, with a notebook type named like a template's local: the
// output must be Go's (written here from `go run`).
func TestStdTemplatesRun(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"pull with a type named values", `package main

import (
	"fmt"
	"iter"
)

type values struct{ n int }

func count(yield func(values) bool) {
	for i := 0; i < 3; i++ {
		if !yield(values{i}) {
			return
		}
	}
}

func main() {
	next, stop := iter.Pull(count)
	a, _ := next()
	b, ok := next()
	stop()
	c, more := next()
	fmt.Println(a, b, ok, c, more)
}
`, "{0} {1} true {0} false\n"},
		{"pull re-raises the sequence's panic", `package main

import (
	"fmt"
	"iter"
)

func bad(yield func(int) bool) {
	yield(1)
	panic("boom")
}

func try() {
	defer func() { fmt.Println("recovered:", recover()) }()
	next, _ := iter.Pull(bad)
	fmt.Println(next())
	fmt.Println(next())
}

func main() {
	try()
}
`, "1 true\nrecovered: boom\n"},
		{"unique handle of a type named h", `package main

import (
	"fmt"
	"unique"
)

type h [2]int

func main() {
	x, y := unique.Make(h{1, 2}), unique.Make(h{1, 2})
	var z unique.Handle[h] = unique.Make(h{2, 1})
	fmt.Println(x == y, x == z, z.Value())
}
`, "true false [2 1]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for style, run := range map[string]func(string) (string, error){"whole": runWhole, "split": runSplit} {
				got, err := run(tt.src)
				if err != nil || got != tt.want {
					t.Errorf("%s: got %q (err %v), want %q", style, got, err, tt.want)
				}
			}
		})
	}
}
