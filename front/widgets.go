package front

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/widgets"
)

// The Notebook is the widgets package's host (widgets.Host): it sends
// widgets' comm messages through the front's Cell.Comm, and runs their
// callbacks through the session as cells run, with the output of the cell
// (or callback) that registered them.

// errNoFrontend is what widgets get from Send in a front without comms
// (gomp run): they then live in Go alone.
var errNoFrontend = errors.New("this front has no comms: widgets are not drawn")

// origin is where a callback's output goes: the cell that was running
// when it was registered, and how many interrupts had happened by then.
type origin struct {
	cell       Cell
	interrupts int64
	warned     atomic.Bool // the warning about an interrupt since was shown
}

// widgetState is the Notebook's part in the widgets' wiring.
type widgetState struct {
	cur        atomic.Pointer[Cell] // the cell or callback running now, or the last
	interrupts atomic.Int64         // cells and callbacks interrupted so far
}

// Send publishes a widget's comm message through the current cell.
func (nb *Notebook) Send(m widgets.Message) error {
	c := nb.widgets.cur.Load()
	if c == nil || c.Comm == nil {
		return errNoFrontend
	}
	return c.Comm(m)
}

// Origin is the cell running now, for the callbacks registered by it.
func (nb *Notebook) Origin() any {
	o := &origin{interrupts: nb.widgets.interrupts.Load()}
	if c := nb.widgets.cur.Load(); c != nil {
		o.cell = *c
	}
	return o
}

// Redirect sends the running code's output to s (widgets.Output.Capture).
func (nb *Notebook) Redirect(s widgets.Sink) (restore func()) {
	return nb.sess.Redirect(interp.IO{Stdout: s.Stdout, Stderr: s.Stderr, Display: s.Display})
}

// noteInterrupt counts err if it is an interrupt.
func (nb *Notebook) noteInterrupt(err error) {
	if errors.Is(err, interp.ErrInterrupted) {
		nb.widgets.interrupts.Add(1)
	}
}

// Comm handles a comm message from a frontend for the widgets package and
// runs the callbacks it calls for, one after the other, each as a cell
// runs: interrupted when ctx is done, a panic shown on its stderr. c is
// the message's own cell (its output answers the message); a callback's
// output goes to the cell that registered it. The error says what was
// wrong with the message; callbacks' failures are shown, not returned.
func (nb *Notebook) Comm(ctx context.Context, m widgets.Message, c Cell) error {
	prev := nb.widgets.cur.Swap(&c)
	defer nb.widgets.cur.Store(prev)
	calls, err := widgets.Receive(m)
	for _, call := range calls {
		if ctx.Err() != nil {
			break
		}
		nb.runCallback(ctx, call, c)
	}
	return err
}

// runCallback runs one callback with its origin's output (or c's when it
// has none).
func (nb *Notebook) runCallback(ctx context.Context, call widgets.Call, c Cell) {
	target := c
	o, _ := call.Origin.(*origin)
	if o != nil && (o.cell.IO.Stdout != nil || o.cell.Comm != nil) {
		target = o.cell
	}
	prev := nb.widgets.cur.Swap(&target)
	defer nb.widgets.cur.Store(prev)
	stderr := target.IO.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	if o != nil && o.interrupts < nb.widgets.interrupts.Load() && !o.warned.Swap(true) {
		fmt.Fprintf(stderr, "widgets: %s was registered before the kernel was interrupted. yaegi cannot run a "+
			"function made before an interrupt when it was kept in a variable, made in a loop or inside another "+
			"function (a func literal written in the call, or a top-level func, still runs). If nothing happens, "+
			"run the cell that made the widget again.\n", call.What)
	}
	err := nb.sess.Call(ctx, target.IO, call.Fn)
	if err == nil {
		return
	}
	nb.noteInterrupt(err)
	e := cellError(err)
	fmt.Fprintf(stderr, "%s failed:\n%s\n", call.What, strings.Join(e.Traceback, "\n"))
}
