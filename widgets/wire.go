package widgets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/gomp-kernel/gomp/display"
)

// Comm targets and versions of the ipywidgets 8 protocol.
const (
	// Target is the comm target of widget models.
	Target = "jupyter.widget"
	// ControlTarget is the comm target through which a widget manager
	// asks for every model's state when it connects (a page reload).
	ControlTarget = "jupyter.widget.control"
	// ProtocolVersion is the widget message protocol spoken, sent in each
	// comm_open's metadata.
	ProtocolVersion = "2.1.0"
)

// Message is one comm message in either direction; its fields match the
// kernel's CommMessage, so gomp's engine converts one to the other.
type Message struct {
	// Type is "comm_open", "comm_msg" or "comm_close".
	Type     string
	CommID   string
	Target   string // comm_open only
	Data     json.RawMessage
	Metadata json.RawMessage
	Buffers  [][]byte
}

// Sink is where output goes: a cell's writers and display function, or
// an Output widget's.
type Sink struct {
	Stdout, Stderr io.Writer
	Display        func(display.Output) error
}

// Host connects the package to a frontend. gomp's cell front implements
// it and installs it with SetHost.
type Host interface {
	// Send publishes m to the frontends. It fails where there are none
	// (gomp run), and widgets then live in Go alone.
	Send(m Message) error
	// Origin returns a token for where output goes now: the running cell,
	// or the callback running now. A widget keeps the one current when it
	// was made; the host runs the widget's callbacks with that output.
	Origin() any
	// Redirect sends the output of the code running now to s until
	// restore is called (Output.Capture).
	Redirect(s Sink) (restore func())
}

// Call is a callback Receive asks the host to run, with the output of
// Origin, serialised with cells and interruptible like them.
type Call struct {
	Origin any
	// What names the callback in errors, e.g. "OnChange of IntSlider 3f2a".
	What string
	Fn   func()
}

// ErrUnknownTarget is returned by Receive for a comm_open whose target the
// package does not serve: the kernel then closes the comm.
var ErrUnknownTarget = errors.New("unknown comm target")

// state is the package's process-wide wiring: the host, the models by
// comm id, and what is known of the frontend.
var state struct {
	mu      sync.Mutex
	host    Host
	models  map[string]*model
	control map[string]bool // open control comms

	manager atomic.Bool // a widget manager has spoken to the kernel
}

// SetHost installs h and returns the host it replaces.
func SetHost(h Host) Host {
	state.mu.Lock()
	defer state.mu.Unlock()
	old := state.host
	state.host = h
	return old
}

func currentHost() Host {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.host
}

// Available reports whether a frontend with a widget manager (JupyterLab,
// Notebook 7) has connected to this kernel: it opens a
// "jupyter.widget.control" comm when it does. Code that has a plain
// alternative, like mp's progress bar, uses widgets only then.
func Available() bool { return state.manager.Load() }

// send publishes a comm message through the host; without a host it does
// nothing.
func send(m Message) error {
	h := currentHost()
	if h == nil {
		return errNoFrontend
	}
	return h.Send(m)
}

var errNoFrontend = errors.New("no frontend is connected")

func origin() any {
	if h := currentHost(); h != nil {
		return h.Origin()
	}
	return nil
}

// register makes m reachable by its comm id.
func register(m *model) {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.models == nil {
		state.models = map[string]*model{}
	}
	state.models[m.id] = m
}

func lookup(id string) *model {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.models[id]
}

// Receive handles a comm message from a frontend and returns the
// callbacks it calls for, for the host to run in order. The error says
// what was wrong with the message (an unknown target, a comm_msg that is
// not an object, a value of the wrong type); the parts that were right
// have been applied.
func Receive(m Message) ([]Call, error) {
	switch m.Type {
	case "comm_open":
		return nil, open(m)
	case "comm_close":
		state.mu.Lock()
		delete(state.control, m.CommID)
		if w := state.models[m.CommID]; w != nil {
			w.closed.Store(true)
		}
		state.mu.Unlock()
		return nil, nil
	case "comm_msg":
		state.mu.Lock()
		control := state.control[m.CommID]
		state.mu.Unlock()
		if control {
			return nil, requestStates(m)
		}
		w := lookup(m.CommID)
		if w == nil {
			return nil, fmt.Errorf("widgets: comm_msg for comm %s, which is no widget of this kernel", m.CommID)
		}
		state.manager.Store(true)
		return w.receive(m)
	}
	return nil, fmt.Errorf("widgets: unknown comm message type %q", m.Type)
}

// open accepts the control comm a widget manager opens when it connects.
// Models are made by the kernel; a frontend opening one is refused.
func open(m Message) error {
	if m.Target != ControlTarget {
		return fmt.Errorf("%w %q (widgets serves %s; models are made by cells)", ErrUnknownTarget, m.Target, ControlTarget)
	}
	var md struct {
		Version string `json:"version"`
	}
	if len(m.Metadata) > 0 {
		if err := json.Unmarshal(m.Metadata, &md); err != nil {
			return fmt.Errorf("widgets: control comm metadata: %w", err)
		}
	}
	if md.Version != "" && md.Version[0] != '1' {
		return fmt.Errorf("widgets: control protocol version %q not supported (want 1.x)", md.Version)
	}
	state.mu.Lock()
	if state.control == nil {
		state.control = map[string]bool{}
	}
	state.control[m.CommID] = true
	state.mu.Unlock()
	state.manager.Store(true)
	return nil
}

// requestStates answers a control comm's request_states with the state
// of every open model, as ipywidgets' Widget._handle_control_comm_msg.
func requestStates(m Message) error {
	var d struct {
		Method string `json:"method"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil {
		return fmt.Errorf("widgets: control message: %w", err)
	}
	if d.Method != "request_states" {
		return fmt.Errorf("widgets: control message with unknown method %q", d.Method)
	}
	state.mu.Lock()
	models := make([]*model, 0, len(state.models))
	for _, w := range state.models {
		models = append(models, w)
	}
	state.mu.Unlock()
	states := map[string]any{}
	for _, w := range models {
		if w.closed.Load() {
			continue
		}
		st := w.snapshot()
		states[w.id] = map[string]any{
			"model_name": st["_model_name"], "model_module": st["_model_module"],
			"model_module_version": st["_model_module_version"], "state": st,
		}
	}
	data, err := json.Marshal(map[string]any{"method": "update_states", "states": states, "buffer_paths": []any{}})
	if err != nil {
		return fmt.Errorf("widgets: encode states: %w", err)
	}
	return send(Message{Type: "comm_msg", CommID: m.CommID, Data: data})
}
