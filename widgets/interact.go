package widgets

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/gomp-kernel/gomp/display"
)

// control is a widget Interact can read a parameter's value from and be
// told of changes by.
type control interface {
	Widget
	value() any
	onChange(fn func())
}

func (s *IntSlider) value() any           { return s.Value() }
func (s *IntSlider) onChange(fn func())   { s.OnChange(func(int, int) { fn() }) }
func (s *FloatSlider) value() any         { return s.Value() }
func (s *FloatSlider) onChange(fn func()) { s.OnChange(func(float64, float64) { fn() }) }
func (s *IntRangeSlider) value() any {
	lo, hi := s.Value()
	return [2]int{lo, hi}
}
func (s *IntRangeSlider) onChange(fn func()) { s.OnChange(func(_, _ [2]int) { fn() }) }
func (c choice) value() any                  { return c.Value() }
func (c choice) onChange(fn func())          { c.OnChange(func(string, string) { fn() }) }
func (c *Checkbox) value() any               { return c.Value() }
func (c *Checkbox) onChange(fn func())       { c.OnChange(func(bool, bool) { fn() }) }
func (t text) value() any                    { return t.Value() }
func (t text) onChange(fn func())            { t.OnChange(func(string, string) { fn() }) }

// Range is the abbreviation of an IntSlider for Interact: integers from
// Min to Max, starting at Value (Min when Value is outside).
type Range struct{ Min, Max, Value int }

// FloatRange is the abbreviation of a FloatSlider for Interact.
type FloatRange struct{ Min, Max, Step, Value float64 }

// Named gives the control an abbreviation makes a label:
// widgets.Named("workers", widgets.Range{1, 8, 2}).
func Named(label string, abbreviation any) any { return named{label, abbreviation} }

type named struct {
	label string
	abbr  any
}

// Interactive is a function's controls and the output of its last run
// (ipywidgets.interactive).
type Interactive struct {
	*Box
	// Controls are the widgets for fn's parameters, in order.
	Controls []Widget
	// Out shows what fn printed, displayed and returned on its last run.
	Out *Output

	fn    reflect.Value
	ctrls []control
}

// Interact shows controls for fn's parameters above fn's output and runs
// fn again whenever one of them changes, as ipywidgets.interact does. Give
// one control per parameter: a widget (an *IntSlider for an int, a
// *Dropdown for a string...) or an abbreviation of one: Range or
// [2]int{min, max} for an int (a slider), FloatRange or
// [3]float64{min, max, step} for a float64, []string for a string (a
// dropdown), a string (a text field), a bool (a checkbox); Named labels
// one. fn's results, if any, are shown after its output.
func Interact(fn any, controls ...any) error {
	in, err := NewInteractive(fn, controls...)
	if err != nil {
		return err
	}
	display.Show(in)
	return nil
}

// NewInteractive is Interact without showing the result: it makes the
// controls and the output, runs fn once, and returns them.
func NewInteractive(fn any, controls ...any) (*Interactive, error) {
	f := reflect.ValueOf(fn)
	if f.Kind() != reflect.Func || f.IsNil() {
		return nil, fmt.Errorf("widgets.Interact: want a function, got %T", fn)
	}
	t := f.Type()
	if t.IsVariadic() {
		return nil, errors.New("widgets.Interact: a variadic function's controls are not known; give it fixed parameters")
	}
	if len(controls) != t.NumIn() {
		return nil, fmt.Errorf("widgets.Interact: the function has %d parameters and %d controls were given; give one per parameter", t.NumIn(), len(controls))
	}
	in := &Interactive{fn: f, Out: NewOutput()}
	for i, c := range controls {
		ctl, err := makeControl(c, t.In(i), i)
		if err != nil {
			return nil, fmt.Errorf("widgets.Interact: parameter %d (%s): %w", i+1, t.In(i), err)
		}
		in.ctrls = append(in.ctrls, ctl)
		in.Controls = append(in.Controls, ctl)
	}
	for _, c := range in.ctrls {
		c.onChange(in.run)
	}
	in.Box = VBox(append(append([]Widget{}, in.Controls...), in.Out)...)
	in.run()
	return in, nil
}

// run calls fn with the controls' values, its output replacing the last.
func (in *Interactive) run() {
	in.Out.Capture(func() {
		in.Out.Clear(true)
		args := make([]reflect.Value, len(in.ctrls))
		for i, c := range in.ctrls {
			args[i] = reflect.ValueOf(c.value()).Convert(in.fn.Type().In(i))
		}
		for _, r := range in.fn.Call(args) {
			if r.Kind() == reflect.Interface && r.IsNil() || !r.IsValid() {
				continue
			}
			display.Show(r.Interface())
		}
	})
}

// makeControl makes the control for parameter i of type t from c, a
// widget or an abbreviation.
func makeControl(c any, t reflect.Type, i int) (control, error) {
	label := fmt.Sprintf("x%d", i+1)
	if n, ok := c.(named); ok {
		label, c = n.label, n.abbr
	}
	var ctl control
	switch x := c.(type) {
	case control:
		ctl = x
	case Range:
		ctl = NewIntSlider(label, x.Min, x.Max, x.Value)
	case [2]int:
		ctl = NewIntSlider(label, x[0], x[1], (x[0]+x[1])/2)
	case FloatRange:
		ctl = NewFloatSlider(label, x.Min, x.Max, x.Step, x.Value)
	case [3]float64:
		ctl = NewFloatSlider(label, x[0], x[1], x[2], (x[0]+x[1])/2)
	case []string:
		ctl = NewDropdown(label, x, "")
	case string:
		ctl = NewText(label, x)
	case bool:
		ctl = NewCheckbox(label, x)
	case int:
		ctl = NewIntSlider(label, min(-x, 3*x), max(-x, 3*x), x)
	case float64:
		ctl = NewFloatSlider(label, min(-x, 3*x), max(-x, 3*x), 0, x)
	default:
		return nil, fmt.Errorf("no control for %T; give a widget, Range, FloatRange, []string, string or bool", c)
	}
	if vt := reflect.TypeOf(ctl.value()); !vt.ConvertibleTo(t) || kindClass(vt) != kindClass(t) {
		return nil, fmt.Errorf("%s gives %s values", strings.TrimPrefix(fmt.Sprintf("%T", ctl), "*widgets."), vt)
	}
	return ctl, nil
}

// kindClass groups kinds whose values convert without surprises (an int
// slider feeds any integer parameter, not a string one).
func kindClass(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	}
	return t.Kind().String()
}
