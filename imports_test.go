package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules keeps the package dependencies pointing one way, as the
// README's diagram draws them: the protocol never sees the interpreter or
// what cells import, the interpreter never sees ZeroMQ, mp and display
// never see either, display is standard library only, and chart adds only
// its plotting library.
func TestImportRules(t *testing.T) {
	const mod = "github.com/gomp-kernel/gomp"
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{"./kernel", []string{mod + "/interp", mod + "/mp", mod + "/display", mod + "/chart", "github.com/traefik/yaegi"}},
		{"./interp", []string{mod + "/kernel", "github.com/go-zeromq/zmq4"}},
		{"./mp", []string{mod + "/interp", mod + "/kernel", mod + "/chart", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4", "gonum.org"}},
		{"./display", []string{mod + "/interp", mod + "/kernel", mod + "/mp", mod + "/chart", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4", "github.com/google/uuid", "gonum.org", "golang.org/x"}},
		{"./chart", []string{mod + "/interp", mod + "/kernel", mod + "/mp", "github.com/traefik/yaegi", "github.com/go-zeromq/zmq4"}},
		{"./kernelspec", []string{mod + "/interp", mod + "/kernel", mod + "/mp"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tc.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tc.pkg, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) == 0 {
				t.Fatalf("go list -deps %s listed nothing", tc.pkg)
			}
			for _, dep := range deps {
				for _, bad := range tc.forbidden {
					if dep == bad || strings.HasPrefix(dep, bad+"/") {
						t.Errorf("%s depends on %s", tc.pkg, dep)
					}
				}
			}
		})
	}
}
