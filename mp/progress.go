package mp

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/widgets"
)

// ProgressIDPrefix starts the display id of every progress bar, so that a
// front without rich output (gomp run's log) can tell progress from other
// displays and show it its own way.
const ProgressIDPrefix = "gomp-progress-"

// progressEvery is the shortest time between two redraws of a bar: often
// enough to look live, rare enough that a Map of a million tiny items
// does not flood the frontend.
const progressEvery = 200 * time.Millisecond

// progressBar shows how many items of a Pool call are done, redrawn in
// place in the cell that made the call: a progress widget where the
// frontend has a widget manager (widgets.Available), elsewhere a display
// with an id, updated.
type progressBar struct {
	label  string
	total  int
	show   func(display.Output) error
	id     string
	start  time.Time
	widget *progressWidget // nil: the HTML or text bar

	ended atomic.Bool // end was called: no more redraws after the last

	mu    sync.Mutex
	done  int
	drawn time.Time
}

// newProgressBar shows an empty bar for total items in cell.
func newProgressBar(label string, total int, cell Cell) *progressBar {
	var id [8]byte
	rand.Read(id[:])
	b := &progressBar{label: label, total: total, show: cell.Display, id: ProgressIDPrefix + hex.EncodeToString(id[:]), start: time.Now()}
	if b.show != nil && widgets.Available() {
		b.widget = newProgressWidget(label, total)
		_ = b.show(display.Output{Kind: display.KindDisplay, ID: b.id, Data: b.widget.box.MIMEBundle()})
		return b
	}
	if b.show == nil {
		// No rich output: one line when the call ends.
		b.show = func(o display.Output) error {
			if o.Kind == display.KindUpdate && cell.Stdout != nil && b.ended.Load() {
				return display.PrintText(cell.Stdout, o)
			}
			return nil
		}
	}
	b.publish(display.KindDisplay, nil)
	return b
}

// add counts n more items done and redraws if it is time.
func (b *progressBar) add(n int) {
	b.mu.Lock()
	b.done += n
	early := time.Since(b.drawn) < progressEvery
	b.mu.Unlock()
	if early || b.ended.Load() {
		return
	}
	b.publish(display.KindUpdate, nil)
}

// end draws the final state: all done, or where the call failed.
func (b *progressBar) end(err error) {
	if b.ended.Swap(true) {
		return
	}
	b.publish(display.KindUpdate, err)
}

func (b *progressBar) publish(kind display.Kind, err error) {
	b.mu.Lock()
	done, total, took := b.done, b.total, time.Since(b.start)
	b.drawn = time.Now()
	b.mu.Unlock()
	if b.widget != nil {
		b.widget.draw(done, total, took, err)
		return
	}
	// Output is best effort, as printing is: a frontend that cannot show
	// the bar must not fail the call.
	_ = b.show(display.Output{Kind: kind, ID: b.id, Data: progressBundle(b.label, done, total, took, err)})
}

// progressWidget is the bar as widgets: the label, an IntProgress and a
// status line, in a row.
type progressWidget struct {
	bar    *widgets.IntProgress
	status *widgets.Label
	box    *widgets.Box
}

func newProgressWidget(label string, total int) *progressWidget {
	w := &progressWidget{bar: widgets.NewIntProgress(label, 0, max(total, 1), 0), status: widgets.NewLabel(fmt.Sprintf("0/%d", total))}
	w.box = widgets.HBox(w.bar, w.status)
	return w
}

// draw shows done of total; the bar turns green at the end, red on err.
func (w *progressWidget) draw(done, total int, took time.Duration, err error) {
	w.bar.SetValue(done)
	status := fmt.Sprintf("%d/%d %s", done, total, took.Round(10*time.Millisecond))
	switch {
	case err != nil:
		status += " failed: " + err.Error()
		w.bar.SetBarStyle("danger")
	case done >= total:
		w.bar.SetValue(max(total, 1))
		w.bar.SetBarStyle("success")
	}
	w.status.SetValue(status)
}

// progressBundle draws a bar as HTML (a <progress> element) and as text.
func progressBundle(label string, done, total int, took time.Duration, err error) display.Bundle {
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	const width = 30
	fill := width * pct / 100
	status := fmt.Sprintf("%d/%d %s", done, total, took.Round(10*time.Millisecond))
	if err != nil {
		status += " failed: " + err.Error()
	}
	text := fmt.Sprintf("%s [%s%s] %3d%% %s", label, strings.Repeat("#", fill), strings.Repeat("-", width-fill), pct, status)
	colour := ""
	if err != nil {
		colour = "accent-color:#c62828;"
	}
	h := fmt.Sprintf(`<div class="gomp-progress" style="font-family:monospace"><span>%s</span> `+
		`<progress value="%d" max="%d" style="width:20em;vertical-align:middle;%s"></progress> <span>%d%% %s</span></div>`,
		html.EscapeString(label), done, max(total, 1), colour, pct, html.EscapeString(status))
	return display.Bundle{display.MIMEHTML: h, display.MIMEText: text}
}
