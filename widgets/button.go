package widgets

import (
	"fmt"
	"sync"
)

// Button is a button that calls Go functions when clicked
// (ipywidgets.Button).
type Button struct {
	*model
	mu     sync.Mutex
	clicks []Call // Fn and the origin of each OnClick
}

// NewButton makes a button labelled description.
func NewButton(description string) *Button {
	b := &Button{}
	b.model = newModel("Button", "ButtonStyleModel", map[string]any{"description": description})
	b.model.mu.Lock()
	b.model.custom = b.custom
	b.model.mu.Unlock()
	return b
}

// OnClick calls fn each time the button is clicked in the page.
func (b *Button) OnClick(fn func()) {
	if fn == nil {
		return
	}
	at := origin()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clicks = append(b.clicks, Call{Origin: at, Fn: fn})
}

// Click calls the OnClick functions, as a click in the page does.
func (b *Button) Click() {
	for _, c := range b.handlers() {
		c.Fn()
	}
}

func (b *Button) handlers() []Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Call{}, b.clicks...)
}

// custom answers the frontend's {"event": "click"}.
func (b *Button) custom(content map[string]any) ([]Call, error) {
	if content["event"] != "click" {
		return nil, fmt.Errorf("widgets: Button got an unknown event %v", content["event"])
	}
	return b.handlers(), nil
}

// SetStyle sets the button's look: "primary", "success", "info",
// "warning", "danger" or "" (ipywidgets' button_style).
func (b *Button) SetStyle(style string) { b.set(map[string]any{"button_style": style}) }
