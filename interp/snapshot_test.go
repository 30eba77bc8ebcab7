package interp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gomp-kernel/gomp/mp"
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

// TestRebuildConvertsByFieldName redeclares the type of variables: each
// keeps the fields its new type still has, by name, whatever their kind
// (complex numbers, NaN, maps keyed by structs), and the new fields start
// at zero; a field whose kind changed keeps its value when it fits.
func TestRebuildConvertsByFieldName(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `import "math"
type K struct{ A int }
type T struct {
	A   complex128
	B   float64
	M   map[K]int
	N   int
	Old string
}
t := T{A: 1i, B: math.NaN(), M: map[K]int{{1}: 2}, N: 3, Old: "gone"}
ts := []*T{{A: complex(2, 0)}, nil}
var byKey = map[K]T{{7}: {N: 4}}`)
	var stderr strings.Builder
	if _, err := s.Execute(t.Context(), `type T struct {
	B   float64
	A   complex128
	C   int
	M   map[K]int
	N   float64
}`, IO{Name: "redeclare", Stderr: &stderr}); err != nil {
		t.Fatal(err)
	}
	if stderr.String() != "" {
		t.Errorf("redeclaring T printed %q", stderr.String())
	}
	for _, tc := range []struct{ expr, want string }{
		{"t", "{B:NaN A:(0+1i) C:0 M:map[{A:1}:2] N:3}"},
		{"*ts[0]", "{B:0 A:(2+0i) C:0 M:map[] N:0}"},
		{"ts[1] == nil", "true"},
		{"byKey", "map[{7}:{0 (0+0i) 0 map[] 4}]"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			if got := mustRun(t, s, tc.expr).Text; got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
}

// TestSetValueFromSnapshot sets variables from encoded values whose type
// is the variable's, has another shape, or cannot be stored in it. The
// types are unnamed, as the interpreter's struct types are.
func TestSetValueFromSnapshot(t *testing.T) {
	type old = struct {
		A int
		B string
	}
	type renamed = struct {
		B string
		C float64
		A float64
	}
	for _, tc := range []struct {
		name  string
		value any
		dst   any // a pointer to the variable
		want  any
		err   string
	}{
		{"same type", map[old]complex64{{1, "x"}: 2i}, new(map[old]complex64), map[old]complex64{{1, "x"}: 2i}, ""},
		{"by field name", []old{{A: 3, B: "b"}}, new([]renamed), []renamed{{B: "b", A: 3}}, ""},
		{"kind changed", "text", new(int), 0, "a string cannot be stored in a int"},
		{"field does not fit", old{A: 1}, new(struct{ A bool }), struct{ A bool }{}, "field A: a int cannot be stored in a bool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := mp.EncodeValue(nil, reflect.ValueOf(tc.value))
			if err != nil {
				t.Fatal(err)
			}
			dst := reflect.ValueOf(tc.dst).Elem()
			err = setValue(dst, global{Name: "v", Value: b})
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("setValue = %v, want error %q", err, tc.err)
			}
			if got := dst.Interface(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("variable = %#v, want %#v", got, tc.want)
			}
		})
	}
}
