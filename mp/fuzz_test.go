package mp

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

// The fuzz targets below cover every decoder that reads bytes written by
// another process: frames off a pipe or socket (FuzzRecvFrame), the body
// of each worker frame kind (FuzzFrameBody), values (FuzzDecodeValue),
// type descriptors with the values they describe, as queue items and as a
// snapshot's variables (FuzzTypeDesc), and the
// broker's requests (FuzzBrokerRequest). Each must turn any input into a
// value or an error, never a panic or an allocation the input cannot pay
// for; what decodes must encode and decode again to the same thing.
// Run one with, for example:
//
//	go test -run='^$' -fuzz='^FuzzRecvFrame$' -fuzztime=5s ./mp

// FuzzRecvFrame reads frames from arbitrary bytes; each frame read sends
// and reads back unchanged.
func FuzzRecvFrame(f *testing.F) {
	var seed bytes.Buffer
	c := newConn(&seed, &seed)
	for _, tc := range messageSamples {
		c.sendMsg(3, tc.m)
	}
	f.Add(seed.Bytes())
	f.Add([]byte{0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 5})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newConn(bytes.NewReader(data), nil)
		for {
			fr, err := c.recv()
			if err != nil {
				return
			}
			var buf bytes.Buffer
			rc := newConn(&buf, &buf)
			if err := rc.send(fr); err != nil {
				t.Fatal(err)
			}
			back, err := rc.recv()
			if err != nil || back.Seq != fr.Seq || back.Kind != fr.Kind || !bytes.Equal(back.Body, fr.Body) {
				t.Fatalf("frame %+v came back as %+v, %v", fr, back, err)
			}
		}
	})
}

// FuzzFrameBody decodes arbitrary bodies as the kind k says; a message
// that decodes encodes and decodes again to the same message.
func FuzzFrameBody(f *testing.F) {
	for _, tc := range messageSamples {
		f.Add(byte(tc.m.kind()), []byte(tc.m.appendBody(nil)))
	}
	f.Add(byte(kindCall), []byte{1, 'f', 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, k byte, data []byte) {
		m := newMessage(kind(k))
		if m == nil {
			return
		}
		if err := m.decode(data); err != nil {
			return
		}
		again := m.appendBody(nil)
		back := newMessage(kind(k))
		if err := back.decode(again); err != nil {
			t.Fatalf("%T %+v decoded from %x encodes as %x, which fails: %v", m, m, data, again, err)
		}
		if g, w := reflect.ValueOf(back).Elem().Interface(), reflect.ValueOf(m).Elem().Interface(); !equalMessages(g, w) {
			t.Fatalf("%+v decoded from %x comes back as %+v", w, data, g)
		}
	})
}

// fuzzStruct is an interpreted-looking struct: every kind the codec
// handles in one value.
type fuzzStruct struct {
	B   bool
	I   int64
	U   uint16
	F   float32
	C   complex128
	S   string
	P   *fuzzStruct
	L   []int8
	A   [2]string
	M   map[point]float64
	Any any
}

// fuzzTypes are the types FuzzDecodeValue decodes against.
var fuzzTypes = []reflect.Type{
	reflect.TypeFor[int](),
	reflect.TypeFor[float64](),
	reflect.TypeFor[complex64](),
	reflect.TypeFor[string](),
	reflect.TypeFor[[]byte](),
	reflect.TypeFor[[3]uint](),
	reflect.TypeFor[[]*int](),
	reflect.TypeFor[map[string][]int](),
	reflect.TypeFor[map[any]int](),
	reflect.TypeFor[[]any](),
	reflect.TypeFor[map[string]any](),
	reflect.TypeFor[*tree](),
	reflect.TypeFor[fuzzStruct](),
	reflect.TypeFor[[][1 << 10]byte](),
	reflect.TypeFor[*[1 << 12]int](),
	reflect.TypeFor[map[[64]int][64]int](),
	reflect.TypeFor[[]time.Time](),
	reflect.TypeFor[*big.Int](),
}

