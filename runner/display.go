package runner

import (
	"strings"
	"sync"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/mp"
)

// displays applies a notebook's display actions to its cells' outputs as
// nbclient does: display_data appends an output; update_display_data
// replaces the data of every output shown under the same display id, in
// any cell run so far; clear_output empties the cell's outputs, or, with
// wait, does so when the next output arrives.
type displays struct {
	// bar, if not nil, also gets the text of every progress bar redraw
	// (mp.WithProgress), for a log that has no notebook to draw in.
	bar func(text string)

	mu   sync.Mutex
	byID map[string][]displayRef
}

// displayRef is one output shown under a display id.
type displayRef struct {
	outs  *outputs
	gen   int // outs.gen when shown; a clear since makes the ref stale
	index int
}

// publisher returns the display function for the cell collecting outs.
func (d *displays) publisher(outs *outputs) func(display.Output) error {
	return func(o display.Output) error {
		if d.bar != nil && strings.HasPrefix(o.ID, mp.ProgressIDPrefix) {
			if t, ok := o.Data[display.MIMEText].(string); ok {
				d.bar(t)
			}
		}
		switch o.Kind {
		case display.KindClear:
			outs.clear(o.Wait)
		case display.KindDisplay:
			out := Output{OutputType: "display_data", Data: NewMIMEData(o.Data), Metadata: metadata(o.Metadata)}
			gen, i, ok := outs.addDisplay(out)
			if ok && o.ID != "" {
				d.mu.Lock()
				if d.byID == nil {
					d.byID = map[string][]displayRef{}
				}
				d.byID[o.ID] = append(d.byID[o.ID], displayRef{outs, gen, i})
				d.mu.Unlock()
			}
		case display.KindUpdate:
			d.mu.Lock()
			refs := d.byID[o.ID]
			d.mu.Unlock()
			for _, r := range refs {
				r.outs.update(r.gen, r.index, NewMIMEData(o.Data), metadata(o.Metadata))
			}
		}
		return nil
	}
}

func metadata(m map[string]any) *map[string]any {
	if len(m) == 0 {
		return nil
	}
	return &m
}
