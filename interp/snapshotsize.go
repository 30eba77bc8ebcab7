package interp

import "reflect"

// largerThan reports whether v's data (what mp's codec would carry: the
// elements, strings and what pointers point to) exceeds limit bytes. It
// stops as soon as the budget is spent, so a gigabyte slice of numbers
// costs one multiplication and a large map no more than limit bytes'
// worth of walking. A cycle of pointers spends the budget and counts as
// too large, which is what the codec would say of it too.
func largerThan(v reflect.Value, limit int) bool {
	budget := limit
	return !fits(v, &budget, 0)
}

// maxSizeDepth bounds fits' recursion, as mp.AssignValue's is bounded.
const maxSizeDepth = 1000

// fits subtracts v's size from *budget, reporting false once it is spent.
func fits(v reflect.Value, budget *int, depth int) bool {
	if depth > maxSizeDepth {
		return false
	}
	spend := func(n int) bool {
		*budget -= n
		return *budget >= 0
	}
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.String:
		return spend(v.Len() + 8)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return spend(8)
		}
		if flat(v.Type().Elem()) {
			return spend(v.Len()*int(v.Type().Elem().Size()) + 8)
		}
		for i := range v.Len() {
			if !fits(v.Index(i), budget, depth+1) {
				return false
			}
		}
		return spend(8)
	case reflect.Map:
		if !spend(8) {
			return false
		}
		for it := v.MapRange(); it.Next(); {
			if !fits(it.Key(), budget, depth+1) || !fits(it.Value(), budget, depth+1) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return spend(8)
		}
		return spend(8) && fits(v.Elem(), budget, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if !fits(v.Field(i), budget, depth+1) {
				return false
			}
		}
		return true
	}
	return spend(int(v.Type().Size()))
}

// flat reports whether values of t hold no pointers, so that a slice of
// them is as large as its length times t's size.
func flat(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return flat(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !flat(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}
