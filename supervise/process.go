package supervise

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/gomp-kernel/gomp/display"
	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/internal/forkthread"
	"github.com/gomp-kernel/gomp/internal/headtail"
	"github.com/gomp-kernel/gomp/widgets"
)

// process is one interpreter process and the kernel's end of its pipes.
type process struct {
	cmd  *exec.Cmd
	c    *conn
	ctl  [2]*os.File // the kernel's ends: write to the interpreter, read from it
	log  *slog.Logger
	snap func(snapshotMsg)

	mu      sync.Mutex
	pending map[uint64]chan frame    // requests waiting for their reply
	started map[uint64]chan struct{} // cells sent, closed when the interpreter begins one
	cells   map[uint64]*cellSink     // every cell run in this process, for late output

	stderr    headtail.Buffer // the interpreter's fd 2 since the last cell began
	stderrEOF chan struct{}   // closed when its fd 2 pipe is drained
	dead      chan struct{}   // closed when the process has exited and its frames are read
	state     *os.ProcessState
}

// cellSink is where one cell's output goes in the kernel process.
type cellSink struct {
	io front.Cell
}

// startProcess starts an interpreter process (on f, see forkthread) and
// the goroutines that read its frames and its stderr; they end when it
// exits.
func startProcess(f *forkthread.Thread, opts Options, snap func(snapshotMsg)) (*process, error) {
	toChild, fromKernel, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start interpreter: %w", err)
	}
	fromChild, toKernel, err := os.Pipe()
	if err != nil {
		toChild.Close()
		fromKernel.Close()
		return nil, fmt.Errorf("start interpreter: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		for _, f := range []*os.File{toChild, fromKernel, fromChild, toKernel} {
			f.Close()
		}
		return nil, fmt.Errorf("start interpreter: %w", err)
	}
	cmd := exec.Command(opts.Path, opts.Args...)
	cmd.Env = opts.Env
	cmd.Stdout, cmd.Stderr = errW, errW
	cmd.ExtraFiles = []*os.File{toChild, toKernel} // fd 3: requests, fd 4: replies
	// Pdeathsig: the interpreter dies with the kernel, even of SIGKILL
	// (mp's children die with the interpreter the same way). It stays in
	// the kernel's process group, so that Jupyter's killpg reaches it;
	// it ignores SIGINT, which the kernel turns into an interrupt frame.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = f.Start(cmd)
	toChild.Close()
	toKernel.Close()
	errW.Close()
	if err != nil {
		fromKernel.Close()
		fromChild.Close()
		errR.Close()
		return nil, fmt.Errorf("start interpreter %s: %w", opts.Path, err)
	}
	p := &process{
		cmd: cmd, c: newConn(fromChild, fromKernel), ctl: [2]*os.File{fromKernel, fromChild},
		log: opts.Log, snap: snap,
		pending: map[uint64]chan frame{}, cells: map[uint64]*cellSink{}, started: map[uint64]chan struct{}{},
		stderrEOF: make(chan struct{}), dead: make(chan struct{}),
	}
	go p.copyStderr(errR, opts.LogOutput)
	go p.read()
	return p, nil
}

// copyStderr copies the interpreter's stderr (its log, and the Go
// runtime's report when it dies of a fatal error) to the kernel's log,
// keeping the part since the last cell began for the crash message.
func (p *process) copyStderr(r *os.File, log io.Writer) {
	defer close(p.stderrEOF)
	defer r.Close()
	if log == nil {
		log = io.Discard
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			log.Write(buf[:n])
			p.stderr.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// waitStderr waits until the dead process's stderr has been read to its
// end, or 2 s: a process a cell started may hold the pipe open, and by
// then the report, if any, has been written.
func (p *process) waitStderr() {
	select {
	case <-p.stderrEOF:
	case <-time.After(2 * time.Second):
	}
}

// read dispatches the interpreter's frames until its pipe closes, then
// waits for the process and fails what was waiting for it.
func (p *process) read() {
	for {
		f, err := p.c.recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.log.Warn("interpreter protocol", "err", err)
			}
			break
		}
		p.dispatch(f)
	}
	// A process whose pipe broke for another reason is not kept.
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p.ctl[0].Close()
	p.ctl[1].Close()
	p.mu.Lock()
	p.state = p.cmd.ProcessState
	p.pending = nil
	p.mu.Unlock()
	close(p.dead)
}

