package interp

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestLargerThan estimates sizes against a limit without encoding.
func TestLargerThan(t *testing.T) {
	type pair struct {
		Name string
		Vals []float64
	}
	cyclic := &struct{ Next any }{}
	cyclic.Next = cyclic
	for _, tc := range []struct {
		name  string
		v     any
		limit int
		want  bool
	}{
		{"small int", 1, 100, false},
		{"bytes under", make([]byte, 90), 100, false},
		{"bytes over", make([]byte, 200), 100, true},
		{"gigabyte of float64s, no walk", make([]float64, 1<<27), 16 << 20, true},
		{"strings add up", []string{"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"}, 40, true},
		{"map of structs", map[int]pair{1: {"a", make([]float64, 4)}, 2: {"b", make([]float64, 4)}}, 1000, false},
		{"map of structs over", map[int]pair{1: {"a", make([]float64, 100)}, 2: {"b", make([]float64, 100)}}, 1000, true},
		{"pointer cycle", cyclic, 1 << 20, true},
		{"nil slice", []int(nil), 100, false},
	} {
		if got := largerThan(reflect.ValueOf(tc.v), tc.limit); got != tc.want {
			t.Errorf("%s: largerThan(%d) = %v, want %v", tc.name, tc.limit, got, tc.want)
		}
	}
}

// TestSnapshotCapped leaves values over the cap out, naming them.
func TestSnapshotCapped(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "small := 7\nbig := make([]int, 1000)")
	b, err := s.SnapshotCapped(1000)
	if err != nil {
		t.Fatal(err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Skipped) != 1 || st.Skipped[0].Name != "big" || st.Skipped[0].Reason != "value larger than 1000 bytes" {
		t.Errorf("skipped %+v, want big over the cap", st.Skipped)
	}
	for _, g := range st.Vars {
		if (g.Name == "small") != (g.Value != nil) {
			t.Errorf("%s: value %v", g.Name, g.Value)
		}
	}
}
