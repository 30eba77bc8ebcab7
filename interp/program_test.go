package interp

import (
	"strings"
	"testing"
)

func TestRenameMain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"main()", "{ _gompMain() }"},
		{"x.main = 1; t := T{main: 2}; _ = t", "{ x.main = 1; t := T{main: 2}; _ = t }"},
		{"f := main; f()", "{ f := _gompMain; f() }"},
		{"type S struct{ main int }; var i interface{ main() }", "{ type S struct{ main int }; var i interface{ main() } }"},
	} {
		got := rewritten(t, tc.in, renameMain)
		if got != strings.ReplaceAll(tc.want, ";", "") {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestCallWith(t *testing.T) {
	var got []string
	record := func(f float64, names ...string) {
		got = append(got, strings.Join(append([]string{strings.TrimSpace(strings.Repeat("x", int(f)))}, names...), ","))
	}
	callWith(false, record, []any{2, "a", "b"})
	callWith(true, record, []any{1.0, []string{"c"}})
	callWith(false, record, []any{3})
	want := "xx,a,b|x,c|xxx"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("got %s, want %s", g, want)
	}
}
