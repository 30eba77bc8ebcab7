package interp

import (
	"io"
	"os"
)

// output gives the interpreter its stdout and stderr. Without fd capture
// they write to the current cell's writers; with it they write to fds 1
// and 2, so interpreted and compiled output keep their relative order.
// yaegi's panic lines never reach the user: stderr diverts them to the
// current cell's traceback (or drops them during a Target probe).
type output struct {
	s *Session
}

func (o *output) stdout() io.Writer {
	if o.s.capture != nil {
		return stdoutWriter{}
	}
	return cellWriter{o.s, false}
}

// stdoutWriter writes to os.Stdout as it is at each write. It is not an
// *os.File, so that yaegi gives cells the real os.Stdout variable rather
// than a copy of it: a cell that closes os.Stdout gets a new one at the
// next cell (capture.repair), and fmt.Println writes to that.
type stdoutWriter struct{}

func (stdoutWriter) Write(p []byte) (int, error) { return os.Stdout.Write(p) }

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
		return os.Stderr.Write(p)
	}
	return cellWriter{f.s, true}.Write(p)
}
