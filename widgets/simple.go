package widgets

// Checkbox is a true/false box (ipywidgets.Checkbox).
type Checkbox struct {
	*model
	changes observers[bool]
}

// NewCheckbox makes a checkbox labelled description, checked if value.
func NewCheckbox(description string, value bool) *Checkbox {
	c := &Checkbox{}
	c.model = newModel("Checkbox", "CheckboxStyleModel", map[string]any{"description": description, "value": value})
	c.watch("value", field{accept: func(v any, _ map[string]any) (any, error) { return asBool(v) }, changed: c.changes.changed})
	return c
}

// Value reports whether the box is checked.
func (c *Checkbox) Value() bool { v, _ := c.get("value").(bool); return v }

// SetValue checks or clears the box and calls the OnChange callbacks if
// that changed it.
func (c *Checkbox) SetValue(v bool) {
	if old, _ := c.set(map[string]any{"value": v})["value"].(bool); old != v {
		c.changes.run(old, v)
	}
}

// OnChange calls fn with the old and new value whenever it changes.
func (c *Checkbox) OnChange(fn func(old, new bool)) { c.changes.add(fn) }

// text is a widget whose value is a string: Text, Textarea, Label, HTML.
type text struct {
	*model
	changes *observers[string]
}

func newText(kind, style string, set map[string]any, editable bool) text {
	t := text{model: newModel(kind, style, set), changes: &observers[string]{}}
	if editable {
		t.watch("value", field{accept: func(v any, _ map[string]any) (any, error) { return asString(v) }, changed: t.changes.changed})
	}
	return t
}

// Value returns the text.
func (t text) Value() string { v, _ := t.get("value").(string); return v }

// SetValue replaces the text and calls the OnChange callbacks if that
// changed it.
func (t text) SetValue(v string) {
	if old, _ := t.set(map[string]any{"value": v})["value"].(string); old != v {
		t.changes.run(old, v)
	}
}

// OnChange calls fn with the old and new text whenever it changes.
func (t text) OnChange(fn func(old, new string)) { t.changes.add(fn) }

// Text is a one-line text field (ipywidgets.Text).
type Text struct{ text }

// NewText makes a text field labelled description holding value.
func NewText(description, value string) *Text {
	return &Text{newText("Text", "TextStyleModel", map[string]any{"description": description, "value": value}, true)}
}

// Textarea is a text field of several lines (ipywidgets.Textarea).
type Textarea struct{ text }

// NewTextarea makes a text area labelled description holding value.
func NewTextarea(description, value string) *Textarea {
	return &Textarea{newText("Textarea", "TextStyleModel", map[string]any{"description": description, "value": value}, true)}
}

// Label shows a line of text the user cannot edit (ipywidgets.Label).
type Label struct{ text }

// NewLabel makes a label showing value.
func NewLabel(value string) *Label {
	return &Label{newText("Label", "LabelStyleModel", map[string]any{"value": value}, false)}
}

// HTML shows HTML the user cannot edit (ipywidgets.HTML).
type HTML struct{ text }

// NewHTML makes a widget showing the HTML value.
func NewHTML(value string) *HTML {
	return &HTML{newText("HTML", "HTMLStyleModel", map[string]any{"value": value}, false)}
}
