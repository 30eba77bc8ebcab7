package interp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestSnapshotRestore copies a notebook into a second Session: a struct
// var, a slice var, a := var, a function using them and a method value.
func TestSnapshotRestore(t *testing.T) {
	parent := newTestSession(t)
	mustRun(t, parent, `
import "strings"
type Config struct {
	Name  string
	Sizes []int
}
func (c Config) Label() string { return strings.ToUpper(c.Name) }
var cfg = Config{Name: "run", Sizes: []int{1, 2}}
var weights = []float64{0.5, 1.5}
scale := 10
func score(i int) float64 { return float64(cfg.Sizes[i]*scale) * weights[i] }
ch := make(chan int)
`)
	mustRun(t, parent, "cfg.Sizes = append(cfg.Sizes, 3)\nweights = append(weights, 2)\nscale = 100")
	mustRun(t, parent, "import \"fmt\"\nfmt.Println(\"side effect\")\nscale2 := scale * 2")
	snap, err := parent.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var decoded state
	if err := json.Unmarshal(snap, &decoded); err != nil {
		t.Fatalf("snapshot is not JSON: %v", err)
	}
	if len(decoded.Skipped) != 1 || decoded.Skipped[0].Name != "ch" {
		t.Errorf("skipped = %+v, want ch only", decoded.Skipped)
	}
	score, err := parent.Target(mustRun(t, parent, "score").Value.Interface())
	if err != nil {
		t.Fatal(err)
	}
	label, err := parent.Target(mustRun(t, parent, "cfg.Label").Value.Interface())
	if err != nil {
		t.Fatal(err)
	}

	child := newTestSession(t)
	var childOut strings.Builder
	if _, err := child.Execute(t.Context(), "", IO{Stdout: &childOut, Stderr: &childOut}); err != nil {
		t.Fatal(err)
	}
	if err := child.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, target string
		args         []any
		want         any
	}{
		{"func using := and vars", score, []any{2}, float64(600)},
		{"method value", label, nil, "RUN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := child.Func(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var in []reflect.Value
			for _, a := range tc.args {
				in = append(in, reflect.ValueOf(a))
			}
			if got := f.Call(in)[0].Interface(); got != tc.want {
				t.Errorf("%s = %v, want %v", tc.target, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ expr, want string }{
		{"cfg", `{Name:run Sizes:[1 2 3]}`},
		{"weights", "[0.5 1.5 2]"},
		{"scale", "100"},
	} {
		t.Run("value of "+tc.expr, func(t *testing.T) {
			if got := mustRun(t, child, tc.expr).Text; got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
	t.Run("uncopyable value declared as zero", func(t *testing.T) {
		if got := mustRun(t, child, "ch == nil").Text; got != "true" {
			t.Errorf("ch == nil in child: %s", got)
		}
	})
	t.Run("statements are not run, their variables are copied", func(t *testing.T) {
		if childOut.String() != "" {
			t.Errorf("Restore printed %q", childOut.String())
		}
		if got := mustRun(t, child, "scale2").Text; got != "200" {
			t.Errorf("scale2 in child = %s, want 200", got)
		}
	})
}

// TestSnapshotInsideCell takes a Snapshot and a Target from code running
// inside a cell, as mp does when a cell starts a Process.
func TestSnapshotInsideCell(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "type P struct{ X int }\nfunc work(p P) int { return p.X }\nvar p = P{3}")
	var snap []byte
	var target string
	var serr, terr error
	in := IO{Name: "c", Input: func(string, bool) (string, error) {
		snap, serr = s.Snapshot()
		target, terr = s.Target(s.yi.Globals()["f"].Interface())
		return "x", nil
	}}
	if _, err := s.Execute(t.Context(), "import \"fmt\"\nf := work\nvar line string\nfmt.Scanln(&line)", in); err != nil {
		t.Fatal(err)
	}
	if serr != nil || terr != nil || target != "work" {
		t.Fatalf("inside a cell: Snapshot error %v, Target = %q, %v", serr, target, terr)
	}
	child := newTestSession(t)
	var childOut strings.Builder
	if _, err := child.Execute(t.Context(), "", IO{Stdout: &childOut, Stderr: &childOut}); err != nil {
		t.Fatal(err)
	}
	if err := child.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if v := mustRun(t, child, "work(p)"); v.Text != "3" {
		t.Errorf("work(p) in child = %s, want 3", v.Text)
	}
}
