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

	"github.com/gomp-kernel/gomp/display"
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
	if err := w.conn.sendMsg(0, readyFrame{}); err != nil {
		return fmt.Errorf("mp worker: %w", err)
	}
	return w.serve()
}

// display sends a display of the notebook's code to the parent, in stdout
// among the lines printed (see displayPrefix). One Write keeps the line
// whole: os.File serialises writers, so a goroutine's print cannot split it.
func (w *worker) display(o display.Output) error {
	line, err := displayLine(w.hello.Token, o)
	if err != nil {
		return err
	}
	_, err = w.stdout.Write(line)
	return err
}

// worker is the state of ServeWorker's loop.
type worker struct {
	conn           *conn
	runner         Runner
	stdout, stderr io.Writer
	hello          hello
	restored       bool
	stateErr       error      // failure of the last restore or initializer
	init           *initFrame // initializer call, rerun after each restore
}

func (w *worker) serve() error {
	f, err := w.conn.recv()
	if err != nil {
		return fmt.Errorf("mp worker: read hello: %w", err)
	}
	if f.Kind != kindHello {
		return fmt.Errorf("mp worker: first frame is kind %d, want hello", f.Kind)
	}
	if err = w.hello.decode(f.Body); err != nil {
		return fmt.Errorf("mp worker: hello: %w", err)
	}
	setSelf(w.hello)
	display.SetPublisher(w.display)
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
			var m restoreFrame
			w.stateErr = m.decode(f.Body)
			if w.stateErr == nil {
				w.stateErr = w.runner.Restore(m.Snapshot)
			}
			if w.stateErr != nil {
				w.stateErr = fmt.Errorf("restore notebook state: %w", w.stateErr)
			}
			w.restored = true
			w.runInit()
		case kindInit:
			w.init = &initFrame{}
			if err := w.init.decode(f.Body); err != nil {
				w.stateErr = fmt.Errorf("initializer: %w", err)
			}
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
			if err := w.conn.sendMsg(f.Seq, reply); err != nil {
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
	name, args := w.init.Target, w.init.Args
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
func (w *worker) call(p []byte) (reply resultFrame, failed bool) {
	var m callFrame
	derr := m.decode(p)
	name, first, n := m.Target, m.First, uint64(len(m.Items))
	var results [][]byte
	var rerr *RemoteError
	fn, err := w.runner.Func(name)
	switch {
	case derr != nil:
		rerr = &RemoteError{Target: name, Item: -1, Message: derr.Error()}
	case w.stateErr != nil:
		rerr = &RemoteError{Target: name, Item: -1, Message: w.stateErr.Error()}
	case err != nil:
		rerr = &RemoteError{Target: name, Item: -1, Message: err.Error()}
	}
	var loop reflect.Value
	if lr, ok := w.runner.(looper); ok && rerr == nil && n > 1 && loopable(fn.Type()) {
		// A runner that cannot loop over this target is asked item by item.
		loop, _ = lr.Loop(name)
		if loop.IsValid() && !loopShaped(loop.Type()) {
			loop = reflect.Value{}
		}
	}
	if loop.IsValid() {
		var at int
		results, at, rerr = w.runLoop(name, loop, m.Items)
		if rerr != nil && first >= 0 {
			rerr.Item = first + at
		}
	}
	for i := uint64(0); !loop.IsValid() && rerr == nil && i < n; i++ {
		res, e := w.invoke(name, fn, m.Items[i])
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
	return resultFrame{Results: results, Err: rerr}, rerr != nil
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
			rerr = w.panicked(name, p)
		}
	}()
	out := fn.Call(in)
	res, err = encodeResults(nil, fn.Type(), out)
	if err != nil {
		return nil, &RemoteError{Target: name, Item: -1, Message: err.Error()}
	}
	return res, nil
}

// panicked describes the panic p of target name and writes it to stderr
// as Go prints one. The stack is the Tracer's; without one it is the
// worker's own, which shows the panic only while it unwinds (in invoke's
// deferred recover, not after a loop recovered it).
func (w *worker) panicked(name string, p any) *RemoteError {
	rerr := &RemoteError{Target: name, Item: -1, Panic: true, Message: fmt.Sprint(p)}
	if pt, ok := w.runner.(PanicTexter); ok {
		// An interpreter's run-time errors read as Go's (interp.Session).
		rerr.Message = pt.PanicText(p)
	}
	if tr, ok := w.runner.(Tracer); ok {
		rerr.Stack = tr.Traceback(p)
	} else {
		rerr.Stack = string(debug.Stack())
	}
	fmt.Fprintf(w.stderr, "panic: %s [recovered by %s]\n\n%s\n", rerr.Message, w.hello.Name, rerr.Stack)
	return rerr
}

// looper may be implemented by a Runner that can run a whole chunk of a
// target with one call (interp's Session.Loop): a call from compiled code
// into an interpreter is costly, and a pool of a small target spent most
// of its time making one per item. Loop returns
//
//	func(xs []A) (out []R, failed bool, recovered any, err error)
//
// for a target of type func(A) R or func(A) (R, error): out holds the
// results of the items before the first that panicked (failed, with the
// recovered value) or returned an error (failed, with err).
type looper interface {
	Loop(target string) (reflect.Value, error)
}

// loopable reports whether a looper may loop over a target of type t.
func loopable(t reflect.Type) bool {
	switch {
	case t.NumIn() != 1 || t.IsVariadic():
		return false
	case t.NumOut() == 1:
		return t.Out(0) != errorType
	case t.NumOut() == 2:
		return t.Out(0) != errorType && t.Out(1) == errorType
	}
	return false
}

// loopShaped reports whether a loop returned by a looper has the type it
// documents.
func loopShaped(t reflect.Type) bool {
	return t.Kind() == reflect.Func && t.NumIn() == 1 && t.In(0).Kind() == reflect.Slice &&
		t.NumOut() == 4 && t.Out(0).Kind() == reflect.Slice && t.Out(1).Kind() == reflect.Bool &&
		t.Out(2).Kind() == reflect.Interface && t.Out(3) == errorType
}

// runLoop runs the argument tuples items through loop, as call runs them
// one by one through invoke: the encoded results of the items that
// succeeded, and the error of the one that failed, whose index in the
// chunk is at.
func (w *worker) runLoop(name string, loop reflect.Value, items [][]byte) (results [][]byte, at int, rerr *RemoteError) {
	lt := loop.Type()
	n := len(items)
	if lt.In(0) == intSliceType {
		if ints, ok := decodeIntArgs(items); ok {
			return w.finishLoop(name, loop, reflect.ValueOf(ints), nil)
		}
	}
	xs := reflect.MakeSlice(lt.In(0), n, n)
	for i := range n {
		rr := reader{b: items[i]}
		var err error
		if count := rr.uint(); rr.err != nil || count != 1 {
			err = fmt.Errorf("%d arguments for %s", count, lt.In(0).Elem())
		}
		if err == nil {
			if _, err = decodeInto(rr.b, xs.Index(i), 0); err != nil {
				err = fmt.Errorf("decode argument 1 (%s): %w", lt.In(0).Elem(), err)
			}
		}
		if err != nil {
			// Run the items before it, then report it.
			rerr = &RemoteError{Target: name, Item: -1, Message: err.Error()}
			xs = xs.Slice(0, i)
			break
		}
	}
	return w.finishLoop(name, loop, xs, rerr)
}

// finishLoop calls loop on the decoded arguments xs and encodes its
// results; rerr is the error of an item that could not be decoded, after
// those in xs.
func (w *worker) finishLoop(name string, loop, xs reflect.Value, rerr *RemoteError) (results [][]byte, at int, _ *RemoteError) {
	lt := loop.Type()
	res, perr := w.callLoop(name, loop, xs)
	if perr != nil {
		return nil, 0, perr
	}
	out, failed, recovered, ferr := res[0], res[1].Bool(), res[2], res[3]
	rt := lt.Out(0).Elem()
	if out.Type() == intSliceType {
		results = appendInts(out.Interface().([]int))
	} else {
		buf := make([]byte, 0, out.Len()*8)
		ends := make([]int, 0, out.Len())
		for j := range out.Len() {
			var err error
			if buf, err = theCodec.append(buf, out.Index(j), rt); err != nil {
				return pieces(buf, ends), j, &RemoteError{Target: name, Item: -1, Message: fmt.Sprintf("result 1 (%s) cannot be sent back: %v", rt, err)}
			}
			ends = append(ends, len(buf))
		}
		results = pieces(buf, ends)
	}
	switch {
	case failed && !ferr.IsNil():
		return results, len(results), &RemoteError{Target: name, Item: -1, Message: ferr.Interface().(error).Error()}
	case failed:
		return results, len(results), w.panicked(name, recovered.Interface())
	}
	return results, len(results), rerr
}

// callLoop calls loop on xs. A panic that escapes the loop (the
// interpreter's own) is reported against the chunk's first item.
func (w *worker) callLoop(name string, loop, xs reflect.Value) (out []reflect.Value, rerr *RemoteError) {
	defer func() {
		if p := recover(); p != nil {
			out, rerr = nil, w.panicked(name, p)
		}
	}()
	return loop.Call([]reflect.Value{xs}), nil
}

// pieces cuts buf at ends into one slice per result.
func pieces(buf []byte, ends []int) [][]byte {
	out := make([][]byte, len(ends))
	start := 0
	for j, end := range ends {
		out[j] = buf[start:end:end]
		start = end
	}
	return out
}
