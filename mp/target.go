package mp

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// theCodec encodes arguments and results on both sides.
var theCodec codec = binaryCodec{}

// target is a notebook function named by the host, with the type the
// parent encodes arguments and decodes results against.
type target struct {
	name   string
	typ    reflect.Type
	remote bool // its calls run on another machine (a pool WithCluster)
}

// newTarget checks fn and asks the host for its name. op names the call
// for error messages ("mp.NewProcess").
func newTarget(h Host, op string, fn any) (*target, error) {
	if fn == nil {
		return nil, fmt.Errorf("%s: target is nil, want a func", op)
	}
	t := reflect.TypeOf(fn)
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("%s: target is a %s, want a func", op, t)
	}
	name, err := h.Target(fn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	for i := range t.NumOut() {
		rt := t.Out(i)
		if i == t.NumOut()-1 && rt == errorType {
			break
		}
		if err := theCodec.check(rt); err != nil {
			return nil, fmt.Errorf("%s(%s): result %d (%s) cannot be sent back from another process: %w", op, name, i+1, rt, err)
		}
	}
	return &target{name: name, typ: t}, nil
}

// param returns the type of argument i (0-based) of a call with n arguments.
func param(t reflect.Type, i int) reflect.Type {
	if t.IsVariadic() && i >= t.NumIn()-1 {
		return t.In(t.NumIn() - 1).Elem()
	}
	return t.In(i)
}

// encodeArgs appends the encoding of one argument tuple to dst: the
// count, then each argument against its parameter's type. Errors name the
// argument (1-based) and its type.
func (tg *target) encodeArgs(dst []byte, args []any) ([]byte, error) {
	t := tg.typ
	n := t.NumIn()
	if t.IsVariadic() {
		if len(args) < n-1 {
			return dst, fmt.Errorf("%d arguments for %s, want at least %d", len(args), t, n-1)
		}
	} else if len(args) != n {
		return dst, fmt.Errorf("%d arguments for %s, want %d", len(args), t, n)
	}
	dst = body(dst).uint(uint64(len(args)))
	for i, a := range args {
		pt := param(t, i)
		v, err := fit(a, pt)
		if err != nil {
			return dst, fmt.Errorf("argument %d: %w", i+1, err)
		}
		if err := theCodec.check(pt); err != nil {
			return dst, fmt.Errorf("argument %d (%s) cannot be sent to another process", i+1, pt)
		}
		if tg.remote {
			if l := localArg(reflect.TypeOf(a)); l != "" {
				return dst, fmt.Errorf("argument %d (%s) holds a %s, which lives on this machine: a pool WithCluster cannot send it to another", i+1, typeName(a), l)
			}
		}
		if dst, err = theCodec.append(dst, v, pt); err != nil {
			return dst, fmt.Errorf("argument %d (%s) cannot be sent to another process: %w", i+1, typeName(a), err)
		}
	}
	return dst, nil
}

func typeName(a any) string {
	if a == nil {
		return "nil"
	}
	return reflect.TypeOf(a).String()
}

// decodeArgs is the worker's side of encodeArgs, against fn's own type.
func decodeArgs(t reflect.Type, b []byte) ([]reflect.Value, error) {
	r := reader{b: b}
	n := int(r.uint())
	if r.err != nil {
		return nil, r.err
	}
	if n < t.NumIn()-1 || (!t.IsVariadic() && n != t.NumIn()) || n > len(b) {
		return nil, fmt.Errorf("%d arguments for %s", n, t)
	}
	args := make([]reflect.Value, n)
	rest := r.b
	for i := range args {
		var err error
		if args[i], rest, err = theCodec.decode(rest, param(t, i)); err != nil {
			return nil, fmt.Errorf("decode argument %d (%s): %w", i+1, param(t, i), err)
		}
	}
	return args, nil
}

// encodeResults appends fn's results except a trailing error, which it
// returns instead.
func encodeResults(dst []byte, t reflect.Type, out []reflect.Value) ([]byte, error) {
	for i, v := range out {
		rt := t.Out(i)
		if i == len(out)-1 && rt == errorType {
			if !v.IsNil() {
				return dst, v.Interface().(error)
			}
			break
		}
		var err error
		if dst, err = theCodec.append(dst, v, rt); err != nil {
			return dst, fmt.Errorf("result %d (%s) cannot be sent back: %w", i+1, rt, err)
		}
	}
	return dst, nil
}

// decodeResults turns one item's results back into a value: nil for a
// func without results, the value for one, []any for several.
func (tg *target) decodeResults(b []byte) (any, error) {
	t := tg.typ
	n := t.NumOut()
	if n > 0 && t.Out(n-1) == errorType {
		n--
	}
	vals := make([]any, n)
	for i := range n {
		v, rest, err := theCodec.decode(b, t.Out(i))
		if err != nil {
			return nil, fmt.Errorf("decode result %d of %s: %w", i+1, tg.name, err)
		}
		vals[i], b = v.Interface(), rest
	}
	switch n {
	case 0:
		return nil, nil
	case 1:
		return vals[0], nil
	}
	return vals, nil
}

// RemoteError is a failure inside a worker: the target panicked or
// returned a non-nil error, or the worker could not run it.
type RemoteError struct {
	Target  string // the host's name for the target
	Item    int    // index of the failing item in Map, Starmap or Imap; -1 otherwise
	Panic   bool   // the target panicked; Stack holds the worker's stack
	Message string
	Stack   string
}

func (e *RemoteError) Error() string {
	var b strings.Builder
	b.WriteString("mp: ")
	b.WriteString(e.Target)
	if e.Item >= 0 {
		fmt.Fprintf(&b, " (item %d)", e.Item)
	}
	if e.Panic {
		b.WriteString(" panicked: ")
	} else {
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Stack != "" {
		b.WriteString("\n\n")
		b.WriteString(e.Stack)
	}
	return b.String()
}

// ErrInterrupted is returned by calls that were waiting when the cell that
// made them was interrupted; the processes and tasks involved are ended.
var ErrInterrupted = errors.New("mp: interrupted")

// ErrWorkerDied is returned for a task whose worker exited before
// answering (os.Exit, a signal, kill -9); the pool replaces the worker.
var ErrWorkerDied = errors.New("mp: worker died")

// fit converts an argument given by the caller (x, possibly nil) to the
// parameter type t: values assignable to t as they are, and numbers of
// another numeric kind when the conversion loses nothing (Starmap's []any
// rows hold ints where a float64 parameter is wanted).
func fit(x any, t reflect.Type) (reflect.Value, error) {
	if x == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, fmt.Errorf("nil does not fit a parameter of type %s", t)
	}
	v := reflect.ValueOf(x)
	if v.Type() == t {
		return v, nil
	}
	if v.Type().AssignableTo(t) {
		w := reflect.New(t).Elem()
		w.Set(v)
		return w, nil
	}
	if numeric(v.Kind()) && numeric(t.Kind()) {
		w := v.Convert(t)
		if w.Convert(v.Type()).Equal(v) {
			return w, nil
		}
		return reflect.Value{}, fmt.Errorf("%v (%s) does not fit a parameter of type %s without loss", x, v.Type(), t)
	}
	return reflect.Value{}, fmt.Errorf("%s does not fit a parameter of type %s", v.Type(), t)
}

func numeric(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64 && k != reflect.Uintptr
}
