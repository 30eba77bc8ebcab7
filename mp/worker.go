package mp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"runtime/debug"
	"syscall"
)

// ErrTargetFailed is returned by ServeWorker when a Process's target
// panicked or returned an error. The worker has already written the
// failure to its stderr (the cell's); main only has to exit with status 1.
var ErrTargetFailed = errors.New("mp: target failed")

// Worker-side file descriptors: the parent's frames arrive on fd 3, the
// worker's frames leave on fd 4 (cmd.ExtraFiles). Stdout and stderr carry
// only the user's output.
const (
	fdFromParent = 3
	fdToParent   = 4
)

// ServeWorker is the worker process's main loop: `gomp worker` builds an
// interpreter and calls it. It reads frames from the parent on fd 3 and
// answers on fd 4: who it is (hello), the notebook state to restore, then
// either one call (a Process: ServeWorker returns when it is done) or tasks
// until the parent says exit or closes the channel (a Pool worker).
//
// A worker ignores SIGINT: Jupyter interrupts a kernel by signalling its
// whole process group, and it is the parent that decides which children an
// interrupt ends (those of the interrupted cell). SIGTERM and SIGKILL end a
// worker as usual.
//
// ServeWorker returns nil when the worker should exit with status 0,
// ErrTargetFailed (wrapped) after a Process's target failed, and other
// errors when the channel to the parent broke; for all non-nil errors main
// exits with status 1.
func ServeWorker(ctx context.Context, r Runner) error {
	signal.Ignore(os.Interrupt)
	// Grandchildren started by notebook code must not inherit the channel.
	syscall.CloseOnExec(fdFromParent)
	syscall.CloseOnExec(fdToParent)
	in := os.NewFile(fdFromParent, "mp-from-parent")
	out := os.NewFile(fdToParent, "mp-to-parent")
	if in == nil || out == nil {
		return errors.New("mp worker: fds 3 and 4 are not open; start workers through mp")
	}
	defer in.Close()
	defer out.Close()
	stop := context.AfterFunc(ctx, func() { in.Close() })
	defer stop()
	w := &worker{conn: newConn(in, out), runner: r, stdout: os.Stdout, stderr: os.Stderr}
	if err := w.conn.send(frame{Kind: kindReady}); err != nil {
		return fmt.Errorf("mp worker: %w", err)
	}
	return w.serve()
}

// worker is the state of ServeWorker's loop.
type worker struct {
	conn           *conn
	runner         Runner
	stdout, stderr io.Writer
	hello          hello
	restored       bool
	stateErr       error  // failure of the last restore or initializer
	init           []byte // initializer call (target, args), rerun after each restore
}

func (w *worker) serve() error {
	f, err := w.conn.recv()
	if err != nil {
		return fmt.Errorf("mp worker: read hello: %w", err)
	}
	if f.Kind != kindHello {
		return fmt.Errorf("mp worker: first frame is kind %d, want hello", f.Kind)
	}
	if w.hello, err = decodeHello(f.Body); err != nil {
		return fmt.Errorf("mp worker: hello: %w", err)
	}
	setSelf(w.hello)
	for {
		f, err := w.conn.recv()
		if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("mp worker %s: %w", w.hello.Name, err)
		}
		switch f.Kind {
		case kindRestore:
			r := reader{b: f.Body}
			r.uint() // version, for the parent's bookkeeping
			snap := r.bytes()
			w.stateErr = errors.Join(r.err, w.runner.Restore(snap))
			if w.stateErr != nil {
				w.stateErr = fmt.Errorf("restore notebook state: %w", w.stateErr)
			}
			w.restored = true
			w.runInit()
		case kindInit:
			w.init = f.Body
			w.runInit()
		case kindCall:
			reply, failed := w.call(f.Body)
			syncBrokers()
			if !w.hello.Pool {
				if failed {
					return fmt.Errorf("%s: %w", w.hello.Name, ErrTargetFailed)
				}
				return nil
			}
			m := marker(w.hello.Token, f.Seq)
			w.stdout.Write(m)
			w.stderr.Write(m)
			if err := w.conn.send(frame{Seq: f.Seq, Kind: kindResult, Body: reply}); err != nil {
				return fmt.Errorf("mp worker %s: %w", w.hello.Name, err)
			}
		case kindExit:
			return nil
		default:
			return fmt.Errorf("mp worker %s: unexpected frame kind %d", w.hello.Name, f.Kind)
		}
	}
}

