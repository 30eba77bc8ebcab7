package mp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// Pool runs calls of notebook functions on a fixed number of long-lived
// worker processes, as Python's multiprocessing.Pool does. Workers start
// when the pool is made and pick up functions declared in cells run after
// it: each call carries the notebook's state, sent to a worker only when
// it changed since the worker last saw it. A pool that is never closed
// keeps its workers until the kernel shuts down.
type Pool struct {
	size int
	opts poolOptions
	err  error      // from NewPool, returned by every call
	init *initFrame // initializer call, nil without one

	mu         sync.Mutex
	cond       *sync.Cond
	queue      []*task
	closed     bool
	terminated bool
	term       chan struct{} // closed by Terminate
	live       int           // worker loops running
	idle       int           // worker loops waiting in next
	snap       []byte        // last snapshot sent, and its version
	version    uint64
	calls      uint64           // counts submits; tasks of one share its number
	workers    []*poolWorker    // each slot's worker process, nil while it has none
	builds     map[string]Build // compiled workers' builds by target, for snap
	remote     ClusterPool      // the cluster running the tasks, nil for a local pool
	wg         sync.WaitGroup
}

// Option configures a Pool.
type Option func(*poolOptions)

type poolOptions struct {
	initializer any
	initArgs    []any
	maxTasks    int
	chunkSize   int
	progress    bool
	label       string
	workers     Workers
	workersSet  bool // WithWorkers was given
	cluster     string
	clusterSet  bool // WithCluster was given
	prefix      bool
	prefixSet   bool // WithOutputPrefix was given
}

// WithInitializer makes every worker call fn(args...) before its first task,
// and again whenever it reloads the notebook's state (which resets
// package-level variables the initializer may have set).
func WithInitializer(fn any, args ...any) Option {
	return func(o *poolOptions) { o.initializer, o.initArgs = fn, args }
}

// WithMaxTasksPerChild replaces a worker by a fresh one after it has run n
// tasks (a chunk of Map counts as one task); 0 means never.
func WithMaxTasksPerChild(n int) Option { return func(o *poolOptions) { o.maxTasks = n } }

// WithChunkSize sets how many items of Map, Starmap, MapAsync, Imap and
// ImapUnordered travel to a worker together. 0 means Python's defaults:
// len(items)/(4*workers) rounded up for the Map family, 1 for Imap.
// It may also be given to one call: pool.Map(fn, items, mp.WithChunkSize(100)).
func WithChunkSize(n int) Option { return func(o *poolOptions) { o.chunkSize = n } }

// WithProgress shows a progress bar for Map, Starmap, MapAsync, Imap and
// ImapUnordered: redrawn in place in the notebook as items finish, and
// as plain lines where there is no notebook (gomp run's log when it is
// not on a terminal). label names the bar; "" names it after the call,
// e.g. "Map(square)". Give it to NewPool for every call, or to one call:
// pool.Map(square, items, mp.WithProgress("squares")).
func WithProgress(label string) Option {
	return func(o *poolOptions) { o.progress, o.label = true, label }
}

// callOptions merges the options given to one call with the pool's.
// Options that shape the workers (WithInitializer, WithMaxTasksPerChild)
// belong to NewPool and are refused here.
func (p *Pool) callOptions(op string, opts []Option) (poolOptions, error) {
	o := p.opts
	if len(opts) == 0 {
		return o, nil
	}
	var c poolOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.initializer != nil || c.maxTasks != 0 {
		return o, fmt.Errorf("mp.Pool.%s: WithInitializer and WithMaxTasksPerChild are options of NewPool, not of one call", op)
	}
	if c.chunkSize > 0 {
		o.chunkSize = c.chunkSize
	}
	if c.progress {
		o.progress, o.label = true, c.label
	}
	if c.workersSet {
		o.workers, o.workersSet = c.workers, true
	}
	if c.prefixSet {
		o.prefix, o.prefixSet = c.prefix, true
	}
	return o, nil
}

