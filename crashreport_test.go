package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crashChildEnv makes the test binary a process that starts a crash
// report for the connection file it names and then dies of a fatal error.
const crashChildEnv = "GOMP_TEST_CRASH_REPORT"

func init() {
	conn := os.Getenv(crashChildEnv)
	if conn == "" {
		return
	}
	if _, _, err := startCrashReport(conn); err != nil {
		os.Stdout.WriteString("startCrashReport: " + err.Error())
		os.Exit(3)
	}
	m := map[int]int{}
	for range 4 {
		go func() {
			for i := 0; ; i++ {
				m[i%100] = i
			}
		}()
	}
	select {}
}

// TestCrashReport kills a process holding a crash report with a fatal
// error (the kernel process, should it ever die so; cells die in the
// interpreter process): the report is beside the connection file, its
// first line included, the copy on the original stderr has the rest, and
// the notice for the next kernel starts at the error.
func TestCrashReport(t *testing.T) {
	conn := filepath.Join(t.TempDir(), "kernel-1.json")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+conn)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
		t.Fatalf("the child ended with %v, want the runtime's exit status 2 for a fatal error", err)
	}
	report, err := readReport(crashPath(conn))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(report, "fatal error: concurrent map writes") {
		t.Errorf("the report starts %q", report[:min(len(report), 60)])
	}
	if !strings.Contains(stderr.String(), "goroutine ") {
		t.Errorf("the original stderr lacks the report's copy: %q", stderr.String())
	}
	notice := crashNotice("some log line\n" + report)
	if !strings.HasPrefix(notice, "The previous kernel process died") || !strings.Contains(notice, "\nfatal error: concurrent map writes\n") || strings.Contains(notice, "some log line") {
		t.Errorf("notice: %q", notice)
	}
}
