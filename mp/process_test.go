package mp

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestProcessExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fn     any
		args   []any
		signal func(*Process)
		want   int
		stderr string
	}{
		{name: "success", fn: printNumber, args: []any{3}, want: 0},
		{name: "os.Exit", fn: exitWith, args: []any{7}, want: 7},
		{name: "panic", fn: panicAt, args: []any{5}, want: 1, stderr: "panic: boom at 5"},
		{name: "error result", fn: failAt, args: []any{3}, want: 1, stderr: "three is not allowed"},
		{name: "terminate", fn: sleepLong, signal: (*Process).Terminate, want: -15},
		{name: "kill", fn: sleepLong, signal: (*Process).Kill, want: -9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, _ := newCell(t)
			p := NewProcess(tc.fn, tc.args...)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			if !p.IsAlive() && tc.signal != nil {
				t.Fatal("IsAlive false right after Start of a sleeping child")
			}
			if tc.signal != nil {
				tc.signal(p)
				tc.signal(p) // idempotent
			}
			if err := p.Join(); err != nil {
				t.Fatal(err)
			}
			code, exited := p.ExitCode()
			if !exited || code != tc.want {
				t.Errorf("ExitCode() = %d, %v; want %d, true", code, exited, tc.want)
			}
			if p.IsAlive() {
				t.Error("IsAlive after Join")
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.stderr)
			}
			p.Kill() // after exit: harmless
		})
	}
}

func TestProcessOutputAndNames(t *testing.T) {
	stdout, _, _ := newCell(t)
	var ps []*Process
	for i := range 4 {
		p := NewProcess(printNumber, i)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
	}
	out := stdout.String()
	for i, p := range ps {
		want := fmt.Sprintf("Process %s prints %d\n", p.Name, i)
		if !strings.HasPrefix(p.Name, "Process-") || !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	if got := CurrentProcess().Name; got != "MainProcess" {
		t.Errorf("CurrentProcess().Name = %q in the parent", got)
	}
	if ParentProcess() != nil {
		t.Error("ParentProcess() != nil in the parent")
	}
}

func TestProcessJoinTimeoutAndActiveChildren(t *testing.T) {
	newCell(t)
	p := NewProcess(sleepLong)
	p.Name = "sleeper"
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if err := p.JoinTimeout(20 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("JoinTimeout = %v, want ErrTimeout", err)
	}
	if !p.IsAlive() || p.Pid() <= 0 {
		t.Fatalf("IsAlive = %v, Pid = %d after a timed out join", p.IsAlive(), p.Pid())
	}
	if _, exited := p.ExitCode(); exited {
		t.Error("ExitCode reports exited for a running child")
	}
	active := ActiveChildren()
	if len(active) != 1 || active[0] != p {
		t.Errorf("ActiveChildren() = %v, want [%v]", active, p)
	}
	p.Terminate()
	if err := p.JoinTimeout(time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := ActiveChildren(); len(got) != 0 {
		t.Errorf("ActiveChildren() = %v after Join", got)
	}
}

func TestProcessBadTargetsAndArgs(t *testing.T) {
	newCell(t)
	closure := func(int) {}
	for _, tc := range []struct {
		name string
		p    *Process
		want string
	}{
		{"closure", NewProcess(closure, 1), "closures cannot run"},
		{"not a func", NewProcess(42), "target is a int, want a func"},
		{"too few args", NewProcess(square), "0 arguments"},
		{"wrong type", NewProcess(square, "x"), "argument 1: string does not fit a parameter of type int"},
		{"chan", NewProcess(funcs["echoChan"], make(chan int)), "argument 1 (chan int) cannot be sent to another process"},
		{"func in any", NewProcess(funcs["echoAny"], square), "argument 1 (func(int) int) cannot be sent"},
		{"lossy number", NewProcess(square, 2.5), "without loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Start()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start() = %v, want an error containing %q", err, tc.want)
			}
			if len(ActiveChildren()) != 0 {
				t.Error("a child was started")
			}
		})
	}
}

func TestProcessInterrupt(t *testing.T) {
	_, _, interrupt := newCell(t)
	p := NewProcess(sleepLong)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	interrupt()
	if err := p.Join(); !errors.Is(err, ErrInterrupted) && err != nil {
		t.Fatalf("Join() = %v", err)
	}
	<-p.done
	if code, _ := p.ExitCode(); code != -int(syscall.SIGTERM) {
		t.Errorf("ExitCode() = %d, want -15", code)
	}
}

// TestProcessInterruptStubborn interrupts a child that ignores SIGTERM: it
// gets SIGKILL after the grace period, and Join still returns.
func TestProcessInterruptStubborn(t *testing.T) {
	stdout, _, interrupt := newCell(t)
	stdout.watch = "ignoring"
	p := NewProcess(stubborn)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	<-stdout.seen
	interrupt()
	if err := p.Join(); err != nil && !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Join() = %v", err)
	}
	<-p.done
	if code, _ := p.ExitCode(); code != -int(syscall.SIGKILL) {
		t.Errorf("ExitCode() = %d, want -9", code)
	}
}

func TestProcessCausality(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines int
	}{{"few", 3}, {"many", 20000}} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, _ := newCell(t)
			p := NewProcess(printLines, 1, tc.lines)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			if err := p.Join(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(stdout.String(), "\n"); got != tc.lines {
				t.Errorf("%d lines when Join returned, want %d", got, tc.lines)
			}
			if stderr.String() != "1 done\n" {
				t.Errorf("stderr = %q", stderr.String())
			}
		})
	}
}

// TestProcessOutputPinnedAtStart: a child prints into the cell that
// started it, even when another cell is current by then.
func TestProcessOutputPinnedAtStart(t *testing.T) {
	out1, _, _ := newCell(t)
	p := NewProcess(printLines, 1, 1000)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	out2, _, _ := newCell(t)
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out1.String(), "\n"); n != 1000 {
		t.Errorf("starting cell got %d lines, want 1000", n)
	}
	if out2.String() != "" {
		t.Errorf("later cell got %q", out2.String())
	}
}

// TestOutputManyProcesses runs 8 children printing 10,000 lines each: no
// line may be lost or split, and each Write must carry exactly one line.
func TestOutputManyProcesses(t *testing.T) {
	const procs, lines = 8, 10000
	stdout, _, _ := newCell(t)
	var ps []*Process
	for i := range procs {
		p := NewProcess(printLines, i, lines)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
	}
	next := make([]int, procs)
	for _, w := range stdout.Writes() {
		f := strings.Fields(string(w))
		if strings.Count(string(w), "\n") != 1 || !strings.HasSuffix(string(w), "\n") || len(f) != 3 || len(f[2]) != 40 {
			t.Fatalf("write %q is not one whole line", w)
		}
		id, _ := strconv.Atoi(f[0])
		n, _ := strconv.Atoi(f[1])
		if n != next[id] {
			t.Fatalf("process %d: line %d after %d", id, n, next[id]-1)
		}
		next[id]++
	}
	for id, n := range next {
		if n != lines {
			t.Errorf("process %d: %d lines, want %d", id, n, lines)
		}
	}
}

func TestProcessChildIdentity(t *testing.T) {
	newCell(t)
	pool := NewPool(1)
	defer pool.Terminate()
	got, err := pool.Apply(whoAmI, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := got.([]string)
	if !strings.HasPrefix(names[0], "PoolWorker-") || names[1] != "MainProcess" {
		t.Errorf("child names = %q", names)
	}
	if p, err := pool.Apply(pid, 0); err != nil || p.(int) == os.Getpid() {
		t.Errorf("child pid = %v, %v", p, err)
	}
}
