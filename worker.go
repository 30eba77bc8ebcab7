package main

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/gomp-kernel/gomp/check"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
)

// runWorker is an mp child: an interpreter without fd capture (its stdout
// and stderr are pipes the parent reads) serving the parent over the
// descriptors mp set up. It ignores SIGINT: Jupyter interrupts with killpg,
// and the parent decides what an interrupt does to its children.
func runWorker() error {
	tuneRuntime()
	signal.Ignore(syscall.SIGINT)
	sess, err := interp.New(interp.Options{ExitProcess: true})
	if err != nil {
		return fmt.Errorf("worker: start interpreter: %w", err)
	}
	defer sess.Close()
	// A child may start children of its own, as in Python: the worker's
	// session is their host, and their output goes to this worker's stdout
	// and stderr, which the parent routes to the cell.
	mp.SetHost(sess, mp.Config{})
	check.SetHost(sess) // check.Output in a child captures the child's prints
	defer mp.Shutdown()
	// SIGTERM keeps its default action, so Terminate's exit code is -15
	// as in Python.
	return mp.ServeWorker(context.Background(), sess)
}
