package interp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// runCells executes cells in a new session, each named In[i+1], and
// returns what each gave: its output and value, or its error.
func runCells(t *testing.T, cells []string) []string {
	t.Helper()
	s := newTestSession(t)
	var got []string
	for i, c := range cells {
		var out strings.Builder
		v, err := s.Execute(t.Context(), c, IO{Name: fmt.Sprintf("In[%d]", i+1), Stdout: &out, Stderr: &out})
		r := out.String()
		if v.IsValid() {
			r += "=" + v.Text
		}
		if err != nil {
			var ce *CellError
			if !errors.As(err, &ce) {
				t.Fatalf("cell %d: %v is not a *CellError", i+1, err)
			}
			r += "!" + strings.Join(ce.Traceback, "; ")
		}
		got = append(got, r)
	}
	return got
}

// TestTypeErrors checks that invalid Go gets go/types' (the compiler's)
// message at the cell's line and column before anything runs, and that
// what a notebook allows and a package does not is not reported.
func TestTypeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []string
		want  string // the last cell's result
	}{
		{"mismatch", []string{`import "fmt"`, "x := 1\nfmt.Println(\"ran\")\nfmt.Println(x + \"s\")"},
			`!In[2]:3:13: invalid operation: x + "s" (mismatched types int and untyped string)`},
		{"assign to global", []string{"n := 1", `n = "s"`},
			`!In[2]:1:5: cannot use "s" (untyped string constant) as int value in assignment`},
		{"unused local in a func", []string{"func f() {\n\ty := 2\n}"},
			"!In[1]:2:2: declared and not used: y"},
		{"unused in a top-level loop", []string{"for i := 0; i < 2; i++ { z := i }"},
			"!In[1]:1:26: declared and not used: z"},
		{"several errors", []string{"a := undefinedA\nb := undefinedB"},
			"!In[1]:1:6: undefined: undefinedA; In[1]:2:6: undefined: undefinedB"},
		{"method of a type from an earlier cell", []string{"type T struct{ A int }", "func (t T) M() int { return t.B }"},
			"!In[2]:1:31: t.B undefined (type T has no field or method B)"},
		{"import used in a later cell", []string{`import "strings"`, `strings.ToUpper("a")`}, `="A"`},
		{"versioned import", []string{`import "math/rand/v2"`, `rand.IntN(1)`}, `=0`},
		{"unused top-level variable", []string{"unused := 3"}, ""},
		{"redeclared across cells", []string{"func f() int { return 1 }", `func f() string { return "two" }`, "f()"}, `="two"`},
		{"global of an earlier cell keeps its type", []string{`import "strings"`, `b := strings.Builder{}`, `b.WriteString("x")` + "\nb.Len()"}, "=1"},
		{"global redefined with a new type", []string{"v := 1", `v := "s"`, "v + \"!\""}, `="s!"`},
		// gomp runs the second := as an assignment, keeping float64: the
		// checker does not insist on its int.
		{"global kept its type", []string{"f := 1.5", "f := 2", "f = 2.5\nf"}, "=2.5"},
		{"decl uses a := of its cell", []string{"k := 3\nfunc triple() int { return 3 * k }\ntriple()"}, "=9"},
		{"trailing value", []string{"const c = 7\nc"}, "=7"},
		{"range over func", []string{"for x := range func(yield func(int) bool) { yield(4) } { x++ }\n\"ran\""}, `="ran"`},
		{"defer in a range over func", []string{"func f(seq func(func() bool)) {\n\tfor range seq {\n\t\tdefer f(nil)\n\t}\n}"},
			"!In[1]:2:2: defer in the body of a range over func is not supported yet"},
		// A type declared in a function cannot be a copy's type argument.
		{"standard generic type gomp cannot copy", []string{`import "database/sql"`, "func f() {\n\tvar n sql.Null[int]\n\t_ = n\n}"},
			"!In[2]:2:8: sql.Null[int] is not supported yet: method Null.Scan: database/sql.errNilPtr cannot be copied"},
		// gomp's own packages, checked from their source (TestMain gives
		// the checker the module's tree, as main gives it the embedded one).
		{"gomp's package: unknown name", []string{`import "mp"`, "mp.NoSuchName()"}, "!In[2]:1:4: undefined: mp.NoSuchName"},
		{"gomp's package: not generic", []string{`import "mp"`, "func f(v *mp.Value[int]) {}"}, "!In[2]:1:11: invalid operation: mp.Value[int] (mp.Value is not a generic type)"},
		{"gomp's package: wrong argument", []string{`import "mp"`, `p := mp.NewPool("four")`}, "!In[2]:1:17: cannot use \"four\" (untyped string constant) as int value in argument to mp.NewPool"},
		{"gomp's packages together", []string{`import ("mp"; "display"; "widgets"; "check")`, "func f(v *mp.Value, q *mp.Queue) {}\nvar _ display.Markdown\nvar _ = widgets.NewIntSlider\nvar _ = check.Equal"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, tc.cells)
			last := got[len(got)-1]
			if last != tc.want {
				t.Errorf("got %q, want %q (all: %q)", last, tc.want, got)
			}
		})
	}
}

