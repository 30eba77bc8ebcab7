// Package runner executes Jupyter notebooks written for gomp without
// Jupyter: `gomp run` reads each notebook, runs its code cells top to
// bottom through front, the cell front the kernel uses too (one session
// wired to mp, one cell boundary, one error mapping), and writes the
// outputs back in the form nbconvert --execute writes them.
//
// It owns the nbformat file (notebook.go), turning a cell's output into
// nbformat outputs (outputs.go), running one notebook in this process
// (execute.go) and running many, one child process each, with a progress
// display (batch.go, child.go, progress.go). It leaves the cell semantics
// to front and interp, the processes that cells start to mp, and the
// command line to main: the runner never sees the Jupyter protocol.
//
// Only one notebook runs per process, because the session captures the
// process's fd 1, os.Stdout and os.Stderr for the running cell, and because mp's
// state (its host and pool workers) is per process. A batch therefore starts
// `gomp run --one` once per notebook; each child reports progress and its
// summary as JSON lines on file descriptor 3.
package runner
