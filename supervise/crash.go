package supervise

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/gomp-kernel/gomp/interp"
)

// crashLines is how many lines of the runtime's report a crash message
// shows.
const crashLines = 6

// deathCause says why an interpreter process ended: the Go runtime's
// report of a fatal error (its first lines, without file paths), or the
// signal that killed it, or its exit status.
func deathCause(st *os.ProcessState, stderr string) string {
	report := crashReason(stderr)
	if st == nil {
		return "the interpreter process ended"
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
		return "killed by signal SIGKILL (from outside the kernel, or by the system's out-of-memory killer)"
	case ws.Signaled():
		why := fmt.Sprintf("killed by signal %s", signalName(ws.Signal()))
		if report != "" {
			why += ":\n" + report
		}
		return why
	case report != "":
		return report
	}
	return fmt.Sprintf("it exited with status %d", st.ExitCode())
}

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGSEGV: "SIGSEGV", syscall.SIGABRT: "SIGABRT", syscall.SIGTERM: "SIGTERM",
		syscall.SIGBUS: "SIGBUS", syscall.SIGILL: "SIGILL", syscall.SIGFPE: "SIGFPE", syscall.SIGINT: "SIGINT",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return s.String()
}

// crashReason picks the runtime's report out of stderr: the panic or
// fatal error, without the goroutine stacks that follow it, and a hint
// for the fatal errors cells cause most. "" without a report.
func crashReason(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	start := slices.IndexFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") ||
			l == "runtime stack:" || (strings.HasPrefix(l, "goroutine ") && strings.HasSuffix(l, "[running]:"))
	})
	if start < 0 {
		return ""
	}
	report := strings.Join(lines[start:min(len(lines), start+80)], "\n")
	var out []string
	for _, l := range lines[start:] {
		if len(out) == crashLines || l == "" || l == "runtime stack:" || strings.HasPrefix(l, "goroutine ") || strings.HasPrefix(l, "[signal") {
			break
		}
		out = append(out, l)
	}
	switch {
	case strings.Contains(report, "stack overflow") || strings.Contains(report, "runtime.newstack()"):
		if len(out) == 0 {
			out = append(out, "fatal error: stack overflow")
		}
		out = append(out, "(endless or too deep recursion?)")
	case strings.Contains(report, "concurrent map") || strings.Contains(report, "maps.fatal("):
		if len(out) == 0 {
			out = append(out, "fatal error: concurrent map access")
		}
		out = append(out, "(a map used by several goroutines without a lock: guard it with a sync.Mutex)")
	case strings.Contains(report, "out of memory"):
		out = append(out, "(the system refused the memory the cell asked for)")
	case strings.HasPrefix(report, "panic: ") && strings.Contains(report, "[running]"):
		out = append(out, "(a panic in a goroutine that nothing recovered: a goroutine started by compiled code, such as a time.AfterFunc callback, ends the process when it panics)")
	}
	return strings.Join(out, "\n")
}

// isInterrupted reports whether a front's Input error is an interrupt.
func isInterrupted(err error) bool { return errors.Is(err, interp.ErrInterrupted) }
