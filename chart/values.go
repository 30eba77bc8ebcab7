package chart

import (
	"fmt"
	"math"
	"reflect"
	"time"
)

var durationType = reflect.TypeFor[time.Duration]()

// floats converts v, a slice or array of numbers passed as the argument
// named arg, to float64s. time.Durations become seconds; an []any may hold
// numbers of any type. NaN and infinities are refused, since they cannot
// be drawn.
func floats(arg string, v any) ([]float64, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, fmt.Errorf("%s is nil, want a slice of numbers", arg)
	}
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("%s is a %s, want a slice of numbers ([]int, []float64, []time.Duration...)", arg, rv.Type())
	}
	elem := rv.Type().Elem()
	if elem.Kind() != reflect.Interface && !isNumber(elem) {
		return nil, fmt.Errorf("%s is a %s, want a slice of numbers ([]int, []float64, []time.Duration...)", arg, rv.Type())
	}
	out := make([]float64, rv.Len())
	for i := range out {
		x := rv.Index(i)
		if x.Kind() == reflect.Interface {
			if x.IsNil() {
				return nil, fmt.Errorf("%s[%d] is nil, want a number", arg, i)
			}
			x = x.Elem()
			if !isNumber(x.Type()) {
				return nil, fmt.Errorf("%s[%d] is a %s, want a number", arg, i, x.Type())
			}
		}
		f := number(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s[%d] is %v, which cannot be drawn", arg, i, f)
		}
		out[i] = f
	}
	return out, nil
}

// isNumber reports whether values of t are integers or floats.
func isNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// number returns x, a number (see isNumber), as a float64; a
// time.Duration in seconds.
func number(x reflect.Value) float64 {
	if x.Type() == durationType {
		return time.Duration(x.Int()).Seconds()
	}
	switch x.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(x.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(x.Uint())
	}
	return x.Float()
}
