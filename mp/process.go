package mp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Process runs one call of a notebook function in a child process, as
// Python's multiprocessing.Process does. Create it with NewProcess, then
// Start and Join it.
type Process struct {
	// Name is the process's name unless set before Start: "Process-N",
	// or in a child "Process-I:N" after the child's identity I, as in Python.
	// The child sees it as CurrentProcess().Name.
	Name string
	// Daemon is recorded for the lesson's sake: every child, daemon or not,
	// is ended when the kernel shuts down or the starting cell is
	// interrupted.
	Daemon bool

	target *target
	args   []byte
	err    error // from NewProcess, returned by Start
	opts   poolOptions

	mu      sync.Mutex
	started bool
	c       *child
	pid     int
	order   int           // start order, for ActiveChildren
	done    chan struct{} // closed when the child exited and its output was written
}

// NewProcess prepares a call of fn with args in a child process. fn must be
// a function declared at top level in the notebook; args must fit its
// parameters and be able to cross a process boundary. They are copied now:
// later changes to them are not seen by the child. A bad fn or argument is
// reported by Start (and Join) with an error naming the argument; nothing
// is started. An Option among args (WithWorkers) is taken as an option:
// a function cannot be an argument.
func NewProcess(fn any, args ...any) *Process {
	p := &Process{done: make(chan struct{})}
	args, p.err = processOptions(&p.opts, args)
	if p.err != nil {
		return p
	}
	h, _, err := currentHost()
	if err != nil {
		p.err = fmt.Errorf("mp.NewProcess: %w", err)
		return p
	}
	if p.target, p.err = newTarget(h, "mp.NewProcess", fn); p.err != nil {
		return p
	}
	if p.args, err = p.target.encodeArgs(nil, args); err != nil {
		p.err = fmt.Errorf("mp.NewProcess(%s, ...): %w", p.target.name, err)
	}
	return p
}

// Start starts the child: it takes the notebook's state as of now, pins
// the child's output to the current cell, and sends it the call. It fails
// if NewProcess found a problem or the process was already started.
func (p *Process) Start() error {
	if p.err != nil {
		return p.err
	}
	h, _, err := currentHost()
	if err != nil {
		return fmt.Errorf("start process: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return fmt.Errorf("start %s: process already started", p.Name)
	}
	snap, err := h.Snapshot()
	if err != nil {
		return fmt.Errorf("start process: snapshot notebook: %w", err)
	}
	cell := h.Cell()
	name, identity := nextName("Process")
	if p.Name == "" {
		p.Name = name
	}
	c, err := p.child(snap, cell)
	if err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	err = errors.Join(
		c.greet(hello{Name: p.Name, ParentName: self().Name, ParentPid: os.Getpid(), Identity: identity}, cell),
		c.conn.sendMsg(0, restoreFrame{Version: 1, Snapshot: snap}),
		c.conn.sendMsg(1, callFrame{Target: p.target.name, First: -1, Items: [][]byte{p.args}}),
	)
	if err != nil {
		c.signal(syscall.SIGKILL)
		<-c.exited
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	p.c, p.pid, p.started = c, c.pid(), true
	state.children.mu.Lock()
	if state.children.procs == nil {
		state.children.procs = map[*Process]bool{}
	}
	state.children.procs[p] = true
	state.children.started++
	p.order = state.children.started
	state.children.mu.Unlock()
	go p.watch(contextOf(cell))
	return nil
}

// watch terminates the child when the cell that started it is
// interrupted, and closes done when the child has exited and its output
// has been written. Start starts it; Join waits for it.
func (p *Process) watch(ctx context.Context) {
	select {
	case <-p.c.exited:
	case <-ctx.Done():
		p.c.terminate()
	}
	state.children.mu.Lock()
	delete(state.children.procs, p)
	state.children.mu.Unlock()
	prepareSpare()
	close(p.done)
}

func contextOf(c Cell) context.Context {
	if c.Context == nil {
		return context.Background()
	}
	return c.Context
}

// Join waits for the child to exit and for everything it printed to reach
// its cell. If the current cell is interrupted while Join waits, the child
// is terminated and Join returns ErrInterrupted. Calling Join again returns
// at once.
func (p *Process) Join() error {
	return p.join(nil)
}

// ErrTimeout is returned by JoinTimeout when the child is still running.
var ErrTimeout = errors.New("mp: timeout")

// JoinTimeout is Join that gives up after d, returning ErrTimeout and
// leaving the child running.
func (p *Process) JoinTimeout(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	return p.join(t.C)
}

func (p *Process) join(timeout <-chan time.Time) error {
	if p.err != nil {
		return p.err
	}
	p.mu.Lock()
	started := p.started
	p.mu.Unlock()
	if !started {
		return fmt.Errorf("join %s: process not started", p.Name)
	}
	ctx := context.Background()
	if h, _, err := currentHost(); err == nil {
		ctx = contextOf(h.Cell())
	}
	select {
	case <-p.done:
		return nil
	case <-timeout:
		return ErrTimeout
	case <-ctx.Done():
		p.c.terminate()
		<-p.done
		return ErrInterrupted
	}
}

// IsAlive reports whether the child has been started and has not exited.
func (p *Process) IsAlive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.started && p.c != nil && p.c.alive()
}

// Pid is the child's process id, 0 before Start.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pid
}

