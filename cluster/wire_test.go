package cluster

import (
	"bytes"
	"errors"
	"testing"
)

func TestItemsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items [][]byte
	}{
		{"none", [][]byte{}},
		{"one empty", [][]byte{{}}},
		{"several", [][]byte{[]byte("a"), {}, bytes.Repeat([]byte{7}, 300)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeItems(encodeItems(tc.items))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.items) {
				t.Fatalf("%d items back, want %d", len(got), len(tc.items))
			}
			for i := range got {
				if !bytes.Equal(got[i], tc.items[i]) {
					t.Errorf("item %d = %q, want %q", i, got[i], tc.items[i])
				}
			}
		})
	}
}

func TestItemsMalformed(t *testing.T) {
	good := encodeItems([][]byte{[]byte("abc"), []byte("de")})
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"count beyond the body", []byte{200, 1}},
		{"item cut short", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte(nil), good...), 9)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeItems(tc.b); !errors.Is(err, errItems) {
				t.Fatalf("decodeItems(%v) = %v, want errItems", tc.b, err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"nats://secret@host:4222", "nats://***@host:4222"},
		{"nats://host:4222", "nats://host:4222"},
		{"nats://host:4222/a@b", "nats://host:4222/a@b"},
		{"host:4222", "host:4222"},
	} {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
