//go:build linux

package interp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// maxPiece bounds one write to a cell's writer, so that concurrent writers
// (a cell, its goroutines, mp children) do not interleave inside a line.
const maxPiece = 4096

// capture sends fd 1 and os.Stdout into one pipe and os.Stderr into
// another, with one reader goroutine per pipe that delivers what it reads
// to the current cell's Stdout or Stderr. flush writes a unique marker
// into both pipes and waits until both readers have passed it: everything
// written before has been delivered.
//
// fd 2 itself stays what the process had (the kernel's crash file, a
// terminal): the Go runtime writes its fatal errors ("concurrent map
// writes", "stack overflow") to fd 2 while every goroutine is stopped, so
// a pipe read by this process would block it for good once full.
//
// os.Stdout and os.Stderr are, during capture, files of their own on the
// pipes, so that a cell closing them (os.Stdout.Close()) closes neither
// fd 1 nor the files the process had; repair replaces them for the next
// cell. Markers go through capture's own write ends, never through fd 1,
// which a cell may have reopened as its own file. Every descriptor capture
// keeps for itself is close-on-exec, so that children (mp workers) inherit
// only fds 0-2 and what they are given.
type capture struct {
	cur    func() *cellState
	orig   int         // fd 1 before capture (close-on-exec), restored by close
	w      [2]*os.File // capture's own write ends of the pipes
	saved  [2]*os.File // os.Stdout and os.Stderr before capture
	std    [2]*os.File // os.Stdout and os.Stderr during capture
	prefix []byte      // marker prefix, unique to this capture
	seq    uint64

	mu   sync.Mutex
	cond *sync.Cond
	seen [2]uint64
	done [2]bool
	wg   sync.WaitGroup
}

// stdFiles are the variables capture replaces, stdNames their names.
var (
	stdFiles = [2]**os.File{&os.Stdout, &os.Stderr}
	stdNames = [2]string{"stdout", "stderr"}
)

// dupCloexec duplicates fd to a new close-on-exec descriptor.
func dupCloexec(fd int) (int, error) {
	nfd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 3)
	if errno != 0 {
		return -1, errno
	}
	return int(nfd), nil
}

func startCapture(cur func() *cellState) (*capture, error) {
	token := make([]byte, 8)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	c := &capture{cur: cur, orig: -1, prefix: []byte("\x1b]gomp;" + hex.EncodeToString(token) + ";")}
	c.cond = sync.NewCond(&c.mu)
	for i := range c.w {
		r, w, err := os.Pipe()
		if err != nil {
			c.restore(i)
			return nil, fmt.Errorf("pipe for %s: %w", stdNames[i], err)
		}
		c.w[i] = w
		c.wg.Add(1)
		go c.read(i, r)
		c.saved[i] = *stdFiles[i]
		if err := c.replaceStd(i); err != nil {
			c.restore(i + 1)
			return nil, err
		}
	}
	orig, err := dupCloexec(1)
	if err != nil {
		c.restore(len(c.w))
		return nil, fmt.Errorf("dup fd 1: %w", err)
	}
	if err := syscall.Dup3(int(c.w[0].Fd()), 1, 0); err != nil {
		syscall.Close(orig)
		c.restore(len(c.w))
		return nil, fmt.Errorf("redirect fd 1: %w", err)
	}
	c.orig = orig
	return c, nil
}

// replaceStd points os.Stdout (i 0) or os.Stderr (i 1) to a new
// descriptor of its pipe.
func (c *capture) replaceStd(i int) error {
	fd, err := dupCloexec(int(c.w[i].Fd()))
	if err != nil {
		return fmt.Errorf("replace os.%s: %w", stdNames[i], err)
	}
	c.std[i] = os.NewFile(uintptr(fd), "/dev/"+stdNames[i])
	*stdFiles[i] = c.std[i]
	return nil
}

// restore puts back fd 1 and the first n replaced files, closes capture's
// write ends and waits for the readers.
func (c *capture) restore(n int) error {
	var first error
	if c.orig >= 0 {
		if err := syscall.Dup3(c.orig, 1, 0); err != nil {
			first = fmt.Errorf("restore fd 1: %w", err)
		}
		syscall.Close(c.orig)
	}
	for i := 0; i < n; i++ {
		if c.std[i] != nil {
			*stdFiles[i] = c.saved[i]
			c.std[i].Close()
		}
		c.w[i].Close()
	}
	c.wg.Wait()
	return first
}