// NewPool starts a pool of n workers (CPUCount() if n <= 0). Problems (no
// host, a bad initializer, an interrupt while the workers start) are
// returned by every later call.
//
// Each worker is a whole process with its own interpreter (about 24 MB),
// so more workers than cores pay off only for calls that mostly wait.
// At most twice CPUCount() workers start at a time, and NewPool returns
// when the last has been started; an interrupt of the cell meanwhile stops
// the starting and ends the workers already started. A pool of more than
// 8 workers per core writes a one-line warning to the cell's stderr first.
func NewPool(n int, opts ...Option) *Pool {
	if n <= 0 {
		n = CPUCount()
	}
	p := &Pool{size: n, term: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	for _, o := range opts {
		o(&p.opts)
	}
	h, _, err := currentHost()
	if err != nil {
		p.err = fmt.Errorf("mp.NewPool: %w", err)
		return p
	}
	if fn := p.opts.initializer; fn != nil {
		tg, err := newTarget(h, "mp.WithInitializer", fn)
		if err != nil {
			p.err = err
			return p
		}
		args, err := tg.encodeArgs(nil, p.opts.initArgs)
		if err != nil {
			p.err = fmt.Errorf("mp.WithInitializer(%s, ...): %w", tg.name, err)
			return p
		}
		p.init = &initFrame{Target: tg.name, Args: args}
	}
	cell := h.Cell()
	if url := clusterFor(p.opts); url != "" {
		if err := p.openCluster(url); err != nil {
			p.err = fmt.Errorf("mp.NewPool(%d): %w", n, err)
			return p
		}
		p.register()
		p.live = n
		p.wg.Add(n)
		for range n {
			go p.remoteLoop()
		}
		return p
	}
	if cores := CPUCount(); n > manyPerCore*cores && cell.Stderr != nil {
		fmt.Fprintf(cell.Stderr, "mp: NewPool(%d) starts %d worker processes on %d cores (about %d MB each)\n", n, n, cores, workerMB)
	}
	slots := make([]slotName, n)
	for i := range slots {
		slots[i].name, slots[i].identity = nextName("PoolWorker")
	}
	var workers []*poolWorker
	if _, cfg, _ := currentHost(); workersFor(p.opts) == Compiled && cfg.Builder != nil {
		// Each slot starts its compiled worker when the first task comes.
		workers = make([]*poolWorker, n)
	} else {
		workers, err = p.startWorkers(contextOf(cell), slots)
	}
	if err != nil {
		p.err = fmt.Errorf("mp.NewPool(%d): %w while starting its workers; those started were stopped", n, err)
		return p
	}
	p.register()
	p.live = n
	p.workers = workers
	p.wg.Add(n)
	for i, s := range slots {
		go p.loop(i, s.name, s.identity, workers[i])
	}
	return p
}

// register adds p to the pools Shutdown ends.
func (p *Pool) register() {
	state.children.mu.Lock()
	if state.children.pools == nil {
		state.children.pools = map[*Pool]bool{}
	}
	state.children.pools[p] = true
	state.children.mu.Unlock()
}

// manyPerCore is the number of workers per core above which NewPool
// warns: past it the workers' memory, not the CPUs, is what the pool
// mostly takes. workerMB is a worker's resident size while idle.
const (
	manyPerCore = 8
	workerMB    = 24
)

// slotName is the name and identity of a pool slot's workers.
type slotName struct{ name, identity string }

// startWorkers starts a worker for each slot, or leaves nil for a slot
// whose worker did not start (the slot starts one for its first task,
// which then reports the problem). At most startAtOnce() workers are
// starting at any time, a worker counting until it is ready: each brings
// up a Go runtime and an interpreter, and hundreds doing so together slow
// each other and the machine down. It returns once the last one is
// started, so that a pool of up to startAtOnce() workers does not wait for
// them at all. After a worker fails to start it starts no more (the next
// would most likely fail the same way). When ctx is done (the cell is
// interrupted) it starts no more, stops those it started and returns
// ErrInterrupted.
func (p *Pool) startWorkers(ctx context.Context, slots []slotName) ([]*poolWorker, error) {
	workers := make([]*poolWorker, len(slots))
	starting := make(chan struct{}, startAtOnce())
	var failed error
	for i, s := range slots {
		select {
		case starting <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		w, err := p.spawn(s.name, s.identity, "")
		if err != nil {
			failed = err
			break
		}
		workers[i] = w
		// Ends when the worker is ready or gone, whichever comes first.
		go func() {
			<-w.c.ready
			<-starting
		}()
	}
	if ctx.Err() != nil {
		for _, w := range workers {
			if w != nil {
				w.stop(true)
			}
		}
		return nil, ErrInterrupted
	}
	if failed != nil {
		logger().Warn("start pool workers", "err", failed)
	}
	return workers, nil
}

// startAtOnce is how many pool workers may be starting at once: twice the
// cores, as a start waits for the kernel and the disk as well as the CPU.
func startAtOnce() int { return max(1, 2*CPUCount()) }

// task is one call frame's worth of work: a target and a chunk of
// encoded argument tuples, the notebook state it needs, the cell it
// belongs to, and where its results go.
type task struct {
	tg      *target
	call    uint64                   // the submit (Map, Apply...) it belongs to
	seq     uint64                   // its call frame's number, once sent
	first   int                      // index of the first item, -1 for Apply
	n       int                      // number of items
	items   [][]byte                 // their encoded argument tuples, or
	load    func() ([][]byte, error) // encodes them when the task is sent
	snap    []byte
	version uint64
	cell    Cell
	ctx     context.Context
	done    func(vals []any, err error)
	resent  bool // sent again after its first worker died before reading it
	kind    Workers
	build   Build // the compiled worker's build, nil for interpreted workers
	prefix  bool  // output lines start with the worker's pid (WithOutputPrefix)
}

// Map calls fn on each element of items (a slice or array) and returns the
// results in input order. The first failing item's error is returned, a
// *RemoteError naming the item for a panic or an error fn returned. opts
// may be WithChunkSize and WithProgress.
func (p *Pool) Map(fn any, items any, opts ...Option) ([]any, error) {
	g, err := p.mapAsync(mapCall{op: "Map", waits: true}, fn, items, opts)
	if err != nil {
		return nil, err
	}
	return g.wait(currentContext())
}

// Starmap is Map for functions of several arguments: each element of
// items is a slice (or array) holding one call's arguments.
func (p *Pool) Starmap(fn any, items any, opts ...Option) ([]any, error) {
	g, err := p.mapAsync(mapCall{op: "Starmap", star: true, waits: true}, fn, items, opts)
	if err != nil {
		return nil, err
	}
	return g.wait(currentContext())
}

// MapAsync is Map without waiting: Get returns the []any of results.
func (p *Pool) MapAsync(fn any, items any, opts ...Option) *AsyncResult {
	r := newAsyncResult()
	g, err := p.mapAsync(mapCall{op: "MapAsync"}, fn, items, opts)
	if err != nil {
		r.set(nil, err)
		return r
	}
	g.whenDone(r.set)
	return r
}

// Apply calls fn(args...) on a worker and returns its result.
func (p *Pool) Apply(fn any, args ...any) (any, error) {
	return p.ApplyAsync(fn, args...).Get()
}

// ApplyAsync is Apply without waiting.
func (p *Pool) ApplyAsync(fn any, args ...any) *AsyncResult {
	r := newAsyncResult()
	tg, err := p.check("Apply", fn)
	o := p.opts
	if err != nil {
		r.set(nil, err)
		return r
	}
	enc, err := tg.encodeArgs(nil, args)
	if err != nil {
		r.set(nil, fmt.Errorf("mp.Pool.Apply(%s, ...): %w", tg.name, err))
		return r
	}
	err = p.submit(tg, o, -1, []chunk{{n: 1, items: [][]byte{enc}}}, func(_ int, vals []any, err error) {
		if err != nil {
			r.set(nil, err)
			return
		}
		r.set(vals[0], nil)
	})
	if err != nil {
		r.set(nil, err)
	}
	return r
}

// Imap calls fn on each element of items and delivers results in input
// order as they become available; the channel is closed after the last.
// Errors arrive as Items with Err set; a bad fn or item, found before
// anything runs, is a single Item with Index -1.
func (p *Pool) Imap(fn any, items any, opts ...Option) <-chan Item {
	return p.imap("Imap", fn, items, false, opts)
}

// ImapUnordered is Imap delivering results in the order they finish.
func (p *Pool) ImapUnordered(fn any, items any, opts ...Option) <-chan Item {
	return p.imap("ImapUnordered", fn, items, true, opts)
}

func (p *Pool) imap(op string, fn any, items any, unordered bool, opts []Option) <-chan Item {
	g, err := p.mapAsync(mapCall{op: op, stream: true, unordered: unordered}, fn, items, opts)
	if err != nil {
		ch := make(chan Item, 1)
		ch <- Item{Index: -1, Err: err}
		close(ch)
		return ch
	}
	return g.out
}

// chunkSize is how many of n items travel together: the option if set,
// else 1 for Imap and len/(4*workers) rounded up for the Map family.
func (p *Pool) chunkSize(o poolOptions, n int, imap bool) int {
	if o.chunkSize > 0 {
		return o.chunkSize
	}
	if imap {
		return 1
	}
	c := (n + 4*p.size - 1) / (4 * p.size)
	return max(c, 1)
}

func (p *Pool) check(op string, fn any) (*target, error) {
	if p.err != nil {
		return nil, p.err
	}
	h, _, err := currentHost()
	if err != nil {
		return nil, fmt.Errorf("mp.Pool.%s: %w", op, err)
	}
	tg, err := newTarget(h, "mp.Pool."+op, fn)
	if err == nil && p.remote != nil {
		tg.remote = true
	}
	return tg, err
}

// mapCall says which of the Map family a call is.
type mapCall struct {
	op   string // the method's name, for errors and the default progress label
	star bool   // each item holds one call's arguments (Starmap)
	// waits: the caller waits for the results, so items that cannot fail
	// may be encoded later (see chunkItems).
	waits bool
	// stream: results also go to the gather's Item channel (Imap), in
	// input order or, with unordered, as they finish; chunks default to
	// one item.
	stream, unordered bool
}

// mapAsync encodes every item (so a bad one fails the call before anything
// runs, but see mapCall.waits), cuts them into chunks and submits them.
func (p *Pool) mapAsync(c mapCall, fn any, items any, opts []Option) (*gather, error) {
	op := c.op
	o, err := p.callOptions(op, opts)
	if err != nil {
		return nil, err
	}
	tg, err := p.check(op, fn)
	if err != nil {
		return nil, err
	}
	v := reflect.ValueOf(items)
	if k := v.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("mp.Pool.%s(%s): items is a %s, want a slice", op, tg.name, typeName(items))
	}
	n := v.Len()
	size := p.chunkSize(o, n, c.stream)
	chunks, err := chunkItems(tg, v, c.star, size, c.waits)
	if err != nil {
		return nil, fmt.Errorf("mp.Pool.%s(%s): %w", op, tg.name, err)
	}
	g := newGather(n, len(chunks))
	if c.stream {
		g.stream(c.unordered)
	}
	var bar *progressBar
	if o.progress {
		label := o.label
		if label == "" {
			label = fmt.Sprintf("%s(%s)", op, tg.name)
		}
		h, _, _ := currentHost()
		bar = newProgressBar(label, n, h.Cell())
		g.whenDone(func(_ any, err error) { bar.end(err) })
	}
	err = p.submit(tg, o, 0, chunks, func(first int, vals []any, err error) {
		if bar != nil {
			bar.add(len(vals))
		}
		g.chunkDone(first, chunks[first/size].n, vals, err)
	})
	if err != nil && bar != nil {
		bar.end(err)
	}
	return g, err
}

// tuple returns the elements of a Starmap item.
func tuple(v reflect.Value) ([]any, error) {
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if k := v.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("a %s, want a slice of arguments", v.Type())
	}
	args := make([]any, v.Len())
	for i := range args {
		args[i] = v.Index(i).Interface()
	}
	return args, nil
}

