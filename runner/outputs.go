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
	mu    sync.Mutex
	list  []Output
	taken bool
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
		o.list = appendOutput(o.list, out)
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
