package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gomp-kernel/gomp/cluster"
	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/supervise"
)

// runInterpreter is `gomp interpreter`, the process that holds a
// notebook for a kernel or a gomp run child (see supervise): it runs the
// cells, with fd 1, os.Stdout and os.Stderr captured into them, serving
// the supervisor on fds 3 and 4. Its fd 2 is a pipe the supervisor reads:
// the Go runtime's report of a fatal error goes there, and becomes the
// failed cell's message. It ignores SIGINT (Jupyter interrupts with
// killpg; the supervisor sends an interrupt frame) and dies with its
// supervisor (Pdeathsig, set by the supervisor).
func runInterpreter(args []string) error {
	tuneRuntime()
	signal.Ignore(syscall.SIGINT)
	warm := len(args) == 1 && args[0] == "--warm"
	if len(args) > 0 && !warm {
		return errors.New("interpreter: the only flag is --warm")
	}
	logger, err := kernelLogger()
	if err != nil {
		return err
	}
	// Non-blocking, so that closing it (at SIGTERM, below) ends a read.
	syscall.SetNonblock(3, true)
	in, out := os.NewFile(3, "requests"), os.NewFile(4, "replies")
	if in == nil || out == nil {
		return errors.New("interpreter: fds 3 and 4 are not open; it is started by the kernel, not by hand")
	}
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	// mp's host lives here, so the builder of its compiled workers does
	// too.
	compiler := newCompiler(logger)
	defer compiler.Close()
	// The embedded cluster server, which the first pool made with
	// mp.WithCluster("") starts, belongs to this process: it stops after
	// the notebook (and its pools) closed.
	embedded := &cluster.Embedded{}
	defer embedded.Close()
	nb, err := front.Open(front.Options{CaptureFDs: true, Log: logger, Warm: warm, Compiler: compiler,
		Cluster: cluster.Transport{Version: Version, Embedded: embedded}, Sources: workerSource})
	if err != nil {
		return fmt.Errorf("interpreter: %w", err)
	}
	defer nb.Close()
	// SIGTERM and SIGHUP end the interpreter as a shutdown does: closing
	// the request pipe ends Serve, then the notebook and its mp children
	// (and their shared memory) are closed.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	go func() {
		<-ctx.Done()
		in.Close()
	}()
	err = supervise.NewServer(in, out, nb, supervise.ServeOptions{Log: logger}).Serve(ctx)
	if err != nil {
		logger.Info("interpreter stopped", "err", err)
	}
	return nil
}

// interpreterCommand is how a supervisor starts `gomp interpreter`: this
// very binary.
func interpreterCommand(warm bool) (path string, args []string, err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("find this binary to start the interpreter: %w", err)
	}
	args = []string{"interpreter"}
	if warm {
		args = append(args, "--warm")
	}
	return self, args, nil
}
