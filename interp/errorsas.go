package interp

import (
	"errors"
	"reflect"
)

// errorsAs is the notebook's errors.As. The standard one panics ("target
// must be interface or implement error") for a pointer to a notebook error
// type, since yaegi v0.16.1 keeps a notebook type's methods out of its
// reflect type, and it cannot see into the wrapper yaegi puts around a
// notebook value passed as an error. errorsAs asks the standard one when
// it can answer, then walks err's chain itself, looking into wrappers,
// for a value assignable to *target. A notebook error's own Unwrap method
// cannot be called from here: the chain ends at such an error.
func errorsAs(err error, target any) bool {
	tv := reflect.ValueOf(target)
	if err == nil || !tv.IsValid() || tv.Kind() != reflect.Pointer || tv.IsNil() {
		return errors.As(err, target) // the standard panics and answers
	}
	te := tv.Type().Elem()
	if (te.Kind() == reflect.Interface || te.Implements(errorType)) && errors.As(err, target) {
		return true
	}
	var walk func(e error) bool
	walk = func(e error) bool {
		for e != nil {
			v := reflect.ValueOf(e)
			if v.Kind() == reflect.Struct && v.NumField() > 0 && v.Type().Field(0).Name == "IValue" {
				v = v.Field(0).Elem() // yaegi's wrapper of a notebook value
			}
			if v.IsValid() && v.Type().AssignableTo(te) {
				tv.Elem().Set(v)
				return true
			}
			switch u := e.(type) {
			case interface{ Unwrap() error }:
				e = u.Unwrap()
			case interface{ Unwrap() []error }:
				for _, x := range u.Unwrap() {
					if walk(x) {
						return true
					}
				}
				return false
			default:
				return false
			}
		}
		return false
	}
	return walk(err)
}
