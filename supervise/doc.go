// Package supervise runs a notebook's cells in an interpreter process of
// their own, so that nothing a cell does can end the process that serves
// the notebook: the kernel (over kernel/) and `gomp run` (over runner/).
//
// Notebook is the supervisor's side: Execute, Complete, Inspect and
// IsComplete as front.Notebook and interp.Session answer them, forwarded
// over two pipes to the interpreter process, where a Server answers with a
// front.Notebook. A cell's output, displays and input requests come back
// as frames tagged with the cell, in order with its reply; interrupts go
// as frames, so the interpreter ignores SIGINT.
//
// After each cell that succeeds the Server sends a snapshot (interp's:
// imports, declarations, variable values as mp encodes them) holding only
// the values that changed, after the reply so that no cell waits for it;
// Caps bound it. When the interpreter process dies, of a fatal runtime
// error, a signal or the out-of-memory killer, the Notebook fails the
// running cell with the cause (the Go runtime's report from the process's
// stderr, or the signal), starts a new interpreter and restores the
// snapshot in it: the notebook as of the last cell that succeeded, with
// the variables whose values could not be carried named as lost.
//
// The interpreter dies with its supervisor (a parent-death signal sent
// from one locked OS thread), and its mp children with it likewise.
//
// Comm messages (widgets) cross in both directions (comm.go): a
// frontend's runs in the interpreter like a cell, a widget's goes back
// tagged with the cell that owns it.
package supervise
