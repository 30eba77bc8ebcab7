package runner

import (
	"io"
	"sync"
)

// outputs collects one cell's outputs in the order they happen. The cell's
// stdout and stderr are written from several goroutines (the interpreter's
// fd capture, mp's readers of child processes), so every change holds mu.
// Once the cell's outputs are taken, later writes (from goroutines the cell
// left running) are dropped, as nbclient drops output that arrives after
// the cell's reply.
type outputs struct {
	mu        sync.Mutex
	list      []Output
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
	if !o.taken {
		o.clearPending()
		o.list = appendOutput(o.list, out)
	}
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
	o.list = nil
	o.gen++
}

// clearPending carries out a waiting clear; o.mu is held.
func (o *outputs) clearPending() {
	if o.clearNext {
		o.clearNext = false
		o.list = nil
		o.gen++
	}
}

// take returns the outputs and ends the collection.
func (o *outputs) take() []Output {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.taken = true
	return o.list
}

// appendOutput appends out to list, merging consecutive streams of the same
// name into one output.
func appendOutput(list []Output, out Output) []Output {
	if out.OutputType == "stream" && len(list) > 0 {
		last := &list[len(list)-1]
		if last.OutputType == "stream" && last.Name == out.Name {
			last.Text += out.Text
			return list
		}
	}
	return append(list, out)
}

// MergeStreams returns outs with consecutive stream outputs of the same
// name merged, the form gomp run writes (nbconvert writes one output per
// stream message).
func MergeStreams(outs []Output) []Output {
	var merged []Output
	for _, o := range outs {
		merged = appendOutput(merged, o)
	}
	return merged
}

type streamWriter struct {
	o    *outputs
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		w.o.add(Output{OutputType: "stream", Name: w.name, Text: MultilineString(p)})
	}
	return len(p), nil
}
