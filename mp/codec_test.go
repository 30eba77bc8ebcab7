package mp

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestArgsRoundTrip sends a value of every supported kind to a real worker
// and back, and checks that it returns equal and with its static type.
func TestArgsRoundTrip(t *testing.T) {
	newCell(t)
	pool := NewPool(2)
	defer pool.Terminate()
	leaf := &tree{Value: 2}
	for _, tc := range []struct {
		name string
		fn   string
		arg  any
		want any // nil: the argument itself
	}{
		{"int", "echoInt", -1 << 40, nil},
		{"uint8", "echoU8", uint8(255), nil},
		{"float32", "echoF32", float32(1.5), nil},
		{"float64", "echoFloat", 3.25, nil},
		{"int to float64", "echoFloat", 3, 3.0},
		{"complex", "echoCplx", complex(1, -2), nil},
		{"bool", "echoBool", true, nil},
		{"string", "echoString", "héllo\x00world", nil},
		{"empty string", "echoString", "", nil},
		{"bytes", "echoBytes", []byte{0, 1, 255}, nil},
		{"nil bytes", "echoBytes", []byte(nil), nil},
		{"slice", "echoSlice", []string{"a", "", "c"}, nil},
		{"empty slice", "echoSlice", []string{}, nil},
		{"array", "echoArray", [3]int{1, 2, 3}, nil},
		{"map", "echoMap", map[string][]int{"a": {1}, "b": nil}, nil},
		{"nil map", "echoMap", map[string][]int(nil), nil},
		{"struct drops unexported", "echoStruct", point{X: 1, Y: 2, Label: "p", hidden: 9}, point{X: 1, Y: 2, Label: "p"}},
		{"pointer tree", "echoPtr", &tree{Value: 1, Left: leaf, Right: &tree{Value: 3, Left: leaf}}, nil},
		{"nil pointer", "echoPtr", (*tree)(nil), nil},
		{"nil arg for pointer", "echoPtr", nil, (*tree)(nil)},
		{"any int", "echoAny", 7, nil},
		{"any string", "echoAny", "s", nil},
		{"any nil", "echoAny", nil, nil},
		{"any []any", "echoAny", []any{1, "a", []any{true}, map[string]any{"k": 2.5}}, nil},
		{"any map", "echoAny", map[string]any{"a": 1, "b": []any{"x"}}, nil},
		{"any unnamed struct", "echoAny", struct {
			A int
			B []string
		}{A: 1, B: []string{"b"}}, nil},
		{"any []int in []any", "echoAny", []any{[]int{1, 2}, map[string]float64{"x": 1}}, nil},
		{"time marshals itself", "echoTime", time.Date(2024, 2, 29, 23, 59, 1, 5, time.UTC), nil},
		{"big.Int marshals itself", "echoBig", []*big.Int{new(big.Int).Lsh(big.NewInt(-3), 100), nil}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = tc.arg
			}
			got, err := pool.Apply(funcs[tc.fn], tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(want) || !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v (%T), want %#v (%T)", got, got, want, want)
			}
		})
	}
}

func TestCodecRejects(t *testing.T) {
	type withChan struct{ C chan int }
	type opaque struct{ x int } // unexported fields cannot be encoded
	_ = opaque{x: 1}
	c := binaryCodec{}
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"chan", reflect.TypeOf(make(chan int)), "chan int cannot cross"},
		{"func", reflect.TypeOf(square), "cannot cross"},
		{"field", reflect.TypeOf(withChan{}), "field C: chan int"},
		{"no exported fields", reflect.TypeOf(opaque{}), "no exported fields"},
		{"slice of funcs", reflect.TypeOf([]func(){}), "cannot cross"},
		{"uintptr", reflect.TypeOf(uintptr(0)), "cannot cross"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.check(tc.typ)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("check(%s) = %v, want %q", tc.typ, err, tc.want)
			}
		})
	}
}

