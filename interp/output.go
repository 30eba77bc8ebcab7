package interp

import (
	"io"
	"os"
	"sync/atomic"
)

// output gives the interpreter its stdout and stderr. Without fd capture
// they write to the current cell's writers; with it they write to
// os.Stdout and os.Stderr (capture's pipes), so interpreted and compiled
// output keep their relative order.
// yaegi's panic lines never reach the user: stderr diverts them to the
// current cell's traceback (or drops them during a Target probe).
//
// With capture, stdout and stderr are two pipes with a reader each, which
// alone would not keep their relative order: a line written to stderr
// could reach the cell before the last lines written to stdout. So when
// interpreted code switches from one stream to the other, what the pipe
// of the first still holds is delivered before the write (one marker round
// trip per switch, none for a run of writes to one stream).
type output struct {
	s    *Session
	last atomic.Int32 // the stream interpreted code wrote to last: 0 none, 1 stdout, 2 stderr
}

func (o *output) stdout() io.Writer {
	if o.s.capture != nil {
		return stdoutWriter{o}
	}
	return cellWriter{o.s, false}
}

// switchTo records a write to stream (1 stdout, 2 stderr) and, when the
// previous write went to the other one, waits until its pipe is delivered.
func (o *output) switchTo(stream int32) {
	if prev := o.last.Swap(stream); prev != 0 && prev != stream {
		if err := o.s.capture.flushPipes(int(prev - 1)); err != nil {
			o.s.log.Warn("order captured output", "err", err)
		}
	}
}

// stdoutWriter writes to os.Stdout as it is at each write. It is not an
// *os.File, so that yaegi gives cells the real os.Stdout variable rather
// than a copy of it: a cell that closes os.Stdout gets a new one at the
// next cell (capture.repair), and fmt.Println writes to that.
type stdoutWriter struct{ o *output }

func (w stdoutWriter) Write(p []byte) (int, error) {
	w.o.switchTo(1)
	return os.Stdout.Write(p)
}

func (o *output) stderr() io.Writer {
	return stderrFilter{o.s}
}

// cellWriter writes to the current cell's Stdout or Stderr.
type cellWriter struct {
	s      *Session
	stderr bool
}

// Write writes p to the current cell, or discards it without a writer.
func (w cellWriter) Write(p []byte) (int, error) {
	c := w.s.current()
	out := c.io.Stdout
	if w.stderr {
		out = c.io.Stderr
	}
	if out == nil {
		return len(p), nil
	}
	return out.Write(p)
}

// stderrFilter is the interpreter's stderr.
type stderrFilter struct{ s *Session }

// Write diverts yaegi's panic lines and passes everything else on.
func (f stderrFilter) Write(p []byte) (int, error) {
	if panicLineRE.Match(p) {
		if !f.s.probe.probing() {
			f.s.current().trace.add(string(p))
		}
		return len(p), nil
	}
	if f.s.capture != nil {
		f.s.out.switchTo(2)
		return os.Stderr.Write(p)
	}
	return cellWriter{f.s, true}.Write(p)
}
