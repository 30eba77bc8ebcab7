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
func runKernel(connFile string) error {
	tuneGC()
	logger, err := kernelLogger()
	if err != nil {
		return err
	}
	conn, err := kernel.ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	nb, err := front.Open(front.Options{CaptureFDs: true, Log: logger, Warm: true})
	if err != nil {
		return err
	}
	defer nb.Close()

	srv, err := kernel.NewServer(conn, &engine{nb: nb}, kernel.Options{Log: logger})
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
