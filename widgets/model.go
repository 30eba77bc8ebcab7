package widgets

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
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

// commData is the data of a widget comm_msg from the frontend.
type commData struct {
	Method      string         `json:"method"`
	State       map[string]any `json:"state"`
	BufferPaths [][]any        `json:"buffer_paths"`
	Content     map[string]any `json:"content"`
}

// receive applies a frontend's message to m. It answers an update with an
// echo_update of the values it accepted, and with an update of its own
// values where it refused or adjusted one, and returns the callbacks the
// changes call for.
func (m *model) receive(msg Message) ([]Call, error) {
	dec := json.NewDecoder(bytes.NewReader(msg.Data))
	dec.UseNumber()
	var d commData
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("widgets: %s %s: malformed message from the frontend: %w", m.kind, m.id[:8], err)
	}
	switch d.Method {
	case "update":
		if err := putBuffers(d.State, d.BufferPaths, msg.Buffers); err != nil {
			return nil, fmt.Errorf("widgets: %s %s: %w", m.kind, m.id[:8], err)
		}
		return m.update(d.State)
	case "request_state":
		m.sendState("update", m.snapshot())
		return nil, nil
	case "custom":
		m.mu.Lock()
		custom := m.custom
		m.mu.Unlock()
		if custom == nil {
			return nil, fmt.Errorf("widgets: %s %s takes no custom messages (got %v)", m.kind, m.id[:8], d.Content)
		}
		calls, err := custom(d.Content)
		return m.name("custom message", calls), err
	}
	return nil, fmt.Errorf("widgets: %s %s: unknown method %q from the frontend", m.kind, m.id[:8], d.Method)
}

// update applies a frontend's state update (see receive).
func (m *model) update(st map[string]any) ([]Call, error) {
	keys := slices.Sorted(maps.Keys(st))
	echo := map[string]any{}
	fix := map[string]any{}
	var errs []string
	type change struct {
		f        field
		old, new any
	}
	var changes []change
	m.mu.Lock()
	for _, k := range keys {
		cur, known := m.state[k]
		if !known {
			continue
		}
		f, typed := m.fields[k]
		if !typed {
			// Any other synced key (_view_count, outputs...) is kept
			// as sent, as ipywidgets does.
			m.state[k] = st[k]
			echo[k] = st[k]
			continue
		}
		v, err := f.accept(st[k], m.state)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", k, err))
			fix[k] = cur
			continue
		}
		echo[k] = st[k]
		m.state[k] = v
		if !sameJSON(v, st[k]) {
			fix[k] = v
		}
		if !reflect.DeepEqual(cur, v) && f.changed != nil {
			changes = append(changes, change{f, cur, v})
		}
	}
	m.mu.Unlock()
	if len(echo) > 0 {
		m.sendState("echo_update", echo)
	}
	if len(fix) > 0 {
		m.sendState("update", fix)
	}
	var calls []Call
	for _, c := range changes {
		calls = append(calls, c.f.changed(c.old, c.new)...)
	}
	calls = m.name("OnChange", calls)
	if len(errs) > 0 {
		return calls, fmt.Errorf("widgets: %s %s: the frontend sent a bad value, kept %s's own: %s", m.kind, m.id[:8], m.kind, strings.Join(errs, "; "))
	}
	return calls, nil
}

// name says in calls which callbacks of m they are.
func (m *model) name(what string, calls []Call) []Call {
	for i := range calls {
		calls[i].What = fmt.Sprintf("%s of %s %s", what, m.kind, m.id[:8])
	}
	return calls
}

// sameJSON reports whether stored and sent encode the same.
func sameJSON(stored, sent any) bool {
	a, err1 := json.Marshal(stored)
	b, err2 := json.Marshal(sent)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// putBuffers puts binary buffers into state at their paths, as
// ipywidgets' _put_buffers.
func putBuffers(st map[string]any, paths [][]any, buffers [][]byte) error {
	if len(paths) != len(buffers) {
		return fmt.Errorf("%d buffer paths for %d buffers", len(paths), len(buffers))
	}
	for i, p := range paths {
		if len(p) == 0 {
			return fmt.Errorf("buffer path %d is empty", i)
		}
		var cur any = st
		for j, step := range p {
			last := j == len(p)-1
			switch c := cur.(type) {
			case map[string]any:
				k, ok := step.(string)
				if !ok {
					return fmt.Errorf("buffer path %v: %v is not a key", p, step)
				}
				if last {
					c[k] = buffers[i]
				} else {
					cur = c[k]
				}
			case []any:
				n, ok := step.(json.Number)
				idx, err := n.Int64()
				if !ok || err != nil || idx < 0 || int(idx) >= len(c) {
					return fmt.Errorf("buffer path %v: %v is not an index", p, step)
				}
				if last {
					c[idx] = buffers[i]
				} else {
					cur = c[idx]
				}
			default:
				return fmt.Errorf("buffer path %v leads nowhere", p)
			}
		}
	}
	return nil
}
