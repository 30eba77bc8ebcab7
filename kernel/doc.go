// Package kernel speaks the Jupyter messaging protocol (version 5.3) over
// ZeroMQ: the connection file, the five sockets, the wire format and its
// HMAC signatures, the dispatch of requests, status, execution counting,
// history, the stdin bridge and the iopub publisher that routes output to
// the request that caused it. It knows nothing of Go source: a language
// plugs in through Engine, and gets a Cell per execute_request to write
// to. Interpreting code is the Engine's business, and wiring the kernel to
// a language, signals and the process is main's.
//
// Use:
//
//	conn, err := kernel.ReadConnectionFile(path)
//	srv, err := kernel.NewServer(conn, engine, kernel.Options{Log: logger})
//	// on SIGINT (Jupyter's interrupt_mode "signal"):
//	srv.Interrupt()
//	err = srv.Run(ctx) // nil after shutdown_request, or once ctx is done
//
// Inside, one goroutine owns each socket. shell, control, stdin and
// heartbeat are ROUTER sockets served by a port; iopub is a PUB socket
// owned by the publisher. Requests from shell and from control go to two
// queues, each served in order by its own goroutine, so control (interrupt,
// shutdown, kernel_info) is answered while a cell runs. Each request is
// handled between a busy and an idle status, by the function the handlers
// table names for its type; its replies go back on the socket it came
// from. Stream output is coalesced by the publisher, which also keeps
// every message in the order it was handed over.
//
// Comms (comm_open, comm_msg, comm_close, comm_info_request) are served
// the same way: the kernel keeps the table of open comms and hands
// messages for them to an Engine that implements Comms; the Engine sends
// its own through Cell.Comm.
package kernel
