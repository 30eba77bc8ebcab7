package mp

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestChunkItems(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fn       any
		items    any
		star     bool
		size     int
		lazy     bool // the caller allows lazy encoding
		wantLazy bool
	}{
		{"ints, caller waits", square, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, false, 4, true, true},
		{"ints, caller does not wait", square, []int{0, 1, 2, 3, 4}, false, 2, false, false},
		{"items in an array", square, [3]int{1, 2, 3}, false, 2, true, true},
		{"structs of plain fields", funcs["echoStruct"], []point{{X: 1, Label: "a", hidden: 3}, {Y: 2}}, false, 1, true, true},
		{"maps of slices", funcs["echoMap"], []map[string][]int{{"a": {1}}, nil}, false, 5, true, true},
		{"arrays", funcs["echoArray"], [][3]int{{1, 2, 3}, {4, 5, 6}}, false, 1, true, true},
		{"pointers are encoded at once", funcs["echoPtr"], []*tree{{Value: 1, Left: &tree{Value: 2}}, nil}, false, 1, true, false},
		{"any items take the general path", square, []any{1, 2, 3}, false, 2, true, false},
		{"items converted to the parameter type", funcs["echoFloat"], []int{1, 2}, false, 1, true, false},
		{"Starmap", pow, [][]any{{2, 3}, {3, 2}, {2.5, 2}}, true, 2, true, false},
		{"empty", square, []int{}, false, 1, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := &target{name: "f", typ: reflect.TypeOf(tc.fn)}
			v := reflect.ValueOf(tc.items)
			chunks, err := chunkItems(tg, v, tc.star, tc.size, tc.lazy)
			if err != nil {
				t.Fatal(err)
			}
			if want := (v.Len() + tc.size - 1) / tc.size; len(chunks) != want {
				t.Fatalf("%d chunks, want %d", len(chunks), want)
			}
			item := 0
			for i, c := range chunks {
				if lazy := c.load != nil; lazy != tc.wantLazy {
					t.Errorf("chunk %d: lazy = %v, want %v", i, lazy, tc.wantLazy)
				}
				task := &task{tg: tg, n: c.n, items: c.items, load: c.load}
				if err := task.encode(); err != nil {
					t.Fatal(err)
				}
				if len(task.items) != c.n || c.n != min(tc.size, v.Len()-item) {
					t.Fatalf("chunk %d: %d items, n = %d", i, len(task.items), c.n)
				}
				for _, got := range task.items {
					args := []any{v.Index(item).Interface()}
					if tc.star {
						args, _ = tuple(v.Index(item))
					}
					want, err := tg.encodeArgs(nil, args)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("item %d encoded as %x, want %x", item, got, want)
					}
					item++
				}
			}
			if item != v.Len() {
				t.Errorf("%d items in the chunks, want %d", item, v.Len())
			}
		})
	}
}

func TestChunkItemsErrors(t *testing.T) {
	cyclic := &tree{Value: 1}
	cyclic.Left = cyclic
	for _, tc := range []struct {
		name  string
		fn    any
		items any
		want  string
	}{
		{"cyclic pointer", funcs["echoPtr"], []*tree{{}, cyclic}, "item 1: argument 1 (*mp.tree) cannot be sent"},
		{"wrong type in []any", square, []any{1, "x"}, "item 1: argument 1: string does not fit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := &target{name: "f", typ: reflect.TypeOf(tc.fn)}
			_, err := chunkItems(tg, reflect.ValueOf(tc.items), false, 1, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		want bool
	}{
		{"int", reflect.TypeFor[int](), true},
		{"string", reflect.TypeFor[string](), true},
		{"complex", reflect.TypeFor[complex128](), true},
		{"slice of maps", reflect.TypeFor[[]map[string]float64](), true},
		{"struct with unexported pointer", reflect.TypeFor[struct {
			A int
			p *int
		}](), true},
		{"struct with exported pointer", reflect.TypeFor[struct{ P *int }](), false},
		{"pointer", reflect.TypeFor[*int](), false},
		{"any", reflect.TypeFor[any](), false},
		{"slice of any", reflect.TypeFor[[]any](), false},
		{"map with any values", reflect.TypeFor[map[string]any](), false},
		{"chan", reflect.TypeFor[chan int](), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := plain(tc.typ); got != tc.want {
				t.Errorf("plain(%s) = %v, want %v", tc.typ, got, tc.want)
			}
		})
	}
}

func TestDecodeChunk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fn      any
		results [][]any // each item's results, as the target returns them
	}{
		{"one int", square, [][]any{{4}, {-9}, {1 << 40}}},
		{"int and error", failAt, [][]any{{1, error(nil)}, {2, error(nil)}}},
		{"string", funcs["echoString"], [][]any{{"a"}, {""}}},
		{"struct", funcs["echoStruct"], [][]any{{point{X: 1, Label: "p"}}}},
		{"any", funcs["echoAny"], [][]any{{1}, {"x"}, {nil}}},
		{"two results", funcs["echoPair"], [][]any{{"a", 1}, {"b", 2}}},
		{"no results", funcs["echoChan"], [][]any{{}, {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := &target{name: "f", typ: reflect.TypeOf(tc.fn)}
			var encoded [][]byte
			var want []any
			for _, res := range tc.results {
				out := make([]reflect.Value, len(res))
				for i, r := range res {
					out[i] = reflect.New(tg.typ.Out(i)).Elem()
					if r != nil {
						out[i].Set(reflect.ValueOf(r))
					}
				}
				b, err := encodeResults(nil, tg.typ, out)
				if err != nil {
					t.Fatal(err)
				}
				v, err := tg.decodeResults(b)
				if err != nil {
					t.Fatal(err)
				}
				encoded, want = append(encoded, b), append(want, v)
			}
			got, err := decodeChunk(tg, encoded)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("decodeChunk = %#v, %v; want %#v as decodeResults gives", got, err, want)
			}
		})
	}
	t.Run("corrupt", func(t *testing.T) {
		tg := &target{name: "f", typ: reflect.TypeOf(square)}
		if _, err := decodeChunk(tg, [][]byte{{0x80}}); err == nil || !strings.Contains(err.Error(), "decode result 1 of f") {
			t.Errorf("decodeChunk of a truncated varint: %v", err)
		}
	})
}