func (p *process) dispatch(f frame) {
	switch f.Kind {
	case kindReply:
		p.mu.Lock()
		ch := p.pending[f.ID]
		delete(p.pending, f.ID)
		p.mu.Unlock()
		if ch != nil {
			ch <- f
		}
	case kindStarted:
		p.mu.Lock()
		if ch := p.started[f.ID]; ch != nil {
			close(ch)
			delete(p.started, f.ID)
		}
		p.mu.Unlock()
	case kindStdout, kindStderr:
		if c := p.cell(f.ID); c != nil {
			w := c.io.IO.Stdout
			if f.Kind == kindStderr {
				w = c.io.IO.Stderr
			}
			if w != nil {
				w.Write(f.Body)
			}
		}
	case kindDisplay:
		c := p.cell(f.ID)
		if c == nil || c.io.IO.Display == nil {
			return
		}
		var o display.Output
		if err := json.Unmarshal(f.Body, &o); err != nil {
			p.log.Warn("display from the interpreter", "err", err)
			return
		}
		if err := c.io.IO.Display(o); err != nil {
			p.log.Warn("display", "err", err)
		}
	case kindInput:
		var m inputMsg
		if err := json.Unmarshal(f.Body, &m); err != nil {
			p.log.Warn("input request from the interpreter", "err", err)
			return
		}
		// Input blocks until the user answers: never on this goroutine,
		// which must keep reading the cell's output.
		go p.input(f.ID, m)
	case kindSnapshot:
		var m snapshotMsg
		if err := json.Unmarshal(f.Body, &m); err != nil {
			p.log.Warn("snapshot from the interpreter", "err", err)
			return
		}
		p.snap(m)
	case kindCommOut:
		c := p.cell(f.ID)
		if c == nil || c.io.Comm == nil {
			p.log.Warn("comm message from the interpreter for a cell without comms", "cell", f.ID)
			return
		}
		var m widgets.Message
		if err := json.Unmarshal(f.Body, &m); err != nil {
			p.log.Warn("comm message from the interpreter", "err", err)
			return
		}
		if err := c.io.Comm(m); err != nil {
			p.log.Warn("comm message", "comm", m.CommID, "err", err)
		}
	default:
		p.log.Warn("unexpected frame from the interpreter", "kind", f.Kind)
	}
}

func (p *process) cell(id uint64) *cellSink {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cells[id]
}

// input asks the cell's front for a line and sends the answer back.
func (p *process) input(id uint64, m inputMsg) {
	var r inputReplyMsg
	c := p.cell(m.Cell)
	switch {
	case c == nil || c.io.IO.Input == nil:
		r.Err = "this front does not support input requests"
	default:
		v, err := c.io.IO.Input(m.Prompt, m.Password)
		r.Value = v
		if err != nil {
			r.Err = err.Error()
			r.Interrupted = isInterrupted(err)
		}
	}
	if err := p.c.sendJSON(kindInputReply, id, r); err != nil {
		p.log.Debug("input reply", "err", err)
	}
}

// call sends a request and waits for its reply, or for the process to
// die (errDied).
func (p *process) call(k kind, id uint64, body any) (frame, error) {
	ch := make(chan frame, 1)
	p.mu.Lock()
	if p.pending == nil {
		p.mu.Unlock()
		return frame{}, errDied
	}
	p.pending[id] = ch
	p.mu.Unlock()
	if err := p.c.sendJSON(k, id, body); err != nil {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
		return frame{}, errDied
	}
	select {
	case f := <-ch:
		return f, nil
	case <-p.dead:
		return frame{}, errDied
	}
}

var errDied = errors.New("the interpreter process died")

// alive reports whether the process is still running (as far as the
// kernel knows).
func (p *process) alive() bool {
	select {
	case <-p.dead:
		return false
	default:
		return true
	}
}

// stop asks the interpreter to shut down and kills it if it has not
// within grace.
func (p *process) stop(grace time.Duration) {
	if p.c.send(kindShutdown, 0, nil) == nil {
		select {
		case <-p.dead:
			return
		case <-time.After(grace):
		}
	}
	p.cmd.Process.Kill()
	<-p.dead
}
