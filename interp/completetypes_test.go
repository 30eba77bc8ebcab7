package interp

import (
	"slices"
	"testing"
)

// TestCompleteTyped checks completion of members of expressions only the
// type checker can type without running them: results of the notebook's
// functions and fields of the notebook's structs.
func TestCompleteTyped(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `import (
	"strings"
	"time"
)
type Event struct {
	Name string
	When time.Time
	note string
}
func newBuilder() *strings.Builder { return &strings.Builder{} }
func first() Event { return Event{} }
ev := Event{Name: "x"}`)
	for _, tc := range []struct {
		code string
		want []string // must be among the matches
	}{
		{"newBuilder().WriteS", []string{"WriteString"}},
		{"first().", []string{"Name", "When", "note"}},
		{"first().When.Unix", []string{"Unix", "UnixMilli"}},
		{"ev.When.Yea", []string{"Year", "YearDay"}},
	} {
		got, _, _ := s.Complete(tc.code, len(tc.code))
		var texts []string
		for _, c := range got {
			texts = append(texts, c.Text)
		}
		for _, w := range tc.want {
			if !slices.Contains(texts, w) {
				t.Errorf("Complete(%q) = %q; want %s among them", tc.code, texts, w)
			}
		}
	}
}
