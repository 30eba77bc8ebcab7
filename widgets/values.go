package widgets

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
)

// observers is a list of change callbacks for values of type T, each with
// the origin (Host.Origin) current when it was added: where its output
// goes.
type observers[T any] struct {
	mu  sync.Mutex
	fns []observer[T]
}

type observer[T any] struct {
	fn     func(old, new T)
	origin any
}

func (o *observers[T]) add(fn func(old, new T)) {
	if fn == nil {
		return
	}
	at := origin()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fns = append(o.fns, observer[T]{fn, at})
}

// calls returns the callbacks for a change from old to new.
func (o *observers[T]) calls(old, new T) []Call {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Call, len(o.fns))
	for i, ob := range o.fns {
		out[i] = Call{Origin: ob.origin, Fn: func() { ob.fn(old, new) }}
	}
	return out
}

// changed adapts calls to a field's changed, for stored values of type T.
func (o *observers[T]) changed(old, new any) []Call {
	a, _ := old.(T)
	b, _ := new.(T)
	return o.calls(a, b)
}

// run calls the callbacks for a change made in Go, in the caller's
// goroutine.
func (o *observers[T]) run(old, new T) {
	for _, c := range o.calls(old, new) {
		c.Fn()
	}
}

// describe names a JSON value's kind in errors.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "the number " + x.String()
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case []any:
		return fmt.Sprintf("a list of %d", len(x))
	case map[string]any:
		return "an object"
	case []byte:
		return fmt.Sprintf("a buffer of %d bytes", len(x))
	}
	return fmt.Sprintf("%T", v)
}

// asInt reads an integer the frontend sent.
func asInt(v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want an integer, got %s", describe(v))
	}
	if i, err := n.Int64(); err == nil {
		return int(i), nil
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("want an integer, got %s", describe(v))
	}
	return int(f), nil
}

// asFloat reads a number the frontend sent.
func asFloat(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want a number, got %s", describe(v))
	}
	f, err := n.Float64()
	if err != nil {
		return 0, fmt.Errorf("want a number, got %s", describe(v))
	}
	return f, nil
}

func asString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %s", describe(v))
	}
	return s, nil
}

func asBool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("want true or false, got %s", describe(v))
	}
	return b, nil
}

// clamp limits v to [lo, hi], as ipywidgets' bounded traits do.
func clamp[T int | float64](v, lo, hi T) T {
	return max(lo, min(hi, v))
}

// errorf is fmt.Errorf, for the short messages of accept functions.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
