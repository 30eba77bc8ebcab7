package mp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"
	"syscall"
)

// Cluster carries a pool's tasks to workers on other machines. main
// installs one through Config.Cluster (gomp's cluster package, on NATS
// JetStream); mp itself knows nothing of the network.
type Cluster interface {
	// Open connects a pool to the cluster at url.
	Open(url string) (ClusterPool, error)
}

// ClusterPool is one pool's connection to a cluster.
type ClusterPool interface {
	// Run runs one task on some joined worker and returns the encoded
	// result frame. Output lines the task printed are written to
	// t.Stdout and t.Stderr before Run returns. Run returns ctx's error
	// when ctx is done first.
	Run(ctx context.Context, t ClusterTask) ([]byte, error)
	// Close drops the pool's pending tasks and disconnects.
	Close() error
}

// ClusterTask is one chunk of a pool's call, as a cluster carries it.
type ClusterTask struct {
	Target   string   // the Host's name of the function
	First    int      // index of Items[0] in the call, -1 for Apply
	Items    [][]byte // encoded argument tuples
	Snapshot []byte   // the notebook state the target needs
	// InitTarget and InitArgs are the pool's initializer (WithInitializer),
	// which a worker process runs before its first task and after each
	// restore; "" for none. A remote worker process serves the tasks of
	// one initializer only.
	InitTarget string
	InitArgs   []byte
	// MaxTasks is WithMaxTasksPerChild's n: a remote worker process is
	// replaced after n tasks of the pool; 0 means never.
	MaxTasks int
	// Prefix asks for output lines prefixed with the pid of the process
	// that printed them and IP, its machine's address (WithOutputPrefix).
	Prefix bool
	IP     string
	// Binary is, on the kernel's side, the path of the compiled worker
	// that runs Target ("" for an interpreted one); on a worker's side,
	// the executable the RemoteWorker was started from.
	Binary string
	Stdout io.Writer
	Stderr io.Writer
}

// WithCluster makes a Pool run its tasks on workers that joined the
// cluster at url (`gomp worker --join`), instead of on worker processes
// of this machine. The pool's size is how many of its tasks run at once.
// Queues, Pipes, Arrays, Values and locks live on this machine: passing
// one to a task of such a pool is an error naming the argument. The
// environment variable GOMP_CLUSTER, when set, is the url of every pool
// made without WithCluster. url is nats://TOKEN@HOST:PORT, or the path
// of a notebook credentials file of gomp cluster serve (see the README's
// "Pools across machines"). The url "" (or "embedded") is this
// machine's embedded cluster server, which the kernel starts for the
// first such pool and stops at its shutdown: `gomp worker --join` with no
// URL, on the same machine, joins it.
func WithCluster(url string) Option {
	if url == "" {
		url = "embedded"
	}
	return func(o *poolOptions) { o.cluster, o.clusterSet = url, true }
}

// clusterFor returns the cluster url of a pool with options o, "" for a
// local pool.
func clusterFor(o poolOptions) string {
	if o.clusterSet {
		return o.cluster
	}
	return os.Getenv("GOMP_CLUSTER")
}

// openCluster connects p to its cluster.
func (p *Pool) openCluster(url string) error {
	_, cfg, err := currentHost()
	if err != nil {
		return err
	}
	if cfg.Cluster == nil {
		return errors.New("this gomp has no cluster transport")
	}
	cp, err := cfg.Cluster.Open(url)
	if err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	p.remote = cp
	return nil
}

// remoteLoop is one slot of a pool on a cluster: it runs the pool's tasks
// one at a time through the cluster. NewPool starts it; Join and
// Terminate wait for it.
func (p *Pool) remoteLoop() {
	defer p.wg.Done()
	defer p.slotEnded()
	for {
		t, _ := p.next(nil)
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
		if err := t.encode(); err != nil {
			t.done(nil, err)
			continue
		}
		ct := ClusterTask{
			Target: t.tg.name, First: t.first, Items: t.items, Snapshot: t.snap,
			MaxTasks: p.opts.maxTasks, Prefix: t.prefix, Binary: exe,
			Stdout: t.cell.Stdout, Stderr: t.cell.Stderr,
		}
		if p.init != nil {
			ct.InitTarget, ct.InitArgs = p.init.Target, p.init.Args
		}
		ctx, cancel := context.WithCancel(t.ctx)
		go func() {
			select {
			case <-p.term:
				cancel()
			case <-ctx.Done():
			}
		}()
		body, err := p.remote.Run(ctx, ct)
		terminated := p.isTerminated()
		cancel()
		switch {
		case err != nil && terminated:
			t.done(nil, errors.New("mp.Pool: pool terminated"))
		case err != nil && t.ctx.Err() != nil:
			t.done(nil, ErrInterrupted)
		case err != nil:
			t.done(nil, fmt.Errorf("mp.Pool: %s on the cluster: %w", t.tg.name, err))
		default:
			t.done(decodeResult(t, body))
		}
	}
}

// closeRemote disconnects a cluster pool once its slots have ended.
func (p *Pool) closeRemote() {
	if p.remote != nil {
		if err := p.remote.Close(); err != nil {
			logger().Warn("close cluster pool", "err", err)
		}
	}
}

