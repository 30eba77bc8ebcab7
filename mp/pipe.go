package mp

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Connection is one end of a Pipe, as Python's multiprocessing.Connection.
// Pass it to NewProcess or a Pool task like any argument; the child gets
// its own descriptor for the same end (fdpass.go).
//
// A pipe is a unix socket pair, and Send and Recv are plain blocking
// system calls on the caller's goroutine: no broker, no extra goroutine
// hand-off, which is what makes a round trip between two processes as fast
// as the machine allows. Recv returns io.EOF once nothing is left to read
// and every copy of the other end, in every process, is closed (the
// kernel counts them). As with Python, the parent must Close its own copy
// of an end it passed to a child, or the other side never sees EOF; an
// end sent to a Process that is never started stays open until its
// sender shuts down. Items from one sender arrive whole and in order;
// Sends from several goroutines of one process do not interleave. A
// process killed half-way through a Send leaves a truncated item, which
// the receiver reports as io.ErrUnexpectedEOF once the end is closed.
type Connection struct {
	f    *os.File // blocking socket: reads and writes are direct syscalls
	fd   int
	read bool // may Recv
	send bool // may Send
	err  error

	rmu sync.Mutex // one receiver at a time
	r   *bufio.Reader
	ev  *eventFD // interrupts a waiting Recv in the kernel; nil: none yet

	wmu sync.Mutex // one sender at a time
	w   []byte

	mu     sync.Mutex
	closed bool
}

// Pipe returns the two ends of a duplex pipe: what one sends, the other
// receives, both ways.
func Pipe() (*Connection, *Connection) { return newPipe(true) }

// OneWayPipe returns a one-way pipe, as Python's Pipe(duplex=False): r can
// only receive and w can only send.
func OneWayPipe() (r, w *Connection) { return newPipe(false) }

func newPipe(duplex bool) (*Connection, *Connection) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		err = fmt.Errorf("mp.Pipe: %w", err)
		return &Connection{err: err}, &Connection{err: err}
	}
	return newConnection(os.NewFile(uintptr(fds[0]), "mp-pipe"), true, duplex),
		newConnection(os.NewFile(uintptr(fds[1]), "mp-pipe"), duplex, true)
}

func newConnection(f *os.File, read, send bool) *Connection {
	return &Connection{f: f, fd: int(f.Fd()), read: read, send: send, r: bufio.NewReaderSize(f, 64<<10)}
}

var errClosedConn = errors.New("connection is closed")

func (c *Connection) check(send bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err != nil:
		return c.err
	case c.closed:
		return errClosedConn
	case send && !c.send:
		return errors.New("connection is read-only")
	case !send && !c.read:
		return errors.New("connection is write-only")
	}
	return nil
}

