package mp

import (
	"context"
	"io"
	"reflect"

	"github.com/gomp-kernel/gomp/display"
)

// Host is what mp needs from the interpreter session that runs the cells.
// main installs one with SetHost before any cell runs; a package-level hook
// is unavoidable because cells call mp.NewProcess without a handle (compare
// http.DefaultServeMux).
type Host interface {
	// Target names fn, which must be a function declared at top level in
	// the notebook (or a method value on a serialisable receiver). The name
	// is opaque to mp: a child's Runner.Func turns it back into a function.
	// Closures, func literals and compiled functions are an error that
	// names the rule.
	Target(fn any) (string, error)
	// Snapshot captures the notebook's state for a child: its imports and
	// declarations so far and the values of its package-level variables.
	// The bytes are opaque to mp; a child's Runner.Restore reads them.
	Snapshot() ([]byte, error)
	// Cell returns the output writers and context of the cell running now.
	// Children pin these at Start, so their output reaches the cell that
	// started them even when they print after it has ended. Context is done
	// when the cell is interrupted.
	Cell() Cell
}

// Cell is where a cell's output goes and how long it lives.
type Cell struct {
	Context        context.Context
	Stdout, Stderr io.Writer
	// Display receives what children show with the display package; nil
	// shows their text/plain on Stdout.
	Display func(display.Output) error
}

// Runner is the interpreter inside a worker process: it rebuilds the
// notebook's state from a Snapshot and resolves Targets to callable funcs.
// ServeWorker calls the funcs with reflect.Value.Call on the goroutine that called ServeWorker
// and recovers their panics; Restore may be called again with a newer
// snapshot between calls.
type Runner interface {
	Restore(snapshot []byte) error
	Func(target string) (reflect.Value, error)
}

// Tracer may be implemented by a Runner whose funcs can tell where inside
// the notebook's code a panic happened. When a target panics, ServeWorker
// recovers, calls Traceback with the recovered value, and shows and
// reports the result instead of the worker's Go stack (which for an
// interpreter is mostly the interpreter's own frames).
type Tracer interface {
	Traceback(recovered any) string
}

// PanicTexter may be implemented by a Runner whose funcs panic with
// values of their own (an interpreter's reflect errors): PanicText gives
// the message Go would print for recovered, which ServeWorker reports
// instead of fmt.Sprint(recovered).
type PanicTexter interface {
	PanicText(recovered any) string
}

// SetHost installs the interpreter session that cells run in and says how
// to start workers. main calls it once before any cell runs; a
// package-level hook is unavoidable because cells call mp.NewProcess without
// a handle (compare http.DefaultServeMux).
//
// This is mp's wiring, for main: the kernel (and `gomp run`) calls SetHost
// once with its interpreter session, which is a Host, and a Config saying
// how to start workers (the zero Config runs os.Executable() with the
// argument "worker"), and Shutdown on exit. `gomp worker` builds an
// interpreter session without output capture, calls SetHost with it too
// (so a child can start children of its own, whose output reaches the cell
// through the child's stdout), and calls ServeWorker, which talks to the
// parent over fds 3 and 4 and leaves stdout and stderr to the notebook's
// code. The wiring's names (SetHost, Host, Cell, Config, ServeWorker,
// Runner, Tracer, PanicTexter, Shutdown, Warm, ErrNoHost, ErrTargetFailed,
// ProgressIDPrefix, EncodeValue, DecodeValue, AssignValue, Builder, Build,
// SetNotebookTypes, Cluster, ClusterPool, ClusterTask, RemoteWorker,
// NewRemoteWorker) are left out
// of interp's symbol table, so cells cannot see or call them.
func SetHost(h Host, c Config) {
	state.children.mu.Lock()
	defer state.children.mu.Unlock()
	state.children.host = h
	state.children.cfg = c
}

func currentHost() (Host, Config, error) {
	state.children.mu.Lock()
	defer state.children.mu.Unlock()
	if state.children.host == nil {
		return nil, Config{}, ErrNoHost
	}
	return state.children.host, state.children.cfg, nil
}
