package interp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// conformanceFailures are the conformance programs gomp does not yet run
// as `go run` does, in either cell style, each with the reason. The README
// reports them (TestConformanceREADME); a listed program that passes fails
// the test, so that the table stays true.
var conformanceFailures = map[string]string{
	"classic_panic_recover":     "a recovered index out of range is a runtime.Error with Go's words but without the operands (\"[3] with length 0\"): yaegi's panic (reflect's) does not carry them, and checking every index in gomp would slow all indexing",
	"go1.24_runtime_addcleanup": "the object stays reachable under yaegi, so the cleanup never runs: even a pointer made in an interpreted function that has returned, with a package-level func as the cleanup, is not collected (the same with weak pointers); where yaegi keeps it is not isolated",
	"go1.24_weak_collected":     "the blob stays reachable under yaegi after b = nil, so Value is not nil: objects interpreted code allocated are not collected when go run would collect them (see go1.24_runtime_addcleanup); where yaegi keeps them is not isolated",
	"go1.26_reflect_iter":       "Type.Fields runs; Type.Methods of a notebook type yields nothing: yaegi builds a notebook type's reflect type with reflect.StructOf, which cannot carry methods (yaegi keeps them in its own type information), so only a fork of yaegi could fix it",
}

// conformanceProgram is one program of testdata/conformance: a Go
// version (the release that added what it shows, or "classic"), its
// source and the output of `go run`.
type conformanceProgram struct {
	name, version, src, want string
	file                     string
	ar                       *txtar.Archive
}

// conformanceVersions are the versions a program's name may start with,
// in the README's order.
var conformanceVersions = []string{"go1.21", "go1.22", "go1.23", "go1.24", "go1.25", "go1.26", "classic"}

// loadConformance reads testdata/conformance/*.txtar: a file named
// VERSION_NAME.txtar holding main.go and, once -update ran, want (what
// `go run main.go` printed).
func loadConformance(t *testing.T) []conformanceProgram {
	t.Helper()
	files, err := filepath.Glob("testdata/conformance/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance programs: %v", err)
	}
	var progs []conformanceProgram
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		version, _, _ := strings.Cut(name, "_")
		if !slices.Contains(conformanceVersions, version) {
			t.Fatalf("%s: the name must start with one of %v and _", file, conformanceVersions)
		}
		src, ok := section(ar, "main.go")
		if !ok {
			t.Fatalf("%s: no main.go", file)
		}
		want, _ := section(ar, "want")
		progs = append(progs, conformanceProgram{name: name, version: version, src: src, want: want, file: file, ar: ar})
	}
	return progs
}

// TestConformance runs, one at a time (see runCells), each program of testdata/conformance three ways:
// `go run` (its output is the golden, written by -update), as one cell
// holding the whole program followed by a cell calling main(), and as a
// notebook would hold it: a cell per top-level declaration and one with
// main's body. Both cell styles must print what `go run` printed, except
// for the programs in conformanceFailures.
func TestConformance(t *testing.T) {
	progs := loadConformance(t)
	if *update {
		updateConformance(t, progs)
		progs = loadConformance(t)
	}
	for _, p := range progs {
		t.Run(p.name, func(t *testing.T) {
			whole, werr := runWhole(p.src)
			split, serr := runSplit(p.src)
			ok := werr == nil && serr == nil && whole == p.want && split == p.want
			reason, known := conformanceFailures[p.name]
			switch {
			case ok && known:
				t.Errorf("passes now: remove it from conformanceFailures (%s)", reason)
			case !ok && !known:
				t.Errorf("whole program (err %v):\n%s\nsplit into cells (err %v):\n%s\ngo run:\n%s", werr, whole, serr, split, p.want)
			case !ok:
				t.Logf("known failure: %s", reason)
			}
		})
	}
}

// conformanceTimeout bounds one program's run in a session: a program
// that deadlocks under the interpreter fails instead of hanging the test.
const conformanceTimeout = time.Minute

