package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/internal/forkthread"
	"github.com/gomp-kernel/gomp/interp"
)

// Options configures a Notebook.
type Options struct {
	// Path and Args start the interpreter process, which must serve the
	// protocol on fds 3 (requests) and 4 (replies) with a Server: gomp's
	// main passes its own binary and "interpreter". Env is its
	// environment (nil: the kernel's).
	Path string
	Args []string
	Env  []string
	// Log receives the supervisor's diagnostics; nil discards them.
	Log *slog.Logger
	// LogOutput receives what the interpreter writes to its stderr (its
	// log, and the Go runtime's report when it dies); nil discards it.
	LogOutput io.Writer
}

// Notebook runs a notebook's cells in a supervised interpreter process:
// the same cells, output, displays and input as a front.Notebook in this
// process, but when the interpreter dies (a fatal runtime error, a signal,
// the out-of-memory killer) this process lives on, the cell that was
// running fails with what happened, and a new interpreter restores the
// notebook as of the last cell that succeeded.
//
// Its methods may be called from several goroutines; cells run one at a
// time in the order their Execute calls take the lock.
type Notebook struct {
	opts Options
	log  *slog.Logger
	f    *forkthread.Thread
	seq  atomic.Uint64

	run sync.Mutex // held by Execute and by restarts: cells run one at a time
	// notice, guarded by run, is what the next cell shows on stderr: the
	// interpreter died between cells and was replaced.
	notice string

	mu     sync.Mutex // guards p, snap, closed
	p      *process
	snap   held
	closed bool
}

// Start starts the interpreter process. It does not wait for the
// interpreter to be ready: the first request waits in the pipe.
func Start(opts Options) (*Notebook, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	n := &Notebook{opts: opts, log: opts.Log, f: forkthread.New()}
	p, err := startProcess(n.f, opts, n.keep)
	if err != nil {
		n.f.Stop()
		return nil, err
	}
	n.p = p
	go n.watch(p)
	return n, nil
}

// watch replaces p as soon as it dies between cells (killed from outside,
// or by a goroutine an earlier cell left running), so that completion
// keeps working and the next cell does not wait for the restore; the next
// cell says what happened. A death while a cell runs is that cell's to
// report. It returns when p has died.
func (n *Notebook) watch(p *process) {
	<-p.dead
	if !n.run.TryLock() {
		return
	}
	defer n.run.Unlock()
	if n.current() != p {
		return
	}
	p.waitStderr()
	var w strings.Builder
	if _, err := n.restart(&w, "the interpreter process died between cells: "+firstLine(deathCause(p.state, p.stderr.String()))); err != nil {
		n.log.Warn("restart after the interpreter died", "err", err)
		return
	}
	n.notice = w.String()
}

// keep stores a snapshot from the interpreter.
func (n *Notebook) keep(m snapshotMsg) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.snap.apply(m)
}

// snapshotCount is the cell the kernel's copy of the notebook is as of.
func (n *Notebook) snapshotCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.snap.count
}

// Pid is the process id of the current interpreter process.
func (n *Notebook) Pid() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.p.cmd.Process.Pid
}

// current returns the interpreter process.
func (n *Notebook) current() *process {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.p
}

// Execute runs one cell as front.Notebook.Execute does.
func (n *Notebook) Execute(ctx context.Context, c front.Cell) front.Outcome {
	n.run.Lock()
	defer n.run.Unlock()
	if n.notice != "" && c.IO.Stderr != nil {
		io.WriteString(c.IO.Stderr, n.notice)
	}
	n.notice = ""
	p := n.current()
	for attempt := 0; ; attempt++ {
		if !p.alive() {
			// It died between cells (killed from outside, or a goroutine
			// of an earlier cell crashed it): say so in this cell,
			// restore, then run it.
			p.waitStderr()
			why := deathCause(p.state, p.stderr.String())
			var err error
			if p, err = n.restart(c.IO.Stderr, "the interpreter process died between cells: "+firstLine(why)); err != nil {
				return failed("InterpreterDied", err.Error(), nil)
			}
		}
		o, began := n.send(ctx, p, c)
		switch {
		case began:
			return o
		case attempt > 0:
			// The new interpreter died too before it began the cell.
			return n.crashed(p, c)
		}
	}
}

