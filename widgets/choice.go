package widgets

import (
	"fmt"
	"slices"
)

// choice is a selection of one option by index: Dropdown and
// ToggleButtons.
type choice struct {
	*model
	changes *observers[string]
}

func newChoice(kind, style, description string, options []string, value string) choice {
	options = slices.Clone(options)
	var index any
	if i := slices.Index(options, value); i >= 0 {
		index = i
	} else if len(options) > 0 {
		index = 0
	}
	c := choice{changes: &observers[string]{}}
	set := map[string]any{"description": description, "_options_labels": options, "index": index}
	if kind == "ToggleButtons" {
		set["tooltips"] = []string{}
	}
	c.model = newModel(kind, style, set)
	c.watch("index", field{accept: acceptIndex, changed: func(old, new any) []Call {
		return c.changes.calls(label(options, old), label(options, new))
	}})
	return c
}

func acceptIndex(v any, st map[string]any) (any, error) {
	n, err := asInt(v)
	if err != nil {
		return nil, err
	}
	labels, _ := st["_options_labels"].([]string)
	if n < 0 || n >= len(labels) {
		return nil, fmt.Errorf("index %d out of range for %d options", n, len(labels))
	}
	return n, nil
}

// label is the option at index i (an int, or nil for none).
func label(options []string, i any) string {
	if n, ok := i.(int); ok && n >= 0 && n < len(options) {
		return options[n]
	}
	return ""
}

// Value returns the selected option ("" when there are none).
func (c choice) Value() string {
	labels, _ := c.get("_options_labels").([]string)
	return label(labels, c.get("index"))
}

// Index returns the position of the selected option, -1 for none.
func (c choice) Index() int {
	if n, ok := c.get("index").(int); ok {
		return n
	}
	return -1
}

// SetValue selects option; it fails if option is not one of the options.
// The OnChange callbacks are called if the selection changed.
func (c choice) SetValue(option string) error {
	labels, _ := c.get("_options_labels").([]string)
	i := slices.Index(labels, option)
	if i < 0 {
		return fmt.Errorf("widgets: %q is not one of the options %q", option, labels)
	}
	old := c.set(map[string]any{"index": i})["index"]
	if prev := label(labels, old); prev != option {
		c.changes.run(prev, option)
	}
	return nil
}

// OnChange calls fn with the old and new option whenever the selection
// changes.
func (c choice) OnChange(fn func(old, new string)) { c.changes.add(fn) }

// Dropdown selects one of several options from a list
// (ipywidgets.Dropdown).
type Dropdown struct{ choice }

// NewDropdown makes a dropdown labelled description with options, value
// selected (the first option if value is not one of them).
func NewDropdown(description string, options []string, value string) *Dropdown {
	return &Dropdown{newChoice("Dropdown", "DescriptionStyleModel", description, options, value)}
}

// ToggleButtons selects one of several options shown as buttons
// (ipywidgets.ToggleButtons).
type ToggleButtons struct{ choice }

// NewToggleButtons makes a row of buttons labelled description, one per
// option, value selected (the first if value is not an option).
func NewToggleButtons(description string, options []string, value string) *ToggleButtons {
	return &ToggleButtons{newChoice("ToggleButtons", "ToggleButtonsStyleModel", description, options, value)}
}
