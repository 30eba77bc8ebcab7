package kernel

import (
	"fmt"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "any/thing\nat all", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"Abc", "abc", false},
		{"a?c", "abc", true},
		{"a?c", "aéc", true},
		{"a?c", "ac", false},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"*fmt*", "import \"fmt\"", true},
		{"*a*b*c*", "xaxbxcx", true},
		{"*a*b*c*", "xaxcxbx", false},
		{"[ab]x", "bx", true},
		{"[ab]x", "cx", false},
		{"[a-c]x", "bx", true},
		{"[^a-c]x", "bx", false},
		{"[^a-c]x", "dx", true},
		{"[]]", "]", true},
		{"[é]", "é", true},
		{"[ab", "[ab", true},
		{"x[", "x[", true},
	} {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.s), func(t *testing.T) {
			if got := globMatch(tc.pattern, tc.s); got != tc.want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}

func TestHistoryLines(t *testing.T) {
	var h history
	for i, code := range []string{"a", "b", "c", "d"} {
		h.add(i+1, code)
	}
	for _, tc := range []struct {
		name        string
		start, stop int
		want        string
	}{
		{"all", 0, 0, "abcd"},
		{"from 2", 2, 0, "bcd"},
		{"2 to 4", 2, 4, "bc"},
		{"stop past end", 3, 99, "cd"},
		{"negative start", -2, 0, "cd"},
		{"negative stop", 1, -1, "abc"},
		{"empty", 3, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			for _, e := range h.lines(tc.start, tc.stop) {
				got += e.code
			}
			if got != tc.want {
				t.Errorf("lines(%d, %d) = %q, want %q", tc.start, tc.stop, got, tc.want)
			}
		})
	}
}
