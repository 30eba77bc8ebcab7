package mp

import (
	"bytes"
	"math"
	"reflect"
	"testing"
)

// TestFastIntsMatchTheCodec checks the int fast paths against the general
// codec they stand in for: the same bytes out, the same values back, and
// a refusal (so the general path reports it) of what is not an int.
func TestFastIntsMatchTheCodec(t *testing.T) {
	xs := []int{0, 1, -1, 127, 128, -129, 1 << 40, math.MaxInt, math.MinInt}
	fast := encodeInts(xs, 0, len(xs))
	tg := &target{name: "square", typ: reflect.TypeOf(square)}
	for i, x := range xs {
		slow, err := tg.encodeArgs(nil, []any{x})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast[i], slow) {
			t.Errorf("argument %d: fast % x, codec % x", x, fast[i], slow)
		}
	}
	got, ok := decodeIntArgs(fast)
	if !ok || !reflect.DeepEqual(got, xs) {
		t.Errorf("decodeIntArgs = %v, %v; want %v", got, ok, xs)
	}
	results := appendInts(xs)
	for i, x := range xs {
		slow, err := theCodec.append(nil, reflect.ValueOf(x), intType)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(results[i], slow) {
			t.Errorf("result %d: fast % x, codec % x", x, results[i], slow)
		}
	}
	vals, ok := decodeIntResults(results)
	if !ok {
		t.Fatal("decodeIntResults refused ints")
	}
	for i, v := range vals {
		if v != any(xs[i]) {
			t.Errorf("result %d decoded as %#v", xs[i], v)
		}
	}
	for _, bad := range [][]byte{{}, {0x80}, {2, 1, 1}, {1}, {1, 2, 3}} {
		if _, ok := decodeIntArgs([][]byte{bad}); ok {
			t.Errorf("decodeIntArgs took % x", bad)
		}
	}
	for _, bad := range [][]byte{{}, {0x80}, {1, 2}} {
		if _, ok := decodeIntResults([][]byte{bad}); ok {
			t.Errorf("decodeIntResults took % x", bad)
		}
	}
}

// TestBoxerSharesNothingVisible checks that results boxed into one slice
// stay what they were decoded as.
func TestBoxerSharesNothingVisible(t *testing.T) {
	for _, v := range []any{"abc", 2.5, int8(-3), uint64(1 << 63), true, complex(1, 2)} {
		s := reflect.MakeSlice(reflect.SliceOf(reflect.TypeOf(v)), 2, 2)
		s.Index(0).Set(reflect.ValueOf(v))
		box := boxer(reflect.TypeOf(v))
		a, b := box(s.Index(0)), box(s.Index(1))
		if a != v || b != reflect.Zero(reflect.TypeOf(v)).Interface() {
			t.Errorf("%T: boxed %#v and %#v", v, a, b)
		}
	}
}
