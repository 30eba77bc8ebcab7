package interp

import (
	"strings"
	"testing"
)

// TestPreludeNamesReserved checks that every global gomp declares in a new
// session (the preludes of probe.go, display.go and richargs.go) starts
// with reservedPrefix, which cells may not use.
func TestPreludeNamesReserved(t *testing.T) {
	s := newTestSession(t)
	g := s.yi.Globals()
	if len(g) == 0 {
		t.Fatal("a new session has no globals: the preludes did not run")
	}
	for name := range g {
		if !strings.HasPrefix(name, reservedPrefix) {
			t.Errorf("prelude global %q does not start with %q", name, reservedPrefix)
		}
	}
}
