package interp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// notebookFunc returns the notebook's global func variable name as a Go
// func, as a compiled package holding a callback sees it.
func notebookFunc(t *testing.T, s *Session, name string) func() {
	t.Helper()
	fn, ok := take(s.yi.Globals()[name]).Interface().(func())
	if !ok {
		t.Fatalf("%s is not a func()", name)
	}
	return fn
}

func TestCall(t *testing.T) {
	s := newTestSession(t)
	var cell strings.Builder
	if _, err := s.Execute(t.Context(), `import "fmt"
var n int
hello := func() { n++; fmt.Println("hello", n) }
boom := func() { var m map[string]int; m["x"] = 1 }
spin := func() { k := 0; for { k++ } }`, IO{Name: "In[1]", Stdout: &cell}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, fn  string
		interrupt bool
		wantOut   string
		wantErr   string
		anyErr    bool // the call may fail or not
	}{
		{name: "output goes to the call's io", fn: "hello", wantOut: "hello 1\n"},
		{name: "panic is the call's error", fn: "boom", wantErr: "assignment to entry in nil map"},
		{name: "interrupt ends a loop", fn: "spin", interrupt: true, wantErr: "interrupted"},
		// yaegi quirk, pinned: a closure kept in a variable before an
		// interrupt does not run its body when called after it (its
		// frame keeps the old run id): it returns at once, or fails.
		// Cells' calls of it do nothing either. front warns about
		// callbacks registered before an interrupt.
		{name: "closures from before an interrupt are dead", fn: "hello", wantOut: "", anyErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.interrupt {
				go func() { time.Sleep(100 * time.Millisecond); cancel() }()
			}
			err := s.Call(ctx, IO{Stdout: &out}, notebookFunc(t, s, tc.fn))
			if !tc.anyErr && (tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr))) {
				t.Fatalf("Call = %v, want error containing %q", err, tc.wantErr)
			}
			if tc.interrupt && !errors.Is(err, ErrInterrupted) {
				t.Errorf("interrupted Call = %v, not ErrInterrupted", err)
			}
			if !strings.HasPrefix(out.String(), tc.wantOut) || tc.wantOut == "" && out.Len() > 0 {
				t.Errorf("output = %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
	if cell.Len() != 0 {
		t.Errorf("the defining cell got %q; calls' output must not go there", cell.String())
	}
	mustRun(t, s, `again := func() { n++; fmt.Println("again", n) }`)
	var out strings.Builder
	if err := s.Call(t.Context(), IO{Stdout: &out}, notebookFunc(t, s, "again")); err != nil || !strings.HasPrefix(out.String(), "again ") {
		t.Errorf("a closure made after the interrupt: Call = %v, output %q", err, out.String())
	}
}

func TestRedirect(t *testing.T) {
	s := newTestSession(t)
	var cell, other strings.Builder
	mustRun(t, s, `import "fmt"
say := func(s string) { fmt.Println(s) }`)
	say, ok := take(s.yi.Globals()["say"]).Interface().(func(string))
	if !ok {
		t.Fatal("say is not a func(string)")
	}
	err := s.Call(t.Context(), IO{Stdout: &cell}, func() {
		say("before")
		restore := s.Redirect(IO{Stdout: &other})
		say("inside")
		restore()
		say("after")
	})
	if err != nil {
		t.Fatal(err)
	}
	if cell.String() != "before\nafter\n" || other.String() != "inside\n" {
		t.Errorf("cell got %q, redirect got %q", cell.String(), other.String())
	}
}
