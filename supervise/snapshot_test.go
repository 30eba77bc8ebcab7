package supervise

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// snapshotOf is an interp snapshot holding vars.
func snapshotOf(t *testing.T, vars ...snapVar) []byte {
	t.Helper()
	b, err := json.Marshal(snapState{Imports: json.RawMessage(`[]`), Decls: json.RawMessage(`[{"tok":"func"}]`), Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func names(vs []snapVar) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// TestDelta sends each variable's value only when it changed, drops values
// over the total cap, and the kernel's copy merges the deltas back into
// what the interpreter had.
func TestDelta(t *testing.T) {
	steps := []struct {
		vars        []snapVar
		wantChanged []string
		wantSkipped []string
	}{
		{[]snapVar{{Name: "a", Type: "int", Value: []byte{1}}, {Name: "b", Type: "int", Value: []byte{2}}}, []string{"a", "b"}, nil},
		{[]snapVar{{Name: "a", Type: "int", Value: []byte{1}}, {Name: "b", Type: "int", Value: []byte{3}}}, []string{"b"}, nil},
		{[]snapVar{{Name: "a", Type: "int", Value: []byte{1}}, {Name: "b", Type: "int", Value: []byte{3}}}, nil, nil},
		{[]snapVar{{Name: "a", Type: "int", Value: []byte{1}}, {Name: "b", Type: "int", Value: []byte{3}}}, nil, nil},
		{[]snapVar{{Name: "a", Type: "float64", Value: []byte{1}}}, []string{"a"}, nil},
		{[]snapVar{{Name: "a", Type: "float64", Value: []byte{1}}, {Name: "c", Type: "[]byte", Value: make([]byte, 10)}}, []string{"c"}, []string{"c"}},
	}
	var d deltaState
	var h held
	caps := Caps{Value: 8, Total: 8}
	for i, s := range steps {
		m, err := d.delta(snapshotOf(t, s.vars...), i+1, caps)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(m.Changed); !slices.Equal(got, s.wantChanged) {
			t.Errorf("step %d: changed %v, want %v", i, got, s.wantChanged)
		}
		var skipped []string
		for _, sk := range m.Skipped {
			skipped = append(skipped, sk.Name)
		}
		if !slices.Equal(skipped, s.wantSkipped) {
			t.Errorf("step %d: skipped %v, want %v", i, skipped, s.wantSkipped)
		}
		h.apply(m)
		var st snapState
		b, err := h.encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(s.vars)
		for j := range want {
			if slices.Contains(s.wantSkipped, want[j].Name) {
				want[j].Value = nil
			}
		}
		if !reflect.DeepEqual(st.Vars, want) {
			t.Errorf("step %d: the kernel holds %+v, want %+v", i, st.Vars, want)
		}
		if h.count != i+1 {
			t.Errorf("step %d: held as of cell %d", i, h.count)
		}
	}
	decls, vars, lost := h.summary()
	if decls != 1 || vars != 1 || len(lost) != 1 || !strings.HasPrefix(lost[0], "c (over the ") {
		t.Errorf("summary: %d declarations, %d variables, lost %v", decls, vars, lost)
	}
}
