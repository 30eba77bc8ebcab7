package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestCommandLine checks what a newcomer meets on gomp's command line,
// with the built binary: -h on every subcommand, install --prefix, version.
func TestCommandLine(t *testing.T) {
	bin := installKernel(t).bin
	for _, cmd := range []string{"install", "kernel", "run", "worker"} {
		for _, h := range []string{"-h", "--help"} {
			t.Run(cmd+" "+h, func(t *testing.T) {
				stdout, stderr, code := runGomp(t, bin, t.TempDir(), nil, cmd, h)
				if code != 0 || !strings.HasPrefix(stdout, "Usage: gomp "+cmd) || stderr != "" {
					t.Errorf("gomp %s %s: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout only", cmd, h, code, stdout, stderr)
				}
			})
		}
	}
	t.Run("bad flag", func(t *testing.T) {
		stdout, stderr, code := runGomp(t, bin, t.TempDir(), nil, "install", "--bogus")
		if code != 2 || stdout != "" || !strings.Contains(stderr, "gomp install: flag provided but not defined: -bogus") || !strings.Contains(stderr, "Usage: gomp install") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2 and the error and usage on stderr", code, stdout, stderr)
		}
	})
	t.Run("install --prefix", func(t *testing.T) {
		dir := t.TempDir()
		stdout, stderr, code := runGomp(t, bin, dir, nil, "install", "--prefix", "pfx")
		want := "export JUPYTER_PATH=" + filepath.Join(dir, "pfx", "share", "jupyter") + "\n"
		if code != 0 || !strings.HasSuffix(stdout, want) {
			t.Errorf("exit %d, stdout %q, stderr %q; want it to end with %q", code, stdout, stderr, want)
		}
		if _, err := os.Stat(filepath.Join(dir, "pfx", "share", "jupyter", "kernels", "gomp", "kernel.json")); err != nil {
			t.Error(err)
		}
	})
	t.Run("version", func(t *testing.T) {
		stdout, _, code := runGomp(t, bin, t.TempDir(), nil, "version")
		if code != 0 || !strings.Contains(stdout, "built with "+runtime.Version()) || !strings.Contains(stdout, "cells get the standard library of Go 1.") {
			t.Errorf("version: exit %d, %q", code, stdout)
		}
	})
}

// TestKernelLogLevel starts the built kernel on a connection file and
// stops it with SIGTERM: by default its stderr (what jupyter console and
// nbconvert show) holds no INFO lines; GOMP_LOG=info brings them back.
func TestKernelLogLevel(t *testing.T) {
	bin := installKernel(t).bin
	for _, tc := range []struct {
		env  string
		info bool
	}{{"", false}, {"GOMP_LOG=info", true}, {"GOMP_LOG=DEBUG", true}} {
		t.Run("GOMP_LOG="+strings.TrimPrefix(tc.env, "GOMP_LOG="), func(t *testing.T) {
			stderr, handled := runKernelBriefly(t, bin, tc.env)
			for try := 1; !handled && try < 5; try++ {
				stderr, handled = runKernelBriefly(t, bin, tc.env)
			}
			if !handled {
				t.Fatalf("the kernel died of SIGTERM five times before it was up; stderr:\n%s", stderr)
			}
			if got := strings.Contains(stderr, `level=INFO msg="kernel started"`); got != tc.info {
				t.Errorf("INFO start-up line shown: %v, want %v; stderr:\n%s", got, tc.info, stderr)
			}
		})
	}
}

// runKernelBriefly starts `gomp kernel` with env, waits until its
// heartbeat socket listens, stops it with SIGTERM and returns its stderr,
// and whether the kernel handled the signal (it was up, past its start-up
// log) rather than dying of it (it had just bound its sockets).
func runKernelBriefly(t *testing.T, bin, env string) (stderr string, handled bool) {
	t.Helper()
	ports := make([]int, 5)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	conn, err := json.Marshal(map[string]any{
		"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-sha256",
		"shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2], "control_port": ports[3], "hb_port": ports[4],
	})
	if err != nil {
		t.Fatal(err)
	}
	connFile := filepath.Join(t.TempDir(), "kernel.json")
	if err := os.WriteFile(connFile, conn, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "kernel", connFile)
	cmd.Env = append(os.Environ(), "GOMP_LOG=")
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kernel's heartbeat socket", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports[4]))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	return errBuf.String(), !cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled()
}