// runCells runs cells in a new Session and returns what they printed on
// stdout and stderr, and the first cell error. The session captures the
// process's stdout and stderr, as the kernel's does, so that programs
// writing to os.Stdout (templates, loggers) are seen; so only one runs at
// a time.
func runProgramCells(cells []string) (string, error) {
	s, err := New(Options{CaptureFDs: true})
	if err != nil {
		return "", err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), conformanceTimeout)
	defer cancel()
	var out bytes.Buffer
	w := &lockedWriter{w: &out}
	for i, c := range cells {
		name := fmt.Sprintf("In[%d]", i+1)
		if _, err := s.Execute(ctx, c, IO{Name: name, Stdout: w, Stderr: w}); err != nil {
			var ce *CellError
			if errors.As(err, &ce) {
				return w.String(), fmt.Errorf("%s: %s\n%s", name, ce.Value, strings.Join(ce.Traceback, "\n"))
			}
			return w.String(), fmt.Errorf("%s: %w", name, err)
		}
	}
	return w.String(), nil
}

// runWhole runs src as one cell, then main() in a second one.
func runWhole(src string) (string, error) {
	return runProgramCells([]string{src, "main()"})
}

// runSplit runs src as a notebook holds a program: the imports, each
// other top-level declaration in its own cell, then main's body.
func runSplit(src string) (string, error) {
	cells, err := splitProgram(src)
	if err != nil {
		return "", err
	}
	return runProgramCells(cells)
}

// splitProgram cuts a program into notebook cells: its imports, then one
// cell per top-level declaration other than func main (with its doc
// comment), then main's body.
func splitProgram(src string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	text := func(from, to token.Pos) string {
		return src[fset.Position(from).Offset:fset.Position(to).Offset]
	}
	var cells []string
	var body string
	for _, d := range f.Decls {
		start := d.Pos()
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "main" {
				body = text(d.Body.Lbrace+1, d.Body.Rbrace)
				continue
			}
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
		}
		cells = append(cells, text(start, d.End()))
	}
	return append(cells, body), nil
}

// lockedWriter is a writer goroutines of a cell may share.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// updateConformance runs each program with `go run` and writes its
// output (stdout and stderr, as a terminal shows them) as the want section.
func updateConformance(t *testing.T, progs []conformanceProgram) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("-update needs the go command: %v", err)
	}
	dir := t.TempDir()
	for _, p := range progs {
		main := filepath.Join(dir, p.name+".go")
		if err := os.WriteFile(main, []byte(p.src), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(goCmd, "run", main)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go run %s: %v\n%s", p.name, err, out)
		}
		files := slices.DeleteFunc(slices.Clone(p.ar.Files), func(f txtar.File) bool { return f.Name == "want" })
		p.ar.Files = append(files, txtar.File{Name: "want", Data: out})
		if err := os.WriteFile(p.file, txtar.Format(p.ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// conformanceTable is the README's table of pass rates by Go version.
func conformanceTable(progs []conformanceProgram) string {
	var b strings.Builder
	b.WriteString("| Programs of | Pass | Total |\n|---|---|---|\n")
	pass, total := 0, 0
	for _, v := range conformanceVersions {
		n, ok := 0, 0
		for _, p := range progs {
			if p.version == v {
				n++
				if _, failing := conformanceFailures[p.name]; !failing {
					ok++
				}
			}
		}
		label := "Go " + strings.TrimPrefix(v, "go")
		if v == "classic" {
			label = "classic teaching programs"
		}
		fmt.Fprintf(&b, "| %s | %d | %d |\n", label, ok, n)
		pass, total = pass+ok, total+n
	}
	fmt.Fprintf(&b, "| all | %d | %d |\n\nNot yet as `go run` (the test's known failures):\n\n", pass, total)
	names := make([]string, 0, len(conformanceFailures))
	for n := range conformanceFailures {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "- `%s`: %s\n", n, conformanceFailures[n])
	}
	return b.String()
}

// TestConformanceREADME checks that the README's conformance table is
// the one the suite's programs and known failures give (-update writes it).
func TestConformanceREADME(t *testing.T) {
	progs := loadConformance(t)
	checkREADMESection(t, "conformance table", "TestConformanceREADME", conformanceTable(progs))
}

// checkREADMESection checks that the README's section of that name, between
// the markers "<!-- NAME: generated by go test ./interp -run TEST -update -->"
// and "<!-- end of NAME -->", is want; with -update it writes want there.
func checkREADMESection(t *testing.T, name, test, want string) {
	t.Helper()
	begin, end := fmt.Sprintf("<!-- %s: generated by go test ./interp -run %s -update -->\n", name, test), fmt.Sprintf("<!-- end of %s -->\n", name)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s between %q and %q", name, begin, end)
	}
	if got := s[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile("../README.md", []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README's %s is stale (go test ./interp -run %s -update); want:\n%s", name, test, want)
	}
}
