package main

import (
	"slices"
	"testing"
)

// TestEmbeddedJoin checks how gomp worker reads a --join without a URL:
// as the embedded cluster, wherever it stands.
func TestEmbeddedJoin(t *testing.T) {
	for _, tc := range []struct{ args, want []string }{
		{[]string{"--join"}, []string{"--join=embedded"}},
		{[]string{"--join", "--slots", "2"}, []string{"--join=embedded", "--slots", "2"}},
		{[]string{"--slots", "2", "-join"}, []string{"--slots", "2", "--join=embedded"}},
		{[]string{"--join", "nats://h:4222"}, []string{"--join", "nats://h:4222"}},
		{[]string{"--creds", "w.json"}, []string{"--creds", "w.json"}},
	} {
		if got := embeddedJoin(tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("embeddedJoin(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