// submit queues one task per chunk. first is the index of the first item
// (-1 for Apply); done gets each chunk's first item index and results.
func (p *Pool) submit(tg *target, o poolOptions, first int, chunks []chunk, done func(first int, vals []any, err error)) error {
	h, _, err := currentHost()
	if err != nil {
		return err
	}
	snap, err := h.Snapshot()
	if err != nil {
		return fmt.Errorf("mp.Pool: snapshot notebook: %w", err)
	}
	cell := h.Cell()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.terminated {
		return errors.New("mp.Pool: pool is closed")
	}
	if p.version == 0 || !bytes.Equal(snap, p.snap) {
		p.snap, p.version = snap, p.version+1
		p.builds = nil
	}
	kind := workersFor(o)
	b := p.buildOf(kind, tg)
	p.calls++
	at := first
	for _, c := range chunks {
		idx := at
		p.queue = append(p.queue, &task{
			tg: tg, call: p.calls, first: idx, n: c.n, items: c.items, load: c.load, snap: p.snap, version: p.version,
			cell: cell, ctx: contextOf(cell), kind: kind, build: b, prefix: prefixFor(o),
			done: func(vals []any, err error) { done(max(idx, 0), vals, err) },
		})
		if at >= 0 {
			at += c.n
		}
	}
	p.cond.Broadcast()
	return nil
}

