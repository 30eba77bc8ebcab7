package symbols

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDocsUpToDate checks that docs.go is what gendocs writes from the
// current sources of gomp's packages: run go generate ./interp/symbols
// after changing their documentation.
func TestDocsUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "docs.go")
	if msg, err := exec.Command("go", "run", "./gendocs", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("gendocs: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("docs.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("docs.go is stale: run go generate ./interp/symbols")
	}
}

// TestDocs checks entries of the generated table: a func, a method, a
// struct field and an interface method, with their doc comments.
func TestDocs(t *testing.T) {
	for _, tc := range []struct{ pkg, name, decl, doc string }{
		{"mp", "", "package mp // import \"mp\"", "Package mp"},
		{"mp", "NewPool", "func NewPool(", "NewPool"},
		{"mp", "Pool.Map", "func (p *Pool) Map(", "Map calls fn"},
		{"display", "Show", "func Show(", "Show"},
		{"display", "HTMLer.HTML", "func (HTMLer) HTML() string", ""},
		{"mp", "Item.Index", "Item.Index int", ""},
	} {
		d, ok := Docs[tc.pkg][tc.name]
		if !ok {
			t.Errorf("Docs[%q][%q] is missing", tc.pkg, tc.name)
			continue
		}
		if !strings.Contains(d.Decl, tc.decl) || !strings.Contains(d.Doc, tc.doc) {
			t.Errorf("Docs[%q][%q] = %+v; want Decl with %q and Doc with %q", tc.pkg, tc.name, d, tc.decl, tc.doc)
		}
	}
	for short := range Packages {
		if len(Docs[short]) < 2 {
			t.Errorf("Docs has no entries for package %q: run go generate ./interp/symbols", short)
		}
	}
}

// mpWiring are the exported names of mp that only gomp's main uses to
// connect mp to the interpreter; symbols.go's go:generate leaves them out.
var mpWiring = []string{"Host", "Cell", "Config", "Runner", "Tracer", "PanicTexter", "SetHost", "ServeWorker", "Shutdown", "Warm", "ErrNoHost", "ErrTargetFailed", "ProgressIDPrefix", "EncodeValue", "DecodeValue", "AssignValue", "Builder", "Build", "SetNotebookTypes", "Cluster", "ClusterPool", "ClusterTask", "RemoteWorker", "NewRemoteWorker"}

// TestMPWiringHidden checks that the symbol table and docs of mp hold
// every exported name of the package except its wiring, and nothing of
// the wiring (its methods and fields included). A new exported name of
// mp fails it until it is either left in or added to the -exclude list.
func TestMPWiringHidden(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/gomp-kernel/gomp/mp").Output()
	if err != nil {
		t.Fatalf("go list mp: %v", err)
	}
	docs, err := DirDocs(strings.TrimSpace(string(out)), "mp")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for n := range docs {
		if n != "" && !strings.Contains(n, ".") && !slices.Contains(mpWiring, n) {
			want = append(want, n)
		}
	}
	var got []string
	for n := range Symbols[Packages["mp"]] {
		if !strings.HasPrefix(n, "_") {
			got = append(got, n)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("mp's symbol table has\n%v\nwant its exported names but the wiring:\n%v", got, want)
	}
	for _, n := range mpWiring {
		if _, ok := docs[n]; !ok {
			t.Errorf("wiring name %s is not an exported name of mp", n)
		}
		for name := range Docs["mp"] {
			if top, _, _ := strings.Cut(name, "."); top == n {
				t.Errorf("Docs[mp] has %q", name)
			}
		}
	}
}
