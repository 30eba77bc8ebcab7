// Package mp runs notebook functions in child processes, after Python's
// multiprocessing: cells `import "mp"` and use Process for one call in a
// child and Pool for many calls spread over long-lived workers.
//
//	func square(n int) int { return n * n }
//
//	p := mp.NewProcess(printNumber, 3)
//	err := p.Start()
//	err = p.Join()
//
//	pool := mp.NewPool(4)
//	defer pool.Close()
//	out, err := pool.Map(square, []int{1, 2, 3}) // [1 4 9]
//
// mp owns the processes: starting them, the framed protocol to them
// (frame.go), serialising arguments and results (codec.go), routing their
// output to the right cell (output.go), and ending them (lifetime.go). It
// leaves the notebook to the interpreter, which gomp's main plugs in
// (host.go); mp imports neither the interpreter nor the kernel.
//
// # What a child is
//
// A child is the gomp binary in worker mode (`gomp worker`), running its own
// interpreter. At Start (for a Pool: at each call) mp takes a snapshot of
// the notebook's imports, declarations and package-level variable values as
// of now, and the child rebuilds that state from it. A cell's top-level
// statements never run again in a child; a child sees variables as they
// were when the call was made, and its changes to them stay in the child.
// Variables cross as arguments do (see What crosses), so a complex number,
// a NaN or a map keyed by structs arrives as it was. A variable holding an
// error arrives as an error with the same message (errors.New); one that
// cannot cross (a channel, a file, a reader, a handle) is its type's zero
// value in the child.
// Pool workers outlive cells and pick up functions declared later: each
// call carries the snapshot's version, and a worker reloads the state when
// it changed.
//
// # What crosses
//
// The target must be a function declared at top level in the notebook
// (closures and func literals are refused when the Process or the call is
// made, never in the child). Arguments are encoded against the target's
// parameter types, results against its result types, so an int comes back
// as an int: booleans, integers, floats, complex numbers, strings, slices,
// arrays, maps, structs (exported fields; for interpreted structs every
// field) and pointers to them, values that marshal themselves
// (encoding.BinaryMarshaler or TextMarshaler, such as time.Time and
// *big.Int), and in interface-typed parameters basic values, []any,
// map[string]any and values of unnamed types built of the above (a
// notebook struct, a []int), which arrive as that type.
// Channels, funcs, files and unsafe pointers cannot cross: the error names
// the argument, as in
//
//	mp.NewProcess(f, ...): argument 1 (chan int) cannot be sent to another process
//
// A target may end with an error result; a non-nil error fails the call
// like a panic does (without a stack).
//
// # Sharing between processes
//
// Queue, JoinableQueue, Pipe, Array, Value, Lock, RLock, Semaphore, Event,
// Condition and Barrier are handles: passed as arguments to NewProcess,
// Pool tasks or initializers (or put in a Queue), they arrive in the child
// as handles on the same object, and the child can pass them on to its own
// children.
//
//	q := mp.NewQueue()
//	p := mp.NewProcess(producer, q) // func producer(q *mp.Queue)
//	item, err := q.Get()
//
//	a, b := mp.Pipe()                // b goes to a child; close our copy
//	arr := mp.NewArray([]int{2, 3})  // shared memory; arr.View().([]int)
//
// Queues and the synchronisation objects live in the process that created
// them and are served to the others over a unix socket (broker.go); a
// process that dies releases the locks and semaphore units it held, and a
// half-sent Put is never seen. Pipes are socket pairs whose ends are
// handed over as file descriptors (pipe.go, fdpass.go); Recv returns
// io.EOF once every copy of the other end is closed. Arrays and Values are
// files in /dev/shm mapped into every process that has them (shared.go).
// Waits end with ErrInterrupted when the cell is interrupted. Queue and
// pipe items are encoded like arguments, with a description of their
// type (typedesc.go), so Get and Recv return them as the type they were
// put as: basic values, slices, maps, notebook structs; values of named
// compiled types come back through GetInto and RecvInto.
//
// # Output
//
// A child's stdout and stderr go to the cell that started it (for a Pool,
// the cell that submitted the task), even after that cell has ended. Lines
// from concurrent children never mix: each line up to 4 KiB reaches the
// cell in one Write, longer lines in 4 KiB pieces. Join returns only after
// everything the child printed has been written, and a Pool call returns
// only after everything its tasks printed.
//
// # Failures and lifetimes
//
// A panic in a Process's child is printed with its stack on the cell's
// stderr and gives exit code 1. In a Pool it is printed too and the call
// returns a *RemoteError naming the item; the worker carries on. A worker
// that dies (os.Exit, kill -9) while running a task fails the call with
// ErrWorkerDied and is replaced; one that dies while idle is replaced
// before it is given work, and the call never notices. Terminate and Kill
// give exit codes -15 and -9.
//
// Each worker of a Pool is a process with its own interpreter, about
// 24 MB, so more workers than cores pay off only for calls that mostly
// wait (sleeps, network). At most twice CPUCount() workers start at once,
// and NewPool returns when the last has been started; it warns in one line
// on the cell's stderr when asked for more than 8 workers per core.
// Interrupting the cell while they start stops the starting and ends the
// workers already started; every call on that pool then returns an error
// wrapping ErrInterrupted.
//
// Jupyter interrupts a kernel by sending SIGINT to its process group, so
// children get it too: workers ignore SIGINT, and the kernel decides. When
// a cell is interrupted, mp terminates the Processes it started and aborts
// its Pool tasks (killing and replacing the workers running them); the
// waiting Join, Map or Get returns ErrInterrupted. Shutting the kernel
// down ends every child, and a kernel killed outright takes its children
// with it (Pdeathsig).
package mp
