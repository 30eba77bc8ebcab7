package interp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runtimeDecls are declared in the cell before each case, and at package
// level in the Go program that checks the wanted texts.
const runtimeDecls = `type P struct{ X int }
func (p *P) Get() int { return p.X }
type shower interface {
	Show() string
	Hide()
}
func at(k int) int { return []int{1, 2, 3}[k] }
var glob = []int{1, 2}
func second() int { return glob[2] }
`

// runtimeCases are run-time errors students meet, with the message Go
// prints for each (after "panic: "). TestRuntimeTextsAreGos checks the
// texts against the Go toolchain; TestRuntimeErrors checks that a cell
// reports the same. code is statements valid in a Go function body; its
// last line fails, at line line of the cell, or of the declarations'
// cell In[1] for a failure inside one of runtimeDecls' functions.
var runtimeCases = []struct {
	name, code string
	line       int
	want       string
}{
	{"slice set", "var s []int\ns[5] = 1", 2, "runtime error: index out of range [5] with length 0"},
	{"slice get", "s := []int{1}\n_ = s[5]", 2, "runtime error: index out of range [5] with length 1"},
	{"negative index", "s := []int{1}\nn := -1\n_ = s[n]", 3, "runtime error: index out of range [-1]"},
	{"array index", "a := [3]int{}\ni := 5\n_ = a[i]", 3, "runtime error: index out of range [5] with length 3"},
	{"string index", "str := \"abc\"\ni := 3\n_ = str[i]", 3, "runtime error: index out of range [3] with length 3"},
	{"index arithmetic", "s := []int{1, 2}\ni := 1\n_ = s[i*2+len(s)]", 3, "runtime error: index out of range [4] with length 2"},
	{"slice high", "t := []int{1, 2, 3}\ni := 5\n_ = t[1:i]", 3, "runtime error: slice bounds out of range [:5] with capacity 3"},
	{"slice low", "t := []int{1, 2, 3}\ni := 5\n_ = t[i:]", 3, "runtime error: slice bounds out of range [5:3]"},
	{"slice inverted", "t := []int{1, 2, 3}\ni := 2\n_ = t[i:1]", 3, "runtime error: slice bounds out of range [2:1]"},
	{"slice three", "t := []int{1, 2, 3}\ni := 5\n_ = t[0:1:i]", 3, "runtime error: slice bounds out of range [::5] with capacity 3"},
	{"slice three high", "t := []int{1, 2, 3}\ni := 2\n_ = t[0:3:i]", 3, "runtime error: slice bounds out of range [:3:2]"},
	{"slice negative", "t := []int{1}\nn := -1\n_ = t[n:]", 3, "runtime error: slice bounds out of range [-1:]"},
	{"slice string", "str := \"abc\"\ni := 5\n_ = str[:i]", 3, "runtime error: slice bounds out of range [:5] with length 3"},
	{"slice array", "a := [3]int{}\ni := 5\n_ = a[1:i]", 3, "runtime error: slice bounds out of range [:5] with length 3"},
	{"index in function", "_ = at(1)\n_ = second()", 10, "runtime error: index out of range [2] with length 2"},
	{"nil map", "var m map[string]int\nm[\"a\"] = 1", 2, "assignment to entry in nil map"},
	{"nil field", "var p *P\n_ = p.X", 2, "runtime error: invalid memory address or nil pointer dereference"},
	{"nil field set", "var p *P\np.X = 1", 2, "runtime error: invalid memory address or nil pointer dereference"},
	{"nil method", "var p *P\n_ = p.Get()", 3, "runtime error: invalid memory address or nil pointer dereference"},
	{"nil deref", "var ip *int\nv := *ip\n_ = v", 2, "runtime error: invalid memory address or nil pointer dereference"},
	{"nil func", "var fn func()\nfn()", 2, "runtime error: invalid memory address or nil pointer dereference"},
	{"nil interface", "var err error\n_ = err.Error()", 2, "runtime error: invalid memory address or nil pointer dereference"},
	{"divide", "zero := 0\n_ = 10 / zero", 2, "runtime error: integer divide by zero"},
	{"modulo", "zero := 0\n_ = 10 % zero", 2, "runtime error: integer divide by zero"},
	{"assert", "var e any = \"s\"\n_ = e.(int)", 2, "interface conversion: interface {} is string, not int"},
	{"assert nil", "var e any\n_ = e.(int)", 2, "interface conversion: interface {} is nil, not int"},
	{"assert compiled interface", "var e any = 5\n_ = e.(fmt.Stringer)", 2, "interface conversion: int is not fmt.Stringer: missing method String"},
	{"assert notebook interface", "var e any = 5\n_ = e.(shower)", 2, "interface conversion: int is not main.shower: missing method Hide"},
	{"assert notebook type", "var e any = P{}\n_ = e.(shower)", 2, "interface conversion: main.P is not main.shower: missing method Hide"},
	{"assert notebook pointer", "var e any = &P{}\n_ = e.(shower)", 2, "interface conversion: *main.P is not main.shower: missing method Hide"},
	{"assert nil to interface", "var e any\n_ = e.(shower)", 2, "interface conversion: interface is nil, not main.shower"},
	{"send on closed", "ch := make(chan int)\nclose(ch)\nch <- 1", 3, "send on closed channel"},
	{"close closed", "ch := make(chan int)\nclose(ch)\nclose(ch)", 3, "close of closed channel"},
	{"close nil", "var ch chan int\nclose(ch)", 2, "close of nil channel"},
}

