package widgets

import (
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/gomp-kernel/gomp/display"
)

// syncEvery bounds how often an Output sends its outputs while text keeps
// arriving: a loop printing many lines into it sends a few updates, not
// one per line (each update carries every output so far).
const syncEvery = 50 * time.Millisecond

// Output shows what Go code prints and displays while it captures, as a
// cell's output area does (ipywidgets.Output).
type Output struct {
	*model

	mu        sync.Mutex
	outputs   []map[string]any
	byID      map[string]int // display id to its output's index
	clearNext bool           // a Clear(true) waits for the next output
	timer     *time.Timer    // a pending sync; nil when none
	sending   sync.Mutex     // keeps syncs in the order of their snapshots
}

// NewOutput makes an empty output area.
func NewOutput() *Output {
	return &Output{model: newModel("Output", "", nil), byID: map[string]int{}}
}

// Capture runs fn with everything it prints and displays going into o
// (Python's `with out:`). A panic in fn is shown in o and stops fn only:
// Capture returns normally, as ipywidgets' Output swallows the exception
// it shows.
func (o *Output) Capture(fn func()) {
	restore := func() {}
	if h := currentHost(); h != nil {
		restore = h.Redirect(o.sink())
	}
	defer func() {
		r := recover()
		restore()
		if r != nil {
			o.append("stderr", fmt.Sprintf("panic: %v\n", r))
		}
		o.flush()
	}()
	fn()
}

// sink is o as a destination of output.
func (o *Output) sink() Sink {
	return Sink{Stdout: streamWriter{o, "stdout"}, Stderr: streamWriter{o, "stderr"}, Display: o.display}
}

// Clear removes what o shows; with wait, only when the next output
// arrives, so that a redraw does not flicker.
func (o *Output) Clear(wait bool) {
	o.mu.Lock()
	if wait {
		o.clearNext = true
		o.mu.Unlock()
		return
	}
	o.outputs, o.byID, o.clearNext = nil, map[string]int{}, false
	o.mu.Unlock()
	o.flush()
}

// AppendText adds text to o's stdout, as if printed while capturing.
func (o *Output) AppendText(s string) { o.append("stdout", s) }

// streamWriter is one of o's streams as an io.Writer.
type streamWriter struct {
	o    *Output
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.o.append(w.name, string(p))
	return len(p), nil
}

// append adds stream text, merged with the last output when it is text of
// the same stream.
func (o *Output) append(name, s string) {
	if s == "" {
		return
	}
	o.mu.Lock()
	o.clearPending()
	if n := len(o.outputs); n > 0 && o.outputs[n-1]["output_type"] == "stream" && o.outputs[n-1]["name"] == name {
		o.outputs[n-1]["text"] = o.outputs[n-1]["text"].(string) + s
	} else {
		o.outputs = append(o.outputs, map[string]any{"output_type": "stream", "name": name, "text": s})
	}
	o.schedule()
	o.mu.Unlock()
}

// display takes what the display package shows while o captures.
func (o *Output) display(d display.Output) error {
	if d.Kind == display.KindClear {
		o.Clear(d.Wait)
		return nil
	}
	out := map[string]any{"output_type": "display_data", "data": maps.Clone(d.Data), "metadata": orEmpty(d.Metadata)}
	o.mu.Lock()
	if i, ok := o.byID[d.ID]; ok && d.ID != "" && d.Kind == display.KindUpdate {
		o.outputs[i] = out
	} else if d.Kind == display.KindDisplay {
		o.clearPending()
		o.outputs = append(o.outputs, out)
		if d.ID != "" {
			o.byID[d.ID] = len(o.outputs) - 1
		}
	}
	o.schedule()
	o.mu.Unlock()
	return nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// clearPending applies a waiting Clear(true); o.mu is held.
func (o *Output) clearPending() {
	if o.clearNext {
		o.outputs, o.byID, o.clearNext = nil, map[string]int{}, false
	}
}

// schedule arranges a sync soon; o.mu is held.
func (o *Output) schedule() {
	if o.timer == nil {
		o.timer = time.AfterFunc(syncEvery, o.flush)
	}
}

// flush sends the outputs now.
func (o *Output) flush() {
	o.sending.Lock()
	defer o.sending.Unlock()
	o.mu.Lock()
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	outs := make([]map[string]any, len(o.outputs))
	for i, out := range o.outputs {
		outs[i] = maps.Clone(out)
	}
	o.mu.Unlock()
	o.set(map[string]any{"outputs": outs})
}

// Outputs returns what o shows, as nbformat outputs.
func (o *Output) Outputs() []map[string]any {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]map[string]any, len(o.outputs))
	for i, x := range o.outputs {
		out[i] = maps.Clone(x)
	}
	return out
}
