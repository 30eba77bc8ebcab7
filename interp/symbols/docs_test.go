package symbols

import (
	"os"
	"os/exec"
	"path/filepath"
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
		{"mp", "Config.Path", "Config.Path string", ""},
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