// Send sends v to the other end. It waits only while the socket's buffer
// is full. A value that cannot cross a process boundary is an error here;
// so is a pipe whose other end is closed everywhere (broken pipe).
func (c *Connection) Send(v any) error {
	if err := c.check(true); err != nil {
		return fmt.Errorf("pipe send: %w", err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b, err := appendItem(append(c.w[:0], make([]byte, 8)...), v)
	if err != nil {
		return fmt.Errorf("pipe send: %w", err)
	}
	binary.LittleEndian.PutUint64(b, uint64(len(b)-8))
	if cap(b) <= 64<<10 {
		c.w = b
	}
	if _, err := c.f.Write(b); err != nil {
		return fmt.Errorf("pipe send: %w", err)
	}
	return nil
}

// Recv waits for the next item from the other end. It returns io.EOF when
// there is none and the other end is closed everywhere, and, in the
// kernel, ErrInterrupted when the cell is interrupted.
func (c *Connection) Recv() (any, error) {
	b, err := c.recv()
	if err != nil {
		return nil, err
	}
	return decodeItem(b)
}

// RecvInto is Recv storing the item in *ptr (see Queue.GetInto).
func (c *Connection) RecvInto(ptr any) error {
	b, err := c.recv()
	if err != nil {
		return err
	}
	return decodeItemInto(b, ptr)
}

func (c *Connection) recv() ([]byte, error) {
	if err := c.check(false); err != nil {
		return nil, fmt.Errorf("pipe recv: %w", err)
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.r.Buffered() == 0 {
		if _, err := c.waitReadable(-1); err != nil {
			return nil, fmt.Errorf("pipe recv: %w", err)
		}
	}
	var h [8]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("pipe recv: %w", err)
	}
	n := binary.LittleEndian.Uint64(h[:])
	if n > maxFrame {
		return nil, fmt.Errorf("pipe recv: item of %d bytes: %w", n, errCorrupt)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return nil, fmt.Errorf("pipe recv: %w", unexpected(err))
	}
	return b, nil
}

// Poll reports whether Recv would return at once (an item or EOF) within
// d; d == 0 does not wait.
func (c *Connection) Poll(d time.Duration) bool {
	if c.check(false) != nil {
		return false
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.r.Buffered() > 0 {
		return true
	}
	ok, err := c.waitReadable(d)
	return ok && err == nil
}

// waitReadable waits until the socket is readable, the timeout d passes
// (d < 0: none; reports false) or, in the kernel, the cell is interrupted.
// A child has no cells and blocks in read directly.
func (c *Connection) waitReadable(d time.Duration) (bool, error) {
	ctx := waitContext()
	if ctx.Done() == nil && d < 0 {
		return true, nil
	}
	var deadline time.Time
	if d >= 0 {
		deadline = time.Now().Add(d)
	}
	if ctx.Done() != nil && c.ev == nil {
		efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if errno != 0 {
			return false, fmt.Errorf("eventfd: %w", errno)
		}
		c.ev = &eventFD{fd: int(efd)}
		runtime.AddCleanup(c, (*eventFD).close, c.ev)
	}
	for {
		if ctx.Err() != nil {
			return false, ErrInterrupted
		}
		fds := []pollFd{{fd: int32(c.fd), events: pollIn}, {fd: -1}}
		stop := func() bool { return true }
		if ctx.Done() != nil {
			fds[1] = pollFd{fd: int32(c.ev.fd), events: pollIn}
			stop = context.AfterFunc(ctx, func() {
				one := [8]byte{1}
				syscall.Write(c.ev.fd, one[:])
			})
		}
		var ts *syscall.Timespec
		if d >= 0 {
			t := syscall.NsecToTimespec(max(0, time.Until(deadline).Nanoseconds()))
			ts = &t
		}
		n, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 2, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
		stop()
		if fds[1].revents != 0 {
			var buf [8]byte
			syscall.Read(c.ev.fd, buf[:])
		}
		switch {
		case errno == syscall.EINTR:
			continue
		case errno != 0:
			return false, fmt.Errorf("poll: %w", errno)
		case fds[0].revents != 0:
			return true, nil
		case ctx.Err() != nil:
			return false, ErrInterrupted
		case n == 0:
			return false, nil
		}
	}
}

// eventFD is an eventfd(2) descriptor, closed by Close or, for a
// Connection dropped without Close, by a cleanup.
type eventFD struct{ fd int }

func (e *eventFD) close() {
	if e.fd >= 0 {
		syscall.Close(e.fd)
		e.fd = -1
	}
}

// pollFd is struct pollfd of poll(2).
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const pollIn = 0x1

// Close closes this process's copy of the end. Closing twice is harmless.
// A Recv blocked in another goroutine of this process keeps waiting until
// data or EOF arrives.
func (c *Connection) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.f == nil {
		return nil
	}
	c.closed = true
	if c.rmu.TryLock() {
		if c.ev != nil {
			c.ev.close()
		}
		c.rmu.Unlock()
	}
	if err := c.f.Close(); err != nil {
		return fmt.Errorf("pipe close: %w", err)
	}
	return nil
}

// appendHandle lends the end to the receiving process through this
// process's broker (fdpass.go).
func (c *Connection) appendHandle(dst []byte) ([]byte, error) {
	if err := c.check(!c.read); err != nil {
		return dst, err
	}
	b, err := localBroker()
	if err != nil {
		return dst, err
	}
	token, err := b.lendFD(c.fd)
	if err != nil {
		return dst, err
	}
	flags := uint64(0)
	if c.read {
		flags |= 1
	}
	if c.send {
		flags |= 2
	}
	return body(dst).string(b.path).uint(token).uint(flags), nil
}

func init() {
	registerHandle(reflect.TypeOf((*Connection)(nil)), func(r *reader) (any, error) {
		path, token, flags := r.string(), r.uint(), r.uint()
		if r.err != nil {
			return nil, r.err
		}
		f, err := fetchFD(path, token)
		if err != nil {
			return nil, err
		}
		return newConnection(f, flags&1 != 0, flags&2 != 0), nil
	})
}

// String describes the end.
func (c *Connection) String() string {
	return fmt.Sprintf("<Connection fd=%d read=%v send=%v>", c.fd, c.read, c.send)
}
