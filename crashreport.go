package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
)

// maxStack bounds a goroutine's stack in gomp's processes (Go's default is
// 1 GB). interp stops runaway recursion in notebook code long before
// (interp.MaxStackFrames, about 60 MB); this is the backstop for what it
// misses, a fatal "stack overflow" at a quarter of the memory.
const maxStack = 256 << 20

// crashReport points the kernel's fd 2, where the Go runtime writes fatal
// errors (concurrent map writes, stack overflow) with every goroutine
// stopped, at a file beside the connection file. When the kernel dies of
// one, Jupyter starts a new kernel with the same connection file, which
// finds the report, logs it whole and tells the user once. The runtime
// also copies its report to the kernel's log as it dies
// (debug.SetCrashOutput), except the first line ("fatal error: ..."),
// which it writes to fd 2 alone.
type crashReport struct {
	path   string
	stderr *os.File // the kernel's original stderr (Jupyter's log)
}

// crashPath is where the kernel for connFile keeps its crash report.
func crashPath(connFile string) string {
	return strings.TrimSuffix(connFile, ".json") + ".gomp-crash"
}

// startCrashReport reads what a previous kernel for connFile left (""
// when it ended normally) and redirects fd 2 to a new, empty report.
func startCrashReport(connFile string) (*crashReport, string, error) {
	path := crashPath(connFile)
	previous, err := readReport(path)
	if err != nil {
		return nil, "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, previous, fmt.Errorf("create crash report: %w", err)
	}
	defer f.Close()
	orig, err := syscall.Dup(2)
	if err != nil {
		return nil, previous, fmt.Errorf("keep stderr: %w", err)
	}
	syscall.CloseOnExec(orig)
	stderr := os.NewFile(uintptr(orig), "stderr")
	if err := syscall.Dup3(int(f.Fd()), 2, 0); err != nil {
		stderr.Close()
		return nil, previous, fmt.Errorf("redirect fd 2 to the crash report: %w", err)
	}
	// The runtime copies its report to the log too (all but its first
	// line, which goes to fd 2 alone). Only here, where fd 2 is no longer
	// the log: a process whose fd 2 is its log would get every line twice,
	// interleaved.
	if err := debug.SetCrashOutput(stderr, debug.CrashOptions{}); err != nil {
		fmt.Fprintf(stderr, "gomp: copy fatal errors to the log: %v\n", err)
	}
	return &crashReport{path: path, stderr: stderr}, previous, nil
}

// readReport returns the report at path, or "" when there is none.
func readReport(path string) (string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read previous crash report: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read previous crash report %s: %w", path, err)
	}
	return string(bytes.TrimSpace(b)), nil
}

// close ends a kernel that did not crash: fd 2 is the original stderr
// again and the report is removed.
func (c *crashReport) close() error {
	debug.SetCrashOutput(nil, debug.CrashOptions{})
	err := syscall.Dup3(int(c.stderr.Fd()), 2, 0)
	c.stderr.Close()
	if rerr := os.Remove(c.path); err == nil && rerr != nil && !os.IsNotExist(rerr) {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("close crash report: %w", err)
	}
	return nil
}

// crashNoticeLines is how much of a previous kernel's report the user sees.
const crashNoticeLines = 12

// crashNotice is what the first cell after a crash shows on stderr: the
// report from its first line that names the error.
func crashNotice(report string) string {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "runtime:") {
			lines = lines[i:]
			break
		}
	}
	more := ""
	if len(lines) > crashNoticeLines {
		more = fmt.Sprintf("[... %d more lines in the kernel's log]\n", len(lines)-crashNoticeLines)
		lines = lines[:crashNoticeLines]
	}
	return "The previous kernel process died of a fatal Go runtime error; its variables are lost. Its report:\n" +
		strings.Join(lines, "\n") + "\n" + more
}
