package interp

import "sync"

// stdinReader is the interpreter's standard input (fmt.Scan*, and os.Stdin,
// which cells see as an io.Reader). It asks the current cell's Input for a
// line whenever its buffer is empty, so reads never hang without a user.
type stdinReader struct {
	s   *Session
	mu  sync.Mutex
	buf []byte
}

// Read returns buffered input, asking the cell for a line when empty.
func (r *stdinReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		c := r.s.current()
		if c.io.Input == nil {
			return 0, errNoInput
		}
		line, err := c.io.Input("", false)
		if err != nil {
			return 0, err
		}
		r.buf = append(append(r.buf, line...), '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// reset drops input a previous cell typed but did not read.
func (r *stdinReader) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = nil
}
