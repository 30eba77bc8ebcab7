package interp

import (
	"slices"
	"strings"
	"testing"
)

// TestMPWiringUnreachable checks that a cell sees nothing of the names
// through which main wires mp to the interpreter: they are not completed
// after "mp.", inspecting them finds nothing, and using them is an error,
// while mp's API around them still is there.
func TestMPWiringUnreachable(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `import "mp"`)
	comps, _, _ := s.Complete("mp.", len("mp."))
	if !slices.ContainsFunc(comps, func(c Completion) bool { return c.Text == "NewPool" }) {
		t.Fatalf("Complete(mp.) = %v, want mp's API (NewPool)", comps)
	}
	if _, found := s.Inspect("mp.NewPool", len("mp.NewPool"), 0); !found {
		t.Fatal("Inspect(mp.NewPool) found nothing")
	}
	for _, tc := range []struct{ name, use string }{
		{"SetHost", "_ = mp.SetHost"},
		{"ServeWorker", "_ = mp.ServeWorker"},
		{"Shutdown", "mp.Shutdown()"},
		{"Warm", "mp.Warm()"},
		{"ErrNoHost", "_ = mp.ErrNoHost"},
		{"ErrTargetFailed", "_ = mp.ErrTargetFailed"},
		{"ProgressIDPrefix", "_ = mp.ProgressIDPrefix"},
		{"Host", "var h mp.Host\n_ = h"},
		{"Cell", "var c mp.Cell\n_ = c"},
		{"Config", "_ = mp.Config{}"},
		{"Runner", "var r mp.Runner\n_ = r"},
		{"Tracer", "var tr mp.Tracer\n_ = tr"},
		{"Builder", "var b mp.Builder\n_ = b"},
		{"Build", "var b mp.Build\n_ = b"},
		{"SetNotebookTypes", "_ = mp.SetNotebookTypes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if slices.ContainsFunc(comps, func(c Completion) bool { return c.Text == tc.name }) {
				t.Errorf("Complete(mp.) offers %s", tc.name)
			}
			expr := "mp." + tc.name
			if h, found := s.Inspect(expr, len(expr), 0); found {
				t.Errorf("Inspect(%s) = %q", expr, h.Text)
			}
			_, err := s.Execute(t.Context(), tc.use, IO{Name: "cell"})
			if err == nil || !strings.Contains(err.Error(), "undefined") && !strings.Contains(err.Error(), "has no symbol "+tc.name) {
				t.Errorf("cell %q: error %v, want one saying mp.%s does not exist", tc.use, err, tc.name)
			}
		})
	}
}