// runInit runs the pool's initializer once state has been restored.
func (w *worker) runInit() {
	if w.init == nil || !w.restored || w.stateErr != nil {
		return
	}
	r := reader{b: w.init}
	name, args := r.string(), r.bytes()
	if r.err != nil {
		w.stateErr = fmt.Errorf("initializer: %w", r.err)
		return
	}
	fn, err := w.runner.Func(name)
	if err != nil {
		w.stateErr = fmt.Errorf("initializer %s: %w", name, err)
		return
	}
	if _, rerr := w.invoke(name, fn, args); rerr != nil {
		w.stateErr = fmt.Errorf("initializer: %w", rerr)
	}
}

// call runs one call frame: a target and a chunk of argument tuples. The
// reply holds the results of the items that succeeded and the error of the
// first that failed, which ends the chunk.
func (w *worker) call(p []byte) (reply []byte, failed bool) {
	r := reader{b: p}
	name := r.string()
	first := int(r.uint()) - 1
	n := r.uint()
	var results [][]byte
	var rerr *RemoteError
	fn, err := w.runner.Func(name)
	switch {
	case r.err != nil:
		rerr = &RemoteError{Target: name, Item: -1, Message: r.err.Error()}
	case w.stateErr != nil:
		rerr = &RemoteError{Target: name, Item: -1, Message: w.stateErr.Error()}
	case err != nil:
		rerr = &RemoteError{Target: name, Item: -1, Message: err.Error()}
	}
	for i := uint64(0); rerr == nil && i < n; i++ {
		args := r.bytes()
		res, e := w.invoke(name, fn, args)
		if e != nil {
			rerr = e
			if first >= 0 {
				rerr.Item = first + int(i)
			}
			break
		}
		results = append(results, res)
	}
	if rerr != nil && !rerr.Panic {
		fmt.Fprintf(w.stderr, "%s\n", rerr)
	}
	b := body(nil).uint(uint64(len(results)))
	for _, res := range results {
		b = b.bytes(res)
	}
	if rerr == nil {
		return b.uint(0), false
	}
	return rerr.encode(b.uint(1)), true
}

// invoke calls fn with one encoded argument tuple and encodes its results.
// A panic is written to stderr, as Go prints one, and returned as a
// *RemoteError carrying the stack.
func (w *worker) invoke(name string, fn reflect.Value, args []byte) (res []byte, rerr *RemoteError) {
	in, err := decodeArgs(fn.Type(), args)
	if err != nil {
		return nil, &RemoteError{Target: name, Item: -1, Message: err.Error()}
	}
	defer func() {
		if p := recover(); p != nil {
			rerr = &RemoteError{Target: name, Item: -1, Panic: true, Message: fmt.Sprint(p)}
			if tr, ok := w.runner.(Tracer); ok {
				rerr.Stack = tr.Traceback(p)
			} else {
				rerr.Stack = string(debug.Stack())
			}
			fmt.Fprintf(w.stderr, "panic: %s [recovered by %s]\n\n%s\n", rerr.Message, w.hello.Name, rerr.Stack)
		}
	}()
	out := fn.Call(in)
	res, err = encodeResults(nil, fn.Type(), out)
	if err != nil {
		return nil, &RemoteError{Target: name, Item: -1, Message: err.Error()}
	}
	return res, nil
}
