//go:build linux

package interp

import "testing"

// TestGenericTypesReachChildren hands a Pool worker a func that uses an
// instance of a notebook generic type and a global holding one: the
// child has the instances with their methods (interpreted workers from
// the snapshot, compiled ones from the Go workerbuild generates, with
// GOMP_WORKERS=compiled).
func TestGenericTypesReachChildren(t *testing.T) {
	s := newTestSession(t)
	useMP(t, s)
	for _, c := range []string{
		"import (\n\t\"fmt\"\n\t\"mp\"\n)",
		"type Stack[T any] struct{ Items []T }",
		"func (s *Stack[T]) Push(x T) { s.Items = append(s.Items, x) }",
		"var seed Stack[string]\nseed.Push(\"a\")",
		"func grow(n int) string {\n\ts := seed\n\tfor i := range n {\n\t\ts.Push(fmt.Sprint(i))\n\t}\n\treturn fmt.Sprint(s.Items)\n}",
	} {
		runMPCell(t, s, c)
	}
	out, errOut := runMPCell(t, s, "pool := mp.NewPool(1)\nr, err := pool.Apply(grow, 2)\nfmt.Println(r, err)\npool.Terminate()")
	if want := "[a 0 1] <nil>\n"; out != want {
		t.Errorf("pool worker printed %q (stderr %q), want %q", out, errOut, want)
	}
}