// next returns the next task for the slot whose worker is w, or nil when
// the pool is closed and drained or terminated. While it waits it watches
// w: died reports that w, once ready, has died (killed from outside,
// out of memory) and should be replaced.
func (p *Pool) next(w *poolWorker) (t *task, died bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.queue) == 0 && !p.closed && !p.terminated {
		if w != nil && w.c.wasReady() && !w.c.alive() {
			return nil, true
		}
		p.idle++
		p.cond.Wait()
		p.idle--
	}
	if p.terminated || len(p.queue) == 0 {
		return nil, false
	}
	t = p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	return t, false
}

// setWorker records slot's current worker, nil for none.
func (p *Pool) setWorker(slot int, w *poolWorker) {
	p.mu.Lock()
	p.workers[slot] = w
	p.mu.Unlock()
}

// nextOf returns the next task without waiting, to be sent to a worker
// ahead while it runs another task of submit call, or nil. It takes only a
// task of the same submit (so it shares the cell and snapshot), of several
// items (for a one-item task, the call dominates the frame's transfer and
// decoding that sending ahead hides, and a task held behind a long one
// would leave a worker that frees up idle at the end of a Map), and only
// when more tasks are queued than worker loops wait for one.
func (p *Pool) nextOf(call uint64) *task {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminated || len(p.queue) <= p.idle {
		return nil
	}
	if h := p.queue[0]; h.call != call || h.n < 2 || h.ctx.Err() != nil {
		return nil
	}
	t := p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	return t
}