// decodeResult decodes a result frame's body against t's target.
func decodeResult(t *task, b []byte) ([]any, error) {
	var res resultFrame
	if err := res.decode(b); err != nil {
		return nil, fmt.Errorf("mp.Pool: %s: reply from the cluster: %w", t.tg.name, err)
	}
	vals, err := decodeChunk(t.tg, res.Results)
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		res.Err.Target = t.tg.name
		return vals, res.Err
	}
	if len(vals) != t.n {
		return nil, fmt.Errorf("mp.Pool: %s: %d results from the cluster for %d items", t.tg.name, len(vals), t.n)
	}
	return vals, nil
}

// localArg returns the name of the mp type that makes t a local object
// (a Queue, a Pipe end, a lock, an Array...), "" when values of t can
// travel to another machine.
func localArg(t reflect.Type) string {
	return localIn(t, map[reflect.Type]bool{})
}

func localIn(t reflect.Type, seen map[reflect.Type]bool) string {
	if t == nil || seen[t] {
		return ""
	}
	seen[t] = true
	if isHandle(t) {
		return t.String()
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return localIn(t.Elem(), seen)
	case reflect.Map:
		if s := localIn(t.Key(), seen); s != "" {
			return s
		}
		return localIn(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if s := localIn(t.Field(i).Type, seen); s != "" {
				return s
			}
		}
	}
	return ""
}

// RemoteWorker runs tasks that came from another machine on a worker
// process of this one, over the same protocol as a Pool's workers. The
// cluster package's `gomp worker --join` keeps one per slot. SetHost must
// have been called (the worker process's own interpreter is the host).
type RemoteWorker struct {
	mu      sync.Mutex
	w       *poolWorker
	snap    []byte // the snapshot the worker has restored
	version uint64
	init    bool // the initializer has been sent
}

// NewRemoteWorker starts a worker process named name: this gomp binary
// as an interpreted worker when exe is "", else the compiled worker exe.
func NewRemoteWorker(name, exe string) (*RemoteWorker, error) {
	c, err := newChild(exe)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	w := &poolWorker{c: c, name: name, exe: exe}
	if err := c.greet(hello{Name: name, ParentName: self().Name, ParentPid: os.Getpid(), Pool: true, Identity: "1"}, Cell{}); err != nil {
		w.stop(true)
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return &RemoteWorker{w: w}, nil
}

// Run runs t on the worker (restoring t.Snapshot first when it differs
// from the last one) and returns the encoded result frame. The task's
// output is written to t.Stdout and t.Stderr, all of it before Run
// returns. When ctx is done first, or the worker dies, the worker is
// killed and Run returns an error; the RemoteWorker cannot be used again.
func (r *RemoteWorker) Run(ctx context.Context, t ClusterTask) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.w
	c := w.c
	if !c.alive() {
		return nil, fmt.Errorf("%w: %s (pid %d) exited with status %d", ErrWorkerDied, w.name, c.pid(), c.exitCode())
	}
	stdout, stderr := t.Stdout, t.Stderr
	if t.Prefix {
		pre := pidPrefix(c.pid(), t.IP)
		stdout, stderr = prefixed(stdout, pre), prefixed(stderr, pre)
	}
	c.stdout.pin(stdout, nil)
	c.stderr.pin(stderr, nil)
	if t.InitTarget != "" && !r.init {
		// Run after the restore below (or now, if the state is restored).
		r.init = true
		if err := c.conn.sendMsg(0, initFrame{Target: t.InitTarget, Args: t.InitArgs}); err != nil {
			c.signal(syscall.SIGKILL)
			return nil, fmt.Errorf("%s: send initializer: %w", w.name, err)
		}
	}
	if r.version == 0 || string(r.snap) != string(t.Snapshot) {
		r.version++
		r.snap = t.Snapshot
		if err := c.conn.sendMsg(0, restoreFrame{Version: r.version, Snapshot: t.Snapshot}); err != nil {
			c.signal(syscall.SIGKILL)
			return nil, fmt.Errorf("%s: send snapshot: %w", w.name, err)
		}
	}
	w.seq++
	seq := w.seq
	if err := c.conn.sendMsg(seq, callFrame{Target: t.Target, First: t.First, Items: t.Items}); err != nil {
		c.signal(syscall.SIGKILL)
		return nil, fmt.Errorf("%s: send task: %w", w.name, err)
	}
	select {
	case f, ok := <-c.frames:
		if !ok {
			<-c.exited
			return nil, fmt.Errorf("%w: %s (pid %d) exited with status %d while running %s", ErrWorkerDied, w.name, c.pid(), c.exitCode(), t.Target)
		}
		if f.Kind != kindResult || f.Seq != seq {
			c.signal(syscall.SIGKILL)
			return nil, fmt.Errorf("%s: reply %d of kind %d to call %d", w.name, f.Seq, f.Kind, seq)
		}
		c.stdout.waitMark(seq)
		c.stderr.waitMark(seq)
		return f.Body, nil
	case <-ctx.Done():
		c.signal(syscall.SIGKILL)
		<-c.exited
		return nil, ctx.Err()
	}
}

// Close ends the worker process.
func (r *RemoteWorker) Close() {
	r.w.stop(false)
}
