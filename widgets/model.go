package widgets

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomp-kernel/gomp/display"
)

// modelsJSON holds the default state of each ipywidgets 8.1 model this
// package makes, as ipywidgets' own get_state() gives it, without the
// layout and style references (testdata/jupyter/widget_models.py writes
// it; an e2e test checks it against the installed ipywidgets).
//
//go:embed models.json
var modelsJSON []byte

// defaults maps a model name (IntSliderModel) to its default state.
var defaults = func() map[string]map[string]any {
	var m map[string]map[string]any
	if err := json.Unmarshal(modelsJSON, &m); err != nil {
		panic(fmt.Sprintf("widgets: models.json: %v", err))
	}
	return m
}()

// viewMIME is the MIME type under which a frontend draws a widget model.
const viewMIME = "application/vnd.jupyter.widget-view+json"

// Widget is any widget: something with a model the frontend draws.
type Widget interface {
	// ModelID is the id of the widget's model, which is its comm's id.
	ModelID() string
	// MIMEBundle shows the widget (a widget view, and text for frontends
	// without a widget manager).
	MIMEBundle() display.Bundle
}

// field is a key of a model's state that the frontend may set.
type field struct {
	// accept checks a value the frontend sent (decoded JSON, numbers as
	// json.Number) and returns what to store, or an error saying what
	// was wrong with it. It is called with the model locked, with the
	// model's state.
	accept func(v any, st map[string]any) (any, error)
	// changed returns the callbacks for a change of the stored value.
	changed func(old, new any) []Call
}

// model is one widget model: its state, kept in step with the frontend
// over the comm whose id is the model's id.
type model struct {
	id   string
	kind string // IntSlider, for messages and text

	layout *model
	style  *model
	closed atomic.Bool

	mu     sync.Mutex
	state  map[string]any
	fields map[string]field
	custom func(content map[string]any) ([]Call, error)
}

// newModel makes a model of the named ipywidgets model ("IntSlider" for
// IntSliderModel) with its layout and style models (styleName "" for
// none), applies set over the defaults and opens its comm.
func newModel(kind, styleName string, set map[string]any) *model {
	m := &model{id: newID(), kind: kind, state: defaultState(kind + "Model"), fields: map[string]field{}}
	m.layout = newPart("LayoutModel")
	m.state["layout"] = ref(m.layout)
	if styleName != "" {
		m.style = newPart(styleName)
		m.state["style"] = ref(m.style)
	}
	maps.Copy(m.state, set)
	m.open()
	return m
}

// newPart makes a model without layout or style (a layout or a style).
func newPart(name string) *model {
	m := &model{id: newID(), kind: strings.TrimSuffix(name, "Model"), state: defaultState(name), fields: map[string]field{}}
	m.open()
	return m
}

func defaultState(name string) map[string]any {
	d, ok := defaults[name]
	if !ok {
		panic("widgets: no defaults for " + name)
	}
	st := make(map[string]any, len(d)+2)
	for k, v := range d {
		st[k] = cloneJSON(v)
	}
	return st
}

// cloneJSON copies a decoded JSON value, so that defaults are never shared.
func cloneJSON(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneJSON(e)
		}
		return out
	}
	return v
}

// ref is how one model's state refers to another.
func ref(m *model) string { return "IPY_MODEL_" + m.id }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// open registers m and opens its comm with the full state.
func (m *model) open() {
	register(m)
	data, err := json.Marshal(map[string]any{"state": m.snapshot(), "buffer_paths": []any{}})
	if err != nil {
		panic(fmt.Sprintf("widgets: encode %s state: %v", m.kind, err))
	}
	_ = send(Message{Type: "comm_open", CommID: m.id, Target: Target, Data: data,
		Metadata: json.RawMessage(`{"version":"` + ProtocolVersion + `"}`)})
}

// watch makes key settable from the frontend.
func (m *model) watch(key string, f field) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fields[key] = f
}

// snapshot copies the state.
func (m *model) snapshot() map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.state)
}

func (m *model) get(key string) any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state[key]
}

// set stores the values of kv and sends them to the frontend as one
// update; it returns the previous values.
func (m *model) set(kv map[string]any) map[string]any {
	m.mu.Lock()
	old := make(map[string]any, len(kv))
	for k, v := range kv {
		old[k] = m.state[k]
		m.state[k] = v
	}
	m.mu.Unlock()
	m.sendState("update", kv)
	return old
}

// sendState sends state under method (update, echo_update).
func (m *model) sendState(method string, st map[string]any) {
	if m.closed.Load() {
		return
	}
	data, err := json.Marshal(map[string]any{"method": method, "state": st, "buffer_paths": []any{}})
	if err != nil {
		return
	}
	_ = send(Message{Type: "comm_msg", CommID: m.id, Data: data})
}

// ModelID returns the id of the widget's model.
func (m *model) ModelID() string { return m.id }

// MIMEBundle shows the widget: a view of its model where there is a
// widget manager, its description as text elsewhere.
func (m *model) MIMEBundle() display.Bundle {
	return display.Bundle{
		viewMIME:         map[string]any{"version_major": 2, "version_minor": 0, "model_id": m.id},
		display.MIMEText: m.String(),
	}
}

// String describes the widget as ipywidgets' repr does: its kind and its
// value and description, if it has them.
func (m *model) String() string {
	st := m.snapshot()
	var parts []string
	for _, k := range []string{"value", "description", "options"} {
		v, ok := st[k]
		if !ok {
			continue
		}
		if k == "description" && v == "" {
			continue
		}
		b, _ := json.Marshal(v)
		parts = append(parts, k+"="+string(b))
	}
	if labels, ok := st["_options_labels"].([]string); ok {
		b, _ := json.Marshal(labels)
		parts = append(parts, "options="+string(b))
	}
	return m.kind + "(" + strings.Join(parts, ", ") + ")"
}

// SetDescription sets the label shown beside the widget.
func (m *model) SetDescription(text string) { m.set(map[string]any{"description": text}) }

// SetDisabled greys the widget out (true) so the user cannot change it.
func (m *model) SetDisabled(disabled bool) { m.set(map[string]any{"disabled": disabled}) }

// SetLayout sets one CSS property of the widget's layout, such as
// "width" to "300px" (names as ipywidgets' Layout: width, height,
// margin, border_top...).
func (m *model) SetLayout(property, value string) error {
	if m.layout == nil {
		return fmt.Errorf("widgets: %s has no layout", m.kind)
	}
	if _, ok := m.layout.snapshot()[property]; !ok {
		return fmt.Errorf("widgets: layout has no property %q", property)
	}
	m.layout.set(map[string]any{property: value})
	return nil
}

// Close closes the widget's comm: the frontend drops its model, and its
// views show nothing.
func (m *model) Close() {
	for _, p := range []*model{m, m.layout, m.style} {
		if p != nil && !p.closed.Swap(true) {
			_ = send(Message{Type: "comm_close", CommID: p.id, Data: json.RawMessage("{}")})
		}
	}
}
