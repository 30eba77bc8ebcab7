package widgets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

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
