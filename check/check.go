package check

import (
	"fmt"
	"math"
	"reflect"
)

// Equal checks that got equals want, as reflect.DeepEqual compares them.
// Numbers of different types compare by value, so that check.Equal(n, 6)
// holds for an int64 n of 6. When they differ, the message shows both,
// and for slices, arrays, maps, structs and pointers to them a line per
// difference (up to ten). Extra arguments describe what is checked; they
// are joined as fmt.Sprint joins them and start the message.
func Equal(got, want any, msg ...any) {
	if equal(got, want) {
		return
	}
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	var detail []string
	if composite(g) && composite(w) && g.Type() == w.Type() {
		detail = diff(g, w)
	}
	if g.IsValid() && w.IsValid() && g.Type() != w.Type() && show(g) == show(w) {
		fail("check.Equal", detail, "%sgot %s of type %s, want %s of type %s", about(msg), show(g), g.Type(), show(w), w.Type())
	}
	fail("check.Equal", detail, "%sgot %s, want %s", about(msg), show(g), show(w))
}

// True checks that cond holds; msg, joined as fmt.Sprint joins its
// arguments, is the message when it does not.
func True(cond bool, msg ...any) {
	if cond {
		return
	}
	text := fmt.Sprint(msg...)
	if text == "" {
		text = "the condition is false"
	}
	fail("check.True", nil, "%s", text)
}

// Near checks that the number got is within tol of want (|got-want| <=
// tol), for floating-point results that cannot be compared exactly. got
// and want may be of any integer or floating-point type.
func Near(got, want any, tol float64, msg ...any) {
	g, okg := toFloat(got)
	w, okw := toFloat(want)
	switch {
	case !okg:
		fail("check.Near", nil, "%sgot %s of type %T, which is not a number", about(msg), show(reflect.ValueOf(got)), got)
	case !okw:
		fail("check.Near", nil, "%swant %s of type %T, which is not a number", about(msg), show(reflect.ValueOf(want)), want)
	case math.IsNaN(g) || math.IsNaN(w):
		fail("check.Near", nil, "%sgot %v, want %v ± %v", about(msg), g, w, tol)
	case math.Abs(g-w) > tol:
		fail("check.Near", nil, "%sgot %v, want %v ± %v (off by %.3g)", about(msg), g, w, tol, math.Abs(g-w))
	}
}

// Panics checks that fn panics. A failed check inside fn is not the panic
// it expects: it fails Panics's cell as itself.
func Panics(fn func(), msg ...any) {
	if fn == nil {
		fail("check.Panics", nil, "%sthe function is nil", about(msg))
	}
	panicked := func() (p bool) {
		defer func() {
			r := recover()
			if f, ok := r.(*Failure); ok {
				panic(f)
			}
			p = r != nil
		}()
		fn()
		return false
	}()
	if !panicked {
		fail("check.Panics", nil, "%sthe function returned without panicking", about(msg))
	}
}

// equal is Equal's comparison: reflect.DeepEqual, or numbers by value.
func equal(got, want any) bool {
	if reflect.DeepEqual(got, want) {
		return true
	}
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if !g.IsValid() || !w.IsValid() || g.Type() == w.Type() {
		return false
	}
	switch {
	case isInt(g) && isInt(w):
		return intOf(g) == intOf(w)
	case isNumber(g) && isNumber(w):
		gf, _ := toFloat(got)
		wf, _ := toFloat(want)
		return gf == wf
	}
	return false
}

// toFloat converts a number of any integer or floating-point type.
func toFloat(x any) (float64, bool) {
	v := reflect.ValueOf(x)
	switch {
	case !v.IsValid():
		return 0, false
	case v.CanInt():
		return float64(v.Int()), true
	case v.CanUint():
		return float64(v.Uint()), true
	case v.CanFloat():
		return v.Float(), true
	}
	return 0, false
}

func isInt(v reflect.Value) bool { return v.CanInt() || v.CanUint() }

func isNumber(v reflect.Value) bool { return isInt(v) || v.CanFloat() }

// intValue is an integer's value, exact for every int and uint type.
type intValue struct {
	neg bool
	abs uint64
}

func intOf(v reflect.Value) intValue {
	if v.CanUint() {
		return intValue{abs: v.Uint()}
	}
	i := v.Int()
	if i < 0 {
		return intValue{neg: true, abs: uint64(-(i + 1)) + 1}
	}
	return intValue{abs: uint64(i)}
}