// ExitCode returns the child's exit status once it has exited (exited is
// false before): 0 on success, 1 when the target panicked or returned an
// error, and minus the signal number when a signal ended it (-15 after
// Terminate, -9 after Kill), as Python reports it.
func (p *Process) ExitCode() (code int, exited bool) {
	p.mu.Lock()
	c := p.c
	p.mu.Unlock()
	if c == nil || c.alive() {
		return 0, false
	}
	<-c.dead
	return c.exitCode(), true
}

// Terminate sends the child SIGTERM. It does nothing if the child is not
// running; calling it again is harmless.
func (p *Process) Terminate() { p.signal(syscall.SIGTERM) }

// Kill sends the child SIGKILL. It does nothing if the child is not
// running; calling it again is harmless.
func (p *Process) Kill() { p.signal(syscall.SIGKILL) }

func (p *Process) signal(sig os.Signal) {
	p.mu.Lock()
	c := p.c
	p.mu.Unlock()
	if c != nil {
		c.signal(sig)
	}
}

// String describes p as Python's repr does: name, pid and state.
func (p *Process) String() string {
	p.mu.Lock()
	c, started := p.c, p.started
	p.mu.Unlock()
	switch {
	case p.err != nil:
		return fmt.Sprintf("<Process %s invalid: %v>", p.Name, p.err)
	case p.target == nil:
		return fmt.Sprintf("<Process name=%q pid=%d>", p.Name, p.pid)
	case !started:
		return fmt.Sprintf("<Process name=%q initial>", p.Name)
	case c.alive():
		return fmt.Sprintf("<Process name=%q pid=%d started>", p.Name, p.pid)
	}
	code, _ := p.ExitCode()
	return fmt.Sprintf("<Process name=%q pid=%d stopped exitcode=%d>", p.Name, p.pid, code)
}

// selfInfo is who this process is: MainProcess in the kernel, or what the
// hello said in a worker.
type selfInfo struct {
	sync.Mutex
	hello *hello
}

func setSelf(h hello) {
	state.self.Lock()
	state.self.hello = &h
	state.self.Unlock()
}

// selfIdentity is this process's place in the process tree: "" in the
// kernel, the identity its parent gave it in a child.
func selfIdentity() string {
	state.self.Lock()
	defer state.self.Unlock()
	if state.self.hello == nil {
		return ""
	}
	return state.self.hello.Identity
}

func self() *Process {
	state.self.Lock()
	defer state.self.Unlock()
	if state.self.hello == nil {
		return &Process{Name: "MainProcess", pid: os.Getpid()}
	}
	return &Process{Name: state.self.hello.Name, pid: os.Getpid()}
}

// CurrentProcess describes the process calling it: Name is "MainProcess"
// in the kernel and the child's name (Process-1, PoolWorker-2, ...) in a
// child; Pid is os.Getpid().
func CurrentProcess() *Process { return self() }

// ParentProcess describes the parent of a child, or returns nil in the
// kernel. Its Pid is the parent's process id.
func ParentProcess() *Process {
	state.self.Lock()
	defer state.self.Unlock()
	if state.self.hello == nil {
		return nil
	}
	return &Process{Name: state.self.hello.ParentName, pid: state.self.hello.ParentPid}
}

// ActiveChildren returns the Processes started by this process that have
// not yet exited (pool workers are not listed).
func ActiveChildren() []*Process {
	state.children.mu.Lock()
	all := make([]*Process, 0, len(state.children.procs))
	for p := range state.children.procs {
		all = append(all, p)
	}
	state.children.mu.Unlock()
	out := all[:0]
	for _, p := range all {
		if p.IsAlive() {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Process) int { return a.order - b.order })
	return out
}

// CPUCount is the number of CPUs usable by this process.
func CPUCount() int { return runtime.NumCPU() }

// processOptions takes the Options out of NewProcess's arguments.
func processOptions(o *poolOptions, args []any) ([]any, error) {
	rest := args[:0:0]
	for _, a := range args {
		opt, ok := a.(Option)
		if !ok {
			rest = append(rest, a)
			continue
		}
		var c poolOptions
		opt(&c)
		if !c.workersSet {
			return nil, errors.New("mp.NewProcess: only WithWorkers is an option of a Process")
		}
		o.workers, o.workersSet = c.workers, true
	}
	return rest, nil
}

// child starts the worker for Start: a compiled one when its build is
// ready (Auto) or once it is (Compiled), else the interpreted spare.
func (p *Process) child(snap []byte, cell Cell) (*child, error) {
	kind := workersFor(p.opts)
	exe, err := compiledExe(contextOf(cell), kind, buildFor(kind, snap, p.target.name), cell.Stderr)
	if err != nil {
		return nil, err
	}
	if exe == "" {
		return takeChild()
	}
	return newChild(exe)
}
