package widgets

// IntSlider is a slider for an integer between a minimum and a maximum
// (ipywidgets.IntSlider).
type IntSlider struct {
	*model
	changes observers[int]
}

// NewIntSlider makes a slider labelled description for integers from min
// to max, at value (moved into the range).
func NewIntSlider(description string, min, max, value int) *IntSlider {
	min, max = ordered(min, max)
	s := &IntSlider{}
	s.model = newModel("IntSlider", "SliderStyleModel", map[string]any{
		"description": description, "min": min, "max": max, "step": 1, "value": clamp(value, min, max)})
	s.watch("value", field{accept: acceptInt, changed: s.changes.changed})
	return s
}

// acceptInt takes an integer and moves it into the state's min..max.
func acceptInt(v any, st map[string]any) (any, error) {
	n, err := asInt(v)
	if err != nil {
		return nil, err
	}
	lo, _ := st["min"].(int)
	hi, _ := st["max"].(int)
	return clamp(n, lo, hi), nil
}

// Value returns the slider's value.
func (s *IntSlider) Value() int { v, _ := s.get("value").(int); return v }

// SetValue moves the slider to v (within its range) and calls the
// OnChange callbacks if the value changed.
func (s *IntSlider) SetValue(v int) {
	lo, _ := s.get("min").(int)
	hi, _ := s.get("max").(int)
	v = clamp(v, lo, hi)
	if old, _ := s.set(map[string]any{"value": v})["value"].(int); old != v {
		s.changes.run(old, v)
	}
}

// SetStep sets how far one step of the slider moves it.
func (s *IntSlider) SetStep(step int) { s.set(map[string]any{"step": max(step, 1)}) }

// OnChange calls fn with the old and new value whenever the value
// changes, from the page or from Go.
func (s *IntSlider) OnChange(fn func(old, new int)) { s.changes.add(fn) }

// FloatSlider is a slider for a number between a minimum and a maximum
// (ipywidgets.FloatSlider).
type FloatSlider struct {
	*model
	changes observers[float64]
}

// NewFloatSlider makes a slider labelled description for numbers from
// min to max in steps of step, at value.
func NewFloatSlider(description string, min, max, step, value float64) *FloatSlider {
	min, max = ordered(min, max)
	if step <= 0 {
		step = (max - min) / 100
	}
	s := &FloatSlider{}
	s.model = newModel("FloatSlider", "SliderStyleModel", map[string]any{
		"description": description, "min": min, "max": max, "step": step, "value": clamp(value, min, max)})
	s.watch("value", field{accept: acceptFloat, changed: s.changes.changed})
	return s
}

func acceptFloat(v any, st map[string]any) (any, error) {
	f, err := asFloat(v)
	if err != nil {
		return nil, err
	}
	lo, _ := st["min"].(float64)
	hi, _ := st["max"].(float64)
	return clamp(f, lo, hi), nil
}

// Value returns the slider's value.
func (s *FloatSlider) Value() float64 { v, _ := s.get("value").(float64); return v }

// SetValue moves the slider to v (within its range) and calls the
// OnChange callbacks if the value changed.
func (s *FloatSlider) SetValue(v float64) {
	lo, _ := s.get("min").(float64)
	hi, _ := s.get("max").(float64)
	v = clamp(v, lo, hi)
	if old, _ := s.set(map[string]any{"value": v})["value"].(float64); old != v {
		s.changes.run(old, v)
	}
}

// OnChange calls fn with the old and new value whenever the value changes.
func (s *FloatSlider) OnChange(fn func(old, new float64)) { s.changes.add(fn) }

// IntRangeSlider selects a range of integers, low to high
// (ipywidgets.IntRangeSlider).
type IntRangeSlider struct {
	*model
	changes observers[[2]int]
}

// NewIntRangeSlider makes a range slider labelled description over min
// to max, selecting low to high.
func NewIntRangeSlider(description string, min, max, low, high int) *IntRangeSlider {
	min, max = ordered(min, max)
	low, high = ordered(clamp(low, min, max), clamp(high, min, max))
	s := &IntRangeSlider{}
	s.model = newModel("IntRangeSlider", "SliderStyleModel", map[string]any{
		"description": description, "min": min, "max": max, "step": 1, "value": [2]int{low, high}})
	s.watch("value", field{accept: acceptRange, changed: s.changes.changed})
	return s
}

func acceptRange(v any, st map[string]any) (any, error) {
	l, ok := v.([]any)
	if !ok || len(l) != 2 {
		return nil, errorf("want [low, high], got %s", describe(v))
	}
	var r [2]int
	for i := range r {
		n, err := asInt(l[i])
		if err != nil {
			return nil, err
		}
		lo, _ := st["min"].(int)
		hi, _ := st["max"].(int)
		r[i] = clamp(n, lo, hi)
	}
	r[0], r[1] = ordered(r[0], r[1])
	return r, nil
}

// Value returns the selected range.
func (s *IntRangeSlider) Value() (low, high int) {
	r, _ := s.get("value").([2]int)
	return r[0], r[1]
}

// SetValue selects low to high (within the slider's range) and calls the
// OnChange callbacks if the range changed.
func (s *IntRangeSlider) SetValue(low, high int) {
	lo, _ := s.get("min").(int)
	hi, _ := s.get("max").(int)
	low, high = ordered(clamp(low, lo, hi), clamp(high, lo, hi))
	v := [2]int{low, high}
	if old, _ := s.set(map[string]any{"value": v})["value"].([2]int); old != v {
		s.changes.run(old, v)
	}
}

// OnChange calls fn with the old and new range ([low, high]) whenever it
// changes.
func (s *IntRangeSlider) OnChange(fn func(old, new [2]int)) { s.changes.add(fn) }

func ordered[T int | float64](a, b T) (T, T) {
	if b < a {
		return b, a
	}
	return a, b
}