func (c *capture) close() error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.restore(len(c.w))
}

// repair undoes what a cell did to the capture: an os.Stdout or
// os.Stderr that was closed is replaced by a new file writing to its pipe,
// and an fd 1 that was closed (os.NewFile(1, "").Close()) points to its
// pipe again. An fd 1 that a cell reopened as its own file stays that file
// until the cell closes it.
func (c *capture) repair() error {
	for i := range c.w {
		if !usable(*stdFiles[i]) {
			if err := c.replaceStd(i); err != nil {
				return err
			}
		}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(1, &st); err == syscall.EBADF {
		if err := syscall.Dup3(int(c.w[0].Fd()), 1, 0); err != nil {
			return fmt.Errorf("redirect fd 1 again: %w", err)
		}
	}
	return nil
}

// usable reports whether f is open.
func usable(f *os.File) bool {
	if f == nil {
		return false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	return rc.Control(func(uintptr) {}) == nil
}

// flush returns when everything written to fd 1, os.Stdout and os.Stderr
// before the call has been delivered to the current cell's writers.
func (c *capture) flush() error { return c.flushPipes(0, 1) }

// flushPipes returns when everything written into the given pipes (0 for
// fd 1 and os.Stdout, 1 for os.Stderr) before the call has been delivered.
func (c *capture) flushPipes(pipes ...int) error {
	c.mu.Lock()
	c.seq++
	seq := c.seq
	c.mu.Unlock()
	m := append(append([]byte(nil), c.prefix...), strconv.FormatUint(seq, 10)+"\a"...)
	for _, i := range pipes {
		if _, err := c.w[i].Write(m); err != nil {
			return fmt.Errorf("write marker to the %s pipe: %w", stdNames[i], err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, i := range pipes {
		for c.seen[i] < seq && !c.done[i] {
			c.cond.Wait()
		}
	}
	return nil
}

// read owns pipe i's read end until EOF.
func (c *capture) read(i int, r *os.File) {
	defer c.wg.Done()
	defer r.Close()
	defer func() {
		c.mu.Lock()
		c.done[i] = true
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
	buf := make([]byte, 64*1024)
	var pending []byte
	for {
		n, err := r.Read(buf)
		pending = append(pending, buf[:n]...)
		pending = c.scan(i, pending)
		if err != nil {
			c.deliver(i, pending)
			if err != io.EOF {
				c.deliver(i, []byte(fmt.Sprintf("gomp: reading captured %s: %v\n", stdNames[i], err)))
			}
			return
		}
	}
}

// scan delivers pending up to any marker, records markers, and returns the
// bytes it must keep because they may begin a marker.
func (c *capture) scan(i int, pending []byte) []byte {
	for {
		j := bytes.Index(pending, c.prefix)
		if j < 0 {
			break
		}
		end := bytes.IndexByte(pending[j+len(c.prefix):], '\a')
		if end < 0 {
			c.deliver(i, pending[:j])
			return append([]byte(nil), pending[j:]...)
		}
		c.deliver(i, pending[:j])
		seq, _ := strconv.ParseUint(string(pending[j+len(c.prefix):j+len(c.prefix)+end]), 10, 64)
		c.mu.Lock()
		// Markers of concurrent flushes may pass in either order.
		c.seen[i] = max(c.seen[i], seq)
		c.cond.Broadcast()
		c.mu.Unlock()
		pending = pending[j+len(c.prefix)+end+1:]
	}
	keep := 0
	for k := min(len(pending), len(c.prefix)-1); k > 0; k-- {
		if bytes.HasSuffix(pending, c.prefix[:k]) {
			keep = k
			break
		}
	}
	c.deliver(i, pending[:len(pending)-keep])
	return append([]byte(nil), pending[len(pending)-keep:]...)
}

// deliver writes b to the current cell in pieces of at most maxPiece
// bytes, cut after a newline where possible.
func (c *capture) deliver(i int, b []byte) {
	cell := c.cur()
	w := cell.io.Stdout
	if i == 1 {
		w = cell.io.Stderr
	}
	for len(b) > 0 {
		n := len(b)
		if n > maxPiece {
			n = maxPiece
			if k := bytes.LastIndexByte(b[:n], '\n'); k >= 0 {
				n = k + 1
			}
		}
		if w != nil {
			w.Write(b[:n])
		}
		b = b[n:]
	}
}
