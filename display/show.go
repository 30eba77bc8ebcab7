package display

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Kind says what an Output asks the frontend to do.
type Kind uint8

// The kinds of Output, after the Jupyter messages they become.
const (
	KindDisplay Kind = iota + 1 // display_data: show Data, under ID if set
	KindUpdate                  // update_display_data: replace what ID shows
	KindClear                   // clear_output: clear the cell, at the next output if Wait
)

// Output is one display action, as a host receives it.
type Output struct {
	Kind     Kind           `json:"kind"`
	Data     Bundle         `json:"data,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
	// ID is the display id: outputs shown with an ID can be updated later.
	ID string `json:"id,omitempty"`
	// Wait, for KindClear, delays clearing until the next output arrives,
	// so a redraw does not flicker.
	Wait bool `json:"wait,omitempty"`
}

// Publisher delivers display actions to wherever the cell's output goes.
type Publisher func(Output) error

var pub struct {
	mu sync.RWMutex
	fn Publisher
}

// SetPublisher installs the host's publisher and returns the one it
// replaces. gomp's kernel, workers and runner call it; cells need not.
func SetPublisher(p Publisher) Publisher {
	pub.mu.Lock()
	defer pub.mu.Unlock()
	old := pub.fn
	pub.fn = p
	return old
}

// Publish hands o to the installed publisher. Without one it prints
// o.Data's text/plain to standard output, so programs outside a notebook
// still show something.
func Publish(o Output) error {
	pub.mu.RLock()
	fn := pub.fn
	pub.mu.RUnlock()
	if fn != nil {
		return fn(o)
	}
	return PrintText(os.Stdout, o)
}

// PrintText is how a front without rich output shows o: its text/plain
// on a line of w; a clear_output, or data without text, prints nothing.
func PrintText(w io.Writer, o Output) error {
	t, ok := o.Data[MIMEText].(string)
	if !ok || o.Kind == KindClear {
		return nil
	}
	_, err := fmt.Fprintln(w, t)
	return err
}

// Handle is one displayed output that can be redrawn in place.
type Handle struct {
	id string
}

// ID returns the display id the frontend knows the output by ("" for a
// nil Handle).
func (h *Handle) ID() string {
	if h == nil {
		return ""
	}
	return h.id
}

// Update replaces what the output shows with v (update_display_data):
// every output shown under this handle's ID changes, wherever it is.
func (h *Handle) Update(v any) error {
	if h == nil {
		return errors.New("display: Update of a nil *Handle (keep the one Show returned)")
	}
	return Publish(Output{Kind: KindUpdate, Data: Of(v), ID: h.id})
}

// Update replaces what h shows with v; it is h.Update(v).
func Update(h *Handle, v any) error { return h.Update(v) }

// Show displays v below the cell's other output and returns a Handle to
// redraw it. v shows as its rich representation (see Represent), or as
// text.
func Show(v any) *Handle {
	return ShowBundle(Of(v), nil)
}

// ShowAs displays v under a display id the caller chooses, as IPython's
// display(obj, display_id="name"): code that knows the id, in this cell,
// a later one or an mp child, can redraw it with HandleOf(id).Update.
func ShowAs(id string, v any) *Handle {
	h := &Handle{id: id}
	_ = Publish(Output{Kind: KindDisplay, Data: Of(v), ID: id})
	return h
}

// HandleOf returns a handle on the outputs shown under id (with ShowAs),
// for example in an mp child that updates a line its parent showed.
func HandleOf(id string) *Handle { return &Handle{id: id} }

// ShowBundle displays data with metadata (for example
// {"image/png": {"width": 300}}) and returns a Handle to redraw it.
// Publishing errors are not returned: output, like fmt.Print's, is best
// effort; Handle.Update returns them for callers that care.
func ShowBundle(data Bundle, metadata map[string]any) *Handle {
	h := &Handle{id: newID()}
	_ = Publish(Output{Kind: KindDisplay, Data: data, Metadata: metadata, ID: h.id})
	return h
}

// Clear clears the cell's output so far. With wait, the frontend clears
// only when the next output arrives, which redraws without flicker.
func Clear(wait bool) {
	_ = Publish(Output{Kind: KindClear, Wait: wait})
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
