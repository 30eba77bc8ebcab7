package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"
)

// childEnv, when set, makes the test binary a kernel process serving the
// connection file it names (see runChildKernel). A peer that crashes the
// kernel kills that process, not the test binary, so tests can check that
// it is still alive.
const childEnv = "GOMP_TEST_KERNEL_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(runChildKernel(path))
	}
	os.Exit(m.Run())
}

// runChildKernel serves the connection file at path with a testEngine until
// SIGTERM, after writing the bound connection to path+".bound". It returns
// the process's exit code.
func runChildKernel(path string) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	conn, err := ReadConnectionFile(path)
	if err != nil {
		log.Error("child kernel", "err", err)
		return 3
	}
	srv, err := NewServer(conn, newTestEngine(), Options{Log: log})
	if err != nil {
		log.Error("child kernel", "err", err)
		return 3
	}
	bound, err := json.Marshal(srv.Connection())
	if err == nil {
		err = os.WriteFile(path+".tmp", bound, 0o600)
	}
	if err == nil {
		err = os.Rename(path+".tmp", path+".bound")
	}
	if err != nil {
		log.Error("child kernel", "err", err)
		return 3
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := srv.Run(ctx); err != nil {
		log.Error("child kernel", "err", err)
		return 3
	}
	return 0
}

// child is a kernel process started by startChild.
type child struct {
	conn   ConnectionInfo // as bound
	exited chan struct{}  // closed when the process has exited
	err    error          // Wait's result, set before exited is closed
	stderr *lockedWriter
}

// lockedWriter collects a process's output for reading while it runs.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// startChild starts the test binary as a kernel process on transport ("tcp"
// or "ipc") and waits until it has bound its sockets. Cleanup stops it.
func startChild(t *testing.T, transport string) *child {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "kernel.json")
	cf := fmt.Sprintf(`{"transport":"tcp","ip":"127.0.0.1","shell_port":0,"control_port":0,
		"stdin_port":0,"iopub_port":0,"hb_port":0,"key":%q,"signature_scheme":"hmac-sha256"}`, testKey)
	if transport == "ipc" {
		cf = fmt.Sprintf(`{"transport":"ipc","ip":%q,"shell_port":1,"control_port":2,
		"stdin_port":3,"iopub_port":4,"hb_port":5,"key":%q,"signature_scheme":"hmac-sha256"}`, filepath.Join(dir, "k"), testKey)
	}
	if err := os.WriteFile(path, []byte(cf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	c := &child{exited: make(chan struct{}), stderr: &lockedWriter{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("kernel process log:\n%s", c.log())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, err := os.ReadFile(path + ".bound")
		if err == nil {
			if err := json.Unmarshal(data, &c.conn); err != nil {
				t.Fatal(err)
			}
			return c
		}
		select {
		case <-c.exited:
			t.Fatalf("kernel process exited before binding: %v\n%s", c.err, c.log())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("kernel process did not bind its sockets")
		}
	}
}

// log returns what the kernel process wrote to stderr so far.
func (c *child) log() string {
	return c.stderr.String()
}

// ports lists the kernel's five sockets by name.
func (c *child) ports() []struct {
	name string
	port int
} {
	k := c.conn
	return []struct {
		name string
		port int
	}{{"shell", k.ShellPort}, {"control", k.ControlPort}, {"stdin", k.StdinPort}, {"iopub", k.IOPubPort}, {"heartbeat", k.HBPort}}
}

// address is the network and address of port, for net.Dial.
func (c *child) address(port int) (network, addr string) {
	ep := c.conn.endpoint(port)
	network, addr, _ = strings.Cut(ep, "://")
	if network == "ipc" {
		return "unix", addr
	}
	return network, addr
}

// alive fails t if the kernel process has exited.
func (c *child) alive(t *testing.T) {
	t.Helper()
	select {
	case <-c.exited:
		t.Fatalf("the kernel process exited: %v\n%s", c.err, c.log())
	default:
	}
}

// kernelInfo connects a zmq4 client to the shell socket, as frontends do,
// and checks that a kernel_info_request gets its reply.
func (c *child) kernelInfo(t *testing.T) {
	t.Helper()
	c.alive(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sock := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity(uuid.NewString())))
	defer sock.Close()
	if err := sock.Dial(c.conn.endpoint(c.conn.ShellPort)); err != nil {
		t.Fatalf("dial shell: %v", err)
	}
	cd := codec{signer: newSigner([]byte(testKey))}
	m, err := newMessage(uuid.NewString(), "kernel_info_request", nil, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := cd.encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		msg, err := sock.Recv()
		if err == nil {
			var r message
			r, err = cd.decode(msg.Frames)
			if err == nil && (r.header.MsgType != "kernel_info_reply" || !strings.Contains(string(r.parent), m.header.MsgID)) {
				err = fmt.Errorf("got %s to %s, want the kernel_info_reply", r.header.MsgType, r.parent)
			}
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("kernel_info: %v", err)
		}
	case <-c.exited:
		t.Fatalf("the kernel process exited: %v\n%s", c.err, c.log())
	case <-time.After(30 * time.Second):
		t.Fatal("no kernel_info_reply")
	}
	c.alive(t)
}

// exitCode is the kernel process's exit code, or -1 while it runs.
func (c *child) exitCode() int {
	select {
	case <-c.exited:
		var ee *exec.ExitError
		if errors.As(c.err, &ee) {
			return ee.ExitCode()
		}
		return 0
	default:
		return -1
	}
}

// startInProcess starts a kernel server with a testEngine in this process,
// on loopback tcp ports, for tests that need no client connected before
// they act. It has the same methods as a kernel process; exited closes
// when Run returns.
func startInProcess(t *testing.T, opts Options) *child {
	t.Helper()
	conn := loopbackConnection(t)
	srv, err := NewServer(conn, newTestEngine(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &child{conn: srv.Connection(), exited: make(chan struct{}), stderr: &lockedWriter{}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		c.err = srv.Run(ctx)
		close(c.exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-c.exited
	})
	return c
}