// send runs c in p. began is false when p died before it began the cell:
// the cell did not cause the death and may run in the next interpreter.
func (n *Notebook) send(ctx context.Context, p *process, c front.Cell) (o front.Outcome, began bool) {
	id := n.seq.Add(1)
	reply, started := make(chan frame, 1), make(chan struct{})
	p.mu.Lock()
	p.cells[id] = &cellSink{io: c}
	if p.pending != nil {
		p.pending[id] = reply
		p.started[id] = started
	}
	p.mu.Unlock()
	p.stderr.Reset()
	msg := executeMsg{Count: c.Count, Code: c.Code, Input: c.IO.Input != nil, Display: c.IO.Display != nil}
	if err := p.c.sendJSON(kindExecute, id, msg); err != nil {
		p.log.Debug("send execute", "err", err)
	}
	done := ctx.Done()
	for {
		select {
		case <-started:
			began, started = true, nil
		case f := <-reply:
			var o front.Outcome
			if err := json.Unmarshal(f.Body, &o); err != nil {
				return failed("error", fmt.Sprintf("the interpreter's reply for %s: %v", front.CellName(c.Count), err), nil), true
			}
			return o, true
		case <-done:
			done = nil
			if err := p.c.send(kindInterrupt, id, nil); err != nil {
				p.log.Debug("send interrupt", "err", err)
			}
		case <-p.dead:
			if !began {
				select {
				case <-started:
					began = true
				default:
				}
			}
			if !began && ctx.Err() == nil {
				return front.Outcome{}, false
			}
			return n.crashed(p, c), true
		}
	}
}

// crashed is the outcome of cell c whose interpreter died while it ran;
// it starts and restores the next interpreter.
func (n *Notebook) crashed(p *process, c front.Cell) front.Outcome {
	p.waitStderr()
	why := deathCause(p.state, p.stderr.String())
	name := front.CellName(c.Count)
	n.log.Error("the interpreter process died", "cell", name, "cause", why)
	head := fmt.Sprintf("the interpreter process died while running %s: %s", name, why)
	_, err := n.restart(nil, "")
	restored := n.restoredLine()
	value := head + "\n" + restored
	if err != nil {
		value = head + "\n" + err.Error()
	}
	tb := append(strings.Split(head, "\n"), restored)
	return failed("InterpreterDied", value, tb)
}

// restoredLine says what the last restore brought back, in one line.
func (n *Notebook) restoredLine() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.snap.empty() {
		return "A new interpreter was started; no cell had succeeded, so there was nothing to restore."
	}
	decls, vars, lost := n.snap.summary()
	line := fmt.Sprintf("A new interpreter restored the notebook as of %s: %d declarations, %d variables", front.CellName(n.snap.count), decls, vars)
	if len(lost) > 0 {
		line += "; values lost: " + strings.Join(lost, ", ")
	} else {
		line += "; no variable lost"
	}
	return line + "."
}

// restart starts a new interpreter process and restores the notebook in
// it, writing one line about it to w (prefixed by why, when set).
func (n *Notebook) restart(w io.Writer, why string) (*process, error) {
	n.mu.Lock()
	closed := n.closed
	n.mu.Unlock()
	if closed {
		return nil, errors.New("the notebook is closed")
	}
	p, err := startProcess(n.f, n.opts, n.keep)
	if err != nil {
		return nil, err
	}
	go n.watch(p)
	n.mu.Lock()
	n.p = p
	empty := n.snap.empty()
	var snapshot []byte
	if !empty {
		snapshot, err = n.snap.encode()
	}
	n.mu.Unlock()
	if err == nil && !empty {
		err = n.restore(p, snapshot)
	}
	if err != nil {
		n.log.Error("restore after a crash", "err", err)
	}
	if w != nil {
		line := n.restoredLine()
		if err != nil {
			line = "A new interpreter was started, but restoring the notebook failed: " + err.Error()
		}
		if why != "" {
			line = why + ". " + line
		}
		io.WriteString(w, "gomp: "+line+"\n")
	}
	return p, nil
}

