package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gomp-kernel/gomp/front"
	"github.com/gomp-kernel/gomp/kernel"
)

// runKernel serves one Jupyter connection until shutdown_request, SIGTERM,
// SIGHUP or the death of the client that started it. SIGINT interrupts
// the running cell (interrupt_mode "signal").
//
// A fatal Go runtime error ends the process (Jupyter then starts a new
// one): its report goes to a file beside the connection file and to the
// log, and the next kernel shows it to the user (see crashReport).
func runKernel(connFile string) error {
	tuneRuntime()
	logger, err := kernelLogger()
	if err != nil {
		return err
	}
	conn, err := kernel.ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	eng := &engine{}
	crash, previous, err := startCrashReport(connFile)
	if err != nil {
		// Fatal errors then go to the log alone.
		logger.Warn("no crash report", "err", err)
	}
	if crash != nil {
		defer func() {
			if err := crash.close(); err != nil {
				logger.Warn("crash report", "err", err)
			}
		}()
	}
	if previous != "" {
		logger.Error("the previous kernel process for this connection died; its report follows")
		fmt.Fprintf(logWriter(crash), "%s\n", previous)
		eng.notice = crashNotice(previous)
	}
	compiler := newCompiler(logger)
	defer compiler.Close()
	nb, err := front.Open(front.Options{CaptureFDs: true, Log: logger, Warm: true, Compiler: compiler})
	if err != nil {
		return err
	}
	defer nb.Close()

	eng.nb = nb
	srv, err := kernel.NewServer(conn, eng, kernel.Options{Log: logger})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, orphaned := context.WithCancel(ctx)
	defer orphaned()
	go watchParent(ctx, orphaned)
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	go func() {
		for {
			select {
			case <-interrupts:
				srv.Interrupt()
			case <-ctx.Done():
				return
			}
		}
	}()
	logger.Info("kernel started", "pid", os.Getpid(), "connection", connFile)
	err = srv.Run(ctx)
	stop()
	logger.Info("kernel stopped", "err", err)
	return err
}

// kernelLogger logs to the process's original stderr (Jupyter's log for the
// kernel, the parent's report for a gomp run child), duplicated before
// anything else may point fd 2 elsewhere (the kernel's crash report).
// It is quiet by default, as ipykernel is: warnings and errors only, so
// that `jupyter console` and nbconvert show no start-up lines.
// GOMP_LOG=info or GOMP_LOG=debug shows more.
func kernelLogger() (*slog.Logger, error) {
	fd, err := syscall.Dup(2)
	if err != nil {
		return nil, fmt.Errorf("keep stderr for logs: %w", err)
	}
	syscall.CloseOnExec(fd)
	w := os.NewFile(uintptr(fd), "kernel-log")
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: logLevel(os.Getenv("GOMP_LOG"))})).With("gomp", os.Getpid()), nil
}

// logLevel is the level GOMP_LOG names (debug, info, warn, error; any case);
// warn when it is empty or unknown.
func logLevel(name string) slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(name)) != nil {
		return slog.LevelWarn
	}
	return l
}

// logWriter is the kernel's original stderr: crash's copy of it, or fd 2
// when there is no crash report.
func logWriter(crash *crashReport) *os.File {
	if crash != nil {
		return crash.stderr
	}
	return os.Stderr
}
