package mp

import (
	"encoding/binary"
	"reflect"
	"unsafe"
)

// Fast paths for chunks of plain ints, the commonest Map in a lesson:
// they write and read the codec's encoding of an int (a varint; an
// argument tuple is its count, 1, first) without a reflect call per item.
// Anything they do not recognise goes the general way, which reports it.

var (
	intType      = reflect.TypeFor[int]()
	intSliceType = reflect.TypeFor[[]int]()
)

// encodeInts encodes xs[lo:hi] as one-argument tuples, as encodeRange does.
func encodeInts(xs []int, lo, hi int) [][]byte {
	buf := make([]byte, 0, (hi-lo)*4)
	items := make([][]byte, hi-lo)
	for j := lo; j < hi; j++ {
		start := len(buf)
		buf = append(buf, 1)
		buf = binary.AppendVarint(buf, int64(xs[j]))
		items[j-lo] = buf[start:len(buf):len(buf)]
	}
	return items
}

// decodeIntArgs decodes one-argument tuples of ints; ok is false when an
// item is not one.
func decodeIntArgs(items [][]byte) (xs []int, ok bool) {
	xs = make([]int, len(items))
	for i, it := range items {
		if len(it) < 2 || it[0] != 1 {
			return nil, false
		}
		x, n := binary.Varint(it[1:])
		if n <= 0 || n != len(it)-1 {
			return nil, false
		}
		xs[i] = int(x)
	}
	return xs, true
}

// appendInts encodes results, one piece per int.
func appendInts(out []int) [][]byte {
	buf := make([]byte, 0, len(out)*4)
	ends := make([]int, len(out))
	for j, x := range out {
		buf = binary.AppendVarint(buf, int64(x))
		ends[j] = len(buf)
	}
	return pieces(buf, ends)
}

// decodeIntResults decodes int results into interfaces that point into
// one slice (see boxer); ok is false when a result is not an int.
func decodeIntResults(results [][]byte) (vals []any, ok bool) {
	xs := make([]int, len(results))
	for i, res := range results {
		x, n := binary.Varint(res)
		if n <= 0 || n != len(res) {
			return nil, false
		}
		xs[i] = int(x)
	}
	proto := any(0)
	typ := (*eface)(unsafe.Pointer(&proto)).typ
	vals = make([]any, len(xs))
	for i := range xs {
		e := (*eface)(unsafe.Pointer(&vals[i]))
		e.typ, e.data = typ, unsafe.Pointer(&xs[i])
	}
	return vals, true
}