// TestTypeErrorsRunNothing checks that a cell with a type error runs none
// of its statements, not even those before the error.
func TestTypeErrorsRunNothing(t *testing.T) {
	got := runCells(t, []string{`import "fmt"`, "fmt.Println(\"side effect\")\nfmt.Println(1 + \"a\")"})
	if strings.Contains(got[1], "side effect") || !strings.Contains(got[1], "In[2]:2:") {
		t.Errorf("got %q", got[1])
	}
}

// TestBadCellsThenGood checks that a sequence of failing cells leaves the
// session as a fresh one: the correct cells that follow give the same
// results in both.
func TestBadCellsThenGood(t *testing.T) {
	bad := []struct{ code, want string }{
		{"x := 1 +", "!In[1]:1:9: expected operand, found end of cell"},
		{"y := undefinedName", "!In[2]:1:6: undefined: undefinedName"},
		{"type P struct{ X int }\nvar p P = P{Y: 1}", "!In[3]:2:13: unknown field Y in struct literal of type P"},
		{"func f(n int) string { return n }", "!In[4]:1:31: cannot use n (variable of type int) as string value in return statement"},
		{"for i := range 3.5 { _ = i }", "!In[5]:1:16: cannot range over 3.5 (untyped float constant)"},
		{"z := min(1, \"a\")", `!In[6]:1:13: invalid argument: mismatched types untyped int (previous argument) and untyped string (type of "a")`},
		{"var q int = new(5)", "!In[7]:1:13: cannot use new(5) (value of type *int) as int value in variable declaration"},
		{"clear(3)", "!In[8]:1:7: invalid argument: cannot clear 3 (untyped int constant): argument must be (or constrained by) map or slice"},
	}
	good := []string{
		`import "fmt"`,
		"type P struct{ X int }\nvar p = P{X: 2}",
		"func f(n int) string { return fmt.Sprint(n) }",
		"x := 0\nfor i := range 4 { x += i }\ny := min(x, 5, 3)\nfmt.Println(x, y, f(p.X), *new(x))",
		"m := map[int]int{1: 1}\nclear(m)\nlen(m)",
	}
	var cells []string
	for _, b := range bad {
		cells = append(cells, b.code)
	}
	after := runCells(t, append(cells, good...))
	for i, b := range bad {
		if after[i] != b.want {
			t.Errorf("bad cell %d %q: got %q, want %q", i+1, b.code, after[i], b.want)
		}
	}
	fresh := runCells(t, good)
	for i := range good {
		if after[len(bad)+i] != fresh[i] {
			t.Errorf("good cell %q after bad ones: got %q, in a fresh session %q", good[i], after[len(bad)+i], fresh[i])
		}
		if strings.Contains(fresh[i], "!") {
			t.Errorf("good cell %q failed: %q", good[i], fresh[i])
		}
	}
}

// TestUncheckedCellsRun checks that a cell runs as before when the
// checker is off (its setup failed): the checker never blocks a cell
// yaegi can run.
func TestUncheckedCellsRun(t *testing.T) {
	s := newTestSession(t)
	s.checker.off = true
	mustRun(t, s, "x := 1")
	if v := mustRun(t, s, "x + 1"); v.Text != "2" {
		t.Errorf("x + 1 = %q", v.Text)
	}
	s.checker.off = false
	// x was defined by an unchecked cell: its type is unknown, its uses
	// are not checked.
	if v := mustRun(t, s, "x * 3"); v.Text != "3" {
		t.Errorf("x * 3 = %q", v.Text)
	}
}

// TestSnapshotCarriesFacts checks that a child restoring a snapshot
// lowers the notebook's declarations without checking them itself (an mp
// worker does not run cells): the facts travel in the snapshot.
func TestSnapshotCarriesFacts(t *testing.T) {
	parent := newTestSession(t)
	mustRun(t, parent, "func tri(n int) int {\n\ts := 0\n\tfor i := range n {\n\t\ts += max(i, 0)\n\t}\n\treturn s\n}")
	snap, err := parent.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	child := newTestSession(t)
	child.checker.off = true
	if err := child.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if v := mustRun(t, child, "tri(4)"); v.Text != "6" {
		t.Errorf("tri(4) in the child = %q, want 6", v.Text)
	}
}

// TestImportBinding checks the names imports bind, which decide what the
// synthetic package imports again.
func TestImportBinding(t *testing.T) {
	for _, tc := range []struct {
		spec importSpec
		want string
	}{
		{importSpec{Path: "fmt"}, "fmt"},
		{importSpec{Path: "math/rand/v2"}, "rand"},
		{importSpec{Path: "net/http"}, "http"},
		{importSpec{Name: "str", Path: "strings"}, "str"},
		{importSpec{Path: "mp"}, "mp"},
	} {
		if got := importBinding(tc.spec); got != tc.want {
			t.Errorf("importBinding(%+v) = %q, want %q", tc.spec, got, tc.want)
		}
	}
}
