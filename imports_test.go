package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportRules keeps the package dependencies pointing one way, as the
// README's diagram draws them: the protocol never sees the interpreter or
// what cells import, the interpreter never sees ZeroMQ, mp and display
// never see either, the supervisor of the interpreter process is a front
// without the protocol, display and check are standard library only, chart adds only its
// plotting library, and the end-to-end tests see gomp only from outside
// (its kernelspec and notebook format). Every package of the module needs a
// row: a new package fails here until its place is decided.
func TestImportRules(t *testing.T) {
	const mod = "github.com/gomp-kernel/gomp"
	rules := map[string]struct {
		imports   []string // the module's packages it may import directly
		forbidden []string // import paths (and their subpackages) it may not depend on, even indirectly
		stdOnly   bool     // nothing outside the standard library and the module
	}{
		mod:                          {imports: []string{"chart", "check", "cluster", "display", "front", "interp", "interp/stdlib", "interp/symbols", "kernel", "kernelspec", "mp", "runner", "supervise", "widgets", "workerbuild"}},
		mod + "/cluster":             {imports: []string{"mp"}, forbidden: []string{mod + "/interp", mod + "/kernel", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4"}}, // NATS on mp's Cluster interface
		mod + "/check":               {imports: []string{"front", "interp"}, stdOnly: true},                                                                                     // its tests run checks in cells
		mod + "/front":               {imports: []string{"check", "display", "interp", "mp", "widgets"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4"}},
		mod + "/bench/cpu":           {stdOnly: true},
		mod + "/chart":               {imports: []string{"display"}, forbidden: []string{mod + "/interp", mod + "/kernel", mod + "/mp", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4"}},
		mod + "/display":             {stdOnly: true},
		mod + "/e2e":                 {imports: []string{"kernelspec", "runner"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4"}},
		mod + "/internal/forkthread": {stdOnly: true},
		mod + "/internal/headtail":   {stdOnly: true},
		// interp's tests import workerbuild for the worker-kind matrix (GOMP_WORKERS).
		mod + "/interp":                 {imports: []string{"display", "interp/stdlib", "interp/symbols", "mp", "workerbuild"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4", mod + "/workerbuild"}},
		mod + "/interp/stdlib":          {stdOnly: true}, // the standard library's symbol tables
		mod + "/interp/stdlib/genstd":   {forbidden: []string{mod + "/kernel", mod + "/interp", "github.com/go-zeromq/zmq4"}},
		mod + "/interp/symbols":         {imports: []string{"chart", "check", "display", "mp", "widgets"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4", "github.com/traefik/yaegi/interp"}},
		mod + "/interp/symbols/gendocs": {imports: []string{"interp/symbols"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4"}},
		mod + "/kernel":                 {forbidden: []string{mod + "/interp", mod + "/mp", mod + "/display", mod + "/chart", mod + "/widgets", "github.com/traefik/yaegi"}},
		mod + "/kernelspec":             {stdOnly: true},
		mod + "/mp":                     {imports: []string{"display", "internal/forkthread", "widgets"}, forbidden: []string{mod + "/interp", mod + "/kernel", mod + "/chart", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4", "gonum.org", "github.com/nats-io"}},
		mod + "/supervise":              {imports: []string{"display", "front", "internal/forkthread", "internal/headtail", "interp", "widgets"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4"}},
		mod + "/runner":                 {imports: []string{"display", "front", "internal/headtail", "interp", "mp"}, forbidden: []string{mod + "/kernel", "github.com/go-zeromq/zmq4"}},
		mod + "/widgets":                {imports: []string{"display"}, forbidden: []string{mod + "/interp", mod + "/kernel", mod + "/mp", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4"}},
		// A compiled worker's main loop: its source travels in the gomp binary and builds offline.
		mod + "/mp/compiledworker": {imports: []string{"display", "mp"}, stdOnly: true},
		mod + "/workerbuild":       {imports: []string{"front", "interp", "mp", "workerbuild"}, forbidden: []string{mod + "/interp", mod + "/front", mod + "/kernel", "github.com/go-zeromq/zmq4", "github.com/traefik/yaegi"}},
	}
	out, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if !slices.Contains(pkgs, mod+"/kernel") {
		t.Fatalf("go list ./... did not list %s/kernel: %q", mod, pkgs)
	}
	for _, pkg := range pkgs {
		name := strings.TrimPrefix(strings.TrimPrefix(pkg, mod), "/")
		if name == "" {
			name = "main"
		}
		t.Run(name, func(t *testing.T) {
			rule, ok := rules[pkg]
			if !ok {
				t.Fatalf("%s has no row in TestImportRules: decide what it may import and add one", pkg)
			}
			// Test files count too: e2e is nothing else.
			imports := goList(t, "{{join .Imports \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", pkg)
			for _, imp := range imports {
				if imp == mod || strings.HasPrefix(imp, mod+"/") {
					if rel := strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/"); !slices.Contains(rule.imports, rel) {
						t.Errorf("%s imports %s; it may import only %q of the module", pkg, imp, rule.imports)
					}
				}
			}
			for _, dep := range goList(t, "{{if not .Standard}}{{.ImportPath}}{{end}}", "-deps", pkg) {
				if dep == pkg {
					continue
				}
				if rule.stdOnly && dep != mod && !strings.HasPrefix(dep, mod+"/") {
					t.Errorf("%s depends on %s; it may use the standard library only", pkg, dep)
				}
				for _, bad := range rule.forbidden {
					if dep == bad || strings.HasPrefix(dep, bad+"/") {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}

// goList runs go list -f format over args and returns its non-empty lines.
func goList(t *testing.T, format string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-f", format}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}
