package interp

import "io"

// Divert sends the running cell's standard output to w until restore is
// called: what interpreted code prints, with fd capture also what compiled
// code writes to fd 1 and os.Stdout, and the output of mp children started
// meanwhile (mp pins their writers at Start). Output written before each
// call is delivered first, to the writer it was meant for. It makes a
// *Session the check package's Host, for check.Output.
func (s *Session) Divert(w io.Writer) (restore func()) {
	s.flushStdout()
	s.cellMu.Lock()
	prev := s.cell
	diverted := *prev
	diverted.io.Stdout = w
	s.cell = &diverted
	s.cellMu.Unlock()
	return func() {
		s.flushStdout()
		s.cellMu.Lock()
		if s.cell == &diverted {
			s.cell = prev
		}
		s.cellMu.Unlock()
	}
}

// flushStdout delivers what was written to the captured stdout so far.
func (s *Session) flushStdout() {
	if s.capture == nil {
		return
	}
	if err := s.capture.flushPipes(0); err != nil {
		s.log.Warn("flush captured stdout", "err", err)
	}
}