func TestCodecCorruptInput(t *testing.T) {
	c := binaryCodec{}
	full, err := c.append(nil, reflect.ValueOf(map[string][]int{"abc": {1, 2, 3}}), reflect.TypeOf(map[string][]int{}))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(full) {
		t.Run("truncated", func(t *testing.T) {
			if _, _, err := c.decode(full[:n], reflect.TypeOf(map[string][]int{})); err == nil {
				t.Errorf("decode of %d of %d bytes succeeded", n, len(full))
			}
		})
	}
	huge := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	if _, _, err := c.decode(huge, reflect.TypeOf([]int{})); err == nil {
		t.Error("decode of a slice announcing 4G elements succeeded")
	}
	// Bytes from another process decide neither what this one allocates
	// nor whether it panics.
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		in   []byte
	}{
		{"pointer to 8 GB in 2 bytes", reflect.TypeFor[*[1 << 30]int](), []byte{1, 0}},
		{"1000 arrays of 64 KiB in 1001 bytes", reflect.TypeFor[[][1 << 16]byte](), append([]byte{0xe9, 0x07}, make([]byte, 1000)...)},
		{"map hint of 10 entries of 512 KiB", reflect.TypeFor[map[[1 << 16]int]bool](), append([]byte{11}, make([]byte, 20)...)},
		{"[]any as an interface key", reflect.TypeFor[map[any]int](), []byte{2, tagAnySlice, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err := c.decode(tc.in, tc.typ)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, errCorrupt) {
				t.Errorf("decode = %v, want errCorrupt", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("decode of %d bytes allocated %d bytes", len(tc.in), n)
			}
		})
	}
}

type benchItem struct {
	ID    int
	Name  string
	Score float64
	Tags  []string
}

var benchArgs = []any{42, "a moderately long string argument", benchItem{ID: 7, Name: "item", Score: 0.5, Tags: []string{"x", "y"}}}

func benchTarget() *target {
	return &target{name: "bench", typ: reflect.TypeOf(func(int, string, benchItem) int { return 0 })}
}

// BenchmarkEncodeArgs measures the parent's side of one call.
func BenchmarkEncodeArgs(b *testing.B) {
	tg := benchTarget()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = tg.encodeArgs(buf[:0], benchArgs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeArgs measures the worker's side of one call.
func BenchmarkDecodeArgs(b *testing.B) {
	tg := benchTarget()
	enc, err := tg.encodeArgs(nil, benchArgs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeArgs(tg.typ, enc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeIntItem is one item of Map(square, ints).
func BenchmarkEncodeIntItem(b *testing.B) {
	tg := &target{name: "square", typ: reflect.TypeOf(square)}
	args := []any{12345}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = tg.encodeArgs(buf[:0], args)
	}
}

// BenchmarkJSONArgs and BenchmarkGobArgs are the alternatives considered,
// on the same tuple (encode and decode).
func BenchmarkJSONArgs(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		enc, _ := json.Marshal(benchArgs)
		var raw []json.RawMessage
		json.Unmarshal(enc, &raw)
		var (
			i  int
			s  string
			it benchItem
		)
		json.Unmarshal(raw[0], &i)
		json.Unmarshal(raw[1], &s)
		json.Unmarshal(raw[2], &it)
	}
}

func BenchmarkGobArgs(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		e := gob.NewEncoder(&buf)
		e.Encode(benchArgs[0])
		e.Encode(benchArgs[1])
		e.Encode(benchArgs[2])
		d := gob.NewDecoder(&buf)
		var (
			i  int
			s  string
			it benchItem
		)
		d.Decode(&i)
		d.Decode(&s)
		d.Decode(&it)
	}
}

func BenchmarkBinaryArgs(b *testing.B) {
	tg := benchTarget()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = tg.encodeArgs(buf[:0], benchArgs)
		decodeArgs(tg.typ, buf)
	}
}
