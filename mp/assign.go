package mp

import (
	"fmt"
	"reflect"
)

// AssignValue sets dst to v, a value DecodeValue returned (whose struct
// types it rebuilt from their fields), where dst is a variable of the
// notebook's own type: in the interpreter after a type was redeclared, or
// in a compiled worker whose types are compiled. It stores v directly when
// v's type is assignable to dst's,
// else part by part, structs by field name, when the variable's type
// changed shape (a redeclared struct type keeps the fields it still has,
// and new ones start at zero). Parts that cannot be converted are an error
// naming both types.
func AssignValue(dst, v reflect.Value) (err error) {
	defer func() {
		// reflect refuses what no check above foresaw: the variable is
		// not restored, and the notebook or the worker carries on.
		if p := recover(); p != nil {
			err = fmt.Errorf("a %s cannot be stored in a %s: %v", v.Type(), dst.Type(), p)
		}
		if err != nil {
			dst.SetZero()
		}
	}()
	return convert(dst, v, 0)
}

func convert(dst, v reflect.Value, depth int) error {
	dt, vt := dst.Type(), v.Type()
	if vt.AssignableTo(dt) {
		dst.Set(v)
		return nil
	}
	if depth > maxConvertDepth {
		return fmt.Errorf("a %s nested deeper than %d (cyclic?)", vt, maxConvertDepth)
	}
	if v.Kind() == reflect.Interface && dt.Kind() != reflect.Interface {
		if v.IsNil() {
			dst.SetZero()
			return nil
		}
		return convert(dst, v.Elem(), depth+1)
	}
	mismatch := fmt.Errorf("a %s cannot be stored in a %s", vt, dt)
	switch dt.Kind() {
	case reflect.Struct:
		if v.Kind() != reflect.Struct {
			return mismatch
		}
		for i := range dt.NumField() {
			f := dt.Field(i)
			sf, ok := vt.FieldByName(f.Name)
			if !ok || len(sf.Index) != 1 || !dst.Field(i).CanSet() {
				continue
			}
			if err := convert(dst.Field(i), v.Field(sf.Index[0]), depth+1); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return nil
	case reflect.Pointer:
		if v.Kind() != reflect.Pointer {
			return mismatch
		}
		if v.IsNil() {
			dst.SetZero()
			return nil
		}
		p := reflect.New(dt.Elem())
		if err := convert(p.Elem(), v.Elem(), depth+1); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Slice, reflect.Array:
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			return mismatch
		}
		n := v.Len()
		if dt.Kind() == reflect.Slice {
			if v.Kind() == reflect.Slice && v.IsNil() {
				dst.SetZero()
				return nil
			}
			dst.Set(reflect.MakeSlice(dt, n, n))
		} else {
			n = min(n, dt.Len())
		}
		for i := range n {
			if err := convert(dst.Index(i), v.Index(i), depth+1); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if v.Kind() != reflect.Map {
			return mismatch
		}
		if v.IsNil() {
			dst.SetZero()
			return nil
		}
		m := reflect.MakeMapWithSize(dt, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, e := reflect.New(dt.Key()).Elem(), reflect.New(dt.Elem()).Elem()
			if err := convert(k, it.Key(), depth+1); err != nil {
				return err
			}
			if err := convert(e, it.Value(), depth+1); err != nil {
				return err
			}
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
		return nil
	}
	switch fd, fv := family(dt.Kind()), family(vt.Kind()); {
	case fd == fv && vt.ConvertibleTo(dt):
		dst.Set(v.Convert(dt))
		return nil
	case fd <= familyFloat && fv <= familyFloat:
		// An int field that became a float64, or the reverse when the
		// value is whole: as encoding/json would carry it.
		if w := v.Convert(dt); w.Convert(vt).Equal(v) {
			dst.Set(w)
			return nil
		}
		return fmt.Errorf("%v does not fit a %s", v, dt)
	}
	return mismatch
}

// Families of kinds that convert into each other in assign.
const (
	familyInt = iota + 1
	familyUint
	familyFloat
	familyComplex
)

// family returns the family of numeric kind k, or a number of its own
// for the other kinds.
func family(k reflect.Kind) int {
	switch {
	case k >= reflect.Int && k <= reflect.Int64:
		return familyInt
	case k >= reflect.Uint && k <= reflect.Uint64:
		return familyUint
	case k == reflect.Float32 || k == reflect.Float64:
		return familyFloat
	case k == reflect.Complex64 || k == reflect.Complex128:
		return familyComplex
	}
	return int(k) + 100
}

// maxConvertDepth bounds AssignValue's recursion, so that a cyclic pointer
// graph fails instead of recursing for ever.
const maxConvertDepth = 1000
