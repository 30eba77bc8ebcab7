package mp

import (
	"errors"
	"fmt"
	"reflect"
)

// Items sent through a Queue or a Pipe are encoded with mp's codec
// (codec.go). A value whose dynamic type the codec can carry inside an
// interface (basic kinds, []any, map[string]any) arrives as such from Get
// and Recv. A value of a type a descriptor can rebuild (typedesc.go: a
// []int, a map[string][]float64, a notebook struct) is encoded with the
// descriptor and arrives from Get and Recv as a value of that type. Any
// other value that can cross (of a named compiled type such as
// time.Time) is encoded with its type's name; the receiver decodes it
// with GetInto or RecvInto into a variable of that type.
const (
	itemDynamic   = 0
	itemTyped     = 1
	itemDescribed = 2
)

// errNeedsInto is returned by Get and Recv for typed items.
var errNeedsInto = errors.New("use GetInto/RecvInto with a pointer to a variable of that type")

// appendItem appends the encoding of v to dst.
func appendItem(dst []byte, v any) ([]byte, error) {
	iv := reflect.ValueOf(&v).Elem()
	if b, err := appendTagged(append(dst, itemDynamic), iv, 0); err == nil {
		return b, nil
	}
	t := reflect.TypeOf(v)
	if err := theCodec.check(t); err != nil {
		return dst, fmt.Errorf("a %s cannot be sent to another process: %w", t, err)
	}
	if desc, err := appendDesc(nil, t, 0); err == nil {
		b, err := theCodec.append(body(append(dst, itemDescribed)).bytes(desc), reflect.ValueOf(v), t)
		if err != nil {
			return dst, fmt.Errorf("a %s cannot be sent to another process: %w", t, err)
		}
		return b, nil
	}
	dst = body(append(dst, itemTyped)).string(t.String())
	b, err := theCodec.append(dst, reflect.ValueOf(v), t)
	if err != nil {
		return dst, fmt.Errorf("a %s cannot be sent to another process: %w", t, err)
	}
	return b, nil
}

// decodeItem decodes an item into an any.
func decodeItem(b []byte) (any, error) {
	if len(b) == 0 {
		return nil, errCorrupt
	}
	switch b[0] {
	case itemTyped:
		r := reader{b: b[1:]}
		return nil, fmt.Errorf("received a %s: %w", r.string(), errNeedsInto)
	case itemDescribed:
		t, rest, err := describedType(b)
		if err != nil {
			return nil, err
		}
		v, _, err := theCodec.decode(rest, t)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", t, err)
		}
		return v.Interface(), nil
	}
	var v any
	if _, err := decodeDynamic(b[1:], reflect.ValueOf(&v).Elem(), 0); err != nil {
		return nil, fmt.Errorf("decode item: %w", err)
	}
	return v, nil
}

// decodeItemInto decodes an item into *ptr.
func decodeItemInto(b []byte, ptr any) error {
	pv := reflect.ValueOf(ptr)
	if pv.Kind() != reflect.Pointer || pv.IsNil() {
		return fmt.Errorf("decode item into %T: want a non-nil pointer", ptr)
	}
	dst := pv.Elem()
	if len(b) == 0 {
		return errCorrupt
	}
	if b[0] == itemDynamic {
		v, err := decodeItem(b)
		if err != nil {
			return err
		}
		if v == nil {
			dst.SetZero()
			return nil
		}
		x := reflect.ValueOf(v)
		if !x.Type().ConvertibleTo(dst.Type()) {
			return fmt.Errorf("received a %s, cannot store it in a %s", x.Type(), dst.Type())
		}
		dst.Set(x.Convert(dst.Type()))
		return nil
	}
	if b[0] == itemDescribed {
		t, rest, err := describedType(b)
		if err != nil {
			return err
		}
		if t != dst.Type() {
			return fmt.Errorf("received a %s, cannot store it in a %s", t, dst.Type())
		}
		v, _, err := theCodec.decode(rest, t)
		if err != nil {
			return fmt.Errorf("decode %s: %w", t, err)
		}
		dst.Set(v)
		return nil
	}
	r := reader{b: b[1:]}
	name := r.string()
	if r.err != nil {
		return errCorrupt
	}
	if name != dst.Type().String() {
		return fmt.Errorf("received a %s, cannot store it in a %s", name, dst.Type())
	}
	v, _, err := theCodec.decode(r.b, dst.Type())
	if err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	dst.Set(v)
	return nil
}

// describedType reads the descriptor of an itemDescribed item and returns
// the type and the encoded value after it.
func describedType(b []byte) (reflect.Type, []byte, error) {
	r := reader{b: b[1:]}
	desc := r.bytes()
	if r.err != nil {
		return nil, nil, errCorrupt
	}
	t, err := readDesc(&reader{b: desc}, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("read the item's type: %w", err)
	}
	return t, r.b, nil
}