// FuzzDecodeValue decodes arbitrary bytes as one of fuzzTypes; a value
// that decodes encodes and decodes again.
func FuzzDecodeValue(f *testing.F) {
	c := binaryCodec{}
	seeds := []any{-5, math.NaN(), complex64(1 - 2i), "héllo", []byte{0, 1}, [3]uint{1, 2, 3}, []*int{nil, new(int)},
		map[string][]int{"a": {1}, "b": nil}, map[any]int{"k": 1, 2.5: 2}, []any{1, "a", []any{true}}, map[string]any{"x": map[string]any{}},
		&tree{Value: 1, Left: &tree{Value: 2}},
		fuzzStruct{B: true, I: -1, U: 9, F: float32(math.Inf(1)), C: complex(math.NaN(), 1), S: "s", P: &fuzzStruct{}, L: []int8{-1}, A: [2]string{"a"}, M: map[point]float64{{X: 1}: 2}, Any: 3},
		[][1 << 10]byte{{1}}, &[1 << 12]int{}, map[[64]int][64]int{{1}: {2}},
		[]time.Time{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), {}}, big.NewInt(-42)}
	for i, v := range seeds {
		b, err := c.append(nil, reflect.ValueOf(v), fuzzTypes[i])
		if err != nil {
			f.Fatalf("seed %d: %v", i, err)
		}
		f.Add(byte(i), []byte(b))
	}
	f.Fuzz(func(t *testing.T, sel byte, data []byte) {
		typ := fuzzTypes[int(sel)%len(fuzzTypes)]
		v, _, err := c.decode(data, typ)
		if err != nil {
			return
		}
		again, err := c.append(nil, v, typ)
		if err != nil {
			t.Fatalf("%s decoded from %x does not encode: %v", typ, data, err)
		}
		if _, rest, err := c.decode(again, typ); err != nil || len(rest) != 0 {
			t.Fatalf("%s re-encoded as %x: %v, %d bytes left", typ, again, err, len(rest))
		}
	})
}

// FuzzTypeDesc rebuilds types from arbitrary descriptors, and decodes the
// bytes after a descriptor as a value of its type, as Get does with a
// described item. A type rebuilt describes itself as the same type.
func FuzzTypeDesc(f *testing.F) {
	type note struct {
		Name  string `json:"name"`
		Score float64
		Tags  map[string][]int
		Next  *struct{ X, Y int }
	}
	for _, v := range []any{1, "s", []float64{1.5}, [2]bool{true}, map[string]any{"a": 1}, &note{Name: "n"}, []any{nil, 2}} {
		b, err := appendItem(nil, v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{itemDescribed, 4, descArray, 0xff, 0xff, 0x3f, descBasic, byte(reflect.Int)})
	for _, v := range []any{1.5, map[point]string{{X: 1}: "a"}, &note{Name: "n"}} {
		b, err := EncodeValue(nil, reflect.ValueOf(v))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte{0xff}, b...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 0 && data[0] == 0xff {
			// A snapshot's variable, for a variable of another type.
			DecodeValue(data[1:], reflect.TypeFor[map[string]any]())
			return
		}
		if len(data) == 0 || data[0] != itemDescribed {
			decodeItem(data)
			return
		}
		r := reader{b: data[1:]}
		desc := r.bytes()
		if r.err != nil {
			return
		}
		typ, err := readDesc(&reader{b: desc}, 0)
		if err != nil {
			return
		}
		again, err := appendDesc(nil, typ, 0)
		if err != nil {
			t.Fatalf("%s read from %x cannot be described: %v", typ, desc, err)
		}
		back, err := readDesc(&reader{b: again}, 0)
		if err != nil || back != typ {
			t.Fatalf("%s described as %x reads back as %v, %v", typ, again, back, err)
		}
		if !hasHandle(typ, map[reflect.Type]bool{}) {
			// A handle would dial whatever socket the bytes name.
			decodeItem(data)
		}
	})
}

