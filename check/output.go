package check

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
)

// Host is what Output needs from the program that runs cells: a way to
// send what the running cell prints to another writer for a while.
// gomp's kernel, `gomp run` and mp workers install their interpreter
// session; cells neither see nor call it.
type Host interface {
	// Divert sends the running cell's standard output to w until restore
	// is called: what interpreted code prints, what compiled code writes
	// to fd 1 and os.Stdout when the host captures them, and the output
	// of mp children started meanwhile. Both calls return once output
	// written before them has been delivered.
	Divert(w io.Writer) (restore func())
}

var host struct {
	mu sync.Mutex
	h  Host
}

// SetHost installs the host Output diverts output through; nil removes
// it, and Output then redirects os.Stdout itself (a plain Go program).
func SetHost(h Host) {
	host.mu.Lock()
	defer host.mu.Unlock()
	host.h = h
}

// Output checks that fn prints exactly want to standard output: what it
// prints with fmt, and, in a notebook, what mp children that fn starts
// and waits for print (their output is routed to the cell). The output
// is captured, not shown. When it differs, the message shows the first
// line that differs.
func Output(fn func(), want string, msg ...any) {
	if fn == nil {
		fail("check.Output", nil, "%sthe function is nil", about(msg))
	}
	got := capture(fn)
	if got == want {
		return
	}
	gl, wl := strings.SplitAfter(got, "\n"), strings.SplitAfter(want, "\n")
	i := 0
	for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
		i++
	}
	line := func(l []string) string {
		if i < len(l) && l[i] != "" {
			return show(reflect.ValueOf(l[i]))
		}
		return "nothing more"
	}
	detail := []string{fmt.Sprintf("line %d: got %s, want %s", i+1, line(gl), line(wl))}
	fail("check.Output", detail, "%sthe function printed %s, want %s", about(msg), show(reflect.ValueOf(got)), show(reflect.ValueOf(want)))
}

// capture runs fn with its standard output collected, and returns it.
// A panic in fn passes through once the output is restored.
func capture(fn func()) string {
	host.mu.Lock()
	h := host.h
	host.mu.Unlock()
	if h == nil {
		return captureStdout(fn)
	}
	var buf lockedBuffer
	func() {
		defer h.Divert(&buf)()
		fn()
	}()
	return buf.String()
}

// captureStdout points os.Stdout at a pipe while fn runs.
func captureStdout(fn func()) string {
	r, w, err := os.Pipe()
	if err != nil {
		fail("check.Output", nil, "capture standard output: %v", err)
	}
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(&buf, r)
		r.Close()
	}()
	orig := os.Stdout
	os.Stdout = w
	func() {
		defer func() {
			os.Stdout = orig
			w.Close()
			<-done
		}()
		fn()
	}()
	return buf.String()
}

// lockedBuffer is a buffer that mp children's output, written from the
// goroutines that read their pipes, may reach while fn runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