// requeue puts tasks that were sent to a worker which broke before running
// them back at the front of the queue, in order, or fails them if the pool
// was terminated.
func (p *Pool) requeue(ts []*task) {
	if len(ts) == 0 {
		return
	}
	p.mu.Lock()
	if p.terminated {
		p.mu.Unlock()
		for _, t := range ts {
			t.done(nil, errors.New("mp.Pool: pool terminated"))
		}
		return
	}
	p.queue = append(ts[:len(ts):len(ts)], p.queue...)
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Close stops the pool taking work; workers exit once the queued tasks
// are done. Calling it again is harmless.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Terminate kills the workers at once; tasks not yet finished fail.
// Calling it again is harmless. It returns after the workers have exited.
func (p *Pool) Terminate() {
	p.mu.Lock()
	if !p.terminated {
		p.terminated = true
		close(p.term)
		for _, t := range p.queue {
			t.done(nil, errors.New("mp.Pool: pool terminated"))
		}
		p.queue = nil
		p.cond.Broadcast()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Join waits for the workers to exit, after Close or Terminate.
func (p *Pool) Join() error {
	p.mu.Lock()
	stopped := p.closed || p.terminated
	p.mu.Unlock()
	if !stopped {
		return errors.New("mp.Pool.Join: pool is running; call Close or Terminate first")
	}
	p.wg.Wait()
	return nil
}

// buildOf returns the build of a compiled worker for tg (and the pool's
// initializer) in the pool's current snapshot, nil for interpreted
// workers. The build is asked for once per target and snapshot, since
// finding it hashes the notebook's declarations. p.mu is held.
func (p *Pool) buildOf(kind Workers, tg *target) Build {
	if kind == Interpreted {
		return nil
	}
	if b, ok := p.builds[tg.name]; ok {
		return b
	}
	targets := []string{tg.name}
	if p.init != nil {
		targets = append(targets, p.init.Target)
	}
	b := buildFor(kind, p.snap, targets...)
	if p.builds == nil {
		p.builds = map[string]Build{}
	}
	p.builds[tg.name] = b
	return b
}
