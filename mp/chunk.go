package mp

import (
	"fmt"
	"reflect"
	"unsafe"
)

// chunk is the items of one task: their encoded argument tuples, or load,
// which encodes them when the task is sent.
type chunk struct {
	n     int
	items [][]byte
	load  func() ([][]byte, error)
}

// chunkItems encodes every item of v (a slice or array) as an argument
// tuple of tg and cuts them into chunks of size. Errors name the item.
//
// The common case, a slice whose element type is the target's only
// parameter, takes a fast path: the type is checked once and each chunk's
// tuples are encoded into one buffer, instead of boxing, fitting and
// allocating for every item. With lazy set (the caller waits for the
// results and the items cannot fail to encode, see plain), each chunk is
// encoded by the worker loop that sends it: the first chunks start at once
// and the rest are encoded while the workers run them, in parallel.
// Otherwise everything is encoded here, so that a bad item fails the call
// before anything runs.
func chunkItems(tg *target, v reflect.Value, star bool, size int, lazy bool) ([]chunk, error) {
	n := v.Len()
	var chunks []chunk
	if t, et := tg.typ, v.Type().Elem(); !star && t.NumIn() == 1 && !t.IsVariadic() && et == t.In(0) &&
		et.Kind() != reflect.Interface && theCodec.check(et) == nil {
		lazy = lazy && plain(et)
		for i := 0; i < n; i += size {
			lo, hi := i, min(i+size, n)
			c := chunk{n: hi - lo, load: func() ([][]byte, error) { return encodeRange(v, et, lo, hi) }}
			if !lazy {
				items, err := encodeRange(v, et, lo, hi)
				if err != nil {
					return nil, err
				}
				c.items, c.load = items, nil
			}
			chunks = append(chunks, c)
		}
		return chunks, nil
	}
	for i := 0; i < n; i += size {
		c := make([][]byte, 0, min(size, n-i))
		for j := i; j < i+size && j < n; j++ {
			args := []any{v.Index(j).Interface()}
			if star {
				var err error
				if args, err = tuple(v.Index(j)); err != nil {
					return nil, fmt.Errorf("item %d: %w", j, err)
				}
			}
			enc, err := tg.encodeArgs(nil, args)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", j, err)
			}
			c = append(c, enc)
		}
		chunks = append(chunks, chunk{n: len(c), items: c})
	}
	return chunks, nil
}

// encodeRange encodes items lo..hi-1 of v, each the single argument of
// type et, into one buffer and returns each item's slice of it.
func encodeRange(v reflect.Value, et reflect.Type, lo, hi int) ([][]byte, error) {
	if v.Type() == intSliceType && et == intType {
		return encodeInts(v.Interface().([]int), lo, hi), nil
	}
	buf := make([]byte, 0, (hi-lo)*8)
	ends := make([]int, hi-lo)
	for j := lo; j < hi; j++ {
		buf = body(buf).uint(1)
		var err error
		if buf, err = theCodec.append(buf, v.Index(j), et); err != nil {
			return nil, fmt.Errorf("item %d: argument 1 (%s) cannot be sent to another process: %w", j, et, err)
		}
		ends[j-lo] = len(buf)
	}
	items := make([][]byte, hi-lo)
	start := 0
	for j, end := range ends {
		items[j] = buf[start:end:end]
		start = end
	}
	return items, nil
}

// plain reports whether every value of t encodes: t holds no pointers
// (which may form cycles) and no interfaces (whose dynamic values the
// codec may not know), only basic kinds, slices, arrays, maps and structs
// of them.
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Slice, reflect.Array:
		return plain(t.Elem())
	case reflect.Map:
		return plain(t.Key()) && plain(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && !plain(f.Type) {
				return false
			}
		}
		return true
	}
	return false
}

// encode encodes t's items if chunkItems left that to the worker loop.
func (t *task) encode() error {
	if t.load == nil {
		return nil
	}
	items, err := t.load()
	if err != nil {
		return fmt.Errorf("mp.Pool: %s: %w", t.tg.name, err)
	}
	t.items, t.load = items, nil
	return nil
}

// decodeChunk decodes the results of a chunk's items, as decodeResults
// does for one. For a target with a single result (besides an error) the
// values are decoded into one slice instead of one allocation per item.
func decodeChunk(tg *target, results [][]byte) ([]any, error) {
	vals := make([]any, len(results))
	t := tg.typ
	n := t.NumOut()
	if n > 0 && t.Out(n-1) == errorType {
		n--
	}
	if n != 1 {
		for i, res := range results {
			v, err := tg.decodeResults(res)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		return vals, nil
	}
	if t.Out(0) == intType {
		if vals, ok := decodeIntResults(results); ok {
			return vals, nil
		}
	}
	s := reflect.MakeSlice(reflect.SliceOf(t.Out(0)), len(results), len(results))
	box := boxer(t.Out(0))
	for i, res := range results {
		v := s.Index(i)
		if _, err := decodeInto(res, v, 0); err != nil {
			return nil, fmt.Errorf("decode result 1 of %s: %w", tg.name, err)
		}
		vals[i] = box(v)
	}
	return vals, nil
}

// boxer returns how to make an element v of a slice that nothing else
// refers to into an interface. For the scalar kinds and strings the
// interface points at the element itself, where v.Interface() would copy
// it into an allocation of its own: a Map of 100,000 ints spent a third of
// the parent's time boxing its results. An interface's value is never
// written through, and the slice lives as long as one of its elements is
// referred to, so sharing it is safe. Other kinds (some are stored in the
// interface word itself) box as reflect does.
func boxer(t reflect.Type) func(v reflect.Value) any {
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
	default:
		return reflect.Value.Interface
	}
	proto := reflect.Zero(t).Interface()
	typ := (*eface)(unsafe.Pointer(&proto)).typ
	return func(v reflect.Value) any {
		var x any
		e := (*eface)(unsafe.Pointer(&x))
		e.typ, e.data = typ, v.Addr().UnsafePointer()
		return x
	}
}

// eface is the layout of an empty interface.
type eface struct {
	typ, data unsafe.Pointer
}