// runtimeGaps are failures whose message gomp cannot give as Go does,
// with what it says instead and why; see "Run-time errors" in doc.go.
var runtimeGaps = []struct {
	name, code, want, goText string
}{
	// The index is a local of the function, gone when the panic
	// reaches the session.
	{"index of a local", "_ = at(7)", "runtime error: index out of range", "runtime error: index out of range [7] with length 3"},
	// The value's reflect type is shared by two notebook types (or by a
	// notebook type and its underlying type), so it names neither.
	{"assert shared type", "type dup struct{ X int }\nvar e any = dup{}\n_ = e.(shower)", "interface conversion: value is not main.shower", "interface conversion: main.dup is not main.shower: missing method Hide"},
	{"assert basic notebook type", "type num int\nvar e any = num(1)\n_ = e.(shower)", "interface conversion: value is not main.shower", "interface conversion: main.num is not main.shower: missing method Hide"},
}

// runRuntimeCase runs code after runtimeDecls in a new Session and
// returns its error.
func runRuntimeCase(t *testing.T, code string) *CellError {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Execute(ctx, "import \"fmt\"\n"+runtimeDecls, IO{Name: "In[1]"}); err != nil {
		t.Fatalf("declarations: %v", err)
	}
	_, err = s.Execute(ctx, code, IO{Name: "In[2]"})
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("got error %v, want a *CellError", err)
	}
	return ce
}

func TestRuntimeErrors(t *testing.T) {
	for _, c := range runtimeCases {
		t.Run(c.name, func(t *testing.T) {
			ce := runRuntimeCase(t, c.code)
			if ce.Name != "panic" || ce.Value != c.want {
				t.Errorf("%s: %s\nwant panic: %s", c.code, ce.Error(), c.want)
			}
			if len(ce.Traceback) == 0 || ce.Traceback[0] != "panic: "+c.want {
				t.Errorf("traceback %q does not start with panic: %s", ce.Traceback, c.want)
			}
			if ce.Line != c.line {
				t.Errorf("line %d, want %d", ce.Line, c.line)
			}
			for _, l := range append([]string{ce.Value}, ce.Traceback...) {
				if strings.Contains(l, fileSuffix) || !strings.Contains(l, "In[") && strings.Contains(l, ":") && strings.HasPrefix(l, "\t") {
					t.Errorf("traceback line %q is not in cell coordinates", l)
				}
			}
		})
	}
	for _, c := range runtimeGaps {
		t.Run(c.name, func(t *testing.T) {
			if ce := runRuntimeCase(t, c.code); ce.Value != c.want {
				t.Errorf("%s: %s\nwant panic: %s (Go: %s)", c.code, ce.Error(), c.want, c.goText)
			}
		})
	}
}

// TestRuntimeTextsAreGos runs runtimeCases and runtimeGaps as a Go
// program with the Go toolchain and checks that Go prints the texts the
// tables say it does.
func TestRuntimeTextsAreGos(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go toolchain: %v", err)
	}
	var b strings.Builder
	b.WriteString("package main\n\nimport \"fmt\"\n\n" + runtimeDecls)
	b.WriteString("\nfunc try(name string, f func()) {\n\tdefer func() { fmt.Printf(\"%s\\t%v\\n\", name, recover()) }()\n\tf()\n}\n\nfunc main() {\n")
	want := map[string]string{}
	add := func(name, code, text string) {
		fmt.Fprintf(&b, "\ttry(%q, func() {\n%s\n\t})\n", name, code)
		want[name] = text
	}
	for _, c := range runtimeCases {
		add(c.name, c.code, c.want)
	}
	for _, c := range runtimeGaps {
		add(c.name, c.code, c.goText)
	}
	b.WriteString("}\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "run", "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s\n%s", err, out, b.String())
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, text, _ := strings.Cut(l, "\t")
		got[name] = text
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: Go prints %q, the table says %q", name, got[name], w)
		}
	}
}
