package mp

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// loop is one worker slot of p: it keeps a worker process (w, started by
// NewPool), feeds it tasks and replaces it when it dies, is interrupted,
// or has done its maximum number of tasks. NewPool starts it; Join and
// Terminate wait for it.
//
// A worker that dies while idle is replaced at once, so that the pool
// keeps its size; one found dead when a task comes is replaced before the
// task is sent. A send that fails means the worker died before reading
// the task, which therefore never ran: it goes back to the queue, once,
// for a fresh worker.
//
// A task of the same submit as the one running is sent to the worker
// before the running one's results are read (up to pipelineDepth tasks in
// flight), so that the worker starts on it while the loop decodes: with
// one task at a time the worker sat idle for every frame's transfer and
// decoding. A worker runs frames in order, so the tasks behind one that
// broke it never started; they go back to the queue.
func (p *Pool) loop(slot int, name, identity string, w *poolWorker) {
	defer p.wg.Done()
	defer p.slotEnded()
	defer func() {
		if w != nil {
			w.stop(p.isTerminated())
		}
	}()
	// drop ends w and forgets it; kill says whether it must be killed.
	drop := func(kill bool) {
		w.stop(kill)
		w = nil
		p.setWorker(slot, nil)
	}
	// start gives the slot a new worker.
	start := func(exe string) error {
		nw, err := p.spawn(name, identity, exe)
		if err != nil {
			return err
		}
		w = nw
		p.setWorker(slot, w)
		return nil
	}
	for {
		t, died := p.next(w)
		if died {
			logger().Debug("pool worker died while idle; starting another", "worker", w.name, "pid", w.c.pid(), "status", w.c.exitCode())
			w0exe := w.exe
			drop(true)
			if err := start(w0exe); err != nil {
				logger().Warn("replace pool worker", "err", err)
			}
			continue
		}
		if t == nil {
			return
		}
		if t.ctx.Err() != nil {
			t.done(nil, ErrInterrupted)
			continue
		}
		exe, err := compiledExe(t.ctx, t.kind, t.build, t.cell.Stderr)
		if err != nil {
			t.done(nil, fmt.Errorf("mp.Pool: %s: %w", t.tg.name, err))
			continue
		}
		if w != nil && w.exe != exe {
			// Between tasks: the compiled worker is ready (or the target
			// needs another kind); the old worker finishes and exits.
			drop(false)
		}
		if w != nil && !w.c.alive() {
			drop(true)
		}
		if w == nil {
			if err := start(exe); err != nil {
				t.done(nil, err)
				continue
			}
		}
		if err := t.encode(); err != nil {
			t.done(nil, err)
			continue
		}
		if err := w.send(t); err != nil {
			drop(true)
			if !t.resent {
				t.resent = true
				p.requeue([]*task{t})
			} else {
				t.done(nil, err)
			}
			continue
		}
		inflight := []*task{t}
		for len(inflight) > 0 {
			if len(inflight) < pipelineDepth && (p.opts.maxTasks == 0 || w.tasks+len(inflight) < p.opts.maxTasks) {
				if n := p.nextOf(t.call); n != nil {
					if err := n.encode(); err != nil {
						n.done(nil, err)
					} else if err := w.send(n); err != nil {
						// The worker is gone; the head's read reports it.
						p.requeue([]*task{n})
					} else {
						inflight = append(inflight, n)
					}
				}
			}
			head := inflight[0]
			inflight = inflight[1:]
			vals, broken, err := w.recv(head, p.term)
			head.done(vals, err)
			w.tasks++
			if broken || (p.opts.maxTasks > 0 && w.tasks >= p.opts.maxTasks) {
				drop(broken)
				p.requeue(inflight)
				inflight = nil
			}
		}
	}
}

// pipelineDepth is how many tasks a pool worker may hold at once.
const pipelineDepth = 2

func (p *Pool) isTerminated() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.terminated
}

// slotEnded forgets the pool once its last worker loop has ended.
func (p *Pool) slotEnded() {
	p.mu.Lock()
	p.live--
	last := p.live == 0
	p.mu.Unlock()
	if last {
		p.closeRemote()
		state.children.mu.Lock()
		delete(state.children.pools, p)
		state.children.mu.Unlock()
	}
}

// poolWorker is a pool's handle on one worker process.
type poolWorker struct {
	c       *child
	name    string
	version uint64 // snapshot version the worker has restored
	seq     uint64
	tasks   int
	exe     string // the compiled worker's executable, "" for an interpreted one
}

