package interp

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/gomp-kernel/gomp/display"
)

// Value is the value of a cell's trailing expression.
type Value struct {
	// Text is the value rendered for "text/plain": strings are quoted with
	// strconv.Quote (so blanks and escapes show, as a REPL shows them),
	// errors show their message, structs (and pointers to them) show
	// field names (%+v), everything else shows as fmt's %v.
	Text string
	// Data is the value's rich representation (display.Represent), nil
	// when it has none and shows as Text.
	Data display.Bundle
	// Value is the value itself; invalid when the cell has no value.
	Value reflect.Value
}

// Bundle is the value as a frontend shows it: its rich representation,
// or else its text as text/plain.
func (v Value) Bundle() display.Bundle {
	if v.Data != nil {
		return v.Data
	}
	return display.Bundle{display.MIMEText: v.Text}
}

// IsValid reports whether the cell produced a value.
func (v Value) IsValid() bool { return v.Value.IsValid() }

// render builds the Value shown for v. A *display.Handle shows nothing.
func render(v reflect.Value) Value {
	if !v.IsValid() || isHandle(v) {
		return Value{}
	}
	return Value{Text: renderText(v), Data: richValue(v), Value: v}
}

func renderText(v reflect.Value) string {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "<nil>"
		}
		v = v.Elem()
	}
	if !v.CanInterface() {
		return v.String()
	}
	x := v.Interface()
	switch x := x.(type) {
	case string:
		return strconv.Quote(x)
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	switch v.Kind() {
	case reflect.Struct:
		return fmt.Sprintf("%+v", x)
	case reflect.Pointer:
		if !v.IsNil() && v.Elem().Kind() == reflect.Struct {
			return fmt.Sprintf("%+v", x)
		}
	case reflect.Func:
		if v.IsNil() {
			return "<nil>"
		}
		return v.Type().String()
	}
	return fmt.Sprintf("%v", x)
}
