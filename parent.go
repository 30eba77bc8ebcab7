package main

import (
	"context"
	"os"
	"time"
)

// watchParent cancels when the process that started the kernel goes away,
// as ipykernel's parent poller does: a client that dies without sending
// shutdown_request must not leave the kernel (and its mp children)
// running. It watches only when Jupyter says who the parent is
// (JPY_PARENT_PID), so a kernel started by hand stays up. The poll is once
// a second because Linux offers no portable event for a parent's death
// that is reliable in a multi-threaded process.
func watchParent(ctx context.Context, cancel context.CancelFunc) {
	if os.Getenv("JPY_PARENT_PID") == "" {
		return
	}
	parent := os.Getppid()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				cancel()
				return
			}
		}
	}
}