// spawn starts a worker for a slot of p. Until the worker has exited, a
// goroutine waits for its process to end and wakes the pool's waiting
// slots, so that the slot of an idle worker that died replaces it.
func (p *Pool) spawn(name, identity, exe string) (*poolWorker, error) {
	c, err := newChild(exe)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		<-c.dead
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	}()
	w := &poolWorker{c: c, name: name, exe: exe}
	err = c.greet(hello{Name: name, ParentName: self().Name, ParentPid: os.Getpid(), Pool: true, Identity: identity}, Cell{})
	if err == nil && p.init != nil {
		err = c.conn.sendMsg(0, p.init)
	}
	if err != nil {
		w.stop(true)
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return w, nil
}

// stop ends the worker: politely (close its channel, it exits 0) or, with
// kill, by SIGKILL. It returns when the worker has exited and its output
// has been written.
func (w *poolWorker) stop(kill bool) {
	if kill {
		w.c.signal(syscall.SIGKILL)
	} else {
		w.c.closeInput()
	}
	<-w.c.exited
}

// send sends t to the worker, preceded by the notebook state if the
// worker has an older one. A failure means the worker is gone; its process
// has been killed.
func (w *poolWorker) send(t *task) error {
	c := w.c
	stdout, stderr := t.cell.Stdout, t.cell.Stderr
	if t.prefix {
		pre := pidPrefix(c.pid(), "")
		stdout, stderr = prefixed(stdout, pre), prefixed(stderr, pre)
	}
	c.stdout.pin(stdout, t.cell.Display)
	c.stderr.pin(stderr, t.cell.Display)
	if w.version != t.version {
		err := c.conn.sendMsg(0, restoreFrame{Version: t.version, Snapshot: t.snap})
		if err != nil {
			c.signal(syscall.SIGKILL)
			return w.died(t, err)
		}
		w.version = t.version
	}
	w.seq++
	t.seq = w.seq
	if err := c.conn.sendMsg(t.seq, callFrame{Target: t.tg.name, First: t.first, Items: t.items}); err != nil {
		c.signal(syscall.SIGKILL)
		return w.died(t, err)
	}
	return nil
}

// recv waits for the results of t, sent by send. broken reports that the
// worker cannot be used again (it died, was interrupted or the pool
// terminated); its process is then killed by the caller.
func (w *poolWorker) recv(t *task, term <-chan struct{}) (vals []any, broken bool, err error) {
	c := w.c
	var f frame
	select {
	case fr, ok := <-c.frames:
		if !ok {
			return nil, true, w.died(t, nil)
		}
		f = fr
	case <-t.ctx.Done():
		c.signal(syscall.SIGKILL)
		<-c.exited
		return nil, true, ErrInterrupted
	case <-term:
		c.signal(syscall.SIGKILL)
		<-c.exited
		return nil, true, errors.New("mp.Pool: pool terminated")
	}
	if f.Kind != kindResult || f.Seq != t.seq {
		return nil, true, fmt.Errorf("%s: reply %d of kind %d to call %d", w.name, f.Seq, f.Kind, t.seq)
	}
	// Everything the task printed reaches its cell before its result.
	c.stdout.waitMark(t.seq)
	c.stderr.waitMark(t.seq)
	var res resultFrame
	if err := res.decode(f.Body); err != nil {
		return nil, true, fmt.Errorf("%s: reply: %w", w.name, err)
	}
	if len(res.Results) > t.n {
		return nil, true, fmt.Errorf("%s: %d results for %d items", w.name, len(res.Results), t.n)
	}
	vals, err = decodeChunk(t.tg, res.Results)
	if err != nil {
		return nil, false, err
	}
	if res.Err != nil {
		res.Err.Target = t.tg.name
		err = res.Err
	}
	if err == nil && len(vals) != t.n {
		return nil, true, fmt.Errorf("%s: %d results for %d items", w.name, len(vals), t.n)
	}
	return vals, false, err
}

// died describes a worker that stopped answering during t.
func (w *poolWorker) died(t *task, cause error) error {
	<-w.c.exited
	what := "exited with status"
	code := w.c.exitCode()
	if code < 0 {
		what, code = "was killed by signal", -code
	}
	items := ""
	if t.first >= 0 {
		items = fmt.Sprintf(" (items %d-%d)", t.first, t.first+t.n-1)
	}
	err := fmt.Errorf("%w: %s (pid %d) %s %d while running %s%s", ErrWorkerDied, w.name, w.c.pid(), what, code, t.tg.name, items)
	if cause != nil {
		err = fmt.Errorf("%w: %v", err, cause)
	}
	return err
}