// FuzzBrokerRequest applies arbitrary request frames, from two peers, to
// a broker holding one object of each kind (ids 1 to 7); every request
// gets at most one reply, with a status the client knows.
func FuzzBrokerRequest(f *testing.F) {
	req := func(seq uint64, op kind, b body) []byte {
		var buf bytes.Buffer
		newConn(&buf, &buf).send(frame{Seq: seq, Kind: op, Body: b})
		return buf.Bytes()
	}
	join := func(ps ...[]byte) []byte { return bytes.Join(ps, nil) }
	f.Add(join(req(1, opPut, body(nil).uint(1).append(itemDynamic, byte(reflect.Int), 2)), req(2, opGet, body(nil).uint(1)), req(3, opLen, body(nil).uint(1))))
	f.Add(join(req(1, opPut, body(nil).uint(2)), req(2, opTaskDone, body(nil).uint(2)), req(3, opJoin, body(nil).uint(2)), req(4, opTaskDone, body(nil).uint(2))))
	f.Add(join(req(1, opAcquire, body(nil).uint(3)), req(2, opAcquire, body(nil).uint(3)), req(3, opRelease, body(nil).uint(3)), req(4, opCancel, body(nil).uint(2))))
	f.Add(join(req(1, opAcquire, body(nil).uint(4)), req(3, opAcquire, body(nil).uint(4)), req(5, opRelease, body(nil).uint(4))))
	f.Add(join(req(1, opWait, body(nil).uint(5)), req(2, opSet, body(nil).uint(5)), req(3, opIsSet, body(nil).uint(5)), req(4, opClear, body(nil).uint(5))))
	f.Add(join(req(1, opAcquire, body(nil).uint(6)), req(2, opWait, body(nil).uint(6)), req(3, opNotify, body(nil).uint(6).uint(1))))
	f.Add(join(req(1, opWait, body(nil).uint(7)), req(2, opWait, body(nil).uint(7)), req(3, opCount, body(nil).uint(7)), req(4, opAbort, body(nil).uint(7)), req(5, opReset, body(nil).uint(7)), req(6, opFree, body(nil).uint(7))))
	f.Add(join(req(1, opSync, nil), req(2, opGet, []byte{0xff}), req(3, opLen, body(nil).uint(99))))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &broker{objs: map[uint64]object{}}
		b.add(&queueObj{max: 2})
		b.add(&queueObj{})
		b.add(&semObj{value: 1, max: 1, held: map[*peer]int{}})
		b.add(&rlockObj{})
		b.add(&eventObj{})
		b.add(&condObj{lock: &semObj{value: 1, max: 1, held: map[*peer]int{}}})
		b.add(&barrierObj{parties: 2})
		replies := map[*peer]map[uint64]int{}
		newPeer := func() *peer {
			p := &peer{}
			replies[p] = map[uint64]int{}
			p.send = func(seq uint64, st kind, body []byte) {
				if st < stOK || st > stBroken {
					t.Fatalf("reply %d has status %d", seq, st)
				}
				replies[p][seq]++
			}
			return p
		}
		peers := []*peer{newPeer(), newPeer()}
		c := newConn(bytes.NewReader(data), nil)
		sent := map[*peer]map[uint64]bool{peers[0]: {}, peers[1]: {}}
		for {
			fr, err := c.recv()
			if err != nil {
				break
			}
			p := peers[fr.Seq%2]
			if fr.Kind != opCancel {
				if sent[p][fr.Seq] {
					continue // a client never reuses a sequence number
				}
				sent[p][fr.Seq] = true
			}
			b.handle(p, fr.Seq, fr.Kind, fr.Body)
		}
		for _, p := range peers {
			b.mu.Lock()
			for _, o := range b.objs {
				o.drop(b, p)
			}
			b.flush()
			for seq, n := range replies[p] {
				if n > 1 || !sent[p][seq] {
					t.Fatalf("request %d got %d replies (sent: %v)", seq, n, sent[p][seq])
				}
			}
		}
	})
}
