package widgets

// IntProgress is a progress bar for a count (ipywidgets.IntProgress).
type IntProgress struct{ *model }

// NewIntProgress makes a progress bar labelled description from min to
// max, at value.
func NewIntProgress(description string, min, max, value int) *IntProgress {
	min, max = ordered(min, max)
	return &IntProgress{newModel("IntProgress", "ProgressStyleModel", map[string]any{
		"description": description, "min": min, "max": max, "value": clamp(value, min, max)})}
}

// Value returns the bar's value.
func (p *IntProgress) Value() int { v, _ := p.get("value").(int); return v }

// SetValue moves the bar to v (within its range).
func (p *IntProgress) SetValue(v int) {
	lo, _ := p.get("min").(int)
	hi, _ := p.get("max").(int)
	p.set(map[string]any{"value": clamp(v, lo, hi)})
}

// SetMax changes the value at which the bar is full.
func (p *IntProgress) SetMax(max int) { p.set(map[string]any{"max": max}) }

// SetBarStyle colours the bar: "success", "info", "warning", "danger" or
// "" (ipywidgets' bar_style).
func (p *IntProgress) SetBarStyle(style string) { p.set(map[string]any{"bar_style": style}) }

// FloatProgress is a progress bar for a number (ipywidgets.FloatProgress).
type FloatProgress struct{ *model }

// NewFloatProgress makes a progress bar labelled description from min to
// max, at value.
func NewFloatProgress(description string, min, max, value float64) *FloatProgress {
	min, max = ordered(min, max)
	return &FloatProgress{newModel("FloatProgress", "ProgressStyleModel", map[string]any{
		"description": description, "min": min, "max": max, "value": clamp(value, min, max)})}
}

// Value returns the bar's value.
func (p *FloatProgress) Value() float64 { v, _ := p.get("value").(float64); return v }

// SetValue moves the bar to v (within its range).
func (p *FloatProgress) SetValue(v float64) {
	lo, _ := p.get("min").(float64)
	hi, _ := p.get("max").(float64)
	p.set(map[string]any{"value": clamp(v, lo, hi)})
}

// SetBarStyle colours the bar: "success", "info", "warning", "danger" or
// "".
func (p *FloatProgress) SetBarStyle(style string) { p.set(map[string]any{"bar_style": style}) }