// restore sends the snapshot to p and waits for it to be evaluated.
func (n *Notebook) restore(p *process, snapshot []byte) error {
	id := n.seq.Add(1)
	ch := make(chan frame, 1)
	p.mu.Lock()
	if p.pending != nil {
		p.pending[id] = ch
	}
	p.mu.Unlock()
	if err := p.c.send(kindRestore, id, snapshot); err != nil {
		return fmt.Errorf("restore: %w", errDied)
	}
	select {
	case f := <-ch:
		var r restoreReply
		if err := json.Unmarshal(f.Body, &r); err != nil {
			return fmt.Errorf("restore reply: %w", err)
		}
		if r.Err != "" {
			return fmt.Errorf("restore: %s", r.Err)
		}
		return nil
	case <-p.dead:
		return fmt.Errorf("restore: the new interpreter died too: %s", firstLine(deathCause(p.state, p.stderr.String())))
	}
}

// failed is an error outcome.
func failed(name, value string, tb []string) front.Outcome {
	if tb == nil {
		tb = []string{name + ": " + value}
	}
	return front.Outcome{Err: &front.Error{Name: name, Value: value, Traceback: tb}}
}

// ask sends an introspection request and decodes its reply into v; false
// when the interpreter died meanwhile.
func (n *Notebook) ask(k kind, m completeMsg, v any) bool {
	f, err := n.current().call(k, n.seq.Add(1), m)
	if err != nil {
		return false
	}
	if err := json.Unmarshal(f.Body, v); err != nil {
		n.log.Warn("interpreter reply", "kind", k, "err", err)
		return false
	}
	return true
}

// Complete answers as interp.Session.Complete does (nothing while no
// interpreter is alive).
func (n *Notebook) Complete(code string, cursor int) ([]interp.Completion, int, int) {
	var r completeReply
	if !n.ask(kindComplete, completeMsg{Code: code, Cursor: cursor}, &r) {
		return nil, cursor, cursor
	}
	return r.Matches, r.Start, r.End
}

// Inspect answers as interp.Session.Inspect does.
func (n *Notebook) Inspect(code string, cursor, detail int) (interp.Help, bool) {
	var r inspectReply
	if !n.ask(kindInspect, completeMsg{Code: code, Cursor: cursor, Detail: detail}, &r) {
		return interp.Help{}, false
	}
	return r.Help, r.Found
}

// IsComplete answers as interp.Session.IsComplete does ("unknown" while
// no interpreter is alive).
func (n *Notebook) IsComplete(code string) (status, indent string) {
	var r isCompleteReply
	if !n.ask(kindIsComplete, completeMsg{Code: code}, &r) {
		return "unknown", ""
	}
	return r.Status, r.Indent
}

// shutdownGrace is how long Close waits for the interpreter to end its
// mp children and exit before killing it.
const shutdownGrace = 5 * time.Second

// Close ends the interpreter process (which ends its mp children).
func (n *Notebook) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	p := n.p
	n.mu.Unlock()
	p.stop(shutdownGrace)
	n.f.Stop()
	return nil
}

// Kill ends the interpreter process at once, as SIGKILL from outside
// would; for tests of recovery.
func (n *Notebook) Kill() error {
	if err := n.current().cmd.Process.Signal(os.Kill); err != nil {
		return fmt.Errorf("kill interpreter: %w", err)
	}
	return nil
}
