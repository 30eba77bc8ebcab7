package mp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestItemsComeBackAsThemselves checks what Get and Recv return for items
// of each sort: dynamic values as such, describable types as values of
// the same type, named compiled types only through GetInto.
func TestItemsComeBackAsThemselves(t *testing.T) {
	// A notebook struct, as the interpreter makes it: an unnamed struct.
	row := reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "Name", Type: reflect.TypeFor[string]()},
		{Name: "Scores", Type: reflect.TypeFor[[]float64](), Tag: `json:"scores"`},
		{Name: "Xnote", Type: reflect.TypeFor[string]()},
	})).Elem()
	row.Field(0).SetString("ada")
	row.Field(1).Set(reflect.ValueOf([]float64{1.5, 2}))
	for _, tc := range []struct {
		name string
		v    any
		into bool // only GetInto can decode it
	}{
		{"int", 42, false},
		{"any slice", []any{1, "a"}, false},
		{"int slice", []int{1, 2, 3}, false},
		{"nested", map[string][][2]int{"a": {{1, 2}}}, false},
		{"pointer", &[]string{"x"}, false},
		{"notebook struct", row.Interface(), false},
		{"slice of notebook structs", reflect.Append(reflect.MakeSlice(reflect.SliceOf(row.Type()), 0, 1), row).Interface(), false},
		{"any inside", struct{ V any }{V: 3}, false},
		{"named struct", point{X: 1, Label: "p"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := appendItem(nil, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeItem(b)
			if tc.into {
				if !errors.Is(err, errNeedsInto) {
					t.Errorf("Get of a %T: %v, %v; want errNeedsInto", tc.v, got, err)
				}
			} else if err != nil || reflect.TypeOf(got) != reflect.TypeOf(tc.v) || !reflect.DeepEqual(got, tc.v) {
				t.Errorf("Get of a %T = %#v (%T), %v", tc.v, got, got, err)
			}
			into := reflect.New(reflect.TypeOf(tc.v))
			if err := decodeItemInto(b, into.Interface()); err != nil || !reflect.DeepEqual(into.Elem().Interface(), tc.v) {
				t.Errorf("GetInto of a %T = %#v, %v", tc.v, into.Elem().Interface(), err)
			}
		})
	}
	t.Run("wrong variable", func(t *testing.T) {
		b, _ := appendItem(nil, []int{1})
		var s []string
		if err := decodeItemInto(b, &s); err == nil || !strings.Contains(err.Error(), "cannot store it in a []string") {
			t.Errorf("GetInto(&[]string) of a []int: %v", err)
		}
	})
}

// TestCorruptDescriptors feeds every truncation and some byte flips of a
// described item to the decoder: errors, never a panic.
func TestCorruptDescriptors(t *testing.T) {
	b, err := appendItem(nil, map[string][]struct{ A, B int }{"k": {{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != itemDescribed {
		t.Fatalf("item kind %d, want described", b[0])
	}
	for i := range b {
		if _, err := decodeItem(b[:i]); err == nil {
			t.Errorf("truncated to %d bytes: no error", i)
		}
		flipped := append([]byte(nil), b...)
		flipped[i] ^= 0x5a
		decodeItem(flipped) // must not panic
	}
}
