package forkthread

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
)

// TestStartsWithPdeathsig starts real children with a parent-death signal
// from the thread, then refuses once it is stopped.
func TestStartsWithPdeathsig(t *testing.T) {
	th := New()
	for range 3 {
		cmd := exec.Command("true")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := th.Start(cmd); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	if err := th.Start(exec.Command("/nonexistent/gomp-test")); err == nil {
		t.Error("Start of a missing program did not fail")
	}
	th.Stop()
	if err := th.Start(exec.Command("true")); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after Stop = %v, want ErrStopped", err)
	}
}
