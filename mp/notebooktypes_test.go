package mp

import (
	"reflect"
	"testing"
)

type nbPoint struct{ X, Y int }

type nbLine struct {
	A, B  nbPoint
	Label string
}

type nbHidden struct{ x int }

var _ = nbHidden{x: 1} // its field is unexported, which is the point

// TestNotebookTypesTravelAsTheInterpretersStructs checks both directions
// between a compiled worker (named notebook types, registered with
// SetNotebookTypes) and an interpreter (unnamed structs of the same
// fields): items go out described, and come back as the named types.
func TestNotebookTypesTravelAsTheInterpretersStructs(t *testing.T) {
	SetNotebookTypes([]reflect.Type{reflect.TypeFor[nbPoint](), reflect.TypeFor[nbLine](), reflect.TypeFor[nbHidden]()})
	t.Cleanup(func() {
		for _, nt := range []reflect.Type{reflect.TypeFor[nbPoint](), reflect.TypeFor[nbLine]()} {
			notebookNamed.Delete(nt)
			notebookTypes.Range(func(k, v any) bool {
				if v == nt {
					notebookTypes.Delete(k)
				}
				return true
			})
		}
	})
	line := nbLine{A: nbPoint{1, 2}, B: nbPoint{3, 4}, Label: "l"}
	b, err := appendItem(nil, line)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != itemDescribed {
		t.Fatalf("item kind %d, want described", b[0])
	}
	got, err := decodeItem(b)
	if err != nil || got != any(line) {
		t.Fatalf("in the compiled worker: %#v, %v; want %#v", got, err, line)
	}
	// The interpreter has no named types: it gets the unnamed structs.
	var keys []any
	notebookTypes.Range(func(k, _ any) bool { keys = append(keys, k); return true })
	saved := map[any]any{}
	for _, k := range keys {
		v, _ := notebookTypes.LoadAndDelete(k)
		saved[k] = v
	}
	got, err = decodeItem(b)
	for k, v := range saved {
		notebookTypes.Store(k, v)
	}
	if err != nil {
		t.Fatal(err)
	}
	gt := reflect.TypeOf(got)
	if gt.Name() != "" || gt.Kind() != reflect.Struct || gt.Field(0).Type.Name() != "" || gt.Field(2).Name != "Label" {
		t.Errorf("in the interpreter: a %s, want the unnamed struct of nbLine's fields", gt)
	}
	// A type with unexported fields is not the interpreter's.
	if _, ok := notebookNamed.Load(reflect.TypeFor[nbHidden]()); ok {
		t.Error("nbHidden, whose field is unexported, was registered")
	}
}
