package mp

import (
	"strings"
	"testing"
)

func TestLinePrefixer(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"one line", []string{"a\n"}, "P a\n"},
		{"two lines in one write", []string{"a\nb\n"}, "P a\nP b\n"},
		{"a long line in pieces", []string{"ab", "cd", "e\n", "f\n"}, "P abcde\nP f\n"},
		{"no newline at the end", []string{"a\nb"}, "P a\nP b"},
		{"empty lines", []string{"\n\n"}, "P \nP \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			w := prefixed(&b, "P ")
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
	if w := prefixed(&strings.Builder{}, ""); w == nil {
		t.Error("prefixed with no prefix returned nil")
	}
}

func TestPidPrefix(t *testing.T) {
	if got := pidPrefix(12, ""); got != "(pid=12) " {
		t.Errorf("local: %q", got)
	}
	if got := pidPrefix(12, "10.0.0.7"); got != "(pid=12, ip=10.0.0.7) " {
		t.Errorf("cluster: %q", got)
	}
}
