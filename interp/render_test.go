package interp

import (
	"errors"
	"reflect"
	"testing"
)

type pair struct {
	A int
	B string
}

type named int

func (n named) String() string { return "named!" }

func TestRender(t *testing.T) {
	var nilErr error
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"int", 42, "42"},
		{"string quoted", "a\tb\n", `"a\tb\n"`},
		{"struct with field names", pair{1, "x"}, "{A:1 B:x}"},
		{"pointer to struct", &pair{2, "y"}, "&{A:2 B:y}"},
		{"slice", []int{1, 2}, "[1 2]"},
		{"map", map[string]int{"a": 1}, "map[a:1]"},
		{"error", errors.New("bad"), "bad"},
		{"stringer", named(3), "named!"},
		{"func", func(int) bool { return true }, "func(int) bool"},
		{"nil pointer", (*pair)(nil), "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(reflect.ValueOf(tc.v)).Text; got != tc.want {
				t.Errorf("render(%#v) = %q, want %q", tc.v, got, tc.want)
			}
		})
	}
	t.Run("nil interface", func(t *testing.T) {
		if got := renderText(reflect.ValueOf(&nilErr).Elem()); got != "<nil>" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("no value", func(t *testing.T) {
		if v := render(reflect.Value{}); v.IsValid() || v.Text != "" {
			t.Errorf("render(invalid) = %+v", v)
		}
	})
}

func TestCompileErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		want      string
		line, col int
	}{
		{"yaegi message", errors.New("In[2]/.gomp:3:7: undefined: x"), "In[2]:3:7: undefined: x", 3, 7},
		{"no position", errors.New("something odd"), "something odd", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ce *CellError
			if !errors.As(compileError(tc.err), &ce) || ce.Value != tc.want || ce.Line != tc.line || ce.Col != tc.col || ce.Name != "CompileError" {
				t.Errorf("compileError = %+v", ce)
			}
		})
	}
}
