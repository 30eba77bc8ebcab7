package interp

import (
	"fmt"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/interp/stdlib"
	"github.com/gomp-kernel/gomp/interp/symbols"
)

// importableList is the README's list of what cells can import: the
// standard packages of interp/stdlib's tables, those of `go list std`
// left out, and gomp's own packages.
func importableList(t *testing.T) string {
	t.Helper()
	var have []string
	for k := range stdlib.Symbols {
		if k != "." {
			have = append(have, path.Dir(k))
		}
	}
	slices.Sort(have)
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Fatalf("go list std: %v", err)
	}
	var left []string
	for _, p := range strings.Fields(string(out)) {
		internal := strings.HasPrefix(p, "cmd/") || slices.ContainsFunc(strings.Split(p, "/"), func(s string) bool { return s == "internal" || s == "vendor" })
		if !internal && !slices.Contains(have, p) {
			left = append(left, p)
		}
	}
	own := make([]string, 0, len(symbols.Packages))
	for p := range symbols.Packages {
		own = append(own, p)
	}
	slices.Sort(own)
	quote := func(ps []string) string { return "`" + strings.Join(ps, "`, `") + "`" }
	return fmt.Sprintf("gomp's own: %s.\n\nThe standard library (%d packages): %s.\n\nLeft out (the reasons are in interp/stdlib/genstd): %s.\n",
		quote(own), len(have), quote(have), quote(left))
}

// TestImportableREADME checks that the README's list of what cells can
// import is the one the symbol tables give (-update writes it), and that
// each listed standard package imports in a cell.
func TestImportableREADME(t *testing.T) {
	checkREADMESection(t, "importable packages", "TestImportableREADME", importableList(t))
}

// TestEveryStdPackageImports checks that a cell can import each package of
// the standard library tables.
func TestEveryStdPackageImports(t *testing.T) {
	s := newTestSession(t)
	for k := range stdlib.Symbols {
		if k == "." {
			continue
		}
		p := path.Dir(k)
		if _, err := s.Execute(t.Context(), fmt.Sprintf("import _ %q", p), IO{}); err != nil {
			t.Errorf("import %q: %v", p, err)
		}
	}
}
