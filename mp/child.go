package mp

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gomp-kernel/gomp/internal/forkthread"
)

// child is the parent's handle on one worker process: its command, the
// frame channel to it, and the two streams that copy its output. It owns
// four goroutines (stdout, stderr, frame reader, waiter) and exited is
// closed when all of them have finished.
type child struct {
	cmd    *exec.Cmd
	conn   *conn
	toW    *os.File // write end of the worker's fd 3; closing it tells the worker to finish
	token  string
	stdout *stream
	stderr *stream
	frames chan frame    // frames from the worker; closed when the channel ends
	ready  chan struct{} // closed when the worker said it is ready (or ended)
	up     atomic.Bool   // the worker said it is ready
	dead   chan struct{} // closed when the process has been waited for
	exited chan struct{} // closed when dead and the streams and frame reader are done
	state  *os.ProcessState
}

// startChild starts a worker process as cfg says, or the compiled worker
// exe when it is not "", on the forker thread so that Pdeathsig stays
// armed for the process's lifetime.
func startChild(cfg *Config, f *forkthread.Thread, exe string) (*child, error) {
	var opened []*os.File
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			opened = append(opened, r, w)
		}
		return r, w, err
	}
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	inR, inW, err1 := pipe()
	outR, outW, err2 := pipe()
	stdoutR, stdoutW, err3 := pipe()
	stderrR, stderrW, err4 := pipe()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		closeAll()
		return nil, fmt.Errorf("start worker: pipes: %w", err)
	}
	path, args, err := cfg.command(exe)
	if err != nil {
		closeAll()
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), cfg.Env...)
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	cmd.ExtraFiles = []*os.File{inR, outW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := f.Start(cmd); err != nil {
		closeAll()
		if errors.Is(err, forkthread.ErrStopped) {
			return nil, errors.New("start worker: mp is shutting down")
		}
		return nil, fmt.Errorf("start worker %s: %w", path, err)
	}
	// The worker holds its own copies of these now.
	inR.Close()
	outW.Close()
	stdoutW.Close()
	stderrW.Close()

	var tok [8]byte
	rand.Read(tok[:])
	log := cfg.logger()
	c := &child{
		cmd:    cmd,
		conn:   newConn(outR, inW),
		toW:    inW,
		token:  hex.EncodeToString(tok[:]),
		frames: make(chan frame, 1),
		ready:  make(chan struct{}),
		dead:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	c.stdout = newStream(stdoutR, c.token, log)
	c.stderr = newStream(stderrR, c.token, log)
	readerDone := make(chan struct{})
	go c.stdout.run()
	go c.stderr.run()
	go func() {
		defer close(readerDone)
		c.readFrames(log)
	}()
	go func() {
		err := cmd.Wait()
		c.state = cmd.ProcessState
		if c.state == nil {
			log.Warn("wait for worker", "pid", cmd.Process.Pid, "err", err)
		}
		close(c.dead)
		c.stdout.waitEOF()
		c.stderr.waitEOF()
		<-readerDone
		stdoutR.Close()
		stderrR.Close()
		outR.Close()
		c.closeInput()
		close(c.exited)
	}()
	return c, nil
}

// readFrames delivers the worker's frames to c.frames until the channel
// ends or the process has died and nobody takes them.
func (c *child) readFrames(log *slog.Logger) {
	defer close(c.frames)
	readyOnce := sync.OnceFunc(func() { close(c.ready) })
	defer readyOnce()
	for {
		f, err := c.conn.recv()
		if err != nil {
			log.Debug("worker channel ended", "pid", c.pid(), "err", err)
			return
		}
		if f.Kind == kindReady {
			c.up.Store(true)
			readyOnce()
			continue
		}
		// A worker may send its last result and exit at once: deliver the
		// frame while the buffer has room, and give up on it only when
		// nobody is reading and the worker is gone.
		select {
		case c.frames <- f:
			continue
		default:
		}
		select {
		case c.frames <- f:
		case <-c.dead:
			return
		}
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// closeInput closes the worker's fd 3: a worker between tasks exits.
func (c *child) closeInput() { c.toW.Close() }

// signal sends sig unless the process has already been waited for.
func (c *child) signal(sig os.Signal) {
	select {
	case <-c.dead:
	default:
		if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			slog.Debug("signal worker", "pid", c.pid(), "err", err)
		}
	}
}

// termGrace is how long a child interrupted with SIGTERM may take to exit
// before it gets SIGKILL (notebook code may catch or ignore SIGTERM).
const termGrace = 2 * time.Second

// terminate sends SIGTERM, then SIGKILL if the child is still there after
// termGrace, and returns when it has exited and its output is written.
func (c *child) terminate() {
	c.signal(syscall.SIGTERM)
	t := time.NewTimer(termGrace)
	defer t.Stop()
	select {
	case <-c.dead:
	case <-t.C:
		c.signal(syscall.SIGKILL)
	}
	<-c.exited
}

// alive reports whether the process has not yet been waited for.
func (c *child) alive() bool {
	select {
	case <-c.dead:
		return false
	default:
		return true
	}
}

// wasReady reports whether the worker said it was ready: one that never
// did failed to start, and is not worth replacing before there is work.
func (c *child) wasReady() bool { return c.up.Load() }

// exitCode is the process's exit status, or minus the signal that ended it
// (as Python reports it). Valid once dead is closed.
func (c *child) exitCode() int {
	if c.state == nil {
		return -1
	}
	if ws, ok := c.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return c.state.ExitCode()
}

// greet sends hello and pins the worker's output.
func (c *child) greet(h hello, cell Cell) error {
	h.Token = c.token
	c.stdout.pin(cell.Stdout, cell.Display)
	c.stderr.pin(cell.Stderr, cell.Display)
	if err := c.conn.sendMsg(0, h); err != nil {
		return fmt.Errorf("greet worker %d: %w", c.pid(), err)
	}
	return nil
}
