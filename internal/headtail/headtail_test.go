package headtail

import (
	"strings"
	"testing"
)

// TestBuffer keeps the head and the tail of streams shorter and longer
// than both, and forgets them at Reset.
func TestBuffer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"empty", nil, ""},
		{"short", []string{"fatal error: x\n", "goroutine 1\n"}, "fatal error: x\ngoroutine 1\n"},
		{"head only", []string{strings.Repeat("a", HeadMax)}, strings.Repeat("a", HeadMax)},
		{"long", []string{"fatal error: x\n", strings.Repeat("a", HeadMax), strings.Repeat("b", 2*TailMax)},
			"fatal error: x\n" + strings.Repeat("a", HeadMax-len("fatal error: x\n")) + strings.Repeat("b", TailMax)},
		{"one big write", []string{strings.Repeat("a", HeadMax) + strings.Repeat("c", TailMax) + "end"},
			strings.Repeat("a", HeadMax) + strings.Repeat("c", TailMax-3) + "end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b Buffer
			for _, w := range tc.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(w))
				}
			}
			if got := b.String(); got != tc.want {
				t.Errorf("kept %d bytes, want %d (%.20q...)", len(got), len(tc.want), got)
			}
			b.Reset()
			if b.String() != "" {
				t.Error("Reset kept bytes")
			}
		})
	}
}
