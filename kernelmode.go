package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/kernel"
	"github.com/gomp-kernel/gomp/mp"
)

// runKernel serves one Jupyter connection until shutdown_request, SIGTERM,
// SIGHUP or the death of the client that started it. SIGINT interrupts
// the running cell (interrupt_mode "signal").
//
// A fatal Go runtime error ends the process (Jupyter then starts a new
// one): its report goes to a file beside the connection file and to the
// log, and the next kernel shows it to the user (see crashReport).
func runKernel(connFile string) error {
	tuneGC()
	debug.SetMaxStack(maxStack)
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
	sess, err := interp.New(interp.Options{CaptureFDs: true, Log: logger})
	if err != nil {
		return fmt.Errorf("start interpreter: %w", err)
	}
	defer sess.Close()
	mp.SetHost(sess, mp.Config{Log: logger})
	defer mp.Shutdown()

	eng.sess = sess
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

// kernelLogger logs to the kernel's original stderr (Jupyter shows it in
// its own log), duplicated before the interpreter captures fd 2 for cells.
// GOMP_LOG=debug turns on debug logs.
func kernelLogger() (*slog.Logger, error) {
	fd, err := syscall.Dup(2)
	if err != nil {
		return nil, fmt.Errorf("keep stderr for logs: %w", err)
	}
	syscall.CloseOnExec(fd)
	level := slog.LevelInfo
	if os.Getenv("GOMP_LOG") == "debug" {
		level = slog.LevelDebug
	}
	w := os.NewFile(uintptr(fd), "kernel-log")
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})).With("gomp", os.Getpid()), nil
}

// logWriter is the kernel's original stderr: crash's copy of it, or fd 2
// when there is no crash report.
func logWriter(crash *crashReport) *os.File {
	if crash != nil {
		return crash.stderr
	}
	return os.Stderr
}
