package runner

import (
	"io"
	"strings"
	"sync"
)

// outputs collects one cell's outputs in the order they happen. The cell's
// stdout and stderr are written from several goroutines (the interpreter's
// fd capture, mp's readers of child processes), so every change holds mu.
// Once the cell's outputs are taken, later writes (from goroutines the cell
// left running) are dropped, as nbclient drops output that arrives after
// the cell's reply.
type outputs struct {
	mu   sync.Mutex
	list []Output
	// text holds the text of the last output while it is a stream still
	// growing: writes append to it, and it becomes that output's Text only
	// when another output follows, the list is read, or it is taken. A
	// cell printing megabytes in small writes costs linear time this way,
	// not a copy of everything so far per write.
	text      strings.Builder
	taken     bool
	gen       int  // counts clears, so that display refs know they are stale
	clearNext bool // clear_output with wait: clear before the next output
}

// stream returns a writer whose bytes become stream outputs named name
// ("stdout" or "stderr").
func (o *outputs) stream(name string) io.Writer { return streamWriter{o, name} }

// add appends out, merging a stream output into the previous one when both
// are the same stream, as nbclient's coalescing does.
func (o *outputs) add(out Output) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.taken {
		return
	}
	if out.OutputType == "stream" {
		o.appendStream(out.Name, []byte(out.Text))
		return
	}
	o.clearPending()
	o.flushText()
	o.list = append(o.list, out)
}

// addStream appends p, written to the stream name ("stdout" or "stderr").
func (o *outputs) addStream(name string, p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.taken {
		o.appendStream(name, p)
	}
}

// appendStream appends p to the last output when that is the stream name,
// else starts a new stream output; o.mu is held.
func (o *outputs) appendStream(name string, p []byte) {
	o.clearPending()
	if n := len(o.list); n == 0 || o.list[n-1].OutputType != "stream" || o.list[n-1].Name != name {
		o.flushText()
		o.list = append(o.list, Output{OutputType: "stream", Name: name})
	}
	o.text.Write(p)
}

// flushText makes the growing stream text the last output's Text; o.mu
// is held.
func (o *outputs) flushText() {
	if o.text.Len() == 0 {
		return
	}
	o.list[len(o.list)-1].Text = MultilineString(o.text.String())
	o.text = strings.Builder{}
}

// addDisplay appends a display output and returns the generation and
// index it can be updated under; ok is false once the outputs are taken.
func (o *outputs) addDisplay(out Output) (gen, index int, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.taken {
		return 0, 0, false
	}
	o.clearPending()
	o.flushText()
	o.list = append(o.list, out)
	return o.gen, len(o.list) - 1, true
}

// update replaces the data of output index, shown in generation gen; it
// also changes taken outputs, which is how a later cell redraws an
// earlier cell's display.
func (o *outputs) update(gen, index int, data MIMEData, md *map[string]any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if gen != o.gen || index >= len(o.list) {
		return
	}
	o.list[index].Data = data
	o.list[index].Metadata = md
}

// clear empties the outputs now, or before the next one with wait.
func (o *outputs) clear(wait bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.taken {
		return
	}
	if wait {
		o.clearNext = true
		return
	}
	o.list, o.text = nil, strings.Builder{}
	o.gen++
}

// clearPending carries out a waiting clear; o.mu is held.
func (o *outputs) clearPending() {
	if o.clearNext {
		o.clearNext = false
		o.list, o.text = nil, strings.Builder{}
		o.gen++
	}
}

// take returns the outputs and ends the collection.
func (o *outputs) take() []Output {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.taken {
		o.flushText()
	}
	o.taken = true
	return o.list
}

// MergeStreams returns outs with consecutive stream outputs of the same
// name merged, the form gomp run writes (nbconvert writes one output per
// stream message).
func MergeStreams(outs []Output) []Output {
	o := &outputs{}
	for _, out := range outs {
		o.add(out)
	}
	return o.take()
}

type streamWriter struct {
	o    *outputs
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		w.o.addStream(w.name, p)
	}
	return len(p), nil
}
