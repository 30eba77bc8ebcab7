package mp

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// orphanParent is the test binary as a kernel that is about to be killed:
// it starts a child that sleeps, prints the child's pid and waits.
func orphanParent() int {
	ctx := context.Background()
	SetHost(&testHost{cell: Cell{Context: ctx, Stdout: os.Stderr, Stderr: os.Stderr}},
		Config{Path: os.Args[0], Env: []string{"GOMP_TEST_MODE=worker"}, NoSpare: true})
	p := NewProcess(sleepLong)
	if err := p.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Let the goroutine that called Start end and its thread be reused:
	// Pdeathsig must survive that.
	done := make(chan struct{})
	go func() { runtime.LockOSThread(); close(done) }()
	<-done
	fmt.Println(p.Pid())
	time.Sleep(time.Hour)
	return 0
}

// TestNoOrphanAfterParentSIGKILL kills a kernel-like parent with SIGKILL
// and checks that its child does not outlive it.
func TestNoOrphanAfterParentSIGKILL(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GOMP_TEST_MODE=parent")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("read child pid: %v", err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	pidfd, err := pidfdOpen(child)
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", child, err)
	}
	defer syscall.Close(pidfd)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The pidfd becomes readable when the child has exited.
	if !waitReadable(pidfd, time.Minute) {
		syscall.Kill(child, syscall.SIGKILL)
		t.Fatalf("child %d still running a minute after its parent was killed", child)
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child)); err == nil {
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] != "Z" && f[2] != "X" {
			t.Errorf("child %d in state %s after its parent was killed", child, f[2])
		}
	}
}

func pidfdOpen(pid int) (int, error) {
	const sysPidfdOpen = 434
	fd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func waitReadable(fd int, d time.Duration) bool {
	var set syscall.FdSet
	set.Bits[fd/64] |= 1 << (uint(fd) % 64)
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	for {
		n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
		if err == syscall.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// settled waits until the number of goroutines is at most n: goroutines
// that signalled their end may still be returning.
func settled(n int) int {
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return runtime.NumGoroutine()
}

func TestNoLeaks(t *testing.T) {
	newCell(t)
	theForker() // lives as long as mp is in use
	state.children.refills.Wait()
	for _, tc := range []struct {
		name string
		use  func() error
	}{
		{"pool closed and joined", func() error {
			p := NewPool(3)
			if _, err := p.Map(square, []int{1, 2, 3, 4, 5}); err != nil {
				return err
			}
			for range p.Imap(square, []int{1, 2}) {
			}
			p.Close()
			return p.Join()
		}},
		{"pool terminated", func() error {
			p := NewPool(2)
			_, err := p.Apply(square, 2)
			p.Terminate()
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fds, gs := countFDs(t), runtime.NumGoroutine()
			if err := tc.use(); err != nil {
				t.Fatal(err)
			}
			if got := countFDs(t); got != fds {
				t.Errorf("%d open fds, want %d", got, fds)
			}
			if got := settled(gs); got > gs {
				buf := make([]byte, 1<<16)
				t.Errorf("%d goroutines, want %d:\n%s", got, gs, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

func TestShutdownEndsEveryChild(t *testing.T) {
	newCell(t)
	p := NewProcess(sleepLong)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	pool := NewPool(2)
	r := pool.ApplyAsync(sleepLong)
	Shutdown()
	if p.IsAlive() {
		t.Error("process alive after Shutdown")
	}
	if _, err := r.Get(); err == nil {
		t.Error("task of a terminated pool succeeded")
	}
	if code, _ := p.ExitCode(); code != -9 {
		t.Errorf("ExitCode() = %d, want -9", code)
	}
	// mp works again after Shutdown.
	again := NewPool(1)
	defer again.Terminate()
	if v, err := again.Apply(square, 5); err != nil || v != 25 {
		t.Errorf("Apply after Shutdown = %v, %v", v, err)
	}
}

// TestWarm checks that Warm readies a spare that the next Process takes,
// and starts none while a child runs.
func TestWarm(t *testing.T) {
	newCell(t)
	// dropSpare ends the spare, if any, so that Warm has one to make.
	dropSpare := func() {
		state.children.refills.Wait()
		state.children.mu.Lock()
		c := state.children.spare
		state.children.spare = nil
		state.children.mu.Unlock()
		if c != nil {
			c.closeInput()
			<-c.exited
		}
	}
	spare := func() *child {
		state.children.refills.Wait()
		state.children.mu.Lock()
		defer state.children.mu.Unlock()
		return state.children.spare
	}
	dropSpare()
	sleeper := NewProcess(sleepLong)
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	Warm()
	if spare() != nil {
		t.Error("Warm started a spare while a child was running")
	}
	sleeper.Kill()
	sleeper.Join()
	dropSpare() // the one the sleeper's exit started

	Warm()
	c := spare()
	if c == nil {
		t.Fatal("no spare after Warm")
	}
	p := NewProcess(square, 2)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if p.Pid() != c.pid() {
		t.Errorf("Process pid %d, want the spare's %d", p.Pid(), c.pid())
	}
	if err := p.Join(); err != nil {
		t.Error(err)
	}
}
