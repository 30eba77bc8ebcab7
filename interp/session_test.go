package interp

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

func newTestSession(t *testing.T) *Session {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustRun executes code and fails the test on any error.
func mustRun(t *testing.T, s *Session, code string) Value {
	t.Helper()
	v, err := s.Execute(t.Context(), code, IO{Name: "setup"})
	if err != nil {
		t.Fatalf("Execute(%q): %v", code, err)
	}
	return v
}

// TestCurrentIO checks that currentIO returns the running cell's context and
// writers, and the latest cell's after it ended.
func TestCurrentIO(t *testing.T) {
	s := newTestSession(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out strings.Builder
	var during context.Context
	in := IO{Name: "c", Stdout: &out, Input: func(string, bool) (string, error) {
		var stdout io.Writer
		during, stdout, _ = s.currentIO()
		fmt.Fprint(stdout, "via currentIO\n")
		return "x", nil
	}}
	if _, err := s.Execute(ctx, "import \"fmt\"\nvar v string\nfmt.Scanln(&v)", in); err != nil {
		t.Fatal(err)
	}
	if during != ctx {
		t.Error("currentIO's context during the cell is not the cell's")
	}
	if got := out.String(); got != "via currentIO\n" {
		t.Errorf("cell stdout = %q", got)
	}
	after, stdout, _ := s.currentIO()
	fmt.Fprint(stdout, "after\n")
	if after != ctx || !strings.HasSuffix(out.String(), "after\n") {
		t.Errorf("after the cell, currentIO does not return the latest cell")
	}
}

// TestNilWriters checks that IO's zero value works.
func TestNilWriters(t *testing.T) {
	s := newTestSession(t)
	v, err := s.Execute(t.Context(), "import (\"fmt\"; \"os\")\nfmt.Println(1)\nfmt.Fprintln(os.Stderr, 2)\n3", IO{})
	if err != nil || v.Text != "3" {
		t.Errorf("Execute = %q, %v", v.Text, err)
	}
}
