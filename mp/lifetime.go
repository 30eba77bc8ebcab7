package mp

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/gomp-kernel/gomp/internal/forkthread"
)

// Config says how mp starts worker processes. The zero value runs the
// current executable (os.Executable) with the single argument "worker" and
// keeps one spare worker started ahead of need.
type Config struct {
	// Path is the worker executable; "" means os.Executable().
	Path string
	// Args follow Path on the command line; nil means []string{"worker"}.
	Args []string
	// Env is appended to os.Environ() for workers.
	Env []string
	// Log receives mp's diagnostics; nil means slog.Default().
	Log *slog.Logger
	// NoSpare turns off the spare: by default, once a Process has exited,
	// another worker is started in the background and waits for the next
	// Start, which then skips process start-up.
	NoSpare bool
	// Builder, when set, builds workers with the notebook's functions
	// compiled in (see Workers); nil runs every worker interpreted.
	Builder Builder
	// Cluster, when set, carries the tasks of pools made WithCluster to
	// workers on other machines; nil makes such pools an error.
	Cluster Cluster
}

// command is the worker's command line: exe when it is not "" (a compiled
// worker, which takes no arguments), else Path and Args.
func (c *Config) command(exe string) (string, []string, error) {
	if exe != "" {
		return exe, []string{}, nil
	}
	path, args := c.Path, c.Args
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", nil, fmt.Errorf("find worker executable: %w", err)
		}
		path = exe
	}
	if args == nil {
		args = []string{"worker"}
	}
	return path, args, nil
}

func (c *Config) logger() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// logger is the configured logger, or slog.Default() before SetHost.
func logger() *slog.Logger {
	state.children.mu.Lock()
	defer state.children.mu.Unlock()
	return state.children.cfg.logger()
}

// ErrNoHost is returned when a Process or Pool is used in a program where
// SetHost was not called: gomp's kernel, runner and workers all call it,
// so this means mp is used from a program of one's own.
var ErrNoHost = errors.New("mp: no host: processes can only be started from a gomp kernel, runner or worker (mp.SetHost was not called)")

// children is what mp knows of the processes this one starts: the host
// main installed, the forker thread, the spare worker, and every live
// Process and Pool (for ActiveChildren and Shutdown).
type children struct {
	mu      sync.Mutex
	host    Host
	cfg     Config
	forker  *forkthread.Thread
	spare   *child
	refills sync.WaitGroup
	filling bool // a refill is under way
	closing bool // Shutdown is under way: no new spare
	count   int  // children named so far (Process-N, PoolWorker-N)
	started int  // Processes started so far
	procs   map[*Process]bool
	pools   map[*Pool]bool
}

// nextName returns the name and identity of the next child: prefix-N and
// N in the kernel; in a child whose identity is I, prefix-I:N and I:N, so
// that a grandchild reads Process-1:1, as in Python.
func nextName(prefix string) (name, identity string) {
	state.children.mu.Lock()
	state.children.count++
	n := state.children.count
	state.children.mu.Unlock()
	identity = strconv.Itoa(n)
	if own := selfIdentity(); own != "" {
		identity = own + ":" + identity
	}
	return prefix + "-" + identity, identity
}

// theForker returns the forker thread, starting it on first use.
func theForker() *forkthread.Thread {
	state.children.mu.Lock()
	defer state.children.mu.Unlock()
	if state.children.forker == nil {
		state.children.forker = forkthread.New()
	}
	return state.children.forker
}

// newChild starts a worker for a Pool: the compiled worker exe, or an
// interpreted one when exe is "".
func newChild(exe string) (*child, error) {
	_, cfg, err := currentHost()
	if err != nil {
		return nil, err
	}
	return startChild(&cfg, theForker(), exe)
}

// takeChild returns a worker for a Process: the spare if one is ready,
// else a new one.
func takeChild() (*child, error) {
	_, cfg, err := currentHost()
	if err != nil {
		return nil, err
	}
	state.children.mu.Lock()
	c := state.children.spare
	state.children.spare = nil
	state.children.mu.Unlock()
	if c != nil && c.alive() {
		return c, nil
	}
	if c != nil {
		<-c.exited
	}
	return startChild(&cfg, theForker(), "")
}

// Warm starts a spare worker in the background, unless there is one, a
// child is running (the spare's start-up would compete with it for the
// CPU) or Config.NoSpare is set, so that the next Process.Start skips
// process start-up: a spare reaches the target's first output in 2-3 ms,
// a cold start in about 40. The kernel calls it after each cell of a
// notebook that imports mp; the spare costs about 24 MB while it waits.
func Warm() {
	state.children.mu.Lock()
	busy := len(state.children.procs) > 0
	state.children.mu.Unlock()
	if !busy {
		prepareSpare()
	}
}

// prepareSpare starts a spare worker in the background unless there is one
// or Config.NoSpare says not to. Process calls it when a child has exited,
// so that a spare's start-up never competes for CPU with the children
// running (on 2 cores it delayed their first output by up to 15 ms).
func prepareSpare() {
	_, cfg, err := currentHost()
	if err != nil || cfg.NoSpare {
		return
	}
	f := theForker()
	state.children.mu.Lock()
	defer state.children.mu.Unlock()
	if state.children.spare != nil || state.children.filling || state.children.closing {
		return
	}
	state.children.filling = true
	state.children.refills.Add(1)
	go refill(&cfg, f)
}

// refill starts a spare worker unless one is there already. Shutdown waits
// for it.
func refill(cfg *Config, f *forkthread.Thread) {
	defer state.children.refills.Done()
	c, err := startChild(cfg, f, "")
	if err == nil {
		<-c.ready // a spare is warm only once its runtime and interpreter are up
	}
	state.children.mu.Lock()
	state.children.filling = false
	if err == nil && state.children.spare == nil && state.children.forker == f {
		state.children.spare, c = c, nil
	}
	state.children.mu.Unlock()
	if err != nil {
		cfg.logger().Warn("start spare worker", "err", err)
		return
	}
	if c != nil {
		c.closeInput()
		<-c.exited
	}
}

// Shutdown ends every child: it terminates pools and processes, stops the
// spare and the forker thread, and waits for all of them. The kernel calls
// it when it shuts down; mp can be used again afterwards.
func Shutdown() {
	state.children.mu.Lock()
	state.children.closing = true
	pools := make([]*Pool, 0, len(state.children.pools))
	for p := range state.children.pools {
		pools = append(pools, p)
	}
	procs := make([]*Process, 0, len(state.children.procs))
	for p := range state.children.procs {
		procs = append(procs, p)
	}
	state.children.mu.Unlock()
	for _, p := range pools {
		p.Terminate()
	}
	for _, p := range procs {
		p.Kill()
		<-p.done
	}
	state.children.refills.Wait()
	state.children.mu.Lock()
	spare, f := state.children.spare, state.children.forker
	state.children.spare, state.children.forker, state.children.closing = nil, nil, false
	state.children.mu.Unlock()
	if spare != nil {
		spare.closeInput()
		<-spare.exited
	}
	if f != nil {
		f.Stop()
	}
	closeBroker()
	closeClients()
	removeSegments()
	removeStale()
}
